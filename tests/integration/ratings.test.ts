/**
 * 好差评 (issue 12; DESIGN §4 and §6 v1.1): the enterprise contact rates a finished
 * item once; a 差评 opens a 差评整改 action item for the rated item's department,
 * due addWorkingDays(ratedOn, 15), visible to the coordinators on the 督办台账 with
 * source rating and announced to them; another enterprise's project or item is 404.
 *
 * Services take a fixed "now" (ctxAt); the API routes take the real clock.
 */
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { actionItems, escalations, notifications, projects, ratings, settings } from "../../db/schema";
import { formatDay, shanghaiDay } from "~/domain/calendar";
import { listActionItems } from "~/services/action-items.server";
import { createApiToken } from "~/services/auth.server";
import { recordItemEvent } from "~/services/items.server";
import { departmentRatingAverages, projectRatings, rateItem } from "~/services/ratings.server";
import { getDashboard } from "~/services/dashboard.server";
import { getCalendar } from "~/services/time-rules.server";
import { getDb } from "~/utils/db.server";
import { action as ratingApi, loader as ratingApiGet } from "~/routes/api.v1.projects.$id.items.$key.rating";
import { ctxAt, insertProject, insertUser } from "../factories";
import { caught } from "../support/app-error";
import { call, expectApiError } from "./api-helpers";

