/**
 * 项目代码: the code the national investment-project online approval platform
 * (全国投资项目在线审批监管平台) gives every project, shaped
 * `YYYY-AAAAAA-II-TT-NNNNNN` (year, 6-digit region code, industry, type, serial).
 * Offices type it from the platform's receipt; a typo would make the ledger,
 * the import's matching and every later exchange with the platform disagree.
 */
const SHAPE = /^(\d{4})-(\d{6})-(\d{2})-(\d{2})-(\d{6})$/;

export type ProjectCodeProblem = "shape" | "year";

export const PROJECT_CODE_MESSAGES: Record<ProjectCodeProblem, string> = {
  shape: "项目代码格式应为 年份-6 位行政区划-2 位行业-2 位类型-6 位序号，例如 2026-330100-34-03-000123",
  year: "项目代码的年份不合理（应在 2000–2099 之间）",
};

/** Normalises what officers paste (full-width digits and dashes, spaces) before checking. */
export function normalizeProjectCode(raw: string): string {
  return raw
    .trim()
    .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[－—–]/g, "-")
    .replace(/\s+/g, "");
}

/**
 * @example checkProjectCode("2026-330100-34-03-000123") // → null
 * @example checkProjectCode("2026-3301-34-03-1")        // → "shape"
 */
export function checkProjectCode(code: string): ProjectCodeProblem | null {
  const m = SHAPE.exec(code);
  if (!m) return "shape";
  const year = Number(m[1]);
  return year < 2000 || year > 2099 ? "year" : null;
}

/** A code for a project the platform has not numbered yet; serial from the database's count. */
export function provisionalProjectCode(signedOn: string, serial: number): string {
  return `${signedOn.slice(0, 4)}-330100-34-03-${String(serial).padStart(6, "0")}`;
}
