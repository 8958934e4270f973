import { createDb, migrateDb, type Db } from "../../db/client";
import { loadConfig } from "./config.server";

export type { Db };

const g = globalThis as unknown as { __gcDb?: Db; __gcDbPath?: string };

/**
 * One connection per process, kept on globalThis so dev rebuilds do not open
 * a new handle each time. Migrations are applied on first use: a fresh clone
 * works without a separate step.
 */
export function getDb(): Db {
  const path = loadConfig().databasePath;
  if (!g.__gcDb || g.__gcDbPath !== path) {
    g.__gcDb?.$client.close();
    g.__gcDb = createDb(path);
    g.__gcDbPath = path;
    migrateDb(g.__gcDb);
  }
  return g.__gcDb;
}

/**
 * Tests only: closes this process's connection and, given a path, opens that
 * file instead, without migrating it. The test set-up hands every test a fresh
 * copy of an already migrated database (tests/setup/db.ts); re-running the
 * migrator on each copy would cost more than the copy itself. With no path,
 * the next getDb() opens DATABASE_PATH as usual.
 */
export function resetDbForTests(path?: string): void {
  g.__gcDb?.$client.close();
  g.__gcDb = path ? createDb(path) : undefined;
  g.__gcDbPath = path;
}
