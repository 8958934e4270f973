import { describe, expect, it } from "vitest";
import { createWorkingCalendar, formatDay, officialCalendarData, toDay, type DayNum } from "~/domain/calendar";
import { allowedEvents, replayClock, type ClockEvent, type ClockSpec } from "~/domain/clock";
import { DEFAULT_POLICY } from "~/domain/escalation/policy";
import { nextActions, type NextAction, type NextActionsInput, type NextItem } from "~/domain/workspace/next-actions";

/*
 * Hand-built projects mirroring the demo city's situations (scripts/demo-seed.ts),
 * all read on Fri 2026-11-27, the day the test demo city is seeded. No holidays
 * fall in November–December 2026, so working days are Monday–Friday:
 * 11-16 … 11-20, 11-23 … 11-27, 11-30, 12-01 … 12-04.
 */
const cal = createWorkingCalendar(officialCalendarData());
const D = toDay;
const ASOF = D("2026-11-27");
const policy = DEFAULT_POLICY; // yellowLead 1, stallAfter 5

function spec(over: Partial<ClockSpec> = {}): ClockSpec {
  return { kind: "approval", statutoryLimit: 20, promisedLimit: 5, limitUnit: "workingDays", plannedDuration: null, correctionRestartsClock: false, yellowLead: null, ...over };
}

const ev = (type: ClockEvent["type"], on: string, extra: Partial<ClockEvent> = {}): ClockEvent => ({ type, on: D(on), ...extra });

/**
 * An item as the workspace hands it over; `allowed` is what its clock allows (the viewer is its
 * proxy officer), except that a not-yet-started item is filed by 受理 unless a test says otherwise:
 * whether the clock also offers 申报 (submit) is the clock's business, tested on its own below.
 */
function item(key: string, over: Partial<Omit<NextItem, "spec" | "state">> & { spec?: Partial<ClockSpec>; events?: ClockEvent[] } = {}): NextItem {
  const s = spec(over.spec);
  const state = replayClock(over.events ?? [], s, cal);
  return {
    key,
    name: over.name ?? key,
    kind: s.kind,
    departmentName: over.departmentName ?? "住建",
    spec: s,
    state,
    ready: over.ready ?? false,
    critical: over.critical ?? false,
    earliestStart: over.earliestStart ?? ASOF,
    latestStart: over.latestStart ?? null,
    totalSlack: over.totalSlack ?? null,
    allowed: over.allowed ?? allowedEvents(state, s).filter((e) => e !== "submit"),
    missingMaterials: over.missingMaterials ?? [],
  };
}

function project(items: NextItem[], over: Partial<NextActionsInput> = {}): NextActionsInput {
  return { items, edges: [], project: { active: true, lastProgressOn: D("2026-11-26") }, meetingTasks: [], ...over };
}

const run = (input: NextActionsInput, asOf: DayNum = ASOF) => nextActions(input, asOf, cal, policy);
const brief = (a: NextAction) => [a.kind, a.key, a.action.label, a.action.event, a.tone];

