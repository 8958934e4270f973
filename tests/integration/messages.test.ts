/**
 * 留言 (issue 12; DESIGN §6 v1.1): one thread per project between the enterprise's
 * contacts and the project's proxy officers — both ways, with attachments, notices
 * to the other side through the outbox (working hours), unread counts per user and
 * per project; administrators may read; other staff 403; another enterprise 404.
 */
import { existsSync } from "node:fs";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { notifications, projectMessages, projectProxies, projects, uploads } from "../../db/schema";
import { createApiToken } from "~/services/auth.server";
import { openUpload } from "~/services/materials.server";
import { listMessages, postMessage, unreadMessages, unreadMessagesByProject } from "~/services/messages.server";
import { blobPath } from "~/services/upload-storage.server";
import { loadConfig } from "~/utils/config.server";
import { getDb } from "~/utils/db.server";
import { action as messagesPost, loader as messagesGet } from "~/routes/api.v1.projects.$id.messages";
import { loader as appLoader } from "~/routes/_app";
import { action as officerAction, loader as officerLoader } from "~/routes/_app.projects_.$projectId.messages";
import { action as portalAction, loader as portalLoader } from "~/routes/_app.portal_.projects.$id_.messages";
import { action as loginAction } from "~/routes/login";
import { ctxAt, insertProject, insertUser, TEST_PASSWORD, type TestUser } from "../factories";
import { call, expectApiError } from "./api-helpers";

const db = () => getDb();
const PDF = new TextEncoder().encode("%PDF-1.4\n% 留言附件 test\n%%EOF\n");

async function caughtAsync(fn: () => Promise<unknown>): Promise<{ status: number; fields?: Record<string, string> }> {
  try {
    await fn();
  } catch (e) {
    return e as { status: number; fields?: Record<string, string> };
  }
  throw new Error("expected an error");
}

async function world() {
  const proxy = await insertUser({ role: "proxy" });
  const otherProxy = await insertUser({ role: "proxy" });
  const projectId = insertProject(proxy, { name: "留言测试项目", signedOn: "2026-03-02" });
  const enterpriseId = db().select({ id: projects.enterpriseId }).from(projects).where(eq(projects.id, projectId)).get()!.id;
  const contact = await insertUser({ role: "enterprise", enterpriseId, email: "contact@example.test" });
  const contact2 = await insertUser({ role: "enterprise", enterpriseId });
  const otherProjectId = insertProject(otherProxy, { name: "别家项目", signedOn: "2026-03-02" });
  const otherEnterpriseId = db().select({ id: projects.enterpriseId }).from(projects).where(eq(projects.id, otherProjectId)).get()!.id;
  const other = await insertUser({ role: "enterprise", enterpriseId: otherEnterpriseId });
  const dept = await insertUser({ role: "dept", department: "发改" });
  const coordinator = await insertUser({ role: "coordinator" });
  const leader = await insertUser({ role: "leader" });
  const admin = await insertUser({ role: "admin" });
  return { proxy, otherProxy, contact, contact2, other, dept, coordinator, leader, admin, projectId, otherProjectId };
}

