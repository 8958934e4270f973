import { z } from "zod";
import { recordDeemedAcceptances } from "../app/services/deemed-acceptance.server";
import { fireDue, readEscalationTimer } from "../app/services/escalation-firing.server";
import { replanAll, upcomingWakeups } from "../app/services/escalation-timers.server";
import { requeueLedgerImports, runLedgerImport } from "../app/services/ledger-import.server";
import { buildDailyDigests, deliverDue } from "../app/services/notify.server";
import { runBriefingSchedule } from "../app/services/briefings.server";
import { notifyDueCommitments } from "../app/services/enterprise-notifications.server";
import { recordWorkerHeartbeat } from "../app/services/worker-status.server";
import { refreshStaleStats } from "../app/services/stats.server";
import { getDb } from "../app/utils/db.server";
import { closeAllRedis } from "./connection";
import { closeQueues, getQueue } from "./queues";
import { scheduleWakeups } from "./wakeups";
import { logger } from "../app/utils/log.server";

/**
 * Job processors and the reconciliation loop. Every processor re-reads the
 * database and claims before it acts, so Bull's at-least-once delivery, a
 * duplicate wake-up or a stale one changes nothing (DESIGN §8).
 */
export interface WorkerOptions {
  /** "Now" for the rules; tests inject a clock, production uses the wall clock. */
  clock?: () => Date;
  /** How often to check that the repeatable jobs still exist in Redis (default: the sweep interval, at most 15 s). */
  watchdogEveryMs?: number;
  /** Re-plan and fire the backlog at start (default true; benchmarks that stage their own rows turn it off). */
  reconcileOnStart?: boolean;
  concurrency?: number;
  sweepEveryMs?: number;
  log?: (msg: string) => void;
}

export interface WorkerHandle {
  sweep: () => Promise<SweepResult>;
  close: () => Promise<void>;
}

export interface SweepResult {
  /** Items the law deemed accepted (行政许可法 §32) that this sweep recorded. */
  deemedAccepted: number;
  fired: number;
  delivered: number;
  wakeups: number;
  /** Ledger imports handed to the queue again (queued without a Bull job, or their runner died). */
  imports: number;
  /** Projects whose stored dashboard figures were brought up to today. */
  statsRefreshed: number;
}

/** How far ahead the sweep makes sure Bull holds a wake-up; later timers are re-added as they come closer. */
const WAKEUP_HORIZON_MS = 60 * 60_000;
/** Time one sweep may spend bringing stored figures up to today. */
const STATS_BUDGET_MS = 5_000;
const fireJob = z.object({ id: z.number().int().positive() });
const importJob = z.object({ id: z.number().int().positive() });

export async function reconcile(clock: () => Date): Promise<SweepResult & { planned: number }> {
  const db = getDb();
  const planned = replanAll(db);
  const result = await sweep(clock);
  return { ...result, planned: planned.length };
}

/**
 * Records the deemed acceptances now due, fires everything overdue, delivers what may be
 * delivered, and restores missing wake-ups. Deemed acceptances come first: one dated back to
 * its submission day can start an approval clock that is already late, and its timers then
 * fire in this same sweep rather than a minute later.
 */
export async function sweep(clock: () => Date): Promise<SweepResult> {
  const db = getDb();
  const now = clock();
  const deemed = recordDeemedAcceptances(db, now);
  for (const s of deemed.skipped) logger().warn({ itemId: s.itemId, reason: s.message }, "an item awaits a deemed acceptance but its history does not replay");
  const { fired } = fireDue(db, now);
  const { delivered } = await deliverDue(db, now);
  const wakeups = await scheduleWakeups(upcomingWakeups(db, now, WAKEUP_HORIZON_MS), now.getTime());
  const imports = await requeueLedgerImports(db, now);
  // The leaders' stored figures roll over to the new day (and catch up after a calendar change)
  // a few seconds per sweep, so a province's 20,000 projects never block the worker for long.
  const stats = refreshStaleStats(db, now, { budgetMs: STATS_BUDGET_MS });
  return { deemedAccepted: deemed.itemIds.length, fired, delivered, wakeups, imports, statsRefreshed: stats.projects };
}

