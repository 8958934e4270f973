/**
 * Property tests for the working-day calendar (DESIGN.md §4), dates 2023-06-01…2027-06-30
 * (so they cross years with and without official data) and n in −300…300.
 *
 * Definitions (the contract):
 *   add(a, n): n > 0 → n-th working day strictly after a; n < 0 → |n|-th strictly before a; 0 → a.
 *   between(a, b): a ≤ b → #{working d : a < d ≤ b}; a > b → −between(b, a).
 *
 * Derived facts asserted below (w(a) = 1 if a is a working day, else 0):
 *   n > 0: add(a, n) is the n-th working day after a, so (a, add(a, n)] holds exactly n working
 *          days → between(a, add(a, n)) = n, whatever a is.
 *   n < 0: r = add(a, n) is the |n|-th working day before a. (r, a] holds the |n| − 1 working days
 *          strictly between r and a, plus a itself when a works → between(r, a) = |n| − 1 + w(a),
 *          so between(a, r) = −(|n| − 1 + w(a)) = n + 1 − w(a): n when a works, n + 1 when not.
 *   Round trip: for working a, add(add(a, n), −n) = a. For a rest day a, n > 0 lands on the last
 *          working day before a, n < 0 on the first working day after a.
 *
 * The strongest check is the comparison with `naive*`: straight day-by-day loops written from the
 * definitions over the raw arrangement data (no ordinals, no precomputed tables), with random
 * administrator overrides.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createWorkingCalendar,
  formatDay,
  officialCalendarData,
  toDay,
  type CalendarData,
  type CalendarOverride,
  type DayNum,
} from "~/domain/calendar";

const MIN = toDay("2023-06-01");
const MAX = toDay("2027-06-30");
const MS_PER_DAY = 86_400_000;

const official = officialCalendarData();
const cal = createWorkingCalendar(official);

const dateArb = fc.integer({ min: MIN, max: MAX });
const nArb = fc.integer({ min: -300, max: 300 });
const nonZeroN = nArb.filter((n) => n !== 0);

// ---------------------------------------------------------------- naive reference implementation

/** ISO date string straight from a day number via Date (independent of formatDay). */
function iso(day: DayNum): string {
  const dt = new Date(day * MS_PER_DAY);
  const p = (x: number) => String(x).padStart(2, "0");
  return `${dt.getUTCFullYear()}-${p(dt.getUTCMonth() + 1)}-${p(dt.getUTCDate())}`;
}

interface Naive {
  isWork(day: DayNum): boolean;
  add(a: DayNum, n: number): DayNum;
  between(a: DayNum, b: DayNum): number;
}

/** The §4 definitions as loops over the raw data: overrides, then make-up days, then holidays, then Mon–Fri. */
function naiveCalendar(data: CalendarData): Naive {
  const holidays = new Set<string>();
  const makeup = new Set<string>();
  for (const y of Object.values(data.years)) {
    for (const b of y.holidays) {
      // walk the block with Date arithmetic (from and to inclusive)
      for (let t = Date.parse(`${b.from}T00:00:00Z`); t <= Date.parse(`${b.to}T00:00:00Z`); t += MS_PER_DAY) {
        holidays.add(new Date(t).toISOString().slice(0, 10));
      }
    }
    for (const m of y.makeupWorkdays) makeup.add(m);
  }
  const overrides = new Map<string, "rest" | "work">();
  for (const o of data.overrides ?? []) overrides.set(o.date, o.kind);

  const isWork = (day: DayNum): boolean => {
    const s = iso(day);
    const o = overrides.get(s);
    if (o) return o === "work";
    if (makeup.has(s)) return true;
    if (holidays.has(s)) return false;
    const wd = new Date(day * MS_PER_DAY).getUTCDay();
    return wd >= 1 && wd <= 5;
  };
  const add = (a: DayNum, n: number): DayNum => {
    let d = a;
    let left = Math.abs(n);
    const step = n > 0 ? 1 : -1;
    while (left > 0) {
      d += step;
      if (isWork(d)) left--;
    }
    return d;
  };
  const between = (a: DayNum, b: DayNum): number => {
    if (a > b) return 0 - between(b, a); // `0 -` avoids −0, which toBe (Object.is) tells from 0
    let count = 0;
    for (let d = a + 1; d <= b; d++) if (isWork(d)) count++;
    return count;
  };
  return { isWork, add, between };
}

const naive = naiveCalendar(official);

