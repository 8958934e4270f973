import { describe, expect, it } from "vitest";
import { DEFAULT_DEPARTMENT_CODES } from "~/domain/catalog/departments";
import { createWorkingCalendar, formatDay, officialCalendarData, toDay } from "~/domain/calendar";
import {
  initialClockState,
  replayClock,
  type ClockEvent,
  type ClockEventType,
  type ClockSpec,
  type ClockState,
  type ItemKind,
} from "~/domain/clock";
import { describeProblems, validateTemplate, type Template } from "~/domain/graph/template";
import {
  computeSchedule,
  serializeSchedule,
  type ScheduleEdgeInput,
  type ScheduleItemInput,
  type ScheduledItem,
} from "~/domain/schedule";

const cal = createWorkingCalendar(officialCalendarData());
const D = toDay;
const fmt = (d: number | null) => (d === null ? null : formatDay(d));

function spec(kind: ItemKind, days: number, over: Partial<ClockSpec> = {}): ClockSpec {
  return {
    kind,
    statutoryLimit: kind === "approval" ? days : null,
    promisedLimit: kind === "approval" ? days : null,
    limitUnit: "workingDays",
    plannedDuration: kind === "intermediary" || kind === "owner" ? days : null,
    correctionRestartsClock: false,
    yellowLead: null,
    ...over,
  };
}

type Ev = [ClockEventType, string];

function item(key: string, kind: ItemKind, days: number, events: Ev[] = [], over: Partial<ClockSpec> = {}): ScheduleItemInput {
  const s = spec(kind, days, over);
  const state: ClockState = events.length
    ? replayClock(
        events.map(([type, on]): ClockEvent => ({ type, on: D(on) })),
        s,
        cal,
      )
    : initialClockState();
  return { key, name: key, department: kind === "approval" ? "发改" : null, kind, stage: 1, spec: s, state };
}

// The 开工 milestone is the milestone named 开工 (DESIGN §4), so the fixture's carries that name.
const start = (events: Ev[] = []): ScheduleItemInput => ({ ...item("start", "milestone", 0, events), name: "开工" });

function edge(from: string, to: string, lagWorkingDays = 0): ScheduleEdgeInput {
  return { from, to, lagWorkingDays };
}

/** The schedule's dates of one item as YYYY-MM-DD, for readable expectations. */
function dates(it: ScheduledItem) {
  return {
    es: fmt(it.earliestStart),
    ef: fmt(it.earliestFinish),
    ls: fmt(it.latestStart),
    lf: fmt(it.latestFinish),
    slack: it.totalSlack,
  };
}

function byKey(items: ScheduledItem[]) {
  return Object.fromEntries(items.map((i) => [i.key, i]));
}

