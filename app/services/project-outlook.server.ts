import type { DayNum, WorkingCalendar } from "~/domain/calendar";
import { parseDate } from "~/domain/calendar";
import { isFinished } from "~/domain/clock";
import type { EscalationPolicy } from "~/domain/escalation/policy";
import { idleWorkingDays, isStalled } from "~/domain/escalation/stall";
import { isStartMilestone } from "~/domain/graph/milestone";
import type { projects } from "../../db/schema";
import type { Db } from "~/utils/db.server";
import { loadProject, readStoredClock } from "./project-aggregate.server";
import { planProject } from "./project-context.server";

/**
 * Where one project stands as of `today`: its forecast 开工 against the target,
 * whether it is at risk or stalled (the one stall rule), and its overdue items.
 * The dashboard and the API's project list read it the same way.
 */
export function projectOutlook(db: Db, p: typeof projects.$inferSelect, cal: WorkingCalendar, policy: EscalationPolicy, today: DayNum) {
  const agg = loadProject(db, p.id, cal)!;
  const plan = planProject(agg, cal, policy, today);
  const start = plan.items.find(isStartMilestone);
  const overdue = agg.items.filter((i) => readStoredClock(i.row, cal, today, policy.yellowLead).warning === "red");
  // Anything left to do counts: a project whose ready items sit unfiled is as stuck as one waiting on a department.
  const open = agg.items.some((i) => !isFinished(i.state.status));
  const stallFacts = { projectActive: p.status === "active", hasOpenItems: open, lastProgressOn: p.lastProgressOn ? parseDate(p.lastProgressOn) : null };
  const stalled = isStalled(stallFacts, today, policy.stallAfter, cal);
  return {
    plan,
    forecastStartOn: cal.format(plan.forecastStartOn),
    slack: start?.totalSlack ?? null,
    // Once construction has started the start target is history, not a risk.
    atRisk: plan.atRisk && p.status === "active",
    stalled,
    idle: idleWorkingDays(stallFacts, today, cal),
    overdue,
  };
}
