/**
 * The leaders' screens' pure rules (issue 13): which project comes first on the
 * attention list, how the 红黑榜 turns a period's sums into rates and ranks, the
 * ranking's periods (presets, bad input, month arithmetic), the region of a
 * location and the signing-to-开工 chart's buckets. Every expectation is worked
 * out by hand in the test.
 */
import { describe, expect, it } from "vitest";
import { attentionScore, attentionTier, type AttentionFacts } from "~/domain/dashboard/attention";
import { START_DAY_BUCKETS, startDayBucket } from "~/domain/dashboard/figures";
import { addMonths, monthBounds, monthsIn, parsePeriod } from "~/domain/dashboard/period";
import { rankDepartments, type DepartmentPeriodFigures } from "~/domain/dashboard/ranking";
import { regionOf } from "~/domain/dashboard/region";

// ---------------------------------------------------------------- attention

const calm: AttentionFacts = { stalled: false, idleDays: null, redItems: 0, blockingOverdueDays: 0, atRisk: false, slack: null };
const facts = (over: Partial<AttentionFacts>): AttentionFacts => ({ ...calm, ...over });

describe("attentionScore: which project a leader must look at first", () => {
  it("puts a stalled project before one with an overdue item, before one forecast late, before a calm one", () => {
    const stalled = facts({ stalled: true, idleDays: 5 });
    const overdue = facts({ redItems: 3, blockingOverdueDays: 40 });
    const late = facts({ atRisk: true, slack: -60 });
    const projects = { calm: calm, late, overdue, stalled };
    const order = Object.entries(projects)
      .sort((a, b) => attentionScore(b[1]) - attentionScore(a[1]))
      .map(([name]) => name);
    expect(order).toEqual(["stalled", "overdue", "late", "calm"]);
    expect(attentionTier(attentionScore(stalled))).toBe("stalled");
    expect(attentionTier(attentionScore(overdue))).toBe("overdue");
    expect(attentionTier(attentionScore(late))).toBe("at_risk");
    expect(attentionScore(calm)).toBe(0);
    expect(attentionTier(0)).toBe("none");
  });

  it("ranks within a tier: the longer idle, the more overdue (then more red items), the later", () => {
    expect(attentionScore(facts({ stalled: true, idleDays: 12 }))).toBeGreaterThan(attentionScore(facts({ stalled: true, idleDays: 6, blockingOverdueDays: 30 })));
    // Equally idle: the one whose blocking item is more overdue comes first.
    expect(attentionScore(facts({ stalled: true, idleDays: 6, blockingOverdueDays: 2 }))).toBeGreaterThan(attentionScore(facts({ stalled: true, idleDays: 6, blockingOverdueDays: 1 })));
    expect(attentionScore(facts({ redItems: 1, blockingOverdueDays: 9 }))).toBeGreaterThan(attentionScore(facts({ redItems: 4, blockingOverdueDays: 8 })));
    expect(attentionScore(facts({ redItems: 2, blockingOverdueDays: 8 }))).toBeGreaterThan(attentionScore(facts({ redItems: 1, blockingOverdueDays: 8 })));
    expect(attentionScore(facts({ atRisk: true, slack: -20 }))).toBeGreaterThan(attentionScore(facts({ atRisk: true, slack: -3 })));
  });

  it("does not let a huge figure climb into the next tier", () => {
    const veryOverdue = facts({ redItems: 50, blockingOverdueDays: 5_000 });
    const veryLate = facts({ atRisk: true, slack: -5_000_000 });
    const barelyStalled = facts({ stalled: true, idleDays: 0 });
    expect(attentionTier(attentionScore(veryOverdue))).toBe("overdue");
    expect(attentionTier(attentionScore(veryLate))).toBe("at_risk");
    expect(attentionScore(barelyStalled)).toBeGreaterThan(attentionScore(veryOverdue));
    expect(attentionScore(facts({ redItems: 1 }))).toBeGreaterThan(attentionScore(veryLate));
  });

  it("needs negative slack for the at-risk tier: at risk on paper with slack 0 or unknown is no alarm", () => {
    expect(attentionScore(facts({ atRisk: true, slack: 0 }))).toBe(0);
    expect(attentionScore(facts({ atRisk: true, slack: null }))).toBe(0);
    expect(attentionScore(facts({ atRisk: false, slack: -4 }))).toBe(0);
    expect(attentionTier(attentionScore(facts({ atRisk: true, slack: -1 })))).toBe("at_risk");
  });
});

// ---------------------------------------------------------------- ranking

