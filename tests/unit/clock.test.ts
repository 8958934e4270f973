import { describe, expect, it } from "vitest";
import { createWorkingCalendar, officialCalendarData, toDay, formatDay } from "~/domain/calendar";
import {
  CLOCK_EVENT_TYPES,
  EVENT_LABELS,
  allowedEvents,
  applyClockEvent,
  effectiveLimit,
  initialClockState,
  isFinished,
  readClock,
  replayClock,
  statusLabel,
  type ClockEvent,
  type ClockEventType,
  type ClockSpec,
  type ClockState,
} from "~/domain/clock";

const cal = createWorkingCalendar(officialCalendarData());
const D = toDay;
const fmt = (d: number | null) => (d === null ? null : formatDay(d));

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

const milestone: ClockSpec = {
  kind: "milestone",
  statutoryLimit: null,
  promisedLimit: null,
  limitUnit: "workingDays",
  plannedDuration: null,
  correctionRestartsClock: false,
  yellowLead: null,
};

function ev(type: ClockEventType, on: string, extra: Partial<ClockEvent> = {}): ClockEvent {
  return { type, on: D(on), ...extra };
}

function replay(spec: ClockSpec, ...events: ClockEvent[]): ClockState {
  return replayClock(events, spec, cal);
}

function apply(state: ClockState, spec: ClockSpec, event: ClockEvent) {
  return applyClockEvent(state, event, spec, cal);
}

describe("effectiveLimit", () => {
  it("uses the promised limit, then the statutory one, for approvals", () => {
    expect(effectiveLimit(approval({ promisedLimit: 16, statutoryLimit: 20 }))).toBe(16);
    expect(effectiveLimit(approval({ promisedLimit: null, statutoryLimit: 20 }))).toBe(20);
    expect(effectiveLimit(approval({ promisedLimit: null, statutoryLimit: null }))).toBe(0);
  });
  it("uses the planned duration for intermediary and owner tasks, 0 for milestones", () => {
    expect(effectiveLimit(approval({ kind: "intermediary", plannedDuration: 15 }))).toBe(15);
    expect(effectiveLimit(approval({ kind: "owner", plannedDuration: null }))).toBe(0);
    expect(effectiveLimit(milestone)).toBe(0);
  });
});

describe("labels", () => {
  it("names the status as a person reads it: a finished approval is 已办结, a finished milestone 已完成", () => {
    expect(statusLabel("approved", "approval")).toBe("已办结");
    expect(statusLabel("approved", "milestone")).toBe("已完成");
    expect(statusLabel("correction", "approval")).toBe("补正中");
    expect(statusLabel("pending", "milestone")).toBe("待办理");
    // The refusal an officer reads names both in Chinese.
    const inCorrection = replay(approval(), ev("accept", "2026-03-02"), ev("request_correction", "2026-03-03"));
    expect(apply(inCorrection, approval(), ev("accept", "2026-03-04"))).toEqual({ ok: false, code: "illegal_transition", message: "当前状态“补正中”不能执行“受理”" });
  });
  it("gives every event a Chinese label of its own, so a timeline tells them apart", () => {
    const labels = CLOCK_EVENT_TYPES.map((t) => EVENT_LABELS[t]);
    expect(labels.filter((l) => !/^[\u4e00-\u9fff]/.test(l))).toEqual([]);
    expect(new Set(labels).size).toBe(CLOCK_EVENT_TYPES.length);
  });
  it("isFinished: approved and waived only", () => {
    expect(isFinished("approved")).toBe(true);
    expect(isFinished("waived")).toBe(true);
    expect(isFinished("rejected")).toBe(false);
    expect(isFinished("running")).toBe(false);
  });
});

