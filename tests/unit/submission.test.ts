/**
 * 申报 before 受理 (DESIGN §4, 行政许可法 §32): the acceptance window, acceptance within
 * it, 补正 before acceptance, and the acceptance the law deems made when the window passes.
 * Dates are hand-computed from the State Council's 2026 notice:
 *
 *   中秋 09-25…09-27 off; 国庆 10-01…10-07 off, Sat 10-10 a make-up workday, Sun 10-11 off.
 *   Working days after Tue 09-29: Wed 09-30 (1), Thu 10-08 (2), Fri 10-09 (3), Sat 10-10 (4),
 *   Mon 10-12 (5), Tue 10-13 (6), Wed 10-14 (7), Thu 10-15 (8), Fri 10-16 (9), Mon 10-19 (10).
 */
import { describe, expect, it } from "vitest";
import { createWorkingCalendar, formatDay, officialCalendarData, toDay } from "~/domain/calendar";
import {
  ACCEPTANCE_WORKING_DAYS,
  ACTIVE_STATUSES,
  DEEMED_ACCEPT_LABEL,
  EVENT_LABELS,
  STATUS_LABELS,
  acceptanceDueOn,
  allowedEvents,
  applyClockEvent,
  clockEventLabel,
  deemedAcceptance,
  deemedAcceptanceMessage,
  initialClockState,
  isActive,
  isFinished,
  isPaused,
  readClock,
  replayClock,
  type ClockEvent,
  type ClockEventType,
  type ClockSpec,
  type ClockState,
} from "~/domain/clock";

const cal = createWorkingCalendar(officialCalendarData());
const D = toDay;
const fmt = (d: number | null | undefined) => (d === null || d === undefined ? d : formatDay(d));

function approval(over: Partial<ClockSpec> = {}): ClockSpec {
  return {
    kind: "approval",
    statutoryLimit: 20,
    promisedLimit: 10,
    limitUnit: "workingDays",
    plannedDuration: null,
    correctionRestartsClock: false,
    yellowLead: null,
    ...over,
  };
}

const ev = (type: ClockEventType, on: string): ClockEvent => ({ type, on: D(on) });
const replay = (spec: ClockSpec, ...events: ClockEvent[]) => replayClock(events, spec, cal);
const apply = (state: ClockState, spec: ClockSpec, event: ClockEvent) => applyClockEvent(state, event, spec, cal);

function ok(r: ReturnType<typeof apply>): ClockState {
  if (!r.ok) throw new Error(r.message);
  return r.state;
}

describe("vocabulary", () => {
  it("申报 is an event, 待受理 a status; a deemed 受理 has a label of its own", () => {
    expect(EVENT_LABELS.submit).toBe("申报");
    expect(STATUS_LABELS.submitted).toBe("待受理");
    expect(clockEventLabel("submit")).toBe("申报");
    expect(clockEventLabel("accept")).toBe("受理");
    expect(clockEventLabel("accept", true)).toBe(DEEMED_ACCEPT_LABEL);
    expect(DEEMED_ACCEPT_LABEL).toBe("受理（逾期视为受理）");
    // History written by a newer version still reads as something.
    expect(clockEventLabel("future_event")).toBe("future_event");
  });

  it("a submitted application is on the department's desk (在办), neither paused nor finished", () => {
    expect(isActive("submitted")).toBe(true);
    expect(ACTIVE_STATUSES).toContain("submitted");
    expect(isPaused("submitted")).toBe(false);
    expect(isFinished("submitted")).toBe(false);
  });
});