let nextId = 1;
function dept(code: string, over: Partial<DepartmentPeriodFigures> = {}): DepartmentPeriodFigures {
  return {
    departmentId: nextId++,
    code,
    name: `${code}局`,
    handled: 0,
    onTime: 0,
    late: 0,
    usedDays: 0,
    limitDays: 0,
    wentOverdue: 0,
    supervised: 0,
    overdueNow: 0,
    rating: null,
    ...over,
  };
}
/** handled / onTime with late = the rest. */
const decided = (handled: number, onTime: number) => ({ handled, onTime, late: handled - onTime });

describe("rankDepartments (红黑榜)", () => {
  it("turns sums into the on-time rate and average working days used against the promised limit", () => {
    const [r] = rankDepartments([dept("a", { ...decided(4, 3), usedDays: 10, limitDays: 17 })]);
    expect(r.onTimeRate).toBe(0.75);
    expect(r.avgUsedDays).toBe(2.5); // 10 / 4
    expect(r.avgLimitDays).toBe(4.3); // 17 / 4 = 4.25, one decimal
    const [third] = rankDepartments([dept("b", { ...decided(3, 1), usedDays: 20, limitDays: 16 })]);
    expect(third.onTimeRate).toBeCloseTo(1 / 3, 12);
    expect(third.avgUsedDays).toBe(6.7); // 6.666…
    expect(third.avgLimitDays).toBe(5.3); // 5.333…
  });

  it("gives a department that decided nothing no rate (null), not 0 % or 100 %", () => {
    const [r] = rankDepartments([dept("idle", { wentOverdue: 2 })]);
    expect(r).toMatchObject({ onTimeRate: null, avgUsedDays: null, avgLimitDays: null, rank: 1 });
  });

  it("ranks by on-time rate, breaking ties on fewer items gone overdue, then fewer 督办", () => {
    const rows = [
      dept("c1", { ...decided(10, 9), wentOverdue: 1, supervised: 2 }), // 90 %, 1 overdue, 2 督办
      dept("c2", { ...decided(10, 9), wentOverdue: 1, supervised: 0 }), // 90 %, 1 overdue, 0 督办
      dept("c3", { ...decided(20, 18), wentOverdue: 0, supervised: 5 }), // 90 %, 0 overdue
      dept("c4", { ...decided(4, 4), wentOverdue: 3, supervised: 9 }), // 100 %
    ];
    const ranked = rankDepartments(rows);
    expect(ranked.map((r) => [r.code, r.rank])).toEqual([
      ["c4", 1],
      ["c3", 2],
      ["c2", 3],
      ["c1", 4],
    ]);
  });

  it("shares a rank between departments equal on every compared value and skips the next (1, 2, 2, 4)", () => {
    const rows = [
      dept("d4", { ...decided(5, 2) }), // 40 %
      dept("d3", { ...decided(4, 3), wentOverdue: 1 }), // 75 %
      dept("d2", { ...decided(8, 6), wentOverdue: 1 }), // 75 %, same overdue and 督办: tie with d3
      dept("d1", { ...decided(2, 2) }), // 100 %
    ];
    const ranked = rankDepartments(rows);
    expect(ranked.map((r) => [r.code, r.rank])).toEqual([
      ["d1", 1],
      ["d2", 2],
      ["d3", 2],
      ["d4", 4],
    ]);
  });

  it("lists departments with nothing to judge after every number, sharing the last rank", () => {
    const rows = [dept("n2", { overdueNow: 1 }), dept("n1", { overdueNow: 3 }), dept("low", { ...decided(10, 1), wentOverdue: 9, supervised: 9 }), dept("top", { ...decided(1, 1) })];
    const ranked = rankDepartments(rows);
    expect(ranked.map((r) => r.code)).toEqual(["top", "low", "n1", "n2"]);
    expect(ranked.map((r) => r.rank)).toEqual([1, 2, 3, 3]);
    // Without a rate the tie-breaks still count: fewer items gone overdue first.
    const again = rankDepartments([dept("m1", { wentOverdue: 2 }), dept("m2", { wentOverdue: 1 })]);
    expect(again.map((r) => [r.code, r.rank])).toEqual([
      ["m2", 1],
      ["m1", 2],
    ]);
  });

  it("asc lists the 黑榜 worst first with the same rank numbers, ties still in code order", () => {
    const rows = [
      dept("d4", { ...decided(5, 2) }),
      dept("d3", { ...decided(4, 3), wentOverdue: 1 }),
      dept("d2", { ...decided(8, 6), wentOverdue: 1 }),
      dept("d1", { ...decided(2, 2) }),
    ];
    expect(rankDepartments(rows, "onTimeRate", "asc").map((r) => [r.code, r.rank])).toEqual([
      ["d4", 4],
      ["d2", 2],
      ["d3", 2],
      ["d1", 1],
    ]);
  });

  it("gives the same order whatever order the rows arrive in; equal rows are listed by department code", () => {
    const make = () => [
      dept("e-c", { ...decided(3, 3) }),
      dept("e-a", { ...decided(3, 3) }),
      dept("e-d", { ...decided(3, 1) }),
      dept("e-b", { ...decided(3, 3) }),
    ];
    const expected = [
      ["e-a", 1],
      ["e-b", 1],
      ["e-c", 1],
      ["e-d", 4],
    ];
    const rows = make();
    const permutations = [rows, [...rows].reverse(), [rows[2], rows[0], rows[3], rows[1]], [rows[3], rows[1], rows[2], rows[0]]];
    for (const p of permutations) expect(rankDepartments(p).map((r) => [r.code, r.rank])).toEqual(expected);
  });

  it("sorts on another column: fewest working days used first, no decisions last; 好差评 highest first, unrated last", () => {
    const rows = [
      dept("slow", { ...decided(2, 2), usedDays: 18 }), // 9.0
      dept("none"),
      dept("fast", { ...decided(4, 2), usedDays: 6 }), // 1.5
      dept("mid", { ...decided(1, 0), usedDays: 4 }), // 4.0
    ];
    expect(rankDepartments(rows, "avgUsedDays").map((r) => [r.code, r.rank])).toEqual([
      ["fast", 1],
      ["mid", 2],
      ["slow", 3],
      ["none", 4],
    ]);
    const rated = [dept("r1", { rating: { average: 4.2, count: 5 } }), dept("r2"), dept("r3", { rating: { average: 4.8, count: 2 } }), dept("r4", { rating: { average: 4.2, count: 9 } })];
    expect(rankDepartments(rated, "rating").map((r) => [r.code, r.rank])).toEqual([
      ["r3", 1],
      ["r1", 2],
      ["r4", 2],
      ["r2", 4],
    ]);
    // Handled: more is better.
    expect(rankDepartments([dept("h1", decided(2, 0)), dept("h2", decided(7, 0))], "handled").map((r) => r.code)).toEqual(["h2", "h1"]);
  });
});

