/**
 * Integration tests of the JSON API v1 (DESIGN §6): every resource route in
 * app/routes/api.v1.*.ts is called in-process with a real Request against each
 * test's own copy of the migrated database (tests/setup/db.ts); every test
 * makes its users, tokens and projects in a beforeEach or itself. Expected dates are
 * hand-computed from the 2025/2026 State Council holiday notices:
 *
 *   2025  国庆/中秋 10-01..10-08 off, make-up Sat 10-11 (and Sun 09-28)
 *   2026  元旦 01-01..01-03 off, make-up Sun 01-04
 *         春节 02-15..02-23 off, make-up Sat 02-14 and Sat 02-28
 *         中秋 09-25..09-27 off, make-up Sun 09-20
 *         国庆 10-01..10-07 off, make-up Sat 10-10
 *   2027  no official data → provisional
 *
 * Routes take "now" from the real clock, so event dates are in Sept/Oct 2026
 * (in the past on the day these tests were written, 2026-11-27, and on any
 * later day), and schedule expectations use the explicit `?asOf=`.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiTokens, escalations, items as itemsTable, users } from "../../db/schema";
import { addCalendarDays, shanghaiDay, toDay, type DayNum } from "~/domain/calendar";
import { createApiToken } from "~/services/auth.server";
import { getCalendar } from "~/services/time-rules.server";
import { getDb } from "~/utils/db.server";
import { loader as notFoundLoader, action as notFoundAction } from "~/routes/api.v1.$";
import { loader as calendarAdd } from "~/routes/api.v1.calendar.add";
import { loader as calendarBetween } from "~/routes/api.v1.calendar.between";
import { loader as listProjects, action as createProject } from "~/routes/api.v1.projects._index";
import { loader as getProject, action as postProject } from "~/routes/api.v1.projects.$id._index";
import { loader as getSchedule } from "~/routes/api.v1.projects.$id.schedule";
import { loader as getEscalations } from "~/routes/api.v1.projects.$id.escalations";
import { loader as getEvents, action as postEvent } from "~/routes/api.v1.projects.$id.items.$key.events";
import { creditCode, ensureDepartments, insertEnterprise, insertUser, receiveMaterials } from "../factories";
import { call, expectApiError, type ApiResult } from "./api-helpers";

// ---------------------------------------------------------------- fixtures

const ENT_A = { name: "江城测试装备有限公司", first17: "91330100MA2X4Y5W1" };
const ENT_B = { name: "江城另一家制造有限公司", first17: "91330100MA2Q7R8T3" };

const tokens: Record<string, string> = {};
let entAId = 0;
let entBId = 0;

/** A small valid inline template: two approvals and the 开工 milestone (DESIGN §5). */
const MINI_TEMPLATE = {
  key: "api-mini",
  version: 1,
  name: "接口测试模板（两项审批）",
  items: [
    { key: "filing", name: "企业投资项目备案", kind: "approval", department: "发改", stage: 1, statutoryLimit: 1, promisedLimit: 1, materials: ["项目备案申请表"] },
    { key: "permit", name: "建筑工程施工许可证", kind: "approval", department: "住建", stage: 3, statutoryLimit: 7, promisedLimit: 5, materials: ["施工许可申请表"] },
    { key: "start", name: "开工", kind: "milestone" },
  ],
  dependencies: [
    { from: "filing", to: "permit" },
    { from: "permit", to: "start" },
  ],
};

/**
 * For the schedule: filing → permit → start and filing → eia → start, so one
 * branch has slack. Durations 1, 5 (住建), 2 (生态环境) working days.
 */
const CPM_TEMPLATE = {
  key: "api-cpm",
  version: 1,
  name: "接口测试模板（排期）",
  items: [
    { key: "filing", name: "企业投资项目备案", kind: "approval", department: "发改", stage: 1, statutoryLimit: 1, promisedLimit: 1 },
    { key: "permit", name: "建筑工程施工许可证", kind: "approval", department: "住建", stage: 3, statutoryLimit: 7, promisedLimit: 5 },
    { key: "eia", name: "环境影响报告表审批", kind: "approval", department: "生态环境", stage: 1, promisedLimit: 2 },
    { key: "start", name: "开工", kind: "milestone" },
  ],
  dependencies: [
    { from: "filing", to: "permit" },
    { from: "filing", to: "eia" },
    { from: "permit", to: "start" },
    { from: "eia", to: "start" },
  ],
};

function projectBody(over: Record<string, unknown> = {}) {
  return {
    name: "接口测试智能工厂",
    enterprise: { name: ENT_A.name, creditCode: creditCode(ENT_A.first17) },
    templateKey: "general-industrial",
    signedOn: "2026-09-01",
    targetStartOn: "2027-03-01",
    ...over,
  };
}

