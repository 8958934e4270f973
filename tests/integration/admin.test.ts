import { eq, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { departments, users } from "../../db/schema";
import { getAdminOverview } from "~/services/admin.server";
import { recordItemEvent } from "~/services/items.server";
import { recordWorkerHeartbeat } from "~/services/worker-status.server";
import { getDb } from "~/utils/db.server";
import { ctxAt, insertProject, insertUser, shanghai } from "../factories";

// filing (发改) → permit (住建) → 开工
const template = {
  key: "admin-test",
  version: 1,
  name: "管理测试",
  items: [
    { key: "filing", name: "备案", kind: "approval", department: "发改", stage: 1, statutoryLimit: 5, promisedLimit: 3, materials: [] },
    { key: "permit", name: "施工许可", kind: "approval", department: "住建", stage: 3, statutoryLimit: 7, promisedLimit: 5, materials: [] },
    { key: "start", name: "开工", kind: "milestone", stage: 3 },
  ],
  dependencies: [
    { from: "filing", to: "permit" },
    { from: "permit", to: "start" },
  ],
};

describe("the administrators' overview", () => {
  it("counts each department's active clerks and its open items, not a constant", async () => {
    const admin = await insertUser({ role: "admin" });
    const proxy = await insertUser({ role: "proxy" });
    // 发改: two active clerks (one of them the leader) and one who left; 住建: one clerk.
    await insertUser({ role: "dept", department: "发改" });
    await insertUser({ role: "dept", department: "发改", departmentLeader: true });
    const left = await insertUser({ role: "dept", department: "发改" });
    getDb().update(users).set({ active: false }).where(eq(users.id, left.id)).run();
    await insertUser({ role: "dept", department: "住建" });
    // Someone attached to 住建 who is not its clerk (a coordinator seconded there) is not 经办人员.
    await insertUser({ role: "coordinator", department: "住建" });

    // Project A: filing running (发改 open). Project B: filing approved (not open), permit in correction (住建 open, paused).
    const a = insertProject(proxy, { templateKey: undefined, template, signedOn: "2026-03-02", targetStartOn: "2026-12-31" });
    recordItemEvent(ctxAt("2026-03-02"), proxy, a, "filing", { type: "accept", on: "2026-03-02" });
    const b = insertProject(proxy, { templateKey: undefined, template, signedOn: "2026-03-02", targetStartOn: "2026-12-31" });
    recordItemEvent(ctxAt("2026-03-02"), proxy, b, "filing", { type: "accept", on: "2026-03-02" });
    recordItemEvent(ctxAt("2026-03-04"), proxy, b, "filing", { type: "approve", on: "2026-03-04" });
    recordItemEvent(ctxAt("2026-03-05"), proxy, b, "permit", { type: "accept", on: "2026-03-05" });
    recordItemEvent(ctxAt("2026-03-06"), proxy, b, "permit", { type: "request_correction", on: "2026-03-06" });

    const overview = getAdminOverview(ctxAt("2026-03-09"), admin);
    const byCode = Object.fromEntries(overview.departments.map((d) => [d.code, { staff: d.staff, items: d.items }]));
    expect(byCode["发改"]).toEqual({ staff: 2, items: 1 });
    expect(byCode["住建"]).toEqual({ staff: 1, items: 1 });
    const others = overview.departments.filter((d) => d.code !== "发改" && d.code !== "住建");
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((d) => d.staff === 0 && d.items === 0)).toBe(true);
    expect(overview.departments).toHaveLength(getDb().select().from(departments).all().length);
  });

  it("shows the worker's last heartbeat", async () => {
    const admin = await insertUser({ role: "admin" });
    expect(getAdminOverview(ctxAt("2026-03-09"), admin).workerHeartbeat).toBeNull();
    const at = shanghai("2026-03-09", "10:00").getTime();
    recordWorkerHeartbeat(getDb(), at);
    recordWorkerHeartbeat(getDb(), at + 30_000);
    expect(getAdminOverview(ctxAt("2026-03-09"), admin).workerHeartbeat).toBe(at + 30_000);
    expect(getDb().all(sql`select key from settings where key = 'workerHeartbeat'`)).toHaveLength(1);
  });

  it("reports Redis up on the very first check after a start, when the layout and the page ask at once", async () => {
    // Fresh modules: the Redis probe has never connected, as in a web process that just started.
    // The layout and the admin page loaders both ask during the first request.
    vi.resetModules();
    const { redisAvailable } = await import("~/utils/queue.server");
    expect(await Promise.all([redisAvailable(), redisAvailable()])).toEqual([true, true]);
  });

  it("reports Redis down, within the probe's timeout, when nothing listens", async () => {
    vi.resetModules();
    const saved = process.env.REDIS_URL;
    // A port nothing listens on: the check must answer "down" quickly rather than hang the page.
    process.env.REDIS_URL = "redis://127.0.0.1:1";
    try {
      const { redisAvailable } = await import("~/utils/queue.server");
      const started = Date.now();
      expect(await redisAvailable()).toBe(false);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      process.env.REDIS_URL = saved;
    }
  });
});
