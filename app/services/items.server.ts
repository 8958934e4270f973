import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { zhFieldErrorMap } from "~/domain/validation/zh-error-map";
import { clockEvents, itemMaterials, items, materials, projects } from "../../db/schema";
import { decide, type Actor } from "~/domain/access/policy";
import { parseDate, shanghaiDay } from "~/domain/calendar";
import { allowedEvents, applyClockEvent, CLOCK_EVENT_TYPES, EVENT_LABELS } from "~/domain/clock";
import { writeAudit } from "./audit.server";
import { refreshStatsAfter } from "./stats.server";
import { transactThenWake } from "./transaction.server";
import { planItemTimers, planProjectTimers } from "./escalation-timers.server";
import { getPolicy } from "./time-rules.server";
import { getCalendar } from "./time-rules.server";
import type { ServiceContext } from "./context.server";
import { AppError, invalidInput, notFound, forbidden } from "./errors.server";
import { loadProjectFor, storedColumns, type EventDetail, type ItemRecord } from "./project-aggregate.server";
import { getProjectDocument } from "./project-document.server";
import { isStartMilestone } from "~/domain/graph/milestone";
import { acceptanceChecksMaterials, acceptanceRefusal } from "~/domain/material/acceptance";
import { outstanding } from "~/domain/material/certificates";
import { notifyEnterpriseOfItemEvent } from "./enterprise-notifications.server";

const dateField = (label: string) =>
  z
    .string({ required_error: `请填写${label}`, invalid_type_error: `${label}应为日期字符串` })
    .refine((s) => parseDate(s) !== null, { message: `${label}不是有效日期（格式 YYYY-MM-DD）` });

const eventSchema = z.object({
  type: z.enum(CLOCK_EVENT_TYPES, {
    errorMap: () => ({ message: `未知的事件类型，可选：${CLOCK_EVENT_TYPES.join(", ")}` }),
  }),
  on: dateField("事件日期"),
  note: z.string().trim().max(2000, "备注不超过 2000 字").optional(),
  deferredMaterials: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
  commitmentOn: dateField("容缺补齐期限").optional(),
  missingMaterials: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
  /** The item version the user saw; a stale one means someone else changed the item first. */
  expectedVersion: z.number().int().positive().optional(),
});

export type RecordEventInput = z.input<typeof eventSchema>;

/**
 * Records one clock event (受理, 补正, 办结 …) on an item: access check, input
 * validation, the state machine, then one transaction writing the event, the
 * item's derived clock columns and the audit row. Returns the item's new state
 * with its new version so callers show exactly what changed. With
 * `expectedVersion` (the page form's hidden `version`, the API's body field) a
 * change made by someone else since that version is refused with 409
 * instead of being silently overtaken (optimistic locking, issue 14).
 */
