/**
 * The dashboard loaders against the bare SQL they run: `npx tsx bench/loader-sql.ts --db <file>`
 * (bench/pages.ts runs it after the page loads). Prints figures; not a test.
 *
 * In one process, against a private copy of the database: calls the service function a few
 * times to warm caches, records every statement better-sqlite3 executes during one more call
 * (source, mode, method and parameters; through the Statement prototype, so statements a module
 * prepared earlier and reuses are seen as well as new ones), then times the service call and the
 * re-run of the recorded statements with the same parameters (prepared once, outside the timing),
 * median of `--runs` each, and prints `dashboard loader 9.1 ms / bare SQL 7.8 ms = 1.17×`. The
 * difference is what the loader spends in JavaScript: drizzle's query building and row mapping,
 * and the rules applied to the rows.
 *
 *   --db <file>       database (copied first unless --in-place)      --runs 20     timed runs of each
 *   --pages dashboard,ranking                                        --login leader
 *   --in-place        use the file itself (bench/pages.ts passes its own workspace copy)
 *   --budget 30       stop timing a function after this many seconds (at least 3 runs)
 *
 * LOADER_SQL_VERBOSE=1 also lists the recorded statements with their own median time, slowest first.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    db: { type: "string" },
    runs: { type: "string", default: "20" },
    pages: { type: "string", default: "dashboard,ranking" },
    login: { type: "string", default: "leader" },
    "in-place": { type: "boolean", default: false },
    budget: { type: "string", default: "30" },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (args.help || !args.db) {
  console.log("usage: npx tsx bench/loader-sql.ts --db <file> [--runs 20] [--pages dashboard,ranking] [--login leader] [--in-place] [--budget 30]");
  process.exit(args.help ? 0 : 2);
}
const runs = Math.max(1, Math.round(Number(args.runs)) || 20);
const budgetMs = Math.max(1, Number(args.budget) || 30) * 1000;
const pages = args.pages.split(",").map((p) => p.trim()).filter(Boolean);

// ---------------------------------------------------------------- the database copy

let scratch: string | null = null;
let dbPath = resolve(args.db);
if (!args["in-place"]) {
  scratch = mkdtempSync(join(tmpdir(), "gc-loader-sql-"));
  const copy = join(scratch, "app.db");
  const src = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    await src.backup(copy);
  } finally {
    src.close();
  }
  dbPath = copy;
}
// Before any app module is imported: getDb() opens DATABASE_PATH (as tests/setup/db.ts arranges it).
process.env.DATABASE_PATH = dbPath;

// ---------------------------------------------------------------- recording statements

type Method = "run" | "get" | "all" | "iterate";
interface Mode { raw: boolean; pluck: boolean; expand: boolean }
interface Recorded { source: string; method: Method; args: unknown[]; mode: Mode }

type StatementProto = Record<Method | "raw" | "pluck" | "expand", (...a: unknown[]) => unknown> & { source?: string };
const probe = new Database(":memory:");
const statementProto = Object.getPrototypeOf(probe.prepare("select 1")) as StatementProto;
probe.close();

// Modes are tracked for every statement, from the start; they are set rarely (drizzle: `.raw()` for selects with joins).
const modes = new WeakMap<object, Mode>();
const modeOf = (stmt: object) => modes.get(stmt) ?? { raw: false, pluck: false, expand: false };
for (const toggle of ["raw", "pluck", "expand"] as const) {
  const original = statementProto[toggle];
  statementProto[toggle] = function (this: object, ...a: unknown[]) {
    const on = a.length === 0 ? true : Boolean(a[0]);
    // better-sqlite3: raw, pluck and expand exclude one another when switched on.
    const next = on ? { raw: false, pluck: false, expand: false, [toggle]: true } : { ...modeOf(this), [toggle]: false };
    modes.set(this, next);
    return original.apply(this, a);
  };
}

/** Runs `fn` with every statement execution recorded (source, method, parameters, mode). */
function record<T>(fn: () => T): { result: T; calls: Recorded[] } {
  const calls: Recorded[] = [];
  const originals = new Map<Method, (...a: unknown[]) => unknown>();
  for (const method of ["run", "get", "all", "iterate"] as const) {
    const original = statementProto[method];
    originals.set(method, original);
    statementProto[method] = function (this: { source: string }, ...a: unknown[]) {
      calls.push({ source: this.source, method, args: a, mode: { ...modeOf(this) } });
      return original.apply(this, a);
    };
  }
  try {
    return { result: fn(), calls };
  } finally {
    for (const [method, original] of originals) statementProto[method] = original;
  }
}

// ---------------------------------------------------------------- the service functions

const { getDb } = await import("../app/utils/db.server");
const { serviceContext } = await import("../app/services/context.server");
const dashboardModule = (await import("../app/services/dashboard.server")) as unknown as Record<string, unknown>;

