/**
 * The words an approval item is described with: its kind, the unit of its limits,
 * and its stage. Each is one `as const` tuple, its type and its Chinese label; the
 * database schema, the template validator, the services, exports and components
 * all import them from here, so a value added here is added everywhere.
 */

/** approval 行政审批 | intermediary 中介服务 | owner 业主自办 | milestone 节点（开工等）. */
export const ITEM_KINDS = ["approval", "intermediary", "owner", "milestone"] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];
export const ITEM_KIND_LABELS: Readonly<Record<ItemKind, string>> = {
  approval: "审批",
  intermediary: "中介服务",
  owner: "业主自办",
  milestone: "里程碑",
};

/** Unit of the statutory/promised limits: 工作日, or 日 for laws that say 日 without 工作日. */
export const LIMIT_UNITS = ["workingDays", "calendarDays"] as const;
export type LimitUnit = (typeof LIMIT_UNITS)[number];
export const LIMIT_UNIT_LABELS: Readonly<Record<LimitUnit, string>> = {
  workingDays: "工作日",
  calendarDays: "自然日",
};

/** The four stages of the national reform of construction-project approval (工程建设项目审批制度改革). */
export const STAGES = [1, 2, 3, 4] as const;
export type Stage = (typeof STAGES)[number];
export const STAGE_LABELS: Readonly<Record<Stage, string>> = {
  1: "立项用地规划许可",
  2: "工程建设许可",
  3: "施工许可",
  4: "竣工验收",
};

/** The label of a stage number read from storage, where the column is a plain integer. */
export function stageLabel(stage: number | null | undefined): string {
  return stage && stage in STAGE_LABELS ? STAGE_LABELS[stage as Stage] : "";
}
