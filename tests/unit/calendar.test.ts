/**
 * Hand-computed examples for the working-day calendar (DESIGN.md §4).
 *
 * Definitions under test:
 * - working day = make-up working day, or Mon–Fri that is not a holiday; overrides win.
 * - addWorkingDays(d, n): n > 0 → n-th working day strictly after d; n < 0 → |n|-th strictly
 *   before d; n = 0 → d.
 * - workingDaysBetween(a, b): a ≤ b → #{working d : a < d ≤ b}; a > b → −between(b, a).
 *
 * Weekday anchors used in the hand computations below (checked by the first test):
 *   2024-01-01 Mon · 2025-01-01 Wed · 2025-10-01 Wed · 2026-01-01 Thu · 2026-02-01 Sun ·
 *   2026-03-01 Sun · 2026-10-01 Thu.
 */
import { describe, expect, it } from "vitest";
// the app ships a copy of shared/reference/holidays-cn.json
import referenceJson from "~/domain/calendar/holidays-cn.json";
import {
  CalendarRangeError,
  createWorkingCalendar,
  formatDay,
  officialCalendarData,
  parseDate,
  shanghaiDateTime,
  shanghaiDay,
  toDay,
  weekdayOf,
  type CalendarOverride,
} from "~/domain/calendar";

const cal = createWorkingCalendar(officialCalendarData());
const d = toDay;
/** add(date, n) as a string, so failures print readable dates. */
const add = (date: string, n: number, c = cal) => formatDay(c.addWorkingDays(d(date), n));
const between = (a: string, b: string, c = cal) => c.workingDaysBetween(d(a), d(b));
const isWork = (date: string, c = cal) => c.isWorkingDay(d(date));

const withOverrides = (overrides: CalendarOverride[]) =>
  createWorkingCalendar({ ...officialCalendarData(), overrides });

describe("dates", () => {
  it("weekday anchors used by the hand computations", () => {
    // 0 = Sunday … 6 = Saturday
    expect(weekdayOf(d("1970-01-01"))).toBe(4); // Thursday, the epoch
    expect(weekdayOf(d("2024-01-01"))).toBe(1);
    expect(weekdayOf(d("2025-01-01"))).toBe(3);
    expect(weekdayOf(d("2025-10-01"))).toBe(3);
    expect(weekdayOf(d("2026-01-01"))).toBe(4);
    expect(weekdayOf(d("2026-02-01"))).toBe(0);
    expect(weekdayOf(d("2026-02-14"))).toBe(6);
    expect(weekdayOf(d("2026-03-01"))).toBe(0);
    expect(weekdayOf(d("2026-10-01"))).toBe(4);
    // days before the epoch are negative day numbers; the weekday must still be 0…6
    expect(weekdayOf(d("1969-12-31"))).toBe(3);
    expect(weekdayOf(d("1969-12-28"))).toBe(0);
  });

  it("parseDate accepts strict, real YYYY-MM-DD dates only", () => {
    expect(parseDate("2026-02-30")).toBeNull(); // February has no 30th
    expect(parseDate("2026-13-01")).toBeNull(); // no month 13
    expect(parseDate("2026-00-10")).toBeNull();
    expect(parseDate("2026-01-32")).toBeNull();
    expect(parseDate("2026-04-31")).toBeNull(); // April has 30 days
    expect(parseDate("2026-2-3")).toBeNull(); // not zero-padded
    expect(parseDate("")).toBeNull();
    expect(parseDate(" 2026-02-03")).toBeNull();
    expect(parseDate("2026-02-03T00:00:00Z")).toBeNull();
    expect(parseDate("2026/02/03")).toBeNull();
    expect(parseDate("2025-02-29")).toBeNull(); // 2025 is not a leap year
    expect(parseDate("2100-02-29")).toBeNull(); // divisible by 100, not by 400
    // 2024 and 2000 are leap years; 1970-01-01 is day 0, 2024-02-29 is 19782 days later
    // (54 years × 365 + 13 leap days (1972…2020) = 19723 to 2024-01-01, + 31 + 28 = 19782)
    expect(parseDate("2024-02-29")).toBe(19782);
    // 2000-01-01 is 30 × 365 + 7 leap days (1972…1996) = 10957; + 31 + 28 = 11016.
    expect(parseDate("2000-02-29")).toBe(11016);
    expect(parseDate("1970-01-01")).toBe(0);
    expect(() => toDay("2026-02-30")).toThrow();
  });

  it("formatDay is the inverse of parseDate", () => {
    for (const s of ["2000-01-01", "2024-02-29", "2026-12-31", "2100-12-31", "1969-12-31"]) {
      expect(formatDay(toDay(s))).toBe(s);
    }
  });

  it("shanghaiDay is the Asia/Shanghai (UTC+8) date of an instant", () => {
    // 2026-01-01T15:59:59Z + 8 h = 2026-01-01 23:59:59 local → still 2026-01-01
    expect(formatDay(shanghaiDay(new Date("2026-01-01T15:59:59Z")))).toBe("2026-01-01");
    expect(formatDay(shanghaiDay(new Date("2026-01-01T15:59:59.999Z")))).toBe("2026-01-01");
    // 2026-01-01T16:00:00Z + 8 h = 2026-01-02 00:00:00 local
    expect(formatDay(shanghaiDay(new Date("2026-01-01T16:00:00Z")))).toBe("2026-01-02");
    // New Year in Shanghai happens at 2025-12-31T16:00Z
    expect(formatDay(shanghaiDay(new Date("2025-12-31T15:59:59Z")))).toBe("2025-12-31");
    expect(formatDay(shanghaiDay(new Date("2025-12-31T16:00:00Z")))).toBe("2026-01-01");
    // 2026-01-01T00:00:00Z = 08:00 local on 2026-01-01
    expect(formatDay(shanghaiDay(new Date("2026-01-01T00:00:00Z")))).toBe("2026-01-01");
  });
});

