/**
 * Administration of departments and users (issue 10) through the pages' own
 * loaders and actions, signed in with a real session cookie, against each
 * test's own SQLite file: what an administrator sees and what the people they
 * manage can then do (sign in, change a one-time password, use a token).
 */
import { and, eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { auditLog, departments, users } from "../../db/schema";
import * as directory from "~/services/directory.server";
import { createApiToken } from "~/services/auth.server";
import { createProject } from "~/services/project-creation.server";
import { getDb } from "~/utils/db.server";
import { action as loginAction } from "~/routes/login";
import { loader as appLoader } from "~/routes/_app";
import { loader as projectsLoader } from "~/routes/_app.projects._index";
import { loader as adminLoader } from "~/routes/_app.admin._index";
import { loader as departmentsLoader, action as departmentsAction } from "~/routes/_app.admin.departments";
import { loader as usersLoader, action as usersAction } from "~/routes/_app.admin.users";
import { loader as passwordLoader, action as passwordAction } from "~/routes/account.password";
import { loader as listProjectsApi } from "~/routes/api.v1.projects._index";
import { buildProject, ctxAt, insertEnterprise, insertUser, TEST_PASSWORD, uniqueCredit17, type TestUser } from "../factories";
import { caught } from "../support/app-error";
import { call } from "./api-helpers";

const HAN = /[\u4e00-\u9fff]/;
const URL_BASE = "http://localhost";
const TABLES = ["departments", "users", "api_tokens", "audit_log", "projects"] as const;

function counts() {
  return Object.fromEntries(TABLES.map((t) => [t, getDb().get<{ n: number }>(sql.raw(`select count(*) as n from ${t}`)).n]));
}

// Route modules are called with Remix's argument shape; the tests need request and params only.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type RouteFn = (args: any) => unknown;

async function signIn(login: string, password: string): Promise<{ status: number; location: string | null; cookie: string; error?: string }> {
  const request = new Request(`${URL_BASE}/login`, { method: "POST", body: new URLSearchParams({ login, password }) });
  const res = (await loginAction({ request, params: {}, context: {} })) as unknown;
  if (res instanceof Response) {
    return { status: res.status, location: res.headers.get("Location"), cookie: (res.headers.get("Set-Cookie") ?? "").split(";")[0] };
  }
  const d = res as { data: { error: string }; init: { status: number } };
  return { status: d.init.status, location: null, cookie: "", error: d.data.error };
}

async function cookieFor(user: { login: string }, password = TEST_PASSWORD): Promise<string> {
  const r = await signIn(user.login, password);
  expect(r.status).toBe(302);
  return r.cookie;
}

/** A loader's data, or the Response it threw (redirect, 403). */
async function load(fn: RouteFn, path: string, cookie: string): Promise<{ data?: unknown; thrown?: Response }> {
  try {
    return { data: await fn({ request: new Request(URL_BASE + path, { headers: { Cookie: cookie } }), params: {}, context: {} }) };
  } catch (e) {
    if (e instanceof Response) return { thrown: e };
    throw e;
  }
}

interface Answer {
  ok: boolean;
  message: string;
  itemKey: string;
  fields?: Record<string, string>;
  secret?: { login: string; password: string; created: boolean } | null;
  values?: Record<string, string> | null;
}

/** Posts a form to a page action the way a browser without JavaScript does; answers its status, payload and headers. */
async function post(fn: RouteFn, path: string, cookie: string, fields: Record<string, string>): Promise<{ status: number; body: Answer; headers: Headers }> {
  const request = new Request(URL_BASE + path, { method: "POST", body: new URLSearchParams(fields), headers: { Cookie: cookie } });
  const res = (await fn({ request, params: {}, context: {} })) as { data: Answer; init: ResponseInit | null };
  return { status: res.init?.status ?? 200, body: res.data, headers: new Headers(res.init?.headers) };
}

/** A refusal as the page shows it: the status, a Chinese message, and the same message next to `field`. */
function expectRefusal(r: { status: number; body: Answer }, status: number, field: string, includes?: string) {
  expect({ status: r.status, ok: r.body.ok }).toEqual({ status, ok: false });
  expect(r.body.message).toMatch(HAN);
  expect(r.body.fields?.[field], `message next to «${field}»`).toMatch(HAN);
  if (includes) expect(r.body.fields![field]).toContain(includes);
}

const deptId = (code: string) => getDb().select().from(departments).where(eq(departments.code, code)).get()!.id;
const userRow = (id: number) => getDb().select().from(users).where(eq(users.id, id)).get()!;
const userByLogin = (login: string) => getDb().select().from(users).where(eq(users.login, login)).get();
const auditActions = () => getDb().select({ action: auditLog.action, entityId: auditLog.entityId, detail: auditLog.detail }).from(auditLog).all();

let admin: TestUser;
let adminCookie: string;

beforeEach(async () => {
  admin = await insertUser({ role: "admin" });
  adminCookie = await cookieFor(admin);
});

// ---------------------------------------------------------------- departments

describe("/admin/departments", () => {
  type DeptPage = { departments: directory.DepartmentView[] };
  const page = async () => (await load(departmentsLoader, "/admin/departments", adminCookie)).data as DeptPage;
  const row = async (code: string) => (await page()).departments.find((d) => d.code === code)!;

  it("lists the shipped catalogue and creates a department, audited", async () => {
    const before = await page();
    expect(before.departments.map((d) => d.code)).toEqual(expect.arrayContaining(["发改", "住建", "消防"]));
    expect(before.departments.find((d) => d.code === "消防")).toMatchObject({ levelLabel: "市", vertical: true, active: true, leader: null, staff: 0, openItems: 0 });

    const r = await post(departmentsAction, "/admin/departments", adminCookie, {
      intent: "create",
      itemKey: "create",
      code: "交通",
      name: "市交通运输局",
      level: "county",
      vertical: "on",
      contactName: "王五",
      contactPhone: "0571-87001234",
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, message: "已新增部门「交通」", itemKey: "create" });
    expect(await row("交通")).toMatchObject({ name: "市交通运输局", level: "county", levelLabel: "县", vertical: true, active: true, contactName: "王五", contactPhone: "0571-87001234" });
    const audit = auditActions().filter((a) => a.action === "department.create");
    expect(audit).toHaveLength(1);
    expect(audit[0].entityId).toBe(deptId("交通"));
  });

  it("refuses a duplicate code, a blank or over-long field, a bad level or phone: 422 next to the field, nothing written", async () => {
    const good = { intent: "create", itemKey: "create", code: "交通", name: "市交通运输局", level: "city" };
    const before = counts();
    const cases: [Record<string, string>, string, string?][] = [
      [{ code: "发改" }, "code", "部门简称「发改」已存在"],
      [{ code: "" }, "code", "请填写部门简称"],
      [{ code: "一二三四五六七八九十一二三四五六七八九十一" }, "code", "不超过 20"],
      [{ code: "交 通" }, "code", "空格"],
      [{ name: "   " }, "name", "请填写部门名称"],
      [{ level: "galaxy" }, "level", "请选择部门层级"],
      [{ contactPhone: "call me" }, "contactPhone", "联系电话格式不正确"],
    ];
    for (const [patch, field, text] of cases) {
      const r = await post(departmentsAction, "/admin/departments", adminCookie, { ...good, ...patch });
      expectRefusal(r, 422, field, text);
      // What was typed comes back, so the form is not emptied.
      expect(r.body.values?.code).toBe(patch.code ?? "交通");
    }
    expect(counts()).toEqual(before);
  });

  it("edits name, level, 垂直管理 and contact, and names one leader among the department's active clerks", async () => {
    const a = await insertUser({ role: "dept", department: "发改" });
    const b = await insertUser({ role: "dept", department: "发改", departmentLeader: true });
    const gone = await insertUser({ role: "dept", department: "发改" });
    getDb().update(users).set({ active: false }).where(eq(users.id, gone.id)).run();
    const elsewhere = await insertUser({ role: "dept", department: "住建" });
    const proxyThere = await insertUser({ role: "proxy" });
    const id = String(deptId("发改"));
    const edit = { intent: "update", id, itemKey: `dept-${id}`, name: "市发展改革委", level: "city", vertical: "on", contactName: "李四", contactPhone: "0571-1234567" };

    const r = await post(departmentsAction, `/admin/departments?edit=${id}`, adminCookie, { ...edit, leaderUserId: String(a.id) });
    expect(r.body).toMatchObject({ ok: true, message: "已保存部门信息" });
    const d = await row("发改");
    expect(d).toMatchObject({ name: "市发展改革委", vertical: true, contactName: "李四", contactPhone: "0571-1234567", staff: 2 });
    expect(d.leader?.id).toBe(a.id);
    // The contact staff are the department's other active clerks; the escalation code reads the flag.
    expect(d.contacts.map((c) => c.id)).toEqual([b.id]);
    expect([userRow(a.id).isDepartmentLeader, userRow(b.id).isDepartmentLeader]).toEqual([true, false]);

    // Unticked checkbox → not vertical; no leader chosen → nobody leads.
    expect((await post(departmentsAction, "/admin/departments", adminCookie, { ...edit, vertical: "", leaderUserId: "" })).body.ok).toBe(true);
    expect(await row("发改")).toMatchObject({ vertical: false, leader: null });
    expect(userRow(a.id).isDepartmentLeader).toBe(false);

    const before = counts();
    for (const who of [gone.id, elsewhere.id, proxyThere.id, 999999]) {
      expectRefusal(await post(departmentsAction, "/admin/departments", adminCookie, { ...edit, leaderUserId: String(who) }), 422, "leaderUserId", "负责人须为本部门启用的部门经办人");
    }
    expectRefusal(await post(departmentsAction, "/admin/departments", adminCookie, { ...edit, name: "" }), 422, "name");
    expect(counts()).toEqual(before);
    expect(auditActions().filter((x) => x.action === "department.update")).toHaveLength(2);
  });

  it("never changes a department's code: templates refer to it", async () => {
    const id = String(deptId("住建"));
    const before = counts();
    const r = await post(departmentsAction, "/admin/departments", adminCookie, { intent: "update", id, code: "建设", name: "市住建局", level: "city" });
    expectRefusal(r, 422, "code", "不能修改");
    expect(counts()).toEqual(before);
    expect(await row("住建")).toMatchObject({ name: "市住房和城乡建设局" });
  });

  it("deactivates and reactivates: recorded, not offered for new users, templates naming it refused for new projects", async () => {
    const proxy = await insertUser({ role: "proxy" });
    const id = String(deptId("住建"));
    const off = await post(departmentsAction, "/admin/departments", adminCookie, { intent: "deactivate", id, itemKey: `dept-${id}` });
    expect(off.body.ok).toBe(true);
    expect(off.body.message).toContain("引用它的模板在重新启用前不能用于新建项目");
    expect(await row("住建")).toMatchObject({ active: false });
    expect(auditActions().filter((a) => a.action === "department.deactivate")).toEqual([expect.objectContaining({ entityId: Number(id) })]);

    // Not offered, and refused, for a new user.
    const form = (await load(usersLoader, "/admin/users", adminCookie)).data as { choices: ReturnType<typeof directory.userFormChoices> };
    expect(form.choices.departments.map((d) => d.code)).not.toContain("住建");
    const before = counts();
    const u = await post(usersAction, "/admin/users", adminCookie, { intent: "create", itemKey: "create", login: "jian.she", displayName: "建设", role: "dept", departmentId: id });
    expectRefusal(u, 422, "departmentId", "已停用");
    // general-industrial names 住建: a new project from it is refused with the reason, not a 500.
    const e = caught(() => createProject(ctxAt("2026-03-02"), proxy, buildProject()));
    expect(e.status).toBe(422);
    expect(e.message).toContain("住建");
    expect(counts()).toEqual(before);
    expect((await post(departmentsAction, "/admin/departments", adminCookie, { intent: "deactivate", id })).status).toBe(409);

    const on = await post(departmentsAction, "/admin/departments", adminCookie, { intent: "reactivate", id });
    expect(on.body).toMatchObject({ ok: true, message: "已重新启用部门「住建」" });
    expect(createProject(ctxAt("2026-03-02"), proxy, buildProject()).id).toBeGreaterThan(0);
    expect(auditActions().filter((a) => a.action === "department.reactivate")).toHaveLength(1);
  });

  it("has no delete path: no such action, no such service", async () => {
    const id = String(deptId("发改"));
    const before = counts();
    const r = await post(departmentsAction, "/admin/departments", adminCookie, { intent: "delete", id });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(HAN);
    expect(counts()).toEqual(before);
    expect(Object.keys(directory).filter((k) => /delete|remove|destroy/i.test(k))).toEqual([]);
  });

  it("is for administrators only: the page answers 403 and the services refuse", async () => {
    const proxy = await insertUser({ role: "proxy" });
    const cookie = await cookieFor(proxy);
    expect((await load(departmentsLoader, "/admin/departments", cookie)).thrown?.status).toBe(403);
    const request = new Request(`${URL_BASE}/admin/departments`, { method: "POST", body: new URLSearchParams({ intent: "create", code: "X", name: "X", level: "city" }), headers: { Cookie: cookie } });
    await expect(departmentsAction({ request, params: {}, context: {} })).rejects.toMatchObject({ status: 403 });
    expect(caught(() => directory.createDepartment(ctxAt("2026-03-02"), proxy, { code: "X", name: "X", level: "city" })).status).toBe(403);
    expect(caught(() => directory.listDepartments(ctxAt("2026-03-02"), proxy)).status).toBe(403);
  });
});

// ---------------------------------------------------------------- users

describe("/admin/users", () => {
  type UsersPage = { users: directory.UserView[]; choices: ReturnType<typeof directory.userFormChoices> };
  const page = async (query = "") => (await load(usersLoader, `/admin/users${query}`, adminCookie)).data as UsersPage;
  const create = (fields: Record<string, string>) => post(usersAction, "/admin/users", adminCookie, { intent: "create", itemKey: "create", ...fields });

  it("creates a user with a one-time password shown once; only its hash is kept", async () => {
    const r = await create({ login: "zhang.san", displayName: "张三", role: "dept", departmentId: String(deptId("发改")), email: "zhangsan@example.cn", phone: "13800000000" });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, message: "已创建用户「zhang.san」" });
    const otp = r.body.secret!.password;
    expect(r.body.secret).toMatchObject({ login: "zhang.san", created: true });
    expect(otp).toMatch(/^[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){3}$/);
    expect(r.headers.get("Cache-Control")).toBe("no-store");

    const row = userByLogin("zhang.san")!;
    expect(row).toMatchObject({ displayName: "张三", role: "dept", departmentId: deptId("发改"), email: "zhangsan@example.cn", phone: "13800000000", active: true, mustChangePassword: true });
    expect(row.passwordHash).toMatch(/^scrypt\$/);
    // The clear password is nowhere in the database, not even in the audit row.
    const everything = JSON.stringify(getDb().all(sql`select * from users`)) + JSON.stringify(getDb().all(sql`select * from audit_log`));
    expect(everything).not.toContain(otp);
    expect(auditActions().filter((a) => a.action === "user.create")).toEqual([expect.objectContaining({ entityId: row.id })]);

    // The page afterwards lists the user, marked as waiting for their own password, and never shows the password again.
    const after = await page();
    expect(after.users.find((u) => u.login === "zhang.san")).toMatchObject({ roleLabel: "部门经办人", departmentName: "市发展和改革委员会", mustChangePassword: true });
    expect(JSON.stringify(after)).not.toContain(otp);
    // Two users created at once get different passwords.
    expect((await create({ login: "li.si", displayName: "李四", role: "proxy" })).body.secret!.password).not.toBe(otp);
  });

  it("sends a user with a one-time password to /account/password from every page until they choose their own", async () => {
    const r = await create({ login: "wang.wu", displayName: "王五", role: "dept", departmentId: String(deptId("住建")) });
    const otp = r.body.secret!.password;
    const signedIn = await signIn("wang.wu", otp);
    expect(signedIn.status).toBe(302);
    const cookie = signedIn.cookie;

    for (const [fn, path] of [[appLoader, "/queue"], [projectsLoader, "/projects"]] as const) {
      const res = await load(fn, path, cookie);
      expect(res.thrown?.status).toBe(302);
      expect(res.thrown?.headers.get("Location")).toBe("/account/password");
    }
    expect((await load(passwordLoader, "/account/password", cookie)).data).toMatchObject({ login: "wang.wu", mustChange: true, home: "/queue" });

    const before = counts();
    const change = (fields: Record<string, string>) => post(passwordAction, "/account/password", cookie, { intent: "change", ...fields });
    expectRefusal(await change({ password: "short", confirm: "short" }), 422, "password", "密码至少 10 个字符");
    expectRefusal(await change({ password: "a-long-password", confirm: "another-password" }), 422, "confirm", "不一致");
    expectRefusal(await change({ password: otp, confirm: otp }), 422, "password", "新密码不能与一次性密码相同");
    expect(counts()).toEqual(before);
    expect(userByLogin("wang.wu")!.mustChangePassword).toBe(true);

    // Success redirects to the role's own page, and every page opens again.
    const done = await (async () => {
      const request = new Request(`${URL_BASE}/account/password`, { method: "POST", body: new URLSearchParams({ intent: "change", password: "wangwu-2026!", confirm: "wangwu-2026!" }), headers: { Cookie: cookie } });
      try {
        await passwordAction({ request, params: {}, context: {} });
      } catch (e) {
        if (e instanceof Response) return e;
        throw e;
      }
      throw new Error("expected a redirect");
    })();
    expect(done.status).toBe(302);
    expect(done.headers.get("Location")).toBe("/queue");
    expect(userByLogin("wang.wu")!.mustChangePassword).toBe(false);
    expect((await load(appLoader, "/queue", cookie)).data).toMatchObject({ user: { login: "wang.wu", mustChangePassword: false } });
    expect(auditActions().filter((a) => a.action === "user.passwordChanged")).toHaveLength(1);

    // The one-time password is spent; the chosen one works.
    expect((await signIn("wang.wu", otp)).status).toBe(401);
    expect((await signIn("wang.wu", "wangwu-2026!")).location).toBe("/queue");
  });

  it("leaves users who hold their own password alone: sign-in lands by role, pages open", async () => {
    const proxy = await insertUser({ role: "proxy" });
    const r = await signIn(proxy.login, TEST_PASSWORD);
    expect(r.location).toBe("/projects");
    expect((await load(projectsLoader, "/projects", r.cookie)).thrown).toBeUndefined();
    // Changing one's own password voluntarily asks for the current one.
    const wrong = await post(passwordAction, "/account/password", r.cookie, { intent: "change", current: "nope", password: "brand-new-pass", confirm: "brand-new-pass" });
    expectRefusal(wrong, 422, "current", "当前密码不正确");
  });

  it("refuses each bad input with a Chinese message next to its field, writing nothing", async () => {
    await insertUser({ role: "proxy", login: "taken" });
    const enterpriseId = String(insertEnterprise("江城测试装备有限公司", uniqueCredit17()));
    const fagai = String(deptId("发改"));
    const ok = { login: "new.user", displayName: "新用户", role: "proxy" };
    const before = counts();
    const cases: [Record<string, string>, string, string][] = [
      [{ login: "a" }, "login", "2–64 位"],
      [{ login: "有中文" }, "login", "2–64 位"],
      [{ login: "taken" }, "login", "登录名「taken」已被使用"],
      [{ displayName: "" }, "displayName", "请填写姓名"],
      [{ role: "" }, "role", "请选择角色"],
      [{ role: "superuser" }, "role", "请选择角色"],
      [{ role: "integration" }, "role", "系统对接"],
      [{ role: "dept" }, "departmentId", "部门经办人须选择所属部门"],
      [{ role: "dept", departmentId: "999999" }, "departmentId", "所选部门不存在"],
      [{ role: "dept", departmentId: "abc" }, "departmentId", "请选择所属部门"],
      [{ departmentId: fagai }, "departmentId", "只有部门经办人可以选择所属部门"],
      [{ role: "enterprise" }, "enterpriseId", "企业联系人须选择所属企业"],
      [{ role: "enterprise", enterpriseId: "999999" }, "enterpriseId", "所选企业不存在"],
      [{ enterpriseId }, "enterpriseId", "只有企业联系人可以选择所属企业"],
      [{ email: "not-an-email" }, "email", "邮箱格式不正确"],
      [{ phone: "phone!" }, "phone", "联系电话格式不正确"],
    ];
    for (const [patch, field, text] of cases) expectRefusal(await create({ ...ok, ...patch }), 422, field, text);
    expect(counts()).toEqual(before);
  });

  it("attaches an enterprise contact to an enterprise found by name or 统一社会信用代码", async () => {
    const credit17 = uniqueCredit17();
    const mine = insertEnterprise("江城精密机械有限公司", credit17);
    insertEnterprise("海港物流有限公司", uniqueCredit17());
    expect((await page("?eq=精密")).choices.enterprises.map((e) => e.id)).toEqual([mine]);
    expect((await page(`?eq=${credit17.slice(8)}`)).choices.enterprises.map((e) => e.id)).toEqual([mine]);
    expect((await page()).choices.enterprises).toHaveLength(2);

    const r = await create({ login: "qiye", displayName: "企业联系人", role: "enterprise", enterpriseId: String(mine) });
    expect(r.body.ok).toBe(true);
    expect((await page("?q=qiye")).users).toEqual([expect.objectContaining({ login: "qiye", enterpriseName: "江城精密机械有限公司", departmentName: null })]);
  });

  it("filters by role, state and a search in login and name", async () => {
    await insertUser({ role: "dept", department: "发改", login: "clerk-a" });
    const b = await insertUser({ role: "dept", department: "住建", login: "clerk-b" });
    await insertUser({ role: "leader", login: "boss" });
    getDb().update(users).set({ active: false, displayName: "离职的经办人" }).where(eq(users.id, b.id)).run();
    const logins = async (q: string) => (await page(q)).users.map((u) => u.login).sort();
    expect(await logins("?role=dept")).toEqual(["clerk-a", "clerk-b"]);
    expect(await logins("?role=dept&active=1")).toEqual(["clerk-a"]);
    expect(await logins("?active=0")).toEqual(["clerk-b"]);
    expect(await logins("?q=离职")).toEqual(["clerk-b"]);
    expect(await logins("?q=BOSS")).toEqual(["boss"]);
    // A filter value the page never offers is ignored, not a 500.
    expect((await logins("?role=galaxy&active=maybe")).length).toBe(4);
  });

  it("keeps the last active administrator: no deactivation, no role change, not even of oneself (409)", async () => {
    const id = String(admin.id);
    const before = counts();
    const off = await post(usersAction, "/admin/users", adminCookie, { intent: "deactivate", id, itemKey: `user-${id}` });
    expect(off.status).toBe(409);
    expect(off.body.message).toContain("至少需要保留一名启用的系统管理员");
    const demote = await post(usersAction, "/admin/users", adminCookie, { intent: "update", id, displayName: "管理员", role: "proxy" });
    expectRefusal(demote, 409, "role", "至少需要保留一名启用的系统管理员");
    expect(counts()).toEqual(before);
    expect(userRow(admin.id)).toMatchObject({ role: "admin", active: true });

    // With a second administrator the first may go; then the second is the last one.
    const second = await insertUser({ role: "admin" });
    expect((await post(usersAction, "/admin/users", adminCookie, { intent: "update", id, displayName: "前管理员", role: "coordinator" })).body.ok).toBe(true);
    expect(userRow(admin.id).role).toBe("coordinator");
    const secondCookie = await cookieFor(second);
    expect((await post(usersAction, "/admin/users", secondCookie, { intent: "deactivate", id: String(second.id) })).status).toBe(409);
    // An inactive administrator does not count as the one kept.
    const third = await insertUser({ role: "admin" });
    getDb().update(users).set({ active: false }).where(eq(users.id, third.id)).run();
    expect((await post(usersAction, "/admin/users", secondCookie, { intent: "deactivate", id: String(second.id) })).status).toBe(409);
    expect((await post(usersAction, "/admin/users", secondCookie, { intent: "reactivate", id: String(third.id) })).body.ok).toBe(true);
    expect((await post(usersAction, "/admin/users", secondCookie, { intent: "deactivate", id: String(second.id) })).body.ok).toBe(true);
  });

  it("a deactivated user cannot sign in, their session ends and their API token answers 401; reactivated, all work again", async () => {
    const proxy = await insertUser({ role: "proxy" });
    const session = await cookieFor(proxy);
    const token = createApiToken(getDb(), proxy.login, "脚本");
    expect((await call(listProjectsApi, "/api/v1/projects", { token })).status).toBe(200);

    const id = String(proxy.id);
    const r = await post(usersAction, "/admin/users", adminCookie, { intent: "deactivate", id, itemKey: `user-${id}` });
    expect(r.body).toMatchObject({ ok: true, message: `已停用「${proxy.login}」：不能再登录，其 API 令牌同时失效` });
    expect(await signIn(proxy.login, TEST_PASSWORD)).toMatchObject({ status: 401, error: "用户名或密码不正确" });
    const api = await call(listProjectsApi, "/api/v1/projects", { token });
    expect({ status: api.status, code: api.body.error.code }).toEqual({ status: 401, code: "unauthorized" });
    expect((await load(projectsLoader, "/projects", session)).thrown?.headers.get("Location")).toBe("/login?redirectTo=%2Fprojects");
    expect((await post(usersAction, "/admin/users", adminCookie, { intent: "deactivate", id })).status).toBe(409);

    expect((await post(usersAction, "/admin/users", adminCookie, { intent: "reactivate", id })).body.ok).toBe(true);
    expect((await signIn(proxy.login, TEST_PASSWORD)).status).toBe(302);
    expect((await call(listProjectsApi, "/api/v1/projects", { token })).status).toBe(200);
    // The session that was live at deactivation was revoked, not suspended: it stays out.
    expect((await load(projectsLoader, "/projects", session)).thrown?.headers.get("Location")).toBe("/login?redirectTo=%2Fprojects");
    expect(auditActions().map((a) => a.action)).toEqual(expect.arrayContaining(["user.deactivate", "user.reactivate"]));
  });

  it("resets a password: a new one-time password shown once, the old one stops working, a change is forced", async () => {
    const leader = await insertUser({ role: "leader" });
    const r = await post(usersAction, "/admin/users", adminCookie, { intent: "resetPassword", id: String(leader.id), itemKey: `user-${leader.id}` });
    expect(r.body).toMatchObject({ ok: true, secret: { login: leader.login, created: false } });
    expect(await signIn(leader.login, TEST_PASSWORD)).toMatchObject({ status: 401 });
    const again = await signIn(leader.login, r.body.secret!.password);
    expect(again.status).toBe(302);
    expect((await load(appLoader, "/dashboard", again.cookie)).thrown?.headers.get("Location")).toBe("/account/password");
    expect(JSON.stringify(getDb().all(sql`select * from audit_log`))).not.toContain(r.body.secret!.password);
    expect((await post(usersAction, "/admin/users", adminCookie, { intent: "resetPassword", id: "999999" })).status).toBe(404);
  });

  it("changes role and affiliation; leaving the department ends its leadership", async () => {
    const lead = await insertUser({ role: "dept", department: "发改", departmentLeader: true });
    const id = String(lead.id);
    const base = { intent: "update", id, itemKey: `user-${id}`, displayName: "调岗的负责人" };
    // Still attached to 发改 while becoming a proxy: refused, nothing changes.
    expectRefusal(await post(usersAction, "/admin/users", adminCookie, { ...base, role: "proxy", departmentId: String(deptId("发改")) }), 422, "departmentId");
    expect(userRow(lead.id)).toMatchObject({ role: "dept", isDepartmentLeader: true });
    // Moved to 住建 as a clerk: no longer 发改's leader, and not 住建's either.
    expect((await post(usersAction, "/admin/users", adminCookie, { ...base, role: "dept", departmentId: String(deptId("住建")) })).body.ok).toBe(true);
    expect(userRow(lead.id)).toMatchObject({ role: "dept", departmentId: deptId("住建"), isDepartmentLeader: false, displayName: "调岗的负责人" });
    expect((await post(usersAction, "/admin/users", adminCookie, { ...base, role: "coordinator" })).body.ok).toBe(true);
    expect(userRow(lead.id)).toMatchObject({ role: "coordinator", departmentId: null });
    const audit = auditActions().filter((a) => a.action === "user.update");
    expect(audit).toHaveLength(2);
    expect(JSON.parse(audit[1].detail!)).toMatchObject({ before: { role: "dept" }, after: { role: "coordinator" } });
  });

  it("leaves integration accounts to their own page", async () => {
    const platform = await insertUser({ role: "integration" });
    expect((await page()).users.map((u) => u.id)).not.toContain(platform.id);
    const r = await post(usersAction, "/admin/users", adminCookie, { intent: "resetPassword", id: String(platform.id) });
    expect(r.status).toBe(409);
    expect(r.body.message).toContain("系统对接");
    expect(getDb().select().from(auditLog).where(and(eq(auditLog.entityId, platform.id), eq(auditLog.entityType, "user"))).all()).toEqual([]);
  });
});

describe("/admin overview", () => {
  it("keeps working and summarises departments and users, linking to their pages", async () => {
    await insertUser({ role: "dept", department: "发改" });
    const data = (await load(adminLoader, "/admin", adminCookie)).data as { summary: ReturnType<typeof directory.directorySummary> };
    expect(data.summary.departments.active).toBeGreaterThanOrEqual(13);
    expect(data.summary.users.active).toBe(2);
    expect(data.summary.users.byRole.find((r) => r.role === "dept")?.n).toBe(1);
  });
});
