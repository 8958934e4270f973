import { eq } from "drizzle-orm";
import { notifications, users } from "../../db/schema";
import { deliveryInstant } from "~/domain/escalation/policy";
import type { Db } from "~/utils/db.server";
import { getCalendar, getPolicy } from "./time-rules.server";

/** One message for the notification outbox; the recipient's id is appended to `dedupeKey`. */
export interface OutboxMessage {
  kind: string;
  title: string;
  body: string;
  link: string;
  dedupeKey: string;
}

/**
 * Writes one message to each user's outbox in the caller's transaction, so the change
 * and its message commit together: delivered in working hours only (DESIGN §4), also
 * by e-mail when the user has an address, keyed so a repeated call adds nothing.
 * Returns how many rows were new.
 */
export function sendToUsers(tx: Db, userIds: Iterable<number>, m: OutboxMessage, now: Date): number {
  const deliverAfter = deliveryInstant(now.getTime(), getCalendar(tx), getPolicy(tx));
  let n = 0;
  for (const userId of new Set(userIds)) {
    const email = tx.select({ email: users.email }).from(users).where(eq(users.id, userId)).get()?.email;
    n += tx
      .insert(notifications)
      .values({ userId, kind: m.kind, title: m.title, body: m.body, link: m.link, dedupeKey: `${m.dedupeKey}-u${userId}`, deliverAfter, emailStatus: email ? "pending" : "none", createdAt: now.getTime() })
      .onConflictDoNothing()
      .run().changes;
  }
  return n;
}
