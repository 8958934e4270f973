import type { DayNum, WorkingCalendar } from "../calendar";

/**
 * The escalation ladder (DESIGN §4): when each level fires for an item, who is
 * told, and when a message may be delivered. Pure: the services and the
 * worker pass in the calendar, the item's clock facts and "now".
 */
export const ESCALATION_LEVELS = ["yellow", "red", "supervise", "leader", "stall"] as const;
export type EscalationLevel = (typeof ESCALATION_LEVELS)[number];
export type ItemLevel = Exclude<EscalationLevel, "stall">;

export const LEVEL_LABELS: Record<EscalationLevel, string> = {
  yellow: "预警",
  red: "超期",
  supervise: "督办",
  leader: "领导督办",
  stall: "停滞",
};

export interface EscalationPolicy {
  /** Working days before the due date on which yellow fires (remaining = yellowLead). */
  yellowLead: number;
  /** Working days after the due date for each later level. */
  redAfter: number;
  superviseAfter: number;
  leaderAfter: number;
  /** Working days without progress after which an open project is stalled. */
  stallAfter: number;
  /** Wall-clock time (Asia/Shanghai) at which a level fires on its working day. */
  fireAt: { hour: number; minute: number };
  /** Delivery window on working days; messages outside it wait for the next working morning. */
  workStart: { hour: number; minute: number };
  workEnd: { hour: number; minute: number };
}

export const DEFAULT_POLICY: EscalationPolicy = {
  yellowLead: 1,
  redAfter: 1,
  superviseAfter: 3,
  leaderAfter: 10,
  stallAfter: 5,
  fireAt: { hour: 9, minute: 0 },
  workStart: { hour: 8, minute: 30 },
  workEnd: { hour: 18, minute: 0 },
};

/** Per-item overrides of the offsets (e.g. a fast-track item escalates sooner). */
export type ItemEscalationOverrides = Partial<Pick<EscalationPolicy, "yellowLead" | "redAfter" | "superviseAfter" | "leaderAfter">>;

/**
 * An item's own offsets as stored on its row: the yellow lead (template or
 * administrator) in its own column, the later levels as a JSON object. Null
 * and absent mean "the deployment's ladder".
 *
 * @example itemOverrides({ yellowLead: 3, escalationOverrides: '{"redAfter":2}' }) // → { redAfter: 2, yellowLead: 3 }
 */
export function itemOverrides(row: { yellowLead: number | null; escalationOverrides: string | null }): ItemEscalationOverrides {
  const extra = row.escalationOverrides ? (JSON.parse(row.escalationOverrides) as ItemEscalationOverrides) : {};
  return row.yellowLead === null ? extra : { ...extra, yellowLead: row.yellowLead };
}

const MS_DAY = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** The UTC instant of a Shanghai wall-clock time on a business date. */
export function instantOf(day: DayNum, time: { hour: number; minute: number }): number {
  return day * MS_DAY + (time.hour * 60 + time.minute) * 60_000 - SHANGHAI_OFFSET_MS;
}

export interface PlannedEscalation {
  level: EscalationLevel;
  /** The due date the level is counted from (the item's due date, or the stall's last progress date). */
  dueOn: DayNum;
  fireOn: DayNum;
  fireAt: number;
  /** Unique per item (or project), level and due date: the row key that makes firing exactly-once. */
  dedupeKey: string;
}

/**
 * The ladder for one running item with a due date. A paused or finished item
 * plans nothing: its clock is frozen or stopped, so nothing may fire.
 *
 * Yellow never fires before the item was accepted (a same-day 承诺制 item would
 * otherwise warn about a deadline nobody had yet).
 *
 * @example planItemEscalations(12, toDay("2026-10-12"), toDay("2026-09-30"), cal, DEFAULT_POLICY)
 * // yellow 2026-10-10 (make-up Saturday, 1 working day left), red 10-13, supervise 10-15, leader 10-26
 */