describe("computeSchedule: a chain with lags", () => {
  // T = Mon 2026-03-02; target Sat 2026-04-04 (清明) → last working day on or before = Fri 04-03.
  const s = computeSchedule(
    {
      items: [item("filing", "approval", 1), item("land", "owner", 10), item("plan", "approval", 5), start()],
      edges: [edge("filing", "land"), edge("land", "plan", 2), edge("plan", "start")],
      targetStartOn: D("2026-04-04"),
    },
    cal,
    D("2026-03-02"),
  );
  const it_ = byKey(s.items);

  it("forward pass", () => {
    // filing: ES = T = 03-02, EF = +1 WD = 03-03.
    // land: ES = 03-03, EF = +10 WD = 04, 05, 06, 09, 10, 11, 12, 13, 16, 17 → 03-17.
    // plan: ES = 03-17 + lag 2 = 18, 19 → 03-19; EF = +5 = 20, 23, 24, 25, 26 → 03-26.
    // start: ES = EF = 03-26.
    expect([dates(it_.filing).es, dates(it_.filing).ef]).toEqual(["2026-03-02", "2026-03-03"]);
    expect([dates(it_.land).es, dates(it_.land).ef]).toEqual(["2026-03-03", "2026-03-17"]);
    expect([dates(it_.plan).es, dates(it_.plan).ef]).toEqual(["2026-03-19", "2026-03-26"]);
    expect([dates(it_.start).es, dates(it_.start).ef]).toEqual(["2026-03-26", "2026-03-26"]);
    expect(it_.land.duration).toBe(10);
    expect(it_.start.duration).toBe(0);
    expect(fmt(s.forecastStartOn)).toBe("2026-03-26");
    expect(s.atRisk).toBe(false);
    expect(s.provisional).toBe(false);
  });

  it("backward pass from the last working day before the target", () => {
    // start: LF = LS = 04-03; slack = WD in (03-26, 04-03] = 27, 30, 31, 04-01, 02, 03 = 6.
    // plan: LF = 04-03, LS = −5 WD = 02, 01, 31, 30, 27 → 03-27; slack 6.
    // land: LF = 03-27 − lag 2 = 26, 25 → 03-25; LS = −10 WD = 24, 23, 20, 19, 18, 17, 16, 13, 12, 11 → 03-11;
    //       slack = (03-17, 03-25] = 18, 19, 20, 23, 24, 25 = 6.
    // filing: LF = 03-11, LS = 03-10, slack = (03-03, 03-11] = 04, 05, 06, 09, 10, 11 = 6.
    expect(dates(it_.start)).toMatchObject({ ls: "2026-04-03", lf: "2026-04-03", slack: 6 });
    expect(dates(it_.plan)).toMatchObject({ ls: "2026-03-27", lf: "2026-04-03", slack: 6 });
    expect(dates(it_.land)).toMatchObject({ ls: "2026-03-11", lf: "2026-03-25", slack: 6 });
    expect(dates(it_.filing)).toMatchObject({ ls: "2026-03-10", lf: "2026-03-11", slack: 6 });
    // One chain: every item has the minimum slack.
    expect(s.criticalPath).toEqual(["filing", "land", "plan", "start"]);
    expect(s.items.every((i) => i.critical)).toBe(true);
  });

  it("ready = not started and every predecessor finished", () => {
    expect(it_.filing.ready).toBe(true);
    expect(it_.land.ready).toBe(false);
    expect(it_.start.ready).toBe(false);
  });

  it("keeps the input order of items", () => {
    expect(s.items.map((i) => i.key)).toEqual(["filing", "land", "plan", "start"]);
  });
});

