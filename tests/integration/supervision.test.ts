/**
 * 督办 (issue 13; DESIGN §6 v1.1 `POST /api/v1/projects/:id/supervision`): a leader or
 * coordinator presses the responsible unit on a project's item with a note and n
 * working days. It becomes an action item of source "supervision", due n working days
 * from today on the official calendar, led by the item's department, shown in that
 * department's queue and on the project, counted on the dashboard, and the
 * department's staff are told. Everyone else is refused; bad input changes nothing.
 *
 * The route reads the real clock, so the API tests freeze `Date` (only Date: Redis
 * and timers run for real) at Mon 2026-09-28 10:00 Shanghai. From there, by the
 * 2026 notice (holidays-cn.json): Tue 09-29 (1), Wed 09-30 (2), 国庆 10-01..10-07 off,
 * Thu 10-08 (3), Fri 10-09 (4), Sat 10-10 a make-up working day (5) — so 5 working
 * days from 09-28 is 2026-10-10, and 3 is 2026-10-08.
 */
import { and, eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { actionItems, departments, items, notifications, projects, projectStats } from "../../db/schema";
import { closeActionItem, listProjectActionItems } from "~/services/action-items.server";
import { createApiToken } from "~/services/auth.server";
import { getDashboard, getDepartmentRanking, getDrilldown } from "~/services/dashboard.server";
import { recordItemEvent } from "~/services/items.server";
import { listDepartmentQueue } from "~/services/queue.server";
import { getDb } from "~/utils/db.server";
import { loader as dashboardApi } from "~/routes/api.v1.dashboard";
import { action as superviseApi, loader as superviseApiGet } from "~/routes/api.v1.projects.$id.supervision";
import { ctxAt, insertProject, insertUser, receiveMaterials, shanghai, type TestUser } from "../factories";
import { call, expectApiError } from "./api-helpers";

/** 用地预审 (自然资源, promised 10) → 施工许可 (住建, promised 5) → 开工. */
const TEMPLATE = {
  key: "supervision-test",
  version: 1,
  name: "督办接口测试模板",
  items: [
    { key: "site", name: "用地预审与选址意见书", kind: "approval", department: "自然资源", stage: 1, statutoryLimit: 20, promisedLimit: 10, materials: [] },
    { key: "permit", name: "建筑工程施工许可证", kind: "approval", department: "住建", stage: 3, statutoryLimit: 7, promisedLimit: 5, materials: [] },
    { key: "start", name: "开工", kind: "milestone", stage: 3 },
  ],
  dependencies: [
    { from: "site", to: "permit" },
    { from: "permit", to: "start" },
  ],
};

const TODAY = "2026-09-28";
const db = () => getDb();

let proxy: TestUser;
let leader: TestUser;
let coordinator: TestUser;
let zr: TestUser;
let zrLeader: TestUser;
let zj: TestUser;
let enterprise: TestUser;
let projectId: number;
let zrId: number;
const tokens: Record<string, string> = {};

beforeEach(async () => {
  proxy = await insertUser({ role: "proxy" });
  leader = await insertUser({ role: "leader" });
  coordinator = await insertUser({ role: "coordinator" });
  zr = await insertUser({ role: "dept", department: "自然资源" });
  zrLeader = await insertUser({ role: "dept", department: "自然资源", departmentLeader: true });
  zj = await insertUser({ role: "dept", department: "住建" });
  projectId = insertProject(proxy, { name: "督办测试智能工厂", templateKey: undefined, template: TEMPLATE, signedOn: "2026-09-01", targetStartOn: "2027-03-31" });
  receiveMaterials(projectId);
  // 用地预审 accepted Mon 09-14: running, due 10 working days later.
  recordItemEvent(ctxAt("2026-09-14"), proxy, projectId, "site", { type: "accept", on: "2026-09-14" });
  const enterpriseId = db().select({ e: projects.enterpriseId }).from(projects).where(eq(projects.id, projectId)).get()!.e;
  enterprise = await insertUser({ role: "enterprise", enterpriseId });
  zrId = zr.departmentId!;
  for (const u of [leader, coordinator, proxy, zr, enterprise]) tokens[u.role] = createApiToken(db(), u.login);
  vi.useFakeTimers({ toFake: ["Date"], now: shanghai(TODAY) });
});

afterEach(() => {
  vi.useRealTimers();
});

const supervise = (body: unknown, token = tokens.leader, id: number | string = projectId) =>
  call(superviseApi, `/api/v1/projects/${id}/supervision`, { token, json: body, params: { id: String(id) } });

const count = (table: "action_items" | "notifications" | "audit_log") => db().get<{ n: number }>(sql.raw(`select count(*) as n from ${table}`)).n;

describe("POST /api/v1/projects/:id/supervision", () => {
  it("makes a supervision action item due n working days from today across 国庆, led by the item's department", async () => {
    const r = await supervise({ itemKey: "site", note: "请于国庆节后尽快出具用地预审意见", dueInWorkingDays: 5 });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(Object.keys(r.body).sort()).toEqual(["actionItemId", "dueOn"]);
    expect(r.body.dueOn).toBe("2026-10-10");

    const row = db().select().from(actionItems).where(eq(actionItems.id, r.body.actionItemId)).get()!;
    const site = db().select().from(items).where(and(eq(items.projectId, projectId), eq(items.key, "site"))).get()!;
    expect(row).toMatchObject({
      source: "supervision",
      status: "open",
      ownerDepartmentId: zrId,
      projectId,
      itemId: site.id,
      startOn: TODAY,
      dueInWorkingDays: 5,
      dueOn: "2026-10-10",
    });
    expect(row.title).toContain("请于国庆节后尽快出具用地预审意见");
    // Written with its audit row, naming who pressed.
    expect(db().get<{ n: number }>(sql`select count(*) as n from audit_log where action = 'actionItem.create' and entity_id = ${row.id} and actor_user_id = ${leader.id}`).n).toBe(1);
  });

  it("shows the 督办 in the department's queue and on the project, and tells the department's staff", async () => {
    const r = await supervise({ itemKey: "site", note: "请加快办理用地预审", dueInWorkingDays: 3 });
    expect(r.status).toBe(201);
    expect(r.body.dueOn).toBe("2026-10-08");
    const id = r.body.actionItemId as number;
    const ctx = ctxAt(TODAY);

    const queue = listDepartmentQueue(ctx, zr).actionItems;
    expect(queue.map((a) => [a.id, a.source])).toEqual([[id, "supervision"]]);
    expect(queue[0]).toMatchObject({ projectId, itemKey: "site", dueOn: "2026-10-08" });
    // Not another department's.
    expect(listDepartmentQueue(ctx, zj).actionItems).toEqual([]);

    const onProject = listProjectActionItems(ctx, proxy, projectId);
    expect(onProject.map((a) => [a.id, a.source, a.leadDepartment])).toEqual([[id, "supervision", "自然资源"]]);

    const told = db().select().from(notifications).where(eq(notifications.kind, "supervision")).all();
    expect(told.map((n) => n.userId).sort((a, b) => a - b)).toEqual([zr.id, zrLeader.id].sort((a, b) => a - b));
    expect(told[0].body).toContain("请加快办理用地预审");
    expect(told[0].body).toContain("2026-10-08");
  });

  it("counts in the project's and the dashboard's items under 督办 until it is closed", async () => {
    const ctx = ctxAt(TODAY);
    expect(getDashboard(ctx, leader).totals.supervisedItems).toBe(0);
    const r = await supervise({ itemKey: "site", note: "请加快办理用地预审", dueInWorkingDays: 3 });
    expect(r.status).toBe(201);

    expect(db().select().from(projectStats).where(eq(projectStats.projectId, projectId)).get()!.supervisedItems).toBe(1);
    const d = getDashboard(ctx, leader);
    expect(d.totals.supervisedItems).toBe(1);
    expect(d.totals.openActionItems).toBe(1);
    expect(d.departments.find((x) => x.id === zrId)).toMatchObject({ supervised: 1, actionItems: 1 });
    expect(getDrilldown(ctx, leader, new URLSearchParams({ list: "supervisedItems" })).items.map((i) => [i.projectId, i.key])).toEqual([[projectId, "site"]]);
    const api = await call(dashboardApi, "/api/v1/dashboard", { token: tokens.leader });
    expect(api.body).toMatchObject({ asOf: TODAY, supervisedItems: 1, openActionItems: 1 });
    // The 红黑榜 counts the 督办 against the department in September.
    const sept = getDepartmentRanking(ctx, leader, { from: "2026-09", to: "2026-09" });
    expect(sept.rows.find((x) => x.code === "自然资源")).toMatchObject({ supervised: 1 });

    closeActionItem(ctxAt("2026-09-29"), zr, r.body.actionItemId, { note: "已出具用地预审意见并告知企业" });
    const later = getDashboard(ctxAt("2026-09-29"), leader);
    expect(later.totals.supervisedItems).toBe(0);
    expect(later.departments.find((x) => x.id === zrId)).toMatchObject({ supervised: 0, actionItems: 0 });
  });

  it("is open to coordinators too", async () => {
    const r = await supervise({ itemKey: "site", note: "请于本周内办结", dueInWorkingDays: 1 }, tokens.coordinator);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.dueOn).toBe("2026-09-29");
  });

  it("refuses proxy officers, department staff and enterprise contacts (403), and writes nothing", async () => {
    const before = [count("action_items"), count("notifications")];
    for (const role of ["proxy", "dept", "enterprise"]) {
      const r = await supervise({ itemKey: "site", note: "请加快办理", dueInWorkingDays: 3 }, tokens[role]);
      expectApiError(r, 403, "forbidden");
    }
    expect([count("action_items"), count("notifications")]).toEqual(before);
  });

  it("answers 404 for a project that does not exist", async () => {
    const r = await supervise({ itemKey: "site", note: "请加快办理", dueInWorkingDays: 3 }, tokens.leader, 99_999);
    expectApiError(r, 404, "not_found");
    expect(count("action_items")).toBe(0);
  });

  it("answers 422 with a Chinese message for a missing note, 0 working days or an unknown item, and writes nothing", async () => {
    const before = [count("action_items"), count("notifications"), count("audit_log")];
    const cases: [unknown, RegExp][] = [
      [{ itemKey: "site", dueInWorkingDays: 3 }, /督办事项/],
      [{ itemKey: "site", note: "   ", dueInWorkingDays: 3 }, /督办事项/],
      [{ itemKey: "site", note: "请加快办理", dueInWorkingDays: 0 }, /至少 1 个工作日/],
      [{ itemKey: "site", note: "请加快办理" }, /时限|工作日/],
      [{ itemKey: "no-such-item", note: "请加快办理", dueInWorkingDays: 3 }, /no-such-item/],
    ];
    for (const [body, message] of cases) {
      const r = await supervise(body);
      expectApiError(r, 422, "invalid", message);
    }
    expect([count("action_items"), count("notifications"), count("audit_log")]).toEqual(before);
    expect(db().select().from(projectStats).where(eq(projectStats.projectId, projectId)).get()!.supervisedItems).toBe(0);
  });

  it("takes a note of up to its stated limit, 180 characters (the title built around it must not refuse it)", async () => {
    const note = "请".repeat(180);
    const r = await supervise({ itemKey: "site", note, dueInWorkingDays: 3 });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(db().select().from(actionItems).where(eq(actionItems.id, r.body.actionItemId)).get()!.title).toContain(note);
  });

  it("answers 405 to a GET", async () => {
    const r = await call(superviseApiGet, `/api/v1/projects/${projectId}/supervision`, { token: tokens.leader, params: { id: String(projectId) } });
    expect(r.status).toBe(405);
    expect(r.body.error.code).toBe("method_not_allowed");
    expect(r.headers.get("Allow")).toBe("POST");
  });
});

describe("the department that answers for a 督办 on a whole project", () => {
  it("is the one named, when the project is supervised without an item", async () => {
    const r = await supervise({ note: "请住建局提前介入施工许可", dueInWorkingDays: 5, leadDepartment: "住建" });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const row = db().select().from(actionItems).where(eq(actionItems.id, r.body.actionItemId)).get()!;
    const zjId = db().select().from(departments).where(eq(departments.code, "住建")).get()!.id;
    expect(row).toMatchObject({ ownerDepartmentId: zjId, itemId: null, projectId, dueOn: "2026-10-10" });
    expect(listDepartmentQueue(ctxAt(TODAY), zj).actionItems.map((a) => a.id)).toEqual([r.body.actionItemId]);
    // A 督办 on the project counts once on the dashboard.
    expect(getDashboard(ctxAt(TODAY), leader).totals.supervisedItems).toBe(1);
  });
});
