/**
 * Cross-check of our vendored official table against the independent `chinese-days` package
 * (devDependency 1.5.7, vsme/chinese-days; its data is generated from its own transcription of
 * the 国务院办公厅 notices).
 *
 * chinese-days API, read from node_modules/chinese-days/src/holidays/index.ts:
 *   isWorkday(date)  = workdays[YYYY-MM-DD] || (Mon–Fri && !holidays[YYYY-MM-DD])   — same rule as ours.
 *   findWorkday(deltaDays, date): if deltaDays === 0 → date when it is a workday, otherwise it is
 *     treated as deltaDays = 1 (the next workday). Otherwise it steps one calendar day at a time in
 *     the direction of the sign and counts workdays until |deltaDays| are found — i.e. the n-th
 *     workday strictly after/before date. That equals our addWorkingDays(date, n) for n ≠ 0;
 *     for n = 0 it equals ours only on a working day (ours returns the date itself; theirs returns
 *     addWorkingDays(date, 1) on a rest day). Both cases are asserted separately below.
 *   getWorkdaysInRange(start, end) lists workdays in [start, end] (both inclusive), so
 *     our workingDaysBetween(a, b) (a < d ≤ b) = its length − (isWorkday(a) ? 1 : 0).
 *
 * Time-zone note: chinese-days parses "YYYY-MM-DD" strings as UTC midnight but then formats and
 * takes the weekday with *local* getters. Its own holiday table is built that way at import time,
 * so in a zone west of UTC (e.g. TZ=America/Los_Angeles) every entry of its table is shifted one day
 * earlier and isWorkday("2024-01-01" or a local Date) is wrong — verified: 22 mismatches in 2024.
 * Our calendar is pure UTC day-number arithmetic and does not care. So this file pins the process
 * to Asia/Shanghai (the business zone) *before* loading chinese-days, restores it afterwards, and
 * always passes a local-midnight Date (new Date(y, m − 1, d)).
 *
 * The package is CommonJS (UMD `main`) with an ES `module` build; the default import is the
 * namespace object in both, so we destructure from it.
 */
import { afterAll, describe, expect, it } from "vitest";
import { createWorkingCalendar, formatDay, officialCalendarData, toDay, type DayNum } from "~/domain/calendar";
import { rng } from "../support/prng";

const savedTZ = process.env.TZ;
process.env.TZ = "Asia/Shanghai"; // Node re-reads TZ on assignment; must precede the import below
afterAll(() => {
  if (savedTZ === undefined) delete process.env.TZ;
  else process.env.TZ = savedTZ;
});
const { default: chineseDays } = await import("chinese-days");
const { isWorkday, findWorkday, getWorkdaysInRange } = chineseDays;
const cal = createWorkingCalendar(officialCalendarData());

/** Local-midnight Date for a day number (see the time-zone note). */
function localDate(day: DayNum): Date {
  const [y, m, d] = formatDay(day).split("-").map(Number);
  return new Date(y, m - 1, d);
}

const randInt = (r: () => number, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

const FIRST = toDay("2024-01-01");
const LAST = toDay("2026-12-31");

describe("isWorkingDay agrees with chinese-days isWorkday", () => {
  it.each([2024, 2025, 2026])("every date of %i", (year) => {
    const mismatches: string[] = [];
    let ours = 0;
    let theirs = 0;
    for (let d = toDay(`${year}-01-01`); d <= toDay(`${year}-12-31`); d++) {
      const a = cal.isWorkingDay(d);
      const b = isWorkday(localDate(d));
      if (a) ours++;
      if (b) theirs++;
      if (a !== b) mismatches.push(`${formatDay(d)}: ours ${a}, chinese-days ${b}`);
    }
    expect(mismatches).toEqual([]);
    expect(ours).toBe(theirs);
    expect(ours).toBe({ 2024: 251, 2025: 248, 2026: 248 }[year]);
  });

  it("the local-Date input is read as the intended day", () => {
    // sanity for the adapter: 2026-02-14 is a make-up Saturday, 2026-02-16 a 春节 Monday
    expect(isWorkday(localDate(toDay("2026-02-14")))).toBe(true);
    expect(isWorkday(localDate(toDay("2026-02-16")))).toBe(false);
    expect(findWorkday(1, localDate(toDay("2026-02-14")))).toBe("2026-02-24");
  });
});

describe("addWorkingDays agrees with chinese-days findWorkday", () => {
  // starts and n chosen so that every result stays inside 2024–2026, the years both sides have data for
  const r = rng(20260214);
  const samples: [DayNum, number][] = [];
  for (let i = 0; i < 3000; i++) {
    samples.push([randInt(r, FIRST + 60, LAST - 60), randInt(r, -30, 30)]);
  }

  it("n ≠ 0: identical definitions (n-th working day strictly after/before)", () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const [d, n] of samples) {
      if (n === 0) continue;
      checked++;
      const ours = formatDay(cal.addWorkingDays(d, n));
      const theirs = findWorkday(n, localDate(d));
      if (ours !== theirs) mismatches.push(`${formatDay(d)} ${n}: ours ${ours}, chinese-days ${theirs}`);
    }
    expect(checked).toBeGreaterThan(2500);
    expect(mismatches).toEqual([]);
  });

  it("n = 0 on a working day: both return the date", () => {
    for (let d = FIRST; d <= LAST; d++) {
      if (!cal.isWorkingDay(d)) continue;
      expect(findWorkday(0, localDate(d))).toBe(formatDay(cal.addWorkingDays(d, 0)));
    }
  });

  it("n = 0 on a rest day: definitions differ — chinese-days gives our addWorkingDays(d, 1)", () => {
    let restDays = 0;
    for (let d = FIRST; d <= LAST - 30; d++) {
      if (cal.isWorkingDay(d)) continue;
      restDays++;
      expect(formatDay(cal.addWorkingDays(d, 0))).toBe(formatDay(d)); // ours: the date itself
      expect(findWorkday(0, localDate(d))).toBe(formatDay(cal.addWorkingDays(d, 1))); // theirs: next working day
    }
    // 2024–2026 have 1096 days and 251 + 248 + 248 = 747 working days → 349 rest days
    // (a few at the end are excluded by LAST − 30)
    expect(restDays).toBeGreaterThan(330);
  });
});

describe("workingDaysBetween agrees with chinese-days getWorkdaysInRange", () => {
  it("random ranges inside 2024–2026", () => {
    const r = rng(20251001);
    const mismatches: string[] = [];
    for (let i = 0; i < 400; i++) {
      const a = randInt(r, FIRST, LAST);
      const b = Math.min(LAST, a + randInt(r, 0, 120));
      const inclusive = getWorkdaysInRange(localDate(a), localDate(b)).length; // [a, b]
      const expected = inclusive - (isWorkday(localDate(a)) ? 1 : 0); // (a, b]
      const ours = cal.workingDaysBetween(a, b);
      if (ours !== expected) mismatches.push(`${formatDay(a)}..${formatDay(b)}: ours ${ours}, chinese-days ${expected}`);
      expect(cal.workingDaysBetween(b, a)).toBe(0 - expected);
    }
    expect(mismatches).toEqual([]);
  });

  it("whole years", () => {
    for (const year of [2024, 2025, 2026]) {
      const list = getWorkdaysInRange(localDate(toDay(`${year}-01-01`)), localDate(toDay(`${year}-12-31`)));
      expect(cal.workingDaysBetween(toDay(`${year - 1}-12-31`), toDay(`${year}-12-31`))).toBe(list.length);
    }
  });
});
