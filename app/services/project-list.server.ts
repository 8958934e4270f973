import { and, desc, eq, inArray, notInArray, or, sql } from "drizzle-orm";
import { z } from "zod";
import { zhFieldErrorMap } from "~/domain/validation/zh-error-map";
import { enterprises, items, projects, projectStats } from "../../db/schema";
import { CLOSED_PROJECT_STATUSES, PROJECT_STATUSES, PROJECT_STATUS_LABELS } from "~/domain/project/types";
import { type Actor } from "~/domain/access/policy";
import { shanghaiDay } from "~/domain/calendar";
import { isFinished } from "~/domain/clock";
import { getCalendar } from "./time-rules.server";
import type { ServiceContext } from "./context.server";
import { readStoredClock } from "./project-aggregate.server";
import { getPolicy } from "./time-rules.server";
import { refreshStaleStats } from "./stats.server";

import { DUE_SOON_WORKING_DAYS } from "~/domain/clock";

/** "" is the working list (open projects); "closed" the started and withdrawn ones; "all" everything. */
export const PROJECT_LIST_SCOPES = ["", "closed", "all"] as const;

const listSchema = z.object({
  q: z.string().trim().max(100).optional().default(""),
  status: z.enum([...PROJECT_LIST_SCOPES, ...PROJECT_STATUSES]).optional().default(""),
});

export interface ProjectListRow {
  id: number;
  code: string;
  name: string;
  enterpriseName: string;
  status: (typeof PROJECT_STATUSES)[number];
  statusLabel: string;
  signedOn: string;
  targetStartOn: string;
  investment: number;
  itemsTotal: number;
  itemsDone: number;
  overdue: number;
  dueSoon: number;
}

/**
 * Projects the actor may see, filtered. Counts come from the stored clock
 * columns (dueOn is exact for running items), so the list never replays events.
 */
export function listProjects(ctx: ServiceContext, actor: Actor, rawFilter: unknown): ProjectListRow[] {
  const parsed = listSchema.safeParse(rawFilter ?? {}, { errorMap: zhFieldErrorMap });
  const filter = parsed.success ? parsed.data : { q: "", status: "" as const };
  // A search looks through closed projects too: they leave the working list but stay findable.
  if (filter.q && filter.status === "") filter.status = "all";
  const { db } = ctx;
  const conds = [];
  if (filter.q) {
    const pat = `%${filter.q.replace(/[%_]/g, (c) => `\\${c}`)}%`;
    conds.push(
      or(sql`${projects.name} like ${pat} escape '\\'`, sql`${projects.code} like ${pat} escape '\\'`, sql`${enterprises.name} like ${pat} escape '\\'`),
    );
  }
  if (filter.status === "") conds.push(notInArray(projects.status, [...CLOSED_PROJECT_STATUSES]));
  else if (filter.status === "closed") conds.push(inArray(projects.status, [...CLOSED_PROJECT_STATUSES]));
  else if (filter.status !== "all") conds.push(eq(projects.status, filter.status));
  if (actor.role === "enterprise") conds.push(eq(projects.enterpriseId, actor.enterpriseId ?? -1));
  if (actor.role === "dept") {
    conds.push(
      inArray(
        projects.id,
        db.select({ id: items.projectId }).from(items).where(eq(items.departmentId, actor.departmentId ?? -1)),
      ),
    );
  }
  const rows = db
    .select({ p: projects, enterpriseName: enterprises.name })
    .from(projects)
    .innerJoin(enterprises, eq(enterprises.id, projects.enterpriseId))
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(projects.id))
    .limit(500)
    .all();
  if (!rows.length) return [];
  const cal = getCalendar(db);
  const today = shanghaiDay(ctx.now);
  const itemRows = db
    .select()
    .from(items)
    .where(inArray(items.projectId, rows.map((r) => r.p.id)))
    .all();
  const lead = getPolicy(db).yellowLead;
  const stats = new Map<number, { total: number; done: number; overdue: number; soon: number }>();
  for (const it of itemRows) {
    const s = stats.get(it.projectId) ?? { total: 0, done: 0, overdue: 0, soon: 0 };
    s.total++;
    if (isFinished(it.status)) s.done++;
    const r = readStoredClock(it, cal, today, lead);
    if (r.warning === "red") s.overdue++;
    else if (r.remainingWorkingDays !== null && r.remainingWorkingDays <= DUE_SOON_WORKING_DAYS) s.soon++;
    stats.set(it.projectId, s);
  }
  return rows.map(({ p, enterpriseName }) => {
    const s = stats.get(p.id) ?? { total: 0, done: 0, overdue: 0, soon: 0 };
    return {
      id: p.id,
      code: p.code,
      name: p.name,
      enterpriseName,
      status: p.status,
      statusLabel: PROJECT_STATUS_LABELS[p.status],
      signedOn: p.signedOn,
      targetStartOn: p.targetStartOn,
      investment: p.investment,
      itemsTotal: s.total,
      itemsDone: s.done,
      overdue: s.overdue,
      dueSoon: s.soon,
    };
  });
}

/**
 * The API's project list (DESIGN §6 v1.1): each row also says where the project
 * stands — forecast 开工, at risk, stalled — read from the stored figures the
 * dashboard reads (stats.server.ts), so the list costs the same at province scale.
 */
export function listProjectsWithOutlook(ctx: ServiceContext, actor: Actor, rawFilter: unknown) {
  const rows = listProjects(ctx, actor, rawFilter);
  if (!rows.length) return [];
  const { db } = ctx;
  refreshStaleStats(db, ctx.now, { budgetMs: 300, batch: 50 });
  const stats = new Map(
    db
      .select({ id: projectStats.projectId, forecastStartOn: projectStats.forecastStartOn, atRisk: projectStats.atRisk, stalled: projectStats.stalled })
      .from(projectStats)
      .where(inArray(projectStats.projectId, rows.map((r) => r.id)))
      .all()
      .map((s) => [s.id, s]),
  );
  return rows.map((r) => {
    const s = stats.get(r.id);
    return { ...r, forecastStartOn: s?.forecastStartOn ?? r.targetStartOn, atRisk: s?.atRisk ?? false, stalled: s?.stalled ?? false };
  });
}
