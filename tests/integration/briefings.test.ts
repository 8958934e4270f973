/**
 * The weekly and monthly 通报 (issue 13): generated on demand from the list page and read
 * back from its .xlsx with exceljs (sheets, a known overdue item, the ranking equal to
 * rankingRows), the printable page and its 404s, and the worker's daily 08:00 job — a
 * redelivered job writes one briefing and one message per leader, a rest-day Monday owes
 * nothing until the next working morning.
 *
 * The demo city is seeded Fri 2026-11-27 10:00 Shanghai. Services take a fixed "now";
 * routes read the real clock, so route tests freeze `Date` (only Date: Redis runs for real).
 *
 * Calendar facts (holidays-cn.json, 2026): 11-23 … 12-04 are plain Mon–Fri weeks; 春节
 * 02-15 (Sun) … 02-23 (Mon) with make-up Sat 02-14; so the Mondays 02-16 and 02-23 rest
 * and the weeklies of 02-09 and 02-16 come out on Tue 02-24.
 */
import { eq, sql } from "drizzle-orm";
import ExcelJS from "exceljs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { briefings, notifications, users } from "../../db/schema";
import { BRIEFING_SHEETS, type BriefingBody } from "~/domain/briefing/content";
import { formatDay, parseDate, shanghaiDay } from "~/domain/calendar";
import { getBriefing, runBriefingSchedule } from "~/services/briefings.server";
import { rankingRows } from "~/services/dashboard.server";
import { issueSupervision } from "~/services/supervision.server";
import { getCalendar } from "~/services/time-rules.server";
import { getDb } from "~/utils/db.server";
import { action as listAction, loader as listLoader } from "~/routes/_app.dashboard.briefings._index";
import { loader as pageLoader } from "~/routes/_app.dashboard.briefings.$id";
import { loader as xlsxLoader } from "~/routes/dashboard.briefings.$id[.xlsx]";
import { action as loginAction } from "~/routes/login";
import { closeAllRedis } from "../../jobs/connection";
import { closeQueues, getQueue } from "../../jobs/queues";
import { startWorker, type WorkerHandle } from "../../jobs/worker-core";
import { DEMO_PASSWORD } from "../../scripts/demo-seed";
import { ctxAt, insertUser, shanghai } from "../factories";
import { useDemoCity } from "../setup/db";

const db = () => getDb();
const URL_BASE = "http://localhost";

/** Routes read the real clock: freeze Date (only Date) at a Shanghai wall-clock time. */
function freezeClockAt(day: string, time = "10:00") {
  vi.useFakeTimers({ toFake: ["Date"], now: shanghai(day, time) });
}
afterEach(() => {
  vi.useRealTimers();
});

async function cookieOf(login: string, password: string): Promise<string> {
  const res = (await loginAction({ request: new Request(`${URL_BASE}/login`, { method: "POST", body: new URLSearchParams({ login, password }) }), params: {}, context: {} })) as Response;
  const cookie = (res.headers.get("Set-Cookie") ?? "").split(";")[0];
  expect(cookie).toMatch(/^gc_session=/);
  return cookie;
}

/** A thrown Response (403/404 pages) or the loader's data. */
async function settle<T>(p: Promise<T>): Promise<T | Response> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof Response) return e;
    throw e;
  }
}

const leaderOf = (login: string) => {
  const u = db().select().from(users).where(eq(users.login, login)).get()!;
  return { id: u.id, role: u.role, departmentId: u.departmentId, enterpriseId: u.enterpriseId };
};

const cellText = (v: ExcelJS.CellValue) => (v === null || v === undefined ? "" : String(v));

