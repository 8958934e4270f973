/**
 * App lifecycle for `npm run bench:pages` (bench/pages.ts): build check, a private data directory,
 * database preparation through the npm scripts, the production web server on a free port, sign-in
 * over HTTP, and clean-up. Not a `*.bench.ts` file, so `npm run bench` does not pick it up.
 */
import Database from "better-sqlite3";
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { freePort } from "../tests/support/free-port";
import { join, resolve } from "node:path";

/** Newest modification time under `dir` (0 if it does not exist). */
function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * What scripts/start.ts does: build when build/index.js is missing or older than the sources.
 * Also looks at db/ and jobs/, which the server bundle includes through app/ imports.
 */
export function buildIfNeeded(): void {
  const built = existsSync("build/index.js") ? statSync("build/index.js").mtimeMs : 0;
  const sources = Math.max(
    newestMtime("app"),
    newestMtime("db"),
    newestMtime("jobs"),
    statSync("remix.config.js").mtimeMs,
    statSync("tailwind.config.ts").mtimeMs,
  );
  if (built >= sources) return;
  console.log("bench:pages: building the app (build missing or older than the sources)…");
  const r = spawnSync("npx", ["remix", "build"], {
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production", VITE_CJS_IGNORE_WARNING: "true" },
  });
  if (r.status !== 0) throw new Error(`remix build failed (exit ${r.status})`);
}

export interface Workspace {
  dir: string;
  env: NodeJS.ProcessEnv;
  databasePath: string;
  queuePrefix: string;
}

