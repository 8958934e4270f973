import { and, asc, eq, inArray } from "drizzle-orm";
import { departments, items, projects } from "../../db/schema";
import type { Actor } from "~/domain/access/policy";
import { shanghaiDay } from "~/domain/calendar";
import { ACTIVE_STATUSES, type ItemStatus, type Warning } from "~/domain/clock";
import { getCalendar } from "./time-rules.server";
import type { ServiceContext } from "./context.server";
import { forbidden } from "./errors.server";
import { readStoredClock } from "./project-aggregate.server";
import { getPolicy } from "./time-rules.server";


export interface QueueRow {
  projectId: number;
  projectName: string;
  key: string;
  name: string;
  status: ItemStatus;
  acceptedOn: string | null;
  dueOn: string | null;
  remainingWorkingDays: number | null;
  warning: Warning;
  paused: boolean;
}

/**
 * A department's open items, most urgent first. Reads the stored clock columns
 * (exact for running items), so it stays one indexed query however many
 * projects the city has.
 */
export function listDepartmentQueue(ctx: ServiceContext, actor: Actor): { department: string; rows: QueueRow[] } {
  if (actor.role !== "dept" || actor.departmentId === null) throw forbidden("只有部门经办人有待办队列");
  const { db } = ctx;
  const cal = getCalendar(db);
  const today = shanghaiDay(ctx.now);
  const lead = getPolicy(db).yellowLead;
  const dept = db.select().from(departments).where(eq(departments.id, actor.departmentId)).get();
  const rows = db
    .select({ item: items, projectName: projects.name })
    .from(items)
    .innerJoin(projects, eq(projects.id, items.projectId))
    .where(and(eq(items.departmentId, actor.departmentId), inArray(items.status, [...ACTIVE_STATUSES])))
    .orderBy(asc(items.dueOn))
    .all()
    .map(({ item, projectName }): QueueRow => {
      const r = readStoredClock(item, cal, today, lead);
      return {
        projectId: item.projectId,
        projectName,
        key: item.key,
        name: item.name,
        status: item.status,
        acceptedOn: item.acceptedOn,
        dueOn: item.dueOn,
        remainingWorkingDays: r.remainingWorkingDays,
        warning: r.warning,
        paused: r.paused,
      };
    });
  const rank = (r: QueueRow) => (r.warning === "red" ? 0 : r.warning === "yellow" ? 1 : r.paused ? 3 : 2);
  rows.sort((a, b) => rank(a) - rank(b) || (a.remainingWorkingDays ?? 1e9) - (b.remainingWorkingDays ?? 1e9));
  return { department: dept?.name ?? "", rows };
}