describe("computeSchedule: parallel branches, negative slack, at risk", () => {
  // filing → eia_doc (中介 20) → eia (10) → start; filing → energy (5) → start.
  // T = Mon 2026-03-02, target Fri 2026-03-20.
  const s = computeSchedule(
    {
      items: [
        item("filing", "approval", 1),
        item("eia_doc", "intermediary", 20),
        item("eia", "approval", 10),
        item("energy", "approval", 5),
        start(),
      ],
      edges: [
        edge("filing", "eia_doc"),
        edge("eia_doc", "eia"),
        edge("filing", "energy"),
        edge("eia", "start"),
        edge("energy", "start"),
      ],
      targetStartOn: D("2026-03-20"),
    },
    cal,
    D("2026-03-02"),
  );
  const it_ = byKey(s.items);

  it("forecasts the start from the longest branch and flags the risk", () => {
    // filing 03-02 → 03-03. eia_doc: 03-03 + 20 WD = 04, 05, 06 (3), 09–13 (8), 16–20 (13), 23–27 (18), 30, 31 (20) → 03-31.
    // eia: 03-31 + 10 WD = 04-01, 02, 03 (3), [04-04…06 清明], 07–10 (7), 13, 14, 15 (10) → 04-15.
    // energy: 03-03 + 5 WD = 04, 05, 06, 09, 10 → 03-10. start = max(04-15, 03-10) = 04-15.
    expect(dates(it_.eia_doc)).toMatchObject({ es: "2026-03-03", ef: "2026-03-31" });
    expect(dates(it_.eia)).toMatchObject({ es: "2026-03-31", ef: "2026-04-15" });
    expect(dates(it_.energy)).toMatchObject({ es: "2026-03-03", ef: "2026-03-10" });
    expect(fmt(s.forecastStartOn)).toBe("2026-04-15");
    expect(s.atRisk).toBe(true);
  });

  it("gives negative slack on the late chain and keeps it as the critical path", () => {
    // start: slack = −(03-20, 04-15] = −(23–27 (5), 30, 31 (7), 04-01…03 (10), 07–10 (14), 13–15 (17)) = −17.
    // eia: LF 03-20, LS = −10 WD = 19, 18, 17, 16, 13, 12, 11, 10, 09, 06 → 03-06; slack −17.
    // eia_doc: LF 03-06, LS = −20 WD = 05, 04, 03, 02, Sat 02-28, 27, 26, 25, 24, [春节], Sat 02-14, 13, 12, 11,
    //          10, 09, 06, 05, 04, 03, 02 → 02-02; slack = −(03-06, 03-31] = −17.
    // energy: LF 03-20, LS = 19, 18, 17, 16, 13 → 03-13; slack = (03-10, 03-20] = 8.
    // filing: LF = min(03-20, 02-02, 03-13) = 02-02, LS = Fri 01-30;
    //         slack = −(02-02, 03-03] = −(03–06 (4), 09–13 (9), 14 (10), 24–28 (15), 03-02, 03 (17)) = −17.
    expect(dates(it_.start)).toMatchObject({ lf: "2026-03-20", slack: -17 });
    expect(dates(it_.eia)).toMatchObject({ ls: "2026-03-06", lf: "2026-03-20", slack: -17 });
    expect(dates(it_.eia_doc)).toMatchObject({ ls: "2026-02-02", lf: "2026-03-06", slack: -17 });
    expect(dates(it_.energy)).toMatchObject({ ls: "2026-03-13", lf: "2026-03-20", slack: 8 });
    expect(dates(it_.filing)).toMatchObject({ ls: "2026-01-30", lf: "2026-02-02", slack: -17 });
    expect(s.criticalPath).toEqual(["filing", "eia_doc", "eia", "start"]);
    expect(it_.energy.critical).toBe(false);
  });
});

