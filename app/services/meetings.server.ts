import { asc, desc, eq, sql } from "drizzle-orm";
import { actionItems, departments, meetings } from "../../db/schema";
import { decide, type Actor } from "~/domain/access/policy";
import type { ServiceContext } from "./context.server";
import { forbidden } from "./errors.server";

export const MEETING_STATUS_LABELS = { planned: "待召开", held: "已召开", closed: "已闭环" } as const;

/** Joint meetings with their agenda size and open action items (full workflow comes with the meetings work). */
export function listMeetings(ctx: ServiceContext, actor: Actor) {
  if (!decide(actor, "meeting.view").allowed) throw forbidden("没有查看联席会议的权限");
  const rows = ctx.db
    .select({
      m: meetings,
      agenda: sql<number>`(select count(*) from agenda_items ai where ai.meeting_id = "meetings"."id")`,
      openActions: sql<number>`(select count(*) from action_items a join decisions d on d.id = a.decision_id where d.meeting_id = "meetings"."id" and a.status = 'open')`,
    })
    .from(meetings)
    .orderBy(desc(meetings.heldOn))
    .all();
  const actions = ctx.db
    .select({ a: actionItems, dept: departments.name })
    .from(actionItems)
    .leftJoin(departments, eq(departments.id, actionItems.ownerDepartmentId))
    .where(eq(actionItems.status, "open"))
    .orderBy(asc(actionItems.dueOn))
    .all();
  return {
    meetings: rows.map((r) => ({ ...r.m, statusLabel: MEETING_STATUS_LABELS[r.m.status], agendaCount: r.agenda, openActions: r.openActions })),
    openActions: actions.map((r) => ({ id: r.a.id, title: r.a.title, department: r.dept, deadlineOn: r.a.dueOn })),
  };
}
