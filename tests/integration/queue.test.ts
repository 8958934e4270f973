/**
 * The department queue (/queue, issue 12): what a 部门经办人 sees — the department's submitted
 * items with their §32 acceptance countdown and its open items, most urgent first, filtered by
 * project, stage and status — and what they do there: 受理 (容缺 when the ledger shows materials
 * missing), 要求补正, 办结, through the queue route's action with a real session cookie, the
 * row's version guarding against stale forms; and 首问负责 (the first clerk to act is the handler).
 *
 * general-industrial: 企业投资项目备案 (filing, 发改, promised 1 WD, three materials) and
 * 固定资产投资项目节能审查 (energy-review, 发改, promised 10 WD) are 发改's; 施工图联合审查 (joint-drawing-review)
 * is 住建's. March 2026 has no holiday: working days are Mon–Fri.
 */
import { and, asc, eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { auditLog, clockEvents, items } from "../../db/schema";
import { shanghaiDay, shanghaiToday } from "~/domain/calendar";
import { recordItemEvent } from "~/services/items.server";
import { getProjectDocument } from "~/services/project-document.server";
import { loadProjectPage } from "~/services/project-page.server";
import { listDepartmentQueue } from "~/services/queue.server";
import { getCalendar } from "~/services/time-rules.server";
import { getDb } from "~/utils/db.server";
import { action as queueAction, loader as queueLoader } from "~/routes/_app.queue";
import { action as loginAction } from "~/routes/login";
import { ctxAt, insertProject, insertUser, receiveMaterials, TEST_PASSWORD, type TestUser } from "../factories";
import { caught } from "../support/app-error";

const FILING_MATERIALS = ["项目备案申请表", "营业执照", "授权委托书"];

let proxy: TestUser;
let staff: TestUser; // 发改
let colleague: TestUser; // 发改 too
let zj: TestUser; // 住建

beforeEach(async () => {
  proxy = await insertUser({ role: "proxy" });
  staff = await insertUser({ role: "dept", department: "发改" });
  colleague = await insertUser({ role: "dept", department: "发改" });
  zj = await insertUser({ role: "dept", department: "住建" });
});

const db = () => getDb();
const itemOf = (projectId: number, key: string) => db().select().from(items).where(and(eq(items.projectId, projectId), eq(items.key, key))).get()!;
const eventCount = (projectId: number) => db().get<{ n: number }>(sql`select count(*) as n from clock_events e join items i on i.id = e.item_id where i.project_id = ${projectId}`).n;

/**
 * Two projects signed Mon 03-02. A: filing accepted 03-02 (due Tue 03-03, red on 03-04) and
 * energy-review submitted Tue 03-03 (acceptance due Tue 03-10). B: energy-review accepted 03-02
 * (due Mon 03-16) and filing accepted 03-02 then sent back for 补正 on 03-03 (paused). A's
 * 施工图联合审查 runs for 住建.
 */
function twoProjects() {
  const a = insertProject(proxy, { name: "甲项目", signedOn: "2026-03-02" });
  const b = insertProject(proxy, { name: "乙项目", signedOn: "2026-03-02" });
  receiveMaterials(a);
  receiveMaterials(b);
  const on = (day: string) => ctxAt(day);
  recordItemEvent(on("2026-03-02"), proxy, a, "filing", { type: "accept", on: "2026-03-02" });
  recordItemEvent(on("2026-03-03"), proxy, a, "energy-review", { type: "submit", on: "2026-03-03" });
  recordItemEvent(on("2026-03-02"), proxy, a, "joint-drawing-review", { type: "accept", on: "2026-03-02" });
  recordItemEvent(on("2026-03-02"), proxy, b, "energy-review", { type: "accept", on: "2026-03-02" });
  recordItemEvent(on("2026-03-02"), proxy, b, "filing", { type: "accept", on: "2026-03-02" });
  recordItemEvent(on("2026-03-03"), proxy, b, "filing", { type: "request_correction", on: "2026-03-03", missingMaterials: ["营业执照"] });
  return { a, b };
}

describe("listing", () => {
  it("lists the department's submitted and open items only, most urgent first, with countdowns and what may be done", () => {
    const { a, b } = twoProjects();
    const q = listDepartmentQueue(ctxAt("2026-03-04"), staff);
    expect(q.rows.map((r) => `${r.projectName}/${r.key}`)).toEqual(["甲项目/filing", "甲项目/energy-review", "乙项目/energy-review", "乙项目/filing"]);
    const [overdue, submitted, running, paused] = q.rows;
    expect(overdue).toMatchObject({ projectId: a, status: "running", dueOn: "2026-03-03", remainingWorkingDays: -1, warning: "red", stage: 1, itemKind: "approval" });
    // The §32 window: submitted Tue 03-03, to be accepted by Tue 03-10 — 03-05, 03-06, 03-09, 03-10 left.
    expect(submitted).toMatchObject({
      projectId: a,
      status: "submitted",
      submittedOn: "2026-03-03",
      acceptanceDueOn: "2026-03-10",
      dueOn: "2026-03-10",
      remainingWorkingDays: 4,
      warning: "none",
    });
    expect(running).toMatchObject({ projectId: b, status: "running", dueOn: "2026-03-16", remainingWorkingDays: 8 });
    expect(paused).toMatchObject({ projectId: b, status: "correction", paused: true });
    // The department's own decisions only: 申报, 撤回 and 免办 are the applicant's.
    expect(submitted.allowed).toEqual(["accept", "request_correction"]);
    expect(overdue.allowed).toEqual(["request_correction", "start_special", "suspend", "approve", "reject"]);
    expect(paused.allowed).toEqual(["receive_correction"]);
    expect(submitted.materials).toEqual(expect.arrayContaining([{ name: "节能报告", status: "verified" }]));
    expect(overdue.version).toBe(itemOf(a, "filing").version);
    // Nobody from the department has acted yet: the proxy officer's entries name no handler.
    expect(q.rows.every((r) => r.handlerName === null)).toBe(true);
    expect(q.entries.map((e) => e.kind)).toEqual(["item", "item", "item", "item"]);

    // 住建 sees its own item and none of 发改's.
    expect(listDepartmentQueue(ctxAt("2026-03-04"), zj).rows.map((r) => `${r.projectId}/${r.key}`)).toEqual([`${a}/joint-drawing-review`]);
    // Only department staff have a queue.
    expect(caught(() => listDepartmentQueue(ctxAt("2026-03-04"), proxy)).status).toBe(403);
  });

  it("filters by project, stage and status; unknown values show everything; the options come from the unfiltered queue", () => {
    const { a, b } = twoProjects();
    const list = (filter: Record<string, string>) => listDepartmentQueue(ctxAt("2026-03-04"), staff, filter);
    const keys = (filter: Record<string, string>) => list(filter).entries.map((e) => (e.kind === "item" ? `${e.projectId}/${e.key}` : `action-${e.id}`));
    expect(keys({ project: String(b) })).toEqual([`${b}/energy-review`, `${b}/filing`]);
    expect(keys({ status: "submitted" })).toEqual([`${a}/energy-review`]);
    expect(keys({ project: String(a), status: "running" })).toEqual([`${a}/filing`]);
    expect(keys({ stage: "1" })).toHaveLength(4);
    expect(keys({ stage: "4" })).toEqual([]);
    expect(list({ project: "999999", stage: "9", status: "approved" }).filter).toEqual({ project: "", stage: "", status: "" });
    expect(keys({ project: "999999", stage: "9", status: "approved" })).toHaveLength(4);
    const q = list({ status: "submitted" });
    expect(q.filter).toEqual({ project: "", stage: "", status: "submitted" });
    expect(q.options.projects).toEqual([
      { id: a, name: "甲项目" },
      { id: b, name: "乙项目" },
    ]);
    expect(q.options.stages.map((s) => s.label)).toEqual(["立项用地规划许可", "工程建设许可", "施工许可", "竣工验收"]);
    expect(q.options.statuses).toEqual(["submitted", "running", "correction", "special", "suspended"]);
  });
});

// ---------------------------------------------------------------- acting from the queue

/** Signs in through the login page and returns the session cookie, as a browser would hold it. */
async function cookieOf(user: TestUser): Promise<string> {
  const res = (await loginAction({
    request: new Request("http://localhost/login", { method: "POST", body: new URLSearchParams({ login: user.login, password: TEST_PASSWORD }) }),
    params: {},
    context: {},
  })) as Response;
  const cookie = (res.headers.get("Set-Cookie") ?? "").split(";")[0];
  expect(cookie).toMatch(/=/);
  return cookie;
}

interface Answer {
  data: { ok: boolean; message: string; itemKey: string; fields?: Record<string, string> };
  init: { status: number };
}

/** Posts the queue row's form as the browser sends it (page actions record on the real today). */
async function post(cookie: string, fields: [string, string][]): Promise<Answer> {
  const body = new URLSearchParams([["intent", "event"], ...fields]);
  const request = new Request("http://localhost/queue", { method: "POST", body, headers: { Cookie: cookie } });
  return (await queueAction({ request, params: {}, context: {} })) as unknown as Answer;
}

async function load(cookie: string, query = "") {
  return queueLoader({ request: new Request(`http://localhost/queue${query}`, { headers: { Cookie: cookie } }), params: {}, context: {} });
}

describe("a long queue", () => {
  it("shows the most urgent 100 entries a page, counts the whole queue, and the next page holds the rest", async () => {
    const today = shanghaiToday(new Date());
    for (let n = 0; n < 101; n++) {
      const p = insertProject(proxy, { name: `长队列项目${n}`, signedOn: "2026-03-02" });
      recordItemEvent(ctxAt(today), proxy, p, "filing", { type: "submit", on: today });
    }
    const cookie = await cookieOf(staff);
    const whole = listDepartmentQueue(ctxAt(today), staff).entries.length;
    expect(whole).toBeGreaterThanOrEqual(101);
    const first = await load(cookie);
    expect(first.entries).toHaveLength(100);
    expect(first.totals.entries).toBe(whole);
    const second = await load(cookie, "?page=2");
    expect(second.entries).toHaveLength(whole - 100);
    const ref = (e: (typeof first.entries)[number]) => (e.kind === "item" ? `${e.projectId}/${e.key}` : `action-${e.id}`);
    expect(second.entries.map(ref).filter((r) => first.entries.map(ref).includes(r))).toEqual([]);
    // Page 1 is the head of the one most-urgent-first list.
    expect(first.entries.map(ref)).toEqual(listDepartmentQueue(ctxAt(today), staff).entries.slice(0, 100).map(ref));
  });
});

describe("acting from the queue", () => {
  const today = shanghaiToday(new Date());
  const nextWorkingDay = () => {
    const cal = getCalendar(getDb());
    return cal.format(cal.addWorkingDays(shanghaiDay(new Date()), 1));
  };

  it("受理 with materials missing is refused with the message until they are declared 容缺 with a 补齐 date; the actor becomes the handler", async () => {
    const p = insertProject(proxy, { name: "受理测试项目", signedOn: "2026-03-02" });
    recordItemEvent(ctxAt(today), proxy, p, "filing", { type: "submit", on: today });
    const cookie = await cookieOf(staff);
    const before = await load(cookie, "?status=submitted");
    const row = before.rows.find((r) => r.projectId === p && r.key === "filing")!;
    expect(row).toMatchObject({ status: "submitted", allowed: ["accept", "request_correction"], handlerName: null });
    expect(row.materials.filter((m) => m.status === "missing").map((m) => m.name)).toEqual(FILING_MATERIALS);
    expect(before.today).toBe(today);

    const ref = `${p}/filing`;
    const base: [string, string][] = [["itemKey", ref], ["type", "accept"], ["on", today], ["version", String(row.version)]];
    const refused = await post(cookie, base);
    expect(refused.init.status).toBe(422);
    expect(refused.data).toMatchObject({
      ok: false,
      itemKey: ref,
      message: `尚缺申报材料：${FILING_MATERIALS.join("、")}。请勾选为容缺材料并填写补齐日期后受理，或收齐材料后再受理`,
      fields: { deferredMaterials: expect.any(String) },
    });
    expect(eventCount(p)).toBe(1);

    // What the row's form sends: the pre-checked 容缺 boxes and a 补齐 date (filing is due the next working day).
    const due = nextWorkingDay();
    const taken = await post(cookie, [...base, ...FILING_MATERIALS.map((n): [string, string] => ["deferredMaterials", n]), ["commitmentOn", due]]);
    expect(taken.init.status).toBe(200);
    expect(taken.data).toMatchObject({ ok: true, itemKey: ref, message: "「企业投资项目备案」已记录，当前状态：办理中" });
    expect(itemOf(p, "filing")).toMatchObject({ status: "running", acceptedOn: today, commitmentOn: due, handlerUserId: staff.id });

    // The list the page shows next: the row is running, its handler named.
    const after = (await load(cookie)).rows.find((r) => r.projectId === p && r.key === "filing")!;
    expect(after).toMatchObject({ status: "running", handlerName: `测试${staff.login}` });
    // Everyone else sees the change: the project page's item panel and the API item name the handler.
    expect(loadProjectPage(ctxAt(today), proxy, p, "filing").selected!.handlerName).toBe(`测试${staff.login}`);
    expect(getProjectDocument(ctxAt(today), proxy, p).items.find((i) => i.key === "filing")).toMatchObject({ status: "running", handler: `测试${staff.login}` });
  });

  it("a stale version answers the conflict message and writes nothing", async () => {
    const p = insertProject(proxy, { name: "并发测试项目", signedOn: "2026-03-02" });
    receiveMaterials(p);
    recordItemEvent(ctxAt(today), proxy, p, "filing", { type: "submit", on: today });
    const cookie = await cookieOf(staff);
    const seen = itemOf(p, "filing").version;
    // A colleague accepts first, from their own screen.
    recordItemEvent(ctxAt(today), colleague, p, "filing", { type: "accept", on: today });
    const stale = await post(cookie, [["itemKey", `${p}/filing`], ["type", "request_correction"], ["on", today], ["version", String(seen)]]);
    expect(stale.init.status).toBe(409);
    expect(stale.data).toMatchObject({ ok: false, itemKey: `${p}/filing`, message: "该事项已被他人更新，请刷新页面后再操作" });
    expect(itemOf(p, "filing")).toMatchObject({ status: "running", handlerUserId: colleague.id });
    expect(eventCount(p)).toBe(2);
  });

  it("要求补正 records the chosen materials and the note", async () => {
    const p = insertProject(proxy, { name: "补正测试项目", signedOn: "2026-03-02" });
    receiveMaterials(p);
    recordItemEvent(ctxAt(today), proxy, p, "energy-review", { type: "submit", on: today });
    const cookie = await cookieOf(staff);
    const version = itemOf(p, "energy-review").version;
    const r = await post(cookie, [
      ["itemKey", `${p}/energy-review`],
      ["type", "request_correction"],
      ["on", today],
      ["version", String(version)],
      ["note", "节能报告缺能耗计算"],
      ["missingMaterials", "节能报告"],
      ["missingMaterials", "节能审查申请表"],
    ]);
    expect(r.init.status).toBe(200);
    expect(r.data.message).toBe("「固定资产投资项目节能审查」已记录，当前状态：补正中");
    const ev = db().select().from(clockEvents).where(eq(clockEvents.itemId, itemOf(p, "energy-review").id)).orderBy(asc(clockEvents.id)).all().at(-1)!;
    expect(ev).toMatchObject({ type: "request_correction", on: today, note: "节能报告缺能耗计算", actorUserId: staff.id });
    expect(JSON.parse(ev.detail!)).toEqual({ missingMaterials: ["节能报告", "节能审查申请表"] });
    // Paused now: the row waits for the correction.
    expect((await load(cookie)).rows.find((r) => r.projectId === p && r.key === "energy-review")).toMatchObject({ status: "correction", paused: true, allowed: ["receive_correction"] });
  });

  it("办结 by a colleague keeps the first clerk as handler, logs it against them, and the item leaves the queue", async () => {
    const p = insertProject(proxy, { name: "办结测试项目", signedOn: "2026-03-02" });
    receiveMaterials(p);
    const first = await cookieOf(staff);
    const second = await cookieOf(colleague);
    const ref = `${p}/filing`;
    // Not yet applied for: the department starts it itself (受理 on the window), materials all in.
    expect((await post(first, [["itemKey", ref], ["type", "accept"], ["on", today], ["version", String(itemOf(p, "filing").version)]])).data.ok).toBe(true);
    const approved = await post(second, [["itemKey", ref], ["type", "approve"], ["on", today], ["version", String(itemOf(p, "filing").version)]]);
    expect(approved.init.status).toBe(200);
    expect(approved.data.message).toBe("「企业投资项目备案」已记录，当前状态：已办结");
    expect(itemOf(p, "filing")).toMatchObject({ status: "approved", decidedOn: today, handlerUserId: staff.id });
    const audit = db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityType, "item"), eq(auditLog.entityId, itemOf(p, "filing").id)))
      .orderBy(asc(auditLog.id))
      .all()
      .map((a) => [a.action, a.actorUserId, JSON.parse(a.detail!).handlerUserId]);
    expect(audit).toEqual([
      ["item.accept", staff.id, staff.id],
      ["item.approve", colleague.id, staff.id],
    ]);
    expect((await load(second)).rows.map((r) => `${r.projectId}/${r.key}`)).not.toContain(ref);
  });

  it("another department's item is 403 and a proxy officer's entries make no handler", async () => {
    const p = insertProject(proxy, { name: "越权测试项目", signedOn: "2026-03-02" });
    receiveMaterials(p);
    recordItemEvent(ctxAt(today), proxy, p, "filing", { type: "submit", on: today });
    expect(itemOf(p, "filing").handlerUserId).toBeNull();
    const r = await post(await cookieOf(zj), [["itemKey", `${p}/filing`], ["type", "accept"], ["on", today], ["version", String(itemOf(p, "filing").version)]]);
    expect(r.init.status).toBe(403);
    expect(r.data).toMatchObject({ ok: false, itemKey: `${p}/filing`, message: expect.stringContaining("您无权办理此事项") });
    expect(itemOf(p, "filing")).toMatchObject({ status: "submitted", handlerUserId: null });
    // A malformed row reference is refused before anything is looked up.
    expect((await post(await cookieOf(staff), [["itemKey", "filing"], ["type", "accept"], ["on", today]])).init.status).toBe(422);
  });
});
