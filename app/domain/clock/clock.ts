/**
 * The approval clock (DESIGN §4). Pure functions over integer day numbers:
 * the state is derived by replaying an item's append-only events, and read
 * against a business date `asOf` to get the countdown and the warning colour.
 *
 * 行政许可法 practice: the acceptance day is not counted, so a 5-working-day
 * item accepted on Monday is due the next Monday. Time under 补正, 特别程序
 * (§45: 听证、检测、专家评审…) and 中止 does not count: each closed pause P→R
 * pushes the due date back by the working days in (P, R].
 *
 * Before that clock starts, an application may wait for acceptance (申报 → 受理,
 * 行政许可法 §32): see ./submission.ts.
 */
import { addCalendarDays, CalendarRangeError, formatDay, type DayNum, type WorkingCalendar } from "~/domain/calendar";
import { acceptanceDueOn } from "./submission";
import {
  CLOCK_EVENT_TYPES,
  EVENT_LABELS,
  MILESTONE_DONE_LABEL,
  STATUS_LABELS,
  type ClockEvent,
  type ClockEventType,
  type ClockReading,
  type ClockResult,
  type ClockSpec,
  type ClockState,
  type ItemKind,
  type ItemStatus,
  type LimitUnit,
  type PauseKind,
  type Warning,
} from "./types";

export function initialClockState(): ClockState {
  return {
    status: "pending",
    submittedOn: null,
    acceptedOn: null,
    baseOn: null,
    pausedDays: 0,
    pauseKind: null,
    pausedOn: null,
    dueOn: null,
    remainingAtPause: null,
    decidedOn: null,
    lastEventOn: null,
    deferredMaterials: [],
    commitmentOn: null,
    commitmentMetOn: null,
  };
}

/**
 * The limit the clock runs against: approvals use the promised limit (承诺时限),
 * falling back to the statutory one (法定时限); intermediary and owner tasks use
 * their planned duration; milestones take no time.
 *
 * @example effectiveLimit({ kind: "approval", promisedLimit: 16, statutoryLimit: 20, … }) // → 16
 */
export function effectiveLimit(spec: ClockSpec): number {
  switch (spec.kind) {
    case "approval":
      return spec.promisedLimit ?? spec.statutoryLimit ?? 0;
    case "intermediary":
    case "owner":
      return spec.plannedDuration ?? 0;
    default:
      return 0;
  }
}

/**
 * The unit the clock counts in. `limitUnit` qualifies the statutory/promised
 * limits, so only approvals can run in calendar days; planned durations of
 * intermediary/owner tasks are always working days.
 */
export function clockUnit(spec: ClockSpec): LimitUnit {
  return spec.kind === "approval" ? spec.limitUnit : "workingDays";
}

/** 已办结 or 免办: the item no longer gates anything. */
export function isFinished(status: ItemStatus): boolean {
  return status === "approved" || status === "waived";
}

/**
 * 补正中, 特别程序 or 中止: the clock is frozen. A 补正 asked for before 受理 is a pause
 * too (the applicant holds the file), but of the acceptance window: no approval clock runs yet.
 */
export function isPaused(status: ItemStatus): boolean {
  return status === "correction" || status === "special" || status === "suspended";
}

/**
 * Statuses in which the department holds a live application: awaiting acceptance (待受理,
 * the §32 window runs), running or paused. What queues, digests and rankings count as 在办.
 */
export const ACTIVE_STATUSES = ["submitted", "running", "correction", "special", "suspended"] as const satisfies readonly ItemStatus[];

/** The department holds a live application (see ACTIVE_STATUSES); 容缺 commitments can be open only once accepted. */
export function isActive(status: ItemStatus): boolean {
  return status === "submitted" || status === "running" || isPaused(status);
}

/** Label of a status for an item of this kind (a done milestone reads 已完成). */
export function statusLabel(status: ItemStatus, kind: ItemKind): string {
  return kind === "milestone" && status === "approved" ? MILESTONE_DONE_LABEL : STATUS_LABELS[status];
}