// ---------------------------------------------------------------- periods

describe("parsePeriod: the ranking's period from the query", () => {
  const preset = (p: string, today: string) => parsePeriod({ preset: p }, today);

  it("reads each preset relative to today, across quarter and year boundaries", () => {
    expect(preset("this_month", "2026-11-27")).toEqual({ period: { from: "2026-11", to: "2026-11" }, preset: "this_month", error: null });
    expect(preset("last_month", "2026-11-27").period).toEqual({ from: "2026-10", to: "2026-10" });
    expect(preset("last_month", "2026-01-15").period).toEqual({ from: "2025-12", to: "2025-12" });
    expect(preset("this_quarter", "2026-11-27").period).toEqual({ from: "2026-10", to: "2026-11" });
    expect(preset("this_quarter", "2026-03-31").period).toEqual({ from: "2026-01", to: "2026-03" });
    expect(preset("this_quarter", "2026-04-01").period).toEqual({ from: "2026-04", to: "2026-04" });
    expect(preset("this_quarter", "2026-09-30").period).toEqual({ from: "2026-07", to: "2026-09" });
    expect(preset("this_quarter", "2026-12-31").period).toEqual({ from: "2026-10", to: "2026-12" });
    expect(preset("this_year", "2026-01-01").period).toEqual({ from: "2026-01", to: "2026-01" });
    expect(preset("this_year", "2026-11-27").period).toEqual({ from: "2026-01", to: "2026-11" });
    expect(preset("last_12_months", "2026-11-27").period).toEqual({ from: "2025-12", to: "2026-11" });
    expect(preset("last_12_months", "2026-12-05").period).toEqual({ from: "2026-01", to: "2026-12" });
  });

  it("defaults to this year without a query, and takes an explicit run of months", () => {
    expect(parsePeriod({}, "2026-06-10")).toEqual({ period: { from: "2026-01", to: "2026-06" }, preset: "this_year", error: null });
    expect(parsePeriod({ from: "2025-11", to: "2026-02" }, "2026-06-10")).toEqual({ period: { from: "2025-11", to: "2026-02" }, preset: null, error: null });
    // Only a start month: that one month.
    expect(parsePeriod({ from: "2026-03" }, "2026-06-10").period).toEqual({ from: "2026-03", to: "2026-03" });
    // 36 months is the longest period allowed.
    expect(parsePeriod({ from: "2024-01", to: "2026-12" }, "2026-06-10").error).toBeNull();
  });

  it("falls back to the default period with a Chinese message on bad input", () => {
    const fallback = { from: "2026-01", to: "2026-06" };
    for (const q of [{ from: "2026-13" }, { from: "2026-3", to: "2026-04" }, { from: "2026-03", to: "next" }, { to: "2026-04" }]) {
      expect(parsePeriod(q, "2026-06-10"), JSON.stringify(q)).toEqual({ period: fallback, preset: "this_year", error: "统计期间应为“年-月”，如 2026-01" });
    }
    expect(parsePeriod({ from: "2026-05", to: "2026-04" }, "2026-06-10")).toEqual({ period: fallback, preset: "this_year", error: "统计期间的起始月份晚于截止月份" });
    expect(parsePeriod({ from: "2023-12", to: "2026-12" }, "2026-06-10")).toEqual({ period: fallback, preset: "this_year", error: "统计期间最长 36 个月" });
    expect(parsePeriod({ preset: "forever" }, "2026-06-10")).toEqual({ period: fallback, preset: "this_year", error: "未知的统计期间，已按默认期间显示" });
    expect(parsePeriod({ preset: "forever" }, "2026-06-10", "this_month")).toEqual({ period: { from: "2026-06", to: "2026-06" }, preset: "this_month", error: "未知的统计期间，已按默认期间显示" });
  });
});