describe("due dates across holidays", () => {
  it("春节 2026: skips 02-15…02-23 and counts the make-up Saturdays 02-14 and 02-28", () => {
    // Accepted Fri 02-13, 5 WD: Sat 02-14 (调休上班)=1, [02-15…02-23 holiday],
    // Tue 02-24=2, 02-25=3, 02-26=4, Fri 02-27=5 → 2026-02-27.
    let s = replay(approval({ promisedLimit: 5 }), ev("accept", "2026-02-13"));
    expect(fmt(s.dueOn)).toBe("2026-02-27");
    // 6 WD → the 6th is the make-up Saturday 02-28.
    s = replay(approval({ promisedLimit: 6 }), ev("accept", "2026-02-13"));
    expect(fmt(s.dueOn)).toBe("2026-02-28");
    // 7 WD → Sun 03-01 is a rest day → Mon 03-02.
    s = replay(approval({ promisedLimit: 7 }), ev("accept", "2026-02-13"));
    expect(fmt(s.dueOn)).toBe("2026-03-02");
    // Accepted Tue 02-10, 10 WD: 11=1, 12=2, 13=3, Sat 14=4, 24=5, 25=6, 26=7, 27=8, Sat 28=9, Mon 03-02=10.
    s = replay(approval({ promisedLimit: 10 }), ev("accept", "2026-02-10"));
    expect(fmt(s.dueOn)).toBe("2026-03-02");
    expect(s.status).toBe("running");
    expect(fmt(s.acceptedOn)).toBe("2026-02-10");
  });

  it("the acceptance day is not counted", () => {
    // Accepted Mon 2026-03-02, 5 WD: 03=1, 04=2, 05=3, 06=4, Mon 09=5.
    const s = replay(approval({ promisedLimit: 5 }), ev("accept", "2026-03-02"));
    expect(fmt(s.dueOn)).toBe("2026-03-09");
  });

  it("国庆/中秋 2025: 10-01…10-08 off, make-up Sun 09-28 and Sat 10-11", () => {
    // Accepted Fri 09-26, 5 WD: Sat 27 off, Sun 09-28 (调休)=1, Mon 29=2, Tue 30=3,
    // [10-01…10-08 holiday], Thu 10-09=4, Fri 10-10=5 → 2025-10-10.
    let s = replay(approval({ promisedLimit: 5 }), ev("accept", "2025-09-26"));
    expect(fmt(s.dueOn)).toBe("2025-10-10");
    // 6 WD → Sat 10-11 (调休上班).
    s = replay(approval({ promisedLimit: 6 }), ev("accept", "2025-09-26"));
    expect(fmt(s.dueOn)).toBe("2025-10-11");
  });

  it("中秋 + 国庆 2026: 09-25…09-27 and 10-01…10-07 off, make-up Sun 09-20 and Sat 10-10", () => {
    // Accepted Fri 09-18, 10 WD: Sat 19 off, Sun 09-20 (调休)=1, Mon 21=2, 22=3, 23=4, Thu 24=5,
    // [09-25…09-27 中秋], Mon 28=6, 29=7, Wed 30=8, [10-01…10-07 国庆], Thu 10-08=9, Fri 10-09=10.
    let s = replay(approval({ promisedLimit: 10 }), ev("accept", "2026-09-18"));
    expect(fmt(s.dueOn)).toBe("2026-10-09");
    // 11 WD → Sat 10-10 (调休上班).
    s = replay(approval({ promisedLimit: 11 }), ev("accept", "2026-09-18"));
    expect(fmt(s.dueOn)).toBe("2026-10-10");
  });

  it("元旦 2026: 01-01…01-03 off, make-up Sun 01-04, across the year boundary", () => {
    // Accepted Wed 2025-12-31, 2 WD: [01-01…01-03 holiday], Sun 01-04 (调休)=1, Mon 01-05=2.
    const s = replay(approval({ promisedLimit: 2 }), ev("accept", "2025-12-31"));
    expect(fmt(s.dueOn)).toBe("2026-01-05");
  });
});

