/**
 * Action items for their users (issue 11; DESIGN §4 "action items are clocks", §6 v1.1):
 * the 督办台账 and its filters, the action item's page and its close form, the department
 * queue, the project page's card, the Excel export, the JSON API — and the worker: an
 * action item of a meeting held in the past escalates like an approval, exactly once,
 * also after its Bull keys are flushed.
 *
 * Action items are made the way a meeting decision makes them: resolveActionItems +
 * insertActionItems in one transaction (addActionItems below). Meetings and decisions are
 * plain rows here: the meetings service is someone else's and not what these tests check.
 *
 * Services take a fixed "now" (ctxAt); page and API routes take the real clock, so their
 * tests count from the real today.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { and, eq, isNull, sql } from "drizzle-orm";
import ExcelJS from "exceljs";
import { afterEach, describe, expect, it } from "vitest";
import { actionItems, decisions, escalations, meetings, notifications, projects, uploads } from "../../db/schema";
import type { Actor } from "~/domain/access/policy";
import { formatDay, shanghaiDay, shanghaiToday, toDay } from "~/domain/calendar";
import { instantOf, type EscalationLevel } from "~/domain/escalation/policy";
import type { ActionSource } from "~/domain/meeting/vocabulary";
import {
  closeActionItem,
  exportActionItemsFile,
  getActionItem,
  insertActionItems,
  listActionItems,
  resolveActionItems,
} from "~/services/action-items.server";
import { createApiToken } from "~/services/auth.server";
import { fireDue } from "~/services/escalation-firing.server";
import { recordItemEvent } from "~/services/items.server";
import { loadProjectPage } from "~/services/project-page.server";
import { listDepartmentQueue } from "~/services/queue.server";
import { getCalendar } from "~/services/time-rules.server";
import { transactThenWake } from "~/services/transaction.server";
import { blobPath } from "~/services/upload-storage.server";
import { loadConfig } from "~/utils/config.server";
import { getDb } from "~/utils/db.server";
import { action as listApiPost, loader as listApi } from "~/routes/api.v1.action-items._index";
import { loader as getApi } from "~/routes/api.v1.action-items.$id._index";
import { action as closeApi, loader as closeApiGet } from "~/routes/api.v1.action-items.$id.close";
import { loader as ledgerLoader } from "~/routes/_app.meetings.actions._index";
import { action as itemAction, loader as itemLoader } from "~/routes/_app.meetings.actions.$id";
import { loader as xlsxLoader } from "~/routes/meetings.actions[.xlsx]";
import { action as loginAction } from "~/routes/login";
import { closeAllRedis } from "../../jobs/connection";
import { closeQueues } from "../../jobs/queues";
import { reconcile, startWorker, type WorkerHandle } from "../../jobs/worker-core";
import { ctxAt, insertProject, insertUser, receiveMaterials, shanghai, TEST_PASSWORD, type TestUser } from "../factories";
import { caught } from "../support/app-error";
import { call, expectApiError } from "./api-helpers";
import { waitFor } from "./reliability-helpers";

// ---------------------------------------------------------------- fixtures

/** 用地预审 (自然资源) → 施工许可 (住建) → 开工: two departments with an item; 发改 has none. */
const TEMPLATE = {
  key: "action-test",
  version: 1,
  name: "督办测试模板",
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

/** The people of one test and a project signed Mon 2026-03-02. */
async function world() {
  const proxy = await insertUser({ role: "proxy" });
  const coordinator = await insertUser({ role: "coordinator" });
  const leader = await insertUser({ role: "leader" });
  const zr = await insertUser({ role: "dept", department: "自然资源" });
  const zrLeader = await insertUser({ role: "dept", department: "自然资源", departmentLeader: true });
  const zj = await insertUser({ role: "dept", department: "住建" });
  const fg = await insertUser({ role: "dept", department: "发改" });
  const projectId = insertProject(proxy, { name: "督办测试项目", templateKey: undefined, template: TEMPLATE, signedOn: "2026-03-02", targetStartOn: "2026-12-31" });
  const enterpriseId = db().select({ id: projects.enterpriseId }).from(projects).where(eq(projects.id, projectId)).get()!.id;
  const enterprise = await insertUser({ role: "enterprise", enterpriseId });
  const integration = await insertUser({ role: "integration" });
  return { proxy, coordinator, leader, zr, zrLeader, zj, fg, enterprise, integration, projectId };
}
type World = Awaited<ReturnType<typeof world>>;

/** A held joint meeting and one decision of it. */
function insertMeeting(heldOn: string, title = "重点项目协调推进联席会议（第 1 次）") {
  const m = db().insert(meetings).values({ title, heldOn, type: "joint", status: "held" }).returning().get();
  const d = db().insert(decisions).values({ meetingId: m.id, text: "由市自然资源和规划局牵头，限期出具用地预审意见" }).returning().get();
  return { meetingId: m.id, decisionId: d.id };
}

/** What a decision, a 督办 or a rating does: check the entries, write them and plan their ladders in one transaction. */
function addActionItems(actor: Actor, entries: unknown[], origin: { source?: ActionSource; decisionId?: number | null; startOn: string; at?: Date }) {
  const cal = getCalendar(db());
  const start = toDay(origin.startOn);
  return transactThenWake(db(), (tx, wake) => {
    const resolved = resolveActionItems(tx, actor, entries, start, cal);
    const { created, wakeups } = insertActionItems(
      tx,
      resolved,
      { source: origin.source ?? "meeting", decisionId: origin.decisionId ?? null, startOn: start, actorId: actor.id, now: origin.at ?? shanghai(origin.startOn) },
      cal,
    );
    wake(wakeups);
    return created;
  });
}

/** One action item; returns its id. */
function addOne(actor: Actor, entry: Record<string, unknown>, origin: Parameters<typeof addActionItems>[2]): number {
  return addActionItems(actor, [entry], origin)[0].id;
}

/**
 * Three open items as of 2026-03-02:
 *  A 会议纪要 · 自然资源 (配合 住建), 2 WD → due Wed 03-04, linked to the project's 用地预审;
 *  B 领导督办 · 住建, 10 WD → due Mon 03-16, linked to the project;
 *  C 差评整改 · 发改, due 03-31, no project.
 */
function threeItems(w: World) {
  const { decisionId } = insertMeeting("2026-03-02");
  const a = addOne(w.coordinator, { title: "出具用地预审意见", leadDepartment: "自然资源", coDepartments: ["住建"], owner: "钱国栋", dueInWorkingDays: 2, projectId: w.projectId, itemKey: "site" }, { decisionId, startOn: "2026-03-02" });
  const b = addOne(w.coordinator, { title: "协调施工许可提前介入", leadDepartment: "住建", dueInWorkingDays: 10, projectId: w.projectId }, { source: "supervision", startOn: "2026-03-02" });
  const c = addOne(w.coordinator, { title: "差评整改：窗口答复不清", leadDepartment: "发改", dueOn: "2026-03-31" }, { source: "rating", startOn: "2026-03-02" });
  return { a, b, c };
}

const count = (table: string) => db().get<{ n: number }>(sql.raw(`select count(*) as n from ${table}`)).n;
const itemRow = (id: number) => db().select().from(actionItems).where(eq(actionItems.id, id)).get()!;
const unfired = (id: number) => db().select().from(escalations).where(and(eq(escalations.actionItemId, id), isNull(escalations.firedAt))).all();
const closeAudits = (id: number) => db().get<{ n: number }>(sql`select count(*) as n from audit_log where action = 'actionItem.close' and entity_id = ${id}`).n;

const URL_BASE = "http://localhost";

async function cookieOf(u: TestUser): Promise<string> {
  const res = (await loginAction({ request: new Request(`${URL_BASE}/login`, { method: "POST", body: new URLSearchParams({ login: u.login, password: TEST_PASSWORD }) }), params: {}, context: {} })) as Response;
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

type Answer = { ok: boolean; message: string; fields?: Record<string, string>; note: string };

/** Posts the close form as the browser does (multipart), with or without a file. */
async function postClose(cookie: string, id: number, fields: { note?: string; file?: File; intent?: string }) {
  const fd = new FormData();
  fd.set("intent", fields.intent ?? "close");
  if (fields.note !== undefined) fd.set("note", fields.note);
  // An empty file input still sends its part, as browsers do.
  fd.set("file", fields.file ?? new File([], "", { type: "application/octet-stream" }));
  const request = new Request(`${URL_BASE}/meetings/actions/${id}`, { method: "POST", body: fd, headers: { Cookie: cookie } });
  const res = (await itemAction({ request, params: { id: String(id) }, context: {} })) as unknown as { data: Answer; init: { status: number } };
  return { status: res.init.status, body: res.data };
}

const PDF = new TextEncoder().encode("%PDF-1.4\n% 用地预审意见\n%%EOF\n");

// ---------------------------------------------------------------- the 督办台账

describe("the 督办台账 (listActionItems)", () => {
  it("lists every action item open first, most urgent first, with its source, units, person, project and clock", async () => {
    const w = await world();
    const { a, b, c } = threeItems(w);
    const ctx = ctxAt("2026-03-05");
    const all = listActionItems(ctx, w.coordinator);
    expect(all.map((r) => r.id)).toEqual([a, b, c]);
    expect(all[0]).toMatchObject({
      source: "meeting",
      title: "出具用地预审意见",
      leadDepartment: "自然资源",
      leadDepartmentName: "市自然资源和规划局",
      coDepartments: [{ code: "住建", name: "市住房和城乡建设局" }],
      owner: "钱国栋",
      meeting: { title: "重点项目协调推进联席会议（第 1 次）", heldOn: "2026-03-02", type: "joint" },
      decisionText: "由市自然资源和规划局牵头，限期出具用地预审意见",
      projectId: w.projectId,
      projectName: "督办测试项目",
      projectOpenable: true,
      itemKey: "site",
      itemName: "用地预审与选址意见书",
      startOn: "2026-03-02",
      dueInWorkingDays: 2,
      dueOn: "2026-03-04",
      // Thu 03-05 is one working day past Wed 03-04: red, like an approval.
      remainingWorkingDays: -1,
      warning: "red",
      status: "open",
      closedOn: null,
      provisional: false,
    });
    expect(all[1]).toMatchObject({ source: "supervision", leadDepartment: "住建", meeting: null, dueOn: "2026-03-16", remainingWorkingDays: 7, warning: "none" });
    expect(all[2]).toMatchObject({ source: "rating", leadDepartment: "发改", projectId: null, projectOpenable: false, dueInWorkingDays: null, dueOn: "2026-03-31" });
    // Yellow on the last working day before the due date (yellowLead 1).
    expect(listActionItems(ctxAt("2026-03-03"), w.coordinator)[0]).toMatchObject({ id: a, remainingWorkingDays: 1, warning: "yellow" });

    // Filters: lead department, source, status.
    expect(listActionItems(ctx, w.coordinator, { department: "自然资源" }).map((r) => r.id)).toEqual([a]);
    expect(listActionItems(ctx, w.coordinator, { source: "supervision" }).map((r) => r.id)).toEqual([b]);
    expect(listActionItems(ctx, w.coordinator, { status: "closed" })).toEqual([]);
    closeActionItem(ctx, w.fg, c, { note: "已约谈窗口人员并整改答复口径" });
    expect(listActionItems(ctx, w.coordinator, { status: "closed" }).map((r) => r.id)).toEqual([c]);
    // Department staff see their department's action items: those it leads or supports (配合单位), not the others'.
    expect(listActionItems(ctx, w.zr).map((r) => r.id)).toEqual([a]);
    expect(listActionItems(ctx, w.zj).map((r) => r.id)).toEqual([a, b]);
    expect(listActionItems(ctx, w.fg).map((r) => r.id)).toEqual([c]);
    expect(() => getActionItem(ctx, w.zr, b)).toThrow(expect.objectContaining({ status: 404 }));
    expect(listActionItems(ctx, w.coordinator, { status: "open" }).map((r) => r.id)).toEqual([a, b]);
    // Closed ones follow the open ones, with the day and whether on time.
    expect(listActionItems(ctx, w.coordinator).map((r) => r.id)).toEqual([a, b, c]);
    expect(listActionItems(ctx, w.coordinator)[2]).toMatchObject({ status: "closed", closedOn: "2026-03-05", onTime: true, remainingWorkingDays: null, warning: "none", closeNote: "已约谈窗口人员并整改答复口径" });

    // 住建 supports (配合) a and has an item in its project, so the project opens for its staff.
    expect(listActionItems(ctx, w.zj).find((r) => r.id === a)!.projectOpenable).toBe(true);

    // Bad filters are a 400 with the reason; enterprises see none (403).
    expect(caught(() => listActionItems(ctx, w.zr, { department: "不存在的局" }))).toMatchObject({ status: 400, message: "未知部门「不存在的局」" });
    expect(caught(() => listActionItems(ctx, w.zr, { status: "bogus" })).status).toBe(400);
    expect(caught(() => listActionItems(ctx, w.zr, { source: "bogus" })).status).toBe(400);
    expect(caught(() => listActionItems(ctx, w.enterprise)).status).toBe(403);
  });

  it("refuses a bad action item with a Chinese message per field and writes nothing", async () => {
    const w = await world();
    const before = { items: count("action_items"), esc: count("escalations"), audit: count("audit_log") };
    const err = caught(() =>
      addActionItems(
        w.coordinator,
        [
          { title: "零天期限", leadDepartment: "自然资源", dueInWorkingDays: 0 },
          { title: "未知单位", leadDepartment: "林业局", dueInWorkingDays: 3 },
          { title: "别的项目的事项", leadDepartment: "住建", dueInWorkingDays: 3, projectId: w.projectId, itemKey: "no-such-item" },
        ],
        { startOn: "2026-03-02" },
      ),
    );
    expect(err.status).toBe(422);
    expect(err.fields).toMatchObject({
      "actionItems.0.dueInWorkingDays": "完成时限应为至少 1 个工作日",
      "actionItems.1.leadDepartment": "未知部门「林业局」",
      "actionItems.2.itemKey": "事项「no-such-item」不属于所选项目",
    });
    expect({ items: count("action_items"), esc: count("escalations"), audit: count("audit_log") }).toEqual(before);
  });
});

// ---------------------------------------------------------------- closing

describe("closing an action item (service)", () => {
  it("needs a note (422, nothing written), is for the lead unit and coordinators (403 otherwise, 404 for enterprises), once (409)", async () => {
    const w = await world();
    const { a, b } = threeItems(w);
    const ctx = ctxAt("2026-03-04", "15:00");
    expect(unfired(a).map((e) => e.level).sort()).toEqual(["leader", "red", "supervise", "yellow"]);
    const before = { row: itemRow(a), esc: count("escalations"), audit: count("audit_log") };

    expect(caught(() => closeActionItem(ctx, w.zr, a, {}))).toMatchObject({ status: 422, message: "请填写办理情况" });
    expect(caught(() => closeActionItem(ctx, w.zr, a, { note: "  " })).status).toBe(422);
    expect(caught(() => closeActionItem(ctx, w.zj, a, { note: "住建代为办结" }))).toMatchObject({ status: 403, message: "只有责任单位的经办人或联席会议协调人可以办结此事项" });
    expect(caught(() => closeActionItem(ctx, w.enterprise, a, { note: "企业办结" })).status).toBe(404);
    expect(caught(() => closeActionItem(ctx, w.zr, 999_999, { note: "不存在" })).status).toBe(404);
    expect({ row: itemRow(a), esc: count("escalations"), audit: count("audit_log") }).toEqual(before);

    const closed = closeActionItem(ctx, w.zr, a, { note: "已出具用地预审意见（江自然资预〔2026〕12 号）" });
    expect(closed).toMatchObject({ status: "closed", closedOn: "2026-03-04", onTime: true, canClose: false, closedBy: { name: `测试${w.zr.login}`, departmentName: "市自然资源和规划局" } });
    expect(itemRow(a)).toMatchObject({ status: "closed", closeNote: "已出具用地预审意见（江自然资预〔2026〕12 号）", closedByUserId: w.zr.id, closeUploadId: null });
    // The ladder still to come is dropped: nothing fires for a closed task.
    expect(unfired(a)).toEqual([]);
    expect(closeAudits(a)).toBe(1);
    expect(caught(() => closeActionItem(ctx, w.zr, a, { note: "再次办结" }))).toMatchObject({ status: 409, message: "该事项已办结，不能重复办结" });
    expect(closeAudits(a)).toBe(1);

    // A coordinator may close another unit's task (e.g. on that unit's word); late is recorded as late.
    expect(closeActionItem(ctxAt("2026-03-18"), w.coordinator, b, { note: "住建局已提前介入，协调完成" })).toMatchObject({ status: "closed", onTime: false });
  });

  it("takes an upload only from the linked project", async () => {
    const w = await world();
    const { a } = threeItems(w);
    const other = insertProject(w.proxy, { name: "另一个项目", templateKey: undefined, template: TEMPLATE, signedOn: "2026-03-02", targetStartOn: "2026-12-31" });
    const foreign = db().insert(uploads).values({ projectId: other, sha256: "a".repeat(64), originalName: "别的.pdf", mimeType: "application/pdf", size: 1 }).returning().get().id;
    const own = db().insert(uploads).values({ projectId: w.projectId, sha256: "b".repeat(64), originalName: "意见.pdf", mimeType: "application/pdf", size: 1 }).returning().get().id;
    expect(caught(() => closeActionItem(ctxAt("2026-03-04"), w.zr, a, { note: "已办结", uploadId: foreign }))).toMatchObject({ status: 422, message: "附件不属于该事项关联的项目" });
    expect(itemRow(a).status).toBe("open");
    expect(closeActionItem(ctxAt("2026-03-04"), w.zr, a, { note: "已办结", uploadId: own }).closeUpload).toMatchObject({ id: own, originalName: "意见.pdf" });
  });
});

// ---------------------------------------------------------------- queue and project page

describe("the department queue and the project page", () => {
  it("the lead department's queue lists its open action item among its approvals, most urgent first, and drops it once closed", async () => {
    const w = await world();
    receiveMaterials(w.projectId);
    // 用地预审 accepted Mon 03-02, promised 10 WD: due 03-16, not urgent on 03-05.
    recordItemEvent(ctxAt("2026-03-02"), w.proxy, w.projectId, "site", { type: "accept", on: "2026-03-02" });
    const { a, b } = threeItems(w);
    const ctx = ctxAt("2026-03-05");
    const q = listDepartmentQueue(ctx, w.zr);
    // The red action item comes before the approval with days to spare.
    expect(q.entries.map((e) => (e.kind === "action" ? `action-${e.id}` : `item-${e.key}`))).toEqual([`action-${a}`, "item-site"]);
    expect(q.entries[0]).toMatchObject({ kind: "action", title: "出具用地预审意见", source: "meeting", projectId: w.projectId, itemKey: "site", dueOn: "2026-03-04", remainingWorkingDays: -1, warning: "red" });
    // `rows` stay the approvals alone (what the queue listed before action items).
    expect(q.rows.map((r) => r.key)).toEqual(["site"]);
    expect(q.actionItems.map((r) => r.id)).toEqual([a]);
    // Another department's queue has its own task, not this one.
    expect(listDepartmentQueue(ctx, w.zj).actionItems.map((r) => r.id)).toEqual([b]);

    closeActionItem(ctx, w.zr, a, { note: "已出具意见" });
    expect(listDepartmentQueue(ctx, w.zr).entries.map((e) => e.kind)).toEqual(["item"]);
  });

  it("the project page has the project's action items, open and closed, with their clocks; enterprise contacts get none", async () => {
    const w = await world();
    const { a, b, c } = threeItems(w);
    closeActionItem(ctxAt("2026-03-04"), w.zr, a, { note: "已出具意见" });
    const page = loadProjectPage(ctxAt("2026-03-05"), w.proxy, w.projectId, null);
    expect(page.actionItems.map((r) => [r.id, r.status])).toEqual([
      [b, "open"],
      [a, "closed"],
    ]);
    expect(page.actionItems.map((r) => r.id)).not.toContain(c);
    expect(page.actionItems[0]).toMatchObject({ remainingWorkingDays: 7, warning: "none" });
    expect(page.actionItems[1]).toMatchObject({ closedOn: "2026-03-04", onTime: true });
    expect(loadProjectPage(ctxAt("2026-03-05"), w.enterprise, w.projectId, null).actionItems).toEqual([]);
  });
});

// ---------------------------------------------------------------- Excel

describe("the Excel export", () => {
  it("opens with exceljs, lists the filtered rows most urgent first, overdue red and due-soon yellow", async () => {
    const w = await world();
    threeItems(w);
    // B due-soon on 03-13 (one working day left); A overdue.
    const { buffer, fileName } = await exportActionItemsFile(ctxAt("2026-03-13"), w.coordinator, {});
    expect(fileName).toBe("督办台账-2026-03-13.xlsx");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buffer as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet("督办台账")!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual([
      "序号",
      "督办事项",
      "来源",
      "会议 / 依据",
      "责任单位",
      "配合单位",
      "责任人",
      "关联项目",
      "关联审批事项",
      "起算日",
      "完成时限（工作日）",
      "到期日",
      "剩余工作日",
      "预警",
      "状态",
      "办结日期",
      "按期办结",
      "办理情况",
    ]);
    expect(sheet.rowCount).toBe(4);
    const cell = (r: number, h: string) => sheet.getRow(r).getCell(header.indexOf(h) + 1);
    expect(cell(2, "督办事项").value).toBe("出具用地预审意见");
    expect(cell(2, "来源").value).toBe("会议纪要");
    expect(cell(2, "会议 / 依据").value).toBe("重点项目协调推进联席会议（第 1 次）（2026-03-02）");
    expect(cell(2, "配合单位").value).toBe("市住房和城乡建设局");
    expect(cell(2, "关联审批事项").value).toBe("用地预审与选址意见书");
    expect((cell(2, "到期日").value as Date).toISOString().slice(0, 10)).toBe("2026-03-04");
    expect(cell(2, "预警").value).toBe("超期");
    expect((cell(2, "督办事项").fill as ExcelJS.FillPattern).fgColor?.argb).toBe("FFFFC7CE");
    expect(cell(3, "预警").value).toBe("临期");
    expect((cell(3, "督办事项").fill as ExcelJS.FillPattern).fgColor?.argb).toBe("FFFFEB9C");
    expect(cell(4, "来源").value).toBe("差评整改");

    const filtered = await exportActionItemsFile(ctxAt("2026-03-13"), w.coordinator, { department: "发改" });
    const wb2 = new ExcelJS.Workbook();
    await wb2.xlsx.load(filtered.buffer as unknown as ArrayBuffer);
    expect(wb2.getWorksheet("督办台账")!.rowCount).toBe(2);
    expect(wb2.getWorksheet("督办台账")!.getRow(2).getCell(2).value).toBe("差评整改：窗口答复不清");
  });

  it("is a download for staff at /meetings/actions.xlsx and a 403 for an enterprise contact", async () => {
    const w = await world();
    threeItems(w);
    const get = async (u: TestUser, query = "") =>
      settle(xlsxLoader({ request: new Request(`${URL_BASE}/meetings/actions.xlsx${query}`, { headers: { Cookie: await cookieOf(u) } }), params: {}, context: {} }));
    const res = (await get(w.coordinator, "?department=住建")) as Response;
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(res.headers.get("Content-Disposition")).toContain("filename*=UTF-8''");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    expect(wb.getWorksheet("督办台账")!.rowCount).toBe(2);
    expect(((await get(w.enterprise)) as Response).status).toBe(403);
    expect(((await get(w.zr, "?status=bogus")) as Response).status).toBe(400);
  });
});

// ---------------------------------------------------------------- pages (real clock)

describe("the pages /meetings/actions and /meetings/actions/:id", () => {
  const today = () => shanghaiToday(new Date());

  it("the 台账 page filters with a GET form and links the export with the same filters; enterprises get 403", async () => {
    const w = await world();
    const { decisionId } = insertMeeting(today());
    const a = addOne(w.coordinator, { title: "出具用地预审意见", leadDepartment: "自然资源", dueInWorkingDays: 3, projectId: w.projectId, itemKey: "site" }, { decisionId, startOn: today(), at: new Date() });
    addOne(w.coordinator, { title: "协调施工许可", leadDepartment: "住建", dueInWorkingDays: 5 }, { source: "supervision", startOn: today(), at: new Date() });
    const load = async (u: TestUser, query = "") =>
      settle(ledgerLoader({ request: new Request(`${URL_BASE}/meetings/actions${query}`, { headers: { Cookie: await cookieOf(u) } }), params: {}, context: {} }));
    const page = (await load(w.zr, "?department=自然资源&source=&status=open")) as Exclude<Awaited<ReturnType<typeof ledgerLoader>>, Response>;
    expect(page.rows.map((r) => r.id)).toEqual([a]);
    expect(page.filter).toEqual({ status: "open", department: "自然资源", source: "" });
    expect(page.exportHref).toBe(`/meetings/actions.xlsx?status=open&department=${encodeURIComponent("自然资源")}`);
    expect(page.options.departments.map((d) => d.code)).toContain("自然资源");
    expect(((await load(w.enterprise)) as Response).status).toBe(403);
  });

  it("the lead unit closes with a note and a file stored as the project's upload; refusals write nothing; twice is 409", async () => {
    const w = await world();
    const { decisionId } = insertMeeting(today());
    const id = addOne(w.coordinator, { title: "出具用地预审意见", leadDepartment: "自然资源", dueInWorkingDays: 3, projectId: w.projectId, itemKey: "site" }, { decisionId, startOn: today(), at: new Date() });
    const zr = await cookieOf(w.zr);
    const load = async (cookie: string) => settle(itemLoader({ request: new Request(`${URL_BASE}/meetings/actions/${id}`, { headers: { Cookie: cookie } }), params: { id: String(id) }, context: {} }));
    type Page = Exclude<Awaited<ReturnType<typeof itemLoader>>, Response>;

    const open = (await load(zr)) as Page;
    expect(open.item).toMatchObject({ id, status: "open", canClose: true, canAttach: true, meeting: { heldOn: today() }, escalations: [] });
    expect(open.upcoming.map((e) => e.level)).toEqual(["yellow", "red", "supervise", "leader"]);
    // Another department does not see it (issue 11: staff see their department's action items); its post is refused.
    expect(((await load(await cookieOf(w.zj))) as Response).status).toBe(404);
    expect((await postClose(await cookieOf(w.zj), id, { note: "住建代办" })).status).toBe(404);
    expect(((await load(await cookieOf(w.enterprise))) as Response).status).toBe(403);

    const before = { row: itemRow(id), uploads: count("uploads"), audit: count("audit_log") };
    const noNote = await postClose(zr, id, {});
    expect(noNote).toMatchObject({ status: 422, body: { ok: false, message: "请填写办理情况", fields: { note: "请填写办理情况" } } });
    const badFile = await postClose(zr, id, { note: "已出具意见", file: new File(["MZ"], "意见.exe", { type: "application/x-msdownload" }) });
    expect(badFile.status).toBe(422);
    expect(badFile.body.fields?.file).toMatch(/不支持的文件类型/);
    // The note comes back, so a page without JavaScript keeps it.
    expect(badFile.body.note).toBe("已出具意见");
    expect({ row: itemRow(id), uploads: count("uploads"), audit: count("audit_log") }).toEqual(before);

    const done = await postClose(zr, id, { note: "已出具用地预审意见（江自然资预〔2026〕12 号）", file: new File([PDF], "用地预审意见.pdf", { type: "application/pdf" }) });
    expect(done).toMatchObject({ status: 200, body: { ok: true } });
    const row = itemRow(id);
    expect(row).toMatchObject({ status: "closed", closedOn: today(), closedByUserId: w.zr.id });
    const up = db().select().from(uploads).where(eq(uploads.id, row.closeUploadId!)).get()!;
    const sha = createHash("sha256").update(PDF).digest("hex");
    expect(up).toMatchObject({ projectId: w.projectId, sha256: sha, originalName: "用地预审意见.pdf", mimeType: "application/pdf", size: PDF.byteLength, uploadedByUserId: w.zr.id });
    expect(existsSync(blobPath(loadConfig().uploadDir, sha))).toBe(true);

    const closed = (await load(zr)) as Page;
    expect(closed.item).toMatchObject({ status: "closed", canClose: false, closeNote: "已出具用地预审意见（江自然资预〔2026〕12 号）", closeUpload: { id: up.id, originalName: "用地预审意见.pdf" } });
    expect(closed.item.closedBy).toMatchObject({ name: `测试${w.zr.login}`, departmentName: "市自然资源和规划局" });
    expect(closed.closedAtText).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    expect(closed.upcoming).toEqual([]);

    const twice = await postClose(zr, id, { note: "再次办结" });
    expect(twice).toMatchObject({ status: 409, body: { ok: false, message: "该事项已办结，不能重复办结" } });
    expect(closeAudits(id)).toBe(1);
  });

  it("an item without a project takes no file (422, nothing written) and closes with the note alone", async () => {
    const w = await world();
    const id = addOne(w.coordinator, { title: "差评整改", leadDepartment: "自然资源", dueInWorkingDays: 15 }, { source: "rating", startOn: today(), at: new Date() });
    const cookie = await cookieOf(w.coordinator);
    const page = (await itemLoader({ request: new Request(`${URL_BASE}/meetings/actions/${id}`, { headers: { Cookie: cookie } }), params: { id: String(id) }, context: {} })) as { item: { canAttach: boolean; canClose: boolean } };
    expect(page.item).toMatchObject({ canAttach: false, canClose: true });
    const uploadsBefore = count("uploads");
    const refused = await postClose(cookie, id, { note: "已整改", file: new File([PDF], "整改.pdf", { type: "application/pdf" }) });
    expect(refused.status).toBe(422);
    expect(refused.body.fields?.file).toBe("该事项未关联项目，不能上传附件");
    expect({ status: itemRow(id).status, uploads: count("uploads") }).toEqual({ status: "open", uploads: uploadsBefore });
    expect((await postClose(cookie, id, { note: "已整改" })).status).toBe(200);
    expect(itemRow(id).status).toBe("closed");
  });
});

// ---------------------------------------------------------------- JSON API (DESIGN §6 v1.1)

describe("GET/POST /api/v1/action-items", () => {
  const today = () => shanghaiDay(new Date());

  async function apiWorld() {
    const w = await world();
    const start = formatDay(today());
    const { decisionId } = insertMeeting(start);
    const a = addOne(w.coordinator, { title: "出具用地预审意见", leadDepartment: "自然资源", coDepartments: ["住建"], dueInWorkingDays: 3, projectId: w.projectId, itemKey: "site" }, { decisionId, startOn: start, at: new Date() });
    const b = addOne(w.coordinator, { title: "协调施工许可", leadDepartment: "住建", dueInWorkingDays: 5 }, { source: "supervision", startOn: start, at: new Date() });
    const token = (u: TestUser) => createApiToken(db(), u.login);
    return { ...w, a, b, token };
  }

  const CONTRACT_KEYS = ["id", "source", "title", "leadDepartment", "dueOn", "remainingWorkingDays", "warning", "status", "closedOn"];

  it("lists with the contract's fields and types, filters by status and department, and refuses enterprises and bad filters", async () => {
    const w = await apiWorld();
    const t = w.token(w.zj);
    const all = await call(listApi, "/api/v1/action-items", { token: t });
    expect(all.status).toBe(200);
    expect(Array.isArray(all.body)).toBe(true);
    expect(all.body.map((r: { id: number }) => r.id)).toEqual([w.a, w.b]);
    const cal = getCalendar(db());
    const first = all.body[0];
    for (const k of CONTRACT_KEYS) expect(first).toHaveProperty(k);
    expect(first).toMatchObject({
      id: w.a,
      source: "meeting",
      title: "出具用地预审意见",
      leadDepartment: "自然资源",
      dueOn: formatDay(cal.addWorkingDays(today(), 3)),
      remainingWorkingDays: 3,
      warning: "none",
      status: "open",
      closedOn: null,
    });
    expect(typeof first.id).toBe("number");
    expect(first.dueOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(all.body[1]).toMatchObject({ id: w.b, source: "supervision", leadDepartment: "住建", remainingWorkingDays: 5 });

    expect((await call(listApi, `/api/v1/action-items?department=${encodeURIComponent("自然资源")}`, { token: t })).body.map((r: { id: number }) => r.id)).toEqual([w.a]);
    expect((await call(listApi, "/api/v1/action-items?status=closed", { token: t })).body).toEqual([]);
    expect((await call(listApi, "/api/v1/action-items?status=open", { token: t })).body).toHaveLength(2);
    expectApiError(await call(listApi, "/api/v1/action-items?status=done", { token: t }), 400, "bad_request", "status");
    expectApiError(await call(listApi, `/api/v1/action-items?department=${encodeURIComponent("林业局")}`, { token: t }), 400, "bad_request", "未知部门");
    expectApiError(await call(listApi, "/api/v1/action-items", { token: w.token(w.enterprise) }), 403, "forbidden");
    expectApiError(await call(listApi, "/api/v1/action-items", { token: w.token(w.integration) }), 403, "forbidden");
    expectApiError(await call(listApi, "/api/v1/action-items", {}), 401, "unauthorized");
    expect((await call(listApiPost, "/api/v1/action-items", { token: t, json: {} })).status).toBe(405);
  });

  it("GET /:id adds escalations [{level, dueOn, firedAt}]; unknown or hidden ids are 404", async () => {
    const w = await apiWorld();
    const t = w.token(w.coordinator);
    const one = await call(getApi, `/api/v1/action-items/${w.a}`, { token: t, params: { id: String(w.a) } });
    expect(one.status).toBe(200);
    for (const k of [...CONTRACT_KEYS, "escalations"]) expect(one.body).toHaveProperty(k);
    expect(one.body.escalations).toEqual([]);

    // Fire the whole ladder (as the worker would once it is all due) and read it back.
    const cal = getCalendar(db());
    fireDue(db(), new Date(instantOf(cal.addWorkingDays(toDay(one.body.dueOn), 11), { hour: 9, minute: 0 })));
    const fired = await call(getApi, `/api/v1/action-items/${w.a}`, { token: t, params: { id: String(w.a) } });
    expect(fired.body.escalations.map((e: { level: string }) => e.level)).toEqual(["yellow", "red", "supervise", "leader"]);
    for (const e of fired.body.escalations) {
      expect(Object.keys(e).sort()).toEqual(["dueOn", "firedAt", "level"]);
      expect(e.dueOn).toBe(one.body.dueOn);
      expect(new Date(e.firedAt).toISOString()).toBe(e.firedAt);
    }

    expectApiError(await call(getApi, "/api/v1/action-items/999999", { token: t, params: { id: "999999" } }), 404, "not_found");
    expectApiError(await call(getApi, "/api/v1/action-items/abc", { token: t, params: { id: "abc" } }), 404, "not_found");
    expectApiError(await call(getApi, `/api/v1/action-items/${w.a}`, { token: w.token(w.enterprise), params: { id: String(w.a) } }), 404, "not_found");
  });

  it("POST /:id/close {note}: 422 without a note (nothing written), 403 for another department, 404 for an enterprise, 200, then 409", async () => {
    const w = await apiWorld();
    const path = `/api/v1/action-items/${w.a}/close`;
    const post = (u: TestUser, json: unknown) => call(closeApi, path, { token: w.token(u), json, params: { id: String(w.a) } });
    const before = { row: itemRow(w.a), audit: count("audit_log"), esc: count("escalations") };
    expectApiError(await post(w.zr, {}), 422, "invalid", "办理情况");
    expectApiError(await post(w.zr, { note: "" }), 422, "invalid");
    expectApiError(await post(w.zj, { note: "住建代为办结" }), 403, "forbidden");
    expectApiError(await post(w.enterprise, { note: "企业办结" }), 404, "not_found");
    expectApiError(await call(closeApi, path, { token: w.token(w.zr), rawBody: "{not json", params: { id: String(w.a) } }), 400, "bad_request");
    expect({ row: itemRow(w.a), audit: count("audit_log"), esc: count("escalations") }).toEqual(before);

    const ok = await post(w.zr, { note: "已出具用地预审意见" });
    expect(ok.status).toBe(200);
    for (const k of CONTRACT_KEYS) expect(ok.body).toHaveProperty(k);
    expect(ok.body).toMatchObject({ id: w.a, status: "closed", closedOn: formatDay(today()), remainingWorkingDays: null, warning: "none", closeNote: "已出具用地预审意见" });
    expect(unfired(w.a)).toEqual([]);
    expectApiError(await post(w.zr, { note: "再次办结" }), 409, "conflict", "不能重复办结");
    expect(closeAudits(w.a)).toBe(1);

    // A coordinator may close another unit's item.
    const byCoordinator = await call(closeApi, `/api/v1/action-items/${w.b}/close`, { token: w.token(w.coordinator), json: { note: "已协调完成" }, params: { id: String(w.b) } });
    expect(byCoordinator.body).toMatchObject({ id: w.b, status: "closed" });
    expect((await call(closeApiGet, path, { token: w.token(w.zr), params: { id: String(w.a) } })).status).toBe(405);
    expect((await call(listApi, "/api/v1/action-items?status=closed", { token: w.token(w.coordinator) })).body.map((r: { id: number }) => r.id).sort()).toEqual([w.a, w.b].sort());
    // The lead unit's staff list their own department's only.
    expect((await call(listApi, "/api/v1/action-items?status=closed", { token: w.token(w.zr) })).body.map((r: { id: number }) => r.id)).toEqual([w.a]);
  });
});

// ---------------------------------------------------------------- the worker

describe("the worker escalates an action item like an approval", () => {
  const handles: WorkerHandle[] = [];
  afterEach(async () => {
    for (const h of handles.splice(0)) await h.close().catch(() => undefined);
    await closeQueues();
    await closeAllRedis();
  });

  /** Deletes this test's Bull keys on the shared Redis (its prefix only: other runs use the same server). */
  async function flushOwnKeys(): Promise<number> {
    const { default: Redis } = await import("ioredis");
    const r = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 1 });
    let deleted = 0;
    try {
      let cursor = "0";
      do {
        const [next, keys] = await r.scan(cursor, "MATCH", `${process.env.QUEUE_PREFIX}:*`, "COUNT", 1_000);
        if (keys.length) deleted += await r.del(...keys);
        cursor = next;
      } while (cursor !== "0");
    } finally {
      r.disconnect();
    }
    return deleted;
  }

  it(
    "a meeting held five working days ago with a 2-working-day deadline is red; red, supervise and leader fire once at their moments, also after a Redis flush",
    async () => {
      const w = await world();
      // Minutes recorded on Mon 03-09 at 08:00 for the meeting of Mon 03-02 (five working days earlier).
      let now = shanghai("2026-03-09", "08:00");
      const clock = () => now;
      const cal = getCalendar(db());
      expect(formatDay(cal.addWorkingDays(toDay("2026-03-02"), 5))).toBe("2026-03-09");
      const { decisionId } = insertMeeting("2026-03-02", "重点项目协调推进联席会议（第 9 次）");
      const id = addOne(w.coordinator, { title: "出具用地预审意见", leadDepartment: "自然资源", dueInWorkingDays: 2, projectId: w.projectId, itemKey: "site" }, { decisionId, startOn: "2026-03-02", at: now });
      // Due Wed 03-04: red as of 03-09, three working days late.
      expect(getActionItem({ db: db(), now }, w.coordinator, id)).toMatchObject({ dueOn: "2026-03-04", remainingWorkingDays: -3, warning: "red" });
      const at = (level: EscalationLevel) => db().select().from(escalations).where(and(eq(escalations.actionItemId, id), eq(escalations.level, level))).get()!;
      // The ladder's moments (DESIGN §4, 09:00 Shanghai): red 03-05, supervise 03-09, leader 03-18.
      expect(new Date(at("red").fireAt).toISOString()).toBe("2026-03-05T01:00:00.000Z");
      expect(new Date(at("supervise").fireAt).toISOString()).toBe("2026-03-09T01:00:00.000Z");
      expect(new Date(at("leader").fireAt).toISOString()).toBe("2026-03-18T01:00:00.000Z");

      // Recorded after its due date, the item plans no 预警 ("1 day left" would be untrue).
      expect(db().select().from(escalations).where(and(eq(escalations.actionItemId, id), eq(escalations.level, "yellow"))).all()).toEqual([]);
      // The worker starts: its reconcile fires what is already past (red), nothing else.
      const h = await startWorker({ clock, sweepEveryMs: 200, watchdogEveryMs: 200, log: () => {} });
      handles.push(h);
      expect(at("red").firedAt).toBe(now.getTime());
      expect(at("supervise").firedAt).toBeNull();
      expect(at("leader").firedAt).toBeNull();

      // One minute before 督办 nothing; at 09:00 the sweep (or the wake-up) fires it.
      now = shanghai("2026-03-09", "08:59");
      await h.sweep();
      expect(at("supervise").firedAt).toBeNull();
      now = shanghai("2026-03-09", "09:00");
      await waitFor("the supervise level to fire", () => at("supervise").firedAt !== null, 10_000, 50);
      expect(at("supervise").firedAt).toBeGreaterThanOrEqual(shanghai("2026-03-09", "09:00").getTime());

      // Redis loses this test's keys (wake-ups and the repeatable sweep): the worker's watchdog re-arms and reconciles.
      expect(await flushOwnKeys()).toBeGreaterThan(0);
      await reconcile(clock);
      now = shanghai("2026-03-18", "08:59");
      await h.sweep();
      expect(at("leader").firedAt).toBeNull();
      now = shanghai("2026-03-18", "09:00");
      await waitFor("the leader level to fire", () => at("leader").firedAt !== null, 10_000, 50);

      // And once more from nothing, as after a Redis that came back empty: nothing fires twice.
      await flushOwnKeys();
      now = shanghai("2026-03-18", "10:00");
      await reconcile(clock);
      await h.sweep();

      const rows = db().select().from(escalations).where(eq(escalations.actionItemId, id)).all();
      expect(rows.map((r) => r.level).sort()).toEqual(["leader", "red", "supervise"]);
      expect(rows.every((r) => r.firedAt !== null)).toBe(true);
      for (const r of rows) {
        const audits = db().get<{ n: number }>(sql`select count(*) as n from audit_log where entity_type = 'escalation' and entity_id = ${r.id} and action = ${`escalation.${r.level}`}`).n;
        expect(audits, `audit rows of ${r.level}`).toBe(1);
      }
      const dup = db().all(sql`select escalation_id, user_id, count(*) as n from notifications where escalation_id is not null group by escalation_id, user_id having count(*) > 1`);
      expect(dup).toEqual([]);
      // Who heard what (DESIGN §4, the lead unit in place of the item's department).
      const heard = (level: EscalationLevel) =>
        db()
          .select({ u: notifications.userId, link: notifications.link, title: notifications.title })
          .from(notifications)
          .where(eq(notifications.escalationId, at(level).id))
          .all();
      const ids = (level: EscalationLevel) => heard(level).map((n) => n.u).sort((x, y) => x - y);
      const sorted = (...xs: number[]) => xs.sort((x, y) => x - y);
      expect(ids("red")).toEqual(sorted(w.zr.id, w.proxy.id, w.zrLeader.id, w.coordinator.id));
      expect(ids("supervise")).toEqual(sorted(w.zrLeader.id, w.proxy.id, w.coordinator.id));
      expect(ids("leader")).toEqual(sorted(w.zrLeader.id, w.coordinator.id, w.leader.id));
      expect(heard("red")[0]).toMatchObject({ link: `/meetings/actions/${id}`, title: expect.stringContaining("出具用地预审意见") });
      const total = count("notifications");
      // One more sweep much later changes nothing.
      now = shanghai("2026-04-30", "10:00");
      await h.sweep();
      expect(count("notifications")).toBe(total);
      expect(db().get<{ n: number }>(sql`select count(*) as n from escalations where action_item_id = ${id}`).n).toBe(3);
    },
    60_000,
  );
});