describe("春节 2026 — holiday 02-15…02-23, make-up Saturdays 02-14 and 02-28", () => {
  it("classifies the days of the block", () => {
    expect(isWork("2026-02-13")).toBe(true); // Fri
    expect(isWork("2026-02-14")).toBe(true); // Sat, make-up
    expect(cal.dayKind(d("2026-02-14"))).toBe("makeup");
    for (let day = 15; day <= 23; day++) {
      const date = `2026-02-${day}`;
      expect(isWork(date), date).toBe(false);
      expect(cal.dayKind(d(date)), date).toBe("holiday");
      expect(cal.holidayName(d(date)), date).toBe("春节");
    }
    expect(isWork("2026-02-24")).toBe(true); // Tue
    expect(isWork("2026-02-28")).toBe(true); // Sat, make-up
    expect(isWork("2026-03-01")).toBe(false); // Sun, normal weekend
    expect(cal.dayKind(d("2026-03-01"))).toBe("weekend");
    expect(cal.dayKind(d("2026-03-02"))).toBe("workday");
    expect(cal.holidayName(d("2026-03-02"))).toBeUndefined();
  });

  it("addWorkingDays forward across the block", () => {
    // after Fri 02-13 the next working day is the make-up Saturday 02-14
    expect(add("2026-02-13", 1)).toBe("2026-02-14");
    // after Sat 02-14 come 9 holiday days 02-15…02-23; next working day Tue 02-24
    expect(add("2026-02-14", 1)).toBe("2026-02-24");
    // 02-13 + 5: 14, 24, 25, 26, 27 → 02-27; + 6 → 02-28 (Sat make-up); + 7 → skip Sun 03-01 → Mon 03-02
    expect(add("2026-02-13", 5)).toBe("2026-02-27");
    expect(add("2026-02-13", 6)).toBe("2026-02-28");
    expect(add("2026-02-13", 7)).toBe("2026-03-02");
    // from a holiday day (Fri 02-20): 1st working day strictly after is 02-24
    expect(add("2026-02-20", 1)).toBe("2026-02-24");
    // Wed 02-11 + 2: Thu 02-12, Fri 02-13; + 3: Sat 02-14; + 4: 02-24
    expect(add("2026-02-11", 2)).toBe("2026-02-13");
    expect(add("2026-02-11", 4)).toBe("2026-02-24");
  });

  it("addWorkingDays backward across the block (negative n)", () => {
    // before Tue 02-24 the previous working day is Sat 02-14, then Fri 02-13, then Thu 02-12
    expect(add("2026-02-24", -1)).toBe("2026-02-14");
    expect(add("2026-02-24", -2)).toBe("2026-02-13");
    expect(add("2026-02-24", -3)).toBe("2026-02-12");
    // from the holiday 02-20: strictly before, the 1st working day is 02-14
    expect(add("2026-02-20", -1)).toBe("2026-02-14");
    // from 02-28: 27, 26, 25, 24, 14 → −5 = 02-14, −6 = 02-13
    expect(add("2026-02-28", -5)).toBe("2026-02-14");
    expect(add("2026-02-28", -6)).toBe("2026-02-13");
    // from Sun 03-01 (rest): strictly before, the 1st is Sat 02-28
    expect(add("2026-03-01", -1)).toBe("2026-02-28");
  });

  it("workingDaysBetween across the block", () => {
    // (02-13, 02-28]: 14, 24, 25, 26, 27, 28 = 6
    expect(between("2026-02-13", "2026-02-28")).toBe(6);
    expect(between("2026-02-28", "2026-02-13")).toBe(-6);
    // (02-14, 02-23]: all holidays → 0
    expect(between("2026-02-14", "2026-02-23")).toBe(0);
    // (02-14, 02-24]: 24 = 1
    expect(between("2026-02-14", "2026-02-24")).toBe(1);
    // (02-15, 02-24]: 24 = 1; a non-working start adds nothing
    expect(between("2026-02-15", "2026-02-24")).toBe(1);
    // (01-31, 02-28]: Feb 2026 = 20 Mon–Fri − 6 weekday holidays (16, 17, 18, 19, 20, 23) + 2 make-ups = 16
    expect(between("2026-01-31", "2026-02-28")).toBe(16);
  });

  it("n = 0 returns the date itself, even on a holiday", () => {
    expect(add("2026-02-18", 0)).toBe("2026-02-18");
    expect(add("2026-02-21", 0)).toBe("2026-02-21"); // a Saturday inside the block
    expect(add("2026-02-14", 0)).toBe("2026-02-14");
  });

  it("lastWorkingDayOnOrBefore", () => {
    expect(formatDay(cal.lastWorkingDayOnOrBefore(d("2026-02-20")))).toBe("2026-02-14");
    expect(formatDay(cal.lastWorkingDayOnOrBefore(d("2026-02-23")))).toBe("2026-02-14");
    expect(formatDay(cal.lastWorkingDayOnOrBefore(d("2026-02-24")))).toBe("2026-02-24");
    expect(formatDay(cal.lastWorkingDayOnOrBefore(d("2026-02-14")))).toBe("2026-02-14");
    expect(formatDay(cal.lastWorkingDayOnOrBefore(d("2026-03-01")))).toBe("2026-02-28");
  });
});