describe("pauses", () => {
  it("a correction straddling 春节 adds the working days of the pause", () => {
    const spec = approval({ promisedLimit: 10 });
    // Accepted Mon 02-02, 10 WD: 03=1, 04=2, 05=3, 06=4, 09=5, 10=6, 11=7, 12=8, 13=9, Sat 02-14=10.
    let s = replay(spec, ev("accept", "2026-02-02"));
    expect(fmt(s.dueOn)).toBe("2026-02-14");
    // 补正 requested Wed 02-11: remaining = WD in (02-11, 02-14] = 12, 13, 14 = 3.
    s = replay(spec, ev("accept", "2026-02-02"), ev("request_correction", "2026-02-11"));
    expect(s.status).toBe("correction");
    expect(s.pauseKind).toBe("correction");
    expect(s.remainingAtPause).toBe(3);
    expect(s.dueOn).toBeNull();
    // Frozen on 02-12: remaining 3, no warning; projected due = 02-12 + 3 WD = 13, 14, 24 → 02-24.
    const r = readClock(s, spec, cal, D("2026-02-12"));
    expect(r).toMatchObject({ remainingWorkingDays: 3, warning: "none", paused: true, overdueWorkingDays: 0 });
    expect(fmt(r.dueOn)).toBe("2026-02-24");
    // Received Wed 02-25: pause adds WD in (02-11, 02-25] = 12, 13, 14, 24, 25 = 5 →
    // due = 02-02 + 15 WD: 10th = Sat 02-14, 11th = 02-24, 12th = 25, 13th = 26, 14th = 27,
    // 15th = Sat 02-28 → 2026-02-28. Remaining then = 26, 27, 28 = 3, as at the pause.
    s = replay(
      spec,
      ev("accept", "2026-02-02"),
      ev("request_correction", "2026-02-11"),
      ev("receive_correction", "2026-02-25"),
    );
    expect(s.status).toBe("running");
    expect(s.pausedDays).toBe(5);
    expect(fmt(s.dueOn)).toBe("2026-02-28");
    expect(readClock(s, spec, cal, D("2026-02-25")).remainingWorkingDays).toBe(3);
  });

  it("special procedure and suspension over 国庆 2025 both push the due date back", () => {
    const spec = approval({ promisedLimit: 5 });
    // Accepted Fri 09-26 → due 10-10 (see above). 特别程序 09-29 → 10-09: WD in (09-29, 10-09] =
    // 30, [10-01…10-08], 10-09 = 2. Suspend 10-10 → resume 10-13: WD in (10-10, 10-13] = Sat 11 (调休), Mon 13 = 2.
    // pausedDays = 4 → due = 09-26 + 9 WD = 28, 29, 30, 10-09, 10, 11, 13, 14, 15 → 2025-10-15.
    const s = replay(
      spec,
      ev("accept", "2025-09-26"),
      ev("start_special", "2025-09-29"),
      ev("end_special", "2025-10-09"),
      ev("suspend", "2025-10-10"),
      ev("resume", "2025-10-13"),
    );
    expect(s.pausedDays).toBe(4);
    expect(fmt(s.dueOn)).toBe("2025-10-15");
  });

  it("restart after correction: due = addWorkingDays(received, limit)", () => {
    const spec = approval({ promisedLimit: 10, correctionRestartsClock: true });
    // Accepted Mon 02-02 (due 02-14); correction 02-11 → frozen with the full limit, 10.
    let s = replay(spec, ev("accept", "2026-02-02"), ev("request_correction", "2026-02-11"));
    expect(s.remainingAtPause).toBe(10);
    // Received Tue 02-24: due = 02-24 + 10 WD = 25, 26, 27, Sat 28, 03-02, 03, 04, 05, 06, Mon 03-09.
    s = replay(
      spec,
      ev("accept", "2026-02-02"),
      ev("request_correction", "2026-02-11"),
      ev("receive_correction", "2026-02-24"),
    );
    expect(fmt(s.baseOn)).toBe("2026-02-24");
    expect(s.pausedDays).toBe(0);
    expect(fmt(s.dueOn)).toBe("2026-03-09");
    expect(fmt(s.acceptedOn)).toBe("2026-02-02");
    // A later special procedure on the restarted clock adds its days: Wed 03-04 → Fri 03-06 = 05, 06 = 2
    // → due = 02-24 + 12 WD = 03-09 + 10, 11 → Wed 2026-03-11.
    s = replay(
      spec,
      ev("accept", "2026-02-02"),
      ev("request_correction", "2026-02-11"),
      ev("receive_correction", "2026-02-24"),
      ev("start_special", "2026-03-04"),
      ev("end_special", "2026-03-06"),
    );
    expect(fmt(s.dueOn)).toBe("2026-03-11");
  });

  it("the restart flag does not affect special procedures or suspensions", () => {
    const spec = approval({ promisedLimit: 5, correctionRestartsClock: true });
    // Accepted Mon 03-02 → due Mon 03-09. Suspend Wed 03-04 → resume Fri 03-06: +2 (05, 06) → due Wed 03-11.
    const s = replay(spec, ev("accept", "2026-03-02"), ev("suspend", "2026-03-04"), ev("resume", "2026-03-06"));
    expect(fmt(s.dueOn)).toBe("2026-03-11");
  });
});

