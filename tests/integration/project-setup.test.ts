/**
 * Project intake (/projects/new), proxy assignment, timetable changes (page and
 * PATCH /api/v1/projects/:id) and closing projects (issue 10), through the real
 * route modules with a signed-in session, against a fresh SQLite file per test.
 */
import { eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { escalations, items, projectProxies, projects, timetableChanges } from "../../db/schema";
import { action as newProjectAction, loader as newProjectLoader } from "~/routes/_app.projects.new";
import { action as projectAction, loader as projectLoader } from "~/routes/_app.projects.$projectId";
import { loader as listLoader } from "~/routes/_app.projects._index";
import { action as loginAction } from "~/routes/login";
import { action as patchProject, loader as getProject } from "~/routes/api.v1.projects.$id._index";
import { createApiToken } from "~/services/auth.server";
import { recordItemEvent } from "~/services/items.server";
import { projectTimeline } from "~/services/logs.server";
import { shanghaiToday } from "~/domain/calendar";
import { getDb } from "~/utils/db.server";
import { call } from "./api-helpers";
import { creditCode, ctxAt, insertEnterprise, insertProject, insertUser, receiveMaterials, TEST_PASSWORD, uniqueCredit17, type TestUser } from "../factories";

async function cookieFor(user: TestUser): Promise<string> {
  const res = (await loginAction({
    request: new Request("http://localhost/login", { method: "POST", body: new URLSearchParams({ login: user.login, password: TEST_PASSWORD }) }),
    params: {},
    context: {},
  })) as Response;
  return (res.headers.get("Set-Cookie") ?? "").split(";")[0];
}

type Answer = { data: { ok: boolean; message: string; fields: Record<string, string>; intent?: string }; init: { status: number } };

async function post(fn: (args: never) => unknown, path: string, cookie: string, fields: [string, string][], params: Record<string, string> = {}) {
  const request = new Request(`http://localhost${path}`, { method: "POST", body: new URLSearchParams(fields), headers: { Cookie: cookie } });
  try {
    return (await fn({ request, params, context: {} } as never)) as Response | Answer;
  } catch (e) {
    if (e instanceof Response) return e;
    throw e;
  }
}

function counts() {
  const db = getDb();
  const n = (t: string) => db.get<{ n: number }>(sql.raw(`select count(*) as n from ${t}`)).n;
  return { projects: n("projects"), items: n("items"), enterprises: n("enterprises"), proxies: n("project_proxies"), changes: n("timetable_changes"), audit: n("audit_log") };
}

let proxy: TestUser;
let other: TestUser;
let cookie: string;

beforeEach(async () => {
  proxy = await insertUser({ role: "proxy" });
  other = await insertUser({ role: "proxy" });
  cookie = await cookieFor(proxy);
});

describe("project intake at /projects/new", () => {
  const good = (): [string, string][] => [
    ["name", "智能仓储物流中心"],
    ["code", "2026-330100-34-03-000777"],
    ["enterprise.name", "江城仓储有限公司"],
    ["enterprise.creditCode", creditCode(uniqueCredit17())],
    ["investment", "52000"],
    ["industry", "现代物流"],
    ["location", "空港物流园 C 区"],
    ["level", "province"],
    ["templateKey", "general-industrial"],
    ["signedOn", "2026-11-02"],
    ["targetStartOn", "2027-04-30"],
    ["proxyUserIds", String(proxy.id)],
    ["proxyUserIds", String(other.id)],
  ];
  const withField = (name: string, value: string | null) => {
    const rest = good().filter(([k]) => k !== name);
    return value === null ? rest : [...rest, [name, value] as [string, string]];
  };

  it("creates the project from the template, assigns the chosen officers and lands on its page", async () => {
    const res = (await post(newProjectAction, "/projects/new", cookie, good())) as Response;
    expect(res.status).toBe(302);
    const id = Number(res.headers.get("Location")!.match(/^\/projects\/(\d+)$/)![1]);
    const p = getDb().select().from(projects).where(eq(projects.id, id)).get()!;
    expect(p).toMatchObject({ code: "2026-330100-34-03-000777", level: "province", investment: 52000, industry: "现代物流", templateKey: "general-industrial", templateVersion: 1, targetStartOn: "2027-04-30" });
    expect(getDb().select().from(items).where(eq(items.projectId, id)).all().length).toBeGreaterThan(15);
    expect(getDb().select({ u: projectProxies.userId }).from(projectProxies).where(eq(projectProxies.projectId, id)).all().map((r) => r.u).sort()).toEqual([proxy.id, other.id].sort());
    // The page it lands on shows the new project with its computed plan.
    const page = (await projectLoader({ request: new Request(`http://localhost/projects/${id}`, { headers: { Cookie: cookie } }), params: { projectId: String(id) }, context: {} })) as Awaited<ReturnType<typeof projectLoader>>;
    expect(page.view.project.name).toBe("智能仓储物流中心");
    expect(page.view.schedule.forecastStartOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it.each([
    ["name", "", "name", "项目名称"],
    ["code", "2026-3301-34-03-1", "code", "项目代码格式"],
    ["enterprise.creditCode", "91330100MA2H3K5L70", "enterprise.creditCode", "校验位"],
    ["enterprise.creditCode", "91330100", "enterprise.creditCode", "18 位"],
    ["investment", "一百万", "investment", "投资额应为数字"],
    ["investment", "-5", "investment", "不能为负"],
    ["signedOn", "2026-02-30", "signedOn", "签约日期不是有效日期"],
    ["targetStartOn", "2026-10-01", "targetStartOn", "不能早于签约日期"],
    ["templateKey", "no-such-template", "templateKey", "未知模板"],
    ["level", "national", "level", "省重点、市重点或县重点"],
    ["proxyUserIds", null, "proxyUserIds", "至少选择一名代办员"],
  ])("refuses a bad %s (%s) with the message next to the field and writes nothing", async (name, value, field, message) => {
    const before = counts();
    const answer = (await post(newProjectAction, "/projects/new", cookie, withField(name, value))) as Answer;
    expect(answer.init.status).toBe(422);
    expect(answer.data.fields[field]).toContain(message);
    expect(counts()).toEqual(before);
  });

  it("keeps what was typed when it refuses, so nothing has to be entered twice", async () => {
    const answer = (await post(newProjectAction, "/projects/new", cookie, withField("investment", "abc"))) as unknown as { data: { values: Record<string, string> } };
    expect(answer.data.values).toMatchObject({ name: "智能仓储物流中心", "enterprise.name": "江城仓储有限公司", location: "空港物流园 C 区" });
  });

  it("takes an enterprise already registered by its name alone, and refuses a credit code registered to another name", async () => {
    const code = creditCode(uniqueCredit17());
    const enterpriseId = insertEnterprise("江城老字号食品有限公司", code.slice(0, 17));
    const byName: [string, string][] = [...withField("enterprise.creditCode", ""), ["enterprise.name", "江城老字号食品有限公司"]];
    const res = (await post(newProjectAction, "/projects/new", cookie, byName.filter(([k, v]) => !(k === "enterprise.name" && v === "江城仓储有限公司")))) as Response;
    expect(res.status).toBe(302);
    const id = Number(res.headers.get("Location")!.split("/").pop());
    expect(getDb().select().from(projects).where(eq(projects.id, id)).get()!.enterpriseId).toBe(enterpriseId);

    const before = counts();
    const clash = (await post(newProjectAction, "/projects/new", cookie, [...withField("enterprise.creditCode", code), ["code", "2026-330100-34-03-000778"]])) as Answer;
    expect(clash.init.status).toBe(409);
    expect(clash.data.fields["enterprise.creditCode"]).toContain("已登记为「江城老字号食品有限公司」");
    expect(counts()).toEqual(before);
  });

  it("refuses a project code already in use, next to the code", async () => {
    expect(((await post(newProjectAction, "/projects/new", cookie, good())) as Response).status).toBe(302);
    const before = counts();
    const again = (await post(newProjectAction, "/projects/new", cookie, good())) as Answer;
    expect(again.init.status).toBe(409);
    expect(again.data.fields.code).toContain("已存在");
    expect(counts()).toEqual(before);
  });

  it("is not offered to department staff, leaders or enterprises", async () => {
    for (const role of ["dept", "leader", "coordinator"] as const) {
      const user = await insertUser({ role, ...(role === "dept" ? { department: "住建" } : {}) });
      const c = await cookieFor(user);
      const res = (await post(newProjectLoader as never, "/projects/new", c, [])) as Response;
      expect(res.status).toBe(403);
      const posted = (await post(newProjectAction, "/projects/new", c, good())) as Response;
      expect(posted.status).toBe(403);
    }
  });
});

describe("changing the 开工 target", () => {
  let projectId: number;
  beforeEach(() => {
    projectId = insertProject(proxy, { signedOn: "2026-03-02", targetStartOn: "2026-09-30" });
  });
  const at = (p: number) => `/projects/${p}`;

  it("is refused without a reason on the page, and nothing changes", async () => {
    const before = counts();
    const answer = (await post(projectAction, at(projectId), cookie, [["intent", "reschedule"], ["targetStartOn", "2026-10-30"], ["reason", ""]], { projectId: String(projectId) })) as Answer;
    expect(answer.init.status).toBe(422);
    expect(answer.data).toMatchObject({ ok: false, intent: "reschedule", fields: { reason: expect.stringContaining("调整原因") } });
    expect(counts()).toEqual(before);
    expect(getDb().select().from(projects).where(eq(projects.id, projectId)).get()!.targetStartOn).toBe("2026-09-30");
  });

  it("keeps the old and new date, the reason, who and when, on the page and in the 代办日志", async () => {
    const answer = (await post(projectAction, at(projectId), cookie, [["intent", "reschedule"], ["targetStartOn", "2026-10-30"], ["reason", "企业调整设备采购计划"]], { projectId: String(projectId) })) as Answer;
    expect(answer.data.ok).toBe(true);
    const page = (await projectLoader({ request: new Request(`http://localhost${at(projectId)}`, { headers: { Cookie: cookie } }), params: { projectId: String(projectId) }, context: {} })) as Awaited<ReturnType<typeof projectLoader>>;
    expect(page.view.project.targetStartOn).toBe("2026-10-30");
    expect(page.setup.timetableChanges).toEqual([expect.objectContaining({ from: "2026-09-30", to: "2026-10-30", reason: "企业调整设备采购计划", by: `测试${proxy.login}` })]);
    const log = projectTimeline(ctxAt(shanghaiToday(new Date())), proxy, projectId);
    expect(log.find((e) => e.title === "调整计划开工日期")).toMatchObject({ detail: "2026-09-30 → 2026-10-30：企业调整设备采购计划", actorName: `测试${proxy.login}` });
  });

  it("through PATCH /api/v1/projects/:id: 422 without a reason, then the change in timetableChanges", async () => {
    const token = createApiToken(getDb(), proxy.login);
    const path = `/api/v1/projects/${projectId}`;
    const params = { id: String(projectId) };
    const missing = await call(patchProject, path, { method: "PATCH", token, json: { targetStartOn: "2026-11-30" }, params });
    expect(missing.status).toBe(422);
    expect(missing.body.error.message).toContain("调整原因");
    expect(getDb().select().from(timetableChanges).all()).toHaveLength(0);

    const ok = await call(patchProject, path, { method: "PATCH", token, json: { targetStartOn: "2026-11-30", reason: "规划条件调整" }, params });
    expect(ok.status).toBe(200);
    const doc = await call(getProject, path, { token, params });
    expect(doc.body.targetStartOn).toBe("2026-11-30");
    expect(doc.body.timetableChanges).toEqual([{ from: "2026-09-30", to: "2026-11-30", reason: "规划条件调整", by: `测试${proxy.login}`, at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) }]);
  });

  it("is for the assigned officers and administrators only; others' attempts change nothing", async () => {
    const enterprise = await insertUser({ role: "enterprise" });
    const dept = await insertUser({ role: "dept", department: "住建" });
    const admin = await insertUser({ role: "admin" });
    const body = { targetStartOn: "2026-12-30", reason: "测试" };
    const params = { id: String(projectId) };
    const path = `/api/v1/projects/${projectId}`;
    expect((await call(patchProject, path, { method: "PATCH", token: createApiToken(getDb(), other.login), json: body, params })).status).toBe(403);
    expect((await call(patchProject, path, { method: "PATCH", token: createApiToken(getDb(), enterprise.login), json: body, params })).status).toBe(404);
    expect((await call(patchProject, path, { method: "PATCH", token: createApiToken(getDb(), dept.login), json: body, params })).status).toBe(403);
    expect(getDb().select().from(timetableChanges).all()).toHaveLength(0);
    expect((await call(patchProject, path, { method: "PATCH", token: createApiToken(getDb(), admin.login), json: body, params })).status).toBe(200);
  });
});

describe("assigning proxy officers", () => {
  it("lets the assigned officer add a colleague and hand over, logged in the 代办日志", async () => {
    const projectId = insertProject(proxy);
    const params = { projectId: String(projectId) };
    const added = (await post(projectAction, `/projects/${projectId}`, cookie, [["intent", "proxies"], ["proxyUserIds", String(proxy.id)], ["proxyUserIds", String(other.id)]], params)) as Answer;
    expect(added.data).toMatchObject({ ok: true, message: expect.stringContaining(`新增 测试${other.login}`) });
    // The colleague may now act on it; the first officer hands over and loses the right to.
    const otherCookie = await cookieFor(other);
    const handover = (await post(projectAction, `/projects/${projectId}`, otherCookie, [["intent", "proxies"], ["proxyUserIds", String(other.id)]], params)) as Answer;
    expect(handover.data.ok).toBe(true);
    expect(getDb().select({ u: projectProxies.userId }).from(projectProxies).where(eq(projectProxies.projectId, projectId)).all()).toEqual([{ u: other.id }]);
    const refused = (await post(projectAction, `/projects/${projectId}`, cookie, [["intent", "proxies"], ["proxyUserIds", String(proxy.id)]], params)) as Answer;
    expect(refused.init.status).toBe(403);
    const titles = projectTimeline(ctxAt(shanghaiToday(new Date())), other, projectId).filter((e) => e.title === "调整代办员").map((e) => e.detail);
    expect(titles).toEqual(expect.arrayContaining([`新增 测试${other.login}`, `移出 测试${proxy.login}`]));
  });

  it("refuses an empty list and a user who is not an active proxy officer", async () => {
    const projectId = insertProject(proxy);
    const params = { projectId: String(projectId) };
    const leader = await insertUser({ role: "leader" });
    const before = counts();
    const empty = (await post(projectAction, `/projects/${projectId}`, cookie, [["intent", "proxies"]], params)) as Answer;
    expect(empty.init.status).toBe(422);
    expect(empty.data.fields.proxyUserIds).toContain("至少选择一名代办员");
    const wrong = (await post(projectAction, `/projects/${projectId}`, cookie, [["intent", "proxies"], ["proxyUserIds", String(leader.id)]], params)) as Answer;
    expect(wrong.init.status).toBe(422);
    expect(counts()).toEqual(before);
  });
});

describe("closing a project", () => {
  it("withdrawn: live clocks end, pending warnings are dropped, it leaves the working list and stays findable", async () => {
    const projectId = insertProject(proxy, { name: "撤销测试项目", signedOn: "2026-03-02", targetStartOn: "2026-09-30" });
    receiveMaterials(projectId);
    recordItemEvent(ctxAt("2026-03-03"), proxy, projectId, "filing", { type: "accept", on: "2026-03-03" });
    const filingId = getDb().select().from(items).where(sql`${items.projectId} = ${projectId} and ${items.key} = 'filing'`).get()!.id;
    expect(getDb().select().from(escalations).where(sql`${escalations.itemId} = ${filingId} and ${escalations.firedAt} is null`).all().length).toBeGreaterThan(0);

    const params = { projectId: String(projectId) };
    const today = shanghaiToday(new Date());
    const missing = (await post(projectAction, `/projects/${projectId}`, cookie, [["intent", "close"], ["outcome", "withdrawn"], ["on", today], ["reason", ""]], params)) as Answer;
    expect(missing.init.status).toBe(422);
    expect(missing.data.fields.reason).toBeTruthy();

    const closed = (await post(projectAction, `/projects/${projectId}`, cookie, [["intent", "close"], ["outcome", "withdrawn"], ["on", today], ["reason", "企业放弃投资"]], params)) as Answer;
    expect(closed.data.ok).toBe(true);
    expect(getDb().select().from(projects).where(eq(projects.id, projectId)).get()).toMatchObject({ status: "withdrawn", closedOn: today, closeReason: "企业放弃投资" });
    expect(getDb().select().from(items).where(eq(items.id, filingId)).get()!.status).toBe("withdrawn");
    expect(getDb().select().from(escalations).where(sql`${escalations.projectId} = ${projectId} and ${escalations.firedAt} is null`).all()).toEqual([]);

    const list = async (query: string) =>
      ((await listLoader({ request: new Request(`http://localhost/projects${query}`, { headers: { Cookie: cookie } }), params: {}, context: {} })) as Awaited<ReturnType<typeof listLoader>>).projects.map((p) => p.name);
    expect(await list("")).not.toContain("撤销测试项目");
    expect(await list("?status=closed")).toContain("撤销测试项目");
    expect(await list(`?q=${encodeURIComponent("撤销测试")}`)).toContain("撤销测试项目");

    const again = (await post(projectAction, `/projects/${projectId}`, cookie, [["intent", "close"], ["outcome", "started"], ["on", today], ["reason", "再关一次"]], params)) as Answer;
    expect(again.init.status).toBe(409);
    const reschedule = (await post(projectAction, `/projects/${projectId}`, cookie, [["intent", "reschedule"], ["targetStartOn", "2026-12-30"], ["reason", "已撤销仍调整"]], params)) as Answer;
    expect(reschedule.init.status).toBe(409);
  });

  it("开工 recorded: the project is started on that date and later items keep their clocks", async () => {
    const projectId = insertProject(proxy, { signedOn: "2026-03-02", targetStartOn: "2026-09-30" });
    const today = shanghaiToday(new Date());
    const answer = (await post(projectAction, `/projects/${projectId}`, cookie, [["intent", "close"], ["outcome", "started"], ["on", today], ["reason", "施工许可已核发，现场开工"]], { projectId: String(projectId) })) as Answer;
    expect(answer.data.ok).toBe(true);
    expect(getDb().select().from(projects).where(eq(projects.id, projectId)).get()).toMatchObject({ status: "started", closedOn: today });
    const log = projectTimeline(ctxAt(today), proxy, projectId);
    expect(log.find((e) => e.title === "关闭项目")?.detail).toBe(`已开工（${today}）：施工许可已核发，现场开工`);
  });

  it("refuses a date in the future or before signing, and someone not running the project", async () => {
    const projectId = insertProject(proxy, { signedOn: "2026-03-02", targetStartOn: "2026-09-30" });
    const params = { projectId: String(projectId) };
    const strangerCookie = await cookieFor(other);
    const before = counts();
    const future = (await post(projectAction, `/projects/${projectId}`, cookie, [["intent", "close"], ["outcome", "started"], ["on", "2099-01-05"], ["reason", "未来"]], params)) as Answer;
    expect(future.init.status).toBe(422);
    expect(future.data.fields.on).toContain("不能晚于今天");
    const early = (await post(projectAction, `/projects/${projectId}`, cookie, [["intent", "close"], ["outcome", "started"], ["on", "2026-01-05"], ["reason", "太早"]], params)) as Answer;
    expect(early.data.fields.on).toContain("签约日期");
    const stranger = (await post(projectAction, `/projects/${projectId}`, strangerCookie, [["intent", "close"], ["outcome", "withdrawn"], ["on", shanghaiToday(new Date())], ["reason", "不是我的项目"]], params)) as Answer;
    expect(stranger.init.status).toBe(403);
    expect(counts()).toEqual(before);
  });
});

describe("GET /api/v1/projects (DESIGN §6 v1.1)", () => {
  it("lists what the caller may see with forecast 开工, at risk and stalled, closed projects included", async () => {
    const { loader: listApi } = await import("~/routes/api.v1.projects._index");
    // Target before any plausible forecast: at risk. Signed long ago without progress: stalled.
    const late = insertProject(proxy, { name: "开工目标过紧项目", signedOn: "2026-03-02", targetStartOn: "2026-03-20" });
    const token = createApiToken(getDb(), proxy.login);
    const rows = (await call(listApi, "/api/v1/projects", { token })).body as { id: number; name: string; code: string; enterpriseName: string; targetStartOn: string; forecastStartOn: string; atRisk: boolean; stalled: boolean }[];
    const row = rows.find((r) => r.id === late)!;
    expect(row).toMatchObject({ name: "开工目标过紧项目", code: expect.any(String), enterpriseName: expect.any(String), targetStartOn: "2026-03-20", atRisk: true, stalled: true });
    expect(row.forecastStartOn > "2026-03-20").toBe(true);
    // Another officer's token sees the same city's projects (officers see all), an enterprise only its own.
    const enterprise = await insertUser({ role: "enterprise" });
    expect((await call(listApi, "/api/v1/projects", { token: createApiToken(getDb(), enterprise.login) })).body).toEqual([]);
  });
});
