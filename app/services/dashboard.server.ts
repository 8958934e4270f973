import { inArray, notInArray } from "drizzle-orm";
import { departments, items, projects } from "../../db/schema";
import { decide, type Actor } from "~/domain/access/policy";
import { shanghaiDay } from "~/domain/calendar";
import { isActive } from "~/domain/clock";
import { getCalendar, getPolicy } from "./time-rules.server";
import type { ServiceContext } from "./context.server";
import { AppError } from "./errors.server";
import { readStoredClock } from "./project-aggregate.server";
import { projectOutlook } from "./project-outlook.server";
import { departmentRatingAverages } from "./ratings.server";

export interface DashboardProject {
  id: number;
  name: string;
  targetStartOn: string;
  forecastStartOn: string;
  slack: number | null;
  atRisk: boolean;
  overdueItems: number;
  stalledDays: number | null;
  reasons: string[];
}

/**
 * The leader's one screen: which projects are at risk or stalled and why, and
 * how each department is doing on its clocks.
 */
export function getDashboard(ctx: ServiceContext, actor: Actor) {
  if (!decide(actor, "dashboard.view").allowed) throw new AppError("forbidden", "没有查看看板的权限");
  const { db } = ctx;
  const cal = getCalendar(db);
  const today = shanghaiDay(ctx.now);
  const policy = getPolicy(db);
  const lead = policy.yellowLead;
  // Withdrawn projects are gone for good; started ones stay (their after-开工 items still run).
  const active = db.select().from(projects).where(notInArray(projects.status, ["completed", "withdrawn"])).all();

  const rows: DashboardProject[] = [];
  for (const p of active) {
    const o = projectOutlook(db, p, cal, policy, today);
    const reasons: string[] = [];
    if (o.atRisk) reasons.push(`预计开工晚于目标 ${cal.workingDaysBetween(o.plan.targetStartOn, o.plan.forecastStartOn)} 个工作日`);
    for (const i of o.overdue.slice(0, 3)) reasons.push(`${i.row.name}超期（${i.departmentName ?? "—"}）`);
    if (o.stalled) reasons.push(`${o.idle} 个工作日无进展`);
    rows.push({
      id: p.id,
      name: p.name,
      targetStartOn: p.targetStartOn,
      forecastStartOn: o.forecastStartOn,
      slack: o.slack,
      atRisk: o.atRisk,
      overdueItems: o.overdue.length,
      stalledDays: o.stalled ? o.idle : null,
      reasons,
    });
  }
  rows.sort((a, b) => b.reasons.length - a.reasons.length || (a.slack ?? 0) - (b.slack ?? 0));

  // Department ranking: open items, overdue items, share on time among finished ones.
  const deptRows = db.select().from(departments).all();
  const allItems = db
    .select()
    .from(items)
    .where(inArray(items.projectId, active.map((p) => p.id).concat(-1)))
    .all();
  // 好差评 (issue 12): the enterprises' ratings of each department's finished approvals.
  const rated = new Map(departmentRatingAverages(db).map((r) => [r.departmentId, r]));
  const ranking = deptRows
    .map((d) => {
      const mine = allItems.filter((i) => i.departmentId === d.id && i.kind === "approval");
      const open = mine.filter((i) => isActive(i.status));
      const overdue = open.filter((i) => readStoredClock(i, cal, today, lead).warning === "red").length;
      const done = mine.filter((i) => i.status === "approved" && i.decidedOn && i.dueOn);
      const onTime = done.filter((i) => i.decidedOn! <= i.dueOn!).length;
      const r = rated.get(d.id);
      return { id: d.id, name: d.name, open: open.length, overdue, done: done.length, onTimeRate: done.length ? onTime / done.length : null, rating: r ? { average: r.average, count: r.ratings, poor: r.poor } : null };
    })
    .filter((d) => d.open + d.done > 0)
    .sort((a, b) => b.overdue - a.overdue || (a.onTimeRate ?? 1) - (b.onTimeRate ?? 1));

  return {
    today: cal.format(today),
    totals: {
      projects: active.length,
      atRisk: rows.filter((r) => r.atRisk).length,
      stalled: rows.filter((r) => r.stalledDays !== null).length,
      overdueItems: rows.reduce((n, r) => n + r.overdueItems, 0),
    },
    projects: rows,
    ranking,
  };
}

