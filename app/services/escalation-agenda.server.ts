import { and, asc, eq, gte, isNotNull, isNull, sql } from "drizzle-orm";
import { agendaItems, departments, escalations, items, meetings, projects } from "../../db/schema";
import { parseDate, type DayNum, type WorkingCalendar } from "~/domain/calendar";
import { superviseAgendaSummary } from "~/domain/escalation/messages";
import type { Db } from "~/utils/db.server";

/*
 * 督办 on the joint meeting's agenda (DESIGN §4: "the item joins the next
 * meeting's agenda"). The fired 督办 escalation row is the durable record: its
 * `agenda_meeting_id` names the meeting that took it, and while it is null the
 * item is a pending candidate. Firing puts it on the next planned meeting when
 * there is one; when there is none it stays pending (and visible) until a
 * meeting planned later takes it, instead of being dropped.
 */

/** A fired 督办 not yet on any meeting's agenda. */
export interface SuperviseCandidate {
  escalationId: number;
  projectId: number;
  projectName: string;
  itemId: number;
  itemName: string;
  departmentName: string | null;
  /** The due date the 督办 was counted from. */
  dueOn: string;
  firedAt: number;
  /** The agenda line the meeting will show. */
  summary: string;
}

const pendingWhere = and(eq(escalations.level, "supervise"), isNotNull(escalations.firedAt), isNull(escalations.agendaMeetingId), isNotNull(escalations.itemId));

function readPending(db: Db): SuperviseCandidate[] {
  return db
    .select({ e: escalations, projectName: projects.name, itemName: items.name, departmentName: departments.name })
    .from(escalations)
    .innerJoin(projects, eq(projects.id, escalations.projectId))
    .innerJoin(items, eq(items.id, escalations.itemId))
    .leftJoin(departments, eq(departments.id, items.departmentId))
    .where(pendingWhere)
    .orderBy(asc(escalations.firedAt), asc(escalations.id))
    .all()
    .map(({ e, projectName, itemName, departmentName }) => ({
      escalationId: e.id,
      // Inner-joined on projects: an item's escalation always has its project.
      projectId: e.projectId!,
      projectName,
      itemId: e.itemId!,
      itemName,
      departmentName,
      dueOn: e.dueOn,
      firedAt: e.firedAt!,
      summary: superviseAgendaSummary(itemName, e.dueOn),
    }));
}

/**
 * Fired 督办 items that no meeting has taken yet, oldest first: what the
 * coordinator must put before the next joint meeting.
 */
export function listPendingSuperviseCandidates(db: Db): SuperviseCandidate[] {
  return readPending(db);
}

/**
 * Puts one candidate on a meeting's agenda and marks the escalation as taken
 * by it, in the caller's transaction. An item already on that agenda (added by
 * hand, say) is not listed twice, but the 督办 still counts as taken.
 */
function putOnAgenda(tx: Db, meetingId: number, c: { escalationId: number; projectId: number; itemId: number; summary: string }): boolean {
  const taken = tx
    .update(escalations)
    .set({ agendaMeetingId: meetingId })
    .where(and(eq(escalations.id, c.escalationId), isNull(escalations.agendaMeetingId)))
    .run();
  // Claimed by another meeting (or another process) meanwhile: leave its agenda alone.
  if (taken.changes !== 1) return false;
  const position = tx.get<{ n: number }>(sql`select coalesce(max(position), 0) + 1 as n from agenda_items where meeting_id = ${meetingId}`).n;
  tx.insert(agendaItems)
    .values({ meetingId, projectId: c.projectId, itemId: c.itemId, reason: "supervise", summary: c.summary, position })
    .onConflictDoNothing()
    .run();
  return true;
}

/**
 * A meeting takes every pending 督办 candidate onto its agenda (for the meetings
 * feature, when a meeting is planned). Call inside the transaction that plans
 * or edits the meeting. Returns the candidates it took.
 */
export function takeSuperviseCandidates(tx: Db, meetingId: number): SuperviseCandidate[] {
  return readPending(tx).filter((c) => putOnAgenda(tx, meetingId, c));
}

/**
 * At 督办 firing: the item joins the agenda of the next planned joint meeting
 * (on or after `today`), once. Returns that meeting's date, or null when none
 * is planned and the escalation stays a pending candidate.
 */
export function placeOnNextMeeting(
  tx: Db,
  c: { escalationId: number; projectId: number; itemId: number; itemName: string; dueOn: string },
  today: DayNum,
  cal: WorkingCalendar,
): DayNum | null {
  const next = tx
    .select({ id: meetings.id, heldOn: meetings.heldOn })
    .from(meetings)
    .where(and(eq(meetings.status, "planned"), gte(meetings.heldOn, cal.format(today))))
    .orderBy(asc(meetings.heldOn), asc(meetings.id))
    .get();
  if (!next) return null;
  putOnAgenda(tx, next.id, { ...c, summary: superviseAgendaSummary(c.itemName, c.dueOn) });
  return parseDate(next.heldOn);
}

/**
 * The coordinator put a pending 督办 on a meeting's agenda by hand (from its
 * candidates): the escalation counts as taken by that meeting, so no other meeting
 * takes it again. False when another meeting took it meanwhile.
 */
export function claimSuperviseEscalation(tx: Db, meetingId: number, escalationId: number): boolean {
  return (
    tx
      .update(escalations)
      .set({ agendaMeetingId: meetingId })
      .where(and(eq(escalations.id, escalationId), eq(escalations.level, "supervise"), isNull(escalations.agendaMeetingId)))
      .run().changes === 1
  );
}

/**
 * The coordinator took an item off a meeting's agenda: a 督办 that meeting had
 * taken for it becomes a pending candidate again (as when the meeting is deleted),
 * instead of being lost with the agenda row.
 */
export function releaseSuperviseEscalations(tx: Db, meetingId: number, itemId: number): number {
  return tx
    .update(escalations)
    .set({ agendaMeetingId: null })
    .where(and(eq(escalations.agendaMeetingId, meetingId), eq(escalations.itemId, itemId), eq(escalations.level, "supervise")))
    .run().changes;
}
