/** Input and output shapes of the schedule (DESIGN §4, §6). */
import type { DayNum } from "~/domain/calendar";
import type { ClockSpec, ClockState, ItemKind, ItemStatus, Warning } from "~/domain/clock";

export interface ScheduleItemInput {
  key: string;
  name: string;
  department: string | null;
  kind: ItemKind;
  stage: number;
  spec: ClockSpec;
  state: ClockState;
}

export interface ScheduleEdgeInput {
  from: string;
  to: string;
  lagWorkingDays: number;
}

export interface ScheduleInput {
  items: ScheduleItemInput[];
  edges: ScheduleEdgeInput[];
  /** The project's 开工 target. */
  targetStartOn: DayNum;
  /**
   * Key of the 开工 milestone. Default: the item of kind milestone named 开工, whatever
   * its key (`findStartKey`); without one the latest sink stands in.
   */
  startKey?: string;
}

export interface ScheduledItem {
  key: string;
  name: string;
  department: string | null;
  kind: ItemKind;
  status: ItemStatus;
  /** Planned duration in working days (a calendar-day limit converted at the item's ES). */
  duration: number;
  earliestStart: DayNum;
  earliestFinish: DayNum;
  /** Null for finished items (已办结/免办): they have no latest dates or slack. */
  latestStart: DayNum | null;
  latestFinish: DayNum | null;
  totalSlack: number | null;
  critical: boolean;
  /** 可报件: not started (or to be refiled) and every prerequisite is finished. */
  ready: boolean;
  acceptedOn: DayNum | null;
  dueOn: DayNum | null;
  remainingWorkingDays: number | null;
  warning: Warning;
  paused: boolean;
}

export interface Schedule {
  asOf: DayNum;
  targetStartOn: DayNum;
  forecastStartOn: DayNum;
  atRisk: boolean;
  criticalPath: string[];
  provisional: boolean;
  items: ScheduledItem[];
}

/** Schedule JSON of `GET /api/v1/projects/:id/schedule` (DESIGN §6). */
export interface SerializedScheduledItem {
  key: string;
  name: string;
  department: string | null;
  kind: ItemKind;
  status: ItemStatus;
  duration: number;
  earliestStart: string;
  earliestFinish: string;
  latestStart: string | null;
  latestFinish: string | null;
  totalSlack: number | null;
  critical: boolean;
  acceptedOn: string | null;
  dueOn: string | null;
  remainingWorkingDays: number | null;
  warning: Warning;
}

export interface SerializedSchedule {
  asOf: string;
  targetStartOn: string;
  forecastStartOn: string;
  atRisk: boolean;
  criticalPath: string[];
  provisional: boolean;
  items: SerializedScheduledItem[];
}
