import { sql } from "drizzle-orm";
import { QUEUE_NAMES, getQueue, type QueueName } from "../../jobs/queues";
import { redisAvailable } from "~/utils/queue.server";
import { getDb, type Db } from "~/utils/db.server";
import { readWorkerHeartbeat } from "./worker-status.server";

/*
 * What GET /healthz and the administrators' status page report: the database, Redis, the
 * worker's heartbeat, the queues' backlog and the oldest timer that came due without firing.
 * Every figure is bounded in time: a dead Redis answers "down" within a second rather than
 * hanging a load balancer's probe, and nothing here names a path, a URL or a secret.
 */

export type HealthStatus = "ok" | "degraded" | "down";

export interface QueueCounts {
  waiting: number;
  delayed: number;
  active: number;
  failed: number;
}

export interface HealthReport {
  status: HealthStatus;
  checkedAt: string;
  checks: {
    database: { ok: boolean; ms: number };
    redis: { ok: boolean; ms: number };
    worker: { ok: boolean; lastHeartbeatAt: string | null; ageSeconds: number | null };
    /** Only the queues Redis answered for in time; empty while Redis is down. */
    queues: Partial<Record<QueueName, QueueCounts>>;
    timers: { oldestDueUnfiredAt: string | null; overdueCount: number | null };
  };
}

/** The worker beats every 30 s (jobs/worker-core.ts); three missed beats and it is taken for gone. */
export const WORKER_STALE_AFTER_MS = 90_000;

/**
 * The sweep fires due timers every minute; one still unfired five minutes after its moment
 * means nothing is firing (worker stopped, or stuck), which users notice as missing reminders.
 */
export const TIMER_LATE_AFTER_MS = 5 * 60_000;

/** Redis answers well within this or is reported down: the probe and the queue counts each get one second. */
const REDIS_BUDGET_MS = 1_000;

function within<T>(ms: number, p: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([p.catch(() => undefined), timeout]).finally(() => clearTimeout(timer));
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function checkDatabase(): { db: Db | null; ok: boolean; ms: number } {
  const started = performance.now();
  try {
    const db = getDb();
    db.$client.prepare("select count(*) from settings").get();
    return { db, ok: true, ms: Math.round(performance.now() - started) };
  } catch {
    return { db: null, ok: false, ms: Math.round(performance.now() - started) };
  }
}

/** Timers that came due and have not fired. Replanned (cancelled) timers are deleted, so unfired rows are all live. */
function dueUnfired(db: Db, now: number): { oldest: number | null; count: number } {
  // Both read through escalations_pending_idx (fired_at, fire_at): cheap on a province's table.
  const row = db.get<{ oldest: number | null; count: number }>(
    sql`select min(fire_at) as oldest, count(*) as count from escalations where fired_at is null and fire_at <= ${now}`,
  );
  return { oldest: row.oldest, count: row.count };
}

async function queueCounts(): Promise<Partial<Record<QueueName, QueueCounts>>> {
  const entries = await Promise.all(
    QUEUE_NAMES.map(async (name) => {
      const c = await within(REDIS_BUDGET_MS, getQueue(name).getJobCounts());
      return c ? ([name, { waiting: c.waiting, delayed: c.delayed, active: c.active, failed: c.failed }] as const) : null;
    }),
  );
  return Object.fromEntries(entries.filter((e) => e !== null));
}

export async function checkHealth(now: Date = new Date()): Promise<HealthReport> {
  const at = now.getTime();
  const database = checkDatabase();

  const redisStarted = performance.now();
  const redisOk = (await within(REDIS_BUDGET_MS + 200, redisAvailable())) === true;
  const redis = { ok: redisOk, ms: Math.round(performance.now() - redisStarted) };
  // Never open Bull's connections while Redis is away: they retry forever and would pile up per probe.
  const queues = redisOk ? await queueCounts() : {};

  let worker: HealthReport["checks"]["worker"] = { ok: false, lastHeartbeatAt: null, ageSeconds: null };
  let timers: HealthReport["checks"]["timers"] = { oldestDueUnfiredAt: null, overdueCount: null };
  let timersLate = false;
  if (database.db) {
    try {
      const beat = readWorkerHeartbeat(database.db);
      worker = {
        ok: beat !== null && at - beat < WORKER_STALE_AFTER_MS,
        lastHeartbeatAt: iso(beat),
        ageSeconds: beat === null ? null : Math.max(0, Math.round((at - beat) / 1000)),
      };
      const due = dueUnfired(database.db, at);
      timers = { oldestDueUnfiredAt: iso(due.oldest), overdueCount: due.count };
      timersLate = due.oldest !== null && at - due.oldest > TIMER_LATE_AFTER_MS;
    } catch {
      database.ok = false;
    }
  }

  const status: HealthStatus = !database.ok ? "down" : !redis.ok || !worker.ok || timersLate ? "degraded" : "ok";
  return { status, checkedAt: now.toISOString(), checks: { database: { ok: database.ok, ms: database.ms }, redis, worker, queues, timers } };
}