export async function startWorker(opts: WorkerOptions = {}): Promise<WorkerHandle> {
  const clock = opts.clock ?? (() => new Date());
  const log = opts.log ?? ((m: string) => console.log(`worker: ${m}`));
  const escalationsQ = getQueue("escalations");
  const maintenance = getQueue("maintenance");
  const imports = getQueue("imports");
  const db = getDb();

  escalationsQ.process("fire", opts.concurrency ?? 4, async (job) => {
    const { id } = fireJob.parse(job.data);
    const now = clock();
    const row = readEscalationTimer(db, id);
    if (!row) return "missing";
    if (row.firedAt !== null) return "already";
    if (row.fireAt <= now.getTime()) {
      // One wake-up fires its row and everything else already due, in one transaction:
      // a burst of timers due together costs one batch, and the later jobs find their rows fired.
      const batch = fireDue(db, now);
      if (batch.fired > 0) await deliverDue(db, now);
      return batch.ids.includes(id) ? "fired" : "already";
    }
    // Woken before its moment: the row was re-planned later (its new moment has a wake-up of its
    // own) or the clocks disagree (the sweep fires it when due).
    return "early";
  });
  // One import at a time: each row is its own short transaction, and a second file waits its turn.
  imports.process("run", 1, async (job) => runLedgerImport(db, importJob.parse(job.data).id, clock));
  maintenance.process("sweep", 1, async () => sweep(clock));
  maintenance.process("heartbeat", 1, async () => recordWorkerHeartbeat(db, Date.now()));
  maintenance.process("digest", 1, async () => {
    const created = buildDailyDigests(db, clock());
    // 容缺 dates falling due today reach the enterprise contacts with the morning digest (keyed: once a day).
    const commitments = notifyDueCommitments(db, clock());
    await deliverDue(db, clock());
    return { created, commitments };
  });
  // 周通报/月通报 (issue 13): the domain says which are due by now, catching up missed mornings;
  // each is written once under its schedule key, so a redelivery or a second run changes nothing.
  maintenance.process("briefing", 1, async () => {
    const run = runBriefingSchedule(db, clock());
    if (run.notified) await deliverDue(db, clock());
    return { created: run.created.map((c) => c.scheduleKey), already: run.already.length };
  });
  for (const q of [escalationsQ, maintenance, imports]) {
    q.on("failed", (job, err) => log(`job ${job.name} ${job.id} failed: ${err.message}`));
    q.on("stalled", (job) => log(`job ${job.name} ${job.id} stalled; Bull will retry it`));
  }
  await Promise.all([escalationsQ.isReady(), maintenance.isReady(), imports.isReady()]);
  const repeatOpts = { removeOnComplete: 20, removeOnFail: 50 };

  const ensureRepeatables = async () => {
    await maintenance.add("sweep", {}, { jobId: "sweep", repeat: { every: opts.sweepEveryMs ?? 60_000 }, ...repeatOpts });
    await maintenance.add("heartbeat", {}, { jobId: "heartbeat", repeat: { every: 30_000 }, ...repeatOpts });
    await maintenance.add("digest", {}, { jobId: "digest", repeat: { cron: "30 8 * * *", tz: "Asia/Shanghai" }, ...repeatOpts });
    await maintenance.add("briefing", {}, { jobId: "briefing", repeat: { cron: "0 8 * * *", tz: "Asia/Shanghai" }, ...repeatOpts });
  };
  // Watchdog: the repeatable sweep lives only in Redis, so a flush or a Redis that comes back
  // empty would silence it. Re-add it and reconcile (re-adding lost wake-ups) when it is gone.
  const watchdog = setInterval(async () => {
    try {
      const repeats = await maintenance.getRepeatableJobs();
      if (!repeats.some((r) => r.id === "sweep")) {
        await ensureRepeatables();
        const r = await reconcile(clock);
        log(`repeatable jobs were missing from Redis: restored; fired ${r.fired}, ${r.wakeups} wake-ups re-added`);
      }
    } catch {
      // Redis still away: the next tick tries again.
    }
  }, opts.watchdogEveryMs ?? Math.min(15_000, opts.sweepEveryMs ?? 60_000));
  watchdog.unref();

  await ensureRepeatables();
  recordWorkerHeartbeat(db, Date.now());
  if (opts.reconcileOnStart ?? true) {
    const r = await reconcile(clock);
    log(`ready (planned ${r.planned} timers, recorded ${r.deemedAccepted} deemed acceptances, fired ${r.fired} overdue, delivered ${r.delivered}, ${r.wakeups} wake-ups in Redis)`);
  } else log("ready");

  return {
    sweep: () => sweep(clock),
    close: async () => {
      clearInterval(watchdog);
      await closeQueues();
      await closeAllRedis();
    },
  };
}