/** Random administrator overrides inside the tested window. */
const overridesArb: fc.Arbitrary<CalendarOverride[]> = fc.array(
  fc.record({
    date: dateArb.map(iso),
    kind: fc.constantFrom<"rest" | "work">("rest", "work"),
    reason: fc.constant("property test"),
  }),
  { maxLength: 12 },
);

const w = (a: DayNum) => (cal.isWorkingDay(a) ? 1 : 0);

// ---------------------------------------------------------------- the naive reference itself

describe("naive reference sanity", () => {
  it("agrees with hand-computed 2026 春节 values", () => {
    expect(iso(naive.add(toDay("2026-02-14"), 1))).toBe("2026-02-24");
    expect(naive.between(toDay("2026-02-13"), toDay("2026-02-28"))).toBe(6);
    expect(naive.between(toDay("2025-12-31"), toDay("2026-12-31"))).toBe(248);
  });
});

// ---------------------------------------------------------------- comparison with the reference

describe("WorkingCalendar equals the naive day-by-day definition", () => {
  it("isWorkingDay on every date of the window", () => {
    const mismatches: string[] = [];
    for (let d = MIN; d <= MAX; d++) if (cal.isWorkingDay(d) !== naive.isWork(d)) mismatches.push(iso(d));
    expect(mismatches).toEqual([]);
  });

  it("addWorkingDays (official data)", () => {
    fc.assert(
      fc.property(dateArb, nArb, (a, n) => {
        expect(formatDay(cal.addWorkingDays(a, n))).toBe(iso(naive.add(a, n)));
      }),
      { numRuns: 1000 },
    );
  });

  it("workingDaysBetween (official data)", () => {
    fc.assert(
      fc.property(dateArb, dateArb, (a, b) => {
        expect(cal.workingDaysBetween(a, b)).toBe(naive.between(a, b));
      }),
      { numRuns: 1000 },
    );
  });

  it("lastWorkingDayOnOrBefore", () => {
    fc.assert(
      fc.property(dateArb, (a) => {
        let r = a;
        while (!naive.isWork(r)) r--;
        expect(cal.lastWorkingDayOnOrBefore(a)).toBe(r);
      }),
      { numRuns: 500 },
    );
  });

  it("add / between / isWorkingDay with random administrator overrides", () => {
    fc.assert(
      fc.property(overridesArb, dateArb, nArb, dateArb, (overrides, a, n, b) => {
        const data: CalendarData = { years: official.years, overrides };
        const c = createWorkingCalendar(data);
        const ref = naiveCalendar(data);
        for (const o of overrides) {
          // the last override for a date wins in both implementations
          expect(c.isWorkingDay(toDay(o.date))).toBe(ref.isWork(toDay(o.date)));
        }
        expect(c.isWorkingDay(a)).toBe(ref.isWork(a));
        expect(c.addWorkingDays(a, n)).toBe(ref.add(a, n));
        expect(c.workingDaysBetween(a, b)).toBe(ref.between(a, b));
      }),
      { numRuns: 150 },
    );
  });
});

// ---------------------------------------------------------------- algebraic properties

