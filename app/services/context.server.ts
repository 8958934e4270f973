import type { Db } from "~/utils/db.server";
import { getDb } from "~/utils/db.server";

/** What every use case receives: the database and the moment "now" (injected so tests control time). */
export interface ServiceContext {
  db: Db;
  now: Date;
}

export function serviceContext(now: Date = new Date()): ServiceContext {
  return { db: getDb(), now };
}