async function create(body: unknown, token = tokens.proxy): Promise<number> {
  const r = await call(createProject, "/api/v1/projects", { token, json: body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  expect(Object.keys(r.body)).toEqual(["id"]);
  expect(Number.isInteger(r.body.id)).toBe(true);
  return r.body.id as number;
}

const getDoc = (id: number | string, token = tokens.proxy) =>
  call(getProject, `/api/v1/projects/${id}`, { token, params: { id: String(id) } });

const schedule = (id: number | string, asOf: string | null, token = tokens.proxy) =>
  call(getSchedule, `/api/v1/projects/${id}/schedule${asOf === null ? "" : `?asOf=${encodeURIComponent(asOf)}`}`, {
    token,
    params: { id: String(id) },
  });

const event = (id: number | string, key: string, body: unknown, token: string | null = tokens.proxy) =>
  call(postEvent, `/api/v1/projects/${id}/items/${encodeURIComponent(key)}/events`, {
    token,
    json: body,
    params: { id: String(id), key },
  });

const escalationsOf = (id: number | string, token = tokens.proxy) =>
  call(getEscalations, `/api/v1/projects/${id}/escalations`, { token, params: { id: String(id) } });

const count = (table: string) => getDb().get<{ n: number }>(sql.raw(`select count(*) as n from ${table}`)).n;

/** Everything an API write could touch, to prove a rejected request changed nothing. */
function dbSnapshot() {
  return {
    projects: count("projects"),
    enterprises: count("enterprises"),
    items: count("items"),
    dependencies: count("dependencies"),
    materials: count("materials"),
    projectProxies: count("project_proxies"),
    clockEvents: count("clock_events"),
    auditLog: count("audit_log"),
    itemVersions: getDb().get<{ s: number }>(sql`select coalesce(sum(version), 0) as s from items`).s,
    projectVersions: getDb().get<{ s: number }>(sql`select coalesce(sum(version), 0) as s from projects`).s,
  };
}

const cal = () => getCalendar(getDb());
const fmt = (d: DayNum) => cal().format(d);
const today = () => shanghaiDay(new Date());

beforeEach(async () => {
  const db = getDb();
  ensureDepartments(db);
  entAId = insertEnterprise(ENT_A.name, ENT_A.first17, db);
  entBId = insertEnterprise(ENT_B.name, ENT_B.first17, db);
  const people: [string, Parameters<typeof insertUser>[0]][] = [
    ["admin", { role: "admin", login: "api-admin" }],
    ["proxy", { role: "proxy", login: "api-proxy" }],
    ["proxy2", { role: "proxy", login: "api-proxy2" }],
    ["entA", { role: "enterprise", login: "api-ent-a", enterpriseId: entAId }],
    ["entB", { role: "enterprise", login: "api-ent-b", enterpriseId: entBId }],
    ["deptFg", { role: "dept", login: "api-dept-fg", department: "发改" }],
    ["deptZj", { role: "dept", login: "api-dept-zj", department: "住建" }],
    ["deptYj", { role: "dept", login: "api-dept-yj", department: "应急" }],
    ["leader", { role: "leader", login: "api-leader" }],
    ["coordinator", { role: "coordinator", login: "api-coordinator" }],
  ];
  for (const [name, opts] of people) {
    const u = await insertUser(opts, db);
    tokens[name] = createApiToken(db, u.login);
  }
});

// ---------------------------------------------------------------- authentication

describe("bearer authentication (every endpoint)", () => {
  it("401 without a token, with a wrong scheme, with an unknown, revoked or deactivated user's token", async () => {
    const url = "/api/v1/calendar/add?from=2026-02-13&days=1";
    expectApiError(await call(calendarAdd, url), 401, "unauthorized", "Authorization");
    expectApiError(await call(calendarAdd, url, { authorization: `Basic ${tokens.proxy}` }), 401, "unauthorized");
    expectApiError(await call(calendarAdd, url, { authorization: "Bearer" }), 401, "unauthorized");
    expectApiError(await call(calendarAdd, url, { token: "gc_not-a-real-token" }), 401, "unauthorized", "令牌");
    // A token whose last character is changed is not accepted either.
    const t = tokens.leader;
    const tampered = t.slice(0, -1) + (t.endsWith("A") ? "B" : "A");
    expectApiError(await call(calendarAdd, url, { token: tampered }), 401, "unauthorized");

    const db = getDb();
    const revoked = createApiToken(db, "api-coordinator", "to-revoke");
    expect((await call(calendarAdd, url, { token: revoked })).status).toBe(200);
    db.update(apiTokens).set({ revokedAt: Date.now() }).where(sql`${apiTokens.label} = 'to-revoke'`).run();
    expectApiError(await call(calendarAdd, url, { token: revoked }), 401, "unauthorized");

    const gone = await insertUser({ role: "proxy", login: "api-deactivated" }, db);
    const goneToken = createApiToken(db, gone.login);
    expect((await call(calendarAdd, url, { token: goneToken })).status).toBe(200);
    db.update(users).set({ active: false }).where(eq(users.id, gone.id)).run();
    expectApiError(await call(calendarAdd, url, { token: goneToken }), 401, "unauthorized");
  });

  it("a valid token of any role may use the calendar (lowercase 'bearer' works too)", async () => {
    for (const who of ["admin", "proxy", "entA", "deptFg", "leader", "coordinator"]) {
      const r = await call(calendarAdd, "/api/v1/calendar/add?from=2026-02-13&days=1", { token: tokens[who] });
      expect([who, r.status, r.body]).toEqual([who, 200, { date: "2026-02-14", provisional: false }]);
    }
    const r = await call(calendarAdd, "/api/v1/calendar/add?from=2026-02-13&days=1", { authorization: `bearer ${tokens.proxy}` });
    expect(r.status).toBe(200);
  });
});

// ---------------------------------------------------------------- calendar

describe("GET /api/v1/calendar/add", () => {
  const add = (query: string, token: string | null = tokens.proxy) => call(calendarAdd, `/api/v1/calendar/add?${query}`, { token });

  it.each([
    // Fri 2026-02-13 + 1 → Sat 02-14, a make-up working day before 春节.
    ["from=2026-02-13&days=1", "2026-02-14"],
    // Sat 02-14 + 1: 02-15..02-23 春节 off → Tue 02-24.
    ["from=2026-02-14&days=1", "2026-02-24"],
    // Tue 2025-09-30 + 1: 10-01..10-08 国庆/中秋 off → Thu 2025-10-09.
    ["from=2025-09-30&days=1", "2025-10-09"],
    // 2025-10-09 + 2: Fri 10-10, Sat 10-11 (make-up) → 2025-10-11.
    ["from=2025-10-09&days=2", "2025-10-11"],
    // Wed 2026-09-30 + 1: 10-01..10-07 off → Thu 10-08; + 3 → 10-08, 10-09, Sat 10-10 (make-up).
    ["from=2026-09-30&days=1", "2026-10-08"],
    ["from=2026-09-30&days=3", "2026-10-10"],
    // Wed 2025-12-31 + 1: 01-01..01-03 元旦 off, Sun 01-04 make-up → 2026-01-04 (across the year end, both official).
    ["from=2025-12-31&days=1", "2026-01-04"],
    // Negative: the n-th working day strictly before. Tue 02-24 − 1 → Sat 02-14; − 2 → Fri 02-13.
    ["from=2026-02-24&days=-1", "2026-02-14"],
    ["from=2026-02-24&days=-2", "2026-02-13"],
    // Thu 2026-10-08 − 1 → Wed 09-30 (the whole 国庆 week skipped).
    ["from=2026-10-08&days=-1", "2026-09-30"],
    // days = 0 returns the date itself, even a holiday or an ordinary weekend day.
    ["from=2026-10-01&days=0", "2026-10-01"],
    ["from=2026-03-07&days=0", "2026-03-07"],
    // Whitespace around the number is tolerated (URL-encoded spaces).
    ["from=2026-02-13&days=%201%20", "2026-02-14"],
  ])("%s → %s (provisional false)", async (query, date) => {
    const r = await add(query);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ date, provisional: false });
  });

  it("a result in 2027 (no official data) is provisional; Mon–Fri stands in for the missing year", async () => {
    // Thu 2026-12-31 + 1 → Fri 2027-01-01 on the provisional Mon–Fri rule (元旦 2027 not yet published).
    const r = await add("from=2026-12-31&days=1");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ date: "2027-01-01", provisional: true });
    // Fri 2027-01-01 + 1 → Mon 2027-01-04.
    expect((await add("from=2027-01-01&days=1")).body).toEqual({ date: "2027-01-04", provisional: true });
    // A start in 2027 going back into 2026 still touches 2027.
    expect((await add("from=2027-01-04&days=-2")).body).toEqual({ date: "2026-12-31", provisional: true });
    // days = 0 inside 2027 is provisional as well.
    expect((await add("from=2027-06-01&days=0")).body).toEqual({ date: "2027-06-01", provisional: true });
  });

  it("within official years only is not provisional", async () => {
    // 2026-12-30 (Wed) + 1 → 12-31 (Thu).
    expect((await add("from=2026-12-30&days=1")).body).toEqual({ date: "2026-12-31", provisional: false });
  });

  it("400 for a missing or invalid from / days", async () => {
    expectApiError(await add("days=1"), 400, "bad_request", "from");
    expectApiError(await add("from=&days=1"), 400, "bad_request", "from");
    expectApiError(await add("from=2026-02-30&days=1"), 400, "bad_request", "2026-02-30");
    expectApiError(await add("from=2026-2-3&days=1"), 400, "bad_request");
    expectApiError(await add("from=tomorrow&days=1"), 400, "bad_request");
    expectApiError(await add("from=2026-02-13"), 400, "bad_request", "days");
    expectApiError(await add("from=2026-02-13&days=abc"), 400, "bad_request", "days");
    expectApiError(await add("from=2026-02-13&days=1.5"), 400, "bad_request", "days");
    expectApiError(await add("from=2026-02-13&days="), 400, "bad_request", "days");
    expectApiError(await add("from=2026-02-13&days=1e3"), 400, "bad_request", "days");
    expectApiError(await add("from=2026-02-13&days=999999"), 400, "bad_request", "days");
  });

  it("a result outside the calendar's range (2000–2100) is a 4xx with a Chinese message, not a 500", async () => {
    const r = await add("from=2100-12-31&days=5");
    expect(r.status).toBe(422);
    expectApiError(r, 422, "invalid", "2100");
  });

  it("401 without / with a bad token", async () => {
    expectApiError(await add("from=2026-02-13&days=1", null), 401, "unauthorized");
    expectApiError(await add("from=2026-02-13&days=1", "gc_bogus"), 401, "unauthorized");
  });
});

describe("GET /api/v1/calendar/between", () => {
  const between = (query: string, token: string | null = tokens.proxy) =>
    call(calendarBetween, `/api/v1/calendar/between?${query}`, { token });

  it.each([
    // (09-30, 10-09]: 10-01..10-07 off; Thu 10-08, Fri 10-09 → 2.
    ["from=2026-09-30&to=2026-10-09", 2],
    // Reverse order is the negative.
    ["from=2026-10-09&to=2026-09-30", -2],
    // (09-30, 10-12]: 10-08, 10-09, Sat 10-10 (make-up), Mon 10-12 → 4.
    ["from=2026-09-30&to=2026-10-12", 4],
    // (02-13, 02-24]: Sat 02-14 (make-up), Tue 02-24 → 2.
    ["from=2026-02-13&to=2026-02-24", 2],
    // (2025-12-31, 2026-01-05]: Sun 01-04 (make-up), Mon 01-05 → 2.
    ["from=2025-12-31&to=2026-01-05", 2],
    // Same day → 0; a span with only rest days → 0.
    ["from=2026-05-20&to=2026-05-20", 0],
    ["from=2026-09-30&to=2026-10-07", 0],
    // 2026 has 248 working days (notice): (2025-12-31, 2026-12-31].
    ["from=2025-12-31&to=2026-12-31", 248],
  ])("%s → %i", async (query, workingDays) => {
    const r = await between(query);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ workingDays, provisional: false });
  });

  it("a range touching 2027 is provisional", async () => {
    // (2026-12-31, 2027-01-08]: Mon–Fri stand-in → Fri 01-01, Mon 01-04 … Fri 01-08 = 6.
    expect((await between("from=2026-12-31&to=2027-01-08")).body).toEqual({ workingDays: 6, provisional: true });
    expect((await between("from=2027-01-08&to=2026-12-31")).body).toEqual({ workingDays: -6, provisional: true });
  });

  it("400 for a missing or invalid date, 401 without a token", async () => {
    expectApiError(await between("to=2026-10-09"), 400, "bad_request", "from");
    expectApiError(await between("from=2026-09-30"), 400, "bad_request", "to");
    expectApiError(await between("from=2026-09-31&to=2026-10-09"), 400, "bad_request", "2026-09-31");
    expectApiError(await between("from=2026-09-30&to=2026-13-01"), 400, "bad_request", "2026-13-01");
    expectApiError(await between("from=2026-09-30&to=2026-10-09", null), 401, "unauthorized");
    expectApiError(await between("from=2026-09-30&to=2026-10-09", "gc_bogus"), 401, "unauthorized");
  });
});

