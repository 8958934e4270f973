/**
 * The columns of the 代办台账 workbook, defined once: the per-project export, the
 * city-wide export and the import all read these lists, so what we write is exactly
 * what we read back (README "Excel ledger import").
 *
 * Pure: header texts and their lookup, no exceljs.
 */

/** The item columns of a project's ledger (sheet 审批事项), in the order the exports write them. */
export const LEDGER_ITEM_HEADERS = [
  "阶段",
  "事项",
  "类型",
  "部门",
  "法定时限",
  "承诺时限",
  "单位",
  "状态",
  "受理日期",
  "到期日",
  "剩余工作日",
  "预警",
  "办结日期",
  "总时差",
  "关键路径",
] as const;
export type LedgerItemHeader = (typeof LEDGER_ITEM_HEADERS)[number];

/** Sheet names of the city-wide workbook (export and import). */
export const PROJECT_SHEET = "项目台账";
export const ITEM_SHEET = "审批事项";

/** One row per project in sheet 项目台账. */
export const LEDGER_PROJECT_HEADERS = [
  "项目代码",
  "项目名称",
  "建设单位",
  "统一社会信用代码",
  "投资额（万元）",
  "所属行业",
  "建设地点",
  "项目级别",
  "模板",
  "签约日期",
  "计划开工日期",
  "代办员",
  "项目状态",
] as const;
export type LedgerProjectHeader = (typeof LEDGER_PROJECT_HEADERS)[number];

/** Sheet 审批事项 of the city-wide workbook: the project's code, then the per-project columns. */
export const LEDGER_CITY_ITEM_HEADERS = ["项目代码", ...LEDGER_ITEM_HEADERS] as const;
export type LedgerCityItemHeader = (typeof LEDGER_CITY_ITEM_HEADERS)[number];

/** Columns the import cannot do without: what creating a project needs. The others may be absent. */
export const REQUIRED_PROJECT_HEADERS: readonly LedgerProjectHeader[] = [
  "项目代码",
  "项目名称",
  "建设单位",
  "统一社会信用代码",
  "模板",
  "签约日期",
  "计划开工日期",
];

/** The columns of sheet 审批事项 the import reads; every other column is ignored. */
export const READ_ITEM_HEADERS = ["项目代码", "事项", "部门", "状态", "受理日期", "办结日期"] as const satisfies readonly LedgerCityItemHeader[];
export const REQUIRED_ITEM_HEADERS: readonly LedgerCityItemHeader[] = ["项目代码", "事项", "状态"];

/** Date columns: written as Excel date cells by the exports. */
export const LEDGER_DATE_HEADERS: ReadonlySet<string> = new Set(["签约日期", "计划开工日期", "受理日期", "到期日", "办结日期"]);

/**
 * A header cell as people type it: surrounding and inner spaces dropped, ASCII
 * parentheses read as the full-width ones the export writes (投资额(万元)).
 *
 * @example normalizeHeader(" 投资额 (万元) ") // → "投资额（万元）"
 */
export function normalizeHeader(text: string): string {
  return text.replace(/\s+/g, "").replace(/\(/g, "（").replace(/\)/g, "）");
}

/**
 * Where each wanted header is in a header row (0-based positions), and which
 * required ones are missing. The first occurrence of a repeated header wins.
 *
 * @example locateHeaders(["项目代码", "事项"], ["项目代码", "事项", "状态"], ["项目代码", "状态"])
 * // → { columns: Map { "项目代码" → 0, "事项" → 1 }, missing: ["状态"] }
 */
export function locateHeaders<H extends string>(
  row: readonly string[],
  wanted: readonly H[],
  required: readonly H[],
): { columns: Map<H, number>; missing: H[] } {
  const byText = new Map<string, number>();
  row.forEach((text, i) => {
    const key = normalizeHeader(text);
    if (key && !byText.has(key)) byText.set(key, i);
  });
  const columns = new Map<H, number>();
  for (const h of wanted) {
    const at = byText.get(normalizeHeader(h));
    if (at !== undefined) columns.set(h, at);
  }
  return { columns, missing: required.filter((h) => !columns.has(h)) };
}
