/**
 * Reliability of the escalation timers (DESIGN §2, §4, §8) against a real
 * SQLite file and a real Redis — a private redis-server started here on a
 * spare port, so that it can be flushed, stopped and restarted without
 * touching the shared one on 6379.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { escalations, items, projects } from "../../db/schema";
import { formatDay, toDay } from "~/domain/calendar";
import { instantOf } from "~/domain/escalation/policy";
import { addCalendarOverride } from "~/services/calendar.server";
import { getCalendar } from "~/services/time-rules.server";
import { fireEscalation } from "~/services/escalation-firing.server";
import { replanAll } from "~/services/escalation-timers.server";
import { recordItemEvent } from "~/services/items.server";
import { createProject } from "~/services/project-creation.server";
import { getDb } from "~/utils/db.server";
import { closeAllRedis, redisAvailable } from "../../jobs/connection";
import { closeQueues, getQueue } from "../../jobs/queues";
import { wakeupJobId } from "../../jobs/wakeups";
import { startWorker, type WorkerHandle } from "../../jobs/worker-core";
import { creditCode, ctxAt, ensureDepartments, insertUser, receiveMaterials, type TestUser } from "../factories";
import {
  cleanReport,
  disposeClocks,
  exactlyOnceReport,
  FakeClock,
  PrivateRedis,
  sleep,
  spawnBusyWriter,
  spawnClockedWorker,
  spawnRealWorker,
  waitFor,
  type Recipients,
  type WorkerProc,
} from "./reliability-helpers";

const DEPT = "住建";
const ENTERPRISE = { name: "江城可靠性测试有限公司", creditCode: creditCode("91330100MA2R7K3T5") };
const AT_0900 = { hour: 9, minute: 0 };

let redis: PrivateRedis;
let who: Recipients;
let proxy: TestUser;
let admin: TestUser;
let projectSeq = 0;
const children: WorkerProc[] = [];
const handles: WorkerHandle[] = [];

const db = () => getDb();
const env = () => ({ DATABASE_PATH: process.env.DATABASE_PATH!, REDIS_URL: process.env.REDIS_URL!, QUEUE_PREFIX: process.env.QUEUE_PREFIX! });

/**
 * Waits until the app's Redis probe sees Redis again. The probe caches its
 * answer for 5 s and reconnects with a back-off, so after an outage
 * scheduleWakeups() skips Bull for a while (by design: the sweep catches up);
 * tests that need wake-ups in Bull start only once the probe agrees.
 */
async function waitForRedisProbe() {
  await waitFor("the Redis probe to see Redis", () => redisAvailable(), 20_000, 250);
}

/**
 * Waits until no queued wake-up points at a row that is still unfired: jobs for
 * fired or deleted rows change nothing when they run, any other one could fire.
 */
async function noPendingWakeups(timeoutMs: number) {
  const q = getQueue("escalations");
  let left: string[] = [];
  await waitFor(
    "no wake-up left for an unfired row",
    async () => {
      const jobs = (await q.getJobs(["waiting", "active", "delayed"])).filter(Boolean);
      const unfired = new Set(
        db()
          .all<{ id: number }>(sql`select id from escalations where fired_at is null`)
          .map((r) => r.id),
      );
      left = jobs.filter((j) => unfired.has((j.data as { id: number }).id)).map((j) => `${j.id} (delay ${j.opts.delay ?? 0})`);
      return left.length === 0;
    },
    timeoutMs,
    100,
  ).catch((e) => {
    throw new Error(`${(e as Error).message}; still queued: ${left.slice(0, 10).join(", ")}`);
  });
}

/** The red moment of an item due on `dueOn`: addWorkingDays(dueOn, 1) at 09:00 Shanghai. */
function redAt(dueOn: string): number {
  const cal = getCalendar(db());
  return instantOf(cal.addWorkingDays(toDay(dueOn), 1), AT_0900);
}

