import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asc, eq, isNull } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { escalations } from "../../db/schema";
import { getQueue } from "../../jobs/queues";
import { createBackup, loadBackupConfig } from "~/services/backup.server";
import { fireEscalation } from "~/services/escalation-firing.server";
import { checkHealth, TIMER_LATE_AFTER_MS } from "~/services/health.server";
import { recordItemEvent } from "~/services/items.server";
import { recordWorkerHeartbeat } from "~/services/worker-status.server";
import { getDb, resetDbForTests } from "~/utils/db.server";
import { loader as statusLoader } from "~/routes/_app.admin.status";
import { loader as healthz } from "~/routes/healthz";
import { action as loginAction } from "~/routes/login";
import { ctxAt, insertProject, insertUser, shanghai, TEST_PASSWORD, type TestUser } from "../factories";

/*
 * GET /healthz and the administrators' status page, against the test's own SQLite file and the
 * real Redis (tests/setup); "Redis down" is a port nobody listens on.
 */

type Health = Awaited<ReturnType<typeof checkHealth>>;
const url = (path: string) => `http://localhost${path}`;

async function getHealthz(route = healthz): Promise<{ status: number; body: Health; text: string }> {
  const res = await route();
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Health, text };
}

const scratch: string[] = [];
afterEach(() => {
  for (const d of scratch.splice(0)) rmSync(d, { recursive: true, force: true });
  delete process.env.BACKUP_DIR;
});