describe("下一步 — each demo situation", () => {
  it("on time: a running item with days to spare asks for nothing; a ready one is to be filed (受理)", () => {
    const next = run(
      project([
        // accepted Wed 11-25, 5 WD → due Wed 12-02: 3 left, more than the yellow lead of 1.
        item("civil-defense-review", { events: [ev("accept", "2026-11-25")] }),
        item("filing", { ready: true, latestStart: D("2026-12-04"), missingMaterials: [] }),
      ]),
    );
    expect(next.map(brief)).toEqual([["ready", "filing", "受理", "accept", "blue"]]);
    expect(next[0].reason).toBe("前置事项已办结");
  });

  it("overdue (用地预审): accepted limit + 3 working days ago → 超期 3, 催办, first", () => {
    // The demo files it limit + 3 working days back: 5 WD from Tue 11-17 → due Tue 11-24; late 11-25, 11-26, 11-27.
    const next = run(project([item("site-preapproval", { name: "建设项目用地预审与选址意见书", departmentName: "自然资源", events: [ev("accept", "2026-11-17")] })]));
    expect(next.map(brief)).toEqual([["overdue", "site-preapproval", "催办", null, "red"]]);
    expect(next[0]).toMatchObject({ title: "建设项目用地预审与选址意见书", department: "自然资源", reason: "超期 3 个工作日（到期 2026-11-24）", on: D("2026-11-24") });
  });

  it("due within the yellow lead: the item's own lead (2) counts, else the deployment's (1)", () => {
    // Both accepted Fri 11-20 with 7 WD → due Tue 12-01: 2 working days left on 11-27.
    const own = item("construction-permit", { spec: { promisedLimit: 7, yellowLead: 2 }, events: [ev("accept", "2026-11-20")] });
    const deflt = item("scheme-review", { spec: { promisedLimit: 7 }, events: [ev("accept", "2026-11-20")] });
    expect(run(project([own, deflt])).map(brief)).toEqual([["dueSoon", "construction-permit", "跟进", null, "yellow"]]);
    expect(run(project([own]))[0].reason).toBe("剩余 2 个工作日（到期 2026-12-01）");
    // On the due day itself it is still yellow, 今日到期.
    expect(run(project([own]), D("2026-12-01"))[0].reason).toBe("今日到期（2026-12-01）");
  });

  it("in correction (环评补正): waiting on the enterprise → 补正收到", () => {
    // Accepted 6 WD back (Thu 11-19), correction asked 2 WD later (Mon 11-23).
    const next = run(project([item("eia-approval", { events: [ev("accept", "2026-11-19"), ev("request_correction", "2026-11-23")] })]));
    expect(next.map(brief)).toEqual([["correction", "eia-approval", "补正收到", "receive_correction", "blue"]]);
    expect(next[0].reason).toBe("等待企业补正（自 2026-11-23 起）");
  });

  it("special procedure (批前公示): the clock is frozen — never overdue — and 特别程序结束 moves it", () => {
    // 2 WD from Mon 11-23 would be due Wed 11-25, but the 公示 began Tue 11-24.
    const next = run(project([item("scheme-review", { spec: { promisedLimit: 2 }, events: [ev("accept", "2026-11-23"), ev("start_special", "2026-11-24")] })]));
    expect(next.map(brief)).toEqual([["waiting", "scheme-review", "特别程序结束", "end_special", "gray"]]);
    expect(next[0].reason).toBe("特别程序中（自 2026-11-24 起）");
  });

  it("stalled (no progress for 12 working days, stallAfter 5) → 记录代办日志, red", () => {
    const stalled = project([item("geotechnical-survey", { events: [ev("accept", "2026-10-28")], spec: { kind: "intermediary", promisedLimit: null, statutoryLimit: null, plannedDuration: 40 } })], {
      project: { active: true, lastProgressOn: D("2026-11-11") },
    });
    const next = run(stalled);
    expect(next.map(brief)).toEqual([["stalled", null, "记录代办日志", null, "red"]]);
    // (11-11, 11-27]: 11-12, 11-13, 11-16…11-20, 11-23…11-27 = 12; stalled since 11-11 + 5 WD = 11-18.
    expect(next[0]).toMatchObject({ reason: "12 个工作日无进展（最近进展 2026-11-11）", on: D("2026-11-18") });
    // Four idle days are not a stall yet.
    expect(run({ ...stalled, project: { active: true, lastProgressOn: D("2026-11-23") } })).toEqual([]);
  });

  it("at risk (开工目标紧): a ready item behind the plan turns yellow and says by how much", () => {
    const next = run(project([item("land-contract", { spec: { kind: "owner", promisedLimit: null, statutoryLimit: null, plannedDuration: 25 }, ready: true, critical: true, totalSlack: -4, latestStart: D("2026-11-23") })]));
    expect(next.map(brief)).toEqual([["ready", "land-contract", "受理", "accept", "yellow"]]);
    expect(next[0].reason).toBe("前置事项已办结，落后计划 4 个工作日");
    // On time but on the critical path: the latest start is named.
    const onTime = run(project([item("land-contract", { ready: true, critical: true, totalSlack: 0, latestStart: D("2026-12-02") })]));
    expect(onTime[0]).toMatchObject({ tone: "blue", reason: "前置事项已办结，关键路径，最迟 2026-12-02 开始" });
  });

  it("started: 开工 done, no stall however idle, and post-start items ready to file", () => {
    const milestone = { kind: "milestone" as const, promisedLimit: null, statutoryLimit: null };
    const next = run(
      project(
        [
          item("start", { name: "开工", spec: milestone, events: [ev("approve", "2026-10-30")] }),
          item("power-connection", { name: "电力接入（高压用电报装）", ready: true, latestStart: D("2027-03-01") }),
        ],
        { project: { active: false, lastProgressOn: D("2026-10-30") } },
      ),
    );
    expect(next.map(brief)).toEqual([["ready", "power-connection", "受理", "accept", "blue"]]);
  });

  it("a ready 开工 milestone is completed, not filed", () => {
    const next = run(project([item("start", { name: "开工", spec: { kind: "milestone", promisedLimit: null, statutoryLimit: null }, ready: true })]));
    expect(next.map(brief)).toEqual([["ready", "start", "标记完成", "approve", "blue"]]);
  });

  it("容缺受理: the commitment falling due asks for 容缺材料补齐; once late it is red", () => {
    // Accepted Wed 11-25 with 消防专篇 deferred to Mon 11-30 (10 WD limit → due 12-09).
    const committed = item("joint-drawing-review", {
      spec: { promisedLimit: 10 },
      events: [ev("accept", "2026-11-25", { deferredMaterials: ["施工图审查合格书（消防专篇）"], commitmentOn: D("2026-11-30") })],
    });
    const due = run(project([committed]));
    expect(due.map(brief)).toEqual([["commitment", "joint-drawing-review", "容缺材料补齐", "supply_deferred", "yellow"]]);
    expect(due[0].reason).toBe("容缺材料须在 1 个工作日内补齐（施工图审查合格书（消防专篇），期限 2026-11-30）");
    const late = run(project([committed]), D("2026-12-02"));
    expect(late.map(brief)).toEqual([["commitment", "joint-drawing-review", "容缺材料补齐", "supply_deferred", "red"]]);
    expect(late[0].reason).toBe("容缺材料逾期 2 个工作日（施工图审查合格书（消防专篇），期限 2026-11-30）");
    // Two days before the promise nothing is asked yet.
    expect(run(project([committed]), D("2026-11-26"))).toEqual([]);
  });
});