/** 用地预审 (自然资源) → 施工许可 (住建) → 开工. */
const TEMPLATE = {
  key: "rating-test",
  version: 1,
  name: "好差评测试模板",
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

const db = () => getDb();

async function world() {
  const proxy = await insertUser({ role: "proxy" });
  const coordinator = await insertUser({ role: "coordinator", email: "coord@example.test" });
  const zr = await insertUser({ role: "dept", department: "自然资源" });
  const zj = await insertUser({ role: "dept", department: "住建" });
  const projectId = insertProject(proxy, { name: "好差评测试项目", templateKey: undefined, template: TEMPLATE, signedOn: "2026-09-01", targetStartOn: "2026-12-31" });
  const enterpriseId = db().select({ id: projects.enterpriseId }).from(projects).where(eq(projects.id, projectId)).get()!.id;
  const enterprise = await insertUser({ role: "enterprise", enterpriseId });
  // Another enterprise with a project of its own.
  const otherProjectId = insertProject(proxy, { name: "别家项目", templateKey: undefined, template: TEMPLATE, signedOn: "2026-09-01", targetStartOn: "2026-12-31" });
  const otherEnterpriseId = db().select({ id: projects.enterpriseId }).from(projects).where(eq(projects.id, otherProjectId)).get()!.id;
  const other = await insertUser({ role: "enterprise", enterpriseId: otherEnterpriseId });
  // 用地预审 accepted 09-07 and approved 09-18: finished before the rating.
  recordItemEvent(ctxAt("2026-09-07"), proxy, projectId, "site", { type: "accept", on: "2026-09-07" });
  recordItemEvent(ctxAt("2026-09-18"), proxy, projectId, "site", { type: "approve", on: "2026-09-18" });
  return { proxy, coordinator, zr, zj, enterprise, other, projectId, otherProjectId };
}

describe("rating a finished item (service)", () => {
  it("a 差评 on Mon 2026-09-21 opens a 差评整改 for 自然资源 due 2026-10-19 (across 中秋 and 国庆), with its ladder and the coordinators told", async () => {
    const w = await world();
    const r = rateItem(ctxAt("2026-09-21"), w.enterprise, w.projectId, "site", { score: 2, comment: "窗口答复不清楚，来回跑了三次" });
    expect(r.followUpActionItemId).toEqual(expect.any(Number));
    const a = db().select().from(actionItems).where(eq(actionItems.id, r.followUpActionItemId!)).get()!;
    expect(a).toMatchObject({
      source: "rating",
      title: "差评整改：用地预审与选址意见书（2 分）",
      startOn: "2026-09-21",
      dueInWorkingDays: 15,
      dueOn: "2026-10-19",
      status: "open",
      projectId: w.projectId,
    });
    const row = db().select().from(ratings).where(eq(ratings.id, r.id)).get()!;
    expect(row).toMatchObject({ score: 2, ratedOn: "2026-09-21", followUpActionItemId: a.id, enterpriseUserId: w.enterprise.id, comment: "窗口答复不清楚，来回跑了三次" });
    // The follow-up is a clock: its escalation ladder is planned like an approval's.
    expect(db().select().from(escalations).where(eq(escalations.actionItemId, a.id)).all().length).toBeGreaterThan(0);
    // The coordinators see it on the 督办台账 with source rating, led by the rated item's department.
    const seen = listActionItems(ctxAt("2026-09-21"), w.coordinator, {}).find((v) => v.id === a.id);
    expect(seen).toMatchObject({ source: "rating", leadDepartment: "自然资源", dueOn: "2026-10-19", itemKey: "site", projectId: w.projectId });
    // …and the department that leads it sees it too; the other does not.
    expect(listActionItems(ctxAt("2026-09-21"), w.zr, {}).map((v) => v.id)).toContain(a.id);
    expect(listActionItems(ctxAt("2026-09-21"), w.zj, {}).map((v) => v.id)).not.toContain(a.id);
    const told = db().select().from(notifications).where(and(eq(notifications.userId, w.coordinator.id), eq(notifications.kind, "rating.poor"))).all();
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ link: `/meetings/actions/${a.id}`, emailStatus: "pending" });
    expect(told[0].body).toContain("不满意");
  });

  it("a good rating opens nothing and tells nobody", async () => {
    const w = await world();
    const r = rateItem(ctxAt("2026-09-21"), w.enterprise, w.projectId, "site", { score: 5 });
    expect(r.followUpActionItemId).toBeNull();
    expect(db().select().from(actionItems).all()).toHaveLength(0);
    expect(db().select().from(notifications).where(eq(notifications.kind, "rating.poor")).all()).toHaveLength(0);
    expect(projectRatings(ctxAt("2026-09-21"), w.enterprise, w.projectId).get("site")).toMatchObject({ score: 5, label: "非常满意", comment: null });
  });

  it("follows the deployment's ratingFollowUpDays setting", async () => {
    const w = await world();
    db().insert(settings).values({ key: "ratingFollowUpDays", value: "5" }).run();
    const r = rateItem(ctxAt("2026-09-21"), w.enterprise, w.projectId, "site", { score: 1 });
    const a = db().select().from(actionItems).where(eq(actionItems.id, r.followUpActionItemId!)).get()!;
    // 09-22, 23, 24, 28, 29.
    expect(a).toMatchObject({ dueInWorkingDays: 5, dueOn: "2026-09-29", title: "差评整改：用地预审与选址意见书（1 分）" });
  });

  it("a malformed ratingFollowUpDays setting falls back to 15 rather than refusing the rating", async () => {
    const w = await world();
    db().insert(settings).values({ key: "ratingFollowUpDays", value: "not json" }).run();
    const r = rateItem(ctxAt("2026-09-21"), w.enterprise, w.projectId, "site", { score: 2 });
    expect(db().select().from(actionItems).where(eq(actionItems.id, r.followUpActionItemId!)).get()).toMatchObject({ dueInWorkingDays: 15, dueOn: "2026-10-19" });
  });

  it("409 for rating twice and for an unfinished item; 422 for a bad score; nothing is written", async () => {
    const w = await world();
    rateItem(ctxAt("2026-09-21"), w.enterprise, w.projectId, "site", { score: 2 });
    expect(caught(() => rateItem(ctxAt("2026-09-22"), w.enterprise, w.projectId, "site", { score: 1 })).status).toBe(409);
    expect(caught(() => rateItem(ctxAt("2026-09-22"), w.enterprise, w.projectId, "permit", { score: 1 })).status).toBe(409);
    expect(caught(() => rateItem(ctxAt("2026-09-22"), w.enterprise, w.projectId, "start", { score: 1 })).status).toBe(409);
    for (const score of [0, 6, 2.5, "差", undefined]) {
      expect(caught(() => rateItem(ctxAt("2026-09-22"), w.enterprise, w.projectId, "permit", { score })).status).toBe(422);
    }
    expect(db().select().from(ratings).all()).toHaveLength(1);
    expect(db().select().from(actionItems).all()).toHaveLength(1);
  });

  it("a 不予许可 can be rated too; waived and withdrawn items cannot", async () => {
    const w = await world();
    recordItemEvent(ctxAt("2026-09-18"), w.proxy, w.projectId, "permit", { type: "accept", on: "2026-09-18" });
    recordItemEvent(ctxAt("2026-09-21"), w.proxy, w.projectId, "permit", { type: "reject", on: "2026-09-21" });
    expect(rateItem(ctxAt("2026-09-22"), w.enterprise, w.projectId, "permit", { score: 3 }).followUpActionItemId).toBeNull();
    recordItemEvent(ctxAt("2026-09-21"), w.proxy, w.otherProjectId, "site", { type: "waive", on: "2026-09-21" });
    expect(caught(() => rateItem(ctxAt("2026-09-22"), w.other, w.otherProjectId, "site", { score: 3 })).status).toBe(409);
  });

  it("another enterprise's project or item is 404; staff may not rate (403)", async () => {
    const w = await world();
    expect(caught(() => rateItem(ctxAt("2026-09-21"), w.other, w.projectId, "site", { score: 1 })).status).toBe(404);
    expect(caught(() => rateItem(ctxAt("2026-09-21"), w.enterprise, w.otherProjectId, "site", { score: 1 })).status).toBe(404);
    expect(caught(() => rateItem(ctxAt("2026-09-21"), w.enterprise, w.projectId, "nope", { score: 1 })).status).toBe(404);
    expect(caught(() => rateItem(ctxAt("2026-09-21"), w.enterprise, 999999, "site", { score: 1 })).status).toBe(404);
    expect(caught(() => projectRatings(ctxAt("2026-09-21"), w.other, w.projectId)).status).toBe(404);
    expect(caught(() => rateItem(ctxAt("2026-09-21"), w.proxy, w.projectId, "site", { score: 1 })).status).toBe(403);
    expect(caught(() => rateItem(ctxAt("2026-09-21"), w.zr, w.projectId, "site", { score: 1 })).status).toBe(403);
    expect(db().select().from(ratings).all()).toHaveLength(0);
  });

  it("feeds the departments' figures: count, average and 差评 per department of the rated item", async () => {
    const w = await world();
    rateItem(ctxAt("2026-09-21"), w.enterprise, w.projectId, "site", { score: 2 });
    recordItemEvent(ctxAt("2026-09-07"), w.proxy, w.otherProjectId, "site", { type: "accept", on: "2026-09-07" });
    recordItemEvent(ctxAt("2026-09-18"), w.proxy, w.otherProjectId, "site", { type: "approve", on: "2026-09-18" });
    rateItem(ctxAt("2026-09-21"), w.other, w.otherProjectId, "site", { score: 5 });
    const figures = departmentRatingAverages(db());
    expect(figures).toHaveLength(1);
    expect(figures[0]).toMatchObject({ code: "自然资源", ratings: 2, average: 3.5, poor: 1 });
    // The leader's department table shows the same figure.
    const leader = await insertUser({ role: "leader" });
    const row = getDashboard(ctxAt("2026-09-22"), leader).departments.find((r) => r.name === "市自然资源和规划局");
    expect(row?.rating).toEqual({ average: 3.5, count: 2, poor: 1 });
  });
});

