/**
 * Page benchmark: `npm run bench:pages` (= `tsx bench/pages.ts`). Prints figures; not a test.
 *
 * Builds when the build is missing or stale (as `npm start` does), makes a temporary directory
 * with its own database, uploads, queue prefix and port, prepares the database with
 * `npm run db:migrate` + `npm run seed` (demo data), or `npm run seed:large` (`--large N`), or
 * copies a prepared one (`--db`), starts the web server as production does
 * (`node --import tsx server.ts`, NODE_ENV=production; no worker), signs in over HTTP as the role
 * that uses each page and loads it with autocannon. The project page is the project with the most
 * items unless `--project` says otherwise. Exits 1 when any page answered anything but 2xx.
 * Budgets (p95 of the dashboard pages ≤ 150 ms, of the project page ≤ 50 ms) are printed beside
 * the figures for information only: being over one does not fail the run.
 *
 * After the loads, for `dashboard` and `ranking`, bench/loader-sql.ts times the service function
 * in-process against the bare SQL it runs (on the same database) and prints the ratio.
 *
 *   --pages projects,project,queue,dashboard,ranking   which pages (default: all five)
 *   --duration 10      seconds of load per page          --connections 10   concurrent connections
 *   --warmup 2         seconds of unrecorded load first  --sequential 20    one-at-a-time requests timed
 *   --project <id>     project for the project page      --db <file>        copy this database instead of seeding
 *   --large <N>        seed a province of N projects (npm run seed:large) instead of the demo
 *   --loader-runs 20   timed runs of each loader and of its SQL (0: skip the loader/SQL ratios)
 *   --password <pw>    password of the sign-in users (default demo1234)
 *
 * At scale the usual way is to build the province once and copy it for every run:
 *   npm run seed:large -- --projects 20000 --db /tmp/province.db
 *   npm run bench:pages -- --db /tmp/province.db
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import {
  buildIfNeeded,
  copyDatabase,
  cpuMs,
  dbFacts,
  dropQueueKeys,
  makeWorkspace,
  removeWorkspace,
  seedDatabase,
  seedLarge,
  signIn,
  startServer,
  type Server,
  type Workspace,
} from "./pages-app";
import { getOnce, kb, load, ms, sequential, stopLoad, table, type LoadFigures } from "./pages-load";

const PAGES = {
  projects: { login: "proxy", path: () => "/projects" },
  project: { login: "proxy", path: (projectId: number) => `/projects/${projectId}` },
  queue: { login: "dept", path: () => "/queue" },
  dashboard: { login: "leader", path: () => "/dashboard" },
  ranking: { login: "leader", path: () => "/dashboard/ranking" },
} as const;

/** p95 budgets (ms), printed for information next to the figures; never a failure. */
const BUDGETS: Partial<Record<PageName, number>> = { dashboard: 150, ranking: 150, project: 50 };
/** Pages whose loader bench/loader-sql.ts compares with its bare SQL. */
const LOADER_PAGES: readonly PageName[] = ["dashboard", "ranking"];
type PageName = keyof typeof PAGES;