describe("下一步 — 申报 awaiting 受理 (行政许可法 §32: 5 working days)", () => {
  // Filed Mon 11-23: the department must accept or ask for corrections by Mon 11-30.
  const filed = (allowed?: NextItem["allowed"]) => item("energy-review", { events: [ev("submit", "2026-11-23")], ...(allowed ? { allowed } : {}) });

  it("waits on the department while the window is open, 受理 being the step", () => {
    const next = run(project([filed()]), D("2026-11-25"));
    expect(next.map(brief)).toEqual([["waiting", "energy-review", "受理", "accept", "gray"]]);
    expect(next[0].reason).toBe("已申报，待部门受理（自 2026-11-23 起）");
  });

  it("within the yellow lead it says how long the department has left — one entry, not two", () => {
    const next = run(project([filed([])]), D("2026-11-27"));
    expect(next.map(brief)).toEqual([["dueSoon", "energy-review", "催办受理", null, "yellow"]]);
    expect(next[0].reason).toBe("受理期限剩余 1 个工作日（2026-11-30 前受理或一次告知补正）");
  });
});

describe("下一步 — 施工许可证 waiting on running predecessors (demo project 1)", () => {
  const running = (key: string, name: string, on: string) => item(key, { name, events: [ev("accept", on)] });
  const items = [
    item("engineering-planning-permit", { name: "建设工程规划许可证", events: [ev("accept", "2026-10-27"), ev("approve", "2026-11-02")] }),
    running("joint-drawing-review", "施工图设计文件联合审查", "2026-11-25"),
    running("civil-defense-review", "人防工程设计审查", "2026-11-25"),
    item("construction-permit", {
      name: "建筑工程施工许可证（含质量安全监督手续）",
      earliestStart: D("2026-12-09"),
      missingMaterials: ["建筑工程施工许可申请表", "建设工程规划许可证", "施工合同"],
    }),
  ];
  const edges = [
    { from: "engineering-planning-permit", to: "construction-permit" },
    { from: "joint-drawing-review", to: "construction-permit" },
    { from: "civil-defense-review", to: "construction-permit" },
  ];

  it("is next in line: the materials the enterprise still owes are asked for now, the issued 规划许可证 is not", () => {
    const next = run(project(items, { edges }));
    expect(next.map(brief)).toEqual([["prepare", "construction-permit", "一次性告知企业备齐材料", null, "gray"]]);
    expect(next[0].reason).toBe("前置事项办理中（施工图设计文件联合审查、人防工程设计审查），尚缺 2 项材料：建筑工程施工许可申请表、施工合同");
  });

  it("once every predecessor is done it is ready: 受理, with the missing materials counted", () => {
    const done = items.map((i) => (i.state.status === "running" ? item(i.key, { name: i.name, events: [ev("accept", "2026-11-25"), ev("approve", "2026-11-27")] }) : i));
    const permit = done.find((i) => i.key === "construction-permit")!;
    const next = run(project(done.map((i) => (i === permit ? { ...permit, ready: true } : i)), { edges }));
    expect(next.map(brief)).toEqual([["ready", "construction-permit", "受理", "accept", "blue"]]);
    expect(next[0].reason).toBe("前置事项已办结，尚缺 2 项材料");
  });

  it("an item whose predecessor is not even filed is not next in line", () => {
    const unfiled = items.map((i) => (i.key === "civil-defense-review" ? item(i.key, { name: i.name }) : i));
    expect(run(project(unfiled, { edges })).filter((a) => a.key === "construction-permit")).toEqual([]);
  });
});