describe("the project thread (service)", () => {
  it("runs both ways, tells the other side through the outbox in working hours, and counts unread per user and project", async () => {
    const w = await world();
    // Tue 2026-03-03 21:00: after hours, so the notice waits for the next working morning.
    const evening = ctxAt("2026-03-03", "21:00");
    const m1 = await postMessage(evening, w.contact, w.projectId, { body: "  请问用地预审材料还缺什么？  " });
    expect(m1).toMatchObject({ body: "请问用地预审材料还缺什么？", role: "enterprise", mine: true, attachment: null });
    const toProxy = db().select().from(notifications).where(and(eq(notifications.userId, w.proxy.id), eq(notifications.kind, "message"))).all();
    expect(toProxy).toHaveLength(1);
    expect(toProxy[0]).toMatchObject({ link: `/projects/${w.projectId}/messages`, title: "【留言】留言测试项目" });
    expect(toProxy[0].deliverAfter).toBeGreaterThan(evening.now.getTime());
    // Only the project's proxy officers hear of it; the other contact is the same side.
    expect(db().select().from(notifications).where(eq(notifications.userId, w.otherProxy.id)).all()).toHaveLength(0);
    expect(db().select().from(notifications).where(eq(notifications.userId, w.contact2.id)).all()).toHaveLength(0);

    expect(unreadMessages(db(), w.proxy)).toBe(1);
    expect(unreadMessagesByProject(db(), w.proxy).get(w.projectId)).toBe(1);
    expect(unreadMessages(db(), w.contact)).toBe(0);
    // A colleague's message was addressed to the officers, not to the other contact.
    expect(unreadMessages(db(), w.contact2)).toBe(0);

    const seen = listMessages(ctxAt("2026-03-04"), w.proxy, w.projectId);
    expect(seen.canWrite).toBe(true);
    expect(seen.messages.map((m) => m.body)).toEqual(["请问用地预审材料还缺什么？"]);
    expect(unreadMessages(db(), w.proxy)).toBe(0);

    const m2 = await postMessage(ctxAt("2026-03-04"), w.proxy, w.projectId, { body: "还缺规划选址论证报告，请上传。" });
    expect(m2.role).toBe("proxy");
    // Both enterprise contacts are told, and each has one unread.
    const toContacts = db().select().from(notifications).where(eq(notifications.kind, "message")).all().filter((n) => n.userId !== w.proxy.id);
    expect(toContacts.map((n) => n.userId).sort()).toEqual([w.contact.id, w.contact2.id].sort());
    expect(toContacts.every((n) => n.link === `/portal/projects/${w.projectId}/messages`)).toBe(true);
    expect(toContacts.find((n) => n.userId === w.contact.id)!.emailStatus).toBe("pending");
    expect(unreadMessages(db(), w.contact)).toBe(1);
    expect(unreadMessages(db(), w.contact2)).toBe(1);
    const thread = listMessages(ctxAt("2026-03-04"), w.contact, w.projectId).messages;
    expect(thread.map((m) => [m.role, m.mine])).toEqual([["enterprise", true], ["proxy", false]]);
    expect(unreadMessages(db(), w.contact)).toBe(0);
    expect(unreadMessages(db(), w.contact2)).toBe(1);
  });

  it("stores an attachment as a project upload under the material checks, downloadable by the parties only", async () => {
    const w = await world();
    const m = await postMessage(ctxAt("2026-03-03"), w.contact, w.projectId, { body: "论证报告见附件" }, { name: "选址论证报告.pdf", type: "application/pdf", bytes: PDF });
    expect(m.attachment).toMatchObject({ name: "选址论证报告.pdf", size: PDF.byteLength });
    const up = db().select().from(uploads).where(eq(uploads.id, m.attachment!.id)).get()!;
    expect(up).toMatchObject({ projectId: w.projectId, mimeType: "application/pdf", uploadedByUserId: w.contact.id });
    expect(existsSync(blobPath(loadConfig().uploadDir, up.sha256))).toBe(true);
    expect(openUpload(ctxAt("2026-03-03"), w.proxy, up.id).originalName).toBe("选址论证报告.pdf");
    expect(() => openUpload(ctxAt("2026-03-03"), w.other, up.id)).toThrow(/不存在/);
    // A refused type writes nothing: no upload row, no message.
    const bad = await caughtAsync(() => postMessage(ctxAt("2026-03-03"), w.contact, w.projectId, { body: "再发一个" }, { name: "病毒.exe", type: "application/octet-stream", bytes: PDF }));
    expect(bad.status).toBe(422);
    expect(bad.fields?.file).toBeTruthy();
    expect(db().select().from(projectMessages).all()).toHaveLength(1);
    expect(db().select().from(uploads).where(eq(uploads.projectId, w.projectId)).all()).toHaveLength(1);
  });

  it("refuses an empty or over-long message (422) and writes nothing", async () => {
    const w = await world();
    for (const body of ["", "   ", "字".repeat(2001), undefined, 42]) {
      expect((await caughtAsync(() => postMessage(ctxAt("2026-03-03"), w.contact, w.projectId, { body }))).status).toBe(422);
    }
    expect((await postMessage(ctxAt("2026-03-03"), w.contact, w.projectId, { body: "字".repeat(2000) })).body).toHaveLength(2000);
    expect(db().select().from(projectMessages).all()).toHaveLength(1);
  });

  it("isolation: another enterprise 404; department staff, leaders, coordinators and unassigned officers 403; administrators read only", async () => {
    const w = await world();
    await postMessage(ctxAt("2026-03-03"), w.contact, w.projectId, { body: "你好" });
    expect((await caughtAsync(async () => listMessages(ctxAt("2026-03-03"), w.other, w.projectId))).status).toBe(404);
    expect((await caughtAsync(() => postMessage(ctxAt("2026-03-03"), w.other, w.projectId, { body: "你好" }))).status).toBe(404);
    expect((await caughtAsync(async () => listMessages(ctxAt("2026-03-03"), w.contact, 999999))).status).toBe(404);
    for (const u of [w.coordinator, w.leader, w.otherProxy]) {
      expect((await caughtAsync(async () => listMessages(ctxAt("2026-03-03"), u, w.projectId))).status).toBe(403);
      expect((await caughtAsync(() => postMessage(ctxAt("2026-03-03"), u, w.projectId, { body: "你好" }))).status).toBe(403);
    }
    // 发改 has the project's 备案 item, so its staff see the project but are not party to the thread: 403.
    expect((await caughtAsync(async () => listMessages(ctxAt("2026-03-03"), w.dept, w.projectId))).status).toBe(403);
    expect((await caughtAsync(() => postMessage(ctxAt("2026-03-03"), w.dept, w.projectId, { body: "你好" }))).status).toBe(403);
    const admin = listMessages(ctxAt("2026-03-03"), w.admin, w.projectId);
    expect(admin.canWrite).toBe(false);
    expect(admin.messages).toHaveLength(1);
    expect((await caughtAsync(() => postMessage(ctxAt("2026-03-03"), w.admin, w.projectId, { body: "管理员" }))).status).toBe(403);
    // The proxy's read is not touched by an administrator's look.
    expect(unreadMessages(db(), w.proxy)).toBe(1);
    expect(unreadMessages(db(), w.admin)).toBe(0);
    // Unread counts belong to the parties' own projects only.
    expect(unreadMessages(db(), w.other)).toBe(0);
    expect(unreadMessages(db(), w.otherProxy)).toBe(0);
  });

  it("an officer assigned later sees the whole thread as unread", async () => {
    const w = await world();
    await postMessage(ctxAt("2026-03-03"), w.contact, w.projectId, { body: "第一条" });
    await postMessage(ctxAt("2026-03-03"), w.contact, w.projectId, { body: "第二条" });
    db().insert(projectProxies).values({ projectId: w.projectId, userId: w.otherProxy.id }).run();
    expect(unreadMessages(db(), w.otherProxy)).toBe(2);
  });
});