function newProject(signedOn: string): number {
  const { id } = createProject(ctxAt(signedOn), proxy, {
    name: `可靠性测试项目${++projectSeq}`,
    enterprise: ENTERPRISE,
    templateKey: "general-industrial",
    signedOn,
    targetStartOn: "2027-06-30",
  });
  return id;
}

/** `n` running items in the test department, accepted on `acceptedOn` with a promised limit of `limit` working days. */
function insertRunningItems(projectId: number, n: number, acceptedOn: string, limit: number, keyPrefix = "bulk"): { ids: number[]; dueOn: string } {
  const cal = getCalendar(db());
  const deptId = ensureDepartments(db()).get(DEPT)!;
  const dueOn = formatDay(cal.addWorkingDays(toDay(acceptedOn), limit));
  const ids = db().transaction((tx) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const row = tx
        .insert(items)
        .values({ projectId, key: `${keyPrefix}-${i}`, name: `批量事项${i}`, kind: "approval", departmentId: deptId, statutoryLimit: limit, promisedLimit: limit, status: "running", acceptedOn, dueOn })
        .returning({ id: items.id })
        .get();
      out.push(row.id);
    }
    return out;
  });
  return { ids, dueOn };
}

/** Ends a test's project: its running items are approved and re-planning drops every timer still to come. */
function retire(projectId: number) {
  db().update(items).set({ status: "approved" }).where(and(eq(items.projectId, projectId), eq(items.status, "running"))).run();
  db().update(projects).set({ status: "completed" }).where(eq(projects.id, projectId)).run();
  replanAll(db());
  const left = db().all<{ n: number }>(sql`select count(*) as n from escalations where project_id = ${projectId} and fired_at is null`)[0].n;
  expect(left).toBe(0);
}

function rowsOf(projectId: number, level?: string) {
  return db()
    .select()
    .from(escalations)
    .where(level ? and(eq(escalations.projectId, projectId), eq(escalations.level, level as "red")) : eq(escalations.projectId, projectId))
    .all();
}

function firedCount(): number {
  return db().get<{ n: number }>(sql`select count(*) as n from escalations where fired_at is not null`).n;
}

async function shutdown(handle?: WorkerHandle) {
  if (handle) {
    await handle.close();
    handles.splice(handles.indexOf(handle), 1);
  }
  await closeQueues();
  await closeAllRedis();
}

beforeAll(async () => {
  redis = await PrivateRedis.create();
  // Before anything opens a connection: config is read at call time.
  process.env.REDIS_URL = redis.url;
});

// Each test has its own database (tests/setup/db.ts; worker processes get its path) and queue prefix
// (tests/setup/redis.ts), and finds the private Redis empty (afterEach).
beforeEach(async () => {
  proxy = await insertUser({ role: "proxy" });
  admin = await insertUser({ role: "admin" });
  const coordinator = await insertUser({ role: "coordinator" });
  const leader = await insertUser({ role: "leader" });
  const deptStaff = await insertUser({ role: "dept", department: DEPT });
  const deptLeader = await insertUser({ role: "dept", department: DEPT, departmentLeader: true });
  who = { proxy: proxy.id, coordinator: coordinator.id, leader: leader.id, deptStaff: deptStaff.id, deptLeader: deptLeader.id, deptId: deptStaff.departmentId! };
});

/**
 * Whatever a failed test left running is stopped, and the private Redis is emptied and live again,
 * so the next test starts from no worker, no leftover wake-up and a reachable Redis.
 */
afterEach(async () => {
  for (const c of children.splice(0)) await c.stop("SIGKILL");
  for (const h of handles.splice(0)) await h.close().catch(() => undefined);
  await closeQueues();
  await closeAllRedis();
  await redis.start();
  await redis.flushAll();
  await waitForRedisProbe();
});

afterAll(async () => {
  for (const c of children) await c.stop("SIGKILL");
  for (const h of [...handles]) await h.close().catch(() => undefined);
  await closeQueues();
  await closeAllRedis();
  await redis?.dispose();
  disposeClocks();
});