describe("calendar-day limits", () => {
  it("adds calendar days, and pauses add calendar days", () => {
    const spec = approval({ promisedLimit: 30, limitUnit: "calendarDays" });
    // Accepted 02-10 + 30 days (February 2026 has 28) → 2026-03-12.
    let s = replay(spec, ev("accept", "2026-02-10"));
    expect(fmt(s.dueOn)).toBe("2026-03-12");
    // Suspended on 02-20 (inside 春节): remaining in WD = (02-20, 03-12] = 24–28 (5) + 03-02…06 (5) + 09–12 (4) = 14.
    s = replay(spec, ev("accept", "2026-02-10"), ev("suspend", "2026-02-20"));
    expect(s.remainingAtPause).toBe(14);
    // Resumed 02-27: pause = 7 calendar days → due = 02-10 + 37 = 2026-03-19.
    s = replay(spec, ev("accept", "2026-02-10"), ev("suspend", "2026-02-20"), ev("resume", "2026-02-27"));
    expect(s.pausedDays).toBe(7);
    expect(fmt(s.dueOn)).toBe("2026-03-19");
  });

  it("a calendar-day restart item is frozen with the limit's span in working days", () => {
    const spec = approval({ promisedLimit: 30, limitUnit: "calendarDays", correctionRestartsClock: true });
    // Correction Tue 03-10: WD in (03-10, 04-09] = 11–13 (3), 16–20 (5), 23–27 (5), 30–31 (2),
    // 04-01…03 (3), [04-04…06 清明], 07–09 (3) = 21.
    let s = replay(spec, ev("accept", "2026-03-02"), ev("request_correction", "2026-03-10"));
    expect(s.remainingAtPause).toBe(21);
    // Received 03-20: due = 03-20 + 30 calendar days = 2026-04-19.
    s = replay(spec, ev("accept", "2026-03-02"), ev("request_correction", "2026-03-10"), ev("receive_correction", "2026-03-20"));
    expect(fmt(s.dueOn)).toBe("2026-04-19");
  });

  it("planned durations of owner tasks stay in working days", () => {
    const spec = approval({ kind: "owner", plannedDuration: 5, limitUnit: "calendarDays" });
    // Mon 03-02 + 5 WD = Mon 03-09 (not 03-07).
    expect(fmt(replay(spec, ev("accept", "2026-03-02")).dueOn)).toBe("2026-03-09");
  });
});

