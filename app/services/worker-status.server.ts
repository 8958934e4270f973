import { eq, sql } from "drizzle-orm";
import { settings } from "../../db/schema";
import type { Db } from "~/utils/db.server";

/*
 * Whether the worker process is alive, for the administrators' status card: the
 * worker writes a heartbeat row and the web process reads it. (Whether Redis
 * answers is asked of Redis itself: redisAvailable in jobs/connection.ts.)
 */

const HEARTBEAT_KEY = "workerHeartbeat";

/** The worker's heartbeat (every 30 s and at start): one settings row, overwritten in place. */
export function recordWorkerHeartbeat(db: Db, at: number): void {
  db.insert(settings)
    .values({ key: HEARTBEAT_KEY, value: JSON.stringify(at), updatedAt: at })
    .onConflictDoUpdate({ target: settings.key, set: { value: sql`excluded.value`, updatedAt: sql`excluded.updated_at` } })
    .run();
}

/** The last heartbeat (epoch ms), or null when no worker ever ran against this database. */
export function readWorkerHeartbeat(db: Db): number | null {
  const row = db.select({ value: settings.value }).from(settings).where(eq(settings.key, HEARTBEAT_KEY)).get();
  return row ? Number(JSON.parse(row.value)) : null;
}