describe("the acceptance window (§32: five working days, §82)", () => {
  const spec = approval();

  it("submitted Tue 2026-09-29, the window runs past 国庆 to Mon 2026-10-12", () => {
    expect(ACCEPTANCE_WORKING_DAYS).toBe(5);
    expect(fmt(acceptanceDueOn(D("2026-09-29"), cal))).toBe("2026-10-12");
    const s = replay(spec, ev("submit", "2026-09-29"));
    expect(s).toMatchObject({ status: "submitted", acceptedOn: null, decidedOn: null });
    expect(fmt(s.submittedOn)).toBe("2026-09-29");
    expect(fmt(s.dueOn)).toBe("2026-10-12");
  });

  it("reads as a countdown to the deadline, marked as the acceptance window", () => {
    const s = replay(spec, ev("submit", "2026-09-29"));
    expect(readClock(s, spec, cal, D("2026-09-29"))).toEqual({
      dueOn: D("2026-10-12"),
      acceptanceDueOn: D("2026-10-12"),
      remainingWorkingDays: 5,
      overdueWorkingDays: 0,
      warning: "none",
      paused: false,
      commitmentWarning: "none",
    });
    // Through the holiday nothing is used up: 10-08, 10-09, 10-10, 10-12 remain.
    expect(readClock(s, spec, cal, D("2026-10-05"))).toMatchObject({ remainingWorkingDays: 4, warning: "none" });
    // Sat 10-10 is a make-up workday: one day (10-12) left → yellow, as is the deadline day itself.
    expect(readClock(s, spec, cal, D("2026-10-10"))).toMatchObject({ remainingWorkingDays: 1, warning: "yellow" });
    expect(readClock(s, spec, cal, D("2026-10-12"))).toMatchObject({ remainingWorkingDays: 0, warning: "yellow" });
    expect(readClock(s, spec, cal, D("2026-10-13"))).toMatchObject({ remainingWorkingDays: -1, overdueWorkingDays: 1, warning: "red" });
  });

  it("offers 申报 to pending approvals only; 受理, 要求补正 and 撤回 while submitted", () => {
    expect(allowedEvents(initialClockState(), spec)).toEqual(["submit", "accept", "waive"]);
    for (const kind of ["owner", "intermediary", "milestone"] as const) {
      const other = approval({ kind, plannedDuration: 5 });
      expect(allowedEvents(initialClockState(), other)).not.toContain("submit");
      const r = apply(initialClockState(), other, ev("submit", "2026-09-29"));
      expect(r).toMatchObject({ ok: false, code: "illegal_transition" });
      if (!r.ok) expect(r.message).toContain("只有行政审批事项需要申报受理");
    }
    const s = replay(spec, ev("submit", "2026-09-29"));
    expect(allowedEvents(s, spec)).toEqual(["accept", "request_correction", "withdraw"]);
    expect(apply(s, spec, ev("approve", "2026-09-30"))).toEqual({
      ok: false,
      code: "illegal_transition",
      message: "当前状态“待受理”不能执行“办结(准予)”：尚未受理",
    });
  });
});

describe("受理 within the window", () => {
  const spec = approval();

  it("starts the approval clock on the acceptance date, as without a submission", () => {
    // Accepted Fri 10-09 (3rd day of the window): 10 WD → 10-10, 12, 13, 14, 15, 16, 19, 20, 21, Thu 10-22.
    const s = replay(spec, ev("submit", "2026-09-29"), ev("accept", "2026-10-09"));
    expect(s.status).toBe("running");
    expect(fmt(s.acceptedOn)).toBe("2026-10-09");
    expect(fmt(s.dueOn)).toBe("2026-10-22");
    // The submission date stays on record.
    expect(fmt(s.submittedOn)).toBe("2026-09-29");
    const direct = replay(spec, ev("accept", "2026-10-09"));
    expect({ ...s, submittedOn: null }).toEqual(direct);
    expect(readClock(s, spec, cal, D("2026-10-09")).acceptanceDueOn).toBeUndefined();
  });

  it("the deadline day itself is still inside the window", () => {
    const s = ok(apply(replay(spec, ev("submit", "2026-09-29")), spec, ev("accept", "2026-10-12")));
    expect(fmt(s.acceptedOn)).toBe("2026-10-12");
  });

  it("after the window a 受理 or 补正 notice is refused: the law has already accepted the application", () => {
    const s = replay(spec, ev("submit", "2026-09-29"));
    for (const type of ["accept", "request_correction"] as const) {
      const r = apply(s, spec, ev(type, "2026-10-13"));
      expect(r).toMatchObject({ ok: false, code: "date_order" });
      if (!r.ok) {
        expect(r.message).toContain("受理期限已过");
        expect(r.message).toContain("2026-10-12");
        expect(r.message).toContain("第三十二条");
      }
    }
    // Withdrawing stays possible (the applicant's own act).
    expect(ok(apply(s, spec, ev("withdraw", "2026-10-13"))).status).toBe("withdrawn");
  });

  it("replaying stored history never applies the window: a calendar edit must not turn it into an error", () => {
    // As if an administrator later made an extra working day inside the window, moving the
    // deadline before an acceptance recorded on the old deadline day.
    const s = replayClock([ev("submit", "2026-09-29"), ev("accept", "2026-10-13")], spec, cal);
    expect(fmt(s.acceptedOn)).toBe("2026-10-13");
  });
});