describe("readClock warnings", () => {
  const spec = approval({ promisedLimit: 5 });
  // Accepted Mon 03-02, 5 WD → due Mon 03-09.
  const s = replay(spec, ev("accept", "2026-03-02"));

  it("none while more than yellowLead working days remain", () => {
    // asOf Thu 03-05: remaining = WD in (03-05, 03-09] = 06, 09 = 2 > 1.
    expect(readClock(s, spec, cal, D("2026-03-05"))).toEqual({
      dueOn: D("2026-03-09"),
      remainingWorkingDays: 2,
      overdueWorkingDays: 0,
      warning: "none",
      paused: false,
      commitmentWarning: "none",
    });
  });

  it("yellow exactly when remaining = yellowLead", () => {
    // asOf Fri 03-06: remaining = 09 = 1 = default lead.
    expect(readClock(s, spec, cal, D("2026-03-06"))).toMatchObject({ remainingWorkingDays: 1, warning: "yellow" });
    // asOf Sat 03-07: remaining still 1 (Mon 09).
    expect(readClock(s, spec, cal, D("2026-03-07"))).toMatchObject({ remainingWorkingDays: 1, warning: "yellow" });
  });

  it("the due day itself is yellow with 0 remaining; the next working day is red", () => {
    expect(readClock(s, spec, cal, D("2026-03-09"))).toMatchObject({
      remainingWorkingDays: 0,
      overdueWorkingDays: 0,
      warning: "yellow",
    });
    // Tue 03-10: remaining = −(WD in (03-09, 03-10]) = −1.
    expect(readClock(s, spec, cal, D("2026-03-10"))).toMatchObject({
      remainingWorkingDays: -1,
      overdueWorkingDays: 1,
      warning: "red",
    });
    // Mon 03-16: −(10, 11, 12, 13, 16) = −5.
    expect(readClock(s, spec, cal, D("2026-03-16"))).toMatchObject({ overdueWorkingDays: 5, warning: "red" });
  });

  it("red as soon as asOf > dueOn, even on a rest day with 0 working days overdue", () => {
    // 4 WD from Mon 03-02 → Fri 03-06; Sat 03-07 is after it: red, remaining 0.
    const spec4 = approval({ promisedLimit: 4 });
    const s4 = replay(spec4, ev("accept", "2026-03-02"));
    expect(readClock(s4, spec4, cal, D("2026-03-07"))).toMatchObject({
      remainingWorkingDays: 0,
      overdueWorkingDays: 0,
      warning: "red",
    });
  });

  it("respects a per-item yellowLead and the global default", () => {
    const spec3 = approval({ promisedLimit: 5, yellowLead: 3 });
    const s3 = replay(spec3, ev("accept", "2026-03-02"));
    // Tue 03-03: remaining 04, 05, 06, 09 = 4 > 3 → none; Wed 03-04: 3 → yellow.
    expect(readClock(s3, spec3, cal, D("2026-03-03")).warning).toBe("none");
    expect(readClock(s3, spec3, cal, D("2026-03-04")).warning).toBe("yellow");
    // Global default 2: Thu 03-05 (remaining 2) turns yellow for an item without its own lead.
    expect(readClock(s, spec, cal, D("2026-03-05"), 2).warning).toBe("yellow");
  });

  it("the clock is frozen while paused: no warning however late", () => {
    // Correction Fri 03-06: remaining = 09 = 1. Read on Fri 03-20: still 1, no warning,
    // projected due = 03-20 + 1 WD = Mon 03-23.
    const p = replay(spec, ev("accept", "2026-03-02"), ev("request_correction", "2026-03-06"));
    const r = readClock(p, spec, cal, D("2026-03-20"));
    expect(r).toMatchObject({ remainingWorkingDays: 1, warning: "none", paused: true, overdueWorkingDays: 0 });
    expect(fmt(r.dueOn)).toBe("2026-03-23");
    // Already 2 WD overdue when suspended on Wed 03-11 (−(10, 11)): frozen at −2, still no warning.
    const late = replay(spec, ev("accept", "2026-03-02"), ev("suspend", "2026-03-11"));
    expect(readClock(late, spec, cal, D("2026-03-20"))).toMatchObject({
      remainingWorkingDays: -2,
      overdueWorkingDays: 2,
      warning: "none",
      paused: true,
    });
  });

  it("no countdown for pending, finished, rejected or withdrawn items", () => {
    const pending = initialClockState();
    expect(readClock(pending, spec, cal, D("2026-03-09"))).toEqual({
      dueOn: null,
      remainingWorkingDays: null,
      overdueWorkingDays: 0,
      warning: "none",
      paused: false,
      commitmentWarning: "none",
    });
    const done = replay(spec, ev("accept", "2026-03-02"), ev("approve", "2026-03-20"));
    expect(readClock(done, spec, cal, D("2026-03-30"))).toMatchObject({
      dueOn: D("2026-03-09"),
      remainingWorkingDays: null,
      warning: "none",
    });
    const rejected = replay(spec, ev("accept", "2026-03-02"), ev("reject", "2026-03-04"));
    expect(readClock(rejected, spec, cal, D("2026-03-30"))).toMatchObject({ dueOn: null, warning: "none" });
  });
});