describe("computeSchedule: items under way use their actual dates", () => {
  // T = Mon 2026-03-16, target Tue 2026-03-31.
  const T = "2026-03-16";
  const s = computeSchedule(
    {
      items: [
        // Accepted 03-02, approved 03-03.
        item("filing", "approval", 1, [["accept", "2026-03-02"], ["approve", "2026-03-03"]]),
        // Started 03-02, 5 WD → due 03-09, overdue at T.
        item("survey", "intermediary", 5, [["accept", "2026-03-02"]]),
        // Started 03-03, 10 WD → due 03-17.
        item("land", "owner", 10, [["accept", "2026-03-03"]]),
        // Accepted 03-04, 10 WD → due 05, 06, 09, 10, 11, 12, 13, 16, 17, 18 → 03-18;
        // 补正 from 03-10: remaining = (03-10, 03-18] = 11, 12, 13, 16, 17, 18 = 6.
        item("eia", "approval", 10, [["accept", "2026-03-04"], ["request_correction", "2026-03-10"]]),
        item("energy", "approval", 5),
        item("plan", "approval", 5),
        // Rejected earlier: to be refiled.
        item("water", "approval", 3, [["accept", "2026-03-04"], ["reject", "2026-03-06"]]),
        start(),
      ],
      edges: [
        edge("filing", "land"),
        edge("filing", "eia"),
        edge("filing", "energy"),
        edge("filing", "water"),
        edge("land", "plan"),
        edge("survey", "plan"),
        edge("eia", "start"),
        edge("energy", "start"),
        edge("plan", "start"),
        edge("water", "start"),
      ],
      targetStartOn: D("2026-03-31"),
    },
    cal,
    D(T),
  );
  const it_ = byKey(s.items);

  it("finished: ES = acceptedOn, EF = decision date, no latest dates", () => {
    expect(dates(it_.filing)).toEqual({ es: "2026-03-02", ef: "2026-03-03", ls: null, lf: null, slack: null });
    expect(it_.filing.critical).toBe(false);
    expect(it_.filing.ready).toBe(false);
  });

  it("running: ES = acceptedOn, EF = max(dueOn, T)", () => {
    // land due 03-17 > T. survey due 03-09 < T → EF = T = 03-16.
    expect(dates(it_.land)).toMatchObject({ es: "2026-03-03", ef: "2026-03-17" });
    expect(dates(it_.survey)).toMatchObject({ es: "2026-03-02", ef: "2026-03-16" });
    // land: remaining (03-16, 03-17] = 1 → yellow. survey: −(03-09, 03-16] = −(10, 11, 12, 13, 16) = −5 → red.
    expect(it_.land).toMatchObject({ remainingWorkingDays: 1, warning: "yellow", paused: false });
    expect(fmt(it_.land.dueOn)).toBe("2026-03-17");
    expect(it_.survey).toMatchObject({ remainingWorkingDays: -5, warning: "red" });
    expect(fmt(it_.survey.acceptedOn)).toBe("2026-03-02");
  });

  it("paused: ES = acceptedOn, EF = T + remaining at pause, no warning", () => {
    // EF = 03-16 + 6 WD = 17, 18, 19, 20, 23, 24 → 03-24.
    expect(dates(it_.eia)).toMatchObject({ es: "2026-03-04", ef: "2026-03-24" });
    expect(it_.eia).toMatchObject({ paused: true, warning: "none", remainingWorkingDays: 6, status: "correction" });
    expect(fmt(it_.eia.dueOn)).toBe("2026-03-24");
  });

  it("pending items follow their predecessors and T", () => {
    // energy: ES = max(T, EF(filing) 03-03) = 03-16, EF = 17, 18, 19, 20, 23 → 03-23.
    // plan: ES = max(T, 03-17, 03-16) = 03-17, EF = 18, 19, 20, 23, 24 → 03-24.
    // water (rejected, refile): ES = T, EF = 17, 18, 19 → 03-19.
    // start: ES = max(03-24, 03-23, 03-24, 03-19) = 03-24.
    expect(dates(it_.energy)).toMatchObject({ es: "2026-03-16", ef: "2026-03-23" });
    expect(dates(it_.plan)).toMatchObject({ es: "2026-03-17", ef: "2026-03-24" });
    expect(dates(it_.water)).toMatchObject({ es: "2026-03-16", ef: "2026-03-19" });
    expect(fmt(s.forecastStartOn)).toBe("2026-03-24");
    expect(s.atRisk).toBe(false);
  });

  it("slack and the critical path among unfinished items", () => {
    // start/eia/plan: slack = (03-24, 03-31] = 25, 26, 27, 30, 31 = 5.
    // land: LF = LS(plan) = 03-31 − 5 WD = 30, 27, 26, 25, 24 → 03-24; slack = (03-17, 03-24] = 5.
    // survey: LF = 03-24, slack = (03-16, 03-24] = 6. energy: (03-23, 03-31] = 6. water: (03-19, 03-31] = 8.
    expect(it_.start.totalSlack).toBe(5);
    expect(it_.eia.totalSlack).toBe(5);
    expect(it_.plan.totalSlack).toBe(5);
    expect(dates(it_.land)).toMatchObject({ lf: "2026-03-24", slack: 5 });
    expect(it_.survey.totalSlack).toBe(6);
    expect(it_.energy.totalSlack).toBe(6);
    expect(it_.water.totalSlack).toBe(8);
    // Topological order (Kahn, ties in input order): filing, survey, land, eia, energy, water, plan, start.
    expect(s.criticalPath).toEqual(["land", "eia", "plan", "start"]);
  });

  it("ready-to-file: pending or rejected with every predecessor finished", () => {
    expect(it_.energy.ready).toBe(true);
    expect(it_.water.ready).toBe(true);
    expect(it_.plan.ready).toBe(false); // land and survey still running
    expect(it_.eia.ready).toBe(false); // under way
    expect(it_.start.ready).toBe(false);
  });
});