const db = getDb();
const actor = db.$client
  .prepare("select id, role, department_id as departmentId, enterprise_id as enterpriseId from users where login = ?")
  .get(args.login) as { id: number; role: string; departmentId: number | null; enterpriseId: number | null } | undefined;
if (!actor) {
  console.error(`loader-sql: no user "${args.login}" in the database`);
  process.exit(2);
}

type ServiceFn = (ctx: unknown, actor: unknown) => unknown;
const FUNCTIONS: Record<string, string> = { dashboard: "getDashboard", ranking: "getDepartmentRanking" };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
const ms = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));

/** Times `fn` up to `runs` times (at least 3, or fewer if the budget runs out). */
function time(fn: () => void): { median: number; n: number } {
  const times: number[] = [];
  const deadline = performance.now() + budgetMs;
  while (times.length < runs && (times.length < 3 || performance.now() < deadline)) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return { median: median(times), n: times.length };
}

let failed = false;
const now = new Date();
for (const page of pages) {
  const name = FUNCTIONS[page];
  if (!name) {
    console.log(`${page}: no service function known for this page (known: ${Object.keys(FUNCTIONS).join(", ")}); skipped`);
    continue;
  }
  const fn = dashboardModule[name];
  if (typeof fn !== "function") {
    console.log(`${page} loader: ${name} is not exported by app/services/dashboard.server.ts yet; skipped`);
    continue;
  }
  const call = () => (fn as ServiceFn)(serviceContext(now), actor);
  try {
    // Warm up (calendar cache, stored figures refreshed lazily in batches) until a call writes
    // nothing: the call recorded and timed is the steady state a page request sees.
    let warmups = 0;
    let calls: Recorded[] = [];
    const warmDeadline = performance.now() + budgetMs;
    for (;;) {
      if (warmups < 2) call();
      else {
        calls = record(call).calls;
        if (!calls.some((c) => c.method === "run" && !/^(BEGIN|COMMIT|SAVEPOINT|RELEASE)/i.test(c.source)) || performance.now() > warmDeadline) break;
      }
      warmups++;
    }
    const statements = new Map<string, Database.Statement>();
    const replay = calls.map((c) => {
      let stmt = statements.get(`${c.mode.raw}${c.mode.pluck}${c.mode.expand}:${c.source}`);
      if (!stmt) {
        stmt = db.$client.prepare(c.source);
        if (c.mode.raw) stmt.raw(true);
        if (c.mode.pluck) stmt.pluck(true);
        if (c.mode.expand) stmt.expand(true);
        statements.set(`${c.mode.raw}${c.mode.pluck}${c.mode.expand}:${c.source}`, stmt);
      }
      return { stmt, c };
    });
    let rows = 0;
    const bare = () => {
      rows = 0;
      for (const { stmt, c } of replay) {
        const s = stmt as unknown as Record<Method, (...a: unknown[]) => unknown>;
        if (c.method === "iterate") {
          for (const _row of s.iterate(...c.args) as Iterable<unknown>) rows++;
        } else {
          const r = s[c.method](...c.args);
          rows += Array.isArray(r) ? r.length : r === undefined ? 0 : 1;
        }
      }
    };
    const loader = time(call);
    const sqlOnly = time(bare);
    const writes = calls.filter((c) => c.method === "run" && !/^(BEGIN|COMMIT|SAVEPOINT|RELEASE)/i.test(c.source)).length;
    console.log(
      `${page} loader ${ms(loader.median)} ms / bare SQL ${ms(sqlOnly.median)} ms = ${(loader.median / sqlOnly.median).toFixed(2)}×` +
        `   (${name}; ${calls.length} statement executions, ${statements.size} distinct, ${rows} rows${writes ? `, ${writes} writes: still refreshing after ${warmups} warm-up calls` : ""}; median of ${loader.n}/${sqlOnly.n} runs)`,
    );
    if (process.env.LOADER_SQL_VERBOSE) {
      // Each statement on its own, slowest first: where the SQL time goes.
      const each = replay.map(({ stmt, c }) => {
        const s = stmt as unknown as Record<Method, (...a: unknown[]) => unknown>;
        const t = time(() => {
          const r = s[c.method](...c.args);
          if (c.method === "iterate") for (const _row of r as Iterable<unknown>);
        });
        return { c, ms: t.median };
      });
      for (const { c, ms: t } of each.sort((a, b) => b.ms - a.ms)) {
        console.log(`  ${ms(t).padStart(7)} ms  ${c.method}${c.mode.raw ? " raw" : ""}${c.mode.pluck ? " pluck" : ""}: ${c.source.replace(/\s+/g, " ").slice(0, 240)}  ${JSON.stringify(c.args).slice(0, 120)}`);
      }
    }
  } catch (e) {
    failed = true;
    console.log(`${page} loader: ${name} failed: ${e instanceof Error ? e.message : e}`);
  }
}

db.$client.close();
if (scratch) rmSync(scratch, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