describe("容缺受理 commitments", () => {
  const spec = approval({ promisedLimit: 10 });
  // Accepted Mon 03-02, 10 WD: 03, 04, 05, 06, 09, 10, 11, 12, 13, Mon 03-16 → due 03-16.
  // Deferred 土地出让合同 promised by Thu 03-05.
  const accept = ev("accept", "2026-03-02", { deferredMaterials: ["土地出让合同"], commitmentOn: D("2026-03-05") });
  const s = replay(spec, accept);

  it("records the commitment", () => {
    expect(fmt(s.dueOn)).toBe("2026-03-16");
    expect(s.deferredMaterials).toEqual(["土地出让合同"]);
    expect(fmt(s.commitmentOn)).toBe("2026-03-05");
    expect(s.commitmentMetOn).toBeNull();
  });

  it("turns yellow and then red on its own while the main clock is fine", () => {
    // Tue 03-03: commitment remaining (03-03, 03-05] = 2 → none; main remaining 9 → none.
    expect(readClock(s, spec, cal, D("2026-03-03"))).toMatchObject({ warning: "none", commitmentWarning: "none" });
    // Wed 03-04: commitment remaining 1 → yellow.
    expect(readClock(s, spec, cal, D("2026-03-04"))).toMatchObject({ warning: "none", commitmentWarning: "yellow" });
    // Thu 03-05: commitment day itself → yellow (0 remaining).
    expect(readClock(s, spec, cal, D("2026-03-05")).commitmentWarning).toBe("yellow");
    // Fri 03-06: past the commitment → red; main remaining = 09…13, 16 = 6 → none.
    expect(readClock(s, spec, cal, D("2026-03-06"))).toMatchObject({
      warning: "none",
      remainingWorkingDays: 6,
      commitmentWarning: "red",
    });
  });

  it("keeps running while the main clock is paused", () => {
    const p = replay(spec, accept, ev("request_correction", "2026-03-04"));
    expect(readClock(p, spec, cal, D("2026-03-06"))).toMatchObject({ warning: "none", commitmentWarning: "red" });
  });

  it("forbids approving until the materials are supplied", () => {
    const r = apply(s, spec, ev("approve", "2026-03-06"));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe("illegal_transition");
      expect(r.message).toContain("材料未补齐");
      expect(r.message).toContain("不得办结");
    }
    expect(allowedEvents(s, spec)).not.toContain("approve");
    expect(allowedEvents(s, spec)).toContain("supply_deferred");

    const supplied = replay(spec, accept, ev("supply_deferred", "2026-03-06"));
    expect(fmt(supplied.commitmentMetOn)).toBe("2026-03-06");
    expect(readClock(supplied, spec, cal, D("2026-03-09")).commitmentWarning).toBe("none");
    expect(allowedEvents(supplied, spec)).not.toContain("supply_deferred");
    const done = apply(supplied, spec, ev("approve", "2026-03-10"));
    expect(done.ok && done.state.status).toBe("approved");
  });

  it("rejects commitments later than the due date or not after acceptance", () => {
    // 03-16 (= due) is allowed; 03-17 is after the promised completion.
    expect(apply(initialClockState(), spec, { ...accept, commitmentOn: D("2026-03-16") }).ok).toBe(true);
    const late = apply(initialClockState(), spec, { ...accept, commitmentOn: D("2026-03-17") });
    expect(late).toMatchObject({ ok: false, code: "invalid_commitment" });
    if (!late.ok) expect(late.message).toContain("补齐期限不得晚于承诺办结时限");
    expect(apply(initialClockState(), spec, { ...accept, commitmentOn: D("2026-03-02") })).toMatchObject({
      ok: false,
      code: "invalid_commitment",
    });
    expect(apply(initialClockState(), spec, { ...accept, commitmentOn: null })).toMatchObject({
      ok: false,
      code: "invalid_commitment",
    });
    expect(
      apply(initialClockState(), spec, { ...accept, deferredMaterials: [], commitmentOn: D("2026-03-05") }),
    ).toMatchObject({ ok: false, code: "invalid_commitment" });
  });

  it("supply_deferred without an open commitment is illegal", () => {
    const plain = replay(spec, ev("accept", "2026-03-02"));
    expect(apply(plain, spec, ev("supply_deferred", "2026-03-03"))).toMatchObject({
      ok: false,
      code: "illegal_transition",
    });
  });
});