describe("元旦 2026 — 01-01…01-03 off, Sunday 01-04 working", () => {
  it("classifies and counts across the new year", () => {
    expect(isWork("2025-12-31")).toBe(true); // Wed
    expect(isWork("2026-01-01")).toBe(false);
    expect(isWork("2026-01-02")).toBe(false); // Fri, holiday
    expect(isWork("2026-01-03")).toBe(false);
    expect(isWork("2026-01-04")).toBe(true); // Sun, make-up
    expect(cal.holidayName(d("2026-01-02"))).toBe("元旦");
    // after Wed 12-31: 01-01…01-03 off → Sun 01-04; + 2 → Mon 01-05
    expect(add("2025-12-31", 1)).toBe("2026-01-04");
    expect(add("2025-12-31", 2)).toBe("2026-01-05");
    expect(add("2026-01-05", -1)).toBe("2026-01-04");
    expect(add("2026-01-05", -2)).toBe("2025-12-31");
    // Tue 12-30 → Wed 12-31, Sun 01-04, Mon 01-05
    expect(add("2025-12-30", 3)).toBe("2026-01-05");
    // (12-31, 01-05]: 04, 05 = 2
    expect(between("2025-12-31", "2026-01-05")).toBe(2);
    expect(between("2026-01-05", "2025-12-31")).toBe(-2);
    // (12-31, 01-10]: 04, 05, 06, 07, 08, 09 = 6 (Sat 01-10 rests)
    expect(between("2025-12-31", "2026-01-10")).toBe(6);
    expect(formatDay(cal.lastWorkingDayOnOrBefore(d("2026-01-03")))).toBe("2025-12-31");
  });
});

