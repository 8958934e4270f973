/**
 * Integration accounts (DESIGN §3 `integration`, issue 10): created and given
 * tokens on /admin/integrations, refused on /login, audited on every API call;
 * and GET /api/v1/departments (DESIGN §6 v1.1). Pages are called through their
 * loaders and actions with a real session, the API in-process with real tokens.
 */
import { createHash } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { apiTokens, auditLog, departments, users } from "../../db/schema";
import { createApiToken } from "~/services/auth.server";
import type { IntegrationAccountView } from "~/services/directory.server";
import { getDb } from "~/utils/db.server";
import { action as loginAction } from "~/routes/login";
import { loader as integrationsLoader, action as integrationsAction } from "~/routes/_app.admin.integrations";
import { loader as departmentsApi, action as departmentsApiPost } from "~/routes/api.v1.departments";
import { loader as listProjectsApi, action as createProjectApi } from "~/routes/api.v1.projects._index";
import { action as postEvent } from "~/routes/api.v1.projects.$id.items.$key.events";
import { buildProject, insertEnterprise, insertProject, insertUser, TEST_PASSWORD, uniqueCredit17, type TestUser } from "../factories";
import { call, expectApiError } from "./api-helpers";

const HAN = /[\u4e00-\u9fff]/;
const URL_BASE = "http://localhost";

function counts() {
  return Object.fromEntries(["users", "api_tokens", "audit_log"].map((t) => [t, getDb().get<{ n: number }>(sql.raw(`select count(*) as n from ${t}`)).n]));
}

async function signIn(login: string, password: string) {
  const request = new Request(`${URL_BASE}/login`, { method: "POST", body: new URLSearchParams({ login, password }) });
  const res = (await loginAction({ request, params: {}, context: {} })) as unknown;
  if (res instanceof Response) return { status: res.status, cookie: (res.headers.get("Set-Cookie") ?? "").split(";")[0], error: undefined };
  const d = res as { data: { error: string }; init: { status: number } };
  return { status: d.init.status, cookie: "", error: d.data.error };
}

interface Answer {
  ok: boolean;
  message: string;
  fields?: Record<string, string>;
  issued?: { login: string; label: string; token: string } | null;
}

let admin: TestUser;
let cookie: string;

async function post(fields: Record<string, string>) {
  const request = new Request(`${URL_BASE}/admin/integrations`, { method: "POST", body: new URLSearchParams(fields), headers: { Cookie: cookie } });
  const res = (await integrationsAction({ request, params: {}, context: {} })) as { data: Answer; init: ResponseInit | null };
  return { status: res.init?.status ?? 200, body: res.data, headers: new Headers(res.init?.headers) };
}

async function accounts(): Promise<IntegrationAccountView[]> {
  const request = new Request(`${URL_BASE}/admin/integrations`, { headers: { Cookie: cookie } });
  return ((await integrationsLoader({ request, params: {}, context: {} })) as { accounts: IntegrationAccountView[] }).accounts;
}

async function createAccount(login = "province", displayName = "省投资项目在线审批监管平台"): Promise<number> {
  const r = await post({ intent: "create", itemKey: "create", login, displayName });
  expect(r.body.ok).toBe(true);
  return getDb().select().from(users).where(eq(users.login, login)).get()!.id;
}

async function issue(accountId: number, label = "生产环境"): Promise<string> {
  const r = await post({ intent: "issueToken", id: String(accountId), itemKey: `account-${accountId}`, label });
  expect(r.body.ok).toBe(true);
  return r.body.issued!.token;
}

const apiCalls = (userId: number) =>
  getDb()
    .select({ detail: auditLog.detail })
    .from(auditLog)
    .where(and(eq(auditLog.action, "api.call"), eq(auditLog.actorUserId, userId)))
    .orderBy(auditLog.id)
    .all()
    .map((r) => JSON.parse(r.detail!) as { method: string; path: string; status: number });

beforeEach(async () => {
  admin = await insertUser({ role: "admin" });
  const r = await signIn(admin.login, TEST_PASSWORD);
  cookie = r.cookie;
});

