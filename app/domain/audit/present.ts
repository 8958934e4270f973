/**
 * How an audit row is shown and exported. The detail column is whatever its writer
 * stored, including text users typed: it is only ever shown as text (React escapes
 * it) and exported with spreadsheet formulas defused.
 */

/** Characters of a detail shown in the list; the export carries it whole. */
export const DETAIL_SHOWN_CHARS = 1_200;

/**
 * An instant as Asia/Shanghai wall-clock time to the second (an audit trail orders
 * events that happen within one minute).
 *
 * @example auditTime(Date.UTC(2026, 11, 2, 9, 13, 5)) // → "2026-12-02 17:13:05"
 */
export function auditTime(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace("T", " ");
}

/**
 * The stored detail pretty-printed when it is JSON (as writeAudit stores it), as is
 * otherwise; cut to `max` characters.
 *
 * @example formatAuditDetail('{"login":"a"}') // → { text: '{\n  "login": "a"\n}', truncated: false }
 */
export function formatAuditDetail(raw: string | null, max = DETAIL_SHOWN_CHARS): { text: string; truncated: boolean } | null {
  if (raw === null || raw === "") return null;
  let text = raw;
  try {
    const value: unknown = JSON.parse(raw);
    // A detail that is one string (writeAudit stores it JSON-quoted) reads as that string.
    text = typeof value === "string" ? value : JSON.stringify(value, null, 2);
  } catch {
    // Not JSON (a hand-written row): shown as stored.
  }
  const chars = [...text];
  return chars.length > max ? { text: chars.slice(0, max).join(""), truncated: true } : { text, truncated: false };
}

/**
 * One CSV field. A cell starting with = + - @ (or a tab / carriage return) is taken
 * for a formula by Excel and WPS, and detail text comes from users: such a cell gets
 * a leading apostrophe (OWASP "CSV injection").
 *
 * @example csvField('=HYPERLINK("x")') // → "\"'=HYPERLINK(\"\"x\"\")\""
 */
export function csvField(value: string | number | null): string {
  if (value === null) return "";
  let s = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n']/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV document Excel opens as UTF-8 (byte-order mark, CRLF line ends). */
export function toCsv(rows: readonly (readonly (string | number | null)[])[]): string {
  return `\uFEFF${rows.map((r) => r.map(csvField).join(",")).join("\r\n")}\r\n`;
}
