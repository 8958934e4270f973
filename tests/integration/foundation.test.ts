import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb, migrateDb } from "../../db/client";
import { DEMO_PASSWORD, seedDemo } from "../../scripts/demo-seed";
import { action as loginAction } from "~/routes/login";
import { action as logoutAction } from "~/routes/logout";
import { loader as projectLoader } from "~/routes/_app.projects.$projectId";
import { loader as portalProjectLoader } from "~/routes/_app.portal_.projects.$id";
import { loader as projectsLoader } from "~/routes/_app.projects._index";
import { loader as adminLoader } from "~/routes/_app.admin._index";
import { getDb } from "~/utils/db.server";
import { redisAvailable } from "../../jobs/connection";
import { useDemoCity } from "../setup/db";

const TABLES = [
  "action_items", "agenda_items", "api_tokens", "audit_log", "briefings", "calendar_overrides", "calendar_years", "clock_events",
  "contact_logs", "decisions", "department_month_stats", "department_stats", "departments", "dependencies", "enterprise_invitations", "enterprises", "escalations", "import_jobs", "item_materials", "items",
  "materials", "meeting_departments", "meetings", "message_reads", "notifications", "project_messages", "project_proxies", "project_stats", "project_stats_totals", "projects", "ratings", "sessions", "settings",
  "template_versions", "timetable_changes", "uploads", "users",
];

function counts() {
  const db = getDb();
  return Object.fromEntries(TABLES.map((t) => [t, db.get<{ n: number }>(sql.raw(`select count(*) as n from ${t}`)).n]));
}

async function signIn(login: string, password: string) {
  const body = new URLSearchParams({ login, password });
  return (await loginAction({ request: new Request("http://localhost/login", { method: "POST", body }), params: {}, context: {} })) as Response;
}

/** A failed sign-in answers with Remix `data()`: its payload and status. */
async function failedSignIn(login: string, password: string) {
  const r = (await signIn(login, password)) as unknown as { data: { error: string }; init: { status: number } };
  return { status: r.init.status, error: r.data.error };
}

function cookieOf(res: Response): string {
  return (res.headers.get("Set-Cookie") ?? "").split(";")[0];
}

async function thrown(fn: () => Promise<unknown>): Promise<Response> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof Response) return e;
    throw e;
  }
  throw new Error("expected a thrown Response");
}

