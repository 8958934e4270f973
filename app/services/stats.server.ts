import { eq, sql } from "drizzle-orm";
import { departmentMonthStats, departmentStats, projectStats, projectStatsTotals } from "../../db/schema";
import { formatDay, parseDate, shanghaiDay, type DayNum, type WorkingCalendar } from "~/domain/calendar";
import { ACTIVE_STATUSES, isFinished, isPaused, type ItemStatus } from "~/domain/clock";
import { attentionScore } from "~/domain/dashboard/attention";
import { SIGNED_TO_START_BENCHMARK_DAYS, STARTED_STAGE, VISIT_LOG_KINDS } from "~/domain/dashboard/figures";
import { monthBounds, monthOf, monthsIn } from "~/domain/dashboard/period";
import { regionOf } from "~/domain/dashboard/region";
import { POOR_RATING_MAX } from "~/domain/rating/vocabulary";
import { instantOf, type EscalationPolicy } from "~/domain/escalation/policy";
import { idleWorkingDays, isStalled } from "~/domain/escalation/stall";
import { isStartMilestone } from "~/domain/graph/milestone";
import type { Db } from "~/utils/db.server";
import { loadProject, readStoredClock } from "./project-aggregate.server";
import { planProject } from "./project-context.server";
import { getCalendar, getPolicy } from "./time-rules.server";
import { transaction } from "./transaction.server";

/**
 * The stored state behind the leaders' screens (issue 13). Every service that
 * changes a project, an item or an action item calls `refreshStatsAfter` inside
 * its transaction, so the figures commit with the change; the date-dependent
 * ones (warnings, forecast, stall) carry the day they hold for (`as_of`), and the
 * worker's sweep refreshes rows left from an earlier day (`refreshStaleStats`).
 * Readers never replan a project: a province's dashboard is a few indexed reads.
 */

const ACTIVE = [...ACTIVE_STATUSES] as string[];
const DECIDED = ["approved", "rejected"];
const inList = (xs: readonly string[]) => sql.join(xs.map((x) => sql`${x}`), sql`, `);

interface Rules {
  cal: WorkingCalendar;
  policy: EscalationPolicy;
  today: DayNum;
}

function rulesAt(db: Db, now: Date): Rules {
  return { cal: getCalendar(db), policy: getPolicy(db), today: shanghaiDay(now) };
}

/**
 * Items under 督办 in a set: a fired 督办/领导督办 on the item's current due date while it
 * still runs. Those levels fire only past the due date (redAfter ≥ 1), so only running
 * clocks already overdue are looked at (items_status_due_idx / items_department_status_due_idx).
 */
export function supervisedItemIds(tx: Db, where: ReturnType<typeof sql>, today: string): Set<number> {
  const rows = tx.all<{ id: number }>(sql`
    select i.id as id from items i
    where i.status = 'running' and i.due_on < ${today} and ${where}
      and exists (select 1 from escalations e where e.item_id = i.id and e.fired_at is not null and e.level in ('supervise', 'leader') and e.due_on = i.due_on)`);
  return new Set(rows.map((r) => r.id));
}

