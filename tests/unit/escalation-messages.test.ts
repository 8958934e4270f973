import { describe, expect, it } from "vitest";
import { createWorkingCalendar, officialCalendarData, toDay } from "~/domain/calendar";
import { dueStanding, escalationMessage, superviseAgendaSummary, type EscalationMessageFacts } from "~/domain/escalation/messages";

/*
 * The official 2026 arrangement around 国庆 (app/domain/calendar/holidays-cn.json):
 * 中秋 Fri 09-25 – Sun 09-27 rest, 国庆 Thu 10-01 – Wed 10-07 rest, make-up working
 * days Sun 09-20 and Sat 10-10. Every count below is written out by hand.
 */
const cal = createWorkingCalendar(officialCalendarData());
const d = toDay;

/** Facts for a level that fires on `on` and is written that same day (on time). */
const item = (over: Partial<EscalationMessageFacts> & { on?: string }): EscalationMessageFacts => {
  const { on = "2026-10-10", ...rest } = over;
  return { level: "yellow", projectName: "江城数据中心", itemName: "施工许可", departmentName: "住建局", dueOn: d("2026-10-12"), firesOn: d(on), writtenOn: d(on), ...rest };
};

describe("预警 says how many working days are left", () => {
  it("on the make-up Saturday before a Monday due date: 1 left", () => {
    // due Mon 10-12; written Sat 10-10 (make-up working day): 10-12 → 1
    expect(escalationMessage(item({}), cal)).toEqual({
      title: "【预警】江城数据中心 · 施工许可",
      body: "住建局承办，剩余 1 个工作日，到期日 2026-10-12；请及时办理。",
    });
  });

  it("across the 国庆 block: the holiday days do not count", () => {
    // written Wed 09-30, due Mon 10-12: 10-08, 10-09, 10-10 (make-up), 10-12 → 4, not 12 calendar days
    expect(escalationMessage(item({ on: "2026-09-30" }), cal).body).toBe("住建局承办，剩余 4 个工作日，到期日 2026-10-12；请及时办理。");
  });

  it("with a lead of 3 it fires on Thu 10-08, the first day back: 3 left", () => {
    // 10-09, 10-10, 10-12 → 3
    expect(escalationMessage(item({ on: "2026-10-08" }), cal).body).toBe("住建局承办，剩余 3 个工作日，到期日 2026-10-12；请及时办理。");
  });

  it("on the due date itself (lead 0): 今日到期", () => {
    expect(escalationMessage(item({ on: "2026-10-12" }), cal).body).toBe("住建局承办，今日到期（到期日 2026-10-12）；请及时办理。");
  });

  it("a due date inside the holiday (a calendar-day limit): no working day is left before it", () => {
    // due Sat 10-03 (国庆); fires Wed 09-30: no working day lies in (09-30, 10-03]
    expect(escalationMessage(item({ dueOn: d("2026-10-03"), on: "2026-09-30" }), cal).body).toBe("住建局承办，到期前已无工作日（到期日 2026-10-03）；请及时办理。");
  });

  it("fired late (the worker was down until after the due date): still a warning, saying when it was due to come", () => {
    // due Mon 10-12; the yellow's moment was Sat 10-10, the worker fired the backlog on Wed 10-14
    expect(escalationMessage(item({ firesOn: d("2026-10-10"), writtenOn: d("2026-10-14") }), cal).body).toBe(
      "住建局承办，剩余 1 个工作日，到期日 2026-10-12；请及时办理。（此提醒应于 2026-10-10 发出，系统恢复后补发）",
    );
  });
});