// ---------------------------------------------------------------- projects: create

describe("POST /api/v1/projects", () => {
  it("creates a project from templateKey general-industrial → 201 {id}, with every template item", async () => {
    const before = dbSnapshot();
    const id = await create(projectBody({ name: "接口测试：模板键创建" }));
    const doc = await getDoc(id);
    expect(doc.status).toBe(200);
    expect(doc.body).toMatchObject({
      id,
      name: "接口测试：模板键创建",
      status: "active",
      templateKey: "general-industrial",
      signedOn: "2026-09-01",
      targetStartOn: "2027-03-01",
      enterprise: { name: ENT_A.name, creditCode: creditCode(ENT_A.first17) },
    });
    const template = JSON.parse(readFileSync(resolve("templates/general-industrial.json"), "utf8"));
    expect(doc.body.items.map((i: { key: string }) => i.key)).toEqual(template.items.map((i: { key: string }) => i.key));
    const after = dbSnapshot();
    // One project, no new enterprise (found by credit code), 30 items, 43 edges, one proxy assignment.
    expect(after.projects - before.projects).toBe(1);
    expect(after.enterprises - before.enterprises).toBe(0);
    expect(after.items - before.items).toBe(template.items.length);
    expect(after.dependencies - before.dependencies).toBe(template.dependencies.length);
    expect(after.projectProxies - before.projectProxies).toBe(1);
    expect(after.auditLog - before.auditLog).toBe(1);
  });

  it("creates a project from an inline template → 201, and a new enterprise by credit code", async () => {
    const before = dbSnapshot();
    const id = await create(
      projectBody({
        name: "接口测试：内联模板",
        enterprise: { name: "江城内联模板测试有限公司", creditCode: creditCode("91330100MA2N6P7Q4") },
        templateKey: undefined,
        template: MINI_TEMPLATE,
        signedOn: "2026-09-01",
        targetStartOn: "2026-10-16",
      }),
    );
    const doc = await getDoc(id);
    expect(doc.status).toBe(200);
    expect(doc.body.templateKey).toBe("api-mini");
    expect(doc.body.items.map((i: { key: string; department: string | null; kind: string }) => [i.key, i.kind, i.department])).toEqual([
      ["filing", "approval", "发改"],
      ["permit", "approval", "住建"],
      ["start", "milestone", null],
    ]);
    const after = dbSnapshot();
    expect(after.projects - before.projects).toBe(1);
    expect(after.enterprises - before.enterprises).toBe(1);
    expect(after.items - before.items).toBe(3);
    expect(after.dependencies - before.dependencies).toBe(2);
    // Two distinct materials.
    expect(after.materials - before.materials).toBe(2);
  });

  it("an administrator may create a project too (201)", async () => {
    await create(projectBody({ name: "接口测试：管理员创建" }), tokens.admin);
  });

  describe("rejections write nothing", () => {
    // Every test here must leave the database exactly as it found it.
    let before: ReturnType<typeof dbSnapshot>;
    beforeEach(() => {
      before = dbSnapshot();
    });
    afterEach(() => {
      expect(dbSnapshot(), "a rejected request wrote to the database").toEqual(before);
    });

    const post = (body: unknown, token: string | null = tokens.proxy) => call(createProject, "/api/v1/projects", { token, json: body });

    it("422 for an invalid credit code (checksum, length, charset) naming 统一社会信用代码", async () => {
      const good = creditCode(ENT_A.first17);
      const wrongCheck = good.slice(0, 17) + (good[17] === "0" ? "1" : "0");
      const r = await post(projectBody({ enterprise: { name: ENT_A.name, creditCode: wrongCheck } }));
      expectApiError(r, 422, "invalid", "统一社会信用代码");
      expect(r.status).toBe(422);
      expectApiError(await post(projectBody({ enterprise: { name: ENT_A.name, creditCode: "91330100MA2X4Y5" } })), 422, "invalid", "统一社会信用代码");
      expectApiError(await post(projectBody({ enterprise: { name: ENT_A.name, creditCode: "91330100MA2X4Y5WI0" } })), 422, "invalid", "统一社会信用代码");
    });

    it("422 for a missing or too-short name, missing enterprise, missing dates", async () => {
      const { name: _omit, ...noName } = projectBody();
      expectApiError(await post(noName), 422, "invalid", "项目名称");
      expectApiError(await post(projectBody({ name: "厂" })), 422, "invalid", "项目名称");
      expectApiError(await post(projectBody({ name: "   " })), 422, "invalid", "项目名称");
      const { enterprise: _e, ...noEnterprise } = projectBody();
      expectApiError(await post(noEnterprise), 422, "invalid", "企业");
      const { signedOn: _s, ...noSigned } = projectBody();
      expectApiError(await post(noSigned), 422, "invalid", "签约日期");
      expectApiError(await post(projectBody({ signedOn: "2026-02-30" })), 422, "invalid", "签约日期");
    });

    it("422 for both templateKey and template, or neither", async () => {
      expectApiError(await post(projectBody({ template: MINI_TEMPLATE })), 422, "invalid", "二选一");
      expectApiError(await post(projectBody({ templateKey: undefined })), 422, "invalid", "二选一");
    });

    it("422 for an unknown templateKey", async () => {
      expectApiError(await post(projectBody({ templateKey: "no-such-template" })), 422, "invalid", "no-such-template");
    });

    it("422 for an inline template with a cycle, listing the cycle's keys", async () => {
      const cyclic = {
        ...MINI_TEMPLATE,
        items: [...MINI_TEMPLATE.items, { key: "review", name: "审查", kind: "approval", department: "住建", stage: 2, promisedLimit: 3 }],
        // filing → permit → review → filing is a cycle; permit → start as before.
        dependencies: [...MINI_TEMPLATE.dependencies, { from: "permit", to: "review" }, { from: "review", to: "filing" }],
      };
      const msg = expectApiError(await post(projectBody({ templateKey: undefined, template: cyclic })), 422, "invalid", "环");
      for (const key of ["filing", "permit", "review"]) expect(msg).toContain(key);
      expect(msg).not.toContain("start →");
    });

    it("422 for an inline template with an unknown department or two 开工 milestones", async () => {
      const unknownDept = { ...MINI_TEMPLATE, items: MINI_TEMPLATE.items.map((i) => (i.key === "permit" ? { ...i, department: "规划局" } : i)) };
      expectApiError(await post(projectBody({ templateKey: undefined, template: unknownDept })), 422, "invalid", "规划局");
      const twoStarts = { ...MINI_TEMPLATE, items: [...MINI_TEMPLATE.items, { key: "kaigong", name: "开工", kind: "milestone" }] };
      expectApiError(await post(projectBody({ templateKey: undefined, template: twoStarts })), 422, "invalid", "开工");
      expectApiError(await post(projectBody({ templateKey: undefined, template: "not a template" })), 422, "invalid", "模板");
    });

    it("422 when targetStartOn is before signedOn", async () => {
      expectApiError(await post(projectBody({ signedOn: "2026-09-01", targetStartOn: "2026-08-31" })), 422, "invalid", "计划开工日期不能早于签约日期");
    });

    it("409 when the credit code is registered under another enterprise name", async () => {
      expectApiError(await post(projectBody({ enterprise: { name: "名字不一样的公司", creditCode: creditCode(ENT_A.first17) } })), 409, "conflict", ENT_A.name);
    });

    it("400 for a malformed JSON body or a non-JSON content type", async () => {
      expectApiError(await call(createProject, "/api/v1/projects", { token: tokens.proxy, rawBody: '{"name": "半截' }), 400, "bad_request", "JSON");
      expectApiError(await call(createProject, "/api/v1/projects", { token: tokens.proxy, rawBody: "" }), 400, "bad_request", "JSON");
      expectApiError(
        await call(createProject, "/api/v1/projects", { token: tokens.proxy, rawBody: "name=x", contentType: "application/x-www-form-urlencoded" }),
        400,
        "bad_request",
        "Content-Type",
      );
    });

    it("403 for roles that may not create projects (enterprise, leader, coordinator, dept)", async () => {
      for (const who of ["entA", "leader", "coordinator", "deptFg"]) {
        expectApiError(await post(projectBody(), tokens[who]), 403, "forbidden");
      }
    });

    it("401 without a token", async () => {
      expectApiError(await post(projectBody(), null), 401, "unauthorized");
    });

    it("405 for other methods", async () => {
      const r = await call(createProject, "/api/v1/projects", { token: tokens.proxy, method: "PUT", json: projectBody() });
      expectApiError(r, 405, "method_not_allowed");
      expect(r.headers.get("Allow")).toBe("GET, POST");
    });
  });

  describe("the 开工 milestone of an inline template (DESIGN §4/§5: kind milestone named 开工, whatever its key)", () => {
    const post = (body: unknown) => call(createProject, "/api/v1/projects", { token: tokens.proxy, json: body });

    it("accepts a provincial platform's own keys: the 开工 milestone is found by kind and name, and 倒排 plans back from it", async () => {
      const rename = (k: string) => (k === "start" ? "kg-01" : k);
      const ownKeys = {
        ...MINI_TEMPLATE,
        items: MINI_TEMPLATE.items.map((i) => ({ ...i, key: rename(i.key) })),
        dependencies: MINI_TEMPLATE.dependencies.map((d) => ({ from: rename(d.from), to: rename(d.to) })),
      };
      const r = await post(projectBody({ templateKey: undefined, template: ownKeys, signedOn: "2026-03-02", targetStartOn: "2026-03-04" }));
      expect(r.status).toBe(201);
      const s = await schedule(r.body.id, "2026-03-02");
      expect(s.status).toBe(200);
      // From Mon 2026-03-02: filing takes 1 working day (EF 03-03), permit 5 more (03-04 … 03-10), so 开工 is forecast 03-10, after the 03-04 target.
      expect(s.body.forecastStartOn).toBe("2026-03-10");
      expect(s.body.atRisk).toBe(true);
      expect(s.body.criticalPath).toEqual(["filing", "permit", "kg-01"]);
    });

    it("without any 开工 milestone the latest sink stands in for it", async () => {
      const noStart = { ...MINI_TEMPLATE, items: MINI_TEMPLATE.items.slice(0, 2), dependencies: [MINI_TEMPLATE.dependencies[0]] };
      const r = await post(projectBody({ templateKey: undefined, template: noStart, signedOn: "2026-03-02", targetStartOn: "2026-06-30" }));
      expect(r.status).toBe(201);
      const s = await schedule(r.body.id, "2026-03-02");
      expect(s.body.forecastStartOn).toBe("2026-03-10");
      expect(s.body.atRisk).toBe(false);
    });
  });

  describe("input of the wrong JSON type gets a Chinese message (DESIGN §8)", () => {
    // DESIGN §6/§8: errors are JSON with a clear Chinese message, and bad input
    // changes nothing. A body that is valid JSON but not an object, or a field
    // of the wrong JSON type, must not surface zod's English default text.
    const post = (body: unknown) => call(createProject, "/api/v1/projects", { token: tokens.proxy, json: body });

    it("a JSON array / null / string body → 422, Chinese message, nothing written", async () => {
      const before = dbSnapshot();
      const results = [];
      for (const body of [[], null, "项目"]) {
        const r = await post(body);
        results.push({ body, status: r.status, code: r.body?.error?.code, message: r.body?.error?.message });
      }
      expect(dbSnapshot()).toEqual(before);
      expect(results.map((x) => [x.status, x.code])).toEqual([[422, "invalid"], [422, "invalid"], [422, "invalid"]]);
      expect(results.filter((x) => !/[\u4e00-\u9fff]/.test(String(x.message)))).toEqual([]);
    });

    it("fields of the wrong type (name, enterprise.name, investment, level) → 422 with a Chinese message", async () => {
      const results = [];
      for (const over of [{ name: 12345 }, { enterprise: { name: 42, creditCode: creditCode(ENT_A.first17) } }, { investment: "很多" }, { level: "galaxy" }]) {
        const r = await post(projectBody(over));
        results.push({ over, status: r.status, message: r.body?.error?.message });
      }
      expect(results.map((x) => x.status)).toEqual([422, 422, 422, 422]);
      expect(results.filter((x) => !/[\u4e00-\u9fff]/.test(String(x.message)))).toEqual([]);
    });
  });
});