/** Computes one project's row; null when the project is gone. */
export function computeProjectStats(tx: Db, projectId: number, r: Rules) {
  const agg = loadProject(tx, projectId, r.cal);
  if (!agg) return null;
  const p = agg.project;
  const { cal, policy, today } = r;
  const plan = planProject(agg, cal, policy, today);
  const startPlanned = plan.items.find(isStartMilestone);
  const startRecord = agg.items.find((i) => startPlanned && i.row.key === startPlanned.key);

  let yellow = 0;
  let red = 0;
  let active = 0;
  let blocking: { id: number; departmentId: number | null; overdue: number } | null = null;
  for (const i of agg.items) {
    if (ACTIVE.includes(i.row.status)) active++;
    const reading = readStoredClock(i.row, cal, today, policy.yellowLead);
    if (reading.warning === "red") {
      red++;
      if (!blocking || reading.overdueWorkingDays > blocking.overdue) blocking = { id: i.row.id, departmentId: i.row.departmentId, overdue: reading.overdueWorkingDays };
    } else if (reading.warning === "yellow") yellow++;
  }
  const unfinished = agg.items.filter((i) => !isFinished(i.state.status) && i.row.kind !== "milestone");
  if (!blocking) {
    // Nothing overdue: the critical unfinished item that should start first holds the project up.
    const byKey = new Map(agg.items.map((i) => [i.row.key, i]));
    const critical = plan.items
      .filter((s) => s.critical && s.kind !== "milestone" && !isFinished(s.status))
      .sort((a, b) => a.earliestStart - b.earliestStart)[0];
    const rec = critical ? byKey.get(critical.key) : undefined;
    if (rec) blocking = { id: rec.row.id, departmentId: rec.row.departmentId, overdue: 0 };
  }

  const hasOpenItems = agg.items.some((i) => !isFinished(i.state.status));
  const stallFacts = { projectActive: p.status === "active", hasOpenItems, lastProgressOn: p.lastProgressOn ? parseDate(p.lastProgressOn) : null };
  const stalled = isStalled(stallFacts, today, policy.stallAfter, cal);
  const idle = idleWorkingDays(stallFacts, today, cal);
  const slack = startPlanned?.totalSlack ?? null;
  // Once construction has started the start target is history, not a risk.
  const atRisk = plan.atRisk && p.status === "active";

  const supervised = supervisedItemIds(tx, sql`i.project_id = ${projectId}`, formatDay(today));
  const actions = tx.all<{ itemId: number | null; source: string }>(
    sql`select item_id as itemId, source from action_items where project_id = ${projectId} and status = 'open'`,
  );
  let supervisionWithoutItem = 0;
  for (const a of actions) {
    if (a.source !== "supervision") continue;
    if (a.itemId === null) supervisionWithoutItem++;
    else supervised.add(a.itemId);
  }
  const logs = tx.get<{ visits: number; contacts: number }>(sql`
    select coalesce(sum(kind in (${inList(VISIT_LOG_KINDS)})), 0) as visits,
           coalesce(sum(kind <> 'note' and kind not in (${inList(VISIT_LOG_KINDS)})), 0) as contacts
    from contact_logs where project_id = ${projectId}`)!;
  const materialCount = tx.get<{ n: number }>(sql`select count(distinct name) as n from materials where project_id = ${projectId}`)!.n;

  const startedOn = startRecord?.row.decidedOn ?? (p.status === "started" || p.status === "completed" ? p.closedOn : null);
  const signed = parseDate(p.signedOn)!;
  const started = startedOn ? parseDate(startedOn) : null;
  const stage = p.status === "started" || p.status === "completed" ? STARTED_STAGE : unfinished.length ? Math.min(...unfinished.map((i) => i.row.stage)) : STARTED_STAGE;
  const overdue = blocking?.overdue ?? 0;
  return {
    projectId,
    asOf: formatDay(today),
    status: p.status,
    level: p.level,
    industry: p.industry,
    forecastStartOn: formatDay(plan.forecastStartOn),
    slack,
    atRisk,
    stalled,
    idleDays: idle,
    openItems: unfinished.length,
    activeItems: active,
    yellowItems: yellow,
    redItems: red,
    supervisedItems: supervised.size + supervisionWithoutItem,
    openActionItems: actions.length,
    blockingItemId: blocking?.id ?? null,
    blockingDepartmentId: blocking?.departmentId ?? null,
    blockingOverdueDays: overdue,
    region: regionOf(p.location),
    stage,
    attention: p.status === "active" ? attentionScore({ stalled, idleDays: idle, redItems: red, blockingOverdueDays: overdue, atRisk, slack }) : 0,
    itemCount: agg.items.filter((i) => i.row.kind !== "milestone").length,
    materialCount,
    plannedWorkingDays: cal.workingDaysBetween(signed, started ?? plan.forecastStartOn),
    visits: logs.visits,
    contacts: logs.contacts,
    startedOn,
    signedToStartDays: started !== null ? started - signed : null,
    signedToStartWorkingDays: started !== null ? cal.workingDaysBetween(signed, started) : null,
    updatedAt: Date.now(),
  };
}