describe("transitions", () => {
  const spec = approval({ promisedLimit: 5 });
  const at = (...events: ClockEvent[]) => replay(spec, ...events);
  const accepted = [ev("accept", "2026-03-02")];
  const states: Record<string, ClockState> = {
    pending: initialClockState(),
    // 申报 Tue 03-03: its §32 window runs to Tue 03-10, the date every event below is tried on.
    submitted: at(ev("submit", "2026-03-03")),
    running: at(...accepted),
    correction: at(...accepted, ev("request_correction", "2026-03-03")),
    special: at(...accepted, ev("start_special", "2026-03-03")),
    suspended: at(...accepted, ev("suspend", "2026-03-03")),
    approved: at(...accepted, ev("approve", "2026-03-03")),
    rejected: at(...accepted, ev("reject", "2026-03-03")),
    waived: at(ev("waive", "2026-03-03")),
    withdrawn: at(...accepted, ev("withdraw", "2026-03-03")),
  };
  const expected: Record<string, ClockEventType[]> = {
    pending: ["submit", "accept", "waive"],
    submitted: ["accept", "request_correction", "withdraw"],
    running: ["request_correction", "start_special", "suspend", "approve", "reject", "withdraw"],
    correction: ["receive_correction", "withdraw"],
    special: ["end_special", "withdraw"],
    suspended: ["resume", "withdraw"],
    approved: [],
    rejected: ["submit", "accept", "waive"],
    waived: [],
    withdrawn: ["submit", "accept", "waive"],
  };

  it.each(Object.keys(states))("status %s allows exactly its events; every other one is refused in Chinese", (name) => {
    const state = states[name];
    expect(state.status).toBe(name);
    expect(allowedEvents(state, spec)).toEqual(expected[name]);
    for (const type of CLOCK_EVENT_TYPES) {
      const r = apply(state, spec, ev(type, "2026-03-10"));
      if (expected[name].includes(type)) {
        expect(r.ok).toBe(true);
      } else {
        expect(r).toMatchObject({ ok: false, code: "illegal_transition" });
        if (!r.ok) expect(r.message).toMatch(/^当前状态“.+”不能执行“.+”/);
      }
    }
  });

  it("names the state and the event", () => {
    const r = apply(states.approved, spec, ev("request_correction", "2026-03-10"));
    expect(r).toEqual({ ok: false, code: "illegal_transition", message: "当前状态“已办结”不能执行“要求补正”" });
  });

  it("milestones are completed directly from pending and never accepted", () => {
    expect(allowedEvents(initialClockState(), milestone)).toEqual(["approve", "waive"]);
    const acc = apply(initialClockState(), milestone, ev("accept", "2026-03-02"));
    expect(acc).toMatchObject({ ok: false, code: "illegal_transition" });
    const done = replay(milestone, ev("approve", "2026-03-02"));
    expect(done.status).toBe("approved");
    expect(fmt(done.decidedOn)).toBe("2026-03-02");
    expect(done.acceptedOn).toBeNull();
    const again = apply(done, milestone, ev("approve", "2026-03-03"));
    expect(again).toEqual({ ok: false, code: "illegal_transition", message: "当前状态“已完成”不能执行“办结(准予)”" });
  });

  it("owner and intermediary tasks: accept = started, approve = done", () => {
    const owner = approval({ kind: "owner", plannedDuration: 10 });
    // Started Mon 03-02, 10 WD → Mon 03-16.
    const started = replay(owner, ev("accept", "2026-03-02"));
    expect(fmt(started.dueOn)).toBe("2026-03-16");
    expect(replay(owner, ev("accept", "2026-03-02"), ev("approve", "2026-03-12")).status).toBe("approved");
    expect(apply(initialClockState(), owner, ev("approve", "2026-03-02")).ok).toBe(false);
  });

  it("a new application after 不予许可 or 撤回 starts the clock over", () => {
    // Rejected 03-04, re-accepted Tue 03-10: due = 11, 12, 13, 16, Tue 03-17.
    const s = at(
      ev("accept", "2026-03-02"),
      ev("suspend", "2026-03-03"),
      ev("resume", "2026-03-04"),
      ev("reject", "2026-03-04"),
      ev("accept", "2026-03-10"),
    );
    expect(s.status).toBe("running");
    expect(fmt(s.acceptedOn)).toBe("2026-03-10");
    expect(s.pausedDays).toBe(0);
    expect(s.decidedOn).toBeNull();
    expect(fmt(s.dueOn)).toBe("2026-03-17");
    const w = at(ev("accept", "2026-03-02"), ev("request_correction", "2026-03-03"), ev("withdraw", "2026-03-05"));
    expect(w.status).toBe("withdrawn");
    expect(w.pauseKind).toBeNull();
    expect(fmt(w.decidedOn)).toBe("2026-03-05");
  });

  it("refuses a date earlier than the previous event; the same day is fine", () => {
    const s = at(ev("accept", "2026-03-10"));
    const r = apply(s, spec, ev("request_correction", "2026-03-09"));
    expect(r).toMatchObject({ ok: false, code: "date_order" });
    if (!r.ok) expect(r.message).toContain("2026-03-09");
    expect(apply(s, spec, ev("request_correction", "2026-03-10")).ok).toBe(true);
  });

  it("refuses dates outside the calendar without throwing", () => {
    expect(apply(initialClockState(), spec, ev("accept", "1999-12-30"))).toMatchObject({ ok: false });
  });

  it("does not modify the state it is given", () => {
    const s = at(ev("accept", "2026-03-02"));
    const copy = structuredClone(s);
    apply(s, spec, ev("request_correction", "2026-03-03"));
    apply(s, spec, ev("approve", "2026-03-04"));
    expect(s).toEqual(copy);
  });

  it("replayClock throws on an illegal event", () => {
    expect(() => replay(spec, ev("approve", "2026-03-02"))).toThrow(/不能执行/);
    expect(() => replay(spec, ev("accept", "2026-03-02"), ev("resume", "2026-03-01"))).toThrow();
  });
});
