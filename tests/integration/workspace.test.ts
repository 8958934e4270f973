import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { addDependency, projectVersion, removeDependency } from "~/services/graph.server";
import { recordItemEvent } from "~/services/items.server";
import { loadProjectPage } from "~/services/project-page.server";
import { getDb } from "~/utils/db.server";
import { ctxAt, insertEnterprise, insertProject, insertUser, type TestUser } from "../factories";
import { caught } from "../support/app-error";

let proxy: TestUser;
let otherProxy: TestUser;
let projectId: number;
const ctx = () => ctxAt("2026-03-10");

beforeEach(async () => {
  proxy = await insertUser({ role: "proxy" });
  otherProxy = await insertUser({ role: "proxy" });
  projectId = insertProject(proxy, { name: "工作台测试项目", templateKey: "general-industrial", signedOn: "2026-03-02", targetStartOn: "2026-09-30" });
});

describe("proxy officer's workspace", () => {
  it("lays out every item once, in stage lanes, with the critical path marked on edges", () => {
    const ws = loadProjectPage(ctx(), proxy, projectId, null);
    expect(ws.graph.nodes).toHaveLength(ws.view.items.length);
    expect(new Set(ws.graph.nodes.map((n) => `${n.x},${n.y}`)).size).toBe(ws.graph.nodes.length);
    expect(ws.graph.lanes.map((l) => l.stage)).toEqual([1, 2, 3, 4]);
    const critical = new Set(ws.view.schedule.criticalPath);
    for (const e of ws.graph.edges) expect(e.critical).toBe(critical.has(e.from) && critical.has(e.to));
    expect(ws.graph.edges.some((e) => e.critical)).toBe(true);
  });

  it("lists next actions: on a fresh project the first filing is ready to file", () => {
    const ws = loadProjectPage(ctx(), proxy, projectId, null);
    expect(ws.next.filter((a) => a.kind === "ready").map((a) => a.key)).toContain("filing");
    expect(ws.next.filter((a) => a.kind === "correction")).toEqual([]);
    expect(ws.selected).toBeNull();
  });

  it("shows a selected item's facts, materials, dependencies and history", () => {
    // Nothing handed in yet: 受理 only as 容缺, every missing material listed with a 补齐 date (filing is due 03-04).
    const missing = ["项目备案申请表", "营业执照", "授权委托书"];
    recordItemEvent(ctxAt("2026-03-03"), proxy, projectId, "filing", { type: "accept", on: "2026-03-03", note: "窗口受理", deferredMaterials: missing, commitmentOn: "2026-03-04" });
    const ws = loadProjectPage(ctx(), proxy, projectId, "filing");
    expect(ws.selected!.key).toBe("filing");
    expect(ws.selected!.history.map((h) => [h.on, h.label, h.note])).toEqual([["2026-03-03", "受理", "窗口受理"]]);
    // general-industrial: 备案 needs three materials, none handed in yet, and opens four pieces of work.
    expect(ws.selected!.materials).toEqual([
      { name: "项目备案申请表", status: "missing" },
      { name: "营业执照", status: "missing" },
      { name: "授权委托书", status: "missing" },
    ]);
    expect(ws.selected!.predecessors).toEqual([]);
    expect(ws.selected!.successors.map((s) => s.key).sort()).toEqual(["eia-report-drafting", "energy-report-drafting", "land-contract", "soil-water-plan-drafting"]);
    // 办结 waits until the 容缺 materials are supplied.
    expect(ws.selected!.allowed).toEqual(expect.arrayContaining(["supply_deferred", "request_correction"]));
    expect(ws.selected!.allowed).not.toContain("approve");
    expect(loadProjectPage(ctx(), proxy, projectId, "no-such-item").selected).toBeNull();
  });

  it("adds and removes a dependency, bumping the project's change counter", () => {
    const v0 = projectVersion(ctx(), proxy, projectId);
    addDependency(ctx(), proxy, projectId, { from: "energy-review", to: "construction-permit" });
    expect(projectVersion(ctx(), proxy, projectId)).toBe(v0 + 1);
    const ws = loadProjectPage(ctx(), proxy, projectId, "construction-permit");
    expect(ws.selected!.predecessors.map((p) => p.key)).toContain("energy-review");
    removeDependency(ctx(), proxy, projectId, { from: "energy-review", to: "construction-permit" });
    expect(projectVersion(ctx(), proxy, projectId)).toBe(v0 + 2);
    expect(loadProjectPage(ctx(), proxy, projectId, "construction-permit").selected!.predecessors.map((p) => p.key)).not.toContain("energy-review");
  });

  it("refuses a dependency that closes a loop, naming it, and changes nothing", () => {
    const before = getDb().get<{ n: number }>(sql`select count(*) as n from dependencies where project_id = ${projectId}`).n;
    const e = caught(() => addDependency(ctx(), proxy, projectId, { from: "start", to: "filing" }));
    expect(e.status).toBe(409);
    expect(e.message).toMatch(/^不能添加：会形成循环依赖 开工 → 企业投资项目备案 → .* → 开工$/);
    expect(getDb().get<{ n: number }>(sql`select count(*) as n from dependencies where project_id = ${projectId}`).n).toBe(before);
  });

  it("refuses duplicates, self-loops, unknown items, bad lags and removing what is not there", () => {
    expect(caught(() => addDependency(ctx(), proxy, projectId, { from: "filing", to: "land-contract" })).status).toBe(409);
    expect(caught(() => addDependency(ctx(), proxy, projectId, { from: "filing", to: "filing" })).status).toBe(422);
    expect(caught(() => addDependency(ctx(), proxy, projectId, { from: "filing", to: "nope" })).status).toBe(404);
    expect(caught(() => addDependency(ctx(), proxy, projectId, { from: "filing", to: "start", lagWorkingDays: -2 })).message).toBe("间隔不能为负");
    expect(caught(() => removeDependency(ctx(), proxy, projectId, { from: "start", to: "filing" })).status).toBe(404);
  });

  it("lets only the project's own proxy officer edit the graph; others may not even see foreign projects", async () => {
    expect(caught(() => addDependency(ctx(), otherProxy, projectId, { from: "energy-review", to: "construction-permit" })).status).toBe(403);
    const outsider = await insertUser({ role: "enterprise", enterpriseId: insertEnterprise("无关企业", "91330100MA2W0001X") });
    expect(caught(() => projectVersion(ctx(), outsider, projectId)).status).toBe(404);
    expect(caught(() => loadProjectPage(ctx(), outsider, projectId, null)).status).toBe(404);
  });
});
