import type { DayNum, WorkingCalendar } from "../calendar";
import { warningFor, type Warning } from "../clock";

/**
 * Action items (会议纪要 tasks, a leader's 督办, a 差评 follow-up) are clocks
 * (DESIGN §4): `dueOn = addWorkingDays(start, n)` for a deadline of n working
 * days, or the date given; remaining days and warnings are the approvals' rules
 * applied to that dueOn, and the escalation ladder runs on it too.
 */

/** The longest deadline a decision may set in working days (about a year). */
export const MAX_ACTION_WORKING_DAYS = 250;

export type ActionDeadline = { dueInWorkingDays: number } | { dueOn: DayNum };

export type DeadlineProblem = { field: "dueInWorkingDays" | "dueOn"; message: string };

/**
 * The due date of an action item started on `start`, or what is wrong with the deadline.
 *
 * @example actionItemDueOn(toDay("2026-09-29"), { dueInWorkingDays: 2 }, cal) // → 2026-10-08 (09-30, then 国庆 10-01..07 skipped)
 */
export function actionItemDueOn(start: DayNum, deadline: ActionDeadline, cal: WorkingCalendar): { dueOn: DayNum } | { problem: DeadlineProblem } {
  if ("dueInWorkingDays" in deadline) {
    const n = deadline.dueInWorkingDays;
    if (!Number.isInteger(n) || n < 1) return { problem: { field: "dueInWorkingDays", message: "完成时限应为至少 1 个工作日" } };
    if (n > MAX_ACTION_WORKING_DAYS) return { problem: { field: "dueInWorkingDays", message: `完成时限不超过 ${MAX_ACTION_WORKING_DAYS} 个工作日` } };
    return { dueOn: cal.addWorkingDays(start, n) };
  }
  if (deadline.dueOn <= start) return { problem: { field: "dueOn", message: "完成日期应晚于起算日（会议、督办或评价之日）" } };
  return { dueOn: deadline.dueOn };
}

export interface ActionClockReading {
  remainingWorkingDays: number | null;
  warning: Warning;
  /** Closed on or before dueOn (DESIGN §4); null while open. */
  onTime: boolean | null;
}

/** The countdown of an action item as of `asOf`: open ones count down like a running approval; closed ones stop. */
export function readActionClock(
  item: { status: "open" | "closed" | "cancelled"; dueOn: DayNum; closedOn: DayNum | null },
  asOf: DayNum,
  cal: WorkingCalendar,
  yellowLead: number,
): ActionClockReading {
  if (item.status !== "open") {
    return { remainingWorkingDays: null, warning: "none", onTime: item.status === "closed" && item.closedOn !== null ? item.closedOn <= item.dueOn : null };
  }
  const remaining = cal.workingDaysBetween(asOf, item.dueOn);
  return { remainingWorkingDays: remaining, warning: warningFor(remaining, asOf > item.dueOn, yellowLead), onTime: null };
}
