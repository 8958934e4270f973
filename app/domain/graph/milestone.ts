/**
 * The 开工 milestone (DESIGN §4, §5): the item of kind `milestone` named 开工,
 * whatever its key — provincial platforms send their own keys ("start",
 * "kaigong", "KG-01"…). At most one per template; a project without one has the
 * latest sink stand in for it. The 倒排 schedule plans back from it.
 *
 * Pure and dependency-free, so the schedule, the template validator and the
 * services can all ask the same question the same way.
 */

/** The name that makes a milestone the 开工 milestone. */
export const START_NAME = "开工";

/** The fields that identify the 开工 milestone; any item record with them will do. */
export interface MilestoneCandidate {
  key: string;
  kind: string;
  name: string;
}

/**
 * Whether `item` is the 开工 milestone: kind `milestone` and name 开工 (surrounding
 * spaces ignored, as the template schema trims names). A milestone named 竣工, or an
 * approval named 开工, is not. Takes raw JSON records too: the template validator
 * asks it before the schema has typed anything.
 *
 * @example
 * isStartMilestone({ key: "kaigong", kind: "milestone", name: "开工" }); // true
 * isStartMilestone({ key: "start", kind: "milestone", name: "竣工" });   // false
 */
export function isStartMilestone(item: { kind?: unknown; name?: unknown }): boolean {
  return item.kind === "milestone" && typeof item.name === "string" && item.name.trim() === START_NAME;
}

/**
 * Key of the 开工 milestone among `items`, or null when there is none (callers then
 * fall back to the latest sink). Templates allow at most one; should a project's
 * items hold two anyway, the first listed wins, so the answer is stable.
 *
 * @example
 * findStartKey([
 *   { key: "filing", kind: "approval", name: "企业投资项目备案" },
 *   { key: "kaigong", kind: "milestone", name: "开工" },
 * ]); // "kaigong"
 * findStartKey([{ key: "done", kind: "milestone", name: "竣工" }]); // null
 */
export function findStartKey(items: readonly MilestoneCandidate[]): string | null {
  for (const item of items) if (isStartMilestone(item)) return item.key;
  return null;
}
