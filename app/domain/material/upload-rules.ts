/**
 * What may be uploaded as a project material (DESIGN §8: uploads have size and
 * type limits): the allowed types, the size cap, and the check of one file.
 * Pure, so the services, the forms' `accept` hints and the tests share one rule.
 */
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

/** The name as shown and downloaded: no path parts, no control characters, bounded length, extension kept. */
export function cleanFileName(raw: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this strips from user-supplied names
  const base = (raw.split(/[\\/]/).pop() ?? "").replace(/[\u0000-\u001f\u007f"]/g, "").trim();
  if (base.length <= 120) return base;
  const dot = base.lastIndexOf(".");
  const ext = dot > 0 && base.length - dot <= 10 ? base.slice(dot) : "";
  return base.slice(0, 120 - ext.length) + ext;
}

/**
 * Validates name, declared type and size of an upload; on success returns the
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
  return { ok: true, name, mime: type.mime };
}
