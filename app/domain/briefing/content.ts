import type { RankedDepartment } from "../dashboard/ranking";
import { PROJECT_LEVEL_LABELS } from "../project/types";
import type { BriefingKind } from "./schedule";

/**
 * What a 通报 says, as stored in `briefings.body` at generation time: a past
 * briefing is a record of what was reported then, so the page and the Excel
 * file are rendered from this document and never recomputed.
 */
export interface BriefingBody {
  version: 1;
  kind: BriefingKind;
  periodFrom: string;
  periodTo: string;
  periodLabel: string;
  /** The day the figures hold for (`YYYY-MM-DD`) and the instant they were taken. */
  asOf: string;
  generatedAt: number;
  /** Projects whose stored figures were still a day old when the briefing was taken. */
  staleProjects: number;
  headline: BriefingHeadline;
  /** The months the ranking sums (the stored figures are per month), and a note saying so for a week. */
  rankingPeriod: { from: string; to: string };
  rankingLabel: string;
  rankingNote: string | null;
  ranking: RankedDepartment[];
  overdue: { total: number; rows: BriefingOverdueRow[] };
  started: BriefingStartedRow[];
  supervised: { total: number; rows: BriefingSupervisedRow[] };
}

export interface BriefingHeadline {
  /** Projects in progress (status active). */
  projects: number;
  atRisk: number;
  stalled: number;
  overdueItems: number;
  supervisedItems: number;
  openActionItems: number;
  /** Projects that started construction within the period. */
  startedInPeriod: number;
}

export interface BriefingOverdueRow {
  projectId: number;
  projectName: string;
  itemKey: string;
  itemName: string;
  department: string | null;
  dueOn: string | null;
  overdueWorkingDays: number;
  proxies: string[];
}

export interface BriefingStartedRow {
  projectId: number;
  projectName: string;
  enterprise: string;
  level: string;
  industry: string;
  signedOn: string;
  startedOn: string;
  signedToStartDays: number | null;
  signedToStartWorkingDays: number | null;
}

export interface BriefingSupervisedRow {
  projectId: number;
  projectName: string;
  /** Null for a 督办 on the whole project. */
  itemKey: string | null;
  itemName: string | null;
  department: string | null;
  dueOn: string | null;
  overdueWorkingDays: number;
  /** How it is supervised, in words: 超期督办 / 领导督办 (the ladder fired) and the 督办单 issued. */
  how: string;
}

/** Most rows a list of the briefing holds; the total is kept beside it. */
export const BRIEFING_LIST_CAP = 200;

export const HEADLINE_LABELS: Record<keyof BriefingHeadline, string> = {
  projects: "在推进项目",
  atRisk: "开工目标有风险",
  stalled: "停滞项目",
  overdueItems: "超期事项",
  supervisedItems: "督办中事项",
  openActionItems: "未办结督办任务",
  startedInPeriod: "本期新开工项目",
};

/** The sheet names of the .xlsx, in order; the printable page uses the same section titles. */
export const BRIEFING_SHEETS = ["概况", "部门排名", "超期事项", "新开工项目", "督办事项"] as const;

export function projectLevelLabel(level: string): string {
  return (PROJECT_LEVEL_LABELS as Record<string, string>)[level] ?? level;
}

/** 0.857 → "85.7%"; null → "—". */
export function percent(rate: number | null): string {
  return rate === null ? "—" : `${Math.round(rate * 1000) / 10}%`;
}
