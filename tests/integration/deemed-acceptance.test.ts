/**
 * 申报 before 受理 end to end (DESIGN §4, 行政许可法 §32): the worker's deemed acceptance,
 * exactly once; a department that accepts in time; 补正 before acceptance; the department
 * queue's acceptance countdown; and the events API taking `submit`.
 *
 * Hand-computed from the State Council's 2026 notice (国庆 10-01…10-07 off, Sat 10-10 a
 * make-up workday). Working days after Tue 09-29: 09-30 (1), 10-08 (2), 10-09 (3),
 * 10-10 (4), 10-12 (5), 10-13 (6), 10-14 (7), 10-15 (8), 10-16 (9), 10-19 (10). So an
 * application received 09-29 must be accepted by Mon 10-12; deemed accepted, the 10-day
 * 节能审查 is due Mon 10-19.
 */
import { and, asc, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, clockEvents, escalations, items, notifications } from "../../db/schema";
import { toDay } from "~/domain/calendar";
import { DEFAULT_POLICY, instantOf } from "~/domain/escalation/policy";
import { createApiToken } from "~/services/auth.server";
import { DEEMED_ACCEPT_NOTIFICATION, recordDeemedAcceptances } from "~/services/deemed-acceptance.server";
import { recordItemEvent } from "~/services/items.server";
import { projectTimeline } from "~/services/logs.server";
import { getProjectView } from "~/services/project-view.server";
import { listDepartmentQueue } from "~/services/queue.server";
import { getDb } from "~/utils/db.server";
import { action as postEvent } from "~/routes/api.v1.projects.$id.items.$key.events";
import { sweep } from "../../jobs/worker-core";
import { ctxAt, insertProject, insertUser, shanghai } from "../factories";
import { caught } from "../support/app-error";
import { call, expectApiError } from "./api-helpers";

const template = {
  key: "submission-test",
  version: 1,
  name: "申报受理测试",
  items: [
    { key: "energy", name: "节能审查", kind: "approval", department: "发改", stage: 1, statutoryLimit: 20, promisedLimit: 10, materials: [] },
    { key: "permit", name: "施工许可", kind: "approval", department: "住建", stage: 3, statutoryLimit: 7, promisedLimit: 5, materials: [] },
    { key: "start", name: "开工", kind: "milestone", stage: 3 },
  ],
  dependencies: [
    { from: "energy", to: "permit" },
    { from: "permit", to: "start" },
  ],
};

/** A proxy officer, a 发改 clerk, the 发改 leader, and a project whose 节能审查 was submitted on Tue 2026-09-29. */
async function world(opts: { submit?: boolean } = {}) {
  const proxy = await insertUser({ role: "proxy" });
  const staff = await insertUser({ role: "dept", department: "发改" });
  const deptLeader = await insertUser({ role: "dept", department: "发改", departmentLeader: true });
  const projectId = insertProject(proxy, { name: "申报测试项目", templateKey: undefined, template, signedOn: "2026-09-01", targetStartOn: "2026-12-31" });
  if (opts.submit ?? true) recordItemEvent(ctxAt("2026-09-29"), proxy, projectId, "energy", { type: "submit", on: "2026-09-29" });
  const item = getDb().select().from(items).where(and(eq(items.projectId, projectId), eq(items.key, "energy"))).get()!;
  return { proxy, staff, deptLeader, projectId, itemId: item.id };
}

const db = () => getDb();
const itemRow = (id: number) => db().select().from(items).where(eq(items.id, id)).get()!;
const eventsOf = (id: number) =>
  db()
    .select({ type: clockEvents.type, on: clockEvents.on, actorUserId: clockEvents.actorUserId, detail: clockEvents.detail })
    .from(clockEvents)
    .where(eq(clockEvents.itemId, id))
    .orderBy(asc(clockEvents.id))
    .all();
const deemedNotes = (projectId: number) =>
  db()
    .select()
    .from(notifications)
    .where(and(eq(notifications.kind, DEEMED_ACCEPT_NOTIFICATION), sql`${notifications.link} like ${`/projects/${projectId}?%`}`))
    .orderBy(asc(notifications.userId))
    .all();
const count = (table: string) => db().get<{ n: number }>(sql.raw(`select count(*) as n from ${table}`)).n;

