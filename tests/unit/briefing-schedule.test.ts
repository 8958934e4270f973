/**
 * When the 周通报 / 月通报 come out (issue 13): 08:00 Asia/Shanghai on the Monday after
 * the week / the 1st after the month, or on the next working day when that is a rest day.
 *
 * Hand-checked against the official arrangements in app/domain/calendar/holidays-cn.json.
 * 2027 has no official data yet (its notice comes out in late 2026), so the 春节 crossing
 * uses 2026's: 春节 2026-02-15 (Sun) … 02-23 (Mon), make-up working days Sat 02-14 and
 * Sat 02-28; 国庆 2026-10-01 (Thu) … 10-07 (Wed), make-up Sun 09-20 and Sat 10-10;
 * 元旦 2026-01-01 … 01-03, make-up Sun 2026-01-04.
 */
import { describe, expect, it } from "vitest";
import {
  briefingDueOn,
  briefingInstant,
  briefingTitle,
  dueBriefings,
  latestFullPeriod,
  nextBriefingRun,
  owedBriefings,
  scheduleKeyOf,
  type BriefingPeriod,
} from "~/domain/briefing/schedule";
import { createWorkingCalendar, formatDay, officialCalendarData, toDay, weekdayOf } from "~/domain/calendar";

const cal = createWorkingCalendar(officialCalendarData());
const at = (date: string, time = "08:00") => Date.parse(`${date}T${time}:00+08:00`);
const week = (from: string, to: string): BriefingPeriod => ({ kind: "weekly", from, to });
const month = (from: string, to: string): BriefingPeriod => ({ kind: "monthly", from, to });
const due = (d: string) => dueBriefings(toDay(d), cal);
const next = (kind: "weekly" | "monthly", instant: string, time?: string) => nextBriefingRun(kind, at(instant, time), cal);

describe("the anchors these cases rely on", () => {
  it("weekdays and day kinds", () => {
    expect(weekdayOf(toDay("2026-02-16"))).toBe(1);
    expect(cal.dayKind(toDay("2026-02-16"))).toBe("holiday");
    expect(cal.dayKind(toDay("2026-02-23"))).toBe("holiday");
    expect(cal.dayKind(toDay("2026-02-14"))).toBe("makeup");
    expect(weekdayOf(toDay("2026-02-14"))).toBe(6);
    expect(cal.dayKind(toDay("2026-09-20"))).toBe("makeup");
    expect(weekdayOf(toDay("2026-09-20"))).toBe(0);
    expect(cal.dayKind(toDay("2026-10-05"))).toBe("holiday");
    expect(cal.dayKind(toDay("2026-01-04"))).toBe("makeup");
    expect(cal.hasOfficialData(2027)).toBe(false);
  });
});

describe("periods and keys", () => {
  it("the latest full week runs Monday to Sunday before this week; the month is the previous calendar month", () => {
    expect(latestFullPeriod("weekly", toDay("2026-12-02"))).toEqual(week("2026-11-23", "2026-11-29"));
    // On a Monday the week just ended is the latest full one.
    expect(latestFullPeriod("weekly", toDay("2026-11-30"))).toEqual(week("2026-11-23", "2026-11-29"));
    expect(latestFullPeriod("weekly", toDay("2026-01-01"))).toEqual(week("2025-12-22", "2025-12-28"));
    expect(latestFullPeriod("monthly", toDay("2026-12-02"))).toEqual(month("2026-11-01", "2026-11-30"));
    expect(latestFullPeriod("monthly", toDay("2026-01-15"))).toEqual(month("2025-12-01", "2025-12-31"));
    expect(latestFullPeriod("monthly", toDay("2024-03-01"))).toEqual(month("2024-02-01", "2024-02-29"));
  });

  it("one schedule key per period", () => {
    expect(scheduleKeyOf(week("2026-11-23", "2026-11-29"))).toBe("weekly-2026-11-23");
    expect(scheduleKeyOf(month("2026-11-01", "2026-11-30"))).toBe("monthly-2026-11");
    expect(briefingTitle(week("2026-11-23", "2026-11-29"))).toBe("重点项目审批周通报（2026-11-23 至 2026-11-29）");
    expect(briefingTitle(month("2026-11-01", "2026-11-30"))).toBe("重点项目审批月通报（2026 年 11 月）");
  });

  it("08:00 Asia/Shanghai is 00:00 UTC of the same day", () => {
    expect(new Date(briefingInstant(toDay("2026-11-30"))).toISOString()).toBe("2026-11-30T00:00:00.000Z");
  });
});

