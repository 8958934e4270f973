/**
 * The leaders' dashboard (issue 13) against independent paths: every department's
 * figures equal what that department's own queue shows (listDepartmentQueue and the
 * JSON API), the stall / at-risk / overdue counts equal what each project's own API
 * says and what the stall rule says, the stored figures follow a clock event in the
 * same transaction and a new day or policy after a refresh, every number equals the
 * length of the list behind it, the 红黑榜 matches a hand-computed fixture, and the
 * charts add up.
 *
 * Most tests use the demo city (seeded Fri 2026-11-27 10:00 Shanghai). Services take
 * a fixed "now" (ctxAt); API routes read the real clock, so API tests freeze `Date`
 * (only Date: Redis and timers run for real) at the day they speak about.
 *
 * Calendar facts used below (holidays-cn.json, 2026): no holiday in March or from
 * 11-23 to 12-04, so those are plain Mon–Fri weeks; 清明 04-04..04-06 (Sat–Mon).
 */
import { eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { departments, departmentStats, items as itemsTable, projects, projectStats, users } from "../../db/schema";
import type { Actor } from "~/domain/access/policy";
import { parseDate } from "~/domain/calendar";
import { isFinished, type ItemStatus } from "~/domain/clock";
import { isStalled } from "~/domain/escalation/stall";
import { insertActionItems, listActionItems, resolveActionItems } from "~/services/action-items.server";
import { createApiToken } from "~/services/auth.server";
import { getDashboard, getDashboardCharts, getDepartmentRanking, getDrilldown, parseDashboardFilter } from "~/services/dashboard.server";
import { fireDue } from "~/services/escalation-firing.server";
import { recordItemEvent } from "~/services/items.server";
import { listDepartmentQueue } from "~/services/queue.server";
import { savePolicy } from "~/services/settings.server";
import { closeProject } from "~/services/project-lifecycle.server";
import { refreshAllStats, refreshStaleStats } from "~/services/stats.server";
import { issueSupervision } from "~/services/supervision.server";
import { getCalendar, getPolicy } from "~/services/time-rules.server";
import { transactThenWake } from "~/services/transaction.server";
import { getDb } from "~/utils/db.server";
import { loader as dashboardApi, action as dashboardApiPost } from "~/routes/api.v1.dashboard";
import { loader as listProjectsApi } from "~/routes/api.v1.projects._index";
import { loader as scheduleApi } from "~/routes/api.v1.projects.$id.schedule";
import { ctxAt, insertProject, insertUser, receiveMaterials, shanghai } from "../factories";
import { useDemoCity } from "../setup/db";
import { call, expectApiError } from "./api-helpers";

const db = () => getDb();

/** A demo user as the services see them. */
function demoActor(login: string): Actor & { login: string } {
  const u = db().select().from(users).where(eq(users.login, login)).get();
  if (!u) throw new Error(`no demo user ${login}`);
  return { id: u.id, role: u.role, departmentId: u.departmentId, enterpriseId: u.enterpriseId, login };
}

/** One 部门经办人 per department: the demo's where there is one, a new one elsewhere. */
async function staffOfEveryDepartment(): Promise<Map<number, Actor>> {
  const out = new Map<number, Actor>();
  for (const d of db().select().from(departments).all()) {
    const u = db().select().from(users).where(sql`${users.departmentId} = ${d.id} and ${users.role} = 'dept' and ${users.active} = 1`).get();
    out.set(d.id, u ? { id: u.id, role: u.role, departmentId: u.departmentId, enterpriseId: u.enterpriseId } : await insertUser({ role: "dept", department: d.code }));
  }
  return out;
}

/** What a department's queue shows on a day: its items, red and yellow ones, paused ones, its open action items. */
function queueFigures(day: string, staff: Actor) {
  const q = listDepartmentQueue(ctxAt(day), staff);
  return {
    active: q.rows.length,
    red: q.rows.filter((r) => r.warning === "red").length,
    yellow: q.rows.filter((r) => r.warning === "yellow").length,
    paused: q.rows.filter((r) => r.paused).length,
    actionItems: q.actionItems.length,
  };
}

/** API routes read the real clock: freeze Date (only Date) at 10:00 Shanghai on `day`. */
function freezeClockAt(day: string) {
  vi.useFakeTimers({ toFake: ["Date"], now: shanghai(day) });
}
afterEach(() => {
  vi.useRealTimers();
});

const storedDepartment = (id: number) => db().select().from(departmentStats).where(eq(departmentStats.departmentId, id)).get()!;
const storedProject = (id: number) => db().select().from(projectStats).where(eq(projectStats.projectId, id)).get()!;

// ---------------------------------------------------------------- a database whose figures were never computed

describe("the first change after the upgrade (no stored figures yet)", () => {
  useDemoCity();

  it("a department's first row counts every month it has decided items in, not only the month of the change", () => {
    // The demo database has no stored figures (as right after migration 0009); the first write to a department must not
    // leave it with this month's decisions only.
    expect(db().select().from(departmentStats).all()).toHaveLength(0);
    const zr = db().select().from(departments).where(eq(departments.code, "自然资源")).get()!;
    const decidedBefore = db().select().from(itemsTable).where(sql`${itemsTable.departmentId} = ${zr.id} and ${itemsTable.status} in ('approved', 'rejected') and ${itemsTable.dueOn} is not null`).all();
    const months = new Set(decidedBefore.map((i) => i.decidedOn!.slice(0, 7)));
    expect(months.size).toBeGreaterThan(1);
    const overdue = db().select().from(itemsTable).where(sql`${itemsTable.departmentId} = ${zr.id} and ${itemsTable.status} = 'running' and ${itemsTable.dueOn} < '2026-11-27'`).get()!;
    recordItemEvent(ctxAt("2026-11-27"), demoActor("dept"), overdue.projectId, overdue.key, { type: "approve", on: "2026-11-27" });
    expect(storedDepartment(zr.id).handled).toBe(decidedBefore.length + 1);
  });
});

// ---------------------------------------------------------------- the demo city

describe("on the demo city", () => {
  useDemoCity();

  let leader: Actor & { login: string };
  let staff: Map<number, Actor>;
  beforeEach(async () => {
    leader = demoActor("leader");
    staff = await staffOfEveryDepartment();
    // The worker's sweep on the demo day (a dashboard request alone refreshes within a time budget only).
    refreshAllStats(db(), shanghai("2026-11-27"));
  });

  describe("every department figure equals that department's queue", () => {
    it("on the demo day and three working days later, when the stored rows are from an earlier day", () => {
      const deptCount = db().select().from(departments).all().length;
      const reds: Record<string, number[]> = {};
      for (const day of ["2026-11-27", "2026-12-02"]) {
        if (day === "2026-12-02") {
          // The rows stored on the demo day are still there, dated that day.
          expect(new Set(db().select({ asOf: departmentStats.asOf }).from(departmentStats).all().map((r) => r.asOf))).toEqual(new Set(["2026-11-27"]));
        }
        const d = getDashboard(ctxAt(day), leader);
        expect(d.asOf).toBe(day);
        expect(d.departments).toHaveLength(deptCount);
        for (const row of d.departments) {
          const q = queueFigures(day, staff.get(row.id)!);
          expect({ active: row.active, red: row.red, yellow: row.yellow, paused: row.paused, actionItems: row.actionItems }, `${row.name} on ${day}`).toEqual(q);
          (reds[row.code] ??= []).push(row.red);
        }
      }
      // Not the same picture twice: 11-30 and 12-01 deadlines have gone red by 12-02.
      const moved = Object.values(reds).filter(([a, b]) => b > a);
      expect(moved.length).toBeGreaterThan(0);
      // 市自然资源和规划局's queue is not empty (the issue saw 3 on the dashboard against 5–6 in the queue).
      const zr = getDashboard(ctxAt("2026-11-27"), leader).departments.find((r) => r.code === "自然资源")!;
      expect(zr.active).toBeGreaterThanOrEqual(5);
    });

    it("GET /api/v1/dashboard: each department's open and overdue equal its queue, for the leader, a coordinator and an administrator", async () => {
      const tokens = ["leader", "coordinator", "admin"].map((login) => createApiToken(db(), login));
      for (const day of ["2026-11-27", "2026-12-02"]) {
        freezeClockAt(day);
        for (const token of tokens) {
          const r = await call(dashboardApi, "/api/v1/dashboard", { token });
          expect(r.status, JSON.stringify(r.body)).toBe(200);
          expect(r.body.asOf).toBe(day);
          const codes = new Map(db().select().from(departments).all().map((d) => [d.code, d.id]));
          expect(r.body.departments).toHaveLength(codes.size);
          for (const row of r.body.departments as { code: string; open: number; overdue: number }[]) {
            const q = queueFigures(day, staff.get(codes.get(row.code)!)!);
            expect({ open: row.open, overdue: row.overdue }, `${row.code} on ${day}`).toEqual({ open: q.active, overdue: q.red });
          }
        }
        vi.useRealTimers();
      }
    });

    it("GET /api/v1/dashboard has exactly the contract's keys and agrees with the dashboard's totals", async () => {
      freezeClockAt("2026-11-27");
      const r = await call(dashboardApi, "/api/v1/dashboard", { token: createApiToken(db(), "leader") });
      expect(r.status).toBe(200);
      expect(Object.keys(r.body).sort()).toEqual(["asOf", "atRisk", "departments", "openActionItems", "overdueItems", "projects", "stalled", "supervisedItems"].sort());
      for (const d of r.body.departments) expect(Object.keys(d).sort()).toEqual(["code", "name", "onTimeRate", "open", "overdue"]);
      const t = getDashboard(ctxAt("2026-11-27"), leader).totals;
      expect(r.body).toMatchObject({ asOf: "2026-11-27", projects: t.projects, atRisk: t.atRisk, stalled: t.stalled, overdueItems: t.overdueItems, supervisedItems: t.supervisedItems, openActionItems: t.openActionItems });
      // Active projects counted independently.
      expect(r.body.projects).toBe(db().select().from(projects).where(eq(projects.status, "active")).all().length);
      // onTimeRate: decided on or before the due date over decided, from the items themselves.
      const zrId = db().select().from(departments).where(eq(departments.code, "自然资源")).get()!.id;
      const decided = db()
        .select()
        .from(itemsTable)
        .where(sql`${itemsTable.departmentId} = ${zrId} and ${itemsTable.status} in ('approved', 'rejected') and ${itemsTable.dueOn} is not null`)
        .all();
      const zr = r.body.departments.find((d: { code: string }) => d.code === "自然资源");
      expect(decided.length).toBeGreaterThan(0);
      expect(zr.onTimeRate).toBeCloseTo(decided.filter((i) => i.decidedOn! <= i.dueOn!).length / decided.length, 3);
    });

    it("GET /api/v1/dashboard answers 403 to proxy officers, department staff and enterprise contacts, 405 to a POST", async () => {
      for (const login of ["proxy", "dept", "enterprise"]) {
        const r = await call(dashboardApi, "/api/v1/dashboard", { token: createApiToken(db(), login) });
        expectApiError(r, 403, "forbidden");
      }
      const post = await call(dashboardApiPost, "/api/v1/dashboard", { token: createApiToken(db(), "leader"), json: {} });
      expect(post.status).toBe(405);
    });
  });

  describe("stall, at-risk and overdue counts equal what each project's API says", () => {
    it.each(["2026-11-27", "2026-12-02"])("on %s", async (day) => {
      // Stored on the demo day (beforeEach), so on the later day the rows are a day old.
      freezeClockAt(day);
      const token = createApiToken(db(), "leader");
      const totals = getDashboard(ctxAt(day), leader).totals;

      const list = await call(listProjectsApi, "/api/v1/projects", { token });
      expect(list.status).toBe(200);
      const all = db().select().from(projects).all();
      expect(list.body.map((p: { id: number }) => p.id).sort()).toEqual(all.map((p) => p.id).sort());
      const active = all.filter((p) => p.status === "active");

      let atRisk = 0;
      let red = 0;
      for (const p of all) {
        const s = await call(scheduleApi, `/api/v1/projects/${p.id}/schedule`, { token, params: { id: String(p.id) } });
        expect(s.status).toBe(200);
        expect(s.body.asOf).toBe(day);
        if (p.status === "active" && s.body.atRisk) atRisk++;
        red += s.body.items.filter((i: { warning: string }) => i.warning === "red").length;
      }
      expect(totals.atRisk).toBe(atRisk);
      expect(totals.overdueItems).toBe(red);

      const stalledByApi = new Set(list.body.filter((p: { stalled: boolean; status: string }) => p.stalled && p.status === "active").map((p: { id: number }) => p.id));
      expect(totals.stalled).toBe(stalledByApi.size);
      // And by the stall rule itself, from each project's last progress date and open items.
      const cal = getCalendar(db());
      const { stallAfter } = getPolicy(db());
      const today = parseDate(day)!;
      const stalledByRule = new Set(
        active
          .filter((p) => {
            const open = db().select({ status: itemsTable.status }).from(itemsTable).where(eq(itemsTable.projectId, p.id)).all().some((i) => !isFinished(i.status as ItemStatus));
            return isStalled({ projectActive: true, hasOpenItems: open, lastProgressOn: p.lastProgressOn ? parseDate(p.lastProgressOn) : null }, today, stallAfter, cal);
          })
          .map((p) => p.id),
      );
      expect(stalledByApi).toEqual(stalledByRule);
      // The demo has a stalled project and one at risk: these counts are not zero by accident.
      expect(stalledByRule.size).toBeGreaterThan(0);
      expect(atRisk).toBeGreaterThan(0);
      expect(red).toBeGreaterThan(0);
    });
  });

  describe("open action items", () => {
    it("counts every open action item the 督办台账 lists, also a meeting's task tied to no project", async () => {
      const ctx = ctxAt("2026-11-27");
      const coordinator = demoActor("coordinator");
      const ledger = () => listActionItems(ctx, leader, { status: "open" }).length;
      expect(getDashboard(ctx, leader).totals.openActionItems).toBe(ledger());
      // A joint meeting's decision: 发改 to report on the province's new land policy — no project.
      const cal = getCalendar(db());
      const start = parseDate("2026-11-27")!;
      transactThenWake(db(), (tx, wake) => {
        const resolved = resolveActionItems(tx, coordinator, [{ title: "梳理并报告全省新出台的用地政策", leadDepartment: "发改", dueInWorkingDays: 5 }], start, cal);
        const { wakeups } = insertActionItems(tx, resolved, { source: "meeting", decisionId: null, startOn: start, actorId: coordinator.id, now: ctx.now }, cal);
        wake(wakeups);
      });
      expect(ledger()).toBe(2);
      const d = getDashboard(ctx, leader);
      // The department row counts it …
      const fg = d.departments.find((r) => r.code === "发改")!;
      expect(fg.actionItems).toBe(queueFigures("2026-11-27", staff.get(fg.id)!).actionItems);
      expect(fg.actionItems).toBe(1);
      // … and so must the total a leader reads beside it.
      expect(d.totals.openActionItems).toBe(ledger());
      freezeClockAt("2026-11-27");
      const api = await call(dashboardApi, "/api/v1/dashboard", { token: createApiToken(db(), "leader") });
      expect(api.body.openActionItems).toBe(ledger());
    });
  });

  describe("incremental maintenance", () => {
    it("approving an overdue item moves the department's and the project's stored figures in the same transaction", () => {
      const ctx = ctxAt("2026-11-27");
      const zrId = db().select().from(departments).where(eq(departments.code, "自然资源")).get()!.id;
      // The overdue 用地预审 of the demo (due 11-24).
      const overdue = db().select().from(itemsTable).where(sql`${itemsTable.departmentId} = ${zrId} and ${itemsTable.status} = 'running' and ${itemsTable.dueOn} < '2026-11-27'`).all();
      expect(overdue).toHaveLength(1);
      const item = overdue[0];
      const before = getDashboard(ctx, leader);
      const deptBefore = before.departments.find((r) => r.id === zrId)!;
      const projectBefore = storedProject(item.projectId);
      expect(deptBefore.red).toBe(1);
      expect(projectBefore.redItems).toBeGreaterThanOrEqual(1);
      const drill = (c = ctx) => getDrilldown(c, leader, new URLSearchParams({ list: "overdueItems", department: String(zrId) }));
      expect(drill().total).toBe(deptBefore.red);

      recordItemEvent(ctx, demoActor("dept"), item.projectId, item.key, { type: "approve", on: "2026-11-27" });

      // The stored rows, read directly: no refresh has run.
      const stored = storedDepartment(zrId);
      expect({ red: stored.red, handled: stored.handled, active: stored.active, asOf: stored.asOf }).toEqual({
        red: deptBefore.red - 1,
        handled: deptBefore.handled + 1,
        active: deptBefore.active - 1,
        asOf: "2026-11-27",
      });
      expect(storedProject(item.projectId).redItems).toBe(projectBefore.redItems - 1);
      const after = getDashboard(ctx, leader);
      const deptAfter = after.departments.find((r) => r.id === zrId)!;
      expect(deptAfter).toMatchObject({ red: deptBefore.red - 1, handled: deptBefore.handled + 1 });
      expect(after.totals.overdueItems).toBe(before.totals.overdueItems - 1);
      expect(drill().total).toBe(deptAfter.red);
      // Still the queue's picture.
      expect(queueFigures("2026-11-27", staff.get(zrId)!)).toMatchObject({ red: deptAfter.red, active: deptAfter.active });
      // The group sums the counts are read from moved by the row's change only: they equal sums made afresh from the rows.
      expect(storedTotals()).toEqual(freshTotals());
    });

    it("the stored group sums never drift from the rows: approvals, a withdrawn project and a day rollover", () => {
      const ctx = ctxAt("2026-11-27");
      const running = db().select().from(itemsTable).where(sql`${itemsTable.status} = 'running' and ${itemsTable.departmentId} is not null`).all().slice(0, 3);
      for (const i of running) recordItemEvent(ctx, staff.get(i.departmentId!)!, i.projectId, i.key, { type: "approve", on: "2026-11-27" });
      const projectId = running[0].projectId;
      closeProject(ctx, demoActor("admin"), projectId, { outcome: "withdrawn", on: "2026-11-27", reason: "企业决定不再投资" });
      refreshStaleStats(db(), shanghai("2026-12-02"));
      expect(storedTotals()).toEqual(freshTotals());
      expect(getDashboard(ctxAt("2026-12-02"), leader).totals.projects).toBe(db().select().from(projects).where(eq(projects.status, "active")).all().length);
    });
  });

  describe("drill-downs", () => {
    const LISTS = {
      projects: "active",
      attention: "attention",
      atRisk: "atRisk",
      stalled: "stalled",
      activeItems: "activeItems",
      yellowItems: "yellowItems",
      overdueItems: "overdueItems",
      supervisedItems: "supervisedItems",
    } as const;

    it("every total equals the total of the list behind it, unfiltered, by level and by proxy officer", () => {
      const ctx = ctxAt("2026-11-27");
      // One item under 督办, so that list is not empty.
      const overdue = db().select().from(itemsTable).where(sql`${itemsTable.status} = 'running' and ${itemsTable.dueOn} < '2026-11-27'`).get()!;
      issueSupervision(ctx, leader, overdue.projectId, { itemKey: overdue.key, note: "请加快办理用地预审", dueInWorkingDays: 3 });
      const proxyId = demoActor("proxy").id;
      const filters: Record<string, string>[] = [{}, { level: "province" }, { proxy: String(proxyId) }, { level: "province", proxy: String(proxyId) }];
      const seen = new Map<string, number>();
      for (const f of filters) {
        const d = getDashboard(ctx, leader, parseDashboardFilter(new URLSearchParams(f)));
        for (const [total, list] of Object.entries(LISTS)) {
          const l = getDrilldown(ctx, leader, new URLSearchParams({ list, ...f }));
          expect(l.total, `${total} with ${JSON.stringify(f)}`).toBe(d.totals[total as keyof typeof d.totals]);
          expect(l.kind === "projects" ? l.projects.length : l.items.length).toBe(Math.min(l.total, 50));
        }
        // Active projects of the filter, counted from the projects themselves.
        const mine = db()
          .select()
          .from(projects)
          .all()
          .filter((p) => p.status === "active" && (!f.level || p.level === f.level))
          .filter((p) => !f.proxy || db().get<{ n: number }>(sql`select count(*) as n from project_proxies where project_id = ${p.id} and user_id = ${Number(f.proxy)}`).n > 0);
        expect(d.totals.projects).toBe(mine.length);
        seen.set(JSON.stringify(f), d.totals.projects);
      }
      expect(getDrilldown(ctx, leader, new URLSearchParams({ list: "supervisedItems" })).items.map((i) => [i.projectId, i.key])).toEqual([[overdue.projectId, overdue.key]]);
      // The filters do narrow.
      expect(seen.get(JSON.stringify({ level: "province" }))).toBeLessThan(seen.get("{}")!);
      expect(seen.get(JSON.stringify({ proxy: String(proxyId) }))).toBeLessThan(seen.get("{}")!);
    });
  });

  describe("day rollover and policy changes", () => {
    it("refreshStaleStats with a later day re-dates every row and recounts; a new yellow lead is followed after invalidation", () => {
      const asOfs = () => new Set([...db().select({ a: departmentStats.asOf }).from(departmentStats).all().map((r) => r.a), ...db().select({ a: projectStats.asOf }).from(projectStats).all().map((r) => r.a)]);
      expect(asOfs()).toEqual(new Set(["2026-11-27"]));
      const deptIds = db().select().from(departments).all().map((d) => d.id);
      const redOn = () => deptIds.reduce((n, id) => n + storedDepartment(id).red, 0);
      const redBefore = redOn();

      const r = refreshStaleStats(db(), shanghai("2026-12-02"));
      expect(r).toEqual({ projects: db().select().from(projects).all().length, departments: deptIds.length, remaining: 0 });
      expect(asOfs()).toEqual(new Set(["2026-12-02"]));
      for (const id of deptIds) {
        const s = storedDepartment(id);
        const q = queueFigures("2026-12-02", staff.get(id)!);
        expect({ active: s.active, red: s.red, yellow: s.yellow }).toEqual({ active: q.active, red: q.red, yellow: q.yellow });
      }
      expect(redOn()).toBeGreaterThan(redBefore);
      // Same day again: nothing to do.
      expect(refreshStaleStats(db(), shanghai("2026-12-02"))).toEqual({ projects: 0, departments: 0, remaining: 0 });

      // Yellow by hand on 11-27: running items with 0 ≤ remaining working days ≤ lead.
      const cal = getCalendar(db());
      const today = parseDate("2026-11-27")!;
      const running = db().select().from(itemsTable).where(sql`${itemsTable.status} in ('running', 'submitted') and ${itemsTable.departmentId} is not null`).all();
      const yellowBy = (lead: number) =>
        running.filter((i) => {
          const rem = cal.workingDaysBetween(today, parseDate(i.dueOn!)!);
          return rem >= 0 && rem <= (i.yellowLead ?? lead);
        }).length;
      const yellowStored = () => deptIds.reduce((n, id) => n + storedDepartment(id).yellow, 0);
      refreshAllStats(db(), shanghai("2026-11-27"));
      expect(yellowStored()).toBe(yellowBy(1));

      const admin = demoActor("admin");
      savePolicy(ctxAt("2026-11-27"), admin, { ...getPolicy(db()), yellowLead: 3 });
      // Invalidated: every row is out of date until the sweep.
      expect(new Set(db().select({ a: departmentStats.asOf }).from(departmentStats).all().map((x) => x.a))).toEqual(new Set([""]));
      refreshStaleStats(db(), shanghai("2026-11-27"));
      expect(yellowStored()).toBe(yellowBy(3));
      expect(yellowBy(3)).toBeGreaterThan(yellowBy(1));
      for (const id of deptIds) expect(storedDepartment(id).yellow).toBe(queueFigures("2026-11-27", staff.get(id)!).yellow);
      const d = getDashboard(ctxAt("2026-11-27"), leader);
      expect(d.totals.yellowItems).toBe(getDrilldown(ctxAt("2026-11-27"), leader, new URLSearchParams({ list: "yellowItems" })).total);
    });
  });

  describe("charts", () => {
    it("projects by stage add up to the active projects; overdue by week is 12 weeks ending with this week", () => {
      const ctx = ctxAt("2026-11-27"); // a Friday: this week began Mon 11-23
      const d = getDashboard(ctx, leader);
      const c = getDashboardCharts(ctx, leader);
      expect(c.projectsByStage.reduce((n, s) => n + s.projects, 0)).toBe(d.totals.projects);
      const province = parseDashboardFilter({ level: "province" });
      expect(getDashboardCharts(ctx, leader, province).projectsByStage.reduce((n, s) => n + s.projects, 0)).toBe(getDashboard(ctx, leader, province).totals.projects);

      expect(c.overdueByWeek).toHaveLength(12);
      expect(c.overdueByWeek[11].weekOf).toBe("2026-11-23");
      expect(c.overdueByWeek[0].weekOf).toBe("2026-09-07");
      for (let k = 1; k < 12; k++) expect(parseDate(c.overdueByWeek[k].weekOf)! - parseDate(c.overdueByWeek[k - 1].weekOf)!).toBe(7);
      // The weekly counts from the items themselves: due from 09-07 to yesterday, decided late or still open past due.
      const late = db()
        .select()
        .from(itemsTable)
        .all()
        .filter((i) => i.dueOn && i.dueOn >= "2026-09-07" && i.dueOn < "2026-11-27")
        .filter((i) => ((i.status === "approved" || i.status === "rejected") && i.decidedOn! > i.dueOn!) || i.status === "running" || i.status === "submitted");
      expect(c.overdueByWeek.reduce((n, w) => n + w.overdue, 0)).toBe(late.length);
      // The demo's overdue 用地预审 (due Tue 11-24) is in this week's bar.
      expect(c.overdueByWeek[11].overdue).toBe(late.filter((i) => i.dueOn! >= "2026-11-23").length);
      expect(c.overdueByWeek[11].overdue).toBeGreaterThan(0);
      expect(c.signedToStart.buckets.reduce((n, b) => n + b.projects, 0)).toBe(c.signedToStart.projects);
    });
  });
});

// ---------------------------------------------------------------- the ranking (hand-computed)

/**
 * Seven approvals accepted Mon 2026-03-02 (March 2026: plain Mon–Fri weeks) and one in April:
 *
 *  发改 f1  limit 5  due 03-09  approved Thu 03-05  on time, used 3
 *  发改 f2  limit 5  due 03-09  approved Wed 03-11  late (went overdue), used 7
 *  发改 f3  limit 10, 中止 Wed 03-04 → resumed Mon 03-09 (3 working days paused: 05, 06, 09), so due
 *           addWorkingDays(03-02, 13) = Thu 03-19; approved Wed 03-18: on time, used 12 − 3 = 9
 *           (counting the pause it would be 12 days and late against 03-16)
 *  住建 z1  limit 3  due 03-05  approved 03-05  on time, used 3
 *  住建 z2  limit 3  due 03-05  approved Fri 03-06  late, used 4
 *  生态环境 e1/e2  as z1/z2
 *  生态环境 e3  limit 3 accepted Wed 04-01, due Tue 04-07 (清明 04-04..06), approved Thu 04-02: on time, used 1
 *
 * March: 发改 3 handled, 2 on time (66.7 %), 19/3 = 6.3 days used against 20/3 = 6.7, 1 gone overdue — rank 1;
 *        住建 and 生态环境 2 handled, 1 on time (50 %), 3.5 days against 3, 1 overdue — both rank 2.
 * March–April: 生态环境 3 handled, 2 on time, 8/3 = 2.7 days — level with 发改 on every compared value: 1, 1, 3.
 */
const RANK_TEMPLATE = {
  key: "rank-test",
  version: 1,
  name: "红黑榜测试模板",
  items: [
    ...["f1", "f2"].map((key) => ({ key, name: `发改审批${key}`, kind: "approval", department: "发改", stage: 1, statutoryLimit: 5, promisedLimit: 5, materials: [] })),
    { key: "f3", name: "发改审批f3", kind: "approval", department: "发改", stage: 1, statutoryLimit: 10, promisedLimit: 10, materials: [] },
    ...["z1", "z2"].map((key) => ({ key, name: `住建审批${key}`, kind: "approval", department: "住建", stage: 1, statutoryLimit: 3, promisedLimit: 3, materials: [] })),
    ...["e1", "e2", "e3"].map((key) => ({ key, name: `环评审批${key}`, kind: "approval", department: "生态环境", stage: 1, statutoryLimit: 3, promisedLimit: 3, materials: [] })),
    { key: "start", name: "开工", kind: "milestone", stage: 3 },
  ],
  dependencies: ["f1", "f2", "f3", "z1", "z2", "e1", "e2", "e3"].map((from) => ({ from, to: "start" })),
};

describe("the department ranking (红黑榜)", () => {
  it("counts handled, on time, working days used (pauses excluded), gone overdue, and ranks with shared places", async () => {
    const proxy = await insertUser({ role: "proxy" });
    const leader = await insertUser({ role: "leader" });
    const projectId = insertProject(proxy, { templateKey: undefined, template: RANK_TEMPLATE, signedOn: "2026-03-02", targetStartOn: "2026-12-31" });
    receiveMaterials(projectId);
    const events: [string, string, string][] = [
      ...["f1", "f2", "f3", "z1", "z2", "e1", "e2"].map((k): [string, string, string] => ["2026-03-02", k, "accept"]),
      ["2026-03-04", "f3", "suspend"],
      ["2026-03-05", "f1", "approve"],
      ["2026-03-05", "z1", "approve"],
      ["2026-03-05", "e1", "approve"],
      ["2026-03-06", "z2", "approve"],
      ["2026-03-06", "e2", "approve"],
      ["2026-03-09", "f3", "resume"],
      ["2026-03-11", "f2", "approve"],
      ["2026-03-18", "f3", "approve"],
      ["2026-04-01", "e3", "accept"],
      ["2026-04-02", "e3", "approve"],
    ];
    for (const [on, key, type] of events) recordItemEvent(ctxAt(on), proxy, projectId, key, { type, on });
    const f3 = db().select().from(itemsTable).where(sql`${itemsTable.projectId} = ${projectId} and ${itemsTable.key} = 'f3'`).get()!;
    expect(f3.dueOn).toBe("2026-03-19");

    const ctx = ctxAt("2026-04-10");
    const march = getDepartmentRanking(ctx, leader, { from: "2026-03", to: "2026-03" });
    expect(march.error).toBeNull();
    const pick = (r: (typeof march.rows)[number]) => ({
      code: r.code,
      rank: r.rank,
      handled: r.handled,
      onTime: r.onTime,
      late: r.late,
      avgUsedDays: r.avgUsedDays,
      avgLimitDays: r.avgLimitDays,
      wentOverdue: r.wentOverdue,
      supervised: r.supervised,
    });
    // The two tied departments are listed by code.
    const [tieFirst, tieSecond] = ["住建", "生态环境"].sort((a, b) => a.localeCompare(b));
    const tied = { rank: 2, handled: 2, onTime: 1, late: 1, avgUsedDays: 3.5, avgLimitDays: 3, wentOverdue: 1, supervised: 0 };
    expect(march.rows.map(pick)).toEqual([
      { code: "发改", rank: 1, handled: 3, onTime: 2, late: 1, avgUsedDays: 6.3, avgLimitDays: 6.7, wentOverdue: 1, supervised: 0 },
      { code: tieFirst, ...tied },
      { code: tieSecond, ...tied },
    ]);
    expect(march.rows[0].onTimeRate).toBeCloseTo(2 / 3, 12);
    expect(march.rows[1].onTimeRate).toBe(0.5);

    // Worst first, the same places.
    const black = getDepartmentRanking(ctx, leader, { from: "2026-03", to: "2026-03", order: "asc" });
    expect(black.rows.map((r) => [r.code, r.rank])).toEqual([
      [tieFirst, 2],
      [tieSecond, 2],
      ["发改", 1],
    ]);

    // March–April: 生态环境's April decision counts; it draws level with 发改.
    const spring = getDepartmentRanking(ctx, leader, { from: "2026-03", to: "2026-04" });
    const [top1, top2] = ["发改", "生态环境"].sort((a, b) => a.localeCompare(b));
    expect(spring.rows.map((r) => [r.code, r.rank, r.handled, r.onTime, r.avgUsedDays])).toEqual([
      [top1, 1, 3, 2, top1 === "发改" ? 6.3 : 2.7],
      [top2, 1, 3, 2, top2 === "发改" ? 6.3 : 2.7],
      ["住建", 3, 2, 1, 3.5],
    ]);

    // Sorted on working days used: fewest first (生态环境 2.7, 住建 3.5, 发改 6.3).
    expect(getDepartmentRanking(ctx, leader, { from: "2026-03", to: "2026-04", sort: "avgUsedDays" }).rows.map((r) => [r.code, r.rank])).toEqual([
      ["生态环境", 1],
      ["住建", 2],
      ["发改", 3],
    ]);
  });
});

// ---------------------------------------------------------------- shapes the tests above rely on

describe("a city of its own (no demo data)", () => {
  it("shows a new project on the dashboard the moment it is created, with its items counted for its departments", async () => {
    const proxy = await insertUser({ role: "proxy" });
    const leader = await insertUser({ role: "leader" });
    const fg = await insertUser({ role: "dept", department: "发改" });
    const projectId = insertProject(proxy, { signedOn: "2026-03-02" });
    receiveMaterials(projectId);
    recordItemEvent(ctxAt("2026-03-02"), proxy, projectId, "filing", { type: "accept", on: "2026-03-02" });
    // filing: 1 working day, due Tue 03-03; on Wed 03-04 it is red.
    const before = storedDepartment(fg.departmentId!);
    expect(before).toMatchObject({ active: 1, red: 0, asOf: "2026-03-02" });
    // The worker's sweep on 03-04 (a dashboard request alone refreshes within a time budget only).
    refreshStaleStats(db(), shanghai("2026-03-04"));
    const d = getDashboard(ctxAt("2026-03-04"), leader);
    expect(d.totals).toMatchObject({ projects: 1, overdueItems: 1, activeItems: 1 });
    const row = d.departments.find((r) => r.id === fg.departmentId)!;
    expect(row).toMatchObject({ active: 1, red: 1 });
    expect(queueFigures("2026-03-04", fg)).toMatchObject({ active: 1, red: 1 });
  });

  it("a 督办 escalation firing puts the item under 督办 in the stored figures at once", async () => {
    const proxy = await insertUser({ role: "proxy" });
    const leader = await insertUser({ role: "leader" });
    const fg = await insertUser({ role: "dept", department: "发改" });
    const projectId = insertProject(proxy, { signedOn: "2026-03-02" });
    receiveMaterials(projectId);
    // filing accepted Mon 03-02, 1 working day: due Tue 03-03; 督办 on addWorkingDays(03-03, 3) = Fri 03-06 at 09:00.
    recordItemEvent(ctxAt("2026-03-02"), proxy, projectId, "filing", { type: "accept", on: "2026-03-02" });
    refreshStaleStats(db(), shanghai("2026-03-06", "08:59"));
    expect(storedDepartment(fg.departmentId!)).toMatchObject({ asOf: "2026-03-06", red: 1, supervised: 0 });
    expect(storedProject(projectId).supervisedItems).toBe(0);

    fireDue(db(), shanghai("2026-03-06", "09:00"));
    expect(storedDepartment(fg.departmentId!)).toMatchObject({ red: 1, supervised: 1 });
    expect(storedProject(projectId).supervisedItems).toBe(1);
    const ctx = ctxAt("2026-03-06", "09:30");
    expect(getDashboard(ctx, leader).totals.supervisedItems).toBe(1);
    expect(getDrilldown(ctx, leader, new URLSearchParams({ list: "supervisedItems" })).items.map((i) => i.key)).toEqual(["filing"]);
    expect(getDepartmentRanking(ctx, leader, { preset: "this_month" }).rows.find((r) => r.code === "发改")).toMatchObject({ supervised: 1, wentOverdue: 1 });
  });

  it("counts an application awaiting 受理 on its five-working-day window, as the queue does", async () => {
    const proxy = await insertUser({ role: "proxy" });
    const leader = await insertUser({ role: "leader" });
    const fg = await insertUser({ role: "dept", department: "发改" });
    const projectId = insertProject(proxy, { signedOn: "2026-03-02" });
    receiveMaterials(projectId);
    // 申报 Tue 03-03: to be accepted by Tue 03-10 (03-04, 05, 06, 09, 10).
    recordItemEvent(ctxAt("2026-03-03"), proxy, projectId, "energy-review", { type: "submit", on: "2026-03-03" });
    const expected: Record<string, { red: number; yellow: number }> = {
      "2026-03-06": { red: 0, yellow: 0 }, // 2 working days left
      "2026-03-09": { red: 0, yellow: 1 }, // 1 left: the yellow lead
      "2026-03-10": { red: 0, yellow: 1 }, // due today
      "2026-03-11": { red: 1, yellow: 0 }, // past the window, not yet deemed accepted
    };
    for (const [day, want] of Object.entries(expected)) {
      const row = getDashboard(ctxAt(day), leader).departments.find((r) => r.id === fg.departmentId)!;
      expect({ red: row.red, yellow: row.yellow }, day).toEqual(want);
      expect(queueFigures(day, fg), day).toMatchObject({ active: 1, ...want });
    }
  });
});

/** project_stats_totals as stored (groups with projects). */
function storedTotals() {
  return db().all(sql`select * from project_stats_totals where n > 0 order by status, level, industry, region`);
}

/** The same sums computed now from project_stats. */
function freshTotals() {
  return db().all(sql`
    select status, level, industry, coalesce(region, '') as region, count(*) as n, sum(at_risk) as at_risk, sum(stalled) as stalled, sum(attention > 0) as attention,
      sum(active_items) as active_items, sum(yellow_items) as yellow_items, sum(red_items) as red_items, sum(supervised_items) as supervised_items,
      sum(open_action_items) as open_action_items, sum(item_count) as item_count, sum(material_count) as material_count, sum(visits) as visits,
      sum(contacts) as contacts, coalesce(sum(planned_working_days), 0) as planned_working_days, count(planned_working_days) as planned_n,
      count(started_on) as started, coalesce(sum(signed_to_start_days), 0) as start_days, coalesce(sum(signed_to_start_working_days), 0) as start_working_days,
      coalesce(sum(signed_to_start_days <= 75), 0) as within_benchmark
    from project_stats group by status, level, industry, coalesce(region, '') order by status, level, industry, coalesce(region, '')`);
}
