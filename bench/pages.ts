/**
 * Page benchmark: `npm run bench:pages` (= `tsx bench/pages.ts`). Prints figures; not a test.
 *
 * Builds when the build is missing or stale (as `npm start` does), makes a temporary directory
 * with its own database, uploads, queue prefix and port, prepares the database with
 * `npm run db:migrate` + `npm run seed` (demo data), starts the web server as production does
 * (`node --import tsx server.ts`, NODE_ENV=production; no worker), signs in over HTTP as the role
 * that uses each page and loads it with autocannon. The project page is the project with the most
 * items unless `--project` says otherwise. Exits 1 when any page answered anything but 2xx.
 *
 *   --pages projects,project,queue,dashboard   which pages (default: all four)
 *   --duration 10      seconds of load per page          --connections 10   concurrent connections
 *   --warmup 2         seconds of unrecorded load first  --sequential 20    one-at-a-time requests timed
 *   --project <id>     project for the project page      --db <file>        copy this database instead of seeding
 *   --password <pw>    password of the sign-in users (default demo1234)
 */
import { execFileSync } from "node:child_process";
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
} as const;
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
    password: { type: "string", default: "demo1234" },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (args.help) {
  console.log("usage: npm run bench:pages -- [--pages projects,project,queue,dashboard] [--duration 10] [--connections 10]");
  console.log("                               [--warmup 2] [--sequential 20] [--project <id>] [--db <file>] [--password <pw>]");
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

let failed = false;
try {
  buildIfNeeded();
  ws = await makeWorkspace();
  console.log(`bench:pages: data in ${ws.dir}`);
  const t0 = performance.now();
  if (args.db) {
    console.log(`  copying ${args.db} (no seeding)`);
    await copyDatabase(args.db, ws);
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
    const first = await getOnce(url, cookie);
    row.htmlBytes = first.bytes;
    if (first.status !== 200) {
      row.problem = `GET ${path} as ${login}: HTTP ${first.status}${first.location ? ` → ${first.location}` : ""}`;
      console.log(`  ${page}: ${row.problem}; skipped`);
      continue;
    }
    if (warmup > 0) await load(url, cookie, connections, warmup);
    if (sequentialCount > 0 && !interrupted) {
      const seq = await sequential(url, cookie, sequentialCount);
      row.single = seq.median;
      if (seq.statuses.some((s) => s !== 200)) row.problem = `sequential requests answered ${seq.statuses.join(", ")}`;
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
        ["page", "as", "requests", "req/s", "p50 ms", "p95 ms", "p97.5 ms", "max ms", "non-2xx", "errors", "HTML", "1-at-a-time p50 ms", "server CPU ms/req"],
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
          ];
        }),
      ),
  );
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
} finally {
  await cleanUp();
}
console.log(`bench:pages: done in ${((performance.now() - started) / 1000).toFixed(1)} s${failed ? " (FAILED)" : ""}`);
process.exit(failed ? 1 : 0);