/** A 容缺 commitment is open: materials were deferred and have not been supplied yet. */
export function hasOpenCommitment(state: ClockState): boolean {
  return state.deferredMaterials.length > 0 && state.commitmentOn !== null && state.commitmentMetOn === null;
}

function dueFrom(base: DayNum, pausedDays: number, spec: ClockSpec, cal: WorkingCalendar): DayNum {
  const n = effectiveLimit(spec) + pausedDays;
  return clockUnit(spec) === "calendarDays" ? addCalendarDays(base, n) : cal.addWorkingDays(base, n);
}

const PAUSE_OF: Partial<Record<ClockEventType, { status: ItemStatus; kind: PauseKind }>> = {
  request_correction: { status: "correction", kind: "correction" },
  start_special: { status: "special", kind: "special" },
  suspend: { status: "suspended", kind: "suspend" },
};

const RESUME_FROM: Partial<Record<ClockEventType, ItemStatus>> = {
  receive_correction: "correction",
  end_special: "special",
  resume: "suspended",
};

/**
 * Why `type` is not allowed in `state` for an item of this kind, or null when it is.
 * Dates and 容缺 commitment dates are checked separately by `applyClockEvent`.
 */
function illegalReason(state: ClockState, type: ClockEventType, spec: ClockSpec): string | null {
  const s = state.status;
  const generic = `当前状态“${statusLabel(s, spec.kind)}”不能执行“${EVENT_LABELS[type]}”`;
  const milestone = spec.kind === "milestone";
  switch (type) {
    case "submit":
      // Only an administrative licence has a statutory acceptance step (§32); an
      // intermediary or owner task is simply started (accept), a milestone completed.
      if (spec.kind !== "approval") return `${generic}：只有行政审批事项需要申报受理`;
      return s === "pending" || s === "rejected" || s === "withdrawn" ? null : generic;
    case "accept":
      if (milestone) return `${generic}：里程碑节点无需受理，直接标记完成即可`;
      return s === "pending" || s === "submitted" || s === "rejected" || s === "withdrawn" ? null : generic;
    case "request_correction":
      // Before 受理 the department asks for corrections instead of accepting (§32 一次告知).
      return s === "running" || s === "submitted" ? null : generic;
    case "start_special":
    case "suspend":
    case "reject":
      return s === "running" ? null : generic;
    case "receive_correction":
    case "end_special":
    case "resume":
      return s === RESUME_FROM[type] ? null : generic;
    case "approve":
      if (milestone) return s === "pending" ? null : generic;
      if (s !== "running") return s === "pending" || s === "submitted" ? `${generic}：尚未受理` : generic;
      if (hasOpenCommitment(state)) {
        return `容缺材料未补齐，不得办结（承诺补齐日期 ${formatDay(state.commitmentOn!)}）`;
      }
      return null;
    case "waive":
      return s === "pending" || s === "rejected" || s === "withdrawn" ? null : generic;
    case "withdraw":
      return isActive(s) ? null : generic;
    case "supply_deferred":
      if (!isActive(s)) return generic;
      return hasOpenCommitment(state) ? null : `${generic}：没有待补齐的容缺材料`;
    default:
      return `未知的事件类型“${String(type)}”`;
  }
}

/**
 * The events the item accepts now, for the UI's action buttons. `approve` is
 * left out while a 容缺 commitment is open, `supply_deferred` is offered only then.
 */
export function allowedEvents(state: ClockState, spec: ClockSpec): ClockEventType[] {
  return CLOCK_EVENT_TYPES.filter((t) => illegalReason(state, t, spec) === null);
}