describe("deemed acceptance (逾期不告知的，自收到申请材料之日起即为受理)", () => {
  const spec = approval();
  const submitted = replay(spec, ev("submit", "2026-09-29"));

  it("is not due while the department may still act, through the whole deadline day", () => {
    expect(deemedAcceptance(submitted, D("2026-09-30"))).toBeNull();
    expect(deemedAcceptance(submitted, D("2026-10-12"))).toBeNull();
  });

  it("is due the day after the deadline, dated the submission day", () => {
    expect(deemedAcceptance(submitted, D("2026-10-13"))).toEqual({ type: "accept", on: D("2026-09-29") });
    // However late the worker gets to it, the date is the submission's.
    expect(deemedAcceptance(submitted, D("2026-11-30"))).toEqual({ type: "accept", on: D("2026-09-29") });
  });

  it("dueOn = addWorkingDays(S, limit): 10 WD from 09-29 across 国庆 → Mon 2026-10-19", () => {
    const deemed = deemedAcceptance(submitted, D("2026-10-13"))!;
    const s = ok(apply(submitted, spec, deemed));
    expect(s.status).toBe("running");
    expect(fmt(s.acceptedOn)).toBe("2026-09-29");
    expect(fmt(s.dueOn)).toBe("2026-10-19");
    expect(s.dueOn).toBe(cal.addWorkingDays(D("2026-09-29"), 10));
    // Recorded on 10-13, four of the ten days are left: 10-14, 10-15, 10-16, 10-19.
    expect(readClock(s, spec, cal, D("2026-10-13"))).toMatchObject({ remainingWorkingDays: 4, warning: "none" });
  });

  it("a calendar-day limit counts calendar days from S: 16 日 from 09-29 → 10-15", () => {
    const cd = approval({ limitUnit: "calendarDays", promisedLimit: 16 });
    const s0 = replay(cd, ev("submit", "2026-09-29"));
    // The acceptance window is the statute's, always working days.
    expect(fmt(s0.dueOn)).toBe("2026-10-12");
    const s = ok(apply(s0, cd, deemedAcceptance(s0, D("2026-10-13"))!));
    expect(fmt(s.dueOn)).toBe("2026-10-15");
  });

  it("the message names the department, the dates and the legal ground", () => {
    expect(
      deemedAcceptanceMessage({
        projectName: "智能工厂",
        itemName: "节能审查",
        departmentName: null,
        submittedOn: D("2026-09-29"),
        acceptanceDueOn: D("2026-10-12"),
        dueOn: D("2026-10-19"),
      }),
    ).toEqual({
      title: "逾期视为受理：智能工厂 · 节能审查",
      body: "承办部门 2026-09-29 收到申请材料，至 2026-10-12 未受理也未一次告知补正。依《行政许可法》第三十二条，自 2026-09-29 起视为受理，办理时限自该日起算，到期日 2026-10-19。",
    });
  });

  it("only a submitted item is ever deemed accepted", () => {
    expect(deemedAcceptance(initialClockState(), D("2026-12-01"))).toBeNull();
    expect(deemedAcceptance(replay(spec, ev("submit", "2026-09-29"), ev("accept", "2026-09-30")), D("2026-12-01"))).toBeNull();
    expect(deemedAcceptance(replay(spec, ev("submit", "2026-09-29"), ev("withdraw", "2026-09-30")), D("2026-12-01"))).toBeNull();
    expect(deemedAcceptance(replay(spec, ev("submit", "2026-09-29"), ev("request_correction", "2026-09-30")), D("2026-12-01"))).toBeNull();
  });
});