const { values: args } = parseArgs({
  options: {
    pages: { type: "string", default: Object.keys(PAGES).join(",") },
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    sequential: { type: "string", default: "20" },
    project: { type: "string" },
    db: { type: "string" },
    large: { type: "string" },
    "loader-runs": { type: "string", default: "20" },
    password: { type: "string", default: "demo1234" },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (args.help) {
  console.log(`usage: npm run bench:pages -- [options]

  --pages <list>     pages to load, from ${Object.keys(PAGES).join(",")} (default: all)
                     ${Object.entries(PAGES).map(([k, v]) => `${k} = ${v.path(0).replace("/0", "/<id>")} as ${v.login}`).join("; ")}
  --duration 10      seconds of recorded load per page
  --connections 10   concurrent connections
  --warmup 2         seconds of unrecorded load before each page
  --sequential 20    one-at-a-time requests timed per page (0: none)
  --project <id>     project for the project page (default: the one with the most items)
  --db <file>        copy this database (never modified) instead of seeding the demo
  --large <N>        seed a province of N projects with npm run seed:large instead of the demo
  --loader-runs 20   timed runs of each dashboard loader and of its bare SQL (0: skip the ratios)
  --password <pw>    password of the sign-in users (default demo1234)

p95 budgets, printed for information (never a failure): ${Object.entries(BUDGETS).map(([k, v]) => `${k} ≤ ${v} ms`).join(", ")}.
Exits 1 when a page answers anything but 2xx.

At scale, build the province once and copy it for every run:
  npm run seed:large -- --projects 20000 --db /tmp/province.db
  npm run bench:pages -- --db /tmp/province.db`);
  process.exit(0);
}

function positive(name: string, raw: string, allowZero = false): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) {
    console.error(`--${name} ${raw}: expected a ${allowZero ? "non-negative" : "positive"} number`);
    process.exit(2);
  }
  return n;
}
const duration = positive("duration", args.duration);
const connections = Math.round(positive("connections", args.connections));
const warmup = positive("warmup", args.warmup, true);
const sequentialCount = Math.round(positive("sequential", args.sequential, true));
const projectArg = args.project === undefined ? undefined : Math.round(positive("project", args.project));
const large = args.large === undefined ? undefined : Math.round(positive("large", args.large));
const loaderRuns = Math.round(positive("loader-runs", args["loader-runs"], true));
if (large !== undefined && args.db) {
  console.error("--large and --db exclude each other: --large seeds a new province, --db copies a prepared database");
  process.exit(2);
}
const pages = args.pages.split(",").map((p) => p.trim()).filter(Boolean) as PageName[];
const unknown = pages.filter((p) => !(p in PAGES));
if (unknown.length || pages.length === 0) {
  console.error(`--pages: unknown ${unknown.join(", ") || "(none given)"}; choose from ${Object.keys(PAGES).join(", ")}`);
  process.exit(2);
}

function revision(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return dirty ? `${head} + uncommitted changes (${dirty.split("\n").length} files)` : head;
  } catch {
    return "unknown";
  }
}

interface Row {
  page: PageName;
  path: string;
  login: string;
  htmlBytes: number;
  single: number;
  /** server CPU ms per request during the load, or NaN */
  cpuPerRequest: number;
  figures: LoadFigures | null;
  problem: string | null;
}

let interrupted = false;
let ws: Workspace | undefined;
let server: Server | undefined;
const started = performance.now();

