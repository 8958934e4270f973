/**
 * A real deployment, as a new city would start one (issue 10): an empty database
 * prepared with SEED_DEMO=false, the first administrator from `npm run
 * create-admin`, a proxy officer, then a project from every shipped template
 * through the intake page — and the API that answered 500 before now answers 201.
 */
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { departments, items, projects, users } from "../../db/schema";
import { DEFAULT_DEPARTMENTS } from "~/domain/catalog/departments";
import { action as newProjectAction } from "~/routes/_app.projects.new";
import { action as createViaApi } from "~/routes/api.v1.projects._index";
import { action as loginAction } from "~/routes/login";
import { createApiToken } from "~/services/auth.server";
import { hashPassword } from "~/services/passwords.server";
import { getDb, resetDbForTests } from "~/utils/db.server";
import { prepareDatabase } from "../../scripts/prepare-database";
import { call } from "./api-helpers";
import { creditCode, uniqueCredit17 } from "../factories";

const SHIPPED = readdirSync("templates").filter((f) => f.endsWith(".json")).map((f) => f.replace(/\.json$/, ""));

let file: string;

beforeEach(() => {
  // Not the suite's migrated copy: a path with nothing at it, as on a new server.
  file = join(inject("testRunDir"), `fresh-${randomUUID().slice(0, 8)}.db`);
  process.env.DATABASE_PATH = file;
  resetDbForTests();
});

async function signIn(login: string, password: string): Promise<string> {
  const res = (await loginAction({ request: new Request("http://localhost/login", { method: "POST", body: new URLSearchParams({ login, password }) }), params: {}, context: {} })) as Response;
  expect(res.status).toBe(302);
  return (res.headers.get("Set-Cookie") ?? "").split(";")[0];
}

describe("a deployment started without the demo", () => {
  it("ships its department catalogue, takes its first administrator from the CLI and creates a project from every shipped template through the page", async () => {
    const prepared = await prepareDatabase({ ...process.env, SEED_DEMO: "false" });
    expect(prepared.seeded).toBe(false);
    const db = getDb();
    expect(db.select().from(users).all()).toEqual([]);
    expect(db.select({ code: departments.code }).from(departments).all().map((d) => d.code).sort()).toEqual(DEFAULT_DEPARTMENTS.map((d) => d.code).sort());

    const cli = spawnSync(process.execPath, ["--import", "tsx", "scripts/create-admin.ts", "boss", "市绿色通道办管理员"], {
      env: { ...process.env, DATABASE_PATH: file, ADMIN_PASSWORD: "Kaigong-2027-lvtong" },
      encoding: "utf8",
    });
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toContain("已创建管理员「boss」");
    const boss = db.select().from(users).where(eq(users.login, "boss")).get()!;
    expect(boss.role).toBe("admin");

    // The officer the administrator takes on (the user pages have their own tests).
    const officer = db.insert(users).values({ login: "zhang", displayName: "张代办", role: "proxy", passwordHash: await hashPassword("officer-pass-1") }).returning().get();
    const cookie = await signIn("boss", "Kaigong-2027-lvtong");

    for (const [n, key] of SHIPPED.entries()) {
      const fields = new URLSearchParams([
        ["name", `新建项目 ${key}`],
        ["code", `2026-330100-34-03-${String(900 + n).padStart(6, "0")}`],
        ["enterprise.name", `江城首家企业${n}有限公司`],
        ["enterprise.creditCode", creditCode(uniqueCredit17())],
        ["investment", "30000"],
        ["level", "city"],
        ["templateKey", key],
        ["signedOn", "2026-11-02"],
        ["targetStartOn", "2027-06-30"],
        ["proxyUserIds", String(officer.id)],
      ]);
      const res = (await newProjectAction({ request: new Request("http://localhost/projects/new", { method: "POST", body: fields, headers: { Cookie: cookie } }), params: {}, context: {} })) as Response;
      expect(res.status, `template ${key}`).toBe(302);
      const id = Number(res.headers.get("Location")!.split("/").pop());
      const p = db.select().from(projects).where(eq(projects.id, id)).get()!;
      expect(p.templateKey).toBe(key);
      const itemRows = db.select().from(items).where(eq(items.projectId, id)).all();
      expect(itemRows.length).toBeGreaterThan(5);
      // Every approval went to a real department of the shipped catalogue.
      expect(itemRows.filter((i) => i.kind === "approval").every((i) => i.departmentId !== null)).toBe(true);
    }
    expect(db.get<{ n: number }>(sql`select count(*) as n from projects`).n).toBe(SHIPPED.length);
  });

  it("answers POST /api/v1/projects with 201 (it was a 500: 未知部门「住建」)", async () => {
    await prepareDatabase({ ...process.env, SEED_DEMO: "false" });
    const db = getDb();
    db.insert(users).values({ login: "boss", displayName: "管理员", role: "admin", passwordHash: await hashPassword("Kaigong-2027-lvtong") }).run();
    const token = createApiToken(db, "boss");
    const created = await call(createViaApi, "/api/v1/projects", {
      token,
      json: { name: "接口创建项目", enterprise: { name: "江城接口企业有限公司", creditCode: creditCode(uniqueCredit17()) }, templateKey: "general-industrial", signedOn: "2026-11-02", targetStartOn: "2027-06-30" },
    });
    expect(created.status).toBe(201);
    expect(created.body.id).toEqual(expect.any(Number));
  });

  it("answers a 422 naming the department when a template needs one the deployment switched off", async () => {
    await prepareDatabase({ ...process.env, SEED_DEMO: "false" });
    const db = getDb();
    db.update(departments).set({ active: false }).where(eq(departments.code, "住建")).run();
    db.insert(users).values({ login: "boss", displayName: "管理员", role: "admin", passwordHash: await hashPassword("Kaigong-2027-lvtong") }).run();
    const refused = await call(createViaApi, "/api/v1/projects", {
      token: createApiToken(db, "boss"),
      json: { name: "接口创建项目", enterprise: { name: "江城接口企业有限公司", creditCode: creditCode(uniqueCredit17()) }, templateKey: "general-industrial", signedOn: "2026-11-02", targetStartOn: "2027-06-30" },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toContain("住建");
    expect(db.select().from(projects).all()).toEqual([]);
  });
});