describe("补正 before 受理", () => {
  const spec = approval();
  const inCorrection = replay(spec, ev("submit", "2026-09-29"), ev("request_correction", "2026-10-12"));

  it("stops the window: paused, no approval clock, no countdown, nothing deemed", () => {
    expect(inCorrection).toMatchObject({ status: "correction", pauseKind: "correction", acceptedOn: null, dueOn: null, remainingAtPause: null });
    expect(fmt(inCorrection.pausedOn)).toBe("2026-10-12");
    expect(readClock(inCorrection, spec, cal, D("2026-10-20"))).toEqual({
      dueOn: null,
      remainingWorkingDays: null,
      overdueWorkingDays: 0,
      warning: "none",
      paused: true,
      commitmentWarning: "none",
    });
    expect(allowedEvents(inCorrection, spec)).toEqual(["receive_correction", "withdraw"]);
  });

  it("the complete correction reopens a fresh window from its receipt; the department then accepts", () => {
    // Received Tue 10-20: window 10-21, 22, 23, 26, Tue 10-27.
    const back = ok(apply(inCorrection, spec, ev("receive_correction", "2026-10-20")));
    expect(back.status).toBe("submitted");
    expect(fmt(back.submittedOn)).toBe("2026-10-20");
    expect(fmt(back.dueOn)).toBe("2026-10-27");
    expect(back.pausedDays).toBe(0);
    // Accepted Thu 10-22: 10 WD → 10-23, 26, 27, 28, 29, 30, 11-02, 03, 04, Thu 11-05.
    const accepted = ok(apply(back, spec, ev("accept", "2026-10-22")));
    expect(fmt(accepted.acceptedOn)).toBe("2026-10-22");
    expect(fmt(accepted.dueOn)).toBe("2026-11-05");
  });

  it("left unanswered, the corrected application is deemed accepted on the day it was complete", () => {
    const back = replay(spec, ev("submit", "2026-09-29"), ev("request_correction", "2026-10-12"), ev("receive_correction", "2026-10-20"));
    expect(deemedAcceptance(back, D("2026-10-27"))).toBeNull();
    const deemed = deemedAcceptance(back, D("2026-10-28"));
    expect(deemed).toEqual({ type: "accept", on: D("2026-10-20") });
    // 10 WD from 10-20 → 10-21, 22, 23, 26, 27, 28, 29, 30, 11-02, Tue 11-03.
    expect(fmt(ok(apply(back, spec, deemed!)).dueOn)).toBe("2026-11-03");
  });

  it("is not affected by correctionRestartsClock: the approval limit starts only at 受理", () => {
    const restart = approval({ correctionRestartsClock: true });
    const s = replay(restart, ev("submit", "2026-09-29"), ev("request_correction", "2026-09-30"), ev("receive_correction", "2026-10-20"));
    expect(s.status).toBe("submitted");
    expect(fmt(s.dueOn)).toBe("2026-10-27");
  });
});

describe("withdrawal and a new application", () => {
  const spec = approval();

  it("withdrawn before 受理 leaves no due date behind; a new 申报 opens a new window", () => {
    const w = replay(spec, ev("submit", "2026-09-29"), ev("withdraw", "2026-09-30"));
    expect(w).toMatchObject({ status: "withdrawn", dueOn: null });
    expect(fmt(w.decidedOn)).toBe("2026-09-30");
    expect(allowedEvents(w, spec)).toEqual(["submit", "accept", "waive"]);
    // Resubmitted Thu 10-08: 10-09, 10, 12, 13, Wed 10-14.
    const again = ok(apply(w, spec, ev("submit", "2026-10-08")));
    expect(again).toMatchObject({ status: "submitted", decidedOn: null, acceptedOn: null });
    expect(fmt(again.dueOn)).toBe("2026-10-14");
  });

  it("a 补正 pending before 受理 can be withdrawn too", () => {
    const w = replay(spec, ev("submit", "2026-09-29"), ev("request_correction", "2026-09-30"), ev("withdraw", "2026-10-09"));
    expect(w).toMatchObject({ status: "withdrawn", dueOn: null, pauseKind: null });
  });
});