/**
 * Applies one event. Never throws for bad input: an illegal transition, a date
 * earlier than the previous event, an invalid 容缺 commitment or a date outside
 * the calendar's range (reported as `date_order`) comes back as `ok: false`
 * with a Simplified-Chinese message, and the caller's state is not modified.
 * A new event (`mode` "record") must also respect the §32 acceptance window; stored
 * events are replayed ("replay") without that check, see below.
 *
 * @example
 * applyClockEvent(initialClockState(), { type: "accept", on: toDay("2026-03-02") }, spec, cal)
 * // → { ok: true, state: { status: "running", acceptedOn: 2026-03-02, dueOn: … } }
 */
export function applyClockEvent(
  state: ClockState,
  event: ClockEvent,
  spec: ClockSpec,
  cal: WorkingCalendar,
  mode: "record" | "replay" = "record",
): ClockResult {
  const reason = illegalReason(state, event.type, spec);
  if (reason !== null) return { ok: false, code: "illegal_transition", message: reason };
  const on = event.on;
  if (!Number.isInteger(on)) return { ok: false, code: "date_order", message: "事件日期无效" };
  if (state.lastEventOn !== null && on < state.lastEventOn) {
    return {
      ok: false,
      code: "date_order",
      message: `事件日期 ${formatDay(on)} 早于上一事件日期 ${formatDay(state.lastEventOn)}，不能倒填`,
    };
  }
  // §32: once the window has passed, the law has already accepted the application on the
  // day it was received; a later 受理 or 补正 notice would contradict it. Checked only
  // for new events: a stored one was inside the window when recorded, and an administrator's
  // later calendar edit (an extra working day) must not turn history into an error.
  if (
    mode === "record" &&
    state.status === "submitted" &&
    (event.type === "accept" || event.type === "request_correction") &&
    state.dueOn !== null &&
    on > state.dueOn
  ) {
    return {
      ok: false,
      code: "date_order",
      message: `受理期限已过（${formatDay(state.submittedOn ?? on)} 申报，应于 ${formatDay(state.dueOn)} 前受理或一次告知补正）：依《行政许可法》第三十二条，自申报之日起视为受理，系统将自动记录`,
    };
  }
  try {
    return transition(state, event, spec, cal);
  } catch (e) {
    if (e instanceof CalendarRangeError) return { ok: false, code: "date_order", message: e.message };
    throw e;
  }
}

