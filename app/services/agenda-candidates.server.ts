import { and, asc, eq, inArray, isNotNull, lt, lte, ne, notInArray, sql } from "drizzle-orm";
import { actionItems, agendaItems, decisions, departments, items, meetings, projects } from "../../db/schema";
import { parseDate, type DayNum, type WorkingCalendar } from "~/domain/calendar";
import { isFinished } from "~/domain/clock";
import { instantOf, type EscalationPolicy } from "~/domain/escalation/policy";
import { idleWorkingDays, isStalled } from "~/domain/escalation/stall";
import { readActionClock } from "~/domain/meeting/action-items";
import {
  rankAgendaCandidates,
  type AgendaCandidate,
  type AgendaFacts,
  type AtRiskProjectFact,
  type LateActionFact,
  type RedItemFact,
  type StalledProjectFact,
  type SupervisedItemFact,
} from "~/domain/meeting/agenda";
import type { Db } from "~/utils/db.server";
import { listPendingSuperviseCandidates } from "./escalation-agenda.server";
import { readStoredClock } from "./project-aggregate.server";
import { refreshStaleStats } from "./stats.server";

/*
 * The facts behind a meeting's agenda candidates, read from the database; the
 * selection and the ranking are app/domain/meeting/agenda.ts. Each kind of fact is
 * one indexed query on the stored clock columns (items.status/due_on,
 * action_items.status/deadline_on, the pending-督办 partial index, projects.status),
 * so the cost follows what is stuck, not the size of the city. Only the at-risk
 * check plans projects, and only active ones, with the same planner the dashboard
 * and the project page use.
 */

/** A withdrawn or completed project has nothing left to put before a meeting (as on the dashboard). */
const GONE_PROJECT = ["completed", "withdrawn"] as const;
const isGone = (status: string) => (GONE_PROJECT as readonly string[]).includes(status);

function supervised(db: Db, today: DayNum, cal: WorkingCalendar): SupervisedItemFact[] {
  const pending = listPendingSuperviseCandidates(db);
  if (!pending.length) return [];
  const rows = new Map(
    db
      .select({ id: items.id, key: items.key, status: items.status, projectStatus: projects.status })
      .from(items)
      .innerJoin(projects, eq(projects.id, items.projectId))
      .where(inArray(items.id, pending.map((p) => p.itemId)))
      .all()
      .map((r) => [r.id, r]),
  );
  return pending.flatMap((p) => {
    const item = rows.get(p.itemId);
    // Settled since the 督办 fired, or the project is gone: nothing left to discuss.
    if (!item || isFinished(item.status) || isGone(item.projectStatus)) return [];
    return [
      {
        escalationId: p.escalationId,
        projectId: p.projectId,
        projectName: p.projectName,
        itemId: p.itemId,
        itemKey: item.key,
        itemName: p.itemName,
        departmentName: p.departmentName,
        dueOn: p.dueOn,
        workingDaysOverdue: Math.max(0, cal.workingDaysBetween(parseDate(p.dueOn)!, today)),
      },
    ];
  });
}

function redItems(db: Db, today: DayNum, cal: WorkingCalendar, yellowLead: number): RedItemFact[] {
  // items_status_due_idx: running (and awaiting acceptance) clocks whose due date has passed.
  const rows = db
    .select({ item: items, projectName: projects.name, departmentName: departments.name })
    .from(items)
    .innerJoin(projects, eq(projects.id, items.projectId))
    .leftJoin(departments, eq(departments.id, items.departmentId))
    .where(and(inArray(items.status, ["running", "submitted"]), isNotNull(items.dueOn), lt(items.dueOn, cal.format(today)), notInArray(projects.status, [...GONE_PROJECT])))
    .orderBy(asc(items.id))
    .all();
  return rows.flatMap((r) => {
    const clock = readStoredClock(r.item, cal, today, yellowLead);
    if (clock.warning !== "red") return [];
    return [
      {
        projectId: r.item.projectId,
        projectName: r.projectName,
        itemId: r.item.id,
        itemKey: r.item.key,
        itemName: r.item.name,
        departmentName: r.departmentName,
        dueOn: r.item.dueOn!,
        workingDaysOverdue: clock.overdueWorkingDays,
      },
    ];
  });
}

function stalledProjects(db: Db, today: DayNum, cal: WorkingCalendar, stallAfter: number): StalledProjectFact[] {
  // Only a project whose last progress is at least stallAfter working days back can be stalled.
  const latest = cal.format(cal.addWorkingDays(today, -stallAfter));
  const rows = db
    .select({ id: projects.id, name: projects.name, lastProgressOn: projects.lastProgressOn })
    .from(projects)
    .where(and(eq(projects.status, "active"), isNotNull(projects.lastProgressOn), lte(projects.lastProgressOn, latest)))
    .orderBy(asc(projects.id))
    .all();
  if (!rows.length) return [];
  const open = new Set<number>();
  for (const i of db.select({ projectId: items.projectId, status: items.status }).from(items).where(inArray(items.projectId, rows.map((r) => r.id))).all()) {
    if (!isFinished(i.status)) open.add(i.projectId);
  }
  return rows.flatMap((p) => {
    // The one stall rule (app/domain/escalation/stall.ts), as the escalation and the dashboard apply it.
    const facts = { projectActive: true, hasOpenItems: open.has(p.id), lastProgressOn: parseDate(p.lastProgressOn!) };
    if (!isStalled(facts, today, stallAfter, cal)) return [];
    return [{ projectId: p.id, projectName: p.name, idleWorkingDays: idleWorkingDays(facts, today, cal)!, lastProgressOn: p.lastProgressOn! }];
  });
}