describe("computeSchedule: items after 开工 do not constrain it", () => {
  // filing (1) → permit (5) → start → acceptance (20); filing → discharge (排污许可, 30), not gating 开工.
  const items = [
    item("filing", "approval", 1),
    item("permit", "approval", 5),
    start(),
    item("acceptance", "approval", 20),
    item("discharge", "approval", 30),
  ];
  const edges = [edge("filing", "permit"), edge("permit", "start"), edge("start", "acceptance"), edge("filing", "discharge")];
  // Forward (T = Mon 03-02): filing 03-02 → 03-03; permit 03-03 → 04, 05, 06, 09, 10 → 03-10; start 03-10;
  // acceptance 03-10 + 20 WD = 11–13 (3), 16–20 (8), 23–27 (13), 30, 31 (15), 04-01…03 (18), 07, 08 (20) → 04-08;
  // discharge 03-03 + 30 WD = 03-31 (20th, see above) + 04-01…03 (23), 07–10 (27), 13–15 (30) → 04-15.
  // Horizon = latest EF = 04-15.

  it("late start: negative slack on the gating chain; post-start items are never critical", () => {
    const s = computeSchedule({ items, edges, targetStartOn: D("2026-03-06") }, cal, D("2026-03-02"));
    const it_ = byKey(s.items);
    // start LF = Fri 03-06, slack = −(03-06, 03-10] = −2; permit LF 03-06, LS = 05, 04, 03, 02, Sat 02-28 → 02-28;
    // filing LF = 02-28, slack = −(02-28, 03-03] = −(03-02, 03-03) = −2.
    expect(fmt(s.forecastStartOn)).toBe("2026-03-10");
    expect(s.atRisk).toBe(true);
    expect(dates(it_.start)).toMatchObject({ lf: "2026-03-06", slack: -2 });
    expect(dates(it_.permit)).toMatchObject({ ls: "2026-02-28", lf: "2026-03-06", slack: -2 });
    expect(dates(it_.filing)).toMatchObject({ lf: "2026-02-28", slack: -2 });
    // acceptance: sink after 开工 → LF = horizon 04-15, slack = (04-08, 04-15] = 09, 10, 13, 14, 15 = 5.
    // discharge: LF = 04-15 = EF → slack 0, yet not critical (it does not gate 开工).
    expect(dates(it_.acceptance)).toMatchObject({ ef: "2026-04-08", lf: "2026-04-15", slack: 5 });
    expect(dates(it_.discharge)).toMatchObject({ ef: "2026-04-15", ls: "2026-03-03", lf: "2026-04-15", slack: 0 });
    expect(it_.acceptance.critical).toBe(false);
    expect(it_.discharge.critical).toBe(false);
    expect(s.criticalPath).toEqual(["filing", "permit", "start"]);
  });

  it("roomy target: a pre-start item's LF ignores its post-start successors", () => {
    const s = computeSchedule({ items, edges, targetStartOn: D("2026-04-30") }, cal, D("2026-03-02"));
    const it_ = byKey(s.items);
    // start LF = Thu 04-30; slack = (03-10, 04-30] = 11–13 (3), 16–20 (8), 23–27 (13), 30–31 (15), 04-01…03 (18),
    // 07–10 (22), 13–17 (27), 20–24 (32), 27–30 (36) = 36.
    // permit LS = 04-30 − 5 WD = 29, 28, 27, 24, 23 → 04-23. filing LF = 04-23 (discharge's LS 03-03 ignored),
    // slack = (03-03, 04-23] = 5 + (36 − 5) = 36.
    expect(it_.start.totalSlack).toBe(36);
    expect(dates(it_.filing)).toMatchObject({ lf: "2026-04-23", slack: 36 });
    expect(it_.discharge.totalSlack).toBe(0);
    expect(s.criticalPath).toEqual(["filing", "permit", "start"]);
    expect(s.atRisk).toBe(false);
  });
});