describe("国庆/中秋 2025 — 10-01…10-08 off; Sun 09-28 and Sat 10-11 working", () => {
  it("classifies", () => {
    expect(isWork("2025-09-27")).toBe(false); // Sat
    expect(isWork("2025-09-28")).toBe(true); // Sun, make-up
    for (let day = 1; day <= 8; day++) expect(isWork(`2025-10-0${day}`), `2025-10-0${day}`).toBe(false);
    expect(isWork("2025-10-09")).toBe(true); // Thu
    expect(isWork("2025-10-11")).toBe(true); // Sat, make-up
    expect(isWork("2025-10-12")).toBe(false); // Sun
    expect(cal.holidayName(d("2025-10-06"))).toBe("国庆节、中秋节");
  });

  it("add/between", () => {
    // Fri 09-26 → Sat 09-27 rests → Sun 09-28 make-up
    expect(add("2025-09-26", 1)).toBe("2025-09-28");
    // Tue 09-30 → 8 days off → Thu 10-09
    expect(add("2025-09-30", 1)).toBe("2025-10-09");
    // Fri 09-26 + 5: 28, 29, 30, 10-09, 10-10 → 10-10; + 6 → Sat 10-11; + 7 → Mon 10-13
    expect(add("2025-09-26", 5)).toBe("2025-10-10");
    expect(add("2025-09-26", 6)).toBe("2025-10-11");
    expect(add("2025-09-26", 7)).toBe("2025-10-13");
    expect(add("2025-10-09", -1)).toBe("2025-09-30");
    expect(add("2025-10-13", -7)).toBe("2025-09-26");
    // (09-26, 10-13]: 28, 29, 30, 10-09, 10-10, 10-11, 10-13 = 7
    expect(between("2025-09-26", "2025-10-13")).toBe(7);
    expect(formatDay(cal.lastWorkingDayOnOrBefore(d("2025-10-05")))).toBe("2025-09-30");
  });
});

describe("中秋 + 国庆 2026 — 09-25…09-27 and 10-01…10-07 off; Sun 09-20 and Sat 10-10 working", () => {
  it("classifies", () => {
    expect(isWork("2026-09-19")).toBe(false); // Sat
    expect(isWork("2026-09-20")).toBe(true); // Sun, make-up
    expect(isWork("2026-09-24")).toBe(true); // Thu
    expect(isWork("2026-09-25")).toBe(false); // Fri, 中秋
    expect(cal.holidayName(d("2026-09-25"))).toBe("中秋节");
    expect(isWork("2026-09-28")).toBe(true); // Mon
    expect(isWork("2026-10-01")).toBe(false);
    expect(isWork("2026-10-07")).toBe(false); // Wed
    expect(cal.holidayName(d("2026-10-07"))).toBe("国庆节");
    expect(isWork("2026-10-08")).toBe(true); // Thu
    expect(isWork("2026-10-10")).toBe(true); // Sat, make-up
    expect(isWork("2026-10-11")).toBe(false); // Sun
  });

  it("add/between", () => {
    // Fri 09-18 → Sat 09-19 rests → Sun 09-20
    expect(add("2026-09-18", 1)).toBe("2026-09-20");
    // Thu 09-24 → 09-25…09-27 off → Mon 09-28
    expect(add("2026-09-24", 1)).toBe("2026-09-28");
    // Wed 09-30 → 10-01…10-07 off → Thu 10-08
    expect(add("2026-09-30", 1)).toBe("2026-10-08");
    // Thu 09-24 + 4: 28, 29, 30, 10-08 → 10-08; + 6 → Sat 10-10; + 7 → Mon 10-12
    expect(add("2026-09-24", 4)).toBe("2026-10-08");
    expect(add("2026-09-24", 6)).toBe("2026-10-10");
    expect(add("2026-09-24", 7)).toBe("2026-10-12");
    expect(add("2026-10-08", -1)).toBe("2026-09-30");
    expect(add("2026-10-08", -4)).toBe("2026-09-24");
    // (09-18, 10-12]: 20, 21, 22, 23, 24, 28, 29, 30, 10-08, 09, 10, 12 = 12
    expect(between("2026-09-18", "2026-10-12")).toBe(12);
    expect(between("2026-10-12", "2026-09-18")).toBe(-12);
  });
});

