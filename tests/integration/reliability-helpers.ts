/**
 * Helpers for tests/integration/reliability.test.ts: a private redis-server
 * per test file (the shared one on 6379 is never flushed or stopped), worker
 * child processes, and the exactly-once invariants checked with plain SQL.
 *
 * Also runnable as a worker with a shifted clock, so that two processes share
 * one fake "now" (scale-out on the same Redis and SQLite file):
 *   tsx tests/integration/reliability-helpers.ts worker <clock file> <sweepEveryMs>
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value; throws with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 15_000, everyMs = 50): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await fn();
    if (last) return last as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await sleep(everyMs);
  }
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

/** One raw RESP command over a fresh socket: no client library state is shared with the app. */
export function redisCommand(port: number, ...args: string[]): Promise<string> {
  return new Promise((res, rej) => {
    const s = new Socket();
    let buf = "";
    const t = setTimeout(() => {
      s.destroy();
      rej(new Error(`redis ${args[0]} timed out`));
    }, 2_000);
    s.on("error", (e) => {
      clearTimeout(t);
      rej(e);
    });
    s.on("data", (d) => {
      buf += d.toString();
      if (buf.endsWith("\r\n")) {
        clearTimeout(t);
        s.end();
        res(buf.trim());
      }
    });
    s.connect(port, "127.0.0.1", () => {
      s.write(`*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join(""));
    });
  });
}

/**
 * A private redis-server on a spare port, without persistence: a restart
 * comes back empty, like a crashed Redis that kept nothing.
 */
export class PrivateRedis {
  private proc?: ChildProcess;
  readonly dir = mkdtempSync(join(tmpdir(), "gc-redis-"));
  constructor(readonly port: number) {}

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async create(): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort());
    await r.start();
    return r;
  }

  /** Starts the server (a no-op while it runs). */
  async start(): Promise<void> {
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) return;
    const proc = spawn(
      "redis-server",
      ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", this.dir, "--loglevel", "warning"],
      { stdio: "ignore" },
    );
    this.proc = proc;
    await waitFor(`redis-server on ${this.port}`, async () => (await redisCommand(this.port, "PING").catch(() => "")) === "+PONG", 10_000, 50);
  }

  /** Stops the server cleanly after writing its data to disk; `start()` loads it again. */
  async stopKeepingData(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once("exit", r));
    // The server closes the connection instead of answering SHUTDOWN.
    await redisCommand(this.port, "SHUTDOWN", "SAVE").catch(() => undefined);
    await exited;
  }

  /** Stops the server the way a crash does (SIGKILL): nothing is kept. */
  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once("exit", r));
    p.kill("SIGKILL");
    await exited;
  }

  async flushAll(): Promise<void> {
    if ((await redisCommand(this.port, "FLUSHALL")) !== "+OK") throw new Error("FLUSHALL failed");
  }

  async dbSize(): Promise<number> {
    return Number((await redisCommand(this.port, "DBSIZE")).replace(":", ""));
  }

  /** Drops what a clean stop saved, so that the next start comes back empty again. */
  forgetData(): void {
    rmSync(join(this.dir, "dump.rdb"), { force: true });
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A worker child process with its output captured; `ready` resolves on the worker's "ready" line. */
export interface WorkerProc {
  proc: ChildProcess;
  output: () => string;
  ready: Promise<void>;
  exited: Promise<number | null>;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/**
 * `node --import tsx <script>` rather than node_modules/.bin/tsx: the tsx CLI
 * runs the script in a child process, so a SIGKILL sent to it would kill only
 * the wrapper and leave the real worker running as an orphan.
 */
export function spawnWorker(args: string[], env: Record<string, string | undefined> = {}): WorkerProc {
  const proc = spawn(process.execPath, ["--import", "tsx", ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: "info", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  return wrap(proc);
}

function wrap(proc: ChildProcess): WorkerProc {
  let out = "";
  let onReady: () => void = () => {};
  let onFail: (e: Error) => void = () => {};
  const ready = new Promise<void>((res, rej) => {
    onReady = res;
    onFail = rej;
  });
  const exited = new Promise<number | null>((res) => proc.once("exit", (code) => res(code)));
  exited.then((code) => onFail(new Error(`worker exited (${code}) before it was ready:\n${out}`)));
  ready.catch(() => {});
  const collect = (d: Buffer) => {
    out += d.toString();
    // The real entry logs JSON lines (pino, "service":"worker"); the clocked test worker plain ones.
    if (/worker: ready|"service":"worker".*"msg":"ready/.test(out)) onReady();
  };
  proc.stdout!.on("data", collect);
  proc.stderr!.on("data", collect);
  return {
    proc,
    output: () => out,
    ready,
    exited,
    stop: async (signal: NodeJS.Signals = "SIGTERM") => {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      return exited;
    },
  };
}

/** The real worker entry (jobs/worker.ts) against the given database, Redis and queue prefix. */
export function spawnRealWorker(env: { DATABASE_PATH: string; REDIS_URL: string; QUEUE_PREFIX: string }): WorkerProc {
  return spawnWorker(["jobs/worker.ts"], env);
}

/** This file as a worker on the test's fake clock (the offset is read from the clock's file on every tick). */
export function spawnClockedWorker(clock: FakeClock, sweepEveryMs: number, env: { DATABASE_PATH: string; REDIS_URL: string; QUEUE_PREFIX: string }): WorkerProc {
  return spawnWorker(["tests/integration/reliability-helpers.ts", "worker", clock.file, String(sweepEveryMs)], env);
}

/**
 * Another process committing a small write every quarter millisecond (a busy
 * web app, in the extreme) until it is killed. It leaves the lock free most of
 * the time, so other writers only wait their turn; a transaction that read
 * before it wrote, though, finds its snapshot outdated.
 */
export function spawnBusyWriter(databasePath: string): WorkerProc {
  const code = `
    const Database = require("better-sqlite3");
    const db = new Database(process.argv[1]);
    db.pragma("busy_timeout = 5000");
    db.pragma("synchronous = NORMAL");
    const st = db.prepare("insert into settings (key, value, updated_at) values ('reliabilityBusyWriter', ?, ?) on conflict(key) do update set value = excluded.value, updated_at = excluded.updated_at");
    let n = 0;
    const tick = () => {
      st.run(String(++n), Date.now());
      if (n === 5) console.log("worker: ready");
      const until = process.hrtime.bigint() + 250000n;
      while (process.hrtime.bigint() < until);
      setImmediate(tick);
    };
    tick();
  `;
  return wrap(spawn(process.execPath, ["-e", code, databasePath], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] }));
}

/**
 * A clock running at real speed from `start` on; `set(to)` jumps it. With a
 * file, the offset is shared with worker processes started by
 * `spawnShiftedWorker`, which read it on every tick: all workers see one "now".
 */
const clockDirs: string[] = [];

/** Removes the clocks' temporary files. */
export function disposeClocks(): void {
  for (const d of clockDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export class FakeClock {
  private offset = 0;
  readonly file: string;
  constructor(start: Date | number) {
    const dir = mkdtempSync(join(tmpdir(), "gc-clock-"));
    clockDirs.push(dir);
    this.file = join(dir, "offset");
    this.set(start);
  }
  now = (): Date => new Date(Date.now() + this.offset);
  set(to: Date | number) {
    this.offset = +to - Date.now();
    // Atomic for readers in other processes: a half-written file would read as real time.
    writeFileSync(`${this.file}.tmp`, String(this.offset));
    renameSync(`${this.file}.tmp`, this.file);
  }
}

// ---------------------------------------------------------------- invariants (plain SQL)

export interface Recipients {
  proxy: number;
  coordinator: number;
  leader: number;
  deptStaff: number;
  deptLeader: number;
  deptId: number;
}

/**
 * DESIGN §4's audience for the fixed user set of the test file, written out
 * independently of the service: one assigned proxy per project, one
 * coordinator, one leader, and one staff member plus one leader in `deptId`.
 */
export function expectedRecipients(level: string, itemDeptId: number | null, u: Recipients): number[] {
  const inDept = itemDeptId === u.deptId;
  const staff = inDept ? [u.deptStaff] : [];
  const lead = inDept ? [u.deptLeader] : [];
  const ids =
    level === "yellow"
      ? [...staff, u.proxy]
      : level === "red"
        ? [...staff, u.proxy, ...lead, u.coordinator]
        : level === "supervise"
          ? [...lead, u.proxy, u.coordinator]
          : level === "leader"
            ? [...lead, u.coordinator, u.leader]
            : [u.proxy, u.coordinator];
  return ids.sort((a, b) => a - b);
}

export interface ExactlyOnceReport {
  fired: number;
  unfiredDue: number[];
  auditNotOnce: { id: number; n: number }[];
  auditForUnfired: number[];
  duplicateNotificationKeys: string[];
  duplicateNotificationPairs: { escalation_id: number; user_id: number; n: number }[];
  notificationsForUnfired: number[];
  wrongRecipients: { id: number; level: string; got: number[]; want: number[] }[];
}

/**
 * Every row due by `now` fired exactly once: fired_at set, exactly one
 * `escalation.<level>` audit row, one notification per recipient, no
 * duplicate by dedupe key, nothing for rows that did not fire.
 */
export function exactlyOnceReport(db: Db, now: number, u: Recipients): ExactlyOnceReport {
  const fired = db.get<{ n: number }>(sql`select count(*) as n from escalations where fired_at is not null`).n;
  const unfiredDue = db.all<{ id: number }>(sql`select id from escalations where fired_at is null and fire_at <= ${now}`).map((r) => r.id);
  const auditNotOnce = db.all<{ id: number; n: number }>(
    sql`select e.id as id, (select count(*) from audit_log a where a.entity_type = 'escalation' and a.entity_id = e.id and a.action = 'escalation.' || e.level) as n
        from escalations e where e.fired_at is not null and n != 1`,
  );
  const auditForUnfired = db
    .all<{ id: number }>(
      sql`select a.entity_id as id from audit_log a
          where a.entity_type = 'escalation' and a.action in ('escalation.yellow', 'escalation.red', 'escalation.supervise', 'escalation.leader', 'escalation.stall')
            and a.entity_id not in (select id from escalations where fired_at is not null)`,
    )
    .map((r) => r.id);
  const duplicateNotificationKeys = db
    .all<{ k: string }>(sql`select dedupe_key as k from notifications group by dedupe_key having count(*) > 1`)
    .map((r) => r.k);
  const duplicateNotificationPairs = db.all<{ escalation_id: number; user_id: number; n: number }>(
    sql`select escalation_id, user_id, count(*) as n from notifications where escalation_id is not null group by escalation_id, user_id having count(*) > 1`,
  );
  const notificationsForUnfired = db
    .all<{ id: number }>(
      sql`select distinct n.escalation_id as id from notifications n left join escalations e on e.id = n.escalation_id
          where n.escalation_id is not null and (e.id is null or e.fired_at is null)`,
    )
    .map((r) => r.id);
  // One pass over the outbox (notifications has no index on escalation_id; a correlated subquery would crawl).
  const notified = new Map<number, number[]>();
  for (const n of db.all<{ e: number; u: number }>(sql`select escalation_id as e, user_id as u from notifications where escalation_id is not null`)) {
    const list = notified.get(n.e);
    if (list) list.push(n.u);
    else notified.set(n.e, [n.u]);
  }
  const rows = db.all<{ id: number; level: string; dept: number | null }>(
    sql`select e.id as id, e.level as level, i.department_id as dept from escalations e left join items i on i.id = e.item_id where e.fired_at is not null`,
  );
  const wrongRecipients: ExactlyOnceReport["wrongRecipients"] = [];
  for (const r of rows) {
    const got = [...(notified.get(r.id) ?? [])].sort((a, b) => a - b);
    const want = expectedRecipients(r.level, r.dept, u);
    if (got.join(",") !== want.join(",")) wrongRecipients.push({ id: r.id, level: r.level, got, want });
  }
  const cap = <T,>(xs: T[]) => (xs.length > 20 ? [...xs.slice(0, 20), `… ${xs.length - 20} more` as unknown as T] : xs);
  return {
    fired,
    unfiredDue: cap(unfiredDue),
    auditNotOnce: cap(auditNotOnce),
    auditForUnfired: cap(auditForUnfired),
    duplicateNotificationKeys: cap(duplicateNotificationKeys),
    duplicateNotificationPairs: cap(duplicateNotificationPairs),
    notificationsForUnfired: cap(notificationsForUnfired),
    wrongRecipients: cap(wrongRecipients),
  };
}

/** The report with every violation list empty, for `toEqual`. */
export function cleanReport(fired: number): ExactlyOnceReport {
  return {
    fired,
    unfiredDue: [],
    auditNotOnce: [],
    auditForUnfired: [],
    duplicateNotificationKeys: [],
    duplicateNotificationPairs: [],
    notificationsForUnfired: [],
    wrongRecipients: [],
  };
}

// ---------------------------------------------------------------- worker mode

async function workerMain(clockFile: string, sweepEveryMs: number) {
  const { startWorker } = await import("../../jobs/worker-core");
  const { getDb } = await import("../../app/utils/db.server");
  const handle = await startWorker({
    clock: () => new Date(Date.now() + Number(readFileSync(clockFile, "utf8"))),
    sweepEveryMs,
    log: (m) => console.log(`worker: ${m}`),
  });
  const stop = async () => {
    await handle.close();
    getDb().$client.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url) && process.argv[2] === "worker") {
  void workerMain(process.argv[3], Number(process.argv[4] ?? 500)).catch((e) => {
    console.error("worker: failed to start", e);
    process.exit(1);
  });
}

/** Synchronous check that the tools the file needs are on PATH (a clear message instead of a hang). */
export function haveRedisServer(): boolean {
  return spawnSync("redis-server", ["--version"]).status === 0;
}