describe("GET/POST /api/v1/projects/:id/messages", () => {
  const path = (id: number) => `/api/v1/projects/${id}/messages`;

  it("answers the contract's shapes exactly: POST {body} → 201 {id, from, role, body, at}; GET the thread oldest first", async () => {
    const w = await world();
    const tc = createApiToken(db(), w.contact.login);
    const tp = createApiToken(db(), w.proxy.login);
    const params = { id: String(w.projectId) };
    const posted = await call(messagesPost, path(w.projectId), { token: tc, json: { body: "请问进度如何？" }, params });
    expect(posted.status).toBe(201);
    expect(Object.keys(posted.body).sort()).toEqual(["at", "body", "from", "id", "role"]);
    expect(posted.body).toMatchObject({ body: "请问进度如何？", role: "enterprise", from: `测试${w.contact.login}` });
    expect(new Date(posted.body.at).toISOString()).toBe(posted.body.at);
    await call(messagesPost, path(w.projectId), { token: tp, json: { body: "本周内出具意见。" }, params });
    const got = await call(messagesGet, path(w.projectId), { token: tc, params });
    expect(got.status).toBe(200);
    expect(got.body.map((m: { role: string; body: string }) => [m.role, m.body])).toEqual([
      ["enterprise", "请问进度如何？"],
      ["proxy", "本周内出具意见。"],
    ]);
    for (const m of got.body) expect(Object.keys(m).sort()).toEqual(["at", "body", "from", "id", "role"]);
  });

  it("422 for an empty body, 400 for non-JSON, 403 for staff outside the thread, 404 for another enterprise, 401 without a token", async () => {
    const w = await world();
    const params = { id: String(w.projectId) };
    expectApiError(await call(messagesPost, path(w.projectId), { token: createApiToken(db(), w.contact.login), json: { body: " " }, params }), 422, "invalid");
    expectApiError(await call(messagesPost, path(w.projectId), { token: createApiToken(db(), w.contact.login), rawBody: "body=hi", contentType: "application/x-www-form-urlencoded", params }), 400, "bad_request");
    expectApiError(await call(messagesGet, path(w.projectId), { token: createApiToken(db(), w.coordinator.login), params }), 403, "forbidden");
    expectApiError(await call(messagesGet, path(w.projectId), { token: createApiToken(db(), w.dept.login), params }), 403, "forbidden");
    expectApiError(await call(messagesPost, path(w.projectId), { token: createApiToken(db(), w.leader.login), json: { body: "hi" }, params }), 403, "forbidden");
    expectApiError(await call(messagesGet, path(w.projectId), { token: createApiToken(db(), w.other.login), params }), 404, "not_found");
    expectApiError(await call(messagesPost, path(w.projectId), { token: createApiToken(db(), w.other.login), json: { body: "hi" }, params }), 404, "not_found");
    expectApiError(await call(messagesGet, path(999999), { token: createApiToken(db(), w.contact.login), params: { id: "999999" } }), 404, "not_found");
    expect((await call(messagesGet, path(w.projectId), { token: null, params })).status).toBe(401);
    expect(db().select().from(projectMessages).all()).toHaveLength(0);
  });
});