describe("POST /api/v1/projects/:id/items/:key/rating", () => {
  const path = (id: number, key: string) => `/api/v1/projects/${id}/items/${key}/rating`;

  it("201 {id, followUpActionItemId} exactly; 409 twice; 422 score 0 and 6; 404 another enterprise's; 405 on GET", async () => {
    const w = await world();
    const t = createApiToken(db(), w.enterprise.login);
    const params = (id: number, key: string) => ({ id: String(id), key });
    for (const score of [0, 6]) {
      expectApiError(await call(ratingApi, path(w.projectId, "site"), { token: t, json: { score }, params: params(w.projectId, "site") }), 422, "invalid");
    }
    const ok = await call(ratingApi, path(w.projectId, "site"), { token: t, json: { score: 2, comment: "太慢" }, params: params(w.projectId, "site") });
    expect(ok.status).toBe(201);
    expect(Object.keys(ok.body).sort()).toEqual(["followUpActionItemId", "id"]);
    expect(ok.body).toEqual({ id: expect.any(Number), followUpActionItemId: expect.any(Number) });
    const a = db().select().from(actionItems).where(eq(actionItems.id, ok.body.followUpActionItemId)).get()!;
    const cal = getCalendar(db());
    const today = shanghaiDay(new Date());
    expect(a.startOn).toBe(formatDay(today));
    expect(a.dueOn).toBe(formatDay(cal.addWorkingDays(today, 15)));
    expectApiError(await call(ratingApi, path(w.projectId, "site"), { token: t, json: { score: 4 }, params: params(w.projectId, "site") }), 409, "conflict");
    expectApiError(await call(ratingApi, path(w.projectId, "permit"), { token: t, json: { score: 4 }, params: params(w.projectId, "permit") }), 409, "conflict");
    const otherToken = createApiToken(db(), w.other.login);
    expectApiError(await call(ratingApi, path(w.projectId, "permit"), { token: otherToken, json: { score: 4 }, params: params(w.projectId, "permit") }), 404, "not_found");
    const good = await call(ratingApi, path(w.projectId, "site"), { token: null, json: { score: 4 }, params: params(w.projectId, "site") });
    expect(good.status).toBe(401);
    const get = await call(ratingApiGet, path(w.projectId, "site"), { token: t });
    expect(get.status).toBe(405);
    expect(db().get<{ n: number }>(sql`select count(*) as n from ratings`).n).toBe(1);
  });

  it("a good rating answers followUpActionItemId null", async () => {
    const w = await world();
    const t = createApiToken(db(), w.enterprise.login);
    const ok = await call(ratingApi, path(w.projectId, "site"), { token: t, json: { score: 4 }, params: { id: String(w.projectId), key: "site" } });
    expect(ok.status).toBe(201);
    expect(ok.body).toEqual({ id: expect.any(Number), followUpActionItemId: null });
  });
});