describe("超期, 督办 and 领导督办 say how many working days overdue", () => {
  // due Wed 09-30, the last working day before 国庆
  const overdue = (level: EscalationMessageFacts["level"], on: string, over: Partial<EscalationMessageFacts> = {}) =>
    escalationMessage(item({ level, dueOn: d("2026-09-30"), on, ...over }), cal);

  it("超期 (+1): Thu 10-08, one working day overdue although eight calendar days passed", () => {
    expect(overdue("red", "2026-10-08")).toEqual({
      title: "【超期】江城数据中心 · 施工许可",
      body: "住建局承办，已超期 1 个工作日（到期日 2026-09-30）；请尽快办结并说明超期原因。",
    });
  });

  it("督办 (+3) on the make-up Saturday 10-10, waiting for a meeting when none is planned", () => {
    // 10-08, 10-09, 10-10 → 3
    expect(overdue("supervise", "2026-10-10")).toEqual({
      title: "【督办】江城数据中心 · 施工许可",
      body: "住建局承办，已超期 3 个工作日（到期日 2026-09-30）；已列入督办，待列入下次联席会议议程。",
    });
  });

  it("督办 names the meeting whose agenda took the item", () => {
    expect(overdue("supervise", "2026-10-10", { agendaMeetingOn: d("2026-10-15") }).body).toBe(
      "住建局承办，已超期 3 个工作日（到期日 2026-09-30）；已列入督办，提交 2026-10-15 联席会议研究。",
    );
  });

  it("领导督办 (+10): Tue 10-20", () => {
    // 10-08, 09, 10, 12, 13, 14, 15, 16, 19, 20 → 10
    expect(overdue("leader", "2026-10-20")).toEqual({
      title: "【领导督办】江城数据中心 · 施工许可",
      body: "住建局承办，已超期 10 个工作日（到期日 2026-09-30）；已报请领导督办。",
    });
  });

  it("on a rest day right after the due date: past it, but no working day overdue yet", () => {
    // due Fri 10-16, written Sat 10-17 (an ordinary weekend): (10-16, 10-17] holds no working day
    expect(overdue("red", "2026-10-17", { dueOn: d("2026-10-16") }).body).toBe("住建局承办，已过到期日 2026-10-16；请尽快办结并说明超期原因。");
  });

  it("an item without a department leaves the handler out rather than printing a blank", () => {
    expect(overdue("red", "2026-10-08", { departmentName: null }).body).toBe("已超期 1 个工作日（到期日 2026-09-30）；请尽快办结并说明超期原因。");
  });
});

describe("停滞 says how many working days without progress", () => {
  it("counts the make-up Sunday 09-20 as a working day", () => {
    // last progress Fri 09-18: 09-20 (make-up Sunday), 09-21, 09-22, 09-23, 09-24 → 5
    expect(escalationMessage({ level: "stall", projectName: "江城数据中心", itemName: null, departmentName: null, dueOn: d("2026-09-18"), firesOn: d("2026-09-24"), writtenOn: d("2026-09-24") }, cal)).toEqual({
      title: "【停滞】江城数据中心",
      body: "项目自 2026-09-18 起已 5 个工作日无进展，请代办员跟进并在联席会议上说明。",
    });
  });

  it("skips 中秋 and 国庆", () => {
    // last progress Thu 09-24: 09-28, 09-29, 09-30, 10-08, 10-09 → 5
    expect(escalationMessage({ level: "stall", projectName: "江城数据中心", itemName: null, departmentName: null, dueOn: d("2026-09-24"), firesOn: d("2026-10-09"), writtenOn: d("2026-10-09") }, cal).body).toBe(
      "项目自 2026-09-24 起已 5 个工作日无进展，请代办员跟进并在联席会议上说明。",
    );
  });
});

describe("the words each level uses are its own", () => {
  it("a whole ladder fired at once from a backlog keeps each level's own count", () => {
    // due Wed 09-30 with the defaults: yellow Tue 09-29, red 10-08, supervise 10-10, leader 10-20;
    // the worker comes back on Wed 10-21 and fires all four in one batch.
    const days = { yellow: "2026-09-29", red: "2026-10-08", supervise: "2026-10-10", leader: "2026-10-20" } as const;
    const bodies = Object.entries(days).map(
      ([level, on]) => escalationMessage(item({ level: level as keyof typeof days, dueOn: d("2026-09-30"), firesOn: d(on), writtenOn: d("2026-10-21") }), cal).body,
    );
    expect(bodies).toEqual([
      "住建局承办，剩余 1 个工作日，到期日 2026-09-30；请及时办理。（此提醒应于 2026-09-29 发出，系统恢复后补发）",
      "住建局承办，已超期 1 个工作日（到期日 2026-09-30）；请尽快办结并说明超期原因。（此提醒应于 2026-10-08 发出，系统恢复后补发）",
      "住建局承办，已超期 3 个工作日（到期日 2026-09-30）；已列入督办，待列入下次联席会议议程。（此提醒应于 2026-10-10 发出，系统恢复后补发）",
      "住建局承办，已超期 10 个工作日（到期日 2026-09-30）；已报请领导督办。（此提醒应于 2026-10-20 发出，系统恢复后补发）",
    ]);
  });

  it("dueStanding and the agenda line", () => {
    expect(dueStanding(d("2026-10-12"), d("2026-10-15"), cal)).toBe("已超期 3 个工作日（到期日 2026-10-12）");
    expect(superviseAgendaSummary("施工许可", "2026-09-30")).toBe("施工许可超期督办（到期日 2026-09-30）");
  });
});