// ---------------------------------------------------------------- projects: list

describe("GET /api/v1/projects (list)", () => {
  it("an enterprise contact sees only their enterprise's projects; a proxy sees all", async () => {
    const idA = await create(projectBody({ name: "接口测试：甲企业项目" }));
    const idB = await create(projectBody({ name: "接口测试：乙企业项目", enterprise: { name: ENT_B.name, creditCode: creditCode(ENT_B.first17) } }));
    const all = await call(listProjects, "/api/v1/projects", { token: tokens.proxy });
    expect(all.status).toBe(200);
    expect(all.body.map((p: { id: number }) => p.id).sort()).toEqual([idA, idB].sort());
    const a = await call(listProjects, "/api/v1/projects", { token: tokens.entA });
    expect(a.status).toBe(200);
    expect(a.body.map((p: { id: number; enterpriseName: string }) => [p.id, p.enterpriseName])).toEqual([[idA, ENT_A.name]]);
    const b = await call(listProjects, "/api/v1/projects", { token: tokens.entB });
    expect(b.body.map((p: { id: number }) => p.id)).toEqual([idB]);
    // A department user sees only projects with an item of their department: 应急 has none.
    expect((await call(listProjects, "/api/v1/projects", { token: tokens.deptYj })).body).toEqual([]);
  });
});

// ---------------------------------------------------------------- projects: document

describe("GET /api/v1/projects/:id", () => {
  let id = 0;
  beforeEach(async () => {
    id = await create(projectBody({ name: "接口测试：项目文档" }));
    receiveMaterials(id);
    // filing (发改, promised 1 WD) accepted Wed 2026-09-30 → due Thu 2026-10-08.
    expect((await event(id, "filing", { type: "accept", on: "2026-09-30" })).status).toBe(200);
  });

  it("returns the project with every item's clock state", async () => {
    const r = await getDoc(id);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id, status: "active", templateKey: "general-industrial" });
    expect(typeof r.body.code).toBe("string");
    expect(r.body.forecastStartOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(typeof r.body.atRisk).toBe("boolean");
    expect(r.body.provisional).toBe(true); // the plan runs into 2027
    const filing = r.body.items.find((i: { key: string }) => i.key === "filing");
    // remaining counts from the real today to the due date 2026-10-08 (negative once it has passed).
    const remaining = cal().workingDaysBetween(today(), toDay("2026-10-08"));
    expect(filing).toMatchObject({
      key: "filing",
      kind: "approval",
      department: "发改",
      stage: 1,
      status: "running",
      statutoryLimit: 1,
      promisedLimit: 1,
      limitUnit: "workingDays",
      acceptedOn: "2026-09-30",
      dueOn: "2026-10-08",
      decidedOn: null,
      remainingWorkingDays: remaining,
      warning: today() > toDay("2026-10-08") ? "red" : remaining <= 1 ? "yellow" : "none",
      paused: false,
    });
    for (const key of ["status", "acceptedOn", "dueOn", "remainingWorkingDays", "warning", "paused", "commitmentOn", "commitmentWarning"]) {
      expect(filing).toHaveProperty(key);
    }
    const eia = r.body.items.find((i: { key: string }) => i.key === "eia-approval");
    expect(eia).toMatchObject({ status: "pending", acceptedOn: null, dueOn: null, remainingWorkingDays: null, warning: "none", paused: false, limitUnit: "calendarDays", promisedLimit: 16 });
  });

  it("visible to the enterprise's own contact (200), hidden from another enterprise's contact (404)", async () => {
    expect((await getDoc(id, tokens.entA)).status).toBe(200);
    expectApiError(await getDoc(id, tokens.entB), 404, "not_found");
  });

  it("visible to a department involved (住建), hidden from one that is not (应急)", async () => {
    expect((await getDoc(id, tokens.deptZj)).status).toBe(200);
    expectApiError(await getDoc(id, tokens.deptYj), 404, "not_found");
  });

  it("the 404 for an invisible project is the same as for a missing one (no existence leak)", async () => {
    const hidden = await getDoc(id, tokens.entB);
    const missing = await getDoc(99_999_999, tokens.entB);
    expect(hidden.body).toEqual(missing.body);
  });

  it.each(["abc", "1.5", "-1", "0", "1e3", "0x10", "99999999", "9".repeat(30)])("id %s → 404 JSON", async (raw) => {
    expectApiError(await getDoc(raw), 404, "not_found");
  });

  it("401 without a token; 405 for POST", async () => {
    expectApiError(await call(getProject, `/api/v1/projects/${id}`, { params: { id: String(id) } }), 401, "unauthorized");
    const r = await call(postProject, `/api/v1/projects/${id}`, { token: tokens.proxy, json: {}, params: { id: String(id) } });
    expectApiError(r, 405, "method_not_allowed");
  });
});

// ---------------------------------------------------------------- schedule

const SCHEDULE_TOP_KEYS = ["asOf", "targetStartOn", "forecastStartOn", "atRisk", "criticalPath", "provisional", "items"];
const SCHEDULE_ITEM_KEYS = [
  "key", "name", "department", "kind", "status", "duration", "earliestStart", "earliestFinish",
  "latestStart", "latestFinish", "totalSlack", "critical", "acceptedOn", "dueOn", "remainingWorkingDays", "warning",
];

