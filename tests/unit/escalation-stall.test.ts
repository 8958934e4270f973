import { describe, expect, it } from "vitest";
import { addCalendarDays, createWorkingCalendar, formatDay, officialCalendarData, toDay } from "~/domain/calendar";
import { DEFAULT_POLICY } from "~/domain/escalation/policy";
import { idleWorkingDays, isStalled, planStallEscalation, stallsOn, type StallFacts } from "~/domain/escalation/stall";

/* 2026 official data: 国庆 Thu 10-01 – Wed 10-07 rest, Sat 10-10 a make-up working day. */
const cal = createWorkingCalendar(officialCalendarData());
const d = toDay;
const open = (lastProgressOn: string): StallFacts => ({ projectActive: true, hasOpenItems: true, lastProgressOn: d(lastProgressOn) });

describe("the stall rule (DESIGN §4: one stallAfter for the escalation, the dashboard and the API)", () => {
  it("counts working days since the last progress, across 国庆", () => {
    // last progress Wed 09-30; on Mon 10-12: 10-08, 10-09, 10-10 (make-up), 10-12 → 4
    expect(idleWorkingDays(open("2026-09-30"), d("2026-10-12"), cal)).toBe(4);
  });

  it("4 idle working days: stalled with stallAfter 3 and 4, not with 5", () => {
    expect(isStalled(open("2026-09-30"), d("2026-10-12"), 3, cal)).toBe(true);
    expect(isStalled(open("2026-09-30"), d("2026-10-12"), 4, cal)).toBe(true);
    expect(isStalled(open("2026-09-30"), d("2026-10-12"), 5, cal)).toBe(false);
  });

  it("a project that cannot stall: inactive, nothing open, or no progress date", () => {
    const asOf = d("2026-12-01");
    for (const facts of [
      { ...open("2026-09-30"), projectActive: false },
      { ...open("2026-09-30"), hasOpenItems: false },
      { projectActive: true, hasOpenItems: true, lastProgressOn: null },
    ]) {
      expect(idleWorkingDays(facts, asOf, cal)).toBeNull();
      expect(isStalled(facts, asOf, 1, cal)).toBe(false);
      expect(stallsOn(facts, 1, cal)).toBeNull();
      expect(planStallEscalation(1, facts, cal, DEFAULT_POLICY)).toBeNull();
    }
  });

  it("the stall escalation fires exactly on the first day the project counts as stalled", () => {
    // For every last-progress date from September to November 2026 and stallAfter 1..7:
    // stalled on stallsOn(), not stalled on the working day before it.
    for (let day = d("2026-09-01"); day <= d("2026-11-30"); day = addCalendarDays(day, 1)) {
      for (let n = 1; n <= 7; n++) {
        const facts = open(formatDay(day));
        const on = stallsOn(facts, n, cal)!;
        expect(isStalled(facts, on, n, cal), `${formatDay(day)} +${n}`).toBe(true);
        expect(isStalled(facts, cal.addWorkingDays(on, -1), n, cal), `${formatDay(day)} +${n} (day before)`).toBe(false);
      }
    }
  });

  it("plans the stall 5 working days after the last progress, keyed by that date", () => {
    // last progress Thu 2026-04-30; 05-01..05-05 劳动节; 05-09 make-up Saturday:
    // 05-06(1), 07(2), 08(3), 09(4), 11(5) → 2026-05-11
    const s = planStallEscalation(3, open("2026-04-30"), cal, DEFAULT_POLICY)!;
    expect(formatDay(s.fireOn)).toBe("2026-05-11");
    expect(new Date(s.fireAt).toISOString()).toBe("2026-05-11T01:00:00.000Z");
    expect(s.dedupeKey).toBe("project-3-stall-2026-04-30");
  });
});
