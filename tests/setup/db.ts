import { randomUUID } from "node:crypto";
import { copyFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeEach, inject } from "vitest";

/*
 * A fresh SQLite file for every test (STYLE §9): before each test the app is
 * pointed at a new copy of the migrated base database made by
 * tests/setup/global-setup.ts, so no test sees rows another test wrote, and
 * the order tests run in does not matter. Uploads get a new directory too.
 * A copy is a few hundred kilobytes and takes about a millisecond.
 *
 * Data a test needs is made in the test or in a `beforeEach` (tests/factories.ts);
 * anything written in a `beforeAll` lands in a file no test will see.
 */

const runDir = inject("testRunDir");
const fileId = randomUUID().slice(0, 8);
let n = 0;

type Template = "base" | "demo";
const g = globalThis as unknown as { __gcDb?: unknown };

function copyOf(template: Template): string {
  const file = join(runDir, `${fileId}-${n}.db`);
  copyFileSync(join(runDir, `${template}.db`), file);
  process.env.DATABASE_PATH = file;
  process.env.UPLOAD_DIR = join(runDir, `${fileId}-${n}-uploads`);
  return file;
}

/**
 * Points the app at a new copy of `template` ("base": migrated and empty;
 * "demo": the demo city seeded on 2026-11-27) and a new upload directory.
 * Called before every test with "base"; `useDemoCity()` calls it again with "demo".
 */
export async function freshDatabase(template: Template = "base"): Promise<string> {
  n++;
  const file = copyOf(template);
  if (g.__gcDb) {
    // A connection is open, so the app's modules are loaded: hand it the new file
    // (already migrated), and re-read the working calendar from it. The calendar
    // cache in time-rules.server.ts is keyed on a signature of the calendar rows
    // (count, newest created_at, sum of ids); two fresh files can reach the same
    // signature with different rows, since tests stamp rows with a fixed "now".
    const { getDb, resetDbForTests } = await import("../../app/utils/db.server");
    resetDbForTests(file);
    const { getCalendar } = await import("../../app/services/time-rules.server");
    getCalendar(getDb());
  }
  return file;
}

/** Every test of the enclosing file or `describe` starts from its own copy of the demo city (scripts/demo-seed.ts). */
export function useDemoCity(): void {
  beforeEach(() => freshDatabase("demo"));
}

// For code that runs at import time or in a beforeAll: a copy of its own, never the developer's ./data/app.db.
copyOf("base");

beforeEach(() => freshDatabase("base"));

afterAll(async () => {
  if (g.__gcDb) (await import("../../app/utils/db.server")).resetDbForTests();
  for (let i = 0; i <= n; i++) {
    const db = join(runDir, `${fileId}-${i}.db`);
    for (const path of [db, `${db}-wal`, `${db}-shm`, join(runDir, `${fileId}-${i}-uploads`)]) rmSync(path, { recursive: true, force: true });
  }
});