describe("integration accounts on /admin/integrations", () => {
  it("creates an account that can never sign in on a page", async () => {
    const id = await createAccount();
    const row = getDb().select().from(users).where(eq(users.id, id)).get()!;
    expect(row).toMatchObject({ role: "integration", displayName: "省投资项目在线审批监管平台", active: true });
    expect(row.passwordHash).not.toMatch(/^scrypt\$/);
    expect(await accounts()).toEqual([expect.objectContaining({ id, login: "province", active: true, tokens: [] })]);
    expect(getDb().select().from(auditLog).where(eq(auditLog.action, "integration.create")).all()).toHaveLength(1);

    // Whatever is typed, even the stored hash itself, the answer says why.
    for (const password of ["anything", TEST_PASSWORD, row.passwordHash]) {
      expect(await signIn("province", password)).toMatchObject({ status: 401, error: "系统对接账号只能通过 API 令牌访问" });
    }
  });

  it("refuses a taken login, a bad login or a blank name: 422 next to the field, nothing written", async () => {
    await createAccount("province");
    const before = counts();
    for (const [fields, field] of [
      [{ login: "province", displayName: "另一个平台" }, "login"],
      [{ login: admin.login, displayName: "另一个平台" }, "login"],
      [{ login: "省平台", displayName: "另一个平台" }, "login"],
      [{ login: "city", displayName: " " }, "displayName"],
    ] as const) {
      const r = await post({ intent: "create", itemKey: "create", ...fields });
      expect({ status: r.status, ok: r.body.ok }).toEqual({ status: 422, ok: false });
      expect(r.body.fields?.[field]).toMatch(HAN);
    }
    expect(counts()).toEqual(before);
  });

  it("issues a token shown once and stored as its sha256; lists it; a revoked token answers 401", async () => {
    const id = await createAccount();
    const r = await post({ intent: "issueToken", id: String(id), itemKey: `account-${id}`, label: "生产环境" });
    expect(r.body).toMatchObject({ ok: true, issued: { login: "province", label: "生产环境" } });
    expect(r.headers.get("Cache-Control")).toBe("no-store");
    const token = r.body.issued!.token;
    const stored = getDb().select().from(apiTokens).where(eq(apiTokens.userId, id)).all();
    expect(stored).toEqual([expect.objectContaining({ label: "生产环境", tokenHash: createHash("sha256").update(token).digest("hex"), revokedAt: null, lastUsedAt: null })]);
    // Nowhere in clear: not in the tokens table, not in the audit, not on the page afterwards.
    expect(JSON.stringify(getDb().all(sql`select * from api_tokens`)) + JSON.stringify(getDb().all(sql`select * from audit_log`))).not.toContain(token);
    expect(JSON.stringify(await accounts())).not.toContain(token);

    expect((await call(departmentsApi, "/api/v1/departments", { token })).status).toBe(200);
    const [listed] = (await accounts())[0].tokens;
    expect(listed).toMatchObject({ id: stored[0].id, label: "生产环境", revokedAt: null });
    expect(listed.lastUsedAt).toEqual(expect.any(Number));

    const revoke = await post({ intent: "revokeToken", tokenId: String(stored[0].id), itemKey: `account-${id}` });
    expect(revoke.body).toMatchObject({ ok: true, message: "已吊销令牌「生产环境」：使用它的调用将被拒绝（401）" });
    expectApiError(await call(departmentsApi, "/api/v1/departments", { token }), 401, "unauthorized", "访问令牌无效或已吊销");
    expect((await accounts())[0].tokens[0].revokedAt).toEqual(expect.any(Number));
    expect((await post({ intent: "revokeToken", tokenId: String(stored[0].id) })).status).toBe(409);
    expect(getDb().select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.entityType, "apiToken")).all().map((a) => a.action)).toEqual(["apiToken.issue", "apiToken.revoke"]);
  });

  it("refuses a token without a label, for an unknown account or a person's account, writing nothing", async () => {
    const id = await createAccount();
    const proxy = await insertUser({ role: "proxy" });
    const personal = createApiToken(getDb(), proxy.login);
    const before = counts();
    const blank = await post({ intent: "issueToken", id: String(id), itemKey: `account-${id}`, label: "  " });
    expect({ status: blank.status, field: blank.body.fields?.label }).toEqual({ status: 422, field: "请填写令牌用途" });
    expect((await post({ intent: "issueToken", id: "999999", label: "x" })).status).toBe(404);
    expect((await post({ intent: "issueToken", id: String(proxy.id), label: "x" })).status).toBe(404);
    // A person's token is not this page's to revoke.
    const personalId = getDb().select().from(apiTokens).where(eq(apiTokens.userId, proxy.id)).get()!.id;
    expect((await post({ intent: "revokeToken", tokenId: String(personalId) })).status).toBe(404);
    expect(counts()).toEqual(before);
    expect((await call(listProjectsApi, "/api/v1/projects", { token: personal })).status).toBe(200);
  });

  it("deactivating the account stops all its tokens and issuing new ones; reactivating restores the unrevoked ones", async () => {
    const id = await createAccount();
    const token = await issue(id);
    expect((await post({ intent: "deactivate", id: String(id), itemKey: `account-${id}` })).body.ok).toBe(true);
    expectApiError(await call(departmentsApi, "/api/v1/departments", { token }), 401, "unauthorized");
    const r = await post({ intent: "issueToken", id: String(id), label: "新令牌" });
    expect(r.status).toBe(409);
    expect(r.body.message).toContain("已停用");
    expect((await post({ intent: "reactivate", id: String(id) })).body.ok).toBe(true);
    expect((await call(departmentsApi, "/api/v1/departments", { token })).status).toBe(200);
  });

  it("is for administrators only", async () => {
    const coordinator = await insertUser({ role: "coordinator" });
    const c = (await signIn(coordinator.login, TEST_PASSWORD)).cookie;
    await expect(integrationsLoader({ request: new Request(`${URL_BASE}/admin/integrations`, { headers: { Cookie: c } }), params: {}, context: {} })).rejects.toMatchObject({ status: 403 });
  });
});

