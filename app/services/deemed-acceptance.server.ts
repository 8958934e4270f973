import { and, asc, eq, lt, sql } from "drizzle-orm";
import { clockEvents, departments, items, notifications, projectProxies, projects, users } from "../../db/schema";
import { shanghaiDay, type DayNum, type WorkingCalendar } from "~/domain/calendar";
import { applyClockEvent, deemedAcceptance, deemedAcceptanceMessage, DEEMED_ACCEPT_LABEL, replayClock, type ClockState } from "~/domain/clock";
import { deliveryInstant, type EscalationPolicy } from "~/domain/escalation/policy";
import type { Db } from "~/utils/db.server";
import { writeAudit } from "./audit.server";
import { planItemTimers, planProjectTimers } from "./escalation-timers.server";
import { specOf, storedColumns, toClockEvent } from "./project-aggregate.server";
import { getCalendar, getPolicy } from "./time-rules.server";
import { transactThenWake } from "./transaction.server";
import { refreshStatsAfter } from "./stats.server";

/**
 * Deemed acceptance (DESIGN §4, 行政许可法 §32): an application the department neither
 * accepted nor sent back for correction within five working days is accepted, by law, on
 * the day it was received. The worker records that `accept` — dated the submission day,
 * marked `{deemed: true}` — with everything a 受理 entered by hand writes.
 *
 * When: at the first sweep after the deadline day has ended (today in Asia/Shanghai is
 * later than the deadline), i.e. within a minute of midnight, not at 09:00 on the next
 * working day like an escalation. The department had the whole deadline day; waiting for
 * office hours would change no date (the acceptance is dated S whenever it is recorded)
 * but would leave the item showing 待受理 and unplanned over a weekend or a holiday.
 * The messages it writes wait for working hours like every notification.
 *
 * Exactly once (DESIGN §8): each item is re-read, replayed and claimed inside one
 * IMMEDIATE transaction by a conditional update on its version and status; a second run,
 * a racing worker or a department that accepted meanwhile finds nothing to claim. The
 * notifications are keyed by the recorded clock event, so they cannot double either.
 */

export interface DeemedAcceptanceRun {
  /** Items whose deemed acceptance this run recorded. */
  itemIds: number[];
  /** Items left alone because their stored history no longer replays (reported, never guessed at). */
  skipped: { itemId: number; message: string }[];
}

export const DEEMED_ACCEPT_NOTIFICATION = "item.deemedAccept";

/** Records every deemed acceptance due as of `now`. Safe to run any number of times, from any number of processes. */
export function recordDeemedAcceptances(db: Db, now: Date): DeemedAcceptanceRun {
  const cal = getCalendar(db);
  const today = shanghaiDay(now);
  // While submitted, due_on holds the acceptance deadline (see ClockState): one indexed
  // lookup on items_status_due_idx, however many items the city has.
  const due = db
    .select({ id: items.id })
    .from(items)
    .where(and(eq(items.status, "submitted"), lt(items.dueOn, cal.format(today))))
    .orderBy(asc(items.id))
    .all();
  const run: DeemedAcceptanceRun = { itemIds: [], skipped: [] };
  if (!due.length) return run;
  const policy = getPolicy(db);
  for (const { id } of due) {
    const outcome = recordOne(db, id, now, today, cal, policy);
    if (outcome === "recorded") run.itemIds.push(id);
    else if (typeof outcome === "object") run.skipped.push({ itemId: id, message: outcome.error });
  }
  return run;
}

type Outcome = "recorded" | "nothing" | { error: string };

