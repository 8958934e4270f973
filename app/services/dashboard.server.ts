import { inArray, notInArray } from "drizzle-orm";
import { departments, items, projects } from "../../db/schema";
import { decide, type Actor } from "~/domain/access/policy";
import { parseDate, shanghaiDay } from "~/domain/calendar";
import { isActive, isFinished } from "~/domain/clock";
import { idleWorkingDays, isStalled } from "~/domain/escalation/stall";
import { getCalendar, getPolicy } from "./time-rules.server";
import type { ServiceContext } from "./context.server";
import { AppError } from "./errors.server";
import { loadProject, readStoredClock } from "./project-aggregate.server";
import { planProject } from "./project-context.server";
import { isStartMilestone } from "~/domain/graph/milestone";

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
  // The deployment's one stall setting, the same the stall escalation fires on (DESIGN §4).
  const { stallAfter } = policy;
  // Withdrawn projects are gone for good; started ones stay (their after-开工 items still run).
  const active = db.select().from(projects).where(notInArray(projects.status, ["completed", "withdrawn"])).all();

  const rows: DashboardProject[] = [];
  for (const p of active) {
    const agg = loadProject(db, p.id, cal)!;
    const plan = planProject(agg, cal, policy, today);
    const start = plan.items.find(isStartMilestone);
    const overdue = agg.items.filter((i) => readStoredClock(i.row, cal, today, lead).warning === "red");
    // Anything left to do counts: a project whose ready items sit unfiled is as stuck as one waiting on a department.
    const open = agg.items.some((i) => !isFinished(i.state.status));
    const stallFacts = { projectActive: p.status === "active", hasOpenItems: open, lastProgressOn: p.lastProgressOn ? parseDate(p.lastProgressOn) : null };
    const idle = idleWorkingDays(stallFacts, today, cal);
    const stalled = isStalled(stallFacts, today, stallAfter, cal);
    const reasons: string[] = [];
    // Once construction has started the start target is history, not a risk.
    if (plan.atRisk && p.status === "active") reasons.push(`预计开工晚于目标 ${cal.workingDaysBetween(plan.targetStartOn, plan.forecastStartOn)} 个工作日`);
    for (const o of overdue.slice(0, 3)) reasons.push(`${o.row.name}超期（${o.departmentName ?? "—"}）`);
    if (stalled) reasons.push(`${idle} 个工作日无进展`);
    rows.push({
      id: p.id,
      name: p.name,
      targetStartOn: p.targetStartOn,
      forecastStartOn: cal.format(plan.forecastStartOn),
      slack: start?.totalSlack ?? null,
      atRisk: plan.atRisk && p.status === "active",
      overdueItems: overdue.length,
      stalledDays: stalled ? idle : null,
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
  const ranking = deptRows
    .map((d) => {
      const mine = allItems.filter((i) => i.departmentId === d.id && i.kind === "approval");
      const open = mine.filter((i) => isActive(i.status));
      const overdue = open.filter((i) => readStoredClock(i, cal, today, lead).warning === "red").length;
      const done = mine.filter((i) => i.status === "approved" && i.decidedOn && i.dueOn);
      const onTime = done.filter((i) => i.decidedOn! <= i.dueOn!).length;
      return { id: d.id, name: d.name, open: open.length, overdue, done: done.length, onTimeRate: done.length ? onTime / done.length : null };
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