function transition(state: ClockState, event: ClockEvent, spec: ClockSpec, cal: WorkingCalendar): ClockResult {
  const on = event.on;
  const next: ClockState = { ...state, lastEventOn: on };
  const type = event.type;

  switch (type) {
    case "submit": {
      // A first application, or a new one after 不予许可/撤回: everything starts over,
      // and the department's §32 acceptance window opens.
      const fresh: ClockState = { ...initialClockState(), status: "submitted", submittedOn: on, lastEventOn: on };
      fresh.dueOn = acceptanceDueOn(on, cal);
      return { ok: true, state: fresh };
    }

    case "accept": {
      // A first application, or a new one after 不予许可/撤回: the clock starts over.
      // Accepting a submitted application keeps its submission date for the record.
      const fresh: ClockState = {
        ...initialClockState(),
        status: "running",
        submittedOn: state.status === "submitted" ? state.submittedOn : null,
        acceptedOn: on,
        baseOn: on,
        lastEventOn: on,
      };
      fresh.dueOn = dueFrom(on, 0, spec, cal);
      const materials = (event.deferredMaterials ?? []).map((m) => m.trim()).filter((m) => m.length > 0);
      const commitmentOn = event.commitmentOn ?? null;
      if (materials.length > 0 || commitmentOn !== null) {
        if (materials.length === 0) {
          return { ok: false, code: "invalid_commitment", message: "容缺受理须列明待补齐的材料" };
        }
        if (commitmentOn === null || !Number.isInteger(commitmentOn)) {
          return { ok: false, code: "invalid_commitment", message: "容缺受理须填写材料补齐期限" };
        }
        if (commitmentOn <= on) {
          return {
            ok: false,
            code: "invalid_commitment",
            message: `补齐期限须晚于受理日期（补齐期限 ${formatDay(commitmentOn)}，受理日期 ${formatDay(on)}）`,
          };
        }
        if (commitmentOn > fresh.dueOn) {
          return {
            ok: false,
            code: "invalid_commitment",
            message: `补齐期限不得晚于承诺办结时限（补齐期限 ${formatDay(commitmentOn)}，办结时限 ${formatDay(fresh.dueOn)}）`,
          };
        }
        fresh.deferredMaterials = materials;
        fresh.commitmentOn = commitmentOn;
      }
      return { ok: true, state: fresh };
    }

    case "request_correction":
    case "start_special":
    case "suspend": {
      const pause = PAUSE_OF[type]!;
      if (state.status === "submitted") {
        // 补正 before 受理: the applicant holds the file, so the acceptance window stops and
        // no approval clock exists yet to freeze (remainingAtPause stays null; see receive_correction).
        next.status = "correction";
        next.pauseKind = "correction";
        next.pausedOn = on;
        next.remainingAtPause = null;
        next.dueOn = null;
        return { ok: true, state: next };
      }
      let remaining: number;
      if (type === "request_correction" && spec.correctionRestartsClock) {
        // The limit will restart in full from the day the correction arrives.
        const limit = effectiveLimit(spec);
        remaining =
          clockUnit(spec) === "calendarDays" ? cal.workingDaysBetween(on, addCalendarDays(on, limit)) : limit;
      } else {
        remaining = cal.workingDaysBetween(on, state.dueOn ?? dueFrom(state.baseOn ?? on, state.pausedDays, spec, cal));
      }
      next.status = pause.status;
      next.pauseKind = pause.kind;
      next.pausedOn = on;
      next.remainingAtPause = remaining;
      next.dueOn = null;
      return { ok: true, state: next };
    }

    case "receive_correction":
    case "end_special":
    case "resume": {
      if (type === "receive_correction" && state.acceptedOn === null) {
        /*
         * The complete correction of an application not yet accepted. §32: once the applicant
         * has supplied every correction asked for, the department 应当受理 — acceptance is still
         * its own act (DESIGN §4: "the department then accepts"), so the item awaits 受理 again
         * with a fresh five-working-day window counted from R, the day the complete file arrived.
         * If that window passes too, the application is deemed accepted on R (the day the
         * materials that had to be accepted were received), not on the first submission: the
         * earlier file was incomplete, which the department said in time. The approval limit
         * starts only at 受理, so `correctionRestartsClock` does not apply here.
         */
        next.status = "submitted";
        next.submittedOn = on;
        next.dueOn = acceptanceDueOn(on, cal);
        next.pauseKind = null;
        next.pausedOn = null;
        next.remainingAtPause = null;
        return { ok: true, state: next };
      }
      const pausedOn = state.pausedOn ?? on;
      const base = state.baseOn ?? state.acceptedOn ?? on;
      if (type === "receive_correction" && spec.correctionRestartsClock) {
        next.baseOn = on;
        next.pausedDays = 0;
      } else {
        next.baseOn = base;
        next.pausedDays =
          state.pausedDays +
          (clockUnit(spec) === "calendarDays" ? on - pausedOn : cal.workingDaysBetween(pausedOn, on));
      }
      next.dueOn = dueFrom(next.baseOn, next.pausedDays, spec, cal);
      next.status = "running";
      next.pauseKind = null;
      next.pausedOn = null;
      next.remainingAtPause = null;
      return { ok: true, state: next };
    }

    case "approve":
    case "reject":
    case "withdraw":
    case "waive": {
      next.status =
        type === "approve" ? "approved" : type === "reject" ? "rejected" : type === "withdraw" ? "withdrawn" : "waived";
      next.decidedOn = on;
      next.pauseKind = null;
      next.pausedOn = null;
      next.remainingAtPause = null;
      // Decided before 受理 (withdrawn while awaiting acceptance), the only due date was the
      // acceptance deadline: it no longer binds anyone.
      if (type === "waive" || state.acceptedOn === null) next.dueOn = null;
      return { ok: true, state: next };
    }

    case "supply_deferred":
      next.commitmentMetOn = on;
      return { ok: true, state: next };

    default:
      return { ok: false, code: "illegal_transition", message: `未知的事件类型“${String(type)}”` };
  }
}