describe("submitting (申报)", () => {
  it("the item panel's actions: 申报 for a pending approval, then 受理 / 要求补正 / 撤回 for the department", async () => {
    const w = await world({ submit: false });
    const allowed = (who: typeof w.proxy, key: string) => getProjectView(ctxAt("2026-09-29"), who, w.projectId).items.find((i) => i.key === key)!.allowed;
    expect(allowed(w.proxy, "energy")).toEqual(["submit", "accept", "waive"]);
    // A milestone is completed, never submitted.
    expect(allowed(w.proxy, "start")).not.toContain("submit");
    recordItemEvent(ctxAt("2026-09-29"), w.proxy, w.projectId, "energy", { type: "submit", on: "2026-09-29" });
    expect(allowed(w.staff, "energy")).toEqual(["accept", "request_correction", "withdraw"]);
  });

  it("opens the acceptance window: stored as 待受理 with the deadline as its due date, no approval clock, no timers", async () => {
    const w = await world({ submit: false });
    const doc = recordItemEvent(ctxAt("2026-09-29"), w.proxy, w.projectId, "energy", { type: "submit", on: "2026-09-29" });
    expect(doc).toMatchObject({ status: "submitted", acceptedOn: null, dueOn: "2026-10-12", remainingWorkingDays: 5, warning: "none", paused: false });
    expect(itemRow(w.itemId)).toMatchObject({ status: "submitted", acceptedOn: null, dueOn: "2026-10-12", version: 2 });
    // Escalations follow the approval clock, which has not started.
    expect(db().select().from(escalations).where(eq(escalations.itemId, w.itemId)).all()).toEqual([]);
  });
});

