import type { Action, Actor } from "~/domain/access/policy";
import { shanghaiDay, type DayNum, type WorkingCalendar } from "~/domain/calendar";
import type { EscalationPolicy } from "~/domain/escalation/policy";
import { computeSchedule, type Schedule } from "~/domain/schedule";
import type { Db } from "~/utils/db.server";
import type { ServiceContext } from "./context.server";
import { loadProjectFor, scheduleInputOf, type ProjectAggregate } from "./project-aggregate.server";
import { getCalendar, getPolicy } from "./time-rules.server";

/**
 * Everything one request needs to show or judge a project, built once: the
 * calendar and policy in force, today, the project with every clock replayed, and
 * its 倒排 schedule. Each panel of the project page reads from this instead of
 * loading the project again (it used to be built three times per request).
 */
export interface ProjectContext {
  db: Db;
  now: Date;
  actor: Actor;
  calendar: WorkingCalendar;
  policy: EscalationPolicy;
  /** Today in Asia/Shanghai, or the `asOf` asked for. */
  today: DayNum;
  aggregate: ProjectAggregate;
  schedule: Schedule;
}

/** Plans a loaded project as of a day with the deployment's yellow lead (DESIGN §4). */
export function planProject(agg: ProjectAggregate, cal: WorkingCalendar, policy: EscalationPolicy, asOf: DayNum): Schedule {
  return computeSchedule(scheduleInputOf(agg), cal, asOf, policy.yellowLead);
}

/** Loads the project (404/403 as the access policy says) and plans it; one call per request. */
export function loadProjectContext(
  ctx: ServiceContext,
  actor: Actor,
  projectId: number,
  opts: { action?: Action; asOf?: DayNum } = {},
): ProjectContext {
  const calendar = getCalendar(ctx.db);
  const policy = getPolicy(ctx.db);
  const aggregate = loadProjectFor(ctx.db, actor, projectId, calendar, opts.action);
  const today = opts.asOf ?? shanghaiDay(ctx.now);
  return { db: ctx.db, now: ctx.now, actor, calendar, policy, today, aggregate, schedule: planProject(aggregate, calendar, policy, today) };
}