export function recordItemEvent(ctx: ServiceContext, actor: Actor, projectId: number, itemKey: string, raw: unknown) {
  const { db, now } = ctx;
  const cal = getCalendar(db);
  const agg = loadProjectFor(db, actor, projectId, cal);
  const item = agg.items.find((i) => i.row.key === itemKey);
  if (!item) throw notFound(`事项「${itemKey}」`);
  const d = decide(actor, "item.recordEvent", { project: agg.facts, item: { departmentId: item.row.departmentId } });
  if (!d.allowed) throw forbidden("您无权办理此事项（部门经办人只能办理本部门事项，代办员只能办理分配给自己的项目）");

  const parsed = eventSchema.safeParse(raw, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  const input = parsed.data;
  const on = parseDate(input.on)!;
  if (on > shanghaiDay(now)) throw new AppError("invalid", "事件日期不能晚于今天", { on: "事件日期不能晚于今天" });
  if (input.expectedVersion !== undefined && input.expectedVersion !== item.row.version) {
    throw new AppError("conflict", "该事项已被他人更新，请刷新页面后再操作");
  }

  // 受理 with materials the ledger shows missing: only as 容缺, never silently (issue 9).
  // Asked once the transition itself is legal, so an illegal 受理 still answers 409.
  if (input.type === "accept" && acceptanceChecksMaterials(actor.role) && allowedEvents(item.state, item.spec).includes("accept")) {
    const needed = requiredMaterials(db, item.row.id);
    // Certificates an approved item has issued count as handed in.
    const owed = new Set(outstanding(needed.map((m) => m.name), agg.items.map(certificateSource)));
    const refusal = acceptanceRefusal(needed.filter((m) => owed.has(m.name)), input.deferredMaterials ?? [], input.commitmentOn);
    if (refusal) throw new AppError("invalid", refusal.message, refusal.fields);
  }

  const result = applyClockEvent(
    item.state,
    {
      type: input.type,
      on,
      deferredMaterials: input.deferredMaterials,
      commitmentOn: input.commitmentOn ? parseDate(input.commitmentOn) : null,
    },
    item.spec,
    cal,
  );
  if (!result.ok) {
    throw new AppError(result.code === "illegal_transition" ? "conflict" : "invalid", result.message);
  }

  const detail: EventDetail = {};
  // 容缺 belongs to 受理 only: a form that sent its pre-checked boxes with another event records none.
  if (input.type === "accept" && input.deferredMaterials?.length) detail.deferredMaterials = input.deferredMaterials;
  if (input.type === "accept" && input.commitmentOn) detail.commitmentOn = input.commitmentOn;
  if (input.missingMaterials?.length) detail.missingMaterials = input.missingMaterials;

  const policy = getPolicy(db);
  transactThenWake(db, (tx, wake) => {
    // Conditional on the version read above: a concurrent writer makes this match nothing.
    const upd = tx
      .update(items)
      .set({ ...storedColumns(result.state, (x) => cal.format(x)), version: item.row.version + 1, updatedAt: now.getTime() })
      .where(and(eq(items.id, item.row.id), eq(items.version, item.row.version)))
      .run();
    if (upd.changes !== 1) throw new AppError("conflict", "该事项已被他人更新，请刷新页面后再操作");
    // 首问负责: the first department clerk to act becomes the item's handler and stays so; later actions
    // by colleagues are logged against that handler (audit detail). Proxies and the system act for others.
    const handlerUserId = item.row.handlerUserId ?? (actor.role === "dept" ? actor.id : null);
    if (item.row.handlerUserId === null && handlerUserId !== null) tx.update(items).set({ handlerUserId }).where(eq(items.id, item.row.id)).run();
    const ev = tx
      .insert(clockEvents)
      .values({
        itemId: item.row.id,
        type: input.type,
        on: input.on,
        actorUserId: actor.id,
        note: input.note || null,
        detail: Object.keys(detail).length ? JSON.stringify(detail) : null,
        createdAt: now.getTime(),
      })
      .returning({ id: clockEvents.id })
      .get();
    const startDone = isStartMilestone(item.row) && result.state.status === "approved";
    tx.update(projects)
      .set({
        version: sql`${projects.version} + 1`,
        updatedAt: now.getTime(),
        lastProgressOn: sql`max(coalesce(${projects.lastProgressOn}, ''), ${input.on})`,
        ...(startDone ? { status: "started" as const } : {}),
      })
      .where(eq(projects.id, projectId))
      .run();
    writeAudit(
      tx,
      {
        actorUserId: actor.id,
        action: `item.${input.type}`,
        entityType: "item",
        entityId: item.row.id,
        projectId,
        detail: { event: ev.id, label: EVENT_LABELS[input.type], on: input.on, from: item.state.status, to: result.state.status, handlerUserId },
      },
      now,
    );
    // The enterprise hears of a 补正 request or a decision at once, committed with the event itself.
    notifyEnterpriseOfItemEvent(
      tx,
      { projectId, itemId: item.row.id, itemName: item.row.name, eventId: ev.id, type: input.type, on: input.on, note: input.note || null, missingMaterials: input.missingMaterials ?? [] },
      now,
    );
    // Timers move with the clock, in the same transaction: a crash cannot leave a stale or missing one.
    const fresh = tx.select().from(items).where(eq(items.id, item.row.id)).get()!;
    wake(planItemTimers(tx, fresh, cal, policy));
    wake(planProjectTimers(tx, projectId, cal, policy));
    // The leaders' figures commit with the event (issue 13): this project, this department, the decision's month.
    refreshStatsAfter(tx, now, { projectId, departmentIds: [fresh.departmentId], dates: [input.on, fresh.decidedOn, fresh.dueOn] });
  });

  const doc = getProjectDocument(ctx, actor, projectId);
  // The version this change produced: a client sends it back as expectedVersion with its next change.
  return { ...doc.items.find((i) => i.key === itemKey)!, version: item.row.version + 1 };
}

/** The materials an item needs, with their ledger status. */
function requiredMaterials(db: ServiceContext["db"], itemId: number) {
  return db
    .select({ name: materials.name, status: materials.status })
    .from(itemMaterials)
    .innerJoin(materials, eq(materials.id, itemMaterials.materialId))
    .where(eq(itemMaterials.itemId, itemId))
    .all();
}

function certificateSource(i: ItemRecord) {
  return { key: i.row.key, name: i.row.name, kind: i.row.kind, status: i.state.status };
}
