import { readFileSync } from "node:fs";
import { count, eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { auditLog, departments, items, projects, templateVersions } from "../../db/schema";
import { AppError } from "~/services/errors.server";
import {
  exportTemplate,
  getTemplate,
  importTemplate,
  listTemplates,
  TemplateImportError,
  templateForNewProject,
  templateGraph,
} from "~/services/template-library.server";
import { createProject } from "~/services/project-creation.server";
import { getDb } from "~/utils/db.server";
import { action as loginAction } from "~/routes/login";
import { action as importAction, loader as libraryLoader } from "~/routes/_app.admin.templates._index";
import { loader as detailLoader } from "~/routes/_app.admin.templates.$key";
import { loader as exportLoader } from "~/routes/admin.templates.$key[.json]";
import { buildProject, ctxAt, insertProject, insertUser, TEST_PASSWORD, type TestUser } from "../factories";
import { caught } from "../support/app-error";

const SHIPPED = JSON.parse(readFileSync("templates/general-industrial.json", "utf8")) as {
  key: string;
  version: number;
  name: string;
  items: Record<string, unknown>[];
  dependencies: { from: string; to: string; lagWorkingDays?: number }[];
};
const SHIPPED_ITEMS = SHIPPED.items.length; // 29
const IMPORT_DAY = "2026-03-10";

/** general-industrial as an administrator edits it: the shipped file with changes. */
function edited(change: (t: typeof SHIPPED) => void = () => {}): string {
  const t = structuredClone(SHIPPED);
  change(t);
  return JSON.stringify(t, null, 2);
}

/** The shipped file plus one intermediary item (a traffic impact study) before the scheme review. */
const withTrafficStudy = () =>
  edited((t) => {
    t.items.push({ key: "traffic-study", name: "交通影响评价", kind: "intermediary", stage: 2, plannedDuration: 15, materials: ["交通影响评价报告"] });
    t.dependencies.push({ from: "traffic-study", to: "scheme-review" });
  });

function itemCount(projectId: number): number {
  return getDb().select({ n: count() }).from(items).where(eq(items.projectId, projectId)).get()!.n;
}
function projectRow(projectId: number) {
  return getDb().select().from(projects).where(eq(projects.id, projectId)).get()!;
}
function written() {
  const db = getDb();
  return {
    versions: db.select({ n: count() }).from(templateVersions).get()!.n,
    audits: db.select({ n: count() }).from(auditLog).where(eq(auditLog.action, "template.import")).get()!.n,
  };
}
function importError(fn: () => unknown): TemplateImportError {
  const e = caught(fn);
  expect(e).toBeInstanceOf(TemplateImportError);
  return e as TemplateImportError;
}

let admin: TestUser;
let proxy: TestUser;
beforeEach(async () => {
  admin = await insertUser({ role: "admin" });
  proxy = await insertUser({ role: "proxy" });
});

describe("the template library", () => {
  it("lists the three shipped templates, each at its file's version, with the projects using it", () => {
    insertProject(proxy);
    const list = listTemplates(getDb());
    expect(list.map((t) => t.key)).toEqual(["approval-core", "general-industrial", "standard-land"]);
    const gi = list.find((t) => t.key === "general-industrial")!;
    expect(gi).toMatchObject({ name: "一般社会投资工业项目（备案类）", latestVersion: 1, itemCount: SHIPPED_ITEMS, projectCount: 1, unusableReason: null });
    expect(gi.versions).toEqual([{ version: 1, source: "shipped", name: gi.name, itemCount: SHIPPED_ITEMS, createdAt: null, createdBy: null, projectCount: 1 }]);
    expect(list.every((t) => t.versions.every((v) => v.source === "shipped"))).toBe(true);
  });

  it("imports a new version: numbered shipped + 1, used by new projects only", () => {
    const before = insertProject(proxy, { signedOn: "2026-03-02" });
    expect(projectRow(before).templateVersion).toBe(1);
    expect(itemCount(before)).toBe(SHIPPED_ITEMS);

    const r = importTemplate(ctxAt(IMPORT_DAY), admin, withTrafficStudy(), "general-industrial.json");
    expect(r).toEqual({ key: "general-industrial", version: 2, name: "一般社会投资工业项目（备案类）", itemCount: SHIPPED_ITEMS + 1, fileVersion: 1, previousVersion: 1 });

    // The project created before keeps its version and its items.
    expect(projectRow(before).templateVersion).toBe(1);
    expect(itemCount(before)).toBe(SHIPPED_ITEMS);

    // One created after gets the new version and the extra item.
    const after = createProject(ctxAt(IMPORT_DAY), proxy, buildProject({ templateKey: "general-industrial", signedOn: IMPORT_DAY })).id;
    expect(projectRow(after).templateVersion).toBe(2);
    expect(itemCount(after)).toBe(SHIPPED_ITEMS + 1);
    expect(getDb().select().from(items).where(eq(items.projectId, after)).all().some((i) => i.key === "traffic-study")).toBe(true);
    expect(itemCount(before)).toBe(SHIPPED_ITEMS);

    const gi = listTemplates(getDb()).find((t) => t.key === "general-industrial")!;
    expect(gi).toMatchObject({ latestVersion: 2, itemCount: SHIPPED_ITEMS + 1, projectCount: 2 });
    expect(gi.versions.map((v) => [v.version, v.source, v.itemCount, v.projectCount])).toEqual([
      [2, "imported", SHIPPED_ITEMS + 1, 1],
      [1, "shipped", SHIPPED_ITEMS, 1],
    ]);
    expect(gi.versions[0]).toMatchObject({ createdAt: ctxAt(IMPORT_DAY).now.getTime(), createdBy: `测试${admin.login}` });

    // Both versions stay readable; the newest is the default.
    expect(getTemplate(getDb(), "general-industrial").template.version).toBe(2);
    expect(getTemplate(getDb(), "general-industrial", 1).template.items).toHaveLength(SHIPPED_ITEMS);
    expect(caught(() => getTemplate(getDb(), "general-industrial", 3)).status).toBe(404);
    expect(caught(() => getTemplate(getDb(), "no-such-template")).status).toBe(404);

    const audit = getDb().select().from(auditLog).where(eq(auditLog.action, "template.import")).all();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorUserId: admin.id, entityType: "template" });
    expect(JSON.parse(audit[0].detail!)).toMatchObject({ key: "general-industrial", version: 2, fileVersion: 1, fileName: "general-industrial.json" });
  });

  it("numbers each import after the newest version whatever the file says, unless the file says more", () => {
    importTemplate(ctxAt(IMPORT_DAY), admin, withTrafficStudy(), "a.json");
    // The file still says version 1 (an edited export of the shipped file): it becomes 3.
    const third = importTemplate(ctxAt(IMPORT_DAY), admin, edited((t) => {
        t.items[0].note = "即办件";
      }), "b.json");
    expect(third.version).toBe(3);
    // A file that says 7 keeps 7; the next import after it is 8.
    expect(importTemplate(ctxAt(IMPORT_DAY), admin, edited((t) => {
          t.version = 7;
          t.items[0].note = "第七版";
        }), "c.json").version).toBe(7);
    expect(importTemplate(ctxAt(IMPORT_DAY), admin, edited((t) => {
          t.version = 2;
          t.items[0].note = "第八版";
        }), "d.json").version).toBe(8);
    expect(listTemplates(getDb()).find((t) => t.key === "general-industrial")!.versions.map((v) => v.version)).toEqual([8, 7, 3, 2, 1]);
    expect(templateForNewProject(getDb(), "general-industrial").items[0].note).toBe("第八版");
  });

  it("imports a template with a new key as its first version", () => {
    const r = importTemplate(
      ctxAt(IMPORT_DAY),
      admin,
      edited((t) => {
        t.key = "city-industrial";
        t.name = "本市工业项目";
      }),
      "city.json",
    );
    expect(r).toMatchObject({ key: "city-industrial", version: 1, previousVersion: null });
    expect(listTemplates(getDb()).map((t) => t.key)).toContain("city-industrial");
    const id = createProject(ctxAt(IMPORT_DAY), proxy, buildProject({ templateKey: "city-industrial", signedOn: IMPORT_DAY })).id;
    expect(projectRow(id)).toMatchObject({ templateKey: "city-industrial", templateVersion: 1 });
  });

  it.each([
    {
      what: "an unknown department",
      text: () => edited((t) => (t.items[13].department = "住建局")),
      problems: [{ path: "items[13].department", message: "未知部门「住建局」" }],
    },
    {
      what: "a cycle",
      text: () => edited((t) => t.dependencies.push({ from: "start", to: "filing" })),
      problems: [{ path: "dependencies", message: expect.stringMatching(/^依赖关系存在环：.*start → filing/) }],
    },
    {
      what: "a dangling edge",
      text: () => edited((t) => t.dependencies.push({ from: "traffic-study", to: "scheme-review" })),
      problems: [{ path: "dependencies[42].from", message: "依赖的起点「traffic-study」不是本模板中的事项" }],
    },
    {
      what: "a duplicate item key",
      text: () => edited((t) => t.items.push({ ...t.items[0], name: "备案（重复）" })),
      problems: [{ path: "items[29].key", message: "事项 key「filing」重复（已用于 items[0]）" }],
    },
    {
      what: "text that is not JSON",
      text: () => '{ "key": "general-industrial", "items": [ }',
      problems: [{ path: "$", message: expect.stringContaining("JSON 语法错误（第 1 行") }],
    },
    {
      what: "an empty file",
      text: () => "  \n",
      problems: [{ path: "$", message: "文件为空" }],
    },
  ])("refuses $what with a 422 naming the JSON path, and writes nothing", ({ text, problems }) => {
    const before = written();
    const e = importError(() => importTemplate(ctxAt(IMPORT_DAY), admin, text(), "bad.json"));
    expect(e.status).toBe(422);
    expect(e.problems).toEqual(problems.map((p) => ({ file: "bad.json", ...p })));
    for (const p of e.problems) {
      expect(e.message).toContain(`${p.path}: ${p.message}`);
      expect(e.fields?.[p.path]).toContain(p.message);
    }
    expect(e.message).toMatch(/^「bad\.json」未导入，有 1 个问题：/);
    expect(written()).toEqual(before);
  });

  it("reports every problem of a file at once, in file order", () => {
    const e = importError(() =>
      importTemplate(
        ctxAt(IMPORT_DAY),
        admin,
        edited((t) => {
          t.items[3].department = "规划局";
          t.items[5].stage = 7;
          t.dependencies.push({ from: "filing", to: "nowhere" });
        }),
        "many.json",
      ),
    );
    expect(e.problems.map((p) => p.path)).toEqual(["items[3].department", "items[5].stage", "dependencies[42].to"]);
    expect(written()).toEqual({ versions: 0, audits: 0 });
  });

  it("refuses a body identical to the newest version with a 409, whatever version the file claims", () => {
    const same = caught(() => importTemplate(ctxAt(IMPORT_DAY), admin, edited(), "same.json"));
    expect(same.status).toBe(409);
    expect(same.message).toMatch(/^与最新版本相同，未导入/);
    // Key order, defaults spelled out and the order of the dependencies do not make it different.
    const reordered = edited((t) => {
      t.version = 5;
      t.dependencies.reverse();
      for (const i of t.items) if (i.kind === "milestone") i.materials = [];
    });
    expect(caught(() => importTemplate(ctxAt(IMPORT_DAY), admin, reordered, "same.json")).status).toBe(409);

    importTemplate(ctxAt(IMPORT_DAY), admin, withTrafficStudy(), "v2.json");
    expect(caught(() => importTemplate(ctxAt(IMPORT_DAY), admin, withTrafficStudy(), "v2-again.json")).status).toBe(409);
    expect(written()).toEqual({ versions: 1, audits: 1 });
  });

  it("exports a version that imports back: identical to the newest (409), a new version when older", () => {
    const v1 = exportTemplate(getDb(), "general-industrial", 1);
    expect(v1.fileName).toBe("general-industrial-v1.json");
    const doc = JSON.parse(v1.json);
    expect(Object.keys(doc)).toEqual(["key", "version", "name", "description", "items", "dependencies"]);
    expect(doc).toMatchObject({ key: "general-industrial", version: 1 });
    expect(doc.items).toHaveLength(SHIPPED_ITEMS);
    expect(doc.items[0]).toMatchObject({ key: "filing", name: "企业投资项目备案", kind: "approval", department: "发改", stage: 1, statutoryLimit: 1, promisedLimit: 1, limitUnit: "workingDays" });
    expect(doc.dependencies[0]).toEqual({ ...SHIPPED.dependencies[0], lagWorkingDays: SHIPPED.dependencies[0].lagWorkingDays ?? 0 });
    expect(v1.json).toContain('\n  "items": [\n'); // pretty, for people editing it

    // The same body as the newest version: the round trip loses nothing.
    expect(caught(() => importTemplate(ctxAt(IMPORT_DAY), admin, v1.json, v1.fileName)).status).toBe(409);

    importTemplate(ctxAt(IMPORT_DAY), admin, withTrafficStudy(), "v2.json");
    const v2 = exportTemplate(getDb(), "general-industrial");
    expect(v2.version).toBe(2);
    expect(JSON.parse(v2.json).items.map((i: { key: string }) => i.key)).toContain("traffic-study");
    // Going back to version 1's content is a new version 3 with version 1's items.
    expect(importTemplate(ctxAt(IMPORT_DAY), admin, v1.json, v1.fileName)).toMatchObject({ version: 3, itemCount: SHIPPED_ITEMS });
    expect(JSON.parse(exportTemplate(getDb(), "general-industrial", 3).json)).toEqual({ ...doc, version: 3 });
  });

  it("lets administrators only import", async () => {
    for (const actor of [proxy, await insertUser({ role: "coordinator" }), await insertUser({ role: "leader" }), await insertUser({ role: "dept", department: "住建" })]) {
      expect(caught(() => importTemplate(ctxAt(IMPORT_DAY), actor, withTrafficStudy(), "v2.json")).status).toBe(403);
    }
    expect(written()).toEqual({ versions: 0, audits: 0 });
  });

  it("answers a 422 naming a deactivated department when a project is created from a template that needs it", () => {
    // 人防 reviews only general-industrial's civil-defence design (items[17]).
    getDb().update(departments).set({ active: false }).where(eq(departments.code, "人防")).run();
    const e = caught(() => createProject(ctxAt(IMPORT_DAY), proxy, buildProject({ templateKey: "general-industrial", signedOn: IMPORT_DAY })));
    expect(e).toBeInstanceOf(AppError);
    expect(e.status).toBe(422);
    expect(e.message).toContain("items[17].department: 部门「人防」已停用");
    expect(e.fields?.templateKey).toContain("人防");
    expect(getDb().select({ n: count() }).from(projects).get()!.n).toBe(0);
    // The library says so too, and an import naming it is refused with the same words.
    expect(listTemplates(getDb()).find((t) => t.key === "general-industrial")!.unusableReason).toContain("部门「人防」已停用");
    const imp = importError(() => importTemplate(ctxAt(IMPORT_DAY), admin, withTrafficStudy(), "v2.json"));
    expect(imp.problems).toEqual([{ file: "v2.json", path: "items[17].department", message: "部门「人防」已停用" }]);
    // A template that does not need it still works.
    expect(insertProject(proxy, { templateKey: "standard-land" })).toBeGreaterThan(0);
  });

  it("answers a 422 for a department the deployment does not have at all", () => {
    getDb().run(sql`delete from departments where code = '供电'`);
    const e = caught(() => templateForNewProject(getDb(), "general-industrial"));
    expect(e.status).toBe(422);
    expect(e.message).toContain("items[22].department: 未知部门「供电」");
  });

  it("lays a template out as plain data: stage lanes, positioned nodes with their limits, edges", () => {
    const graph = templateGraph(getTemplate(getDb(), "general-industrial").template);
    expect(JSON.parse(JSON.stringify(graph))).toEqual(graph);
    expect(graph.lanes.map((l) => [l.stage, l.label])).toEqual([
      [1, "立项用地规划许可"],
      [2, "工程建设许可"],
      [3, "施工许可"],
      [4, "竣工验收"],
    ]);
    expect(graph.nodes).toHaveLength(SHIPPED_ITEMS);
    expect(graph.edges).toHaveLength(SHIPPED.dependencies.length);
    const node = (key: string) => graph.nodes.find((n) => n.key === key)!;
    expect(node("land-use-planning-permit")).toMatchObject({ department: "自然资源", kind: "approval", kindLabel: "审批", limit: "5 工作日", limitDetail: "法定 20 工作日 · 承诺 5 工作日" });
    expect(node("eia-approval").limit).toMatch(/自然日$/);
    expect(node("land-contract")).toMatchObject({ kind: "owner", limit: "计划 25 工作日" });
    expect(node("start")).toMatchObject({ kind: "milestone", department: null, limit: null });
    // Every node sits inside its stage's lane, below the lane's title.
    for (const n of graph.nodes) {
      const lane = graph.lanes.find((l) => l.stage === n.stage)!;
      expect(n.x).toBeGreaterThanOrEqual(lane.x);
      expect(n.x + graph.nodeWidth).toBeLessThanOrEqual(lane.x + lane.width);
      expect(n.y).toBeGreaterThanOrEqual(lane.y + lane.titleHeight);
      expect(n.y + graph.nodeHeight).toBeLessThanOrEqual(lane.y + lane.height);
    }
  });
});