async function cleanUp() {
  await server?.stop();
  if (ws) {
    await dropQueueKeys(ws.queuePrefix);
    removeWorkspace(ws);
  }
}

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\nbench:pages: ${sig}, stopping…`);
    stopLoad();
  });
}

const load1 = () => loadavg()[0].toFixed(1);
const busy = () => loadavg()[0] > cpus().length * 0.75;
if (busy()) console.warn(`bench:pages: the machine is busy (load average ${load1()} on ${cpus().length} CPUs); figures will be noisy`);

/** An error with its cause (undici's "fetch failed" says why only there). */
function failure(e: unknown): string {
  return e instanceof Error ? `${e.message}${e.cause ? ` (${String(e.cause)})` : ""}` : String(e);
}

function budgetCell(r: Row): string {
  const budget = BUDGETS[r.page];
  if (budget === undefined) return "";
  if (!r.figures || r.problem || !Number.isFinite(r.figures.p95)) return `≤ ${budget}: -`;
  return `≤ ${budget}: ${r.figures.p95 <= budget ? "within budget" : "OVER budget"}`;
}

/** bench/loader-sql.ts on the workspace's database, its lines printed as they come. */
function loaderRatios(databasePath: string, names: PageName[]): void {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", "bench/loader-sql.ts", "--db", databasePath, "--in-place", "--pages", names.join(","), "--runs", String(loaderRuns)],
    { stdio: ["ignore", "inherit", "inherit"], env: { ...ws!.env, NODE_ENV: "production" } },
  );
  if (r.status !== 0) console.log(`  (bench/loader-sql.ts exited ${r.status}; the ratios above are incomplete)`);
}

let failed = false;
try {
  buildIfNeeded();
  ws = await makeWorkspace();
  console.log(`bench:pages: data in ${ws.dir}`);
  const t0 = performance.now();
  if (args.db) {
    console.log(`  copying ${args.db} (no seeding)`);
    await copyDatabase(args.db, ws);
  } else if (large !== undefined) {
    console.log(`  seeding a province of ${large} projects (npm run seed:large)`);
    seedLarge(ws, large);
  } else {
    seedDatabase(ws);
  }
  console.log(`  database ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const facts = dbFacts(ws.databasePath, projectArg);
  const project = facts.largest;
  if (pages.includes("project") && !project) {
    throw new Error(projectArg === undefined ? "the database has no projects" : `project ${projectArg} does not exist`);
  }

  const t1 = performance.now();
  server = await startServer(ws);
  console.log(`  web server (NODE_ENV=production, no worker) at ${server.baseUrl}, answering after ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  console.log(`  database: ${facts.projects} projects, ${facts.items} items`);
  if (project && pages.includes("project")) {
    console.log(`  project page: /projects/${project.id} «${project.name}», ${project.items} items, ${project.deps} dependencies, ${project.events} clock events${projectArg === undefined ? " (the most items)" : ""}`);
  }

  const cookies = new Map<string, string>();
  for (const login of new Set(pages.map((p) => PAGES[p].login))) {
    cookies.set(login, await signIn(server.baseUrl, login, args.password));
  }

  console.log(`\nload: ${connections} connections × ${duration} s per page, after ${warmup} s warm-up; ${sequentialCount} sequential requests timed`);
  const rows: Row[] = [];
  for (const page of pages) {
    if (interrupted) break;
    const { login } = PAGES[page];
    const path = PAGES[page].path(project?.id ?? 0);
    const url = server.baseUrl + path;
    const cookie = cookies.get(login)!;
    const row: Row = { page, path, login, htmlBytes: 0, single: NaN, cpuPerRequest: NaN, figures: null, problem: null };
    rows.push(row);
    let first: Awaited<ReturnType<typeof getOnce>>;
    try {
      first = await getOnce(url, cookie);
    } catch (e) {
      // A page that cannot be fetched at all (server crashed, connection reset) is this page's problem, not the run's end.
      row.problem = `GET ${path} as ${login}: ${failure(e)}`;
      console.log(`  ${page}: ${row.problem}; skipped`);
      if (server.proc.exitCode !== null || server.proc.signalCode !== null) throw new Error(`the web server exited (${server.proc.exitCode ?? server.proc.signalCode})`);
      continue;
    }
    row.htmlBytes = first.bytes;
    if (first.status !== 200) {
      row.problem = `GET ${path} as ${login}: HTTP ${first.status}${first.location ? ` → ${first.location}` : ""}`;
      console.log(`  ${page}: ${row.problem}; skipped`);
      continue;
    }
    if (warmup > 0) await load(url, cookie, connections, warmup);
    if (sequentialCount > 0 && !interrupted) {
      try {
        const seq = await sequential(url, cookie, sequentialCount);
        row.single = seq.median;
        if (seq.statuses.some((s) => s !== 200)) row.problem = `sequential requests answered ${seq.statuses.join(", ")}`;
      } catch (e) {
        row.problem = `sequential GET ${path}: ${failure(e)}`;
        console.log(`  ${page}: ${row.problem}`);
        if (server.proc.exitCode !== null || server.proc.signalCode !== null) throw new Error(`the web server exited (${server.proc.exitCode ?? server.proc.signalCode})`);
      }
    }
    if (interrupted) break;
    const cpuBefore = cpuMs(server.proc.pid!);
    row.figures = await load(url, cookie, connections, duration);
    const cpuAfter = cpuMs(server.proc.pid!);
    const f = row.figures;
    if (cpuBefore !== null && cpuAfter !== null && f.requests > 0) row.cpuPerRequest = (cpuAfter - cpuBefore) / f.requests;
    if (f.non2xx || f.errors) {
      const codes = Object.entries(f.statuses).map(([code, n]) => `${code}×${n}`).join(" ");
      row.problem = `${f.non2xx} non-2xx, ${f.errors} errors (statuses ${codes})${f.errorSamples.length ? `: ${f.errorSamples.join("; ")}` : ""}`;
    } else if (f.requests === 0 && !interrupted) {
      row.problem = `no response completed in ${duration} s; use a longer --duration`;
    }
    console.log(`  ${page.padEnd(9)} ${path.padEnd(14)} ${f.requests} requests${row.problem ? `  PROBLEM: ${row.problem}` : ""}`);
  }

  console.log(
    "\n" +
      table(
        ["page", "as", "requests", "req/s", "p50 ms", "p95 ms", "p97.5 ms", "max ms", "non-2xx", "errors", "HTML", "1-at-a-time p50 ms", "server CPU ms/req", "p95 budget"],
        rows.map((r) => {
          const f = r.figures;
          return [
            r.path,
            r.login,
            f ? String(f.requests) : "-",
            f ? f.perSecond.toFixed(1) : "-",
            f ? ms(f.p50) : "-",
            f ? ms(f.p95) : "-",
            f ? ms(f.p97_5) : "-",
            f ? ms(f.max) : "-",
            f ? String(f.non2xx) : "-",
            f ? String(f.errors) : "-",
            kb(r.htmlBytes),
            ms(r.single),
            ms(r.cpuPerRequest),
            budgetCell(r),
          ];
        }),
      ),
  );
  const over = rows.filter((r) => BUDGETS[r.page] !== undefined && r.figures && !r.problem && r.figures.p95 > BUDGETS[r.page]!);
  for (const r of rows) {
    const budget = BUDGETS[r.page];
    if (budget === undefined || !r.figures || r.problem) continue;
    console.log(`  ${r.page}: p95 ${ms(r.figures.p95)} ms, budget ${budget} ms: ${r.figures.p95 <= budget ? "within budget" : "OVER budget"}`);
  }
  if (over.length) console.log("  (budgets are information, not a failure of this run)");

  const loaderPages = pages.filter((p) => LOADER_PAGES.includes(p));
  if (loaderPages.length && loaderRuns > 0 && !interrupted) {
    // The server is done: stop it so the in-process timings have the CPUs to themselves.
    await server.stop();
    console.log(`\nloaders against their bare SQL (in-process, same database, median of up to ${loaderRuns} runs each):`);
    loaderRatios(ws.databasePath, loaderPages);
  }

  console.log(`\nrevision ${revision()}; node ${process.version}; ${cpus().length} CPUs; autocannon and server on the same machine; load average ${load1()} at the end`);

  const problems = rows.filter((r) => r.problem);
  if (problems.length) {
    failed = true;
    console.error(`\n${problems.length} page(s) with problems (figures of error pages are worthless):`);
    for (const r of problems) console.error(`  ${r.path}: ${r.problem}`);
    const log = server.output().trim();
    if (log) console.error(`\nweb server output (last 40 lines):\n${log.split("\n").slice(-40).join("\n")}`);
  }
  if (interrupted) failed = true;
} catch (e) {
  failed = true;
  console.error(`bench:pages: ${e instanceof Error ? e.message : e}`);
  const log = server?.output().trim();
  if (log) console.error(`\nweb server output (last 40 lines):\n${log.split("\n").slice(-40).join("\n")}`);
} finally {
  await cleanUp();
}
console.log(`bench:pages: done in ${((performance.now() - started) / 1000).toFixed(1)} s${failed ? " (FAILED)" : ""}`);
process.exit(failed ? 1 : 0);
