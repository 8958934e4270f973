import { and, desc, eq, isNotNull, isNull, lte, sql } from "drizzle-orm";
import { notifications } from "../../db/schema";
import type { Actor } from "~/domain/access/policy";
import type { ServiceContext } from "./context.server";

/** Only delivered messages count: held ones (quiet hours) appear when delivered. */
export function unreadCount(ctx: ServiceContext, actor: Actor): number {
  return ctx.db.get<{ n: number }>(
    sql`select count(*) as n from ${notifications} where ${notifications.userId} = ${actor.id} and ${notifications.readAt} is null and ${notifications.deliveredAt} is not null`,
  ).n;
}

export function listInbox(ctx: ServiceContext, actor: Actor) {
  return ctx.db
    .select()
    .from(notifications)
    .where(and(eq(notifications.userId, actor.id), isNotNull(notifications.deliveredAt), lte(notifications.deliveredAt, ctx.now.getTime())))
    .orderBy(desc(notifications.id))
    .limit(200)
    .all();
}

export function markAllRead(ctx: ServiceContext, actor: Actor): number {
  return ctx.db
    .update(notifications)
    .set({ readAt: ctx.now.getTime() })
    .where(and(eq(notifications.userId, actor.id), isNull(notifications.readAt), isNotNull(notifications.deliveredAt)))
    .run().changes;
}