type SItem = {
  key: string;
  kind: string;
  status: string;
  duration: number;
  earliestStart: string;
  earliestFinish: string;
  latestStart: string | null;
  latestFinish: string | null;
  totalSlack: number | null;
  critical: boolean;
  acceptedOn: string | null;
  dueOn: string | null;
  remainingWorkingDays: number | null;
  warning: string;
};

/** The compact plan line of an item: [key, status, duration, ES, EF, LS, LF, slack, critical]. */
const line = (i: SItem) => [i.key, i.status, i.duration, i.earliestStart, i.earliestFinish, i.latestStart, i.latestFinish, i.totalSlack, i.critical];

describe("GET /api/v1/projects/:id/schedule — general-industrial, internal consistency", () => {
  let id = 0;
  const template = JSON.parse(readFileSync(resolve("templates/general-industrial.json"), "utf8")) as {
    items: { key: string; kind: string; promisedLimit?: number; statutoryLimit?: number; plannedDuration?: number; limitUnit?: string; department?: string }[];
    dependencies: { from: string; to: string; lagWorkingDays?: number }[];
  };

  /** Reference CPM forward pass over the template file, for a project with no events (DESIGN §4). */
  function forwardPass(asOf: DayNum) {
    const c = cal();
    const es = new Map<string, DayNum>();
    const ef = new Map<string, DayNum>();
    const dur = new Map<string, number>();
    const pending = [...template.items];
    while (pending.length) {
      const idx = pending.findIndex((it) => template.dependencies.filter((d) => d.to === it.key).every((d) => ef.has(d.from)));
      expect(idx).toBeGreaterThanOrEqual(0);
      const it = pending.splice(idx, 1)[0];
      let start = asOf;
      for (const d of template.dependencies.filter((x) => x.to === it.key)) {
        const v = c.addWorkingDays(ef.get(d.from)!, d.lagWorkingDays ?? 0);
        if (v > start) start = v;
      }
      let d = it.kind === "approval" ? it.promisedLimit ?? it.statutoryLimit ?? 0 : it.kind === "milestone" ? 0 : it.plannedDuration ?? 0;
      if (it.kind === "approval" && it.limitUnit === "calendarDays" && d > 0) d = c.workingDaysBetween(start, addCalendarDays(start, d));
      es.set(it.key, start);
      dur.set(it.key, d);
      ef.set(it.key, c.addWorkingDays(start, d));
    }
    return { es, ef, dur };
  }

  /** Keys of the 开工 milestone and its ancestors. */
  function preStart(): Set<string> {
    const out = new Set(["start"]);
    for (let changed = true; changed; ) {
      changed = false;
      for (const d of template.dependencies) {
        if (out.has(d.to) && !out.has(d.from)) {
          out.add(d.from);
          changed = true;
        }
      }
    }
    return out;
  }

  beforeEach(async () => {
    id = await create(projectBody({ name: "接口测试：排期一致性", signedOn: "2026-09-01", targetStartOn: "2027-03-01" }));
  });

  it("top-level and item field names are exactly those of DESIGN §6", async () => {
    const r = await schedule(id, "2026-09-30");
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual([...SCHEDULE_TOP_KEYS].sort());
    expect(r.body.items).toHaveLength(template.items.length);
    for (const it of r.body.items) expect(Object.keys(it).sort()).toEqual([...SCHEDULE_ITEM_KEYS].sort());
    expect(r.body.asOf).toBe("2026-09-30");
    expect(r.body.targetStartOn).toBe("2027-03-01");
  });

  it.each(["2026-09-30", "2026-02-13", "2026-11-02"])("asOf %s: forecast = reference forward pass, slack/critical consistent", async (asOfText) => {
    const c = cal();
    const asOf = toDay(asOfText);
    const r = await schedule(id, asOfText);
    expect(r.status).toBe(200);
    const body = r.body as { forecastStartOn: string; targetStartOn: string; atRisk: boolean; criticalPath: string[]; provisional: boolean; items: SItem[] };
    const ref = forwardPass(asOf);
    const byKey = new Map(body.items.map((i) => [i.key, i]));

    // Forward pass of a fresh project from asOf, item by item.
    for (const t of template.items) {
      const it = byKey.get(t.key)!;
      expect([t.key, it.status, it.duration, it.earliestStart, it.earliestFinish]).toEqual([
        t.key, "pending", ref.dur.get(t.key), fmt(ref.es.get(t.key)!), fmt(ref.ef.get(t.key)!),
      ]);
    }
    // filing has no predecessor: ES = asOf, EF = asOf + 1 WD.
    expect(byKey.get("filing")!.earliestStart).toBe(asOfText);
    expect(byKey.get("filing")!.earliestFinish).toBe(fmt(c.addWorkingDays(asOf, 1)));

    // forecastStartOn = EF of "start"; atRisk ⇔ forecast > target.
    expect(body.forecastStartOn).toBe(byKey.get("start")!.earliestFinish);
    expect(body.forecastStartOn).toBe(fmt(ref.ef.get("start")!));
    expect(body.atRisk).toBe(body.forecastStartOn > body.targetStartOn);

    // Backward-pass identities for every unfinished item.
    for (const it of body.items) {
      expect(it.latestStart).not.toBeNull();
      expect(it.latestStart).toBe(fmt(c.addWorkingDays(toDay(it.latestFinish!), -it.duration)));
      expect(it.totalSlack).toBe(c.workingDaysBetween(toDay(it.earliestFinish), toDay(it.latestFinish!)));
    }
    // 倒排 from the target (2027-03-01, a Monday — treated as working in provisional 2027).
    expect(byKey.get("start")!.latestFinish).toBe(fmt(c.lastWorkingDayOnOrBefore(toDay("2027-03-01"))));

    // Critical path: exactly the critical items, all with the minimal slack among pre-start items,
    // every other pre-start item strictly more; post-start items never critical.
    const pre = preStart();
    const minSlack = Math.min(...body.items.filter((i) => pre.has(i.key)).map((i) => i.totalSlack!));
    expect(body.criticalPath.length).toBeGreaterThan(0);
    expect(new Set(body.criticalPath)).toEqual(new Set(body.items.filter((i) => i.critical).map((i) => i.key)));
    for (const it of body.items) {
      if (!pre.has(it.key)) expect([it.key, it.critical]).toEqual([it.key, false]);
      else expect([it.key, it.critical]).toEqual([it.key, it.totalSlack === minSlack]);
    }
    // filing is the only source and start the milestone: both always on the critical path, first and last.
    expect(body.criticalPath[0]).toBe("filing");
    expect(body.criticalPath.at(-1)).toBe("start");
    expect(byKey.get("start")!.totalSlack).toBe(minSlack);
    // The start's slack is target − forecast in working days.
    expect(minSlack).toBe(c.workingDaysBetween(toDay(body.forecastStartOn), c.lastWorkingDayOnOrBefore(toDay("2027-03-01"))));

    // Target in 2027 (no official data) → provisional.
    expect(body.provisional).toBe(true);
  });

  it("asOf 2026-09-30: the critical chain is the land contract / design / drawing-review chain, hand-checked for the first links", async () => {
    const r = await schedule(id, "2026-09-30");
    const byKey = new Map((r.body.items as SItem[]).map((i) => [i.key, i]));
    // filing: 1 WD from Wed 09-30 → Thu 10-08.
    expect(line(byKey.get("filing")!).slice(0, 5)).toEqual(["filing", "pending", 1, "2026-09-30", "2026-10-08"]);
    // land-contract: 25 WD from 10-08: 10-09, 10-10(Sat make-up), 10-12..16 (5), 10-19..23 (5), 10-26..30 (5),
    // 11-02..06 (5), 11-09, 11-10, 11-11 → 2+5+5+5+5+3 = 25 → Wed 2026-11-11.
    expect(line(byKey.get("land-contract")!).slice(0, 5)).toEqual(["land-contract", "pending", 25, "2026-10-08", "2026-11-11"]);
    // eia-approval is 16 calendar days: ES = drafting EF; duration = working days in (ES, ES+16].
    const eia = byKey.get("eia-approval")!;
    expect(eia.duration).toBe(cal().workingDaysBetween(toDay(eia.earliestStart), addCalendarDays(toDay(eia.earliestStart), 16)));
  });

  it("a target inside official years is not provisional only if every date is — this plan runs into 2027 whatever the target", async () => {
    const id2 = await create(projectBody({ name: "接口测试：年内目标", signedOn: "2026-09-01", targetStartOn: "2026-12-31" }));
    const r = await schedule(id2, "2026-09-30");
    expect(r.status).toBe(200);
    // construction alone is 180 WD after start → well into 2027.
    expect(r.body.provisional).toBe(true);
    expect(r.body.atRisk).toBe(r.body.forecastStartOn > "2026-12-31");
  });

  it("400 for a bad asOf; 404 for invisible/unknown projects; 401 without a token", async () => {
    expectApiError(await schedule(id, "2026-02-30"), 400, "bad_request", "asOf");
    expectApiError(await schedule(id, "yesterday"), 400, "bad_request", "asOf");
    expectApiError(await schedule(id, "2026-9-30"), 400, "bad_request", "asOf");
    expectApiError(await schedule(id, "2026-09-30", tokens.entB), 404, "not_found");
    expectApiError(await schedule("abc", "2026-09-30"), 404, "not_found");
    expectApiError(await schedule(99_999_999, "2026-09-30"), 404, "not_found");
    expectApiError(await call(getSchedule, `/api/v1/projects/${id}/schedule?asOf=2026-09-30`, { params: { id: String(id) } }), 401, "unauthorized");
    expect((await schedule(id, "2026-09-30", tokens.entA)).status).toBe(200);
  });

  it("without asOf the schedule is as of today (Shanghai)", async () => {
    const r = await schedule(id, null);
    expect(r.status).toBe(200);
    expect(r.body.asOf).toBe(fmt(today()));
  });
});