describe("the pages: /projects/:id/messages (officers) and /portal/projects/:id/messages (the enterprise)", () => {
  const URL_BASE = "http://localhost";

  async function cookieOf(u: TestUser): Promise<string> {
    const res = (await loginAction({ request: new Request(`${URL_BASE}/login`, { method: "POST", body: new URLSearchParams({ login: u.login, password: TEST_PASSWORD }) }), params: {}, context: {} })) as Response;
    return (res.headers.get("Set-Cookie") ?? "").split(";")[0];
  }

  async function settle<T>(p: Promise<T>): Promise<T | Response> {
    try {
      return await p;
    } catch (e) {
      if (e instanceof Response) return e;
      throw e;
    }
  }

  type Answer = { data: { ok: boolean; message: string; body?: string; fields?: Record<string, string> }; init: { status: number } | null };

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- route functions are called with Remix's args shape
  async function send(route: (args: any) => Promise<unknown>, url: string, params: Record<string, string>, cookie: string, fields: { body: string; file?: File }) {
    const fd = new FormData();
    fd.set("intent", "message");
    fd.set("body", fields.body);
    // An empty file input still sends its part, as browsers do.
    fd.set("file", fields.file ?? new File([], "", { type: "application/octet-stream" }));
    const res = (await route({ request: new Request(URL_BASE + url, { method: "POST", body: fd, headers: { Cookie: cookie } }), params, context: {} })) as Answer;
    return { status: res.init?.status ?? 200, ...res.data };
  }

  it("the contact sends from the portal with a file, the officer's header counts it, the officer reads and answers", async () => {
    const w = await world();
    const contact = await cookieOf(w.contact);
    const proxy = await cookieOf(w.proxy);
    const portalUrl = `/portal/projects/${w.projectId}/messages`;
    const sent = await send(portalAction, portalUrl, { id: String(w.projectId) }, contact, { body: "材料已上传，请查收", file: new File([PDF], "补正材料.pdf", { type: "application/pdf" }) });
    expect(sent).toMatchObject({ status: 200, ok: true });
    const header = (await appLoader({ request: new Request(`${URL_BASE}/projects`, { headers: { Cookie: proxy } }), params: {}, context: {} })) as { unreadThreads: number };
    expect(header.unreadThreads).toBe(1);
    const page = (await officerLoader({ request: new Request(`${URL_BASE}/projects/${w.projectId}/messages`, { headers: { Cookie: proxy } }), params: { projectId: String(w.projectId) }, context: {} })) as {
      canWrite: boolean;
      messages: { body: string; atText: string; attachment: { name: string } | null }[];
    };
    expect(page.canWrite).toBe(true);
    expect(page.messages).toHaveLength(1);
    expect(page.messages[0]).toMatchObject({ body: "材料已上传，请查收", attachment: { name: "补正材料.pdf" } });
    expect(page.messages[0].atText).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    const after = (await appLoader({ request: new Request(`${URL_BASE}/projects`, { headers: { Cookie: proxy } }), params: {}, context: {} })) as { unreadThreads: number };
    expect(after.unreadThreads).toBe(0);
    const reply = await send(officerAction, `/projects/${w.projectId}/messages`, { projectId: String(w.projectId) }, proxy, { body: "收到，今天核验" });
    expect(reply).toMatchObject({ status: 200, ok: true });
    const portal = (await portalLoader({ request: new Request(URL_BASE + portalUrl, { headers: { Cookie: contact } }), params: { id: String(w.projectId) }, context: {} })) as { messages: { body: string; mine: boolean }[] };
    expect(portal.messages.map((m) => [m.body, m.mine])).toEqual([
      ["材料已上传，请查收", true],
      ["收到，今天核验", false],
    ]);
  });

  it("a refusal hands the text back beside the field; another enterprise's thread is a 404 page, a coordinator's a 403", async () => {
    const w = await world();
    const contact = await cookieOf(w.contact);
    const refused = await send(portalAction, `/portal/projects/${w.projectId}/messages`, { id: String(w.projectId) }, contact, { body: "附件不对", file: new File([PDF], "x.exe", { type: "application/octet-stream" }) });
    expect(refused).toMatchObject({ status: 422, ok: false, body: "附件不对" });
    expect(refused.fields?.file).toBeTruthy();
    const other = await settle(portalLoader({ request: new Request(`${URL_BASE}/portal/projects/${w.projectId}/messages`, { headers: { Cookie: await cookieOf(w.other) } }), params: { id: String(w.projectId) }, context: {} }));
    expect((other as Response).status).toBe(404);
    const coord = await settle(officerLoader({ request: new Request(`${URL_BASE}/projects/${w.projectId}/messages`, { headers: { Cookie: await cookieOf(w.coordinator) } }), params: { projectId: String(w.projectId) }, context: {} }));
    expect((coord as Response).status).toBe(403);
    const otherPost = await send(portalAction, `/portal/projects/${w.projectId}/messages`, { id: String(w.projectId) }, await cookieOf(w.other), { body: "试试" });
    expect(otherPost.status).toBe(404);
    expect(db().select().from(projectMessages).all()).toHaveLength(0);
  });
});