describe("due days", () => {
  it("an ordinary Monday and an ordinary 1st", () => {
    expect(formatDay(briefingDueOn(week("2026-11-23", "2026-11-29"), cal))).toBe("2026-11-30");
    expect(formatDay(briefingDueOn(month("2026-06-01", "2026-06-30"), cal))).toBe("2026-07-01"); // Wed
    expect(due("2026-11-30")).toEqual([week("2026-11-23", "2026-11-29")]);
    expect(due("2026-07-01")).toEqual([month("2026-06-01", "2026-06-30")]);
    expect(due("2026-12-02")).toEqual([]);
  });

  it("春节 2026: the Mondays 02-16 and 02-23 are holidays, so both weeklies come out on Tue 02-24", () => {
    expect(due("2026-02-09")).toEqual([week("2026-02-02", "2026-02-08")]);
    expect(due("2026-02-16")).toEqual([]);
    expect(due("2026-02-23")).toEqual([]);
    expect(due("2026-02-24")).toEqual([week("2026-02-09", "2026-02-15"), week("2026-02-16", "2026-02-22")]);
    expect(due("2026-02-25")).toEqual([]);
  });

  it("a make-up working Saturday is not a Monday: the weekly still waits for the first working day on or after Monday", () => {
    // Sat 2026-02-14 works (调休) but the week of 02-09 is not over; Sat 02-28 works, the February
    // monthly's nominal day is Sun 03-01, so it waits for Mon 03-02 with that week's weekly.
    expect(due("2026-02-14")).toEqual([]);
    expect(due("2026-02-28")).toEqual([]);
    expect(due("2026-03-02")).toEqual([week("2026-02-23", "2026-03-01"), month("2026-02-01", "2026-02-28")]);
    // Sat 2026-10-10 works too; the week of 10-05 comes out on Mon 10-12 as usual.
    expect(due("2026-10-10")).toEqual([]);
    expect(due("2026-10-12")).toEqual([week("2026-10-05", "2026-10-11")]);
  });

  it("a make-up working Sunday ends its week but does not report it", () => {
    expect(due("2026-09-20")).toEqual([]);
    expect(due("2026-09-21")).toEqual([week("2026-09-14", "2026-09-20")]);
  });

  it("国庆 2026: the September monthly (due Thu 10-01) and the weekly (due Mon 10-05) both come out on Thu 10-08", () => {
    expect(due("2026-10-01")).toEqual([]);
    expect(due("2026-10-05")).toEqual([]);
    expect(due("2026-10-08")).toEqual([week("2026-09-28", "2026-10-04"), month("2026-09-01", "2026-09-30")]);
  });

  it("year ends: 元旦 2026 moves the December monthly to the make-up Sunday 2026-01-04; the year-spanning week reports on Mon 01-05", () => {
    expect(due("2025-12-29")).toEqual([week("2025-12-22", "2025-12-28")]);
    expect(due("2026-01-01")).toEqual([]);
    expect(due("2026-01-04")).toEqual([month("2025-12-01", "2025-12-31")]);
    expect(due("2026-01-05")).toEqual([week("2025-12-29", "2026-01-04")]);
    // 元旦 2025 is one day (Wed): the December 2024 monthly comes out on Thu 2025-01-02.
    expect(due("2025-01-02")).toEqual([month("2024-12-01", "2024-12-31")]);
  });
});

describe("owed briefings (the daily run with catch-up)", () => {
  it("today's only from 08:00", () => {
    expect(owedBriefings(at("2026-11-30", "07:59"), cal, 0)).toEqual([]);
    expect(owedBriefings(at("2026-11-30", "08:00"), cal, 0)).toEqual([week("2026-11-23", "2026-11-29")]);
  });

  it("a worker down on the due morning makes up for it on a later day within the catch-up window", () => {
    expect(owedBriefings(at("2026-12-02", "08:00"), cal)).toEqual([week("2026-11-23", "2026-11-29"), month("2026-11-01", "2026-11-30")]);
    expect(owedBriefings(at("2026-12-09", "08:00"), cal, 7)).toEqual([week("2026-11-30", "2026-12-06")]);
  });
});

describe("the next run, for the page", () => {
  it("across 春节 2026", () => {
    expect(next("weekly", "2026-02-10", "09:00")).toMatchObject({ label: "2026-02-24 08:00", period: week("2026-02-09", "2026-02-15"), provisional: false });
    // The second weekly owed on 02-24 follows it at the same moment.
    expect(next("weekly", "2026-02-24", "08:00").label).toBe("2026-03-02 08:00");
    expect(next("monthly", "2026-01-15", "09:00")).toMatchObject({ label: "2026-02-02 08:00", period: month("2026-01-01", "2026-01-31") });
    expect(next("monthly", "2026-02-02", "08:00")).toMatchObject({ label: "2026-03-02 08:00", period: month("2026-02-01", "2026-02-28") });
  });

  it("before 08:00 on a due day, that day's run is still next", () => {
    expect(next("weekly", "2026-11-30", "07:59").label).toBe("2026-11-30 08:00");
    expect(next("weekly", "2026-11-30", "08:00").label).toBe("2026-12-07 08:00");
  });

  it("across 国庆 2026", () => {
    expect(next("monthly", "2026-09-15", "09:00")).toMatchObject({ label: "2026-10-08 08:00", period: month("2026-09-01", "2026-09-30") });
    expect(next("weekly", "2026-09-30", "09:00")).toMatchObject({ label: "2026-10-08 08:00", period: week("2026-09-28", "2026-10-04") });
  });

  it("into a year without official data: flagged provisional", () => {
    expect(next("monthly", "2026-12-02", "10:00")).toMatchObject({ label: "2027-01-01 08:00", provisional: true });
    expect(next("weekly", "2026-12-28", "08:00")).toMatchObject({ label: "2027-01-04 08:00", period: week("2026-12-28", "2027-01-03"), provisional: true });
    expect(next("weekly", "2026-12-02", "10:00")).toMatchObject({ label: "2026-12-07 08:00", provisional: false });
  });
});