describe("schedule + events — a small project computed by hand", () => {
  // CPM_TEMPLATE: filing(1 WD, 发改) → permit(5 WD, 住建) → start; filing → eia(2 WD, 生态环境) → start.
  // Signed 2026-09-01, target Fri 2026-10-16.
  let id = 0;
  beforeEach(async () => {
    id = await create(
      projectBody({ name: "接口测试：手算排期", templateKey: undefined, template: CPM_TEMPLATE, signedOn: "2026-09-01", targetStartOn: "2026-10-16" }),
    );
  });

  /**
   * The project's history, one step per test below: a test about a later step
   * first records the earlier ones on its own project (their checks are in their own tests).
   */
  const history = {
    "filing accepted": () => event(id, "filing", { type: "accept", on: "2026-09-30", note: "窗口受理" }),
    "filing approved": () => event(id, "filing", { type: "approve", on: "2026-10-08" }),
    "permit accepted": () => event(id, "permit", { type: "accept", on: "2026-10-09" }),
    "permit in correction": () => event(id, "permit", { type: "request_correction", on: "2026-10-12", note: "缺少施工合同" }),
    "correction received": () => event(id, "permit", { type: "receive_correction", on: "2026-10-14" }, tokens.deptZj),
  };
  async function recordUpTo(last: keyof typeof history) {
    for (const [step, record] of Object.entries(history)) {
      expect([step, (await record()).status]).toEqual([step, 200]);
      if (step === last) return;
    }
  }

  it("fresh, asOf Wed 2026-09-30: on time, critical path filing → permit → start", async () => {
    // Forward: filing ES 09-30, EF 10-08 (国庆 skipped).
    //   permit ES 10-08, EF +5: 10-09, 10-10(Sat make-up), 10-12, 10-13, 10-14 → 10-14.
    //   eia    ES 10-08, EF +2: 10-09, 10-10 → 10-10.   start = max(10-14, 10-10) = 10-14.
    // Backward from Fri 10-16: start LF=LS=10-16; permit LS = 10-16 −5: 10-15,14,13,12,10 → 10-10;
    //   eia LS = 10-16 −2 → 10-14; filing LF = min(10-10, 10-14) = 10-10, LS = 10-09.
    // Slack: filing (10-08,10-10] = 2; permit (10-14,10-16] = 2; eia (10-10,10-16] = 5; start 2.
    const r = await schedule(id, "2026-09-30");
    expect(r.status).toBe(200);
    expect({ ...r.body, items: undefined }).toEqual({
      asOf: "2026-09-30",
      targetStartOn: "2026-10-16",
      forecastStartOn: "2026-10-14",
      atRisk: false,
      criticalPath: ["filing", "permit", "start"],
      provisional: false,
      items: undefined,
    });
    expect(r.body.items.map(line)).toEqual([
      ["filing", "pending", 1, "2026-09-30", "2026-10-08", "2026-10-09", "2026-10-10", 2, true],
      ["permit", "pending", 5, "2026-10-08", "2026-10-14", "2026-10-10", "2026-10-16", 2, true],
      ["eia", "pending", 2, "2026-10-08", "2026-10-10", "2026-10-14", "2026-10-16", 5, false],
      ["start", "pending", 0, "2026-10-14", "2026-10-14", "2026-10-16", "2026-10-16", 2, true],
    ]);
    expect(r.body.items[1]).toMatchObject({ name: "建筑工程施工许可证", department: "住建", kind: "approval", acceptedOn: null, dueOn: null, remainingWorkingDays: null, warning: "none" });
    expect(r.body.items[3]).toMatchObject({ department: null, kind: "milestone" });
  });

  it("fresh, asOf Tue 2026-10-13: late — forecast 10-21, slack −3, atRisk", async () => {
    // filing 10-13 → 10-14; permit 10-14 → 10-15, 16, 19, 20, 21 = 10-21; eia 10-14 → 10-16; start 10-21.
    // start slack = −(10-16, 10-21] = −(10-19, 10-20, 10-21) = −3; permit −3;
    // filing LF = permit LS = 10-16 −5 = 10-10 → slack −(10-10, 10-14] = −(10-12, 10-13, 10-14) = −3.
    // eia LF 10-16, slack (10-16, 10-16] = 0.
    const r = await schedule(id, "2026-10-13");
    expect(r.body).toMatchObject({ forecastStartOn: "2026-10-21", atRisk: true, criticalPath: ["filing", "permit", "start"], provisional: false });
    expect(r.body.items.map(line)).toEqual([
      ["filing", "pending", 1, "2026-10-13", "2026-10-14", "2026-10-09", "2026-10-10", -3, true],
      ["permit", "pending", 5, "2026-10-14", "2026-10-21", "2026-10-10", "2026-10-16", -3, true],
      ["eia", "pending", 2, "2026-10-14", "2026-10-16", "2026-10-14", "2026-10-16", 0, false],
      ["start", "pending", 0, "2026-10-21", "2026-10-21", "2026-10-16", "2026-10-16", -3, true],
    ]);
  });

  it("accept filing on 2026-09-30 → running, due 2026-10-08 (acceptance day not counted, 国庆 skipped)", async () => {
    const r = await event(id, "filing", { type: "accept", on: "2026-09-30", note: "窗口受理" });
    expect(r.status).toBe(200);
    // addWorkingDays(2026-09-30, promisedLimit 1) = 2026-10-08.
    expect(r.body).toMatchObject({ key: "filing", status: "running", acceptedOn: "2026-09-30", dueOn: "2026-10-08", decidedOn: null, paused: false });
    // As of 09-30: remaining (09-30, 10-08] = 1 ≤ yellowLead 1 → yellow.
    const s = await schedule(id, "2026-09-30");
    const filing = s.body.items[0];
    expect(filing).toMatchObject({ status: "running", acceptedOn: "2026-09-30", dueOn: "2026-10-08", remainingWorkingDays: 1, warning: "yellow", earliestStart: "2026-09-30", earliestFinish: "2026-10-08" });
    // As of Fri 10-09 it is one day late: red, remaining −1, EF = max(dueOn, T) = 10-09.
    const late = await schedule(id, "2026-10-09");
    expect(late.body.items[0]).toMatchObject({ remainingWorkingDays: -1, warning: "red", earliestFinish: "2026-10-09" });
  });

  it("approve filing on 2026-10-08; asOf 10-09: filing finished, critical path permit → start", async () => {
    await recordUpTo("filing accepted");
    const r = await event(id, "filing", { type: "approve", on: "2026-10-08" });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: "approved", decidedOn: "2026-10-08", dueOn: "2026-10-08", remainingWorkingDays: null, warning: "none" });
    // permit ES = max(T 10-09, 10-08) = 10-09, EF +5: 10-10, 12, 13, 14, 15 → 10-15; eia 10-09 → 10-10, 10-12.
    // start 10-15, slack (10-15, 10-16] = 1; permit 1; eia (10-12, 10-16] = 4.
    const s = await schedule(id, "2026-10-09");
    expect(s.body).toMatchObject({ forecastStartOn: "2026-10-15", atRisk: false, criticalPath: ["permit", "start"], provisional: false });
    expect(s.body.items.map(line)).toEqual([
      ["filing", "approved", 1, "2026-09-30", "2026-10-08", null, null, null, false],
      ["permit", "pending", 5, "2026-10-09", "2026-10-15", "2026-10-10", "2026-10-16", 1, true],
      ["eia", "pending", 2, "2026-10-09", "2026-10-12", "2026-10-14", "2026-10-16", 4, false],
      ["start", "pending", 0, "2026-10-15", "2026-10-15", "2026-10-16", "2026-10-16", 1, true],
    ]);
  });

  it("accept permit on Fri 2026-10-09 → due Thu 2026-10-15; warnings by asOf", async () => {
    await recordUpTo("filing approved");
    const r = await event(id, "permit", { type: "accept", on: "2026-10-09" });
    expect(r.status).toBe(200);
    // 10-09 + 5 WD: 10-10 (Sat make-up), 10-12, 10-13, 10-14, 10-15.
    expect(r.body).toMatchObject({ status: "running", acceptedOn: "2026-10-09", dueOn: "2026-10-15" });
    const at = async (asOf: string) => (await schedule(id, asOf)).body.items[1];
    // 10-12: (10-12, 10-15] = 3 → none; 10-14: 1 → yellow; 10-15: 0 → yellow; 10-16: −1 → red.
    expect(await at("2026-10-12")).toMatchObject({ remainingWorkingDays: 3, warning: "none", earliestStart: "2026-10-09", earliestFinish: "2026-10-15" });
    expect(await at("2026-10-14")).toMatchObject({ remainingWorkingDays: 1, warning: "yellow" });
    expect(await at("2026-10-15")).toMatchObject({ remainingWorkingDays: 0, warning: "yellow" });
    expect(await at("2026-10-16")).toMatchObject({ remainingWorkingDays: -1, warning: "red", earliestFinish: "2026-10-16" });
    // As of 10-16 eia (not started) becomes the late branch: ES 10-16, EF 10-19, 10-20 → 10-20 > target.
    // eia slack −(10-16, 10-20] = −2, start −2, permit (EF 10-16, LF 10-16) 0.
    const s = await schedule(id, "2026-10-16");
    expect(s.body).toMatchObject({ forecastStartOn: "2026-10-20", atRisk: true, criticalPath: ["eia", "start"] });
    expect(s.body.items.map(line)).toEqual([
      ["filing", "approved", 1, "2026-09-30", "2026-10-08", null, null, null, false],
      ["permit", "running", 5, "2026-10-09", "2026-10-16", "2026-10-10", "2026-10-16", 0, false],
      ["eia", "pending", 2, "2026-10-16", "2026-10-20", "2026-10-14", "2026-10-16", -2, true],
      ["start", "pending", 0, "2026-10-20", "2026-10-20", "2026-10-16", "2026-10-16", -2, true],
    ]);
  });

  it("request_correction on permit 2026-10-12 → correction, paused; the clock freezes with 3 WD left", async () => {
    await recordUpTo("permit accepted");
    const r = await event(id, "permit", { type: "request_correction", on: "2026-10-12", note: "缺少施工合同" });
    expect(r.status).toBe(200);
    // remaining at pause = (10-12, 10-15] = 3; the projected due date is 3 WD after the real today.
    expect(r.body).toMatchObject({
      key: "permit",
      status: "correction",
      paused: true,
      acceptedOn: "2026-10-09",
      remainingWorkingDays: 3,
      warning: "none",
      dueOn: fmt(cal().addWorkingDays(today(), 3)),
    });
    // Schedule as of 10-13: permit EF = 10-13 + 3 = 10-16; eia 10-13 → 10-15; start 10-16 = target → not at risk.
    const s = await schedule(id, "2026-10-13");
    expect(s.body).toMatchObject({ forecastStartOn: "2026-10-16", atRisk: false, criticalPath: ["permit", "start"] });
    expect(s.body.items[1]).toMatchObject({ status: "correction", dueOn: "2026-10-16", remainingWorkingDays: 3, warning: "none", earliestFinish: "2026-10-16", totalSlack: 0, critical: true });
    expect(s.body.items[2]).toMatchObject({ earliestStart: "2026-10-13", earliestFinish: "2026-10-15", totalSlack: 1, critical: false });
  });

  describe("rejected events change nothing", () => {
    // permit is in correction (requested 10-12), filing approved, eia pending; every test
    // here must leave the project and the database exactly as it found them.
    let docBefore: ApiResult;
    let dbBefore: ReturnType<typeof dbSnapshot>;
    beforeEach(async () => {
      await recordUpTo("permit in correction");
      docBefore = await getDoc(id);
      dbBefore = dbSnapshot();
    });
    afterEach(async () => {
      expect(dbSnapshot(), "a rejected event wrote to the database").toEqual(dbBefore);
      const docAfter = await getDoc(id);
      expect(docAfter.status).toBe(200);
      expect(docAfter.body).toEqual(docBefore.body);
    });

    it("409 for illegal transitions, with a Chinese message", async () => {
      // eia is pending: it cannot be approved before acceptance …
      expectApiError(await event(id, "eia", { type: "approve", on: "2026-10-12" }), 409, "conflict", "尚未受理");
      // … and receives no correction when none was requested.
      expectApiError(await event(id, "eia", { type: "receive_correction", on: "2026-10-12" }), 409, "conflict", "待办理");
      // filing is approved: nothing but a new application makes sense.
      expectApiError(await event(id, "filing", { type: "request_correction", on: "2026-10-12" }), 409, "conflict", "已办结");
      // permit is in correction: it cannot be approved, nor end a special procedure that never started.
      expectApiError(await event(id, "permit", { type: "approve", on: "2026-10-13" }), 409, "conflict", "补正中");
      expectApiError(await event(id, "permit", { type: "end_special", on: "2026-10-13" }), 409, "conflict");
      // A milestone is never accepted.
      expectApiError(await event(id, "start", { type: "accept", on: "2026-10-13" }), 409, "conflict", "里程碑");
    });

    it("422 for an unknown type, a bad date, a future date, an event dated before the previous one", async () => {
      expectApiError(await event(id, "permit", { type: "teleport", on: "2026-10-13" }), 422, "invalid", "未知的事件类型");
      expectApiError(await event(id, "permit", { on: "2026-10-13" }), 422, "invalid");
      expectApiError(await event(id, "permit", { type: "receive_correction", on: "2026-02-30" }), 422, "invalid", "事件日期");
      expectApiError(await event(id, "permit", { type: "receive_correction", on: "13/10/2026" }), 422, "invalid", "事件日期");
      expectApiError(await event(id, "permit", { type: "receive_correction" }), 422, "invalid", "事件日期");
      expectApiError(await event(id, "permit", { type: "receive_correction", on: 20261013 }), 422, "invalid", "事件日期");
      expectApiError(await event(id, "permit", { type: "receive_correction", on: "2099-01-05" }), 422, "invalid", "不能晚于今天");
      expectApiError(await event(id, "permit", { type: "receive_correction", on: fmt(today() + 1) }), 422, "invalid", "不能晚于今天");
      // The correction was requested on 10-12; a receipt dated 10-09 would rewrite history.
      expectApiError(await event(id, "permit", { type: "receive_correction", on: "2026-10-09" }), 422, "invalid", "不能倒填");
      expectApiError(await event(id, "permit", { type: "receive_correction", on: "2026-10-13", note: "长".repeat(2001) }), 422, "invalid", "备注");
    });

    it("400 for a malformed body, 404 for an unknown item or project, 401 without a token", async () => {
      const path = `/api/v1/projects/${id}/items/permit/events`;
      expectApiError(await call(postEvent, path, { token: tokens.proxy, rawBody: "{type:", params: { id: String(id), key: "permit" } }), 400, "bad_request", "JSON");
      expectApiError(await event(id, "no-such-item", { type: "accept", on: "2026-10-13" }), 404, "not_found", "no-such-item");
      expectApiError(await event(99_999_999, "permit", { type: "accept", on: "2026-10-13" }), 404, "not_found");
      expectApiError(await event("abc", "permit", { type: "accept", on: "2026-10-13" }), 404, "not_found");
      expectApiError(await event(id, "permit", { type: "receive_correction", on: "2026-10-13" }, null), 401, "unauthorized");
      expectApiError(await event(id, "permit", { type: "receive_correction", on: "2026-10-13" }, "gc_bogus"), 401, "unauthorized");
    });

    it("403 for users who may see but not act (other proxy, other department, enterprise, leader); 404 for those who may not see", async () => {
      const body = { type: "receive_correction", on: "2026-10-13" };
      expectApiError(await event(id, "permit", body, tokens.proxy2), 403, "forbidden");
      expectApiError(await event(id, "permit", body, tokens.deptFg), 403, "forbidden"); // permit is 住建's
      expectApiError(await event(id, "permit", body, tokens.entA), 403, "forbidden");
      expectApiError(await event(id, "permit", body, tokens.leader), 403, "forbidden");
      expectApiError(await event(id, "permit", body, tokens.coordinator), 403, "forbidden");
      expectApiError(await event(id, "permit", body, tokens.deptYj), 404, "not_found"); // 应急 not involved
      expectApiError(await event(id, "permit", body, tokens.entB), 404, "not_found");
    });

    it("a JSON body that is not an object, or a field of the wrong JSON type → 422 with a Chinese message", async () => {
      const results = [];
      for (const body of [null, ["receive_correction", "2026-10-13"], { type: "receive_correction", on: "2026-10-13", note: 5 }]) {
        const r = await event(id, "permit", body);
        results.push({ body, status: r.status, code: r.body?.error?.code, message: r.body?.error?.message });
      }
      expect(results.map((x) => [x.status, x.code])).toEqual([[422, "invalid"], [422, "invalid"], [422, "invalid"]]);
      expect(results.filter((x) => !/[\u4e00-\u9fff]/.test(String(x.message)))).toEqual([]);
    });

    it("409 for a stale expectedVersion", async () => {
      expectApiError(await event(id, "permit", { type: "receive_correction", on: "2026-10-13", expectedVersion: 1 }), 409, "conflict");
    });

    it("405 for GET on the events endpoint", async () => {
      const r = await call(getEvents, `/api/v1/projects/${id}/items/permit/events`, { token: tokens.proxy, params: { id: String(id), key: "permit" } });
      expectApiError(r, 405, "method_not_allowed");
      expect(r.headers.get("Allow")).toBe("POST");
    });
  });

  it("receive_correction on 2026-10-14 → running, due pushed by the 2 paused WD to Mon 2026-10-19", async () => {
    await recordUpTo("permit in correction");
    // The responsible department (住建) may record it.
    const r = await event(id, "permit", { type: "receive_correction", on: "2026-10-14" }, tokens.deptZj);
    expect(r.status).toBe(200);
    // paused (10-12, 10-14] = 2 WD; due = 10-09 + (5 + 2) WD: 10-10, 12, 13, 14, 15, 16, 19 → 10-19.
    expect(r.body).toMatchObject({ status: "running", paused: false, acceptedOn: "2026-10-09", dueOn: "2026-10-19" });
    const s = await schedule(id, "2026-10-14");
    // permit EF = max(10-19, 10-14) = 10-19 > target 10-16 → at risk by (10-16, 10-19] = 1 WD.
    expect(s.body).toMatchObject({ forecastStartOn: "2026-10-19", atRisk: true, criticalPath: ["permit", "start"] });
    expect(s.body.items[1]).toMatchObject({ remainingWorkingDays: 3, warning: "none", totalSlack: -1, critical: true });
  });

  it("approve permit and mark 开工 done → the project is started; escalations list stays empty", async () => {
    await recordUpTo("correction received");
    expect((await event(id, "permit", { type: "approve", on: "2026-10-16" }, tokens.deptZj)).body).toMatchObject({ status: "approved", decidedOn: "2026-10-16", dueOn: "2026-10-19" });
    expect((await event(id, "eia", { type: "waive", on: "2026-10-16" })).body).toMatchObject({ status: "waived", decidedOn: "2026-10-16", dueOn: null });
    expect((await event(id, "start", { type: "approve", on: "2026-10-16" })).body).toMatchObject({ status: "approved", decidedOn: "2026-10-16" });
    const doc = await getDoc(id);
    expect(doc.body.status).toBe("started");
    const s = await schedule(id, "2026-10-20");
    // Everything finished: forecast = the actual start date; no critical items left.
    expect(s.body).toMatchObject({ forecastStartOn: "2026-10-16", atRisk: false, criticalPath: [] });
    expect((await escalationsOf(id)).body).toEqual([]);
  });
});

