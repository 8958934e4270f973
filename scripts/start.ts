/**
 * `npm start`: one command for a new user. Builds when the build is missing or
 * older than the sources, prepares the database (migrations, demo data when
 * empty, unless SEED_DEMO=false), then runs the web server and the worker as
 * two processes, restarting the worker if it dies.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { prepareDatabase } from "./prepare-database";

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function buildIfNeeded() {
  const built = existsSync("build/index.js") ? statSync("build/index.js").mtimeMs : 0;
  const sources = Math.max(newestMtime("app"), statSync("remix.config.js").mtimeMs, statSync("tailwind.config.ts").mtimeMs);
  if (built >= sources) return;
  console.log("start: building the app (first run or sources changed)…");
  const r = spawnSync("npx", ["remix", "build"], { stdio: "inherit", env: { ...process.env, NODE_ENV: "production", VITE_CJS_IGNORE_WARNING: "true" } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

buildIfNeeded();
const prepared = await prepareDatabase();
console.log(`start: database ready at ${prepared.path}${prepared.seeded ? " (demo data loaded)" : ""}`);

const env = { ...process.env, NODE_ENV: process.env.NODE_ENV ?? "production" };
// `node --import tsx`, not the tsx CLI: the CLI runs the script in a child of its own, so a signal to
// it would not reach the real process (a killed wrapper left the worker running as an orphan).
const run = (script: string, env: NodeJS.ProcessEnv) => spawn(process.execPath, ["--import", "tsx", script], { stdio: "inherit", env });
let stopping = false;

const web = run("server.ts", env);
let worker: ChildProcess = startWorker();

function startWorker(): ChildProcess {
  const w = run("jobs/worker.ts", env);
  w.on("exit", (code) => {
    if (stopping) return;
    console.warn(`start: worker exited (${code}); restarting in 3s`);
    setTimeout(() => {
      if (!stopping) worker = startWorker();
    }, 3_000);
  });
  return w;
}

web.on("exit", (code) => {
  if (!stopping) {
    stopping = true;
    worker.kill("SIGTERM");
    process.exit(code ?? 1);
  }
});

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    stopping = true;
    web.kill(sig);
    worker.kill(sig);
    let left = 2;
    const done = () => --left === 0 && process.exit(0);
    web.once("exit", done);
    worker.once("exit", done);
    setTimeout(() => process.exit(0), 10_000).unref();
  });
}