function writeProjectStats(tx: Db, projectId: number, r: Rules) {
  const row = computeProjectStats(tx, projectId, r);
  if (!row) return;
  const old = tx.select().from(projectStats).where(eq(projectStats.projectId, projectId)).get();
  tx.insert(projectStats).values(row).onConflictDoUpdate({ target: projectStats.projectId, set: row }).run();
  // The dashboard's sums move by this row's change, in the same transaction.
  if (old) addToTotals(tx, totalsOf(old), -1);
  addToTotals(tx, totalsOf(row), 1);
}

type StatsRow = Pick<
  typeof projectStats.$inferSelect,
  | "status" | "level" | "industry" | "region" | "atRisk" | "stalled" | "attention" | "activeItems" | "yellowItems" | "redItems" | "supervisedItems"
  | "openActionItems" | "itemCount" | "materialCount" | "visits" | "contacts" | "plannedWorkingDays" | "startedOn" | "signedToStartDays" | "signedToStartWorkingDays"
>;

/** What one project adds to its group's sums (project_stats_totals). */
function totalsOf(s: StatsRow) {
  return {
    status: s.status,
    level: s.level,
    industry: s.industry,
    region: s.region ?? "",
    n: 1,
    atRisk: s.atRisk ? 1 : 0,
    stalled: s.stalled ? 1 : 0,
    attention: s.attention > 0 ? 1 : 0,
    activeItems: s.activeItems,
    yellowItems: s.yellowItems,
    redItems: s.redItems,
    supervisedItems: s.supervisedItems,
    openActionItems: s.openActionItems,
    itemCount: s.itemCount,
    materialCount: s.materialCount,
    visits: s.visits,
    contacts: s.contacts,
    plannedWorkingDays: s.plannedWorkingDays ?? 0,
    plannedN: s.plannedWorkingDays === null ? 0 : 1,
    started: s.startedOn ? 1 : 0,
    startDays: s.signedToStartDays ?? 0,
    startWorkingDays: s.signedToStartWorkingDays ?? 0,
    withinBenchmark: s.signedToStartDays !== null && s.signedToStartDays <= SIGNED_TO_START_BENCHMARK_DAYS ? 1 : 0,
  };
}

const TOTAL_SUMS = ["n", "atRisk", "stalled", "attention", "activeItems", "yellowItems", "redItems", "supervisedItems", "openActionItems", "itemCount", "materialCount", "visits", "contacts", "plannedWorkingDays", "plannedN", "started", "startDays", "startWorkingDays", "withinBenchmark"] as const;

function addToTotals(tx: Db, t: ReturnType<typeof totalsOf>, sign: 1 | -1) {
  const values = { ...t, ...Object.fromEntries(TOTAL_SUMS.map((k) => [k, t[k] * sign])) };
  const set = Object.fromEntries(TOTAL_SUMS.map((k) => [k, sql`${sql.identifier(projectStatsTotals[k].name)} + ${values[k]}`]));
  tx.insert(projectStatsTotals).values(values).onConflictDoUpdate({ target: [projectStatsTotals.status, projectStatsTotals.level, projectStatsTotals.industry, projectStatsTotals.region], set }).run();
}

/** Recomputes the group sums from the rows (after a full refresh; the sums then cannot have drifted). */
export function rebuildStatsTotals(db: Db): void {
  transaction(db, (tx) => {
    tx.run(sql`delete from project_stats_totals`);
    tx.run(sql`
      insert into project_stats_totals (status, level, industry, region, n, at_risk, stalled, attention, active_items, yellow_items, red_items,
        supervised_items, open_action_items, item_count, material_count, visits, contacts, planned_working_days, planned_n, started, start_days,
        start_working_days, within_benchmark)
      select s.status, s.level, s.industry, coalesce(s.region, ''), ${STATS_TOTALS_OF_ROWS}
      from project_stats s group by s.status, s.level, s.industry, coalesce(s.region, '')`);
  });
}

