import { and, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import { actionItems, escalations, items, projects } from "../../db/schema";
import { formatDay, parseDate, shanghaiDay, type WorkingCalendar } from "~/domain/calendar";
import { isFinished, type ItemStatus } from "~/domain/clock";
import { itemOverrides, planActionItemEscalations, planItemEscalations, type EscalationPolicy, type PlannedEscalation } from "~/domain/escalation/policy";
import { planStallEscalation } from "~/domain/escalation/stall";
import type { Wakeup } from "~/domain/escalation/wakeup";
import type { Db } from "~/utils/db.server";
import { getCalendar, getPolicy } from "./time-rules.server";
import { transaction } from "./transaction.server";

/**
 * Planning escalation timers (DESIGN §4, §8). SQLite holds every planned moment
 * as an unfired `escalations` row; Bull only wakes the worker. Planning happens in
 * the same transaction as the change that moves a due date, so a crash can lose
 * a wake-up but never a timer: the sweep finds every unfired row whose moment has
 * passed. Each function returns the wake-ups to hand to the queue after commit.
 */

type ItemRow = typeof items.$inferSelect;

function desiredForItem(row: ItemRow, cal: WorkingCalendar, policy: EscalationPolicy): PlannedEscalation[] {
  if (row.status !== "running" || !row.dueOn || !row.acceptedOn) return [];
  return planItemEscalations(row.id, parseDate(row.dueOn)!, parseDate(row.acceptedOn)!, cal, policy, itemOverrides(row));
}

/**
 * Brings one item's unfired rows in line with its clock: rows no longer wanted
 * (approved, paused, due date moved) are deleted, new ones inserted. Fired rows
 * are history and stay. Call inside the transaction that changed the item.
 */
export function planItemTimers(tx: Db, row: ItemRow, cal: WorkingCalendar, policy: EscalationPolicy): Wakeup[] {
  return syncRows(tx, { projectId: row.projectId, itemId: row.id, actionItemId: null }, desiredForItem(row, cal, policy));
}

function desiredForProject(tx: Db, projectId: number, cal: WorkingCalendar, policy: EscalationPolicy): PlannedEscalation[] {
  const p = tx.select().from(projects).where(eq(projects.id, projectId)).get();
  if (!p) return [];
  const hasOpenItems = tx.all<{ status: string }>(sql`select status from items where project_id = ${projectId}`).some((i) => !isFinished(i.status as ItemStatus));
  // The one stall rule (domain/escalation/stall.ts), the same the dashboard applies.
  const stall = planStallEscalation(projectId, { projectActive: p.status === "active", hasOpenItems, lastProgressOn: p.lastProgressOn ? parseDate(p.lastProgressOn) : null }, cal, policy);
  return stall ? [stall] : [];
}

/** The stall timer of a project: re-armed whenever progress moves its last progress date. */
export function planProjectTimers(tx: Db, projectId: number, cal: WorkingCalendar, policy: EscalationPolicy): Wakeup[] {
  return syncRows(tx, { projectId, itemId: null, actionItemId: null }, desiredForProject(tx, projectId, cal, policy));
}

type ActionItemRow = typeof actionItems.$inferSelect;

/** An action item's ladder (DESIGN §4): planned while it is open, gone (unfired rows) once closed. */
export function planActionItemTimers(tx: Db, row: ActionItemRow, cal: WorkingCalendar, policy: EscalationPolicy): Wakeup[] {
  const start = parseDate(row.startOn ?? "") ?? parseDate(row.dueOn)!;
  const desired = row.status === "open" ? planActionItemEscalations(row.id, parseDate(row.dueOn)!, start, cal, policy, shanghaiDay(new Date(row.createdAt))) : [];
  return syncRows(tx, { projectId: row.projectId, itemId: null, actionItemId: row.id }, desired);
}

type Owner = { projectId: number | null; itemId: number | null; actionItemId: number | null };

function syncRows(tx: Db, owner: Owner, desired: PlannedEscalation[]): Wakeup[] {
  const ownerCond =
    owner.actionItemId !== null
      ? eq(escalations.actionItemId, owner.actionItemId)
      : owner.itemId !== null
        ? eq(escalations.itemId, owner.itemId)
        : and(eq(escalations.projectId, owner.projectId!), isNull(escalations.itemId), isNull(escalations.actionItemId));
  const existing = tx.select().from(escalations).where(and(ownerCond, isNull(escalations.firedAt))).all();
  const wanted = new Set(desired.map((d) => d.dedupeKey));
  const stale = existing.filter((e) => !wanted.has(e.dedupeKey)).map((e) => e.id);
  if (stale.length) tx.delete(escalations).where(inArray(escalations.id, stale)).run();
  const moment = new Map(desired.map((d) => [d.dedupeKey, d.fireAt]));
  const wakeups: Wakeup[] = [];
  for (const e of existing) {
    if (!wanted.has(e.dedupeKey)) continue;
    // Same item, level and due date but new offsets (per-item or policy change): move the moment.
    const fireAt = moment.get(e.dedupeKey)!;
    if (fireAt !== e.fireAt) tx.update(escalations).set({ fireAt }).where(eq(escalations.id, e.id)).run();
    wakeups.push({ id: e.id, fireAt });
  }
  const have = new Set(existing.map((e) => e.dedupeKey));
  for (const d of desired) {
    if (have.has(d.dedupeKey)) continue;
    // A key that already fired (same item, level and due date) conflicts and is skipped: once is once.
    const row = tx
      .insert(escalations)
      .values({ projectId: owner.projectId, itemId: owner.itemId, actionItemId: owner.actionItemId, level: d.level, dueOn: formatDay(d.dueOn), dedupeKey: d.dedupeKey, fireAt: d.fireAt })
      .onConflictDoNothing()
      .returning({ id: escalations.id, fireAt: escalations.fireAt })
      .get();
    if (row) wakeups.push(row);
  }
  return wakeups;
}

/** Re-plans every open item, project and action item: at worker start, after a policy or calendar change. */
export function replanAll(db: Db): Wakeup[] {
  // transaction() is IMMEDIATE: this one reads before it writes, and a deferred one would fail
  // with SQLITE_BUSY_SNAPSHOT (ignoring busy_timeout) whenever the web process commits in between.
  return transaction(db, (tx) => replanAllIn(tx, getCalendar(tx), getPolicy(tx)));
}

/** replanAll inside a caller's transaction (a calendar edit, a policy save). */
export function replanAllIn(tx: Db, cal: WorkingCalendar, policy: EscalationPolicy): Wakeup[] {
  const wake: Wakeup[] = [];
  // Items that may hold unfired rows as well as running ones: a row for an item approved meanwhile must go.
  const rows = tx
    .select()
    .from(items)
    .where(sql`${items.status} = 'running' or ${items.id} in (select item_id from escalations where fired_at is null and item_id is not null)`)
    .all();
  for (const row of rows) wake.push(...planItemTimers(tx, row, cal, policy));
  for (const p of tx.select({ id: projects.id }).from(projects).all()) wake.push(...planProjectTimers(tx, p.id, cal, policy));
  const actions = tx
    .select()
    .from(actionItems)
    .where(sql`${actionItems.status} = 'open' or ${actionItems.id} in (select action_item_id from escalations where fired_at is null and action_item_id is not null)`)
    .all();
  for (const row of actions) wake.push(...planActionItemTimers(tx, row, cal, policy));
  return wake;
}

/** Unfired rows due within the horizon: the wake-ups the sweep makes sure Bull holds. */
export function upcomingWakeups(db: Db, now: Date, horizonMs: number): Wakeup[] {
  return db
    .select({ id: escalations.id, fireAt: escalations.fireAt })
    .from(escalations)
    .where(and(isNull(escalations.firedAt), lte(escalations.fireAt, now.getTime() + horizonMs)))
    .all();
}
