/**
 * Timer lateness and throughput (issue: escalations on Bull/Redis).
 * - 10,000 timers due over a few seconds: p50/p99 of (fired − due), target p99 ≤ 2 s.
 * - 5,000 due timers: processing rate of our fire processor vs a bare Bull no-op on the same
 *   number of jobs, in the same run (target ≤ 2×).
 * Uses a throw-away SQLite file and a unique queue prefix on the local Redis.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";

function pct(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export default async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "gc-bench-esc-"));
  process.env.DATABASE_PATH = join(dir, "bench.db");
  process.env.QUEUE_PREFIX = `gcbench-${randomUUID().slice(0, 8)}`;
  const { getDb } = await import("../app/utils/db.server");
  const { sql } = await import("drizzle-orm");
  const { getQueue, closeQueues } = await import("../jobs/queues");
  const { closeAllRedis } = await import("../jobs/connection");
  const { scheduleWakeups } = await import("../jobs/wakeups");
  const { startWorker } = await import("../jobs/worker-core");
  const Queue = (await import("bull")).default;
  const { createClient } = await import("../jobs/connection");
  const db = getDb();

  // One project, N running items with one timer each, and two recipients per timer.
  function seed(n: number, fireAt: (i: number) => number) {
    db.run(sql`delete from notifications`);
    db.run(sql`delete from escalations`);
    db.run(sql`delete from items`);
    db.run(sql`delete from project_proxies`);
    db.run(sql`delete from projects`);
    db.run(sql`insert or ignore into enterprises (id, name, credit_code) values (1, '基准企业', '91350100M000100Y43')`);
    db.run(sql`insert or ignore into users (id, login, display_name, password_hash, role) values (1, 'bench-proxy', '代办员', 'x', 'proxy'), (2, 'bench-coord', '协调人', 'x', 'coordinator')`);
    db.run(sql`insert into projects (id, code, name, enterprise_id, template_key, signed_on, target_start_on, status) values (1, 'BENCH', '基准项目', 1, 'x', '2026-01-05', '2026-12-31', 'active')`);
    db.run(sql`insert into project_proxies (project_id, user_id) values (1, 1)`);
    const insertItem = db.$client.prepare(
      "insert into items (id, project_id, key, name, kind, status, accepted_on, due_on, promised_limit) values (?, 1, ?, ?, 'approval', 'running', '2026-01-05', '2026-01-07', 2)",
    );
    const insertEsc = db.$client.prepare("insert into escalations (id, project_id, item_id, level, due_on, dedupe_key, fire_at) values (?, 1, ?, 'red', '2026-01-07', ?, ?)");
    db.$client.transaction(() => {
      for (let i = 1; i <= n; i++) {
        insertItem.run(i, `item-${i}`, `事项 ${i}`);
        insertEsc.run(i, i, `bench-${i}`, fireAt(i));
      }
    })();
  }

  // --- lateness: 10,000 timers due 2–6 s from now, woken by Bull delayed jobs
  const N = 10_000;
  const t0 = Date.now() + 2_000;
  seed(N, (i) => t0 + Math.floor((i * 4_000) / N));
  const wakeups = db.all<{ id: number; fire_at: number }>(sql`select id, fire_at from escalations`).map((r) => ({ id: r.id, fireAt: r.fire_at }));
  const t1 = performance.now();
  await scheduleWakeups(wakeups);
  console.log(`scheduled ${N} wake-ups in ${(performance.now() - t1).toFixed(0)} ms`);
  const worker = await startWorker({ concurrency: 8, sweepEveryMs: 60_000, reconcileOnStart: false, log: () => {} });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const left = db.get<{ n: number }>(sql`select count(*) as n from escalations where fired_at is null`).n;
    if (left === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const late = db
    .all<{ d: number }>(sql`select fired_at - fire_at as d from escalations where fired_at is not null`)
    .map((r) => r.d)
    .sort((a, b) => a - b);
  const unfired = N - late.length;
  console.log(
    `lateness for ${N} timers: p50 ${pct(late, 50)} ms, p99 ${pct(late, 99)} ms, max ${late[late.length - 1]} ms (target p99 ≤ 2000 ms)${unfired ? `; ${unfired} NOT FIRED` : ""}`,
  );
  const dup = db.get<{ n: number }>(sql`select count(*) as n from (select dedupe_key from notifications group by dedupe_key having count(*) > 1)`).n;
  console.log(`notifications: ${db.get<{ n: number }>(sql`select count(*) as n from notifications`).n} (duplicates: ${dup})`);
  await worker.close();

  // --- throughput: M due jobs through our processor vs a bare no-op Bull processor
  const M = 5_000;
  seed(M, () => Date.now() - 1_000);
  const ours = await (async () => {
    const w = await startWorker({ concurrency: 8, sweepEveryMs: 600_000, reconcileOnStart: false, log: () => {} });
    // Count completed jobs, not fired rows: the first wake-up fires the whole due batch,
    // and the comparison with a no-op is about getting every job through Bull.
    let completed = 0;
    const allDone = new Promise<void>((res) => getQueue("escalations").on("completed", () => ++completed === M && res()));
    const start = performance.now();
    await getQueue("escalations").addBulk(
      db.all<{ id: number }>(sql`select id from escalations`).map((r) => ({ name: "fire", data: { id: r.id }, opts: { jobId: `esc-${r.id}-tp`, removeOnComplete: true } })),
    );
    await allDone;
    const ms = performance.now() - start;
    const unfired = db.get<{ n: number }>(sql`select count(*) as n from escalations where fired_at is null`).n;
    if (unfired) console.log(`  ${unfired} rows NOT FIRED`);
    await w.close();
    return ms;
  })();
  const bare = await (async () => {
    const q = new Queue(`noop-${randomUUID().slice(0, 6)}`, { prefix: process.env.QUEUE_PREFIX, createClient });
    let done = 0;
    const finished = new Promise<void>((res) => {
      q.process("noop", 8, async () => {
        if (++done === M) res();
      });
    });
    await q.isReady();
    const start = performance.now();
    await q.addBulk(Array.from({ length: M }, (_, i) => ({ name: "noop", data: { id: i }, opts: { jobId: `noop-${i}`, removeOnComplete: true } })));
    await finished;
    const ms = performance.now() - start;
    await q.obliterate({ force: true });
    await q.close();
    return ms;
  })();
  console.log(
    `throughput ${M} jobs: fire processor ${(M / (ours / 1000)).toFixed(0)} jobs/s; bare Bull no-op ${(M / (bare / 1000)).toFixed(0)} jobs/s; ratio ${(ours / bare).toFixed(2)}x (target ≤ 2x)`,
  );

  for (const name of ["escalations", "maintenance"] as const) await getQueue(name).obliterate({ force: true });
  await closeQueues();
  await closeAllRedis();
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
}
