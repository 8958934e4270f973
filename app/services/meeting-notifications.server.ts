import { and, eq, inArray, isNotNull } from "drizzle-orm";
import { actionItems, decisions, departments, meetingDepartments, meetings, users } from "../../db/schema";
import { MEETING_TYPE_LABELS } from "~/domain/meeting/vocabulary";
import type { Db } from "~/utils/db.server";
import { sendToUsers } from "./outbox.server";

/**
 * What a meeting tells people (issue 11): the invited departments get the
 * invitation, the responsible units get the minutes with their tasks. Written
 * to the notification outbox in the caller's transaction, delivered in working
 * hours only (DESIGN §4) like every other message, keyed so that a repeated call
 * adds nothing. Reminders before a task falls due come from its escalation ladder.
 */

/** Active staff (clerks and leaders) of these departments. */
function departmentPeople(tx: Db, departmentIds: readonly number[]): number[] {
  if (!departmentIds.length) return [];
  return tx
    .select({ id: users.id })
    .from(users)
    .where(and(inArray(users.departmentId, [...departmentIds]), eq(users.role, "dept"), eq(users.active, true)))
    .all()
    .map((u) => u.id);
}

function when(m: typeof meetings.$inferSelect): string {
  return `${m.heldOn}${m.startsAt ? ` ${m.startsAt}` : ""}${m.location ? `，${m.location}` : ""}`;
}

/**
 * The invitation to every invited department's staff. `revision` distinguishes a
 * changed date, time or place (a new message) from a repeated call (nothing new).
 */
export function notifyMeetingInvitation(tx: Db, meetingId: number, now: Date): number {
  const m = tx.select().from(meetings).where(eq(meetings.id, meetingId)).get();
  if (!m) return 0;
  const invited = tx.select({ id: meetingDepartments.departmentId }).from(meetingDepartments).where(eq(meetingDepartments.meetingId, meetingId)).all().map((d) => d.id);
  const revision = `${m.heldOn}|${m.startsAt ?? ""}|${m.location}`;
  return sendToUsers(
    tx,
    departmentPeople(tx, invited),
    {
      kind: "meeting.invitation",
      title: `【会议通知】${m.title}`,
      body: `${MEETING_TYPE_LABELS[m.type]}定于 ${when(m)} 召开，请贵单位派员参加。`,
      link: `/meetings/${m.id}`,
      dedupeKey: `meeting-${m.id}-invite-${revision}`,
    },
    now,
  );
}

/**
 * The minutes to the responsible units: each lead and co-unit's staff is told of
 * the meeting's tasks that concern their department, with their deadlines.
 */
export function notifyMinutesIssued(tx: Db, meetingId: number, now: Date): number {
  const m = tx.select().from(meetings).where(eq(meetings.id, meetingId)).get();
  if (!m) return 0;
  const tasks = tx
    .select({ a: actionItems, lead: departments.name })
    .from(actionItems)
    .innerJoin(decisions, eq(decisions.id, actionItems.decisionId))
    .leftJoin(departments, eq(departments.id, actionItems.ownerDepartmentId))
    .where(and(eq(decisions.meetingId, meetingId), isNotNull(actionItems.ownerDepartmentId)))
    .all();
  const byDept = new Map<number, string[]>();
  for (const { a, lead } of tasks) {
    const line = `${a.title}（责任单位 ${lead ?? "—"}，完成时限 ${a.dueOn}）`;
    const concerned = [a.ownerDepartmentId!, ...(a.coDepartmentIds ? (JSON.parse(a.coDepartmentIds) as number[]) : [])];
    for (const d of concerned) byDept.set(d, [...(byDept.get(d) ?? []), line]);
  }
  let n = 0;
  for (const [dept, lines] of byDept) {
    n += sendToUsers(
      tx,
      departmentPeople(tx, [dept]),
      {
        kind: "meeting.minutes",
        title: `【会议纪要】${m.title}`,
        body: `${m.heldOn} 会议议定由贵单位办理：${lines.map((l, i) => `${i + 1}. ${l}`).join("；")}。请按时限办结并在系统中填写办理情况。`,
        link: `/meetings/${m.id}`,
        dedupeKey: `meeting-${m.id}-minutes-d${dept}`,
      },
      now,
    );
  }
  return n;
}