describe("escalation timers: exactly once", () => {
  it(
    "1,000 items due in the same minute: each escalation is recorded exactly once, with two workers racing and every wake-up delivered twice",
    async () => {
      const projectId = newProject("2026-03-02");
      const { ids, dueOn } = insertRunningItems(projectId, 1_000, "2026-03-02", 6);
      expect(dueOn).toBe("2026-03-10");
      replanAll(db());
      const red = rowsOf(projectId, "red");
      const moment = redAt(dueOn);
      expect(moment).toBe(Date.parse("2026-03-11T09:00:00+08:00"));
      expect(red.length).toBe(1_000);
      expect(new Set(red.map((r) => r.itemId))).toEqual(new Set(ids));
      expect(red.every((r) => r.fireAt === moment && r.firedAt === null)).toBe(true);

      // Both workers share one fake "now", two hours before the moment while they start.
      const clock = new FakeClock(moment - 2 * 3_600_000);
      const other = spawnClockedWorker(clock, 300, env());
      children.push(other);
      await other.ready;
      // The second one starts once the first has reconciled (concurrent start-ups are a test of their own).
      const handle = await startWorker({ clock: clock.now, sweepEveryMs: 300, log: () => {} });
      handles.push(handle);
      expect(rowsOf(projectId, "red").filter((r) => r.firedAt !== null)).toEqual([]);

      // 3 s before the moment the sweeps hand Bull one wake-up per red row…
      clock.set(moment - 3_000);
      const q = getQueue("escalations");
      await waitFor("the sweeps' wake-ups", async () => (await q.getJobCounts()).delayed >= red.length, 5_000, 50);
      expect((await Promise.all(red.map((r) => q.getJob(wakeupJobId(r.id, r.fireAt))))).every(Boolean), "a wake-up for every red row").toBe(true);
      // …and Bull delivers at least once: a second wake-up for every red row, under other job ids.
      const delay = moment - clock.now().getTime();
      await q.addBulk(red.map((r) => ({ name: "fire", data: { id: r.id }, opts: { jobId: `dup-${r.id}`, delay, removeOnComplete: true } })));
      expect(clock.now().getTime(), "the red moment passed during set-up").toBeLessThan(moment);
      expect(rowsOf(projectId, "red").filter((r) => r.firedAt !== null)).toEqual([]);

      await waitFor("every red row fired", () => rowsOf(projectId, "red").every((r) => r.firedAt !== null), 20_000, 100);
      await noPendingWakeups(10_000);
      await other.stop("SIGTERM");
      await shutdown(handle);

      const fired = rowsOf(projectId, "red");
      expect(fired.every((r) => r.firedAt! >= moment && r.firedAt! < moment + 60_000), "red fired within its minute, never before").toBe(true);
      // A late re-delivery of every wake-up, straight to the service: each one finds its row already fired.
      const later = new Date(moment + 30_000);
      expect(new Set(red.map((r) => fireEscalation(db(), r.id, later)))).toEqual(new Set(["already"]));
      expect(exactlyOnceReport(db(), clock.now().getTime(), who)).toEqual(cleanReport(firedCount()));
      // 1,000 red + 1,000 yellow + the project's stall, all due by now; red tells 4 people each.
      expect(db().get<{ n: number }>(sql`select count(*) as n from escalations where project_id = ${projectId} and fired_at is not null`).n).toBe(2_001);
      expect(db().get<{ n: number }>(sql`select count(*) as n from notifications n join escalations e on e.id = n.escalation_id where e.project_id = ${projectId} and e.level = 'red'`).n).toBe(4_000);
      retire(projectId);
    },
    60_000,
  );

  it(
    "Redis flushed after the timers were planned: the running worker's sweeps put the wake-ups back and nothing is lost",
    async () => {
      const projectId = newProject("2026-04-07");
      const { dueOn } = insertRunningItems(projectId, 20, "2026-04-07", 5);
      const moment = redAt(dueOn);
      const clock = new FakeClock(moment - 6_000);
      const handle = await startWorker({ clock: clock.now, sweepEveryMs: 300, log: () => {} });
      handles.push(handle);
      const red = rowsOf(projectId, "red");
      expect(red.length).toBe(20);
      const q = getQueue("escalations");
      const wakeups = async () => Promise.all(red.map((r) => q.getJob(wakeupJobId(r.id, r.fireAt))));
      expect((await wakeups()).every((j) => j !== null)).toBe(true);

      // Flushed twice a second apart: a sweep that was under way at the first flush cannot put anything back.
      await redis.flushAll();
      await sleep(1_000);
      await redis.flushAll();
      expect((await wakeups()).every((j) => j === null)).toBe(true);
      // Eight sweep periods for the running worker to notice by itself.
      const restoredBySelf = await waitFor("the worker to restore the wake-ups", async () => (await wakeups()).every((j) => j !== null), 2_500, 100).then(
        () => true,
        () => false,
      );
      // Whatever the worker did, a sweep restores every wake-up from SQLite, and each row fires once at its moment.
      await handle.sweep();
      expect((await wakeups()).every((j) => j !== null)).toBe(true);
      await waitFor("every red row fired", () => rowsOf(projectId, "red").every((r) => r.firedAt !== null), 10_000, 100);
      expect(rowsOf(projectId, "red").every((r) => r.firedAt! >= moment)).toBe(true);
      await shutdown(handle);
      expect(exactlyOnceReport(db(), clock.now().getTime(), who)).toEqual(cleanReport(firedCount()));
      retire(projectId);
      expect(
        restoredBySelf,
        "after FLUSHALL the running worker never swept again: its repeatable sweep/heartbeat/digest jobs lived in Redis and nothing re-arms them",
      ).toBe(true);
    },
    30_000,
  );

  it(
    "Redis stopped and started again with its data: the backlog fires once after it returns and the worker sweeps on",
    async () => {
      const projectId = newProject("2026-05-06");
      const { dueOn } = insertRunningItems(projectId, 20, "2026-05-06", 5);
      const moment = redAt(dueOn);
      const clock = new FakeClock(moment - 5_000);
      const handle = await startWorker({ clock: clock.now, sweepEveryMs: 300, log: () => {} });
      handles.push(handle);
      const red = rowsOf(projectId, "red");
      const q = getQueue("escalations");
      expect((await Promise.all(red.map((r) => q.getJob(wakeupJobId(r.id, r.fireAt))))).every((j) => j !== null)).toBe(true);

      await redis.stopKeepingData();
      clock.set(moment + 1_000); // the red moment passes while Redis is away
      await sleep(1_500);
      expect(rowsOf(projectId, "red").some((r) => r.firedAt !== null)).toBe(false);
      await redis.start();
      redis.forgetData();
      await waitFor("the backlog to fire after Redis returned", () => rowsOf(projectId, "red").every((r) => r.firedAt !== null), 10_000, 100);
      // The worker sweeps on: two working days later the supervise level fires too.
      await noPendingWakeups(5_000);
      clock.set(instantOf(getCalendar(db()).addWorkingDays(toDay(dueOn), 3), AT_0900) + 1_000);
      await waitFor("the supervise level to fire", () => rowsOf(projectId, "supervise").every((r) => r.firedAt !== null), 5_000, 100);
      await shutdown(handle);
      expect(exactlyOnceReport(db(), clock.now().getTime(), who)).toEqual(cleanReport(firedCount()));
      retire(projectId);
    },
    30_000,
  );

  it(
    "Redis crashed and started again empty: the running worker carries on, the backlog fires once and later timers still fire",
    async () => {
      const projectId = newProject("2026-05-06");
      const { dueOn } = insertRunningItems(projectId, 20, "2026-05-06", 5);
      const moment = redAt(dueOn);
      const cal = getCalendar(db());
      const superviseMoment = instantOf(cal.addWorkingDays(toDay(dueOn), 3), AT_0900);
      const clock = new FakeClock(moment - 5_000);
      let handle = await startWorker({ clock: clock.now, sweepEveryMs: 300, log: () => {} });
      handles.push(handle);
      const red = rowsOf(projectId, "red");
      const q = getQueue("escalations");
      expect((await Promise.all(red.map((r) => q.getJob(wakeupJobId(r.id, r.fireAt))))).every((j) => j !== null)).toBe(true);
      const allFired = (level: string) => rowsOf(projectId, level).every((r) => r.firedAt !== null);

      await redis.stop();
      clock.set(moment + 1_000); // the red moment passes while Redis is away
      await sleep(1_500);
      await redis.start();
      // The red backlog: wake-ups a sweep had buffered in ioredis during the outage may still bring it in…
      const backlogFired = await waitFor("the red backlog to fire after Redis returned", () => allFired("red"), 6_000, 100).then(
        () => true,
        () => false,
      );
      // …but two working days later only a sweep can fire the supervise level (it was never within the wake-up horizon).
      let laterFired = false;
      if (backlogFired) {
        await noPendingWakeups(5_000);
        clock.set(superviseMoment + 1_000);
        laterFired = await waitFor("the supervise level to fire", () => allFired("supervise"), 3_000, 100).then(
          () => true,
          () => false,
        );
      }
      if (!backlogFired || !laterFired) {
        // Nothing is lost in SQLite: a restarted worker reconciles and fires everything due once.
        await shutdown(handle);
        clock.set(superviseMoment + 1_000);
        handle = await startWorker({ clock: clock.now, sweepEveryMs: 300, log: () => {} });
        handles.push(handle);
      }
      expect(allFired("red") && allFired("supervise")).toBe(true);
      await shutdown(handle);
      expect(exactlyOnceReport(db(), clock.now().getTime(), who)).toEqual(cleanReport(firedCount()));
      retire(projectId);
      expect(
        { backlogFired, laterFired },
        "Redis came back empty and the running worker never swept again (its repeatable sweep lived in Redis): timers wait for a worker restart",
      ).toEqual({ backlogFired: true, laterFired: true });
    },
    40_000,
  );

  it(
    "worker killed with SIGKILL mid-batch and restarted: no loss, no duplicate",
    async () => {
      // Real clock: 2,500 items accepted in September, every level of their ladder (10,000 rows) and the stall due now.
      const projectId = newProject("2026-09-01");
      insertRunningItems(projectId, 2_500, "2026-09-01", 5);
      const planned = replanAll(db());
      const now = Date.now();
      const dueIds = rowsOf(projectId).filter((r) => r.fireAt <= now).map((r) => r.id);
      expect(dueIds.length).toBe(10_001);
      // The web app had handed Bull a wake-up for each: the killed worker dies holding some of them.
      const q = getQueue("escalations");
      await q.addBulk(planned.map((w) => ({ name: "fire", data: { id: w.id }, opts: { jobId: wakeupJobId(w.id, w.fireAt), removeOnComplete: true } })));
      await shutdown();
      const firedOf = () => db().get<{ n: number }>(sql`select count(*) as n from escalations where project_id = ${projectId} and fired_at is not null`).n;

      const first = spawnRealWorker(env());
      children.push(first);
      // Killed as soon as anything is committed: with 10,001 rows and batches of at most 5,000, that is
      // mid-backlog whether the worker commits row by row or a batch at a time.
      await waitFor("the first worker to fire something", () => firedOf() > 0, 30_000, 5).catch((e) => {
        throw new Error(`${(e as Error).message}\nworker output:\n${first.output()}`);
      });
      first.proc.kill("SIGKILL");
      await first.exited;
      const firedAtKill = firedOf();
      expect(firedAtKill, "killed mid-batch").toBeLessThan(dueIds.length);
      // What the dead worker committed is whole: each fired row with its audit row and all its notifications.
      expect(exactlyOnceReport(db(), 0, who)).toEqual(cleanReport(firedCount()));

      const second = spawnRealWorker(env());
      children.push(second);
      await second.ready;
      await waitFor("every due row fired", () => firedOf() === dueIds.length, 20_000, 50);
      expect(await second.stop("SIGTERM"), second.output()).toBe(0);
      expect(second.output()).not.toMatch(/failed|Error|not reachable/);
      expect(exactlyOnceReport(db(), Date.now(), who)).toEqual(cleanReport(firedCount()));
      expect(db().get<{ n: number }>(sql`select count(*) as n from escalations where id in ${dueIds} and fired_at is null`).n).toBe(0);
      // The messages the dead worker wrote but never delivered were delivered by the second one.
      expect(db().get<{ n: number }>(sql`select count(*) as n from notifications where delivered_at is null and deliver_after <= ${Date.now() - 1_000}`).n).toBe(0);
      retire(projectId);
    },
    60_000,
  );
});

