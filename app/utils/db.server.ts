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
