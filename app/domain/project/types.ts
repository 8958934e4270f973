/** Shared by the schema, the services and the UI (plain module: safe in the browser bundle). */
export const PROJECT_STATUSES = ["preparing", "active", "started", "completed", "suspended"] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

export const PROJECT_STATUS_LABELS: Record<ProjectStatus, string> = {
  preparing: "前期准备",
  active: "审批推进中",
  started: "已开工",
  completed: "已竣工",
  suspended: "暂缓",
};

export const PROJECT_LEVELS = ["province", "city", "county"] as const;
export const PROJECT_LEVEL_LABELS: Record<(typeof PROJECT_LEVELS)[number], string> = {
  province: "省重点",
  city: "市重点",
  county: "县重点",
};