export function planItemEscalations(
  itemId: number,
  dueOn: DayNum,
  acceptedOn: DayNum,
  cal: WorkingCalendar,
  policy: EscalationPolicy,
  overrides: ItemEscalationOverrides = {},
): PlannedEscalation[] {
  return planClockEscalations(`item-${itemId}`, dueOn, acceptedOn, cal, policy, overrides);
}

/**
 * The same ladder for an action item (会议纪要 task, 督办, 差评整改: DESIGN §4), counted
 * from the day it was set (meeting, supervision or rating) to its due date.
 */
export function planActionItemEscalations(
  actionItemId: number,
  dueOn: DayNum,
  startOn: DayNum,
  cal: WorkingCalendar,
  policy: EscalationPolicy,
  /** The day the item was recorded: minutes written after the due date make a 预警 ("n days left") untrue, so none is planned. */
  recordedOn: DayNum = startOn,
): PlannedEscalation[] {
  const plan = planClockEscalations(`action-${actionItemId}`, dueOn, startOn, cal, policy, {});
  return recordedOn > dueOn ? plan.filter((p) => p.level !== "yellow") : plan;
}

/** The ladder for any clock: `subject` keys the rows (one per subject, level and due date). */
function planClockEscalations(
  subject: string,
  dueOn: DayNum,
  acceptedOn: DayNum,
  cal: WorkingCalendar,
  policy: EscalationPolicy,
  overrides: ItemEscalationOverrides,
): PlannedEscalation[] {
  const p = { ...policy, ...stripUndefined(overrides) };
  const at = (level: ItemLevel, fireOn: DayNum): PlannedEscalation => ({
    level,
    dueOn,
    fireOn,
    fireAt: instantOf(fireOn, p.fireAt),
    dedupeKey: `${subject}-${level}-${cal.format(dueOn)}`,
  });
  // Yellow fires on the working day where remaining = yellowLead; with lead 0 that is the due date itself.
  return [
    at("yellow", Math.max(acceptedOn, cal.addWorkingDays(cal.lastWorkingDayOnOrBefore(dueOn), -p.yellowLead))),
    at("red", cal.addWorkingDays(dueOn, p.redAfter)),
    at("supervise", cal.addWorkingDays(dueOn, p.superviseAfter)),
    at("leader", cal.addWorkingDays(dueOn, p.leaderAfter)),
  ];
}

export type Audience = "handler" | "departmentStaff" | "departmentLeader" | "proxy" | "coordinator" | "leader";

/** Who is told at each level (DESIGN §4): each level adds to the previous ones' audience. */
export function audienceOf(level: EscalationLevel): Audience[] {
  switch (level) {
    case "yellow":
      return ["handler", "departmentStaff", "proxy"];
    case "red":
      return ["handler", "departmentStaff", "proxy", "departmentLeader", "coordinator"];
    case "supervise":
      return ["departmentLeader", "proxy", "coordinator"];
    case "leader":
      return ["departmentLeader", "coordinator", "leader"];
    case "stall":
      return ["proxy", "coordinator"];
  }
}

/**
 * When a message created at `now` may be delivered: at once inside working
 * hours on a working day, otherwise at the start of the next working morning.
 */
export function deliveryInstant(now: number, cal: WorkingCalendar, policy: EscalationPolicy): number {
  const local = now + SHANGHAI_OFFSET_MS;
  const day = Math.floor(local / MS_DAY);
  const start = instantOf(day, policy.workStart);
  const end = instantOf(day, policy.workEnd);
  if (cal.isWorkingDay(day)) {
    if (now < start) return start;
    if (now < end) return now;
  }
  return instantOf(cal.addWorkingDays(day, 1), policy.workStart);
}

/** Retry delay for a failed e-mail: 1, 2, 4 … minutes, at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60, 2 ** Math.max(0, attempts - 1)) * 60_000;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}