describe("routes", () => {
  const url = (path: string) => `http://localhost${path}`;
  const args = (request: Request, params: Record<string, string> = {}) => ({ request, params, context: {} });
  type Answer = { data: { ok: boolean; message: string; imported?: { key: string; version: number }; problems?: { path: string; message: string }[] }; init?: { status: number } | null };

  async function cookieFor(user: TestUser): Promise<string> {
    const res = (await loginAction(args(new Request(url("/login"), { method: "POST", body: new URLSearchParams({ login: user.login, password: TEST_PASSWORD }) })))) as Response;
    return (res.headers.get("Set-Cookie") ?? "").split(";")[0];
  }
  function upload(cookie: string, file: File | null): Request {
    const fd = new FormData();
    if (file) fd.set("file", file);
    return new Request(url("/admin/templates"), { method: "POST", body: fd, headers: { Cookie: cookie } });
  }
  async function thrown(p: Promise<unknown>): Promise<Response> {
    const r = await p.then(
      () => null,
      (e: unknown) => e,
    );
    if (r instanceof Response) return r;
    throw new Error(`expected a thrown Response, got ${String(r)}`);
  }

  it("imports an uploaded file and shows the new version in the list and on its page", async () => {
    const cookie = await cookieFor(admin);
    const ok = (await importAction(args(upload(cookie, new File([withTrafficStudy()], "gi-v2.json", { type: "application/json" }))))) as unknown as Answer;
    expect(ok.init?.status ?? 200).toBe(200);
    expect(ok.data).toMatchObject({ ok: true, imported: { key: "general-industrial", version: 2 } });
    expect(ok.data.message).toContain("第 2 版");

    const list = (await libraryLoader(args(new Request(url("/admin/templates"), { headers: { Cookie: cookie } })))) as { templates: { key: string; latestVersion: number }[] };
    expect(list.templates.find((t) => t.key === "general-industrial")!.latestVersion).toBe(2);

    const page = (await detailLoader(args(new Request(url("/admin/templates/general-industrial?version=1"), { headers: { Cookie: cookie } }), { key: "general-industrial" }))) as {
      version: { version: number; source: string };
      template: { items: unknown[] };
      graph: { nodes: unknown[] };
      summary: { versions: { version: number }[] };
    };
    expect(page.version).toMatchObject({ version: 1, source: "shipped" });
    expect(page.template.items).toHaveLength(SHIPPED_ITEMS);
    expect(page.graph.nodes).toHaveLength(SHIPPED_ITEMS);
    expect(page.summary.versions.map((v) => v.version)).toEqual([2, 1]);
    const missing = await thrown(detailLoader(args(new Request(url("/admin/templates/general-industrial?version=x"), { headers: { Cookie: cookie } }), { key: "general-industrial" })));
    expect(missing.status).toBe(404);
  });

  it("answers a refused upload with each problem's JSON path, and writes nothing", async () => {
    const cookie = await cookieFor(admin);
    const bad = (await importAction(args(upload(cookie, new File([edited((t) => (t.items[13].department = "住建局"))], "bad.json"))))) as unknown as Answer;
    expect(bad.init?.status).toBe(422);
    expect(bad.data).toMatchObject({ ok: false, problems: [{ path: "items[13].department", message: "未知部门「住建局」" }] });
    const none = (await importAction(args(upload(cookie, null)))) as unknown as Answer;
    expect(none.init?.status).toBe(422);
    expect(none.data.message).toContain("请选择");
    const huge = (await importAction(args(upload(cookie, new File(["x".repeat(1024 * 1024 + 1)], "huge.json"))))) as unknown as Answer;
    expect(huge.init?.status).toBe(422);
    expect(written()).toEqual({ versions: 0, audits: 0 });
  });

  it("refuses the pages, the import and the export to non-administrators", async () => {
    const cookie = await cookieFor(proxy);
    expect((await thrown(importAction(args(upload(cookie, new File([withTrafficStudy()], "v2.json")))))).status).toBe(403);
    expect((await thrown(libraryLoader(args(new Request(url("/admin/templates"), { headers: { Cookie: cookie } }))))).status).toBe(403);
    expect((await thrown(exportLoader(args(new Request(url("/admin/templates/general-industrial.json"), { headers: { Cookie: cookie } }), { key: "general-industrial" })))).status).toBe(403);
    expect(written()).toEqual({ versions: 0, audits: 0 });
  });

  it("exports a version as a JSON attachment named by key and version", async () => {
    const cookie = await cookieFor(admin);
    importTemplate(ctxAt(IMPORT_DAY), admin, withTrafficStudy(), "v2.json");
    const get = (path: string, key = "general-industrial") => exportLoader(args(new Request(url(path), { headers: { Cookie: cookie } }), { key }));
    const newest = (await get("/admin/templates/general-industrial.json")) as Response;
    expect(newest.headers.get("Content-Disposition")).toBe('attachment; filename="general-industrial-v2.json"');
    expect(newest.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
    expect(JSON.parse(await newest.text())).toMatchObject({ key: "general-industrial", version: 2 });
    const old = (await get("/admin/templates/general-industrial.json?version=1")) as Response;
    expect(old.headers.get("Content-Disposition")).toBe('attachment; filename="general-industrial-v1.json"');
    const text = await old.text();
    expect(JSON.parse(text).items).toHaveLength(SHIPPED_ITEMS);
    // What was downloaded uploads back: a third version with version 1's content.
    const back = (await importAction(args(upload(cookie, new File([text], "general-industrial-v1.json"))))) as unknown as Answer;
    expect(back.data).toMatchObject({ ok: true, imported: { version: 3 } });
    expect((await thrown(get("/admin/templates/general-industrial.json?version=9"))).status).toBe(404);
    expect((await thrown(get("/admin/templates/nothing.json", "nothing"))).status).toBe(404);
  });
});
