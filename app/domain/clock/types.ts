/**
 * Vocabulary of the approval clock (审批时钟): item kinds, statuses, events and
 * the clock state that is derived by replaying an item's append-only events.
 * The `as const` tuples are shared with the database schema and the API
 * validation, so a value added here is added everywhere.
 */
import type { DayNum } from "~/domain/calendar";

import type { ItemKind, LimitUnit } from "~/domain/item/vocabulary";

export { ITEM_KINDS, LIMIT_UNITS, type ItemKind, type LimitUnit } from "~/domain/item/vocabulary";

export const ITEM_STATUSES = [
  "pending",
  "submitted",
  "running",
  "correction",
  "special",
  "suspended",
  "approved",
  "rejected",
  "waived",
  "withdrawn",
] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

export const CLOCK_EVENT_TYPES = [
  "submit",
  "accept",
  "request_correction",
  "receive_correction",
  "start_special",
  "end_special",
  "suspend",
  "resume",
  "approve",
  "reject",
  "waive",
  "withdraw",
  "supply_deferred",
] as const;
export type ClockEventType = (typeof CLOCK_EVENT_TYPES)[number];

export type Warning = "none" | "yellow" | "red";

/**
 * 行政许可法 §32: after an application (申报) the department has five days to accept it
 * or to tell the applicant, once and completely, what to correct; §82 counts the law's
 * periods in working days (不含法定节假日). Not configurable: it is the statute.
 */
export const ACCEPTANCE_WORKING_DAYS = 5;

/** "临期": due within this many working days (the officer's next-actions horizon). */
export const DUE_SOON_WORKING_DAYS = 2;

export const STATUS_LABELS: Record<ItemStatus, string> = {
  pending: "待办理",
  submitted: "待受理",
  running: "办理中",
  correction: "补正中",
  special: "特别程序",
  suspended: "中止",
  approved: "已办结",
  rejected: "不予许可",
  waived: "免办",
  withdrawn: "已撤回",
};

/** A milestone (开工 etc.) in status `approved` is shown as 已完成, not 已办结. */
export const MILESTONE_DONE_LABEL = "已完成";

/** The status as a person reads it: a finished milestone is 已完成, everything else its STATUS_LABELS entry. */
export function itemStatusLabel(status: ItemStatus, kind: ItemKind): string {
  return kind === "milestone" && status === "approved" ? MILESTONE_DONE_LABEL : STATUS_LABELS[status];
}

export const EVENT_LABELS: Record<ClockEventType, string> = {
  submit: "申报",
  accept: "受理",
  request_correction: "要求补正",
  receive_correction: "补正收到",
  start_special: "启动特别程序",
  end_special: "特别程序结束",
  suspend: "中止",
  resume: "恢复",
  approve: "办结(准予)",
  reject: "不予许可",
  waive: "免办",
  withdraw: "撤回",
  supply_deferred: "容缺材料补齐",
};

/** How a timeline names an `accept` the worker recorded because the department let §32's window pass. */
export const DEEMED_ACCEPT_LABEL = "受理（逾期视为受理）";

/**
 * The label of a recorded clock event: its EVENT_LABELS entry, or DEEMED_ACCEPT_LABEL for a
 * deemed acceptance. Unknown types (history written by a newer version) read as themselves.
 *
 * @example clockEventLabel("accept", true) // → "受理（逾期视为受理）"
 */
export function clockEventLabel(type: string, deemed = false): string {
  if (type === "accept" && deemed) return DEEMED_ACCEPT_LABEL;
  return (EVENT_LABELS as Record<string, string>)[type] ?? type;
}

/** The time-relevant part of an item's definition (from its template, editable per project). */
export interface ClockSpec {
  kind: ItemKind;
  /** 法定时限, in `limitUnit`. */
  statutoryLimit: number | null;
  /** 承诺时限, in `limitUnit`; the clock runs against it when present (alerts follow 承诺时限). */
  promisedLimit: number | null;
  /** Unit of statutoryLimit/promisedLimit. Only approvals use it; planned durations are working days. */
  limitUnit: LimitUnit;
  /** Planned duration in working days for intermediary (中介) and owner (业主自办) tasks. */
  plannedDuration: number | null;
  /** 补正后重新计算时限: after a correction is received on R the clock restarts from R. */
  correctionRestartsClock: boolean;
  /** Working days before the due date at which the item turns yellow; null = the global default. */
  yellowLead: number | null;
}

export interface ClockEvent {
  type: ClockEventType;
  /** The business date of the event (Asia/Shanghai). */
  on: DayNum;
  /** 容缺受理: materials accepted on a promise to supply them later (accept only). */
  deferredMaterials?: string[];
  /** 容缺受理: the date the enterprise promised to supply the deferred materials (accept only). */
  commitmentOn?: DayNum | null;
}

export type PauseKind = "correction" | "special" | "suspend";

/**
 * Derived clock state of one item. All dates are DayNums.
 *
 * - While `submitted` (申报, awaiting 受理) `submittedOn` is the date the application (or its
 *   complete correction) reached the department and `dueOn` is the acceptance deadline
 *   `addWorkingDays(submittedOn, ACCEPTANCE_WORKING_DAYS)`: the one date the item is due
 *   on then, so it is stored in the same column and queues and the deemed-acceptance
 *   sweep find it with the (status, due_on) index. `acceptedOn` stays null until 受理.
 * - `baseOn` is the date the limit counts from: the acceptance date, or the date a
 *   correction was received for a `correctionRestartsClock` item.
 * - `pausedDays` is the length of the closed pauses since `baseOn`, in the clock's unit
 *   (working days, or calendar days for a calendar-day approval).
 * - `dueOn` is null while a pause is open (the clock is frozen; use `readClock` for the
 *   projected due date) and while the item is pending.
 */
export interface ClockState {
  status: ItemStatus;
  /** Date of the application being answered (申报, or the complete 补正 before 受理); kept once accepted. */
  submittedOn: DayNum | null;
  acceptedOn: DayNum | null;
  baseOn: DayNum | null;
  pausedDays: number;
  pauseKind: PauseKind | null;
  pausedOn: DayNum | null;
  dueOn: DayNum | null;
  /** Working days left when the open pause started (negative if it was already overdue). */
  remainingAtPause: number | null;
  /** Date of approve / reject / waive / withdraw. */
  decidedOn: DayNum | null;
  lastEventOn: DayNum | null;
  deferredMaterials: string[];
  commitmentOn: DayNum | null;
  commitmentMetOn: DayNum | null;
}

export type ClockErrorCode = "illegal_transition" | "date_order" | "invalid_commitment";

export type ClockResult =
  | { ok: true; state: ClockState }
  | { ok: false; code: ClockErrorCode; message: string };

export interface ClockReading {
  /** The due date; while paused, the projection `addWorkingDays(asOf, remainingAtPause)`. */
  dueOn: DayNum | null;
  remainingWorkingDays: number | null;
  overdueWorkingDays: number;
  warning: Warning;
  paused: boolean;
  /** Warning of an open 容缺 commitment, independent of `warning`. */
  commitmentWarning: Warning;
  /**
   * Present only while the item awaits acceptance (`submitted`): the §32 deadline, which is
   * then also `dueOn`, and `remainingWorkingDays`/`warning` count down to it. Its presence
   * tells a reader that the countdown is the department's acceptance window, not the approval.
   */
  acceptanceDueOn?: DayNum;
}
