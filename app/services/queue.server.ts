import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { departments, items, projects } from "../../db/schema";
import type { Actor } from "~/domain/access/policy";
import { parseDate, shanghaiDay } from "~/domain/calendar";
import { ACTIVE_STATUSES, initialClockState, readClock, type ItemStatus, type Warning } from "~/domain/clock";
import type { ActionSource } from "~/domain/meeting/vocabulary";
import { openActionItemsOfDepartment } from "./action-items.server";
import { getCalendar } from "./time-rules.server";
import type { ServiceContext } from "./context.server";
import { forbidden } from "./errors.server";
import { readStoredClock, specOf } from "./project-aggregate.server";
import { getPolicy } from "./time-rules.server";

export interface QueueRow {
  projectId: number;
  projectName: string;
  key: string;
  name: string;
  status: ItemStatus;
  /** 待受理 only: the day the application (or its complete correction) was received. */
  submittedOn: string | null;
  /** 待受理 only: the §32 deadline to accept or ask for corrections (also `dueOn`, which the countdown counts to). */
  acceptanceDueOn: string | null;
  acceptedOn: string | null;
  dueOn: string | null;
  remainingWorkingDays: number | null;
  warning: Warning;
  paused: boolean;
}

/** An open action item (会议纪要 task, 督办, 差评整改) the department leads: a clock like an approval (DESIGN §4). */
export interface ActionQueueRow {
  id: number;
  title: string;
  source: ActionSource;
  /** The meeting whose decision set it, when it comes from one. */
  meeting: { id: number; title: string; heldOn: string } | null;
  projectId: number | null;
  projectName: string | null;
  /** Whether this viewer may open the linked project (it has an item of their department). */
  projectOpenable: boolean;
  itemKey: string | null;
  itemName: string | null;
  dueOn: string;
  remainingWorkingDays: number | null;
  warning: Warning;
  /** Action items have no pauses; the field lets both kinds rank by one rule. */
  paused: false;
}

/** One line of the queue: an approval item or an action item, told apart by `kind`. */
export type QueueEntry = ({ kind: "item" } & QueueRow) | ({ kind: "action" } & ActionQueueRow);

/**
 * A department's open items, most urgent first: applications awaiting acceptance (待受理,
 * counting down the five working days of 行政许可法 §32) and items under way. Reads the
 * stored clock columns (exact for running items; for submitted ones due_on is the
 * acceptance deadline), so it stays one indexed query however many projects the city has.
 * `rows` are the approval items; `actionItems` the open action items the department
 * leads (责任单位); `entries` is both in one most-urgent-first list, as the page shows it.
 */
export function listDepartmentQueue(ctx: ServiceContext, actor: Actor): { department: string; rows: QueueRow[]; actionItems: ActionQueueRow[]; entries: QueueEntry[] } {
  if (actor.role !== "dept" || actor.departmentId === null) throw forbidden("只有部门经办人有待办队列");
  const { db } = ctx;
  const cal = getCalendar(db);
  const today = shanghaiDay(ctx.now);
  const lead = getPolicy(db).yellowLead;
  const dept = db.select().from(departments).where(eq(departments.id, actor.departmentId)).get();
  const rows = db
    .select({
      item: items,
      projectName: projects.name,
      // Awaiting acceptance, the last event is the one that opened the window (申报 or the complete 补正).
      submittedOn: sql<string | null>`case when ${items.status} = 'submitted' then (select e."on" from clock_events e where e.item_id = ${items.id} order by e.id desc limit 1) end`,
    })
    .from(items)
    .innerJoin(projects, eq(projects.id, items.projectId))
    .where(and(eq(items.departmentId, actor.departmentId), inArray(items.status, [...ACTIVE_STATUSES])))
    .orderBy(asc(items.dueOn))
    .all()
    .map(({ item, projectName, submittedOn }): QueueRow => {
      const submitted = item.status === "submitted";
      const r = submitted
        ? readClock({ ...initialClockState(), status: "submitted", submittedOn: submittedOn ? parseDate(submittedOn) : null, dueOn: item.dueOn ? parseDate(item.dueOn) : null }, specOf(item), cal, today, lead)
        : readStoredClock(item, cal, today, lead);
      return {
        projectId: item.projectId,
        projectName,
        key: item.key,
        name: item.name,
        status: item.status,
        submittedOn: submitted ? submittedOn : null,
        acceptanceDueOn: submitted ? item.dueOn : null,
        acceptedOn: item.acceptedOn,
        dueOn: item.dueOn,
        remainingWorkingDays: r.remainingWorkingDays,
        warning: r.warning,
        paused: r.paused,
      };
    });
  const rank = (r: { warning: Warning; paused: boolean }) => (r.warning === "red" ? 0 : r.warning === "yellow" ? 1 : r.paused ? 3 : 2);
  const urgency = (a: { warning: Warning; paused: boolean; remainingWorkingDays: number | null }, b: typeof a) =>
    rank(a) - rank(b) || (a.remainingWorkingDays ?? 1e9) - (b.remainingWorkingDays ?? 1e9);
  rows.sort(urgency);
  const actions = openActionItemsOfDepartment(ctx, actor.departmentId, actor).map(
    (v): ActionQueueRow => ({
      id: v.id,
      title: v.title,
      source: v.source,
      meeting: v.meeting ? { id: v.meeting.id, title: v.meeting.title, heldOn: v.meeting.heldOn } : null,
      projectId: v.projectId,
      projectName: v.projectName,
      projectOpenable: v.projectOpenable,
      itemKey: v.itemKey,
      itemName: v.itemName,
      dueOn: v.dueOn,
      remainingWorkingDays: v.remainingWorkingDays,
      warning: v.warning,
      paused: false,
    }),
  );
  // One most-urgent-first list: an action item's clock is read by the approvals' rules, so it ranks
  // among them by the same warning and remaining days (the sort is stable: approvals first on a tie).
  const entries: QueueEntry[] = [
    ...rows.map((r) => ({ kind: "item" as const, ...r })),
    ...actions.map((a) => ({ kind: "action" as const, ...a })),
  ].sort(urgency);
  return { department: dept?.name ?? "", rows, actionItems: actions, entries };
}