describe("general identities on concrete dates", () => {
  it("between(a, a) = 0 on working and rest days", () => {
    for (const s of ["2026-02-13", "2026-02-18", "2026-02-21", "2027-03-03", "2000-01-01", "2100-12-31"]) {
      expect(between(s, s), s).toBe(0);
    }
  });

  it("between(b, a) = −between(a, b)", () => {
    const pairs: [string, string][] = [
      ["2024-02-01", "2024-03-01"],
      ["2025-01-20", "2025-02-10"],
      ["2026-02-15", "2026-02-23"],
      ["2025-12-20", "2026-01-10"],
    ];
    for (const [a, b] of pairs) {
      const ab = between(a, b);
      expect(ab).toBeGreaterThan(-1);
      // `+ ab` rather than toBe(-ab): toBe uses Object.is, and −0 ≠ +0 there
      expect(between(b, a) + ab).toBe(0);
    }
  });

  it("a plain week outside any holiday: 5 working days", () => {
    // (Mon 2026-03-09, Mon 2026-03-16]: Tue…Fri + Mon = 5
    expect(between("2026-03-09", "2026-03-16")).toBe(5);
    expect(add("2026-03-09", 5)).toBe("2026-03-16");
    expect(add("2026-03-14", 1)).toBe("2026-03-16"); // Saturday → Monday
    expect(add("2026-03-15", -1)).toBe("2026-03-13"); // Sunday → Friday
  });
});

describe("working days per year", () => {
  const expected: Record<string, number> = { "2024": 251, "2025": 248, "2026": 248 };

  it.each(Object.entries(expected))("%s has %i working days", (year, count) => {
    // the reference JSON states the same figure
    expect((referenceJson.years as Record<string, { workingDaysInYear: number }>)[year].workingDaysInYear).toBe(
      count,
    );
    // (Dec 31 of the previous year, Dec 31]: every day of the year
    expect(between(`${Number(year) - 1}-12-31`, `${year}-12-31`)).toBe(count);
    // day-by-day count
    let n = 0;
    for (let day = d(`${year}-01-01`); day <= d(`${year}-12-31`); day++) if (cal.isWorkingDay(day)) n++;
    expect(n).toBe(count);
  });

  it("a year without data counts Mon–Fri: 2027 has 261 weekdays", () => {
    // 2027-01-01 is a Friday; 365 = 52 weeks + 1 day (a Friday) → 52 × 5 + 1 = 261
    expect(weekdayOf(d("2027-01-01"))).toBe(5);
    expect(between("2026-12-31", "2027-12-31")).toBe(261);
  });
});