function recordOne(db: Db, itemId: number, now: Date, today: DayNum, cal: WorkingCalendar, policy: EscalationPolicy): Outcome {
  return transactThenWake(db, (tx, wake): Outcome => {
    // Re-read inside the transaction: the department may have accepted since the lookup.
    const row = tx.select().from(items).where(eq(items.id, itemId)).get();
    if (!row || row.status !== "submitted") return "nothing";
    const spec = specOf(row);
    const events = tx.select().from(clockEvents).where(eq(clockEvents.itemId, itemId)).orderBy(asc(clockEvents.id)).all();
    let state: ClockState;
    try {
      state = replayClock(events.map(toClockEvent), spec, cal);
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e) };
    }
    // The replayed state decides, not the stored column: a calendar edit may have moved the deadline.
    const deemed = deemedAcceptance(state, today);
    if (!deemed) return "nothing";
    const result = applyClockEvent(state, deemed, spec, cal);
    if (!result.ok) return { error: result.message };
    const next = result.state;
    const fmt = (d: DayNum) => cal.format(d);
    const submittedOn = fmt(deemed.on);
    const acceptanceDueOn = fmt(state.dueOn!);

    // The claim: conditional on the version and status read above, so it matches once.
    const claimed = tx
      .update(items)
      .set({ ...storedColumns(next, fmt), version: row.version + 1, updatedAt: now.getTime() })
      .where(and(eq(items.id, itemId), eq(items.version, row.version), eq(items.status, "submitted")))
      .run();
    if (claimed.changes !== 1) return "nothing";

    const event = tx
      .insert(clockEvents)
      .values({
        itemId,
        type: "accept",
        on: submittedOn,
        actorUserId: null,
        note: `${acceptanceDueOn} 前未受理也未告知补正，依《行政许可法》第三十二条自申报之日起视为受理`,
        detail: JSON.stringify({ deemed: true, acceptanceDueOn }),
        createdAt: now.getTime(),
      })
      .returning({ id: clockEvents.id })
      .get();
    // The same project bookkeeping as a 受理 entered by hand (items.server.ts): the change
    // counter open pages poll, and the last progress date (dated S, so it seldom moves).
    tx.update(projects)
      .set({
        version: sql`${projects.version} + 1`,
        updatedAt: now.getTime(),
        lastProgressOn: sql`max(coalesce(${projects.lastProgressOn}, ''), ${submittedOn})`,
      })
      .where(eq(projects.id, row.projectId))
      .run();
    writeAudit(
      tx,
      {
        actorUserId: null,
        action: "item.accept",
        entityType: "item",
        entityId: itemId,
        projectId: row.projectId,
        detail: { event: event.id, label: DEEMED_ACCEPT_LABEL, on: submittedOn, from: state.status, to: next.status, deemed: true, acceptanceDueOn },
      },
      now,
    );
    notify(tx, row, event.id, { submittedOn: deemed.on, acceptanceDueOn: state.dueOn!, dueOn: next.dueOn }, now, cal, policy);
    // The approval clock now runs (possibly already late): its escalation timers, and the
    // project's stall timer, in this transaction; their wake-ups go to Bull after commit.
    const fresh = tx.select().from(items).where(eq(items.id, itemId)).get()!;
    wake(planItemTimers(tx, fresh, cal, policy));
    wake(planProjectTimers(tx, row.projectId, cal, policy));
    refreshStatsAfter(tx, now, { projectId: row.projectId, departmentIds: [fresh.departmentId], dates: [submittedOn, fresh.dueOn] });
    return "recorded";
  });
}

/**
 * Tells the project's proxy officers (they follow the file for the enterprise) and the
 * department's staff and handler (their approval clock started days ago, on S).
 */
function notify(
  tx: Db,
  row: typeof items.$inferSelect,
  eventId: number,
  dates: { submittedOn: DayNum; acceptanceDueOn: DayNum; dueOn: DayNum | null },
  now: Date,
  cal: WorkingCalendar,
  policy: EscalationPolicy,
): void {
  const active = eq(users.active, true);
  const people = new Map<number, string | null>();
  const add = (rs: { id: number; email: string | null }[]) => rs.forEach((r) => people.set(r.id, r.email));
  add(
    tx
      .select({ id: users.id, email: users.email })
      .from(projectProxies)
      .innerJoin(users, eq(users.id, projectProxies.userId))
      .where(and(eq(projectProxies.projectId, row.projectId), active))
      .all(),
  );
  if (row.departmentId !== null) {
    add(
      tx
        .select({ id: users.id, email: users.email })
        .from(users)
        .where(and(eq(users.departmentId, row.departmentId), eq(users.role, "dept"), eq(users.isDepartmentLeader, false), active))
        .all(),
    );
  }
  if (row.handlerUserId !== null) {
    add(tx.select({ id: users.id, email: users.email }).from(users).where(and(eq(users.id, row.handlerUserId), active)).all());
  }
  if (!people.size) return;
  const projectName = tx.select({ name: projects.name }).from(projects).where(eq(projects.id, row.projectId)).get()!.name;
  const departmentName =
    row.departmentId === null ? null : (tx.select({ name: departments.name }).from(departments).where(eq(departments.id, row.departmentId)).get()?.name ?? null);
  const { title, body } = deemedAcceptanceMessage({ projectName, itemName: row.name, departmentName, ...dates });
  const at = now.getTime();
  const deliverAfter = deliveryInstant(at, cal, policy);
  for (const [userId, email] of people) {
    tx.insert(notifications)
      .values({
        userId,
        kind: DEEMED_ACCEPT_NOTIFICATION,
        title,
        body,
        link: `/projects/${row.projectId}?item=${encodeURIComponent(row.key)}`,
        dedupeKey: `deemed-accept-e${eventId}-u${userId}`,
        deliverAfter,
        emailStatus: email ? "pending" : "none",
        createdAt: at,
      })
      .onConflictDoNothing()
      .run();
  }
}