/**
 * What a set of project_stats rows (alias `s`) adds up to: project_stats_totals' sums in its
 * column order, named as the dashboard reads them. The one SQL form of totalsOf.
 */
export const STATS_TOTALS_OF_ROWS = sql.raw(
  [
    "count(*) as n", "coalesce(sum(s.at_risk), 0) as atRisk", "coalesce(sum(s.stalled), 0) as stalled", "coalesce(sum(s.attention > 0), 0) as attention",
    "coalesce(sum(s.active_items), 0) as activeItems", "coalesce(sum(s.yellow_items), 0) as yellowItems", "coalesce(sum(s.red_items), 0) as redItems",
    "coalesce(sum(s.supervised_items), 0) as supervisedItems", "coalesce(sum(s.open_action_items), 0) as openActionItems",
    "coalesce(sum(s.item_count), 0) as itemCount", "coalesce(sum(s.material_count), 0) as materialCount", "coalesce(sum(s.visits), 0) as visits",
    "coalesce(sum(s.contacts), 0) as contacts", "coalesce(sum(s.planned_working_days), 0) as plannedWorkingDays", "count(s.planned_working_days) as plannedN",
    "count(s.started_on) as started", "coalesce(sum(s.signed_to_start_days), 0) as startDays", "coalesce(sum(s.signed_to_start_working_days), 0) as startWorkingDays",
    `coalesce(sum(s.signed_to_start_days <= ${SIGNED_TO_START_BENCHMARK_DAYS}), 0) as withinBenchmark`,
  ].join(", "),
);

/**
 * Computes one department's live row: the same items and warnings its queue shows.
 * Counts come from items_department_status_due_idx without reading rows; warnings are
 * worked out (per item, with its own yellow lead) only for clocks due before the longest lead ends.
 */
export function computeDepartmentStats(tx: Db, departmentId: number, r: Rules) {
  const { cal, policy, today } = r;
  const todayText = formatDay(today);
  const byStatus = tx.all<{ status: ItemStatus; n: number }>(sql`
    select status, count(*) as n from items where department_id = ${departmentId} and status in (${inList(ACTIVE)}) group by status`);
  const active = byStatus.reduce((n, s) => n + s.n, 0);
  const paused = byStatus.filter((s) => isPaused(s.status)).reduce((n, s) => n + s.n, 0);
  const red = tx.get<{ n: number }>(sql`
    select count(*) as n from items where department_id = ${departmentId} and status in ('running', 'submitted') and due_on < ${todayText}`)!.n;
  const lead = longestYellowLead(tx, policy.yellowLead);
  const soon = tx.all<{ status: ItemStatus; dueOn: string | null; acceptedOn: string | null; yellowLead: number | null; kind: string; statutoryLimit: number | null; promisedLimit: number | null; limitUnit: string }>(sql`
    select status, due_on as dueOn, accepted_on as acceptedOn, yellow_lead as yellowLead, kind,
           statutory_limit as statutoryLimit, promised_limit as promisedLimit, limit_unit as limitUnit
    from items where department_id = ${departmentId} and status in ('running', 'submitted')
      and due_on >= ${todayText} and due_on <= ${formatDay(cal.addWorkingDays(today, lead))}`);
  let yellow = 0;
  for (const i of soon) if (readStoredClock(i as never, cal, today, policy.yellowLead).warning === "yellow") yellow++;
  const actions = tx.get<{ open: number; overdue: number; supervision: number }>(sql`
    select count(*) as open, coalesce(sum(deadline_on < ${todayText}), 0) as overdue, coalesce(sum(source = 'supervision'), 0) as supervision
    from action_items where owner_department_id = ${departmentId} and status = 'open'`)!;
  const months = tx.get<{ handled: number; onTime: number; ratingCount: number; ratingSum: number; ratingPoor: number }>(sql`
    select coalesce(sum(handled), 0) as handled, coalesce(sum(on_time), 0) as onTime, coalesce(sum(rating_count), 0) as ratingCount,
           coalesce(sum(rating_sum), 0) as ratingSum, coalesce(sum(rating_poor), 0) as ratingPoor
    from department_month_stats where department_id = ${departmentId}`)!;
  return {
    departmentId,
    asOf: todayText,
    active,
    yellow,
    red,
    paused,
    supervised: supervisedItemIds(tx, sql`i.department_id = ${departmentId}`, todayText).size + actions.supervision,
    actionItems: actions.open,
    actionItemsOverdue: actions.overdue,
    ...months,
    updatedAt: Date.now(),
  };
}

