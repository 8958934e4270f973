import { mkdirSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { createDb, migrateDb } from "../../db/client";

/**
 * Migrates one base database per run; each test file copies it (tests/setup/env.ts),
 * so every worker gets a real SQLite file without paying for migrations each time.
 */
export default function setup() {
  const dir = resolve("tests/.tmp");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const db = createDb(resolve(dir, "base.db"));
  migrateDb(db);
  db.$client.pragma("wal_checkpoint(TRUNCATE)");
  db.$client.close();
}