/** A temporary directory with its own database path, upload directory, queue prefix and port. */
export async function makeWorkspace(): Promise<Workspace> {
  const dir = mkdtempSync(join(tmpdir(), "gc-bench-pages-"));
  const port = await freePort();
  const databasePath = join(dir, "app.db");
  const uploadDir = join(dir, "uploads");
  mkdirSync(uploadDir, { recursive: true });
  const queuePrefix = `gcbench${process.pid}x${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    DATABASE_PATH: databasePath,
    UPLOAD_DIR: uploadDir,
    QUEUE_PREFIX: queuePrefix,
    NODE_ENV: "production",
    SEED_DEMO: "true",
  };
  return { dir, env, databasePath, queuePrefix };
}

function npmRun(script: string, env: NodeJS.ProcessEnv): string {
  const r = spawnSync("npm", ["run", "--silent", script], { env, encoding: "utf8" });
  const out = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim();
  if (r.status !== 0) throw new Error(`npm run ${script} failed (exit ${r.status}):\n${out}`);
  return out.split("\n").filter(Boolean).at(-1) ?? "";
}

/** Migrations and demo data through the npm scripts (not imports: those modules may move). */
export function seedDatabase(ws: Workspace): void {
  console.log(`  ${npmRun("db:migrate", ws.env)}`);
  console.log(`  ${npmRun("seed", ws.env)}`);
}

/**
 * A province-sized database (`npm run seed:large -- --projects N --db <workspace db>`): migrations,
 * the demo city (for the sign-in users) and N projects; its progress bar is shown as it runs.
 */
export function seedLarge(ws: Workspace, projects: number): void {
  const r = spawnSync("npm", ["run", "--silent", "seed:large", "--", "--projects", String(projects), "--db", ws.databasePath], {
    env: ws.env,
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (r.status !== 0) throw new Error(`npm run seed:large failed (exit ${r.status})`);
}

/** A consistent copy of an existing database (WAL included), so the benchmark never touches the original. */
export async function copyDatabase(source: string, ws: Workspace): Promise<void> {
  const src = resolve(source);
  if (!existsSync(src)) throw new Error(`--db ${source}: no such file`);
  const db = new Database(src, { readonly: true, fileMustExist: true });
  try {
    await db.backup(ws.databasePath);
  } finally {
    db.close();
  }
}

export interface DbFacts {
  projects: number;
  items: number;
  largest: { id: number; name: string; items: number; deps: number; events: number } | null;
}

/** Read-only look at the database: sizes, and the project for the project page (given, or the one with the most items). */
export function dbFacts(path: string, projectId?: number): DbFacts {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const projects = (db.prepare("SELECT COUNT(*) AS n FROM projects").get() as { n: number }).n;
    const items = (db.prepare("SELECT COUNT(*) AS n FROM items").get() as { n: number }).n;
    // Ties on item count (templates repeat) go to the project with more dependencies, then more clock events.
    const base = `SELECT p.id AS id, p.name AS name,
        (SELECT COUNT(*) FROM items i WHERE i.project_id = p.id) AS items,
        (SELECT COUNT(*) FROM dependencies d WHERE d.project_id = p.id) AS deps,
        (SELECT COUNT(*) FROM clock_events c JOIN items i ON i.id = c.item_id WHERE i.project_id = p.id) AS events
      FROM projects p`;
    const largest = (
      projectId === undefined
        ? db.prepare(`${base} ORDER BY items DESC, deps DESC, events DESC, p.id LIMIT 1`).get()
        : db.prepare(`${base} WHERE p.id = ?`).get(projectId)
    ) as DbFacts["largest"] | undefined;
    return { projects, items, largest: largest ?? null };
  } finally {
    db.close();
  }
}

export interface Server {
  baseUrl: string;
  proc: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * The web server as production runs it (what `npm start` spawns: `node --import tsx server.ts`,
 * NODE_ENV=production); no worker. Resolves once GET /login answers 200.
 */
export async function startServer(ws: Workspace, timeoutMs = 60_000): Promise<Server> {
  let log = "";
  const proc = spawn(process.execPath, ["--import", "tsx", "server.ts"], { env: ws.env, stdio: ["ignore", "pipe", "pipe"] });
  proc.stdout!.on("data", (d) => (log += d));
  proc.stderr!.on("data", (d) => (log += d));
  const baseUrl = `http://127.0.0.1:${ws.env.PORT}`;
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGTERM");
    const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`web server exited early (${proc.exitCode}):\n${log}`);
    try {
      const r = await fetch(`${baseUrl}/login`);
      await r.arrayBuffer();
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`web server did not answer in ${timeoutMs / 1000} s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { baseUrl, proc, output: () => log, stop };
}

let clockTicks: number | undefined;
/**
 * CPU time (user + system, ms) a process has used so far, from /proc (Linux); null elsewhere.
 * Unlike latency, CPU per request hardly moves when other work shares the machine's cores.
 */
export function cpuMs(pid: number): number | null {
  try {
    clockTicks ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks; // utime, stime (fields 14 and 15)
  } catch {
    return null;
  }
}

/** Opens /login and posts its form as a browser without JavaScript does (with the page's CSRF token); returns the `gc_session=…` cookie pair. */
export async function signIn(baseUrl: string, login: string, password: string): Promise<string> {
  const page = await fetch(`${baseUrl}/login`);
  const pre = page.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const token = /<meta name="csrf-token" content="([^"]+)"/.exec(await page.text())?.[1] ?? "";
  const r = await fetch(`${baseUrl}/login`, {
    method: "POST",
    headers: { Cookie: pre },
    body: new URLSearchParams({ login, password, redirectTo: "", _csrf: token }),
    redirect: "manual",
  });
  await r.arrayBuffer();
  const cookie = r.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .find((c) => c.startsWith("gc_session="));
  if (r.status < 300 || r.status >= 400 || !cookie) {
    throw new Error(`sign-in as "${login}" failed: HTTP ${r.status}${cookie ? "" : ", no gc_session cookie"}`);
  }
  return cookie;
}

/** Removes this run's Bull keys (unique prefix) from Redis, if the server created any. */
export async function dropQueueKeys(prefix: string, redisUrl = process.env.REDIS_URL || "redis://127.0.0.1:6379"): Promise<number> {
  const { default: Redis } = await import("ioredis");
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on("error", () => {});
  try {
    await redis.connect();
    let cursor = "0";
    let dropped = 0;
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      cursor = next;
      if (keys.length) dropped += await redis.del(...keys);
    } while (cursor !== "0");
    return dropped;
  } catch {
    return 0;
  } finally {
    redis.disconnect();
  }
}

export function removeWorkspace(ws: Workspace): void {
  rmSync(ws.dir, { recursive: true, force: true });
}
