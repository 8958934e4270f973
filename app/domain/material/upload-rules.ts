/**
 * What may be uploaded as a project material (DESIGN §8: uploads have size and
 * type limits): the allowed types, the size cap, and the check of one file.
 * Pure, so the services, the forms' `accept` hints and the tests share one rule.
 */
import { checkFileContent } from "./file-type";

export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

/**
 * Allowed extensions with their canonical MIME type and the MIME types browsers
 * and office suites (incl. WPS) actually send for them. The stored type is the
 * canonical one, so what we serve later never comes from the client.
 */
const FILE_TYPES: Record<string, { mime: string; accepts: string[] }> = {
  pdf: { mime: "application/pdf", accepts: ["application/pdf", "application/x-pdf"] },
  jpg: { mime: "image/jpeg", accepts: ["image/jpeg", "image/pjpeg", "image/jpg"] },
  jpeg: { mime: "image/jpeg", accepts: ["image/jpeg", "image/pjpeg", "image/jpg"] },
  png: { mime: "image/png", accepts: ["image/png", "image/x-png"] },
  doc: { mime: "application/msword", accepts: ["application/msword", "application/wps-office.doc", "application/kswps"] },
  docx: {
    mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    accepts: ["application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/wps-office.docx"],
  },
  xls: {
    mime: "application/vnd.ms-excel",
    accepts: ["application/vnd.ms-excel", "application/x-excel", "application/x-msexcel", "application/wps-office.xls", "application/kset"],
  },
  xlsx: {
    mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    accepts: ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/wps-office.xlsx"],
  },
  zip: { mime: "application/zip", accepts: ["application/zip", "application/x-zip-compressed", "application/x-zip", "multipart/x-zip"] },
  ofd: { mime: "application/ofd", accepts: ["application/ofd", "application/x-ofd"] },
};

/** Sent when the client does not know the type (common for .ofd and some office files); the extension decides then. */
const GENERIC_MIME = new Set(["", "application/octet-stream", "binary/octet-stream"]);

export const ALLOWED_EXTENSIONS = Object.keys(FILE_TYPES);
/** For `<input accept>`: a hint to the browser only; the service re-checks. */
export const UPLOAD_ACCEPT = ALLOWED_EXTENSIONS.map((e) => `.${e}`).join(",");
const TYPES_TEXT = "PDF、JPG、PNG、Word（doc/docx）、Excel（xls/xlsx）、ZIP、OFD";

export interface UploadFile {
  name: string;
  type: string;
  bytes: Uint8Array;
}

/**
 * Characters a file name must not carry: control characters (CR/LF would split a header),
 * quotes, and the invisible bidirectional and zero-width marks that disguise an extension
 * ("发票\u202Efdp.exe" shows as "发票exe.pdf").
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this strips from user-supplied names
const UNSAFE_NAME_CHARS = /[\u0000-\u001f\u007f-\u009f"\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** The name as shown and downloaded: no path parts, no control or invisible characters, bounded length, extension kept. */
export function cleanFileName(raw: string): string {
  const base = (raw.split(/[\\/]/).pop() ?? "").replace(UNSAFE_NAME_CHARS, "").trim();
  if (base.length <= 120) return base;
  const dot = base.lastIndexOf(".");
  const ext = dot > 0 && base.length - dot <= 10 ? base.slice(dot) : "";
  return base.slice(0, 120 - ext.length) + ext;
}

/**
 * A name fit for a download header: path separators become "_" (a generated name like
 * "甲/乙项目-代办台账.xlsx" keeps both parts), control, quote and invisible characters
 * go, and it is at most 150 characters with its extension kept. Empty when nothing is left.
 */
export function downloadName(raw: string): string {
  const name = raw.replace(/[\\/]/g, "_").replace(UNSAFE_NAME_CHARS, "").trim();
  if (name.length <= 150) return name;
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : "";
  return name.slice(0, 150 - ext.length) + ext;
}

const CANONICAL_MIMES = new Set(Object.values(FILE_TYPES).map((t) => t.mime));

/** The Content-Type a stored upload is served with: its canonical type, or opaque bytes for anything else. */
export function servedMimeType(stored: string): string {
  return CANONICAL_MIMES.has(stored) ? stored : "application/octet-stream";
}

/** Types a browser would run or render as a page if shown inline; they are only ever downloaded. */
export const ACTIVE_EXTENSIONS = /\.(?:html?|xht(?:ml)?|shtml|svgz?|xml|xsl[t]?|js|mjs|css|swf|php|asp|jsp)$/i;

/**
 * Validates name, declared type, size and content (file-type.ts) of an upload; on success returns the
 * cleaned name and the canonical MIME type to store (never the client's).
 *
 * @example checkUpload({ name: "图纸.pdf", type: "text/html", bytes }) // { ok: false, message: "文件类型（text/html）与扩展名「.pdf」不符…" }
 */
export function checkUpload(file: UploadFile): { ok: true; name: string; mime: string } | { ok: false; message: string } {
  const name = cleanFileName(file.name ?? "");
  if (!name) return { ok: false, message: "请选择要上传的文件" };
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
  const type = FILE_TYPES[ext];
  if (!type) {
    return { ok: false, message: `不支持的文件类型${ext ? `「.${ext}」` : ""}，仅支持 ${TYPES_TEXT}` };
  }
  const sent = (file.type ?? "").split(";")[0].trim().toLowerCase();
  if (!GENERIC_MIME.has(sent) && !type.accepts.includes(sent)) {
    // A declared type that contradicts the extension is a disguised file (e.g. HTML named .pdf).
    return { ok: false, message: `文件类型（${sent}）与扩展名「.${ext}」不符，请上传真实的 ${ext.toUpperCase()} 文件` };
  }
  if (file.bytes.byteLength === 0) return { ok: false, message: "文件内容为空，请重新选择" };
  if (file.bytes.byteLength > MAX_UPLOAD_BYTES) {
    return { ok: false, message: `文件大小 ${(file.bytes.byteLength / 1024 / 1024).toFixed(1)} MB，超过 20 MB 上限` };
  }
  // The bytes decide, not the name or the claimed type: HTML named .pdf never gets stored.
  const content = checkFileContent(ext, file.bytes);
  if (!content.ok) return content;
  return { ok: true, name, mime: type.mime };
}