describe("the API as an integration account", () => {
  // filing (发改) → 开工; no materials, so 受理 needs none checked first.
  const template = {
    key: "integration-test",
    version: 1,
    name: "对接测试",
    items: [
      { key: "filing", name: "企业投资项目备案", kind: "approval", department: "发改", stage: 1, statutoryLimit: 5, promisedLimit: 3, materials: [] },
      { key: "start", name: "开工", kind: "milestone", stage: 3 },
    ],
    dependencies: [{ from: "filing", to: "start" }],
  };

  it("creates a project and records 申报 then 受理 on another proxy's project; every call is audited with its outcome", async () => {
    const platformId = await createAccount();
    const token = await issue(platformId);

    const created = await call(createProjectApi, "/api/v1/projects", { token, json: buildProject() });
    expect(created.status).toBe(201);
    expect(created.body.id).toEqual(expect.any(Number));

    const proxy = await insertUser({ role: "proxy" });
    const theirs = insertProject(proxy, { templateKey: undefined, template, signedOn: "2026-09-01", targetStartOn: "2026-12-31" });
    const events = `/api/v1/projects/${theirs}/items/filing/events`;
    const params = { id: String(theirs), key: "filing" };
    const submitted = await call(postEvent, events, { token, params, json: { type: "submit", on: "2026-09-29" } });
    expect(submitted.status).toBe(200);
    expect(submitted.body).toMatchObject({ status: "submitted" });
    const accepted = await call(postEvent, events, { token, params, json: { type: "accept", on: "2026-09-30", note: "省平台同步受理" } });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ status: "running", acceptedOn: "2026-09-30" });
    // A refusal is audited too, with its status.
    const again = await call(postEvent, events, { token, params, json: { type: "accept", on: "2026-09-30" } });
    expect(again.status).toBe(409);
    const unknown = await call(postEvent, `/api/v1/projects/${theirs}/items/nope/events`, { token, params: { id: String(theirs), key: "nope" }, json: { type: "accept", on: "2026-09-30" } });
    expect(unknown.status).toBe(404);

    expect(apiCalls(platformId)).toEqual([
      { method: "POST", path: "/api/v1/projects", status: 201 },
      { method: "POST", path: events, status: 200 },
      { method: "POST", path: events, status: 200 },
      { method: "POST", path: events, status: 409 },
      { method: "POST", path: `/api/v1/projects/${theirs}/items/nope/events`, status: 404 },
    ]);
  });

  it("audits nothing for other roles' calls, nor for a call with a revoked token (no account to name)", async () => {
    const proxy = await insertUser({ role: "proxy" });
    const personal = createApiToken(getDb(), proxy.login);
    expect((await call(listProjectsApi, "/api/v1/projects", { token: personal })).status).toBe(200);
    expect((await call(createProjectApi, "/api/v1/projects", { token: personal, json: buildProject() })).status).toBe(201);
    expect(getDb().select().from(auditLog).where(eq(auditLog.action, "api.call")).all()).toEqual([]);

    const platformId = await createAccount();
    const token = await issue(platformId);
    const tokenId = getDb().select().from(apiTokens).where(eq(apiTokens.userId, platformId)).get()!.id;
    await post({ intent: "revokeToken", tokenId: String(tokenId) });
    expect((await call(listProjectsApi, "/api/v1/projects", { token })).status).toBe(401);
    expect(apiCalls(platformId)).toEqual([]);
  });
});

describe("GET /api/v1/departments", () => {
  it("answers the active departments to any staff role", async () => {
    const entId = insertEnterprise("江城测试装备有限公司", uniqueCredit17());
    getDb().update(departments).set({ active: false }).where(eq(departments.code, "人防")).run();
    const expected = getDb()
      .select({ code: departments.code, name: departments.name, level: departments.level })
      .from(departments)
      .where(eq(departments.active, true))
      .orderBy(departments.id)
      .all();
    expect(expected.length).toBeGreaterThanOrEqual(12);
    for (const role of ["admin", "proxy", "dept", "coordinator", "leader", "integration"] as const) {
      const u = await insertUser({ role, department: role === "dept" ? "发改" : undefined });
      const r = await call(departmentsApi, "/api/v1/departments", { token: createApiToken(getDb(), u.login) });
      expect({ role, status: r.status }).toEqual({ role, status: 200 });
      expect(r.body).toEqual(expected);
    }
    expect(expected.map((d) => d.code)).not.toContain("人防");
    expect(expected.find((d) => d.code === "发改")).toEqual({ code: "发改", name: "市发展和改革委员会", level: "city" });

    const contact = await insertUser({ role: "enterprise", enterpriseId: entId });
    expectApiError(await call(departmentsApi, "/api/v1/departments", { token: createApiToken(getDb(), contact.login) }), 403, "forbidden");
    expectApiError(await call(departmentsApi, "/api/v1/departments"), 401, "unauthorized");
    expect((await departmentsApiPost()).status).toBe(405);
  });
});
