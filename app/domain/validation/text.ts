/**
 * Characters no field of ours has a use for, whatever the field: every string that
 * arrives from a form, a JSON body or an upload's fields is checked once at the
 * boundary, so a NUL byte or a right-to-left override cannot reach the database
 * through a field someone forgot to restrict.
 *
 *  - control characters other than tab and line breaks (NUL, ESC, DEL …): nothing
 *    typed contains them, and they break exports, logs and terminals;
 *  - bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069):
 *    they make 「项目.exe」 display as something else (CVE-2021-42574, "Trojan Source");
 *    the plain marks U+200E/U+200F stay allowed;
 *  - lone UTF-16 surrogates: not text, SQLite would store a replacement character;
 *  - a value made only of invisible characters (zero-width space, joiner, BOM, soft
 *    hyphen) and spaces: it looks empty but passes "at least 2 characters".
 */

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF\u00AD]/g;

/** What is wrong with one string, in Chinese, or null when it is fine. */
export function unsafeTextProblem(s: string): string | null {
  if (CONTROL.test(s)) return "含有不可见的控制字符（如 NUL），请删除后重试";
  if (BIDI_CONTROL.test(s)) return "含有改变文字显示方向的控制字符，请删除后重试";
  if (LONE_SURROGATE.test(s)) return "含有无效的字符编码，请重新输入";
  if (s.search(INVISIBLE) >= 0 && s.replace(INVISIBLE, "").trim() === "") return "只含不可见字符，请填写内容";
  return null;
}

/**
 * The first unsafe string anywhere in a parsed body (objects, arrays, keys too),
 * with its path (`enterprise.name`, `actionItems.0.title`), or null.
 */
export function findUnsafeText(value: unknown, path: string[] = []): { path: string; message: string } | null {
  if (typeof value === "string") {
    const message = unsafeTextProblem(value);
    return message ? { path: path.join(".") || "_", message } : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnsafeText(value[i], [...path, String(i)]);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      // The key itself is left out of the path: a message must not display what it refuses.
      const inKey = unsafeTextProblem(k);
      if (inKey) return { path: path.join(".") || "_", message: `字段名${inKey}` };
      const found = findUnsafeText(v, [...path, k]);
      if (found) return found;
    }
  }
  return null;
}
