import { describe, expect, it } from "vitest";
import { createWorkingCalendar, officialCalendarData, toDay, formatDay } from "~/domain/calendar";
import {
  DEFAULT_POLICY,
  audienceOf,
  deliveryInstant,
  instantOf,
  itemOverrides,
  planItemEscalations,
  retryDelayMs,
} from "~/domain/escalation/policy";

const cal = createWorkingCalendar(officialCalendarData());
const d = toDay;
const iso = (ms: number) => new Date(ms).toISOString();

function plan(due: string, accepted: string, overrides = {}) {
  return Object.fromEntries(
    planItemEscalations(7, d(due), d(accepted), cal, DEFAULT_POLICY, overrides).map((p) => [p.level, formatDay(p.fireOn)]),
  );
}

describe("escalation ladder days (DESIGN §4)", () => {
  it("an ordinary week: yellow the day before, red +1, supervise +3, leader +10", () => {
    // due Wed 2026-03-11: yellow Tue 03-10 (1 left), red Thu 03-12, supervise Mon 03-16, leader 03-25
    // (+10 from 03-11: 12,13,16,17,18,19,20,23,24,25)
    expect(plan("2026-03-11", "2026-03-02")).toEqual({ yellow: "2026-03-10", red: "2026-03-12", supervise: "2026-03-16", leader: "2026-03-25" });
  });

  it("across 国庆 2026 with its make-up Saturday", () => {
    // due Mon 2026-10-12: yellow = working day before = Sat 10-10 (make-up day); red 10-13; supervise 10-15;
    // leader: 13,14,15,16,19,20,21,22,23,26 → 10-26
    expect(plan("2026-10-12", "2026-09-21")).toEqual({ yellow: "2026-10-10", red: "2026-10-13", supervise: "2026-10-15", leader: "2026-10-26" });
  });

  it("due just before 春节 2026: red lands after the holiday block", () => {
    // due Fri 2026-02-13; 02-14 is a make-up Saturday → red 02-14; supervise: 14, 24, 25 → 02-25
    expect(plan("2026-02-13", "2026-02-02")).toMatchObject({ yellow: "2026-02-12", red: "2026-02-14", supervise: "2026-02-25" });
  });

  it("a due date on a rest day (calendar-day limit): yellow on the working day with 1 left", () => {
    // due Sun 2026-03-15: remaining on Fri 03-13 is 0, on Thu 03-12 it is 1 → yellow 03-12; red Mon 03-16
    expect(plan("2026-03-15", "2026-03-02")).toMatchObject({ yellow: "2026-03-12", red: "2026-03-16" });
  });

  it("never warns before the item was accepted", () => {
    // 承诺制 item accepted and due the same day 2026-03-11: yellow would be 03-10 → clamped to 03-11
    expect(plan("2026-03-11", "2026-03-11").yellow).toBe("2026-03-11");
  });

  it("per-item yellow lead and offsets override the deployment's", () => {
    expect(plan("2026-03-11", "2026-03-02", { yellowLead: 3 }).yellow).toBe("2026-03-06");
    expect(plan("2026-03-11", "2026-03-02", { yellowLead: 0 }).yellow).toBe("2026-03-11");
    expect(plan("2026-03-11", "2026-03-02", { superviseAfter: 2 }).supervise).toBe("2026-03-13");
  });

  it("reads an item's stored overrides: the yellow lead column on top of the JSON ladder", () => {
    expect(itemOverrides({ yellowLead: 3, escalationOverrides: '{"redAfter":2}' })).toEqual({ redAfter: 2, yellowLead: 3 });
    expect(itemOverrides({ yellowLead: null, escalationOverrides: null })).toEqual({});
  });

  it("fires at 09:00 Asia/Shanghai (01:00 UTC) and keys each level by item and due date", () => {
    const [yellow, red] = planItemEscalations(7, d("2026-03-11"), d("2026-03-02"), cal, DEFAULT_POLICY);
    expect(iso(yellow.fireAt)).toBe("2026-03-10T01:00:00.000Z");
    expect(red.dedupeKey).toBe("item-7-red-2026-03-11");
  });

  it("tells more people at each level", () => {
    expect(audienceOf("yellow")).toEqual(["handler", "departmentStaff", "proxy"]);
    expect(audienceOf("red")).toEqual(expect.arrayContaining(["departmentLeader", "coordinator", "proxy"]));
    expect(audienceOf("leader")).toContain("leader");
    expect(audienceOf("stall")).toEqual(["proxy", "coordinator"]);
  });
});

describe("quiet hours: deliver on working days 08:30–18:00 only", () => {
  const at = (local: string) => new Date(`${local}+08:00`).getTime();
  it("delivers at once inside working hours", () => {
    expect(deliveryInstant(at("2026-03-11T10:15:00"), cal, DEFAULT_POLICY)).toBe(at("2026-03-11T10:15:00"));
  });
  it("holds an early-morning message until 08:30 the same day", () => {
    expect(deliveryInstant(at("2026-03-11T06:00:00"), cal, DEFAULT_POLICY)).toBe(at("2026-03-11T08:30:00"));
  });
  it("holds an evening message until the next working morning", () => {
    expect(deliveryInstant(at("2026-03-11T18:00:00"), cal, DEFAULT_POLICY)).toBe(at("2026-03-12T08:30:00"));
  });
  it("skips weekends and holidays but not make-up working days", () => {
    // Fri 2026-02-13 evening → Sat 02-14 is a make-up working day
    expect(deliveryInstant(at("2026-02-13T20:00:00"), cal, DEFAULT_POLICY)).toBe(at("2026-02-14T08:30:00"));
    // Sat 02-14 evening → the 春节 block 02-15..02-23 → Tue 02-24
    expect(deliveryInstant(at("2026-02-14T19:00:00"), cal, DEFAULT_POLICY)).toBe(at("2026-02-24T08:30:00"));
    // during 国庆 2026
    expect(deliveryInstant(at("2026-10-03T12:00:00"), cal, DEFAULT_POLICY)).toBe(at("2026-10-08T08:30:00"));
  });
  it("instantOf is independent of the process time zone", () => {
    expect(new Date(instantOf(d("2026-03-11"), { hour: 8, minute: 30 })).toISOString()).toBe("2026-03-11T00:30:00.000Z");
  });
});

describe("e-mail retry backoff", () => {
  it("doubles from one minute and stops growing at an hour", () => {
    expect([1, 2, 3, 4, 7, 8, 20].map((a) => retryDelayMs(a) / 60_000)).toEqual([1, 2, 4, 8, 60, 60, 60]);
  });
});