describe("on demand, the page and the .xlsx", () => {
  useDemoCity();

  it("立即生成 makes a weekly briefing of the last full week; its .xlsx has the five sheets, the overdue item and the ranking", async () => {
    // Mon 2026-11-30: the latest full week is 11-23 … 11-29, its ranking sums November.
    freezeClockAt("2026-11-30");
    const leader = leaderOf("leader");
    // A 督办单 on the demo's overdue item, so the 督办 sheet has a row we know.
    const overdue = db().get<{ projectId: number; projectName: string; key: string; name: string; department: string; dueOn: string }>(sql`
      select i.project_id as projectId, p.name as projectName, i.key as key, i.name as name, d.name as department, i.due_on as dueOn
      from items i join projects p on p.id = i.project_id join departments d on d.id = i.department_id
      where i.status in ('running', 'submitted') and i.due_on < '2026-11-30' order by i.due_on, i.id limit 1`)!;
    expect(overdue).toBeTruthy();
    issueSupervision(ctxAt("2026-11-30", "09:30"), leader, overdue.projectId, { itemKey: overdue.key, note: "请三个工作日内出具用地预审意见", dueInWorkingDays: 3 });

    const cookie = await cookieOf("leader", DEMO_PASSWORD);
    const res = (await listAction({ request: new Request(`${URL_BASE}/dashboard/briefings`, { method: "POST", headers: { Cookie: cookie }, body: new URLSearchParams({ intent: "generate", kind: "weekly" }) }), params: {}, context: {} })) as Response;
    expect(res.status).toBe(302);
    const id = Number(/^\/dashboard\/briefings\/(\d+)$/.exec(res.headers.get("Location") ?? "")?.[1]);
    expect(id).toBeGreaterThan(0);

    const row = db().select().from(briefings).where(eq(briefings.id, id)).get()!;
    expect(row).toMatchObject({ kind: "weekly", periodFrom: "2026-11-23", periodTo: "2026-11-29", scheduleKey: null, generatedByUserId: leader.id, title: "重点项目审批周通报（2026-11-23 至 2026-11-29）" });
    const body = JSON.parse(row.body) as BriefingBody;
    expect(body.rankingPeriod).toEqual({ from: "2026-11", to: "2026-11" });
    expect(body.rankingNote).toContain("本周所跨月份");
    expect(body.ranking).toEqual(rankingRows(db(), { from: "2026-11", to: "2026-11" }));
    expect(body.ranking.length).toBeGreaterThan(0);

    // The .xlsx, read back.
    const xres = (await settle(xlsxLoader({ request: new Request(`${URL_BASE}/dashboard/briefings/${id}.xlsx`, { headers: { Cookie: cookie } }), params: { id: String(id) }, context: {} }))) as Response;
    expect(xres.status).toBe(200);
    expect(xres.headers.get("Content-Type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(xres.headers.get("Content-Disposition")).toContain("filename*=UTF-8''");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await xres.arrayBuffer());
    expect(wb.worksheets.map((s) => s.name)).toEqual([...BRIEFING_SHEETS]);
    for (const s of wb.worksheets) expect(s.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });

    const header = (s: ExcelJS.Worksheet) => (s.getRow(1).values as ExcelJS.CellValue[]).slice(1).map(cellText);
    const rows = (s: ExcelJS.Worksheet) => {
      const out: string[][] = [];
      s.eachRow((r, n) => n > 1 && out.push((r.values as ExcelJS.CellValue[]).slice(1).map(cellText)));
      return out;
    };

    const ranking = wb.getWorksheet("部门排名")!;
    expect(header(ranking).slice(0, 5)).toEqual(["名次", "部门", "办结件数", "按期办结", "按时办结率"]);
    expect(rows(ranking).map((r) => [Number(r[0]), r[1], Number(r[2]), Number(r[3])])).toEqual(body.ranking.map((d) => [d.rank, d.name, d.handled, d.onTime]));

    const overdueSheet = wb.getWorksheet("超期事项")!;
    expect(header(overdueSheet)).toEqual(["序号", "项目", "事项", "部门", "办理时限", "超期（工作日）", "代办员"]);
    const cal = getCalendar(db());
    const lateBy = cal.workingDaysBetween(parseDate(overdue.dueOn)!, parseDate("2026-11-30")!);
    expect(lateBy).toBeGreaterThan(0);
    const known = rows(overdueSheet).find((r) => r[1] === overdue.projectName && r[2] === overdue.name)!;
    expect(known).toBeTruthy();
    expect(known.slice(3, 6)).toEqual([overdue.department, overdue.dueOn, String(lateBy)]);
    // Dates are text, as printed: no Excel date serials or time-zone shifts.
    expect(typeof overdueSheet.getRow(2).getCell(5).value).toBe("string");
    const total = db().get<{ n: number }>(sql`select count(*) as n from items where status in ('running', 'submitted') and due_on < '2026-11-30'`)!.n;
    expect(rows(overdueSheet)).toHaveLength(total);
    expect(body.overdue.total).toBe(total);

    const supervised = rows(wb.getWorksheet("督办事项")!).find((r) => r[1] === overdue.projectName && r[2] === overdue.name)!;
    // Issued Mon 11-30 with 3 working days: due Thu 12-03.
    expect(supervised[6]).toMatch(/^督办单：.*请三个工作日内出具用地预审意见（限 2026-12-03）$/);

    const summary = rows(wb.getWorksheet("概况")!);
    expect(summary).toContainEqual(["统计期间", "2026-11-23 至 2026-11-29"]);
    expect(summary).toContainEqual(["超期事项", String(body.headline.overdueItems)]);
    expect(body.headline.overdueItems).toBe(total);

    // The page shows the stored briefing; the list has it, newest first.
    const page = (await pageLoader({ request: new Request(`${URL_BASE}/dashboard/briefings/${id}`, { headers: { Cookie: cookie } }), params: { id: String(id) }, context: {} })) as { briefing: ReturnType<typeof getBriefing> };
    expect(page.briefing.body).toEqual(body);
    expect(page.briefing.generatedBy).toBe("张副市长");
    const list = (await listLoader({ request: new Request(`${URL_BASE}/dashboard/briefings`, { headers: { Cookie: cookie } }), params: {}, context: {} })) as Exclude<Awaited<ReturnType<typeof listLoader>>, Response>;
    expect(list.rows.map((r) => r.id)).toEqual([id]);
    expect(list.next.weekly.label).toBe("2026-12-07 08:00");
    expect(list.next.monthly.label).toBe("2026-12-01 08:00");
  });

  it("a past briefing never changes: its content is what was stored", async () => {
    freezeClockAt("2026-11-30");
    const cookie = await cookieOf("leader", DEMO_PASSWORD);
    const res = (await listAction({ request: new Request(`${URL_BASE}/dashboard/briefings`, { method: "POST", headers: { Cookie: cookie }, body: new URLSearchParams({ intent: "generate", kind: "monthly" }) }), params: {}, context: {} })) as Response;
    const id = Number(res.headers.get("Location")!.split("/").pop());
    const before = getBriefing(ctxAt("2026-11-30"), leaderOf("leader"), id);
    expect(before).toMatchObject({ kind: "monthly", title: "重点项目审批月通报（2026 年 10 月）", scheduled: false });
    expect(before.body.rankingNote).toBeNull();
    // Every item decided later: the stored briefing still says what it said.
    db().run(sql`update items set status = 'approved', decided_on = '2026-12-01' where status in ('running', 'submitted')`);
    expect(getBriefing(ctxAt("2026-12-02"), leaderOf("leader"), id).body).toEqual(before.body);
  });

  it("bad ids are a 404 page with a Chinese message, an unknown kind a 422, a department user a 403", async () => {
    freezeClockAt("2026-11-30");
    const cookie = await cookieOf("leader", DEMO_PASSWORD);
    for (const id of ["abc", "0", "1.5", "999999", "99999999999999999999"]) {
      const page = (await settle(pageLoader({ request: new Request(`${URL_BASE}/dashboard/briefings/${id}`, { headers: { Cookie: cookie } }), params: { id }, context: {} }))) as Response;
      expect(page.status).toBe(404);
      expect(await page.text()).toMatch(/通报不存在/);
      const file = (await settle(xlsxLoader({ request: new Request(`${URL_BASE}/dashboard/briefings/${id}.xlsx`, { headers: { Cookie: cookie } }), params: { id }, context: {} }))) as Response;
      expect(file.status).toBe(404);
    }
    const bad = (await listAction({ request: new Request(`${URL_BASE}/dashboard/briefings`, { method: "POST", headers: { Cookie: cookie }, body: new URLSearchParams({ intent: "generate", kind: "daily" }) }), params: {}, context: {} })) as unknown as { init: { status: number }; data: { message: string } };
    expect(bad.init.status).toBe(422);
    expect(bad.data.message).toBe("请选择周通报或月通报");
    expect(db().select().from(briefings).all()).toEqual([]);

    const dept = await cookieOf("dept", DEMO_PASSWORD);
    const refused = (await settle(listLoader({ request: new Request(`${URL_BASE}/dashboard/briefings`, { headers: { Cookie: dept } }), params: {}, context: {} }))) as Response;
    expect(refused.status).toBe(403);
  });
});

describe("the daily 08:00 job", () => {
  const handles: WorkerHandle[] = [];
  afterEach(async () => {
    for (const h of handles.splice(0)) await h.close().catch(() => undefined);
    await closeQueues();
    await closeAllRedis();
  });

  const briefingKeys = () => db().select({ k: briefings.scheduleKey }).from(briefings).orderBy(briefings.id).all().map((r) => r.k);
  const briefingMessages = () => db().select().from(notifications).where(eq(notifications.kind, "briefing")).all();

  describe("on the demo city", () => {
    useDemoCity();

    it("run twice by the worker on the same morning: one briefing per owed period, one message per active leader", async () => {
      const second = await insertUser({ role: "leader" });
      const retired = await insertUser({ role: "leader" });
      db().update(users).set({ active: false }).where(eq(users.id, retired.id)).run();
      const leaders = db().select({ id: users.id }).from(users).where(sql`${users.role} = 'leader' and ${users.active} = 1`).all().map((u) => u.id);
      expect(leaders).toHaveLength(2);
      expect(leaders).toContain(second.id);

      // Mon 2026-11-30 08:00. The job also catches up the week before (due Mon 11-23): a
      // fresh database has no briefing, as if the worker had been down that morning.
      const now = shanghai("2026-11-30", "08:00");
      const h = await startWorker({ clock: () => now, reconcileOnStart: false, sweepEveryMs: 3_600_000, watchdogEveryMs: 3_600_000, log: () => {} });
      handles.push(h);
      const q = getQueue("maintenance");
      for (const jobId of ["briefing-test-1", "briefing-test-2"]) {
        const job = await q.add("briefing", {}, { jobId });
        await job.finished();
      }
      expect(briefingKeys()).toEqual(["weekly-2026-11-16", "weekly-2026-11-23"]);
      const messages = briefingMessages();
      expect(messages).toHaveLength(2 * leaders.length);
      for (const userId of leaders) {
        expect(messages.filter((m) => m.userId === userId).map((m) => m.title).sort()).toEqual([
          "重点项目审批周通报（2026-11-16 至 2026-11-22）已生成",
          "重点项目审批周通报（2026-11-23 至 2026-11-29）已生成",
        ]);
      }
      expect(messages.some((m) => m.userId === retired.id)).toBe(false);
      const latest = db().select().from(briefings).where(eq(briefings.scheduleKey, "weekly-2026-11-23")).get()!;
      expect(messages.filter((m) => m.title.includes("11-23"))[0].link).toBe(`/dashboard/briefings/${latest.id}`);
      expect(latest.generatedByUserId).toBeNull();

      // Called directly again (a third delivery): nothing new.
      expect(runBriefingSchedule(db(), now)).toEqual({ created: [], already: ["weekly-2026-11-16", "weekly-2026-11-23"], notified: 0 });
      expect(briefingMessages()).toHaveLength(2 * leaders.length);
    });
  });

  it("a rest-day Monday produces nothing until the next working morning (春节 2026)", async () => {
    const leader = await insertUser({ role: "leader" });
    const run = (day: string, time = "08:00") => runBriefingSchedule(db(), shanghai(day, time)).created.map((c) => c.scheduleKey);

    // Mon 02-09: this week's and, caught up, Mon 02-02's weekly and January's monthly.
    expect(run("2026-02-09")).toEqual(["weekly-2026-01-26", "monthly-2026-01", "weekly-2026-02-02"]);
    // Mon 02-16 and Mon 02-23 are 春节; Tue 02-24 before 08:00 is still too early.
    expect(cal().isWorkingDay(parseDate("2026-02-16")!)).toBe(false);
    expect(run("2026-02-16")).toEqual([]);
    expect(run("2026-02-23")).toEqual([]);
    expect(run("2026-02-24", "07:59")).toEqual([]);
    expect(run("2026-02-24")).toEqual(["weekly-2026-02-09", "weekly-2026-02-16"]);
    expect(run("2026-02-24", "16:00")).toEqual([]);
    expect(briefingKeys()).toEqual(["weekly-2026-01-26", "monthly-2026-01", "weekly-2026-02-02", "weekly-2026-02-09", "weekly-2026-02-16"]);
    // The message waits for working hours (it is already 08:00 on a working day: not held back).
    const m = briefingMessages().filter((x) => x.userId === leader.id);
    expect(m).toHaveLength(5);
    expect(formatDay(shanghaiDay(new Date(m[3].deliverAfter)))).toBe("2026-02-24");
  });
});

const cal = () => getCalendar(db());
