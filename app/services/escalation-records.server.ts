import { and, asc, eq, isNotNull, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { escalations, items } from "../../db/schema";
import { decide, type Actor } from "~/domain/access/policy";
import { LEVEL_LABELS } from "~/domain/escalation/policy";
import { zhFieldErrorMap } from "~/domain/validation/zh-error-map";
import { writeAudit } from "./audit.server";
import type { ServiceContext } from "./context.server";
import { AppError, forbidden, invalidInput, notFound } from "./errors.server";
import { loadProjectFor } from "./project-aggregate.server";
import { getCalendar } from "./time-rules.server";
import type { ProjectContext } from "./project-context.server";
import { transaction } from "./transaction.server";

/**
 * Fired escalations as people see them: the project's list (page and API) and
 * the recipient's acknowledgement. Unfired rows are timers, not records, and
 * are never shown here.
 */

/** DESIGN §6: `[{itemKey, level, dueOn, firedAt, acknowledgedAt}]` (fired ones), instants as ISO strings. */
export function listProjectEscalations(ctx: ServiceContext, actor: Actor, projectId: number) {
  loadProjectFor(ctx.db, actor, projectId, getCalendar(ctx.db));
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return ctx.db
    .select({ e: escalations, key: items.key })
    .from(escalations)
    .leftJoin(items, eq(items.id, escalations.itemId))
    // An action item's ladder is shown with the action item, not among the project's item warnings.
    .where(and(eq(escalations.projectId, projectId), isNotNull(escalations.firedAt), isNull(escalations.actionItemId)))
    .orderBy(asc(escalations.id))
    .all()
    .map(({ e, key }) => ({
      id: e.id,
      itemKey: key,
      level: e.level,
      dueOn: e.dueOn,
      firedAt: iso(e.firedAt),
      acknowledgedAt: iso(e.acknowledgedAt),
      acknowledgeNote: e.acknowledgeNote,
    }));
}

/** The project page's list: fired escalations with their item and whether this user may acknowledge them. */
export function listEscalationsForPage(pc: ProjectContext) {
  const { aggregate: agg, actor } = pc;
  const projectId = agg.project.id;
  const byId = new Map(agg.items.map((i) => [i.row.id, i]));
  return pc.db
    .select()
    .from(escalations)
    // An action item's ladder is shown with the action item, not among the project's item warnings.
    .where(and(eq(escalations.projectId, projectId), isNotNull(escalations.firedAt), isNull(escalations.actionItemId)))
    .orderBy(sql`${escalations.firedAt} desc`)
    .all()
    .map((e) => {
      const item = e.itemId ? byId.get(e.itemId) : undefined;
      return {
        id: e.id,
        level: e.level,
        levelLabel: LEVEL_LABELS[e.level],
        itemName: item?.row.name ?? "项目整体",
        dueOn: e.dueOn,
        firedAt: e.firedAt!,
        acknowledgedAt: e.acknowledgedAt,
        acknowledgeNote: e.acknowledgeNote,
        canAcknowledge:
          e.acknowledgedAt === null &&
          decide(actor, "escalation.acknowledge", { project: agg.facts, item: { departmentId: item?.row.departmentId ?? null } }).allowed,
      };
    });
}

const ackSchema = z.object({
  note: z.string({ required_error: "请填写说明（原因与预计办结日期）" }).trim().min(2, "请填写说明（原因与预计办结日期）").max(500, "说明不超过 500 字"),
});

/**
 * A recipient acknowledges a fired escalation with a note (reason, new expected date).
 * `inProject`: the project whose page posted it; another project's escalation is not found there.
 */
export function acknowledgeEscalation(ctx: ServiceContext, actor: Actor, escalationId: number, raw: unknown, inProject?: number) {
  const row = Number.isInteger(escalationId) ? ctx.db.select().from(escalations).where(eq(escalations.id, escalationId)).get() : undefined;
  // Action items' escalations are followed up on the action item itself, not acknowledged here.
  if (!row || row.firedAt === null || row.projectId === null || row.actionItemId !== null) throw notFound("预警记录");
  if (inProject !== undefined && row.projectId !== inProject) throw notFound("预警记录");
  const agg = loadProjectFor(ctx.db, actor, row.projectId, getCalendar(ctx.db));
  const item = row.itemId ? agg.items.find((i) => i.row.id === row.itemId) : undefined;
  const d = decide(actor, "escalation.acknowledge", { project: agg.facts, item: { departmentId: item?.row.departmentId ?? null } });
  if (!d.allowed) throw forbidden("您无权确认此预警");
  const parsed = ackSchema.safeParse(raw, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  transaction(ctx.db, (tx) => {
    const upd = tx
      .update(escalations)
      .set({ acknowledgedAt: ctx.now.getTime(), acknowledgedByUserId: actor.id, acknowledgeNote: parsed.data.note })
      .where(and(eq(escalations.id, escalationId), isNull(escalations.acknowledgedAt)))
      .run();
    // Two recipients acknowledging at once: the second gets a clear conflict, not an overwrite (DESIGN §8).
    if (upd.changes !== 1) throw new AppError("conflict", "该预警已被确认");
    writeAudit(tx, { actorUserId: actor.id, action: "escalation.acknowledge", entityType: "escalation", entityId: escalationId, projectId: row.projectId, detail: { note: parsed.data.note } }, ctx.now);
  });
}
