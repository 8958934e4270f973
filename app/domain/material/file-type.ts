/**
 * What a file's bytes say it is (issue 14: uploads are checked by content, not by
 * the name or the type the browser claims). Pure: the material uploads, the message
 * attachments, the 督办 evidence and the ledger import share this one rule.
 */

/** The content families of the allowed upload types, by their leading bytes ("magic numbers"). */
export type ContentKind = "pdf" | "jpeg" | "png" | "ole2" | "zip";

const SIGNATURES: Record<ContentKind, number[]> = {
  pdf: [0x25, 0x50, 0x44, 0x46, 0x2d], // %PDF-
  jpeg: [0xff, 0xd8, 0xff],
  png: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  // Compound File Binary (OLE2): .doc and .xls of Office 97–2003 and WPS.
  ole2: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
  // A local file header: .zip, and the zip containers .docx, .xlsx and .ofd.
  zip: [0x50, 0x4b, 0x03, 0x04],
};

interface Expected {
  kind: ContentKind;
  label: string;
  /** For zip containers: the entries a real file of this type holds. */
  entries?: (names: string[]) => boolean;
}

const ooxml = (part: string) => (names: string[]) => names.includes("[Content_Types].xml") && names.some((n) => n.startsWith(part));

/** Per allowed extension, the content its bytes must have (keys match upload-rules' allowlist). */
const EXPECTED: Record<string, Expected> = {
  pdf: { kind: "pdf", label: "PDF" },
  jpg: { kind: "jpeg", label: "JPG" },
  jpeg: { kind: "jpeg", label: "JPG" },
  png: { kind: "png", label: "PNG" },
  doc: { kind: "ole2", label: "Word（.doc）" },
  xls: { kind: "ole2", label: "Excel（.xls）" },
  docx: { kind: "zip", label: "Word（.docx）", entries: ooxml("word/") },
  xlsx: { kind: "zip", label: "Excel（.xlsx）", entries: ooxml("xl/") },
  zip: { kind: "zip", label: "ZIP" },
  ofd: { kind: "zip", label: "OFD" },
};

function startsWith(bytes: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (bytes.byteLength < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (bytes[at + i] !== sig[i]) return false;
  return true;
}

/** The content family of `bytes` by its leading bytes, or null for none of the allowed ones. */
export function sniffContent(bytes: Uint8Array): ContentKind | null {
  for (const [kind, sig] of Object.entries(SIGNATURES) as [ContentKind, number[]][]) if (startsWith(bytes, sig)) return kind;
  return null;
}

const MARKUP_AT_START = /^(?:\xef\xbb\xbf|\xfe\xff|\xff\xfe)?[\s\0]*</;
// Tags a browser would run or render, anywhere near the start (content sniffers look at the first bytes).
// Kept to tags no PDF or image header holds by chance (a PDF's hex strings look like `<a1b2>`).
const ACTIVE_TAGS = /<(?:script|html|head|body|svg|iframe|object|embed)[\s/>]|<!doctype\s+html/i;

/**
 * Web content whatever the name: markup (HTML, SVG, XML) or a script. No allowed type
 * starts with `<`, and HTML tags in the first kilobyte make a polyglot a browser
 * could be talked into rendering, so both are refused.
 */
export function isActiveContent(bytes: Uint8Array): boolean {
  const head = latin1(bytes.subarray(0, 1024));
  if (MARKUP_AT_START.test(head) || head.startsWith("#!")) return true;
  const start = sniffContent(bytes);
  // A real PDF's own dictionaries use `<<`; binary bodies only matter when they carry tags.
  const probe = start === "zip" || start === "ole2" ? "" : head;
  return ACTIVE_TAGS.test(probe.replace(/\0/g, ""));
}

function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.byteLength; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

const u16 = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8);
const u32 = (b: Uint8Array, at: number) => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) + b[at + 3] * 0x1000000;

/**
 * The entry names in a zip's central directory (found through the end-of-central-directory
 * record in the file's last 64 KiB), or null when there is no readable directory.
 */
export function zipEntryNames(bytes: Uint8Array): string[] | null {
  const len = bytes.byteLength;
  let eocd = -1;
  for (let i = len - 22; i >= Math.max(0, len - 22 - 0xffff); i--) {
    if (bytes[i] === 0x50 && bytes[i + 1] === 0x4b && bytes[i + 2] === 0x05 && bytes[i + 3] === 0x06) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const count = u16(bytes, eocd + 10);
  let at = u32(bytes, eocd + 16);
  const names: string[] = [];
  for (let n = 0; n < count; n++) {
    if (at + 46 > eocd || !startsWith(bytes, [0x50, 0x4b, 0x01, 0x02], at)) return null;
    const nameLength = u16(bytes, at + 28);
    const next = at + 46 + nameLength + u16(bytes, at + 30) + u16(bytes, at + 32);
    if (next > eocd) return null;
    names.push(new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength)));
    at = next;
  }
  return names;
}

export type ContentCheck = { ok: true } | { ok: false; message: string };

/**
 * Whether `bytes` are a real file of type `ext` (an allowed extension, lower case, no dot).
 *
 * @example checkFileContent("pdf", new TextEncoder().encode("<html>…")) // { ok: false, message: "文件内容是网页或脚本…" }
 */
export function checkFileContent(ext: string, bytes: Uint8Array): ContentCheck {
  const expected = EXPECTED[ext];
  if (!expected) return { ok: false, message: `不支持的文件类型「.${ext}」` };
  const real = `请上传真实的 ${expected.label} 文件`;
  if (bytes.byteLength === 0) return { ok: false, message: "文件内容为空，请重新选择" };
  if (isActiveContent(bytes)) return { ok: false, message: `文件内容是网页或脚本（HTML/SVG/XML/JavaScript），与扩展名 .${ext} 不符，${real}` };
  if (sniffContent(bytes) !== expected.kind) return { ok: false, message: `文件内容与扩展名 .${ext} 不符，${real}` };
  if (expected.entries) {
    const names = zipEntryNames(bytes);
    if (!names || !expected.entries(names)) return { ok: false, message: `文件内容与扩展名 .${ext} 不符（不是有效的 ${expected.label} 文档），${real}` };
  }
  return { ok: true };
}