describe("administrator overrides win over the official table", () => {
  it("a rest day on a normal Tuesday shifts addWorkingDays", () => {
    // Tue 2026-03-10 is a normal working day
    expect(add("2026-03-09", 1)).toBe("2026-03-10");
    const c = withOverrides([{ date: "2026-03-10", kind: "rest", reason: "local holiday" }]);
    expect(c.isWorkingDay(d("2026-03-10"))).toBe(false);
    expect(c.dayKind(d("2026-03-10"))).toBe("override-rest");
    expect(c.overrideReason(d("2026-03-10"))).toBe("local holiday");
    // Mon 03-09 + 1 skips Tue → Wed 03-11; + 4 → Mon 03-16 (instead of Fri 03-13)
    expect(add("2026-03-09", 1, c)).toBe("2026-03-11");
    expect(add("2026-03-09", 4, c)).toBe("2026-03-16");
    expect(add("2026-03-11", -1, c)).toBe("2026-03-09");
    // (03-09, 03-16]: 11, 12, 13, 16 = 4 (was 5)
    expect(between("2026-03-09", "2026-03-16", c)).toBe(4);
    // the original calendar is unaffected
    expect(between("2026-03-09", "2026-03-16")).toBe(5);
  });

  it("a work Saturday counts", () => {
    const c = withOverrides([{ date: "2026-03-14", kind: "work", reason: "catch-up" }]);
    expect(c.isWorkingDay(d("2026-03-14"))).toBe(true);
    expect(c.dayKind(d("2026-03-14"))).toBe("override-work");
    // Fri 03-13 + 1 → Sat 03-14 (instead of Mon 03-16)
    expect(add("2026-03-13", 1, c)).toBe("2026-03-14");
    expect(add("2026-03-16", -1, c)).toBe("2026-03-14");
    // (03-09, 03-16]: 10, 11, 12, 13, 14, 16 = 6
    expect(between("2026-03-09", "2026-03-16", c)).toBe(6);
  });

  it("overrides beat official holidays and make-up days", () => {
    const c = withOverrides([
      { date: "2026-02-20", kind: "work", reason: "emergency" }, // Fri inside 春节
      { date: "2026-02-14", kind: "rest", reason: "make-up cancelled" }, // official make-up Saturday
    ]);
    expect(c.isWorkingDay(d("2026-02-20"))).toBe(true);
    expect(c.isWorkingDay(d("2026-02-14"))).toBe(false);
    // Fri 02-13 → (14 now rest) → 02-20 (override work)
    expect(add("2026-02-13", 1, c)).toBe("2026-02-20");
    expect(add("2026-02-13", 2, c)).toBe("2026-02-24");
    // (02-13, 02-28]: 20, 24, 25, 26, 27, 28 = 6
    expect(between("2026-02-13", "2026-02-28", c)).toBe(6);
  });

  it("override dates are inside the year counts", () => {
    const c = withOverrides([
      { date: "2025-03-04", kind: "rest" },
      { date: "2025-03-08", kind: "work" },
      { date: "2025-03-09", kind: "work" },
    ]);
    // 248 − 1 + 2
    expect(between("2024-12-31", "2025-12-31", c)).toBe(249);
  });
});

describe("provisional years (no official data)", () => {
  it("hasOfficialData", () => {
    expect(cal.hasOfficialData(2024)).toBe(true);
    expect(cal.hasOfficialData(2025)).toBe(true);
    expect(cal.hasOfficialData(2026)).toBe(true);
    expect(cal.hasOfficialData(2023)).toBe(false);
    expect(cal.hasOfficialData(2027)).toBe(false);
    expect(cal.officialYearList()).toEqual([2024, 2025, 2026]);
  });

  it("isProvisional", () => {
    expect(cal.isProvisional(d("2027-03-01"))).toBe(true);
    expect(cal.isProvisional(d("2027-01-01"), d("2027-12-31"))).toBe(true);
    expect(cal.isProvisional(d("2026-01-01"), d("2026-12-31"))).toBe(false);
    expect(cal.isProvisional(d("2026-05-01"))).toBe(false);
    expect(cal.isProvisional(d("2024-01-01"), d("2026-12-31"))).toBe(false);
    expect(cal.isProvisional(d("2026-12-20"), d("2027-01-10"))).toBe(true);
    // argument order does not matter
    expect(cal.isProvisional(d("2027-01-10"), d("2026-12-20"))).toBe(true);
    expect(cal.isProvisional(d("2023-12-31"), d("2024-01-02"))).toBe(true);
  });

  it("a year added as data makes its dates official", () => {
    const data = officialCalendarData();
    const c = createWorkingCalendar({
      years: { ...data.years, "2027": { holidays: [{ name: "元旦", from: "2027-01-01", to: "2027-01-01" }], makeupWorkdays: [] } },
    });
    expect(c.hasOfficialData(2027)).toBe(true);
    expect(c.isProvisional(d("2026-12-20"), d("2027-01-10"))).toBe(false);
    expect(c.isWorkingDay(d("2027-01-01"))).toBe(false); // a Friday made a holiday
  });
});