describe("deemed acceptance (recordDeemedAcceptances)", () => {
  it("nothing before the deadline has ended; then exactly one 受理 dated the submission day, marked deemed, once", async () => {
    const w = await world();
    const before = { events: count("clock_events"), audit: count("audit_log"), notes: count("notifications") };
    // The department has the whole deadline day.
    expect(recordDeemedAcceptances(db(), shanghai("2026-10-12", "23:59"))).toEqual({ itemIds: [], skipped: [] });
    expect({ events: count("clock_events"), audit: count("audit_log"), notes: count("notifications") }).toEqual(before);
    expect(itemRow(w.itemId).status).toBe("submitted");

    // Just after midnight the law has accepted it, on 09-29.
    const at = shanghai("2026-10-13", "00:01");
    expect(recordDeemedAcceptances(db(), at)).toEqual({ itemIds: [w.itemId], skipped: [] });
    expect(eventsOf(w.itemId)).toEqual([
      { type: "submit", on: "2026-09-29", actorUserId: w.proxy.id, detail: null },
      { type: "accept", on: "2026-09-29", actorUserId: null, detail: JSON.stringify({ deemed: true, acceptanceDueOn: "2026-10-12" }) },
    ]);
    // The approval clock counts from S: 10 working days from 09-29 → 10-19.
    expect(itemRow(w.itemId)).toMatchObject({ status: "running", acceptedOn: "2026-09-29", dueOn: "2026-10-19", version: 3 });

    const audit = db().select().from(auditLog).where(and(eq(auditLog.entityType, "item"), eq(auditLog.entityId, w.itemId), eq(auditLog.action, "item.accept"))).all();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorUserId: null, projectId: w.projectId, at: at.getTime() });
    expect(JSON.parse(audit[0].detail!)).toMatchObject({ on: "2026-09-29", from: "submitted", to: "running", deemed: true, label: "受理（逾期视为受理）" });

    // The proxy officer and the department's clerk are told (not the leader: nothing is late yet),
    // in working hours: 08:30 on Tue 10-13.
    const notes = deemedNotes(w.projectId);
    expect(notes.map((n) => n.userId)).toEqual([w.proxy.id, w.staff.id].sort((a, b) => a - b));
    for (const n of notes) {
      expect(n).toMatchObject({
        title: "逾期视为受理：申报测试项目 · 节能审查",
        body: "市发展和改革委员会 2026-09-29 收到申请材料，至 2026-10-12 未受理也未一次告知补正。依《行政许可法》第三十二条，自 2026-09-29 起视为受理，办理时限自该日起算，到期日 2026-10-19。",
        link: `/projects/${w.projectId}?item=energy`,
        deliverAfter: instantOf(toDay("2026-10-13"), DEFAULT_POLICY.workStart),
        deliveredAt: null,
      });
    }

    // The escalation ladder now follows the due date 10-19.
    const ladder = db().select({ level: escalations.level, dueOn: escalations.dueOn }).from(escalations).where(eq(escalations.itemId, w.itemId)).all();
    expect(ladder.map((l) => l.level).sort()).toEqual(["leader", "red", "supervise", "yellow"]);
    expect(new Set(ladder.map((l) => l.dueOn))).toEqual(new Set(["2026-10-19"]));

    // The 代办日志 timeline shows it once, named as deemed.
    const timeline = projectTimeline(ctxAt("2026-10-13"), w.proxy, w.projectId);
    const mentions = timeline.filter((t) => t.title.includes("受理"));
    expect(mentions).toEqual([expect.objectContaining({ kind: "event", on: "2026-09-29", title: "节能审查 · 受理（逾期视为受理）", actorName: "系统" })]);
    expect(mentions[0].detail).toContain("第三十二条");

    // Again, the same night and a week later: nothing more.
    const after = { events: count("clock_events"), audit: count("audit_log"), notes: count("notifications"), version: itemRow(w.itemId).version };
    expect(recordDeemedAcceptances(db(), shanghai("2026-10-13", "00:02"))).toEqual({ itemIds: [], skipped: [] });
    expect(recordDeemedAcceptances(db(), shanghai("2026-10-20"))).toEqual({ itemIds: [], skipped: [] });
    expect({ events: count("clock_events"), audit: count("audit_log"), notes: count("notifications"), version: itemRow(w.itemId).version }).toEqual(after);
  });

  it("a department that accepted within the window: no deemed event, its own date counts", async () => {
    const w = await world();
    // Accepted on the last day of the window, Mon 10-12: 10 WD → 10-13 … Mon 10-26.
    recordItemEvent(ctxAt("2026-10-12"), w.staff, w.projectId, "energy", { type: "accept", on: "2026-10-12" });
    expect(recordDeemedAcceptances(db(), shanghai("2026-10-13", "00:01"))).toEqual({ itemIds: [], skipped: [] });
    expect(eventsOf(w.itemId).map((e) => [e.type, e.on, e.detail])).toEqual([
      ["submit", "2026-09-29", null],
      ["accept", "2026-10-12", null],
    ]);
    expect(itemRow(w.itemId)).toMatchObject({ status: "running", acceptedOn: "2026-10-12", dueOn: "2026-10-26" });
    expect(deemedNotes(w.projectId)).toEqual([]);
  });

  it("after the window a hand-entered 受理 or 补正 is refused and changes nothing", async () => {
    const w = await world();
    const before = { events: count("clock_events"), version: itemRow(w.itemId).version };
    for (const type of ["accept", "request_correction"]) {
      const e = caught(() => recordItemEvent(ctxAt("2026-10-13"), w.staff, w.projectId, "energy", { type, on: "2026-10-13" }));
      expect(e.code).toBe("invalid");
      expect(e.message).toContain("受理期限已过");
    }
    expect({ events: count("clock_events"), version: itemRow(w.itemId).version }).toEqual(before);
  });

  it("补正 asked within the window stops it; the complete correction opens a new one, deemed accepted on its receipt day", async () => {
    const w = await world();
    recordItemEvent(ctxAt("2026-10-09"), w.staff, w.projectId, "energy", { type: "request_correction", on: "2026-10-09", missingMaterials: ["节能报告"] });
    expect(itemRow(w.itemId)).toMatchObject({ status: "correction", acceptedOn: null, dueOn: null });
    // Long past the first deadline: a correction pending is the applicant's time.
    expect(recordDeemedAcceptances(db(), shanghai("2026-10-19")).itemIds).toEqual([]);
    // Complete on Tue 10-20: window 10-21, 22, 23, 26, Tue 10-27.
    recordItemEvent(ctxAt("2026-10-20"), w.proxy, w.projectId, "energy", { type: "receive_correction", on: "2026-10-20" });
    expect(itemRow(w.itemId)).toMatchObject({ status: "submitted", dueOn: "2026-10-27" });
    expect(recordDeemedAcceptances(db(), shanghai("2026-10-27", "18:00")).itemIds).toEqual([]);
    expect(recordDeemedAcceptances(db(), shanghai("2026-10-28", "00:01")).itemIds).toEqual([w.itemId]);
    // 10 WD from 10-20 → 10-21 … Tue 11-03.
    expect(itemRow(w.itemId)).toMatchObject({ status: "running", acceptedOn: "2026-10-20", dueOn: "2026-11-03" });
    expect(eventsOf(w.itemId).map((e) => [e.type, e.on])).toEqual([
      ["submit", "2026-09-29"],
      ["request_correction", "2026-10-09"],
      ["receive_correction", "2026-10-20"],
      ["accept", "2026-10-20"],
    ]);
  });
});

