import { describe, expect, it } from "vitest";
import { createWorkingCalendar, formatDay, officialCalendarData, toDay } from "~/domain/calendar";
import { planActionItemEscalations, DEFAULT_POLICY } from "~/domain/escalation/policy";
import { actionItemDueOn, readActionClock } from "~/domain/meeting/action-items";

const cal = createWorkingCalendar(officialCalendarData());
const due = (start: string, deadline: { dueInWorkingDays: number } | { dueOn: string }) => {
  const r = actionItemDueOn(toDay(start), "dueOn" in deadline ? { dueOn: toDay(deadline.dueOn) } : deadline, cal);
  return "dueOn" in r ? formatDay(r.dueOn) : r.problem;
};

describe("action-item due dates (DESIGN §4: addWorkingDays(start, n) or the date given)", () => {
  it("across 国庆 2026: a meeting on Tue 09-29 with 2 working days is due Thu 10-08 (09-30, then the holiday)", () => {
    expect(due("2026-09-29", { dueInWorkingDays: 2 })).toBe("2026-10-08");
    // 10-10 is a make-up Saturday: the fourth working day after the meeting (09-30, 10-08, 10-09, 10-10).
    expect(due("2026-09-29", { dueInWorkingDays: 4 })).toBe("2026-10-10");
  });

  it("across 春节 2026: Fri 02-13 with 3 working days is due Wed 02-25 (make-up Sat 02-14, holiday 02-15..23)", () => {
    expect(due("2026-02-13", { dueInWorkingDays: 1 })).toBe("2026-02-14");
    expect(due("2026-02-13", { dueInWorkingDays: 3 })).toBe("2026-02-25");
  });

  it("a 差评 follow-up: 15 working days from a rating on Mon 2026-09-21 (中秋 09-25..27) is 10-21 past 国庆", () => {
    // 09-22,23,24 (3), 09-28,29,30 (6), 10-08,09,10 (9), 10-12..16 (14), 10-19 (15)
    expect(due("2026-09-21", { dueInWorkingDays: 15 })).toBe("2026-10-19");
  });

  it("takes a date as given, after the start only", () => {
    expect(due("2026-09-29", { dueOn: "2026-10-05" })).toBe("2026-10-05");
    expect(due("2026-09-29", { dueOn: "2026-09-29" })).toMatchObject({ field: "dueOn" });
  });

  it("refuses 0, negative, fractional and over-long deadlines with a Chinese reason", () => {
    for (const n of [0, -2, 1.5]) expect(due("2026-09-29", { dueInWorkingDays: n })).toEqual({ field: "dueInWorkingDays", message: "完成时限应为至少 1 个工作日" });
    expect(due("2026-09-29", { dueInWorkingDays: 251 })).toMatchObject({ field: "dueInWorkingDays", message: expect.stringContaining("250") });
  });
});

describe("an action item's countdown and ladder", () => {
  const item = { status: "open" as const, dueOn: toDay("2026-10-08"), closedOn: null };
  it("counts down like a running approval: yellow with 1 working day left, red the day after the due date", () => {
    expect(readActionClock(item, toDay("2026-09-29"), cal, 1)).toEqual({ remainingWorkingDays: 2, warning: "none", onTime: null });
    expect(readActionClock(item, toDay("2026-09-30"), cal, 1)).toEqual({ remainingWorkingDays: 1, warning: "yellow", onTime: null });
    expect(readActionClock(item, toDay("2026-10-09"), cal, 1)).toEqual({ remainingWorkingDays: -1, warning: "red", onTime: null });
  });

  it("stops when closed, on time when closed on or before the due date", () => {
    expect(readActionClock({ status: "closed", dueOn: item.dueOn, closedOn: toDay("2026-10-08") }, toDay("2026-10-20"), cal, 1)).toEqual({ remainingWorkingDays: null, warning: "none", onTime: true });
    expect(readActionClock({ status: "closed", dueOn: item.dueOn, closedOn: toDay("2026-10-09") }, toDay("2026-10-20"), cal, 1).onTime).toBe(false);
  });

  it("escalates on the approvals' ladder: yellow 09-30, red 10-09, supervise 10-12, leader 10-21, keyed per action item", () => {
    const plan = planActionItemEscalations(42, toDay("2026-10-08"), toDay("2026-09-29"), cal, DEFAULT_POLICY);
    // red +1: 10-09; supervise +3: 10-09, 10-10 (make-up Sat), 10-12; leader +10: …10-12 (3), 13,14,15,16 (7), 19,20,21 (10)
    expect(Object.fromEntries(plan.map((p) => [p.level, formatDay(p.fireOn)]))).toEqual({ yellow: "2026-09-30", red: "2026-10-09", supervise: "2026-10-12", leader: "2026-10-21" });
    expect(plan.map((p) => p.dedupeKey)).toEqual(["action-42-yellow-2026-10-08", "action-42-red-2026-10-08", "action-42-supervise-2026-10-08", "action-42-leader-2026-10-08"]);
  });
});

describe("an action item recorded after its due date (minutes written up late)", () => {
  it("plans no 预警: 'n days left' would be untrue; red, supervise and leader still come", () => {
    const plan = planActionItemEscalations(7, toDay("2026-03-04"), toDay("2026-03-02"), cal, DEFAULT_POLICY, toDay("2026-03-09"));
    expect(plan.map((p) => p.level)).toEqual(["red", "supervise", "leader"]);
    // Recorded on the due date itself, the warning still stands.
    expect(planActionItemEscalations(7, toDay("2026-03-04"), toDay("2026-03-02"), cal, DEFAULT_POLICY, toDay("2026-03-04")).map((p) => p.level)).toContain("yellow");
  });
});