describe("database", () => {
  it("applies the committed migrations to an empty file with WAL and foreign keys on", () => {
    const dir = mkdtempSync(join(tmpdir(), "gc-mig-"));
    const file = join(dir, "fresh.db");
    const db = createDb(file);
    migrateDb(db);
    const names = db
      .all<{ name: string }>(sql`select name from sqlite_master where type = 'table' order by name`)
      .map((r) => r.name)
      .filter((n) => !n.startsWith("__drizzle") && !n.startsWith("sqlite_"));
    expect(names).toEqual(TABLES);
    expect(db.$client.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.$client.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(() => db.$client.prepare("insert into items (project_id, key, name, kind) values (999, 'x', 'x', 'approval')").run()).toThrow(/FOREIGN KEY/);
    db.$client.close();
    expect(existsSync(file)).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("demo data", () => {
  // Each test gets its own copy of the demo city, seeded once per run at 2026-11-27 10:00 Shanghai (tests/setup/global-setup.ts).
  useDemoCity();

  it("looks like a city: departments, one user per role, 8–12 projects in different states", () => {
    const c = counts();
    expect(c.departments).toBeGreaterThanOrEqual(12);
    expect(c.projects).toBeGreaterThanOrEqual(8);
    expect(c.projects).toBeLessThanOrEqual(12);
    const logins = getDb().all<{ login: string; role: string }>(sql`select login, role from users`);
    for (const role of ["admin", "proxy", "enterprise", "dept", "coordinator", "leader"]) {
      expect(logins.find((u) => u.login === role)?.role).toBe(role);
    }
    const statuses = getDb().all<{ status: string }>(sql`select distinct status from items`).map((r) => r.status);
    expect(statuses).toEqual(expect.arrayContaining(["approved", "running", "pending", "correction", "special"]));
    const started = getDb().get<{ n: number }>(sql`select count(*) as n from projects where status = 'started'`).n;
    expect(started).toBeGreaterThanOrEqual(1);
    const overdue = getDb().get<{ n: number }>(sql`select count(*) as n from items where status = 'running' and due_on < '2026-11-27'`).n;
    expect(overdue).toBeGreaterThanOrEqual(1);
  });

  it("is idempotent: a second run changes nothing", async () => {
    const before = counts();
    expect(await seedDemo(getDb(), new Date("2026-11-28T02:00:00Z"))).toBe(false);
    expect(counts()).toEqual(before);
  });

  it("signs in with the demo password and lands by role", async () => {
    const res = await signIn("leader", DEMO_PASSWORD);
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/dashboard");
    expect(cookieOf(res)).toMatch(/^gc_session=/);
  });

  it("refuses a wrong password and an unknown user with the same message, writing nothing but the audit record of each failure", async () => {
    const before = counts();
    for (const [login, pw] of [["proxy", "wrong-password"], ["nobody", DEMO_PASSWORD], ["", ""]]) {
      const res = await failedSignIn(login, pw);
      expect(res.status).toBe(login ? 401 : 400);
      expect(res.error).toBe(login ? "用户名或密码不正确" : "请输入用户名");
    }
    expect(counts()).toEqual({ ...before, audit_log: before.audit_log + 2 });
    const failures = getDb().all<{ detail: string }>(sql`select detail from audit_log where action = 'auth.signInFailed' order by id`);
    expect(failures.map((f) => JSON.parse(f.detail).login)).toEqual(["proxy", "nobody"]);
    expect(failures.map((f) => f.detail).join()).not.toContain("wrong-password");
  });

  it("keeps a session across requests, and a tampered cookie counts as signed out", async () => {
    const cookie = cookieOf(await signIn("proxy", DEMO_PASSWORD));
    const ok = await projectsLoader({ request: new Request("http://localhost/projects", { headers: { Cookie: cookie } }), params: {}, context: {} });
    expect((ok as { projects: unknown[] }).projects.length).toBeGreaterThan(0);

    const [name, value] = cookie.split("=");
    const tampered = `${name}=${value.slice(0, -3)}${value.endsWith("abc") ? "xyz" : "abc"}`;
    const res = await thrown(() => projectsLoader({ request: new Request("http://localhost/projects", { headers: { Cookie: tampered } }), params: {}, context: {} }));
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/login?redirectTo=%2Fprojects");
  });

  it("signs out by ending the session on the server: a copy of the old cookie no longer signs anyone in", async () => {
    const cookie = cookieOf(await signIn("proxy", DEMO_PASSWORD));
    const res = (await logoutAction({ request: new Request("http://localhost/logout", { method: "POST", headers: { Cookie: cookie } }), params: {}, context: {} })) as Response;
    expect(res.headers.get("Location")).toBe("/login");
    expect(res.headers.get("Set-Cookie")).toMatch(/gc_session=;.*Expires=Thu, 01 Jan 1970/);
    const replay = await thrown(() => projectsLoader({ request: new Request("http://localhost/projects", { headers: { Cookie: cookie } }), params: {}, context: {} }));
    expect(replay.headers.get("Location")).toBe("/login?redirectTo=%2Fprojects");
  });

  it("rotates the session at every sign-in: two sign-ins get two different cookies, both live until signed out", async () => {
    const a = cookieOf(await signIn("proxy", DEMO_PASSWORD));
    const b = cookieOf(await signIn("proxy", DEMO_PASSWORD));
    expect(a).not.toBe(b);
    for (const cookie of [a, b]) {
      const ok = await projectsLoader({ request: new Request("http://localhost/projects", { headers: { Cookie: cookie } }), params: {}, context: {} });
      expect((ok as { projects: unknown[] }).projects.length).toBeGreaterThan(0);
    }
    expect(getDb().get<{ n: number }>(sql`select count(*) as n from audit_log where action = 'auth.signIn'`).n).toBeGreaterThanOrEqual(2);
  });

  it("an enterprise contact gets 404 for another enterprise's project and 200 for their own (in the portal; the staff page is 404 to them)", async () => {
    const db = getDb();
    const me = db.get<{ enterprise_id: number }>(sql`select enterprise_id from users where login = 'enterprise'`)!;
    const own = db.get<{ id: number }>(sql`select id from projects where enterprise_id = ${me.enterprise_id} limit 1`)!;
    const other = db.get<{ id: number }>(sql`select id from projects where enterprise_id != ${me.enterprise_id} limit 1`)!;
    const cookie = cookieOf(await signIn("enterprise", DEMO_PASSWORD));
    const req = (id: number) => new Request(`http://localhost/projects/${id}`, { headers: { Cookie: cookie } });

    const denied = await thrown(() => portalProjectLoader({ request: req(other.id), params: { id: String(other.id) }, context: {} }));
    expect(denied.status).toBe(404);
    const mine = (await portalProjectLoader({ request: req(own.id), params: { id: String(own.id) }, context: {} })) as { project: { id: number } };
    expect(mine.project.id).toBe(own.id);
    // Issue 12: the staff project page (internal log, audit, 督办) does not exist for enterprise users.
    expect((await thrown(() => projectLoader({ request: req(own.id), params: { projectId: String(own.id) }, context: {} }))).status).toBe(404);

    const list = (await projectsLoader({ request: new Request("http://localhost/projects", { headers: { Cookie: cookie } }), params: {}, context: {} })) as { projects: { id: number }[] };
    expect(list.projects.map((p) => p.id)).toContain(own.id);
    expect(list.projects.map((p) => p.id)).not.toContain(other.id);
  });

  it("keeps the admin page to administrators", async () => {
    const cookie = cookieOf(await signIn("proxy", DEMO_PASSWORD));
    const res = await thrown(() => adminLoader({ request: new Request("http://localhost/admin", { headers: { Cookie: cookie } }), params: {}, context: {} }));
    expect(res.status).toBe(403);
  });
});

describe("Redis status", () => {
  it("reports the real Redis as reachable", async () => {
    expect(await redisAvailable()).toBe(true);
  });
});
