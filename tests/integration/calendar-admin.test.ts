import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { addCalendarOverride, addCalendarYear, calendarAdd, getCalendarYear, removeCalendarOverride } from "~/services/calendar.server";
import { recordItemEvent } from "~/services/items.server";
import { getProjectSchedule } from "~/services/project-document.server";
import { getDb } from "~/utils/db.server";
import { caught } from "../support/app-error";
import { ctxAt, insertProject, insertUser, receiveMaterials, type TestUser } from "../factories";

// A plausible 2027 arrangement, typed in by an administrator the day the notice comes out.
const YEAR_2027 = {
  year: "2027",
  source: "国务院办公厅关于2027年部分节假日安排的通知（测试数据）",
  holidays: "元旦 2027-01-01 2027-01-03\n春节 2027-02-06 2027-02-14\n清明节 2027-04-05\n劳动节 2027-05-01 2027-05-05\n国庆节 2027-10-01 2027-10-07",
  makeupWorkdays: "2027-02-20, 2027-04-25 2027-10-09",
};

let admin: TestUser;
let proxy: TestUser;

beforeEach(async () => {
  admin = await insertUser({ role: "admin" });
  proxy = await insertUser({ role: "proxy" });
});

describe("working-calendar administration", () => {
  it("shows a year as month grids with holidays and make-up days", () => {
    const y = getCalendarYear(ctxAt("2026-11-27"), admin, 2026);
    expect(y.official).toBe(true);
    expect(y.workingDays).toBe(248);
    const feb = y.months[1];
    expect(feb.find((d) => d.date === "2026-02-14")).toMatchObject({ kind: "makeup", working: true });
    expect(feb.find((d) => d.date === "2026-02-16")).toMatchObject({ kind: "holiday", label: "春节", working: false });
    expect(caught(() => getCalendarYear(ctxAt("2026-11-27"), proxy, 2026)).status).toBe(403);
  });

  it("adds 2027 without a code change: results stop being provisional and due dates move", () => {
    const ctx = ctxAt("2026-12-31");
    // Before: 2027 unknown → Mon–Fri assumed and flagged. Fri 2027-02-05 + 1 = Mon 02-08 (provisional).
    expect(calendarAdd(ctx, "2027-02-05", "1")).toEqual({ date: "2027-02-08", provisional: true });
    // standard-land signed 2026-11-27 plans its whole way to 开工 within 2027.
    const project = insertProject(proxy, { name: "跨年项目", templateKey: "standard-land", signedOn: "2026-11-27", targetStartOn: "2027-03-31" });
    expect(getProjectSchedule(ctx, proxy, project, "2026-11-27").provisional).toBe(true);
    // general-industrial's 备案 (promised 1 WD) accepted Thu 2026-12-31: due Fri 2027-01-01 on the Mon–Fri stand-in.
    const running = insertProject(proxy, { name: "年末受理项目", templateKey: "general-industrial", signedOn: "2026-12-30", targetStartOn: "2027-12-31" });
    receiveMaterials(running);
    recordItemEvent(ctx, proxy, running, "filing", { type: "accept", on: "2026-12-31" });
    const due = () => getDb().get<{ due_on: string }>(sql`select due_on from items where project_id = ${running} and key = 'filing'`)!.due_on;
    expect(due()).toBe("2027-01-01");

    const r = addCalendarYear(ctx, admin, YEAR_2027);
    // 元旦 2027-01-01..01-03 is off now: 备案 is due Mon 01-04, the one item with a clock that moved.
    expect(r.recomputed).toBe(1);
    expect(due()).toBe("2027-01-04");
    // After: 02-06..02-14 is 春节 → Fri 02-05 + 1 = Mon 02-15, no longer provisional.
    expect(calendarAdd(ctx, "2027-02-05", "1")).toEqual({ date: "2027-02-15", provisional: false });
    expect(getProjectSchedule(ctx, proxy, project, "2026-11-27").provisional).toBe(false);
    const y = getCalendarYear(ctx, admin, 2027);
    expect(y.official).toBe(true);
    expect(y.addedByAdmin).toBe(true);
    expect(y.months[3].find((d) => d.date === "2027-04-25")).toMatchObject({ kind: "makeup" });
  });

  it("rejects a malformed arrangement with the line at fault, and a year already shipped", () => {
    const ctx = ctxAt("2026-11-27");
    const bad = { ...YEAR_2027, year: "2028", holidays: "元旦 2028-01-01 2028-01-03\n春节 2028-02-30", makeupWorkdays: "2028-01-05" };
    const e = caught(() => addCalendarYear(ctx, admin, bad));
    expect(e.status).toBe(422);
    expect(e.message).toContain("第 2 行日期无效");
    expect(e.message).toContain("调休上班日 2028-01-05 不是周末");
    expect(caught(() => addCalendarYear(ctx, admin, { ...YEAR_2027, year: "2026" })).status).toBe(409);
    expect(getDb().get<{ n: number }>(sql`select count(*) as n from calendar_years where year = 2028`).n).toBe(0);
  });

  it("an override moves a running item's due date, and removing it moves it back", () => {
    const ctx = ctxAt("2026-12-01");
    const project = insertProject(proxy, { name: "调整项目", templateKey: "general-industrial", signedOn: "2026-12-01", targetStartOn: "2027-06-30" });
    receiveMaterials(project);
    recordItemEvent(ctx, proxy, project, "filing", { type: "accept", on: "2026-12-01" });
    const due = () => getDb().get<{ due_on: string }>(sql`select due_on from items where project_id = ${project} and key = 'filing'`)!.due_on;
    expect(due()).toBe("2026-12-02"); // promised 1 WD
    expect(addCalendarOverride(ctx, admin, { date: "2026-12-02", kind: "rest", reason: "台风停工" })).toEqual({ recomputed: 1 });
    expect(due()).toBe("2026-12-03");
    const id = getDb().get<{ id: number }>(sql`select id from calendar_overrides where date = '2026-12-02'`)!.id;
    expect(caught(() => addCalendarOverride(ctx, admin, { date: "2026-12-02", kind: "rest", reason: "重复" })).status).toBe(422);
    expect(removeCalendarOverride(ctx, admin, id)).toEqual({ recomputed: 1 });
    expect(due()).toBe("2026-12-02");
  });
});
