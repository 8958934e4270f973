/**
 * The lists behind the dashboard's numbers (issue 13): their names in the query
 * (`/dashboard/list?list=…`) and their titles. A plain module so that the pages
 * (browser bundle) and the service that fills the lists share one vocabulary.
 */
export const PROJECT_LISTS = ["active", "attention", "atRisk", "stalled", "started", "status"] as const;
export const ITEM_LISTS = ["activeItems", "yellowItems", "overdueItems", "supervisedItems", "pausedItems"] as const;
export type DrillList = (typeof PROJECT_LISTS)[number] | (typeof ITEM_LISTS)[number];

export const DRILL_LABELS: Record<DrillList, string> = {
  active: "在推进项目",
  attention: "需要关注的项目",
  atRisk: "开工目标有风险的项目",
  stalled: "停滞项目",
  started: "已开工项目",
  status: "项目",
  activeItems: "在办事项",
  yellowItems: "临近时限（预警）事项",
  overdueItems: "超期事项",
  supervisedItems: "督办中事项",
  pausedItems: "暂停计时事项",
};

/** The dashboard's filter fields, in the order of the filter bar (and of the query string). */
export const DASHBOARD_FILTER_KEYS = ["level", "industry", "region", "proxy"] as const;
export type DashboardFilterValues = Record<(typeof DASHBOARD_FILTER_KEYS)[number], string>;

/**
 * The query string of a dashboard page for `filter` plus `extra` (blank values
 * dropped), so every number links to its list with the same filters.
 *
 * @example dashboardQuery({ level: "city", industry: "", region: "", proxy: "" }, { list: "stalled" }) // "list=stalled&level=city"
 */
export function dashboardQuery(filter: Partial<DashboardFilterValues>, extra: Record<string, string | number | null | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(extra)) if (v !== null && v !== undefined && v !== "") q.set(k, String(v));
  for (const k of DASHBOARD_FILTER_KEYS) if (filter[k]) q.set(k, filter[k]!);
  return q.toString();
}

/** `/dashboard/list?list=…&<filters>`: the list behind one number. */
export function drillHref(list: DrillList, filter: Partial<DashboardFilterValues> = {}, extra: Record<string, string | number | null | undefined> = {}): string {
  return `/dashboard/list?${dashboardQuery(filter, { list, ...extra })}`;
}