/** How far ahead a warning can start: the deployment's lead or the longest an item has (items_yellow_lead_idx). */
export function longestYellowLead(db: Db, policyLead: number): number {
  return Math.max(policyLead, db.get<{ m: number | null }>(sql`select max(yellow_lead) as m from items where yellow_lead is not null`)!.m ?? 0);
}

/** Shanghai midnight of a business date, as epoch ms (fired_at is an instant). */
const shanghaiMidnight = (day: DayNum) => instantOf(day, { hour: 0, minute: 0 });

/** One department's figures for one month: decided items, how late, 督办. */
export function computeDepartmentMonth(tx: Db, departmentId: number, month: string, r: Rules) {
  const { cal, today } = r;
  const { from, to } = monthBounds(month);
  const decided = tx.all<{ dueOn: string; decidedOn: string; acceptedOn: string | null; promisedLimit: number | null; statutoryLimit: number | null; limitUnit: string }>(sql`
    select due_on as dueOn, decided_on as decidedOn, accepted_on as acceptedOn, promised_limit as promisedLimit,
           statutory_limit as statutoryLimit, limit_unit as limitUnit
    from items where department_id = ${departmentId} and decided_on between ${from} and ${to}
      and status in (${inList(DECIDED)}) and due_on is not null`);
  let onTime = 0;
  let usedDays = 0;
  let limitDays = 0;
  for (const i of decided) {
    if (i.decidedOn <= i.dueOn) onTime++;
    const due = parseDate(i.dueOn)!;
    const dec = parseDate(i.decidedOn)!;
    const limit = i.promisedLimit ?? i.statutoryLimit;
    if (limit !== null && i.limitUnit === "workingDays") {
      // Days used on the clock: the limit less what was left at the decision (pauses moved dueOn, so they do not count).
      usedDays += limit - cal.workingDaysBetween(dec, due);
      limitDays += limit;
    } else if (i.acceptedOn) {
      const acc = parseDate(i.acceptedOn)!;
      usedDays += cal.workingDaysBetween(acc, dec);
      limitDays += cal.workingDaysBetween(acc, due);
    }
  }
  const todayText = formatDay(today);
  const wentOverdue = tx.get<{ n: number }>(sql`
    select count(*) as n from items where department_id = ${departmentId} and due_on between ${from} and ${to}
      and ((status in (${inList(DECIDED)}) and decided_on > due_on) or (status in ('running', 'submitted') and due_on < ${todayText}))`)!.n;
  // escalations_supervise_fired_idx: the month's fired 督办 levels, then their items' department.
  const fired = tx.get<{ n: number }>(sql`
    select count(*) as n from escalations e join items i on i.id = e.item_id
    where e.level = 'supervise' and e.fired_at >= ${shanghaiMidnight(parseDate(from)!)} and e.fired_at < ${shanghaiMidnight(parseDate(to)! + 1)}
      and i.department_id = ${departmentId}`)!.n;
  const rated = tx.get<{ count: number; sum: number; poor: number }>(sql`
    select count(*) as count, coalesce(sum(r.score), 0) as sum, coalesce(sum(r.score <= ${POOR_RATING_MAX}), 0) as poor
    from ratings r join items i on i.id = r.item_id where r.rated_on between ${from} and ${to} and i.department_id = ${departmentId}`)!;
  const notices = tx.get<{ n: number }>(sql`
    select count(*) as n from action_items where owner_department_id = ${departmentId} and source = 'supervision' and start_on between ${from} and ${to}`)!.n;
  return {
    departmentId,
    month,
    handled: decided.length,
    onTime,
    late: decided.length - onTime,
    usedDays,
    limitDays,
    wentOverdue,
    supervised: fired + notices,
    ratingCount: rated.count,
    ratingSum: rated.sum,
    ratingPoor: rated.poor,
  };
}