describe("escalation timers follow the clock", () => {
  it(
    "a wake-up for an item approved meanwhile fires nothing",
    async () => {
      const projectId = newProject("2026-06-01");
      const key = "joint-drawing-review"; // 住建, promised 10 working days
      receiveMaterials(projectId);
      recordItemEvent(ctxAt("2026-06-01"), proxy, projectId, key, { type: "accept", on: "2026-06-01" });
      const item = db().select().from(items).where(and(eq(items.projectId, projectId), eq(items.key, key))).get()!;
      expect(item.dueOn).toBe("2026-06-15");
      const planned = db().select().from(escalations).where(eq(escalations.itemId, item.id)).all();
      expect(planned.map((r) => r.level).sort()).toEqual(["leader", "red", "supervise", "yellow"]);
      // The accept handed Bull a wake-up per row (after its commit, asynchronously).
      const q = getQueue("escalations");
      await waitFor("the accept's wake-ups in Bull", async () => (await Promise.all(planned.map((r) => q.getJob(wakeupJobId(r.id, r.fireAt))))).every(Boolean), 5_000);

      recordItemEvent(ctxAt("2026-06-04"), proxy, projectId, key, { type: "approve", on: "2026-06-04" });
      expect(db().select().from(escalations).where(eq(escalations.itemId, item.id)).all()).toEqual([]);
      // The wake-ups are stale now, still in Bull; one more is added by hand.
      expect((await Promise.all(planned.map((r) => q.getJob(wakeupJobId(r.id, r.fireAt))))).every(Boolean)).toBe(true);
      const staleRed = planned.find((r) => r.level === "red")!.id;
      await q.add("fire", { id: staleRed }, { jobId: `stale-${staleRed}` });
      const staleJobIds = [...planned.map((r) => wakeupJobId(r.id, r.fireAt)), `stale-${staleRed}`];

      const outcomes = new Map<string, unknown>();
      q.on("completed", (job, result) => outcomes.set(String(job.id), result));
      q.on("failed", (job, err) => outcomes.set(String(job.id), `failed: ${err.message}`));
      // A month later every level of the old plan would be due.
      const clock = new FakeClock(Date.parse("2026-07-15T10:00:00+08:00"));
      const handle = await startWorker({ clock: clock.now, sweepEveryMs: 300, log: () => {} });
      handles.push(handle);
      await waitFor("the stale wake-ups processed", () => staleJobIds.every((id) => outcomes.has(id)), 10_000);
      expect(staleJobIds.map((id) => outcomes.get(id))).toEqual(staleJobIds.map(() => "missing"));
      expect(fireEscalation(db(), staleRed, clock.now())).toBe("missing");
      await handle.sweep();
      await shutdown(handle);

      expect(db().select().from(escalations).where(eq(escalations.itemId, item.id)).all()).toEqual([]);
      const staleIds = planned.map((r) => r.id);
      expect(db().get<{ n: number }>(sql`select count(*) as n from notifications where escalation_id in ${staleIds}`).n).toBe(0);
      expect(db().get<{ n: number }>(sql`select count(*) as n from audit_log where entity_type = 'escalation' and entity_id in ${staleIds}`).n).toBe(0);
      expect(exactlyOnceReport(db(), clock.now().getTime(), who)).toEqual(cleanReport(firedCount()));
      retire(projectId);
    },
    30_000,
  );

  it(
    "calendar edited (a new rest day): the due date, the escalation rows and their wake-ups move",
    async () => {
      const projectId = newProject("2026-12-01");
      const key = "joint-drawing-review";
      receiveMaterials(projectId);
      recordItemEvent(ctxAt("2026-12-01"), proxy, projectId, key, { type: "accept", on: "2026-12-01" });
      const itemRow = () => db().select().from(items).where(and(eq(items.projectId, projectId), eq(items.key, key))).get()!;
      const itemId = itemRow().id;
      const unfired = () =>
        db()
          .select()
          .from(escalations)
          .where(and(eq(escalations.itemId, itemId), isNull(escalations.firedAt)))
          .all();
      const fireDays = (rows: { level: string; fireAt: number }[]) =>
        Object.fromEntries(rows.map((r) => [r.level, new Date(r.fireAt).toISOString()]));
      const at9 = (d: string) => new Date(`${d}T09:00:00+08:00`).toISOString();
      expect(itemRow().dueOn).toBe("2026-12-15");
      const before = unfired();
      expect(fireDays(before)).toEqual({ yellow: at9("2026-12-14"), red: at9("2026-12-16"), supervise: at9("2026-12-18"), leader: at9("2026-12-29") });

      // 2026-12-08, a Tuesday between acceptance and the due date, becomes a rest day.
      const { recomputed } = addCalendarOverride(ctxAt("2026-12-02"), admin, { date: "2026-12-08", kind: "rest", reason: "可靠性测试：临时休息日" });
      expect(recomputed).toBeGreaterThanOrEqual(1);
      expect(itemRow().dueOn).toBe("2026-12-16");
      const after = unfired();
      expect(after.every((r) => r.dueOn === "2026-12-16")).toBe(true);
      expect(fireDays(after)).toEqual({ yellow: at9("2026-12-15"), red: at9("2026-12-17"), supervise: at9("2026-12-21"), leader: at9("2026-12-30") });
      const oldIds = before.map((r) => r.id);
      expect(db().get<{ n: number }>(sql`select count(*) as n from escalations where id in ${oldIds}`).n, "the old rows are gone").toBe(0);

      // Bull holds a wake-up for each new row at its new moment (the edit hands them over after its commit).
      const q = getQueue("escalations");
      const jobs = await waitFor("the new rows' wake-ups in Bull", async () => {
        const js = await Promise.all(after.map((r) => q.getJob(wakeupJobId(r.id, r.fireAt))));
        return js.every(Boolean) ? js : null;
      }, 5_000);
      for (const [i, job] of jobs.entries()) {
        const row = after[i];
        expect(job!.data).toEqual({ id: row.id });
        const wakesAt = job!.timestamp + (job!.opts.delay ?? 0);
        expect(Math.abs(wakesAt - Math.max(row.fireAt, job!.timestamp)), `wake-up of ${row.level}`).toBeLessThan(2_000);
        if (row.fireAt > Date.now() + 60_000) expect(await job!.getState()).toBe("delayed");
      }

      // The worker follows the new calendar: nothing red at the old red moment, red at the new one.
      const redRow = after.find((r) => r.level === "red")!;
      const clock = new FakeClock(Date.parse("2026-12-16T09:01:00+08:00"));
      const handle = await startWorker({ clock: clock.now, sweepEveryMs: 60_000, log: () => {} });
      handles.push(handle);
      const levelState = () => Object.fromEntries(db().select().from(escalations).where(eq(escalations.itemId, itemId)).all().map((r) => [r.level, r.firedAt !== null]));
      expect(levelState()).toEqual({ yellow: true, red: false, supervise: false, leader: false });
      clock.set(Date.parse("2026-12-17T09:00:30+08:00"));
      await handle.sweep();
      expect(levelState()).toEqual({ yellow: true, red: true, supervise: false, leader: false });
      const red = db().select().from(escalations).where(eq(escalations.id, redRow.id)).get()!;
      expect(red.dueOn).toBe("2026-12-16");
      expect(red.firedAt).toBeGreaterThanOrEqual(Date.parse("2026-12-17T09:00:00+08:00"));
      await shutdown(handle);
      expect(exactlyOnceReport(db(), clock.now().getTime(), who)).toEqual(cleanReport(firedCount()));
      retire(projectId);
    },
    30_000,
  );
});