describe("computeSchedule: other cases", () => {
  it("without a start milestone the latest sink stands in and the whole graph gates it", () => {
    // T = Mon 03-02, target Fri 03-06. a: 5 WD → Mon 03-09; b: 3 WD → Thu 03-05.
    // a: LF 03-06, slack = −(03-06, 03-09] = −1. b: slack = (03-05, 03-06] = 1.
    const s = computeSchedule(
      { items: [item("a", "approval", 5), item("b", "approval", 3)], edges: [], targetStartOn: D("2026-03-06") },
      cal,
      D("2026-03-02"),
    );
    expect(fmt(s.forecastStartOn)).toBe("2026-03-09");
    expect(s.atRisk).toBe(true);
    expect(s.items.map((i) => i.totalSlack)).toEqual([-1, 1]);
    expect(s.criticalPath).toEqual(["a"]);
  });

  it("uses startKey when the milestone has another key", () => {
    const s = computeSchedule(
      {
        items: [item("a", "approval", 5), item("kaigong", "milestone", 0), item("after", "approval", 50)],
        edges: [edge("a", "kaigong"), edge("kaigong", "after")],
        targetStartOn: D("2026-03-09"),
        startKey: "kaigong",
      },
      cal,
      D("2026-03-02"),
    );
    // a: 03-02 + 5 WD = 03-09 = forecast; target Mon 03-09 → slack 0, on time.
    expect(fmt(s.forecastStartOn)).toBe("2026-03-09");
    expect(s.atRisk).toBe(false);
    expect(s.criticalPath).toEqual(["a", "kaigong"]);
  });

  it("converts calendar-day limits to the working days they span from ES", () => {
    // ES = T = Tue 02-10; 30 calendar days → 03-12; WD in (02-10, 03-12] = 11–14 (4), 24–28 (9), 03-02…06 (14),
    // 09–12 (18) = 18. EF = 02-10 + 18 WD = 03-12.
    const s = computeSchedule(
      {
        items: [item("eia", "approval", 30, [], { limitUnit: "calendarDays" }), start()],
        edges: [edge("eia", "start")],
        targetStartOn: D("2026-03-31"),
      },
      cal,
      D("2026-02-10"),
    );
    expect(s.items[0].duration).toBe(18);
    expect(fmt(s.items[0].earliestFinish)).toBe("2026-03-12");
  });

  it("lags on edges into a finished successor do not break the forward pass", () => {
    // Milestone already reached (approved 03-05): forecast = its actual date; nothing left is critical.
    const s = computeSchedule(
      {
        items: [
          item("a", "approval", 1, [["accept", "2026-03-02"], ["approve", "2026-03-03"]]),
          start([["approve", "2026-03-05"]]),
        ],
        edges: [edge("a", "start", 3)],
        targetStartOn: D("2026-03-31"),
      },
      cal,
      D("2026-03-16"),
    );
    expect(fmt(s.forecastStartOn)).toBe("2026-03-05");
    expect(s.criticalPath).toEqual([]);
    expect(s.items[1]).toMatchObject({ status: "approved", totalSlack: null, critical: false });
  });

  it("is provisional when the target lies in 2027 (no official data)", () => {
    const items = [item("a", "approval", 5), start()];
    const edges = [edge("a", "start")];
    expect(computeSchedule({ items, edges, targetStartOn: D("2027-03-01") }, cal, D("2026-12-01")).provisional).toBe(true);
    expect(computeSchedule({ items, edges, targetStartOn: D("2026-12-31") }, cal, D("2026-12-01")).provisional).toBe(false);
    // Target in 2026 but the work runs into 2027: 12-15 + 20 WD ends in January 2027.
    const long = [item("a", "approval", 20), start()];
    expect(computeSchedule({ items: long, edges, targetStartOn: D("2026-12-31") }, cal, D("2026-12-15")).provisional).toBe(true);
  });

  it("throws on a cycle, naming it", () => {
    const items = [item("a", "approval", 1), item("b", "approval", 1), start()];
    expect(() =>
      computeSchedule(
        { items, edges: [edge("a", "b"), edge("b", "a"), edge("b", "start")], targetStartOn: D("2026-03-31") },
        cal,
        D("2026-03-02"),
      ),
    ).toThrow(/循环.*a → b → a/);
  });

  it("throws on an edge to an unknown item and on duplicate keys", () => {
    const items = [item("a", "approval", 1), start()];
    expect(() =>
      computeSchedule({ items, edges: [edge("a", "zzz")], targetStartOn: D("2026-03-31") }, cal, D("2026-03-02")),
    ).toThrow(/zzz/);
    expect(() =>
      computeSchedule({ items: [...items, item("a", "approval", 2)], edges: [], targetStartOn: D("2026-03-31") }, cal, D("2026-03-02")),
    ).toThrow(/重复/);
  });
});

