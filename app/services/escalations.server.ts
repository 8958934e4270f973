import { asc, eq } from "drizzle-orm";
import { escalations, items } from "../../db/schema";
import type { Actor } from "~/domain/access/policy";
import { getCalendar } from "./calendar.server";
import type { ServiceContext } from "./context.server";
import { loadProjectFor } from "./project-aggregate.server";

/** DESIGN §6: `[{itemKey, level, dueOn, firedAt, acknowledgedAt}]`, instants as ISO strings. */
export function listProjectEscalations(ctx: ServiceContext, actor: Actor, projectId: number) {
  loadProjectFor(ctx.db, actor, projectId, getCalendar(ctx.db));
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return ctx.db
    .select({ e: escalations, key: items.key })
    .from(escalations)
    .leftJoin(items, eq(items.id, escalations.itemId))
    .where(eq(escalations.projectId, projectId))
    .orderBy(asc(escalations.id))
    .all()
    .map(({ e, key }) => ({
      itemKey: key,
      level: e.level,
      dueOn: e.dueOn,
      firedAt: iso(e.firedAt),
      acknowledgedAt: iso(e.acknowledgedAt),
      acknowledgeNote: e.acknowledgeNote,
    }));
}