describe("下一步 — who may act, meeting tasks and the order", () => {
  it("names the step even when the viewer may not record it (event null)", () => {
    const next = run(project([item("filing", { ready: true, allowed: [] })]));
    expect(next.map(brief)).toEqual([["ready", "filing", "申报", null, "blue"]]);
  });

  it("prefers 申报 (submit) where the clock offers it", () => {
    const next = run(project([item("filing", { ready: true, allowed: ["submit", "accept", "waive"] })]));
    expect(next[0].action).toEqual({ label: "申报", event: "submit" });
  });

  it("meeting tasks are clocks too: late red, within the lead yellow, later gray", () => {
    const task = (id: number, deadline: string) => ({ id, title: `会议任务${id}`, department: "自然资源", deadlineOn: D(deadline) });
    const next = run(project([], { meetingTasks: [task(1, "2026-12-04"), task(2, "2026-11-30"), task(3, "2026-11-25")] }));
    expect(next.map((a) => [a.kind, a.taskId, a.tone, a.reason])).toEqual([
      ["meetingTask", 3, "red", "督办事项超期 2 个工作日（期限 2026-11-25）"],
      ["meetingTask", 2, "yellow", "督办事项，期限 2026-11-30"],
      ["meetingTask", 1, "gray", "督办事项，期限 2026-12-04"],
    ]);
    expect(next.every((a) => a.action.label === "跟进落实" && a.key === null)).toBe(true);
  });

  it("orders red, yellow, the officer's moves, then what waits; items' clocks before the stall; by date within each", () => {
    const next = run(
      project(
        [
          item("waiting", { events: [ev("accept", "2026-11-23"), ev("start_special", "2026-11-24")] }),
          item("ready-late", { ready: true, latestStart: D("2026-12-10") }),
          item("ready-soon", { ready: true, latestStart: D("2026-12-01") }),
          item("correction", { events: [ev("accept", "2026-11-19"), ev("request_correction", "2026-11-23")] }),
          item("soon", { spec: { promisedLimit: 4 }, events: [ev("accept", "2026-11-23")] }), // due 11-27: today
          item("late-2", { events: [ev("accept", "2026-11-18")] }), // due 11-25
          item("late-3", { events: [ev("accept", "2026-11-17")] }), // due 11-24
        ],
        { project: { active: true, lastProgressOn: D("2026-11-10") } },
      ),
    );
    expect(next.map((a) => a.key ?? a.kind)).toEqual(["late-3", "late-2", "stalled", "soon", "correction", "ready-soon", "ready-late", "waiting"]);
    expect(next.map((a) => a.on && formatDay(a.on))).toEqual(["2026-11-24", "2026-11-25", "2026-11-17", "2026-11-27", "2026-11-23", "2026-12-01", "2026-12-10", "2026-11-24"]);
  });
});