describe("range limits 2000–2100", () => {
  it("dates outside the range throw CalendarRangeError", () => {
    expect(() => cal.isWorkingDay(d("1999-12-31"))).toThrow(CalendarRangeError);
    expect(() => cal.isWorkingDay(d("2101-01-01"))).toThrow(CalendarRangeError);
    expect(() => cal.dayKind(d("2101-01-01"))).toThrow(CalendarRangeError);
    expect(() => cal.addWorkingDays(d("1999-06-01"), 1)).toThrow(CalendarRangeError);
    expect(() => cal.addWorkingDays(d("2101-06-01"), -1)).toThrow(CalendarRangeError);
    expect(() => cal.workingDaysBetween(d("1999-12-31"), d("2026-01-01"))).toThrow(CalendarRangeError);
    expect(() => cal.workingDaysBetween(d("2026-01-01"), d("2101-01-01"))).toThrow(CalendarRangeError);
    expect(() => cal.lastWorkingDayOnOrBefore(d("1999-12-31"))).toThrow(CalendarRangeError);
  });

  it("results that would leave the range throw too", () => {
    // 2100-12-31 is a Friday (checked below); there is no working day after it inside the table
    expect(weekdayOf(d("2100-12-31"))).toBe(5);
    expect(() => cal.addWorkingDays(d("2100-12-31"), 1)).toThrow(CalendarRangeError);
    // 2000-01-03 is a Monday, the first working day of the table (01-01 Sat, 01-02 Sun)
    expect(weekdayOf(d("2000-01-03"))).toBe(1);
    expect(() => cal.addWorkingDays(d("2000-01-03"), -1)).toThrow(CalendarRangeError);
    expect(() => cal.lastWorkingDayOnOrBefore(d("2000-01-02"))).toThrow(CalendarRangeError);
    // the edges themselves work
    expect(add("2100-12-30", 1)).toBe("2100-12-31");
    expect(add("2000-01-04", -1)).toBe("2000-01-03");
    expect(between("2000-01-01", "2000-01-07")).toBe(5);
  });

  it("CalendarRangeError is an Error with its own name", () => {
    try {
      cal.isWorkingDay(d("2101-01-01"));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(Error);
      expect((e as Error).name).toBe("CalendarRangeError");
    }
  });
});

describe("format", () => {
  it("formats and caches labels", () => {
    expect(cal.format(d("2026-02-14"))).toBe("2026-02-14");
    expect(cal.format(d("2026-02-14"))).toBe("2026-02-14");
    expect(cal.format(d("1999-12-31"))).toBe("1999-12-31"); // outside the cache, still formatted
    expect(cal.parse("2026-02-30")).toBeNull();
    expect(cal.parse("2026-02-28")).toBe(d("2026-02-28"));
  });
});

describe("shanghaiDateTime", () => {
  it("shows an instant as Shanghai wall-clock time, across the UTC date line", () => {
    expect(shanghaiDateTime(Date.UTC(2026, 11, 2, 9, 13))).toBe("2026-12-02 17:13");
    expect(shanghaiDateTime(Date.UTC(2026, 11, 31, 16, 5))).toBe("2027-01-01 00:05");
  });
});