describe("serializeSchedule", () => {
  it("emits exactly the §6 JSON fields with YYYY-MM-DD dates", () => {
    const s = computeSchedule(
      {
        items: [item("filing", "approval", 1, [["accept", "2026-03-02"], ["approve", "2026-03-03"]]), item("eia", "approval", 10), start()],
        edges: [edge("filing", "eia"), edge("eia", "start")],
        targetStartOn: D("2026-04-30"),
      },
      cal,
      D("2026-03-16"),
    );
    const json = serializeSchedule(s, cal);
    expect(Object.keys(json)).toEqual([
      "asOf",
      "targetStartOn",
      "forecastStartOn",
      "atRisk",
      "criticalPath",
      "provisional",
      "items",
    ]);
    expect(Object.keys(json.items[0])).toEqual([
      "key",
      "name",
      "department",
      "kind",
      "status",
      "duration",
      "earliestStart",
      "earliestFinish",
      "latestStart",
      "latestFinish",
      "totalSlack",
      "critical",
      "acceptedOn",
      "dueOn",
      "remainingWorkingDays",
      "warning",
    ]);
    // eia: ES = T = 03-16, EF = +10 WD = 17, 18, 19, 20, 23, 24, 25, 26, 27, 30 → 03-30.
    expect(json).toMatchObject({ asOf: "2026-03-16", targetStartOn: "2026-04-30", forecastStartOn: "2026-03-30" });
    expect(json.items[0]).toMatchObject({ acceptedOn: "2026-03-02", latestStart: null, totalSlack: null, dueOn: "2026-03-03" });
    expect(json.items[1]).toMatchObject({ earliestStart: "2026-03-16", earliestFinish: "2026-03-30", dueOn: null });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});

/** A validated template as schedule input, every item not started (what a new project holds). */
function fromTemplate(t: Template): { items: ScheduleItemInput[]; edges: ScheduleEdgeInput[] } {
  return {
    items: t.items.map((i) => ({
      key: i.key,
      name: i.name,
      department: i.department ?? null,
      kind: i.kind,
      stage: i.stage,
      spec: {
        kind: i.kind,
        statutoryLimit: i.statutoryLimit ?? null,
        promisedLimit: i.promisedLimit ?? null,
        limitUnit: i.limitUnit,
        plannedDuration: i.plannedDuration ?? null,
        correctionRestartsClock: i.correctionRestartsClock,
        yellowLead: i.yellowLead ?? null,
      },
      state: initialClockState(),
    })),
    edges: t.dependencies.map((d) => ({ from: d.from, to: d.to, lagWorkingDays: d.lagWorkingDays })),
  };
}

describe("computeSchedule: the 开工 milestone is the milestone named 开工, whatever its key", () => {
  it("plans back from a 开工 milestone keyed kaigong without being told its key", () => {
    // T = Mon 03-02. a: 5 WD → Mon 03-09 = EF(kaigong). after: 50 WD later, a sink after 开工.
    const items = [item("a", "approval", 5), { ...item("kaigong", "milestone", 0), name: "开工" }, item("after", "approval", 50)];
    const edges = [edge("a", "kaigong"), edge("kaigong", "after")];
    const late = computeSchedule({ items, edges, targetStartOn: D("2026-03-06") }, cal, D("2026-03-02"));
    const it_ = byKey(late.items);
    // forecast = EF of kaigong (not the latest sink, `after`); at risk against Fri 03-06.
    expect(fmt(late.forecastStartOn)).toBe("2026-03-09");
    expect(late.forecastStartOn).toBe(it_.kaigong.earliestFinish);
    expect(late.atRisk).toBe(true);
    // kaigong: LF = 03-06, slack = −(03-06, 03-09] = −1; `after` does not gate it.
    expect(dates(it_.kaigong)).toMatchObject({ lf: "2026-03-06", slack: -1 });
    expect(late.criticalPath).toEqual(["a", "kaigong"]);
    expect(it_.after.critical).toBe(false);

    const onTime = computeSchedule({ items, edges, targetStartOn: D("2026-03-09") }, cal, D("2026-03-02"));
    expect(onTime.atRisk).toBe(false);
    expect(byKey(onTime.items).kaigong.totalSlack).toBe(0);
  });

  it("a validated template whose 开工 milestone is keyed kaigong schedules from it", () => {
    const r = validateTemplate(
      {
        key: "provincial",
        version: 1,
        name: "省平台模板",
        items: [
          { key: "filing", name: "企业投资项目备案", kind: "approval", department: "发改", stage: 1, statutoryLimit: 1 },
          { key: "permit", name: "施工许可", kind: "approval", department: "住建", stage: 3, statutoryLimit: 5 },
          { key: "kaigong", name: "开工", kind: "milestone" },
          { key: "acceptance", name: "联合验收", kind: "approval", department: "住建", stage: 4, statutoryLimit: 20 },
        ],
        dependencies: [
          { from: "filing", to: "permit" },
          { from: "permit", to: "kaigong" },
          { from: "kaigong", to: "acceptance" },
        ],
      },
      { file: "inline.json", departments: DEFAULT_DEPARTMENT_CODES },
    );
    if (!r.ok) throw new Error(describeProblems(r.problems));
    // Same shape as "items after 开工 do not constrain it": filing 03-02 → 03-03, permit → 03-10 = 开工,
    // acceptance → 04-08. Target Fri 03-06 → late by 2 working days.
    const s = computeSchedule({ ...fromTemplate(r.template), targetStartOn: D("2026-03-06") }, cal, D("2026-03-02"));
    const it_ = byKey(s.items);
    expect(fmt(s.forecastStartOn)).toBe("2026-03-10");
    expect(s.forecastStartOn).toBe(it_.kaigong.earliestFinish);
    expect(s.atRisk).toBe(true);
    expect(dates(it_.kaigong)).toMatchObject({ lf: "2026-03-06", slack: -2 });
    expect(s.criticalPath).toEqual(["filing", "permit", "kaigong"]);
    expect(dates(it_.acceptance)).toMatchObject({ ef: "2026-04-08", lf: "2026-04-08", slack: 0 });
    expect(it_.acceptance.critical).toBe(false);
  });

  it("without a 开工 milestone the latest sink stands in; a milestone named 竣工 (even keyed start) is not 开工", () => {
    // T = Mon 03-02, target Fri 03-20. a: 5 WD → 03-09 → start(竣工) 03-09; b: 10 WD → Mon 03-16.
    const items = [item("a", "approval", 5), { ...item("start", "milestone", 0), name: "竣工" }, item("b", "approval", 10)];
    const edges = [edge("a", "start")];
    const s = computeSchedule({ items, edges, targetStartOn: D("2026-03-20") }, cal, D("2026-03-02"));
    const it_ = byKey(s.items);
    // Latest sink = b (03-16), not the 竣工 milestone (03-09); the whole graph gates the start.
    expect(fmt(s.forecastStartOn)).toBe("2026-03-16");
    expect(s.atRisk).toBe(false);
    // b: slack = (03-16, 03-20] = 4; start and a: (03-09, 03-20] = 9. Minimum 4 → only b is critical.
    expect(it_.b.totalSlack).toBe(4);
    expect(it_.start.totalSlack).toBe(9);
    expect(it_.a.totalSlack).toBe(9);
    expect(s.criticalPath).toEqual(["b"]);

    // A caller that names the milestone still decides.
    const named = computeSchedule({ items, edges, targetStartOn: D("2026-03-20"), startKey: "start" }, cal, D("2026-03-02"));
    expect(fmt(named.forecastStartOn)).toBe("2026-03-09");
    expect(named.criticalPath).toEqual(["a", "start"]);
  });
});