describe("workers next to other writers", () => {
  /** An error as one line: message, SQLite code and the first frames in the app, for the failure message. */
  const describeError = (e: unknown) =>
    e === null
      ? "none"
      : `${(e as Error).message} (${(e as { code?: string }).code ?? "no code"}) at ${((e as Error).stack ?? "")
          .split("\n")
          .filter((l) => /app\/|jobs\//.test(l))
          .slice(0, 3)
          .map((l) => l.trim().replace(/^at /, "").replace(/\(.*\/work\/main\//, "("))
          .join(" <- ")}`;

  it(
    "a worker starting, and sweeping, while another process keeps writing to the database (the web app) does not fail",
    async () => {
      // 2,000 running items planned already (their timers lie in December): re-planning them reads and writes nothing,
      // so the start-up re-plan reads for a while before its first write, as it does on a real database.
      const planned = newProject("2026-08-03");
      insertRunningItems(planned, 2_000, "2026-12-01", 5);
      replanAll(db());
      // Ten groups of 30 new items, accepted on ten consecutive working days: some twenty moments to sweep through.
      const projectId = newProject("2026-09-01");
      const accepted = Array.from({ length: 10 }, (_, g) => formatDay(getCalendar(db()).addWorkingDays(toDay("2026-08-31"), g + 1)));
      const groups = accepted.map((on, g) => insertRunningItems(projectId, 30, on, 5, `g${g}`).dueOn);
      const clock = new FakeClock(redAt(groups[0]) + 30_000);
      let writer = spawnBusyWriter(process.env.DATABASE_PATH!);
      children.push(writer);
      await writer.ready;

      // Start-up under load: re-plan 2,300 items' ladders and fire what is due.
      let startError: unknown = null;
      let handle: WorkerHandle;
      try {
        handle = await startWorker({ clock: clock.now, sweepEveryMs: 60_000, log: () => {} });
        handles.push(handle);
      } catch (e) {
        startError = e;
        await shutdown();
        await writer.stop("SIGKILL");
        handle = await startWorker({ clock: clock.now, sweepEveryMs: 60_000, log: () => {} });
        handles.push(handle);
        writer = spawnBusyWriter(process.env.DATABASE_PATH!);
        children.push(writer);
        await writer.ready;
      }
      const unfiredDue = () => db().get<{ n: number }>(sql`select count(*) as n from escalations where project_id = ${projectId} and fired_at is null and fire_at <= ${clock.now().getTime()}`).n;
      expect(unfiredDue()).toBe(0);

      // Sweeps under load: every later moment of the ladders in turn (red, supervise, leader of each group).
      const moments = db()
        .all<{ at: number }>(sql`select distinct fire_at as at from escalations where project_id = ${projectId} and fired_at is null order by fire_at`)
        .map((r) => r.at);
      expect(moments.length).toBeGreaterThanOrEqual(15);
      let sweepError: unknown = null;
      for (const at of moments) {
        clock.set(at + 30_000);
        sweepError = await handle.sweep().then(
          () => null,
          (e: unknown) => e,
        );
        if (sweepError) break; // one failure tells; each can cost the 5 s busy timeout
      }
      await writer.stop("SIGKILL");
      clock.set(moments[moments.length - 1] + 30_000);
      if (sweepError) await handle.sweep();
      await shutdown(handle);
      expect(unfiredDue()).toBe(0);
      expect(exactlyOnceReport(db(), clock.now().getTime(), who)).toEqual(cleanReport(firedCount()));
      retire(projectId);
      // The 2,000 planned items are left as they are (their timers lie in the future; the database is this test's own).
      expect({ startWorker: describeError(startError), sweep: describeError(sweepError) }, "failures while another process was writing").toEqual({
        startWorker: "none",
        sweep: "none",
      });
    },
    30_000,
  );
});
