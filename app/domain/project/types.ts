/** Shared by the schema, the services and the UI (plain module: safe in the browser bundle). */
export const PROJECT_STATUSES = ["preparing", "active", "started", "completed", "suspended", "withdrawn"] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

export const PROJECT_STATUS_LABELS: Record<ProjectStatus, string> = {
  preparing: "前期准备",
  active: "审批推进中",
  started: "已开工",
  completed: "已竣工",
  suspended: "暂缓",
  withdrawn: "已撤销",
};

/** Closed projects leave the active lists (and their clocks stop) but stay searchable. */
export const CLOSED_PROJECT_STATUSES: readonly ProjectStatus[] = ["started", "completed", "withdrawn"];
export const isClosedProject = (status: ProjectStatus): boolean => CLOSED_PROJECT_STATUSES.includes(status);

/** How a project is closed by hand: 开工 recorded, or withdrawn (the enterprise gave it up). */
export const PROJECT_CLOSE_OUTCOMES = ["started", "withdrawn"] as const;
export type ProjectCloseOutcome = (typeof PROJECT_CLOSE_OUTCOMES)[number];
export const PROJECT_CLOSE_LABELS: Record<ProjectCloseOutcome, string> = { started: "已开工", withdrawn: "项目撤销" };

export const PROJECT_LEVELS = ["province", "city", "county"] as const;
export const PROJECT_LEVEL_LABELS: Record<(typeof PROJECT_LEVELS)[number], string> = {
  province: "省重点",
  city: "市重点",
  county: "县重点",
};