function writeDepartmentMonth(tx: Db, departmentId: number, month: string, r: Rules) {
  const row = computeDepartmentMonth(tx, departmentId, month, r);
  if (row.handled + row.wentOverdue + row.supervised + row.ratingCount === 0) {
    tx.delete(departmentMonthStats).where(sql`${departmentMonthStats.departmentId} = ${departmentId} and ${departmentMonthStats.month} = ${month}`).run();
    return;
  }
  tx.insert(departmentMonthStats)
    .values(row)
    .onConflictDoUpdate({ target: [departmentMonthStats.departmentId, departmentMonthStats.month], set: row })
    .run();
}

function writeDepartmentStats(tx: Db, departmentId: number, r: Rules) {
  const row = computeDepartmentStats(tx, departmentId, r);
  tx.insert(departmentStats).values(row).onConflictDoUpdate({ target: departmentStats.departmentId, set: row }).run();
}

export interface StatsChange {
  /** The project whose row to recompute (null for an action item of no project). */
  projectId?: number | null;
  /** Departments whose rows to recompute; omitted: every department with an item in the project. */
  departmentIds?: (number | null | undefined)[];
  /** Business dates whose months' department figures may have moved (decisions, due dates, 督办). */
  dates?: (string | null | undefined)[];
}

/**
 * Recomputes what a change touched, inside the caller's transaction. Cheap at
 * province scale: one project, a few departments, a month or two.
 */
export function refreshStatsAfter(tx: Db, now: Date, change: StatsChange): void {
  const r = rulesAt(tx, now);
  const projectId = change.projectId ?? null;
  if (projectId !== null) writeProjectStats(tx, projectId, r);
  const deptIds = new Set<number>();
  const given = change.departmentIds ?? (projectId !== null ? tx.all<{ d: number }>(sql`select distinct department_id as d from items where project_id = ${projectId} and department_id is not null`).map((x) => x.d) : []);
  for (const d of given) if (d !== null && d !== undefined) deptIds.add(d);
  const months = new Set<string>([monthOf(formatDay(r.today))]);
  for (const d of change.dates ?? []) if (d) months.add(monthOf(d));
  for (const d of deptIds) {
    // A department's first row (new database, after the migration) or an invalidated one needs all its months.
    const asOf = tx.get<{ asOf: string }>(sql`select as_of as asOf from department_stats where department_id = ${d}`)?.asOf ?? null;
    for (const m of new Set([...months, ...monthsToRefresh(tx, d, asOf, formatDay(r.today))])) writeDepartmentMonth(tx, d, m, r);
    writeDepartmentStats(tx, d, r);
  }
}

/**
 * The months of a department's figures that moved since its row was written on `asOf`: every
 * month it has data in when there is no row yet (or it was invalidated), else the months from
 * `asOf`'s to today's (items due in between may have gone overdue since).
 */
function monthsToRefresh(tx: Db, departmentId: number, asOf: string | null, today: string): string[] {
  if (asOf === null || asOf === "") {
    return tx
      .all<{ m: string }>(sql`
        select distinct substr(decided_on, 1, 7) as m from items where department_id = ${departmentId} and decided_on is not null
        union select distinct substr(due_on, 1, 7) from items where department_id = ${departmentId} and due_on is not null
        union select substr(rated_on, 1, 7) from ratings r join items i on i.id = r.item_id where i.department_id = ${departmentId}
        union select month from department_month_stats where department_id = ${departmentId}`)
      .map((x) => x.m);
  }
  if (asOf >= today) return [];
  return monthsIn({ from: monthOf(asOf), to: monthOf(today) });
}

/**
 * Marks every stored figure out of date (a calendar or policy change moves due
 * dates and warnings everywhere); the sweep recomputes them, months included.
 */