describe("the worker's sweep", () => {
  it("records the deemed acceptance and, when that clock is already late, fires its ladder in the same pass; a second sweep does nothing", async () => {
    const w = await world();
    // First sweep only on Wed 10-21 10:00 (the worker was down): deemed 09-29, due 10-19,
    // so 预警 (Fri 10-16 09:00) and 超期 (Tue 10-20 09:00) are already past; 督办 (10-22) is not.
    const first = await sweep(() => shanghai("2026-10-21"));
    expect(first.deemedAccepted).toBe(1);
    const fired = (level: string) =>
      db().get<{ firedAt: number | null }>(sql`select fired_at as firedAt from escalations where item_id = ${w.itemId} and level = ${level}`)!.firedAt;
    expect(fired("yellow")).not.toBeNull();
    expect(fired("red")).not.toBeNull();
    expect(fired("supervise")).toBeNull();
    expect(itemRow(w.itemId)).toMatchObject({ status: "running", acceptedOn: "2026-09-29", dueOn: "2026-10-19" });

    const snapshot = () => ({ events: count("clock_events"), audit: count("audit_log"), notes: count("notifications"), version: itemRow(w.itemId).version });
    const before = snapshot();
    const second = await sweep(() => shanghai("2026-10-21", "10:01"));
    expect(second).toMatchObject({ deemedAccepted: 0, fired: 0 });
    expect(snapshot()).toEqual(before);
  });
});

describe("the department queue (待受理)", () => {
  it("lists submitted items with their acceptance countdown, and corrections before acceptance as paused", async () => {
    const w = await world();
    const row = () => listDepartmentQueue(ctxAt(day), w.staff).rows.find((r) => r.key === "energy")!;
    let day = "2026-10-09";
    // Fri 10-09: 10-10 and 10-12 left.
    expect(row()).toMatchObject({
      projectId: w.projectId,
      status: "submitted",
      submittedOn: "2026-09-29",
      acceptanceDueOn: "2026-10-12",
      acceptedOn: null,
      dueOn: "2026-10-12",
      remainingWorkingDays: 2,
      warning: "none",
      paused: false,
    });
    day = "2026-10-12";
    expect(row()).toMatchObject({ remainingWorkingDays: 0, warning: "yellow" });

    recordItemEvent(ctxAt("2026-10-12"), w.staff, w.projectId, "energy", { type: "request_correction", on: "2026-10-12" });
    expect(row()).toMatchObject({ status: "correction", submittedOn: null, acceptanceDueOn: null, remainingWorkingDays: null, paused: true });

    // Another department's queue does not show it.
    const other = await insertUser({ role: "dept", department: "住建" });
    expect(listDepartmentQueue(ctxAt(day), other).rows.map((r) => r.key)).not.toContain("energy");
  });
});

describe("POST /api/v1/projects/:id/items/:key/events with type submit", () => {
  it("records 申报 and answers the item's new state; 受理 after the window is 422, 申报 of a milestone 409", async () => {
    const w = await world({ submit: false });
    const token = createApiToken(db(), w.proxy.login);
    const post = (key: string, body: unknown) =>
      call(postEvent, `/api/v1/projects/${w.projectId}/items/${key}/events`, { token, json: body, params: { id: String(w.projectId), key } });

    const r = await post("energy", { type: "submit", on: "2026-09-29", note: "窗口申报" });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ key: "energy", status: "submitted", acceptedOn: null, dueOn: "2026-10-12" });
    expect(eventsOf(w.itemId).map((e) => [e.type, e.on])).toEqual([["submit", "2026-09-29"]]);

    expectApiError(await post("energy", { type: "accept", on: "2026-10-13" }), 422, "invalid", "受理期限已过");
    expectApiError(await post("start", { type: "submit", on: "2026-10-13" }), 409, "conflict", "申报");
    expectApiError(await post("energy", { type: "submit", on: "2026-10-13" }), 409, "conflict", "待受理");
  });
});