describe("POST /api/v1/projects/:id/items/:key/events — department access on general-industrial", () => {
  let id = 0;
  beforeEach(async () => {
    id = await create(projectBody({ name: "接口测试：部门办理" }));
    receiveMaterials(id);
  });

  it("a 发改 user accepts filing (200, due = addWorkingDays(on, 1) from the template's promisedLimit)", async () => {
    const template = JSON.parse(readFileSync(resolve("templates/general-industrial.json"), "utf8"));
    const limit = template.items.find((i: { key: string }) => i.key === "filing").promisedLimit;
    expect(limit).toBe(1);
    const r = await event(id, "filing", { type: "accept", on: "2026-09-30" }, tokens.deptFg);
    expect(r.status).toBe(200);
    // 2026-09-30 + 1 WD: 10-01..10-07 off → Thu 2026-10-08, long past → red.
    expect(r.body).toMatchObject({ key: "filing", status: "running", acceptedOn: "2026-09-30", dueOn: "2026-10-08", warning: "red" });
  });

  it("a 住建 user may not act on 发改's filing (403) but may on joint-drawing-review (200)", async () => {
    const before = dbSnapshot();
    expectApiError(await event(id, "filing", { type: "approve", on: "2026-10-09" }, tokens.deptZj), 403, "forbidden");
    expect(dbSnapshot()).toEqual(before);
    // joint-drawing-review: promised 10 WD, correctionRestartsClock. Accepted Mon 2026-09-14:
    // 09-15..18 (4), Sun 09-20 make-up (5), 09-21..24 (9), 09-28 (10) — 09-25..27 中秋 off → due Mon 2026-09-28.
    const r = await event(id, "joint-drawing-review", { type: "accept", on: "2026-09-14" }, tokens.deptZj);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: "running", acceptedOn: "2026-09-14", dueOn: "2026-09-28" });
    // Correction requested 09-16, received Fri 10-09: the clock restarts, due = 10-09 + 10 WD:
    // 10-10, 10-12..16 (6), 10-19..22 (10) → Thu 2026-10-22.
    expect((await event(id, "joint-drawing-review", { type: "request_correction", on: "2026-09-16" }, tokens.deptZj)).body).toMatchObject({ status: "correction", paused: true, remainingWorkingDays: 10 });
    expect((await event(id, "joint-drawing-review", { type: "receive_correction", on: "2026-10-09" }, tokens.deptZj)).body).toMatchObject({ status: "running", dueOn: "2026-10-22" });
  });

  it("calendar-day limits: eia-approval (16 日) accepted 2026-09-30 is due 2026-10-16", async () => {
    // 16 calendar days after 09-30 → 10-16, whatever the holidays.
    const r = await event(id, "eia-approval", { type: "accept", on: "2026-09-30" });
    expect(r.body).toMatchObject({ status: "running", dueOn: "2026-10-16", limitUnit: "calendarDays" });
  });
});