describe("properties", () => {
  it("between(a, add(a, n)) = n for a working day a", () => {
    fc.assert(
      fc.property(dateArb, nArb, (a0, n) => {
        const a = cal.lastWorkingDayOnOrBefore(a0);
        expect(cal.isWorkingDay(a)).toBe(true);
        expect(cal.workingDaysBetween(a, cal.addWorkingDays(a, n))).toBe(n);
      }),
      { numRuns: 1000 },
    );
  });

  it("any a: between(a, add(a, n)) = n for n ≥ 0, and n + 1 − w(a) for n < 0", () => {
    fc.assert(
      fc.property(dateArb, nArb, (a, n) => {
        const got = cal.workingDaysBetween(a, cal.addWorkingDays(a, n));
        expect(got).toBe(n >= 0 ? n : n + 1 - w(a));
      }),
      { numRuns: 1000 },
    );
  });

  it("the n < 0 correction really happens on rest days (non-vacuous)", () => {
    // Sun 2026-03-01 is a rest day: add(−1) = Sat 02-28 (make-up), and (02-28, 03-01] holds no working day
    const sun = toDay("2026-03-01");
    expect(cal.workingDaysBetween(sun, cal.addWorkingDays(sun, -1))).toBe(0);
    fc.assert(
      fc.property(dateArb.filter((a) => !cal.isWorkingDay(a)), nArb.filter((n) => n < 0), (a, n) => {
        expect(cal.workingDaysBetween(a, cal.addWorkingDays(a, n))).toBe(n + 1);
      }),
    );
  });

  it("addWorkingDays(a, n) is a working day for n ≠ 0", () => {
    fc.assert(
      fc.property(dateArb, nonZeroN, (a, n) => {
        expect(cal.isWorkingDay(cal.addWorkingDays(a, n))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it("addWorkingDays moves strictly in the direction of n", () => {
    fc.assert(
      fc.property(dateArb, nArb, (a, n) => {
        const r = cal.addWorkingDays(a, n);
        expect(Math.sign(r - a)).toBe(Math.sign(n));
      }),
      { numRuns: 500 },
    );
  });

  it("strictly monotone in n", () => {
    fc.assert(
      fc.property(dateArb, nArb, nArb, (a, n1, n2) => {
        fc.pre(n1 !== n2);
        const [lo, hi] = n1 < n2 ? [n1, n2] : [n2, n1];
        expect(cal.addWorkingDays(a, lo)).toBeLessThan(cal.addWorkingDays(a, hi));
      }),
      { numRuns: 1000 },
    );
  });

  it("monotone (non-decreasing) in a", () => {
    fc.assert(
      fc.property(dateArb, dateArb, nArb, (a1, a2, n) => {
        const [lo, hi] = a1 <= a2 ? [a1, a2] : [a2, a1];
        expect(cal.addWorkingDays(lo, n)).toBeLessThanOrEqual(cal.addWorkingDays(hi, n));
      }),
      { numRuns: 1000 },
    );
  });

  it("round trip add(add(a, n), −n) = a for working days a", () => {
    fc.assert(
      fc.property(dateArb, nArb, (a0, n) => {
        const a = cal.lastWorkingDayOnOrBefore(a0);
        expect(cal.addWorkingDays(cal.addWorkingDays(a, n), -n)).toBe(a);
      }),
      { numRuns: 1000 },
    );
  });

  it("round trip from a rest day snaps to the neighbouring working day", () => {
    fc.assert(
      fc.property(dateArb.filter((a) => !cal.isWorkingDay(a)), nonZeroN, (a, n) => {
        const back = cal.addWorkingDays(cal.addWorkingDays(a, n), -n);
        // n > 0 ends on the last working day before a; n < 0 on the first working day after a
        expect(back).toBe(n > 0 ? cal.addWorkingDays(a, -1) : cal.addWorkingDays(a, 1));
      }),
    );
  });

  it("between is additive and antisymmetric", () => {
    fc.assert(
      fc.property(dateArb, dateArb, dateArb, (a, b, c) => {
        expect(cal.workingDaysBetween(a, b) + cal.workingDaysBetween(b, c)).toBe(cal.workingDaysBetween(a, c));
        expect(cal.workingDaysBetween(a, b) + cal.workingDaysBetween(b, a)).toBe(0);
        expect(cal.workingDaysBetween(a, a)).toBe(0);
      }),
      { numRuns: 1000 },
    );
  });

  it("between(a, b) for a ≤ b counts isWorkingDay over (a, b]", () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: 0, max: 400 }), (a, len) => {
        const b = a + len;
        let count = 0;
        for (let d = a + 1; d <= b; d++) if (cal.isWorkingDay(d)) count++;
        expect(cal.workingDaysBetween(a, b)).toBe(count);
      }),
      { numRuns: 300 },
    );
  });

  it("add(a, n) is the first date whose between-count from a reaches n (n > 0)", () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: 1, max: 300 }), (a, n) => {
        const r = cal.addWorkingDays(a, n);
        expect(cal.workingDaysBetween(a, r)).toBe(n);
        expect(cal.workingDaysBetween(a, r - 1)).toBe(n - 1);
      }),
      { numRuns: 500 },
    );
  });

  it("isProvisional(a, b) is true exactly when some year in [a, b] is outside 2024–2026", () => {
    fc.assert(
      fc.property(dateArb, dateArb, (a, b) => {
        const y1 = new Date(Math.min(a, b) * MS_PER_DAY).getUTCFullYear();
        const y2 = new Date(Math.max(a, b) * MS_PER_DAY).getUTCFullYear();
        expect(cal.isProvisional(a, b)).toBe(y1 < 2024 || y2 > 2026);
      }),
      { numRuns: 500 },
    );
  });
});