describe("month arithmetic", () => {
  it("monthsIn lists every month from the first to the last, across a year end; empty when reversed", () => {
    expect(monthsIn({ from: "2026-11", to: "2027-02" })).toEqual(["2026-11", "2026-12", "2027-01", "2027-02"]);
    expect(monthsIn({ from: "2026-05", to: "2026-05" })).toEqual(["2026-05"]);
    expect(monthsIn({ from: "2026-05", to: "2026-04" })).toEqual([]);
    expect(monthsIn({ from: "2024-01", to: "2026-12" })).toHaveLength(36);
  });

  it("addMonths moves across year ends both ways", () => {
    expect(addMonths("2026-11", 2)).toBe("2027-01");
    expect(addMonths("2026-12", 1)).toBe("2027-01");
    expect(addMonths("2026-01", -1)).toBe("2025-12");
    expect(addMonths("2026-03", -15)).toBe("2024-12");
    expect(addMonths("2026-03", 0)).toBe("2026-03");
    expect(addMonths("2026-03", 24)).toBe("2028-03");
  });

  it("monthBounds gives the first and last calendar day, February of the leap year 2028 included", () => {
    expect(monthBounds("2028-02")).toEqual({ from: "2028-02-01", to: "2028-02-29" });
    expect(monthBounds("2026-02")).toEqual({ from: "2026-02-01", to: "2026-02-28" });
    expect(monthBounds("2026-04")).toEqual({ from: "2026-04-01", to: "2026-04-30" });
    expect(monthBounds("2026-12")).toEqual({ from: "2026-12-01", to: "2026-12-31" });
    expect(monthBounds("2027-01")).toEqual({ from: "2027-01-01", to: "2027-01-31" });
  });
});

// ---------------------------------------------------------------- region and buckets

describe("regionOf: the city or prefecture a location starts with", () => {
  it("reads cities, autonomous prefectures and short prefecture names, with or without the province", () => {
    expect(regionOf("成都市高新区天府大道北段 1700 号")).toBe("成都市");
    expect(regionOf("四川省成都市双流区")).toBe("成都市");
    expect(regionOf("凉山彝族自治州西昌市航天大道")).toBe("凉山彝族自治州");
    expect(regionOf("阿坝州马尔康市达萨街")).toBe("阿坝州");
    expect(regionOf("攀枝花市东区")).toBe("攀枝花市");
    expect(regionOf("  达州市通川区  ")).toBe("达州市");
  });

  it("gives no region to a location that names no city", () => {
    expect(regionOf("高新区科创大道 88 号")).toBeNull();
    expect(regionOf("临港工业园 3 号地块")).toBeNull();
    expect(regionOf("")).toBeNull();
  });
});

describe("startDayBucket: days from signing to 开工, with the 75-day benchmark as an edge", () => {
  it("puts 30 and 75 inside their buckets and 31 and 76 in the next", () => {
    const label = (days: number) => START_DAY_BUCKETS[startDayBucket(days)].label;
    expect(label(0)).toBe("≤30 天");
    expect(label(30)).toBe("≤30 天");
    expect(label(31)).toBe("31–60 天");
    expect(label(60)).toBe("31–60 天");
    expect(label(75)).toBe("61–75 天");
    expect(label(76)).toBe("76–90 天");
    expect(label(120)).toBe("91–120 天");
    expect(label(121)).toBe(">120 天");
    expect(label(10_000)).toBe(">120 天");
  });
});
