import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_DEPARTMENTS } from "../app/domain/catalog/departments";
import * as schema from "./schema";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export const MIGRATIONS_FOLDER = resolve(dirname(fileURLToPath(import.meta.url)), "migrations");

/** Opens the SQLite file with WAL and foreign keys on; one connection per process. */
export function createDb(path: string): Db {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("synchronous = NORMAL");
  return drizzle(sqlite, { schema }) as Db;
}

/**
 * Runs `work` in one IMMEDIATE transaction and hands it the transaction typed as a
 * `Db`. Drizzle's transaction object offers the same query API as the database, so
 * every query helper takes a `Db` and works inside or outside a transaction; this is
 * the one place that cast is made. IMMEDIATE because the web and the worker write
 * the same file: a deferred transaction that reads first and then writes fails with
 * SQLITE_BUSY_SNAPSHOT, which busy_timeout does not retry.
 */
export function transaction<T>(db: Db, work: (tx: Db) => T): T {
  return db.transaction((tx) => work(tx as unknown as Db), { behavior: "immediate" });
}

/**
 * A value that changes whenever committed data may have changed, whoever wrote it:
 * `data_version` moves when another connection (the worker, a CLI) commits, and
 * `total_changes()` counts this connection's own writes. Cheap enough to read on
 * every request (two statements, no table access).
 */
export function dataGeneration(db: Db): () => string {
  const changes = db.$client.prepare("select total_changes()").pluck();
  return () => `${db.$client.pragma("data_version", { simple: true })}:${changes.get()}`;
}

export function migrateDb(db: Db, migrationsFolder = MIGRATIONS_FOLDER): void {
  // A migration that rebuilds a table (SQLite's way to change a column) drops the old one;
  // with foreign keys on, that drop deletes through every table referring to it. The
  // pragma is a no-op inside the migrator's transaction, so it is switched off around it,
  // and the result is checked before anything else runs (SQLite's documented procedure).
  db.$client.pragma("foreign_keys = OFF");
  try {
    migrate(db, { migrationsFolder });
    const broken = db.$client.pragma("foreign_key_check") as unknown[];
    if (broken.length) throw new Error(`migration left ${broken.length} broken foreign key reference(s): ${JSON.stringify(broken.slice(0, 5))}`);
  } finally {
    db.$client.pragma("foreign_keys = ON");
  }
  ensureDepartmentCatalog(db);
}

/**
 * The department catalogue that ships with the app: without it a deployment started
 * with SEED_DEMO=false could not create a project from any shipped template (they
 * name departments by code). Insert-if-absent by code, so an administrator's edits,
 * deactivations and additions are never undone.
 */
export function ensureDepartmentCatalog(db: Db): void {
  const insert = db.$client.prepare("insert or ignore into departments (code, name, level, vertical) values (?, ?, ?, ?)");
  db.$client.transaction(() => {
    for (const d of DEFAULT_DEPARTMENTS) insert.run(d.code, d.name, d.level, d.vertical ? 1 : 0);
  })();
}