describe("GET /healthz", () => {
  it("answers 200 ok with every check when the database, Redis and a beating worker are there", async () => {
    recordWorkerHeartbeat(getDb(), Date.now() - 5_000);
    // A reminder waiting in Bull shows up in the backlog figures, read from Redis itself.
    await getQueue("maintenance").add("probe", {}, { delay: 60_000 });

    const { status, body, text } = await getHealthz();
    expect(status).toBe(200);
    expect(body.status).toBe("ok");
    expect(body.checks.database.ok).toBe(true);
    expect(body.checks.redis.ok).toBe(true);
    expect(body.checks.worker).toMatchObject({ ok: true });
    expect(body.checks.worker.ageSeconds).toBeGreaterThanOrEqual(5);
    expect(Object.keys(body.checks.queues).sort()).toEqual(["escalations", "imports", "maintenance"]);
    expect(body.checks.queues.maintenance).toEqual({ waiting: 0, delayed: 1, active: 0, failed: 0 });
    expect(body.checks.queues.escalations).toEqual({ waiting: 0, delayed: 0, active: 0, failed: 0 });
    expect(body.checks.timers).toEqual({ oldestDueUnfiredAt: null, overdueCount: 0 });
    // Open to anyone: it must not tell them where the files are or how to reach Redis.
    expect(text).not.toContain(process.env.DATABASE_PATH!);
    expect(text).not.toContain("redis://");
    expect(text).not.toContain(process.env.QUEUE_PREFIX!);
  });

  it("reads degraded when the worker has stopped beating, or never ran", async () => {
    expect((await getHealthz()).body).toMatchObject({ status: "degraded", checks: { worker: { ok: false, lastHeartbeatAt: null, ageSeconds: null } } });
    const beat = Date.now() - 5 * 60_000;
    recordWorkerHeartbeat(getDb(), beat);
    const { status, body } = await getHealthz();
    expect(status).toBe(200);
    expect(body.status).toBe("degraded");
    expect(body.checks.worker).toMatchObject({ ok: false, lastHeartbeatAt: new Date(beat).toISOString() });
  });

  /** The health route of fresh modules (the Redis probe lives in a module) pointed at `redisUrl`. */
  async function healthzWithRedisAt(redisUrl: string) {
    vi.resetModules();
    const saved = process.env.REDIS_URL;
    process.env.REDIS_URL = redisUrl;
    try {
      const { loader } = await import("~/routes/healthz");
      const started = Date.now();
      const answer = await getHealthz(loader);
      return { ...answer, ms: Date.now() - started };
    } finally {
      process.env.REDIS_URL = saved;
    }
  }

  it("still answers 200, as degraded, when nothing listens where Redis should be", async () => {
    recordWorkerHeartbeat(getDb(), Date.now());
    const { status, body, ms } = await healthzWithRedisAt("redis://127.0.0.1:1");
    expect(ms).toBeLessThan(2_500);
    expect(status).toBe(200);
    expect(body.status).toBe("degraded");
    expect(body.checks.redis.ok).toBe(false);
    expect(body.checks.database.ok).toBe(true);
    expect(body.checks.queues).toEqual({});
  });

  it("gives up on a Redis that accepts the connection but never answers, within about a second", async () => {
    recordWorkerHeartbeat(getDb(), Date.now());
    // A hung Redis (stuck, swapping, a half-open firewall): the socket opens, no reply ever comes.
    const sockets = new Set<Socket>();
    const silent = createServer((s) => void sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    try {
      const { status, body, ms } = await healthzWithRedisAt(`redis://127.0.0.1:${(silent.address() as AddressInfo).port}`);
      expect(ms).toBeGreaterThanOrEqual(900);
      expect(ms).toBeLessThan(2_500);
      expect(status).toBe(200);
      expect(body).toMatchObject({ status: "degraded", checks: { redis: { ok: false }, database: { ok: true }, queues: {} } });
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it("answers 503 down when the database cannot be opened", async () => {
    const good = process.env.DATABASE_PATH!;
    const dir = mkdtempSync(join(tmpdir(), "gc-health-"));
    scratch.push(dir);
    // A directory where the database file should be: SQLite cannot open it, as with a lost disk.
    const broken = join(dir, "app.db");
    mkdirSync(broken);
    process.env.DATABASE_PATH = broken;
    try {
      const { status, body, text } = await getHealthz();
      expect(status).toBe(503);
      expect(body.status).toBe("down");
      expect(body.checks.database.ok).toBe(false);
      expect(text).not.toContain(dir);
    } finally {
      process.env.DATABASE_PATH = good;
      resetDbForTests(good);
    }
  });
});

describe("the oldest timer that came due without firing", () => {
  // 备案 (发改, promised 3 working days) accepted Mon 2026-03-02: due Thu 03-05, and its
  // escalation ladder (预警, 超期, 督办, 领导督办) is planned as rows with their fire_at.
  const template = {
    key: "health-test",
    version: 1,
    name: "健康检查测试",
    items: [
      { key: "filing", name: "备案", kind: "approval", department: "发改", stage: 1, statutoryLimit: 5, promisedLimit: 3, materials: [] },
      { key: "start", name: "开工", kind: "milestone", stage: 3 },
    ],
    dependencies: [{ from: "filing", to: "start" }],
  };

  const unfired = () =>
    getDb()
      .select({ id: escalations.id, fireAt: escalations.fireAt })
      .from(escalations)
      .where(isNull(escalations.firedAt))
      .orderBy(asc(escalations.fireAt))
      .all();

  it("is reported from the escalation rows, moves on as timers fire, and makes the status degraded once late", async () => {
    const proxy = await insertUser({ role: "proxy" });
    const projectId = insertProject(proxy, { templateKey: undefined, template, signedOn: "2026-03-02", targetStartOn: "2026-12-31" });
    recordItemEvent(ctxAt("2026-03-02"), proxy, projectId, "filing", { type: "accept", on: "2026-03-02" });
    const ladder = unfired();
    expect(ladder.length).toBeGreaterThanOrEqual(3);

    // A month later with no worker firing anything: every rung is due and unfired.
    const later = shanghai("2026-04-06");
    recordWorkerHeartbeat(getDb(), later.getTime());
    let r = await checkHealth(later);
    expect(r.checks.timers).toEqual({ oldestDueUnfiredAt: new Date(ladder[0].fireAt).toISOString(), overdueCount: ladder.length });
    expect(r.status).toBe("degraded");

    // The oldest fires: the next rung is now the oldest.
    expect(fireEscalation(getDb(), ladder[0].id, later)).toBe("fired");
    r = await checkHealth(later);
    expect(r.checks.timers).toEqual({ oldestDueUnfiredAt: new Date(ladder[1].fireAt).toISOString(), overdueCount: ladder.length - 1 });

    // Just at a rung's moment, before the sweep's next minute: due, but not yet a problem.
    const second = ladder[1].fireAt;
    r = await checkHealth(new Date(second + 30_000));
    expect(r.checks.timers.overdueCount).toBe(1);
    recordWorkerHeartbeat(getDb(), second);
    r = await checkHealth(new Date(second + 30_000));
    expect(r.status).toBe("ok");
    // Five minutes on, the worker still beating but the timer still unfired: firing is stuck.
    const stuck = new Date(second + TIMER_LATE_AFTER_MS + 1_000);
    recordWorkerHeartbeat(getDb(), stuck.getTime() - 10_000);
    r = await checkHealth(stuck);
    expect(r.checks.worker.ok).toBe(true);
    expect(r.status).toBe("degraded");
  });

  it("counts no row that has fired", async () => {
    const proxy = await insertUser({ role: "proxy" });
    const projectId = insertProject(proxy, { templateKey: undefined, template, signedOn: "2026-03-02", targetStartOn: "2026-12-31" });
    recordItemEvent(ctxAt("2026-03-02"), proxy, projectId, "filing", { type: "accept", on: "2026-03-02" });
    const later = shanghai("2026-04-06");
    for (const row of unfired()) fireEscalation(getDb(), row.id, later);
    expect((await checkHealth(later)).checks.timers).toEqual({ oldestDueUnfiredAt: null, overdueCount: 0 });
    expect(getDb().select().from(escalations).where(eq(escalations.projectId, projectId)).all().length).toBeGreaterThan(0);
  });
});

describe("/admin/status", () => {
  async function cookieFor(user: TestUser): Promise<string> {
    const res = (await loginAction({ request: new Request(url("/login"), { method: "POST", body: new URLSearchParams({ login: user.login, password: TEST_PASSWORD }) }), params: {}, context: {} })) as Response;
    return (res.headers.get("Set-Cookie") ?? "").split(";")[0];
  }
  const page = (cookie: string) => statusLoader({ request: new Request(url("/admin/status"), { headers: { Cookie: cookie } }), params: {}, context: {} });

  it("shows an administrator the health figures and the newest backup", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gc-backups-"));
    scratch.push(dir);
    process.env.BACKUP_DIR = dir;
    const admin = await insertUser({ role: "admin" });
    const cookie = await cookieFor(admin);
    recordWorkerHeartbeat(getDb(), Date.now());

    const before = await page(cookie);
    expect(before.backup).toBeNull();
    expect(before.health.status).toBe("ok");
    expect(before.health.checks.redis.ok).toBe(true);

    const b = await createBackup(loadBackupConfig(), new Date(Date.now() - 3 * 3_600_000));
    const after = await page(cookie);
    expect(after.backup).toEqual({ name: b.name, createdAt: Date.parse(b.manifest.createdAt) });
  });

  it("is closed to a proxy officer (403)", async () => {
    const proxy = await insertUser({ role: "proxy" });
    const cookie = await cookieFor(proxy);
    const refused = await page(cookie).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(Response);
    expect((refused as Response).status).toBe(403);
  });
});
