import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { TestProject } from "vitest/node";
import { createDb, migrateDb } from "../../db/client";
import { seedDemo } from "../../scripts/demo-seed";

/** The moment the demo city is seeded at; tests that use it (useDemoCity) speak about this day. */
export const DEMO_SEEDED_AT = "2026-11-27T02:00:00Z";

declare module "vitest" {
  export interface ProvidedContext {
    /** This run's directory under tests/.tmp: base.db, demo.db and every test's own copy. */
    testRunDir: string;
  }
}

/**
 * Runs once per `vitest run`, before any test file:
 *  - base.db: the committed migrations applied to an empty file;
 *  - demo.db: base.db plus the demo city (scripts/demo-seed.ts), for the tests
 *    that need a whole city; seeding takes about a second, copying a millisecond.
 * Every test then gets its own copy of one of them (tests/setup/db.ts).
 *
 * Each run has a directory of its own, removed when the run ends: several
 * people run the suite in one checkout at the same time, and one run must not
 * delete the files another is using.
 */
export default async function setup(project: TestProject) {
  const root = resolve("tests/.tmp");
  mkdirSync(root, { recursive: true });
  removeLeftovers(root);
  const dir = mkdtempSync(join(root, `run-${process.pid}-`));

  const base = join(dir, "base.db");
  const db = createDb(base);
  migrateDb(db);
  // One file, no WAL beside it: a copy of base.db alone is the whole database.
  db.$client.pragma("wal_checkpoint(TRUNCATE)");
  db.$client.close();

  const demoFile = join(dir, "demo.db");
  copyFileSync(base, demoFile);
  const demo = createDb(demoFile);
  await seedDemo(demo, new Date(DEMO_SEEDED_AT));
  demo.$client.pragma("wal_checkpoint(TRUNCATE)");
  demo.$client.close();

  project.provide("testRunDir", dir);
  return () => rmSync(dir, { recursive: true, force: true });
}

/**
 * Directories of runs that are over (their process is gone: killed, or ended
 * without its teardown), and the files of the set-up before per-run
 * directories, once they are an hour old.
 */
function removeLeftovers(root: string) {
  for (const name of readdirSync(root)) {
    const path = join(root, name);
    const run = /^run-(\d+)-/.exec(name);
    if (run) {
      if (!alive(Number(run[1]))) rmSync(path, { recursive: true, force: true });
    } else if (existsSync(path) && Date.now() - statSync(path).mtimeMs > 3_600_000) {
      rmSync(path, { recursive: true, force: true });
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