function atRiskProjects(db: Db, today: DayNum, cal: WorkingCalendar): AtRiskProjectFact[] {
  // The stored figures (stats.server.ts) hold each project's forecast: read, not replanned per request.
  // Once construction has started the 开工 target is history, not a risk (as on the dashboard).
  refreshStaleStats(db, new Date(instantOf(today, { hour: 12, minute: 0 })), { budgetMs: 300, batch: 50 });
  return db
    .all<{ id: number; name: string; slack: number | null; targetStartOn: string; forecastStartOn: string }>(sql`
      select p.id as id, p.name as name, s.slack as slack, p.target_start_on as targetStartOn, s.forecast_start_on as forecastStartOn
      from project_stats s join projects p on p.id = s.project_id where p.status = 'active' and s.at_risk = 1 order by p.id`)
    .map((r) => ({
      projectId: r.id,
      projectName: r.name,
      // Without a 开工 milestone the latest sink stands in; its lateness is the slack's size.
      slack: r.slack ?? -cal.workingDaysBetween(parseDate(r.targetStartOn)!, parseDate(r.forecastStartOn)!),
      targetStartOn: r.targetStartOn,
      forecastStartOn: r.forecastStartOn,
    }));
}

function lateActions(db: Db, meetingId: number, today: DayNum, cal: WorkingCalendar, yellowLead: number): LateActionFact[] {
  // action_items_status_due_idx: open tasks past their deadline, of other meetings' decisions.
  const rows = db
    .select({
      a: actionItems,
      meetingId: decisions.meetingId,
      meetingTitle: meetings.title,
      projectName: projects.name,
      itemKey: items.key,
      itemName: items.name,
      departmentName: departments.name,
    })
    .from(actionItems)
    .innerJoin(decisions, eq(decisions.id, actionItems.decisionId))
    .innerJoin(meetings, eq(meetings.id, decisions.meetingId))
    .leftJoin(projects, eq(projects.id, actionItems.projectId))
    .leftJoin(items, eq(items.id, actionItems.itemId))
    .leftJoin(departments, eq(departments.id, actionItems.ownerDepartmentId))
    .where(and(eq(actionItems.status, "open"), lt(actionItems.dueOn, cal.format(today)), eq(actionItems.source, "meeting"), ne(decisions.meetingId, meetingId)))
    .orderBy(asc(actionItems.id))
    .all();
  return rows.flatMap((r) => {
    const clock = readActionClock({ status: r.a.status, dueOn: parseDate(r.a.dueOn)!, closedOn: null }, today, cal, yellowLead);
    if (clock.warning !== "red") return [];
    return [
      {
        actionItemId: r.a.id,
        title: r.a.title,
        projectId: r.a.projectId,
        projectName: r.projectName,
        itemId: r.a.itemId,
        itemKey: r.itemKey,
        itemName: r.itemName,
        departmentName: r.departmentName,
        dueOn: r.a.dueOn,
        workingDaysOverdue: Math.max(0, -(clock.remainingWorkingDays ?? 0)),
        meetingId: r.meetingId,
        meetingTitle: r.meetingTitle,
      },
    ];
  });
}

/** Everything stuck as of `today`, as plain facts for the domain's ranking. */
export function gatherAgendaFacts(db: Db, meetingId: number, today: DayNum, cal: WorkingCalendar, policy: EscalationPolicy): AgendaFacts {
  return {
    supervised: supervised(db, today, cal),
    redItems: redItems(db, today, cal, policy.yellowLead),
    stalledProjects: stalledProjects(db, today, cal, policy.stallAfter),
    atRiskProjects: atRiskProjects(db, today, cal),
    lateActions: lateActions(db, meetingId, today, cal, policy.yellowLead),
  };
}

/** The ranked candidates for a meeting: what is stuck and not yet on its agenda, most severe first. */
export function agendaCandidatesFor(db: Db, meetingId: number, today: DayNum, cal: WorkingCalendar, policy: EscalationPolicy): AgendaCandidate[] {
  const onAgenda = db
    .select({ projectId: agendaItems.projectId, itemId: agendaItems.itemId, actionItemId: agendaItems.actionItemId })
    .from(agendaItems)
    .where(eq(agendaItems.meetingId, meetingId))
    .all();
  return rankAgendaCandidates(gatherAgendaFacts(db, meetingId, today, cal, policy), onAgenda);
}