/**
 * Replays an item's events from the initial state. Throws an Error carrying the
 * Chinese message on the first illegal event (stored events are valid by
 * construction, so this signals corrupted history).
 */
export function replayClock(events: readonly ClockEvent[], spec: ClockSpec, cal: WorkingCalendar): ClockState {
  let state = initialClockState();
  for (let i = 0; i < events.length; i++) {
    const r = applyClockEvent(state, events[i], spec, cal, "replay");
    if (!r.ok) throw new Error(`第 ${i + 1} 个事件（${EVENT_LABELS[events[i].type] ?? events[i].type}）无效：${r.message}`);
    state = r.state;
  }
  return state;
}

export function warningFor(remaining: number, late: boolean, lead: number): Warning {
  if (late) return "red";
  return remaining <= lead ? "yellow" : "none";
}

/**
 * Reads the clock as of a business date.
 *
 * - Running: `remaining = workingDaysBetween(asOf, dueOn)`; red if asOf > dueOn, else
 *   yellow if remaining ≤ yellowLead (the due day itself is yellow with 0 left), else none.
 * - Submitted (待受理): the countdown is the department's §32 acceptance window —
 *   dueOn = acceptanceDueOn = the deadline, remaining and warning as for a running item.
 * - Paused (补正/特别程序/中止): frozen — remaining = remainingAtPause, no warning, and
 *   dueOn is the projection `addWorkingDays(asOf, remainingAtPause)` (what the due date
 *   would be if the pause closed today). A 补正 asked for before 受理 has no clock to
 *   project: paused, with no dueOn and no count.
 * - Pending/finished/rejected/withdrawn: no countdown. Approved items keep their last dueOn.
 * - `commitmentWarning` follows an open 容缺 commitment on its own, paused or not.
 */
export function readClock(
  state: ClockState,
  spec: ClockSpec,
  cal: WorkingCalendar,
  asOf: DayNum,
  defaultYellowLead = 1,
): ClockReading {
  const lead = spec.yellowLead ?? defaultYellowLead;
  let commitmentWarning: Warning = "none";
  if (isActive(state.status) && hasOpenCommitment(state)) {
    const c = state.commitmentOn!;
    commitmentWarning = warningFor(cal.workingDaysBetween(asOf, c), asOf > c, lead);
  }
  const s = state.status;
  // A submitted item counts down to its acceptance deadline exactly as a running one to its due date.
  const countingTo = (dueOn: DayNum) => {
    const remaining = cal.workingDaysBetween(asOf, dueOn);
    return { dueOn, remainingWorkingDays: remaining, overdueWorkingDays: Math.max(0, -remaining), warning: warningFor(remaining, asOf > dueOn, lead), paused: false, commitmentWarning };
  };
  if (s === "submitted" && state.dueOn !== null) return { ...countingTo(state.dueOn), acceptanceDueOn: state.dueOn };
  if (isPaused(s) && state.acceptedOn === null) {
    return { dueOn: null, remainingWorkingDays: null, overdueWorkingDays: 0, warning: "none", paused: true, commitmentWarning };
  }
  if (s === "running" && state.dueOn !== null) return countingTo(state.dueOn);
  if (isPaused(s)) {
    const r = state.remainingAtPause ?? 0;
    return {
      dueOn: cal.addWorkingDays(asOf, r),
      remainingWorkingDays: r,
      overdueWorkingDays: Math.max(0, -r),
      warning: "none",
      paused: true,
      commitmentWarning,
    };
  }
  return {
    dueOn: s === "approved" ? state.dueOn : null,
    remainingWorkingDays: null,
    overdueWorkingDays: 0,
    warning: "none",
    paused: false,
    commitmentWarning,
  };
}