export function invalidateAllStats(tx: Db): void {
  tx.run(sql`update project_stats set as_of = ''`);
  tx.run(sql`update department_stats set as_of = ''`);
}

function anythingStale(db: Db, today: string): boolean {
  const older = db.get<{ x: number }>(sql`select 1 as x from project_stats where as_of < ${today} limit 1`);
  if (older) return true;
  const deptOlder = db.get<{ x: number }>(sql`select 1 as x from department_stats where as_of < ${today} limit 1`);
  if (deptOlder) return true;
  const n = db.get<{ p: number; s: number; d: number; ds: number }>(sql`
    select (select count(*) from projects) as p, (select count(*) from project_stats) as s,
           (select count(*) from departments) as d, (select count(*) from department_stats) as ds`)!;
  return n.p !== n.s || n.d !== n.ds;
}

function staleProjectIds(db: Db, today: string, limit: number): number[] {
  return db
    .all<{ id: number }>(sql`select p.id as id from projects p left join project_stats s on s.project_id = p.id where s.project_id is null or s.as_of < ${today} limit ${limit}`)
    .map((x) => x.id);
}

export interface StaleRefresh {
  projects: number;
  departments: number;
  /** Projects still out of date when the time budget ran out. */
  remaining: number;
}

/**
 * Brings rows from an earlier day (or missing: new database, first start after the
 * migration) up to today: departments first (a few), then projects in batches of
 * short transactions until done or `budgetMs` is spent. Run by the worker's sweep;
 * the dashboard runs it with a small budget so a day-old figure is never shown as today's.
 */
export function refreshStaleStats(db: Db, now: Date, opts: { budgetMs?: number; batch?: number } = {}): StaleRefresh {
  const started = Date.now();
  const budget = opts.budgetMs ?? Infinity;
  const r = rulesAt(db, now);
  const today = formatDay(r.today);
  // The usual case, on every dashboard request: nothing is stale. Two indexed probes, no scan.
  if (!anythingStale(db, today)) return { projects: 0, departments: 0, remaining: 0 };
  const staleDepts = db.all<{ id: number; asOf: string | null }>(sql`
    select d.id as id, s.as_of as asOf from departments d left join department_stats s on s.department_id = d.id
    where s.department_id is null or s.as_of < ${today}`);
  if (staleDepts.length) {
    transaction(db, (tx) => {
      const current = monthOf(today);
      for (const d of staleDepts) {
        // A new day moves the "went overdue" of the months since; a fresh or invalidated row rebuilds every month.
        for (const m of new Set([...monthsToRefresh(tx, d.id, d.asOf, today), current])) writeDepartmentMonth(tx, d.id, m, r);
        writeDepartmentStats(tx, d.id, r);
      }
    });
  }
  let done = 0;
  const batch = opts.batch ?? 200;
  for (;;) {
    if (Date.now() - started >= budget) break;
    const ids = staleProjectIds(db, today, batch);
    if (!ids.length) break;
    transaction(db, (tx) => {
      for (const id of ids) writeProjectStats(tx, id, r);
    });
    done += ids.length;
  }
  const remaining = db.get<{ n: number }>(sql`
    select count(*) as n from projects p left join project_stats s on s.project_id = p.id where s.project_id is null or s.as_of < ${today}`)!.n;
  return { projects: done, departments: staleDepts.length, remaining };
}

/** Recomputes everything (seeding, restores): every department month, department and project. */
export function refreshAllStats(db: Db, now: Date, onProgress?: (done: number, total: number) => void): void {
  invalidateAllStats(db);
  const total = db.get<{ n: number }>(sql`select count(*) as n from projects`)!.n;
  const r = rulesAt(db, now);
  const today = formatDay(r.today);
  let done = 0;
  refreshStaleStats(db, now, { budgetMs: 0 });
  for (;;) {
    const ids = staleProjectIds(db, today, 500);
    if (!ids.length) break;
    transaction(db, (tx) => {
      for (const id of ids) writeProjectStats(tx, id, r);
    });
    done += ids.length;
    onProgress?.(done, total);
  }
  rebuildStatsTotals(db);
}