// ---------------------------------------------------------------- escalations

describe("GET /api/v1/projects/:id/escalations", () => {
  let id = 0;
  beforeEach(async () => {
    id = await create(projectBody({ name: "接口测试：督办记录" }));
  });

  it("200 [] for a new project", async () => {
    const r = await escalationsOf(id);
    expect(r.status).toBe(200);
    expect(r.body).toEqual([]);
  });

  it("lists escalations as {itemKey, level, dueOn, firedAt, acknowledgedAt}", async () => {
    const db = getDb();
    const item = db.select().from(itemsTable).where(sql`${itemsTable.projectId} = ${id} and ${itemsTable.key} = 'filing'`).get()!;
    const fired = Date.parse("2026-10-09T01:00:00Z"); // 09:00 Shanghai on the day after due
    db.insert(escalations).values({ projectId: id, itemId: item.id, level: "red", dueOn: "2026-10-08", dedupeKey: `item-${item.id}-red-2026-10-08`, fireAt: fired, firedAt: fired }).run();
    const r = await escalationsOf(id);
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(1);
    expect(r.body[0]).toMatchObject({ itemKey: "filing", level: "red", dueOn: "2026-10-08", firedAt: "2026-10-09T01:00:00.000Z", acknowledgedAt: null });
  });

  it("visible to the own enterprise; 404 for another enterprise, unknown or non-numeric ids; 401 without token", async () => {
    expect((await escalationsOf(id, tokens.entA)).status).toBe(200);
    expectApiError(await escalationsOf(id, tokens.entB), 404, "not_found");
    expectApiError(await escalationsOf(id, tokens.deptYj), 404, "not_found");
    expectApiError(await escalationsOf(99_999_999), 404, "not_found");
    expectApiError(await escalationsOf("x1"), 404, "not_found");
    expectApiError(await call(getEscalations, `/api/v1/projects/${id}/escalations`, { params: { id: String(id) } }), 401, "unauthorized");
  });
});

// ---------------------------------------------------------------- unknown paths

describe("unknown API paths (api.v1.$)", () => {
  it("GET and POST to an unknown path → 404 JSON error, not HTML", async () => {
    const g = await call(notFoundLoader, "/api/v1/no-such-thing", { token: tokens.proxy, params: { "*": "no-such-thing" } });
    expectApiError(g, 404, "not_found", "接口不存在");
    expect(g.headers.get("Content-Type")).toContain("application/json");
    const p = await call(notFoundAction, "/api/v1/projects/1/items/x/unknown", { token: tokens.proxy, json: {}, params: { "*": "projects/1/items/x/unknown" } });
    expectApiError(p, 404, "not_found", "接口不存在");
  });

  it("without a token the answer is still a JSON error (401: authentication comes first)", async () => {
    const r = await call(notFoundLoader, "/api/v1/no-such-thing", { params: { "*": "no-such-thing" } });
    expectApiError(r, 401, "unauthorized");
  });
});
