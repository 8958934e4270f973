import { sql, type SQL } from "drizzle-orm";
import { decide, type Actor } from "~/domain/access/policy";
import { formatDay, parseDate, shanghaiDay } from "~/domain/calendar";
import { ACTIVE_STATUSES } from "~/domain/clock";
import { attentionTier, ATTENTION_TIER_LABELS, type AttentionTier } from "~/domain/dashboard/attention";
import { SIGNED_TO_START_BENCHMARK_DAYS, START_DAY_BUCKETS, startDayBucket } from "~/domain/dashboard/figures";
import { monthBounds, monthsIn, parsePeriod, periodLabel, weekStart, type MonthPeriod, type PeriodPreset } from "~/domain/dashboard/period";
import { rankDepartments, RANKING_SORTS, type DepartmentPeriodFigures, type RankedDepartment, type RankingSort } from "~/domain/dashboard/ranking";
import { PROJECT_LEVELS, PROJECT_STATUSES, type ProjectStatus } from "~/domain/project/types";
import type { Db } from "~/utils/db.server";
import type { ServiceContext } from "./context.server";
import { AppError } from "./errors.server";
import { readStoredClock } from "./project-aggregate.server";
import { refreshStaleStats } from "./stats.server";
import { getCalendar, getPolicy } from "./time-rules.server";

/**
 * The leaders' screens (issue 13): counts, the projects needing attention, the
 * departments, their ranking over a period and the charts — all read from the
 * stored figures (stats.server.ts), so a province's dashboard is a few indexed
 * reads, never a replan of every project.
 */

const ACTIVE = [...ACTIVE_STATUSES] as string[];
const inList = (xs: readonly (string | number)[]) => sql.join(xs.map((x) => sql`${x}`), sql`, `);
/** Projects a row of the attention list can be (started ones have their own list). */
const PAGE_SIZE = 50;
/** Stale projects one dashboard request brings up to today before it answers (the worker does the rest). */
const INLINE_REFRESH_MS = 300;

function assertDashboard(actor: Actor) {
  if (!decide(actor, "dashboard.view").allowed) throw new AppError("forbidden", "没有查看看板的权限");
}

// ---------------------------------------------------------------- filters

export interface DashboardFilter {
  level: string;
  industry: string;
  region: string;
  proxy: string;
}

/** Reads the GET filters; an unknown value means "all" (a stale bookmark must not break the page). */
export function parseDashboardFilter(q: URLSearchParams | Record<string, string | null | undefined>): DashboardFilter {
  const get = (k: string) => ((q instanceof URLSearchParams ? q.get(k) : q[k]) ?? "").trim().slice(0, 100);
  const level = get("level");
  const proxy = get("proxy");
  return {
    level: (PROJECT_LEVELS as readonly string[]).includes(level) ? level : "",
    industry: get("industry"),
    region: get("region"),
    proxy: /^\d{1,9}$/.test(proxy) ? proxy : "",
  };
}

export const isFiltered = (f: DashboardFilter) => Boolean(f.level || f.industry || f.region || f.proxy);

/** The filter as SQL over `p` (projects) and `s` (project_stats). */
function filterSql(f: DashboardFilter): SQL {
  const parts: SQL[] = [sql`1 = 1`];
  if (f.level) parts.push(sql`p.level = ${f.level}`);
  if (f.industry) parts.push(sql`p.industry = ${f.industry}`);
  if (f.region) parts.push(f.region === NO_REGION ? sql`s.region is null` : sql`s.region = ${f.region}`);
  if (f.proxy) parts.push(sql`exists (select 1 from project_proxies pp where pp.project_id = p.id and pp.user_id = ${Number(f.proxy)})`);
  return sql.join(parts, sql` and `);
}

/** The region filter's value for projects whose location names no city. */
export const NO_REGION = "未注明";

function filterOptions(db: Db) {
  const industries = db.all<{ v: string }>(sql`select distinct industry as v from projects where industry <> '' order by industry`).map((r) => r.v);
  const regions = db.all<{ v: string | null }>(sql`select distinct region as v from project_stats order by region`).map((r) => r.v ?? NO_REGION);
  const proxies = db.all<{ id: number; name: string }>(sql`
    select u.id as id, u.display_name as name from users u
    where u.role = 'proxy' and exists (select 1 from project_proxies pp where pp.user_id = u.id) order by u.display_name`);
  return { levels: [...PROJECT_LEVELS], industries, regions: [...new Set(regions)], proxies };
}

/** Brings the stored figures up to today, within a small budget; says how many are still a day old. */
function freshen(ctx: ServiceContext) {
  const r = refreshStaleStats(ctx.db, ctx.now, { budgetMs: INLINE_REFRESH_MS, batch: 50 });
  return r.remaining;
}

// ---------------------------------------------------------------- the dashboard

export interface AttentionRow {
  id: number;
  name: string;
  level: string;
  tier: AttentionTier;
  tierLabel: string;
  targetStartOn: string;
  forecastStartOn: string | null;
  slack: number | null;
  idleDays: number | null;
  redItems: number;
  supervisedItems: number;
  /** The item holding the project up, its department and how late it is. */
  blocking: { key: string; name: string; department: string | null; overdueDays: number } | null;
  proxies: string[];
  /** Why it is on the list, in words. */
  reasons: string[];
}

function attentionRows(db: Db, where: SQL, limit: number, offset: number): AttentionRow[] {
  const rows = db.all<{
    id: number;
    name: string;
    level: string;
    targetStartOn: string;
    forecastStartOn: string | null;
    slack: number | null;
    atRisk: number;
    stalled: number;
    idleDays: number | null;
    redItems: number;
    supervisedItems: number;
    attention: number;
    blockingKey: string | null;
    blockingName: string | null;
    blockingDept: string | null;
    overdue: number;
  }>(sql`
    select p.id as id, p.name as name, p.level as level, p.target_start_on as targetStartOn, s.forecast_start_on as forecastStartOn,
           s.slack as slack, s.at_risk as atRisk, s.stalled as stalled, s.idle_days as idleDays, s.red_items as redItems,
           s.supervised_items as supervisedItems, s.attention as attention, i.key as blockingKey, i.name as blockingName,
           d.name as blockingDept, s.blocking_overdue_days as overdue
    from project_stats s join projects p on p.id = s.project_id
      left join items i on i.id = s.blocking_item_id left join departments d on d.id = s.blocking_department_id
    where ${where}
    order by s.attention desc, p.id
    limit ${limit} offset ${offset}`);
  const proxies = proxyNames(db, rows.map((r) => r.id));
  return rows.map((r) => {
    const reasons: string[] = [];
    if (r.stalled) reasons.push(`${r.idleDays} 个工作日无进展`);
    if (r.redItems) reasons.push(`${r.redItems} 项超期`);
    if (r.atRisk) reasons.push(`预计开工晚于目标${r.slack !== null && r.slack < 0 ? ` ${-r.slack} 个工作日` : ""}`);
    if (r.supervisedItems) reasons.push(`${r.supervisedItems} 项督办中`);
    const tier = attentionTier(r.attention);
    return {
      id: r.id,
      name: r.name,
      level: r.level,
      tier,
      tierLabel: ATTENTION_TIER_LABELS[tier],
      targetStartOn: r.targetStartOn,
      forecastStartOn: r.forecastStartOn,
      slack: r.slack,
      idleDays: r.stalled ? r.idleDays : null,
      redItems: r.redItems,
      supervisedItems: r.supervisedItems,
      blocking: r.blockingKey ? { key: r.blockingKey, name: r.blockingName!, department: r.blockingDept, overdueDays: r.overdue } : null,
      proxies: proxies.get(r.id) ?? [],
      reasons,
    };
  });
}

function proxyNames(db: Db, projectIds: number[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  if (!projectIds.length) return out;
  for (const r of db.all<{ projectId: number; name: string }>(sql`
    select pp.project_id as projectId, u.display_name as name from project_proxies pp join users u on u.id = pp.user_id
    where pp.project_id in (${inList(projectIds)}) order by u.display_name`)) {
    out.set(r.projectId, [...(out.get(r.projectId) ?? []), r.name]);
  }
  return out;
}

export interface DepartmentRow {
  id: number;
  code: string;
  name: string;
  active: number;
  yellow: number;
  red: number;
  paused: number;
  supervised: number;
  actionItems: number;
  actionItemsOverdue: number;
  handled: number;
  onTimeRate: number | null;
  rating: { average: number; count: number; poor: number } | null;
}

function departmentRows(db: Db): DepartmentRow[] {
  const ratings = new Map(ratingAverages(db, null).map((r) => [r.departmentId, r]));
  return db
    .all<Omit<DepartmentRow, "onTimeRate" | "rating"> & { onTime: number }>(sql`
      select d.id as id, d.code as code, d.name as name, s.active as active, s.yellow as yellow, s.red as red, s.paused as paused,
             s.supervised as supervised, s.action_items as actionItems, s.action_items_overdue as actionItemsOverdue,
             s.handled as handled, s.on_time as onTime
      from department_stats s join departments d on d.id = s.department_id
      where d.active = 1 or s.active > 0 or s.handled > 0
      order by s.red desc, s.active desc, d.code`)
    .map(({ onTime, ...d }) => {
      const r = ratings.get(d.id);
      return { ...d, onTimeRate: d.handled ? onTime / d.handled : null, rating: r ? { average: r.average, count: r.count, poor: r.poor } : null };
    });
}

/** 好差评 per department: average (one decimal), count and 差评 (≤ 2), optionally over a period of rating dates. */
function ratingAverages(db: Db, period: { from: string; to: string } | null) {
  const range = period ? sql`and r.rated_on between ${period.from} and ${period.to}` : sql``;
  return db
    .all<{ departmentId: number; count: number; average: number; poor: number }>(sql`
      select i.department_id as departmentId, count(*) as count, avg(r.score) as average, coalesce(sum(r.score <= 2), 0) as poor
      from ratings r join items i on i.id = r.item_id where i.department_id is not null ${range} group by i.department_id`)
    .map((r) => ({ ...r, average: Math.round(r.average * 10) / 10 }));
}

/**
 * The dashboard: counts (filtered), the projects needing attention (most stuck
 * first), each department's live figures, the province's project figures and the
 * filter's choices. `asOf` is today; `staleProjects` says how many projects'
 * figures are still from an earlier day (the worker is catching up).
 */
export function getDashboard(ctx: ServiceContext, actor: Actor, filter: DashboardFilter = parseDashboardFilter({})) {
  assertDashboard(actor);
  const staleProjects = freshen(ctx);
  const { db } = ctx;
  const where = filterSql(filter);
  const statusCounts = new Map(
    db.all<{ status: ProjectStatus; n: number }>(sql`select p.status as status, count(*) as n from projects p join project_stats s on s.project_id = p.id where ${where} group by p.status`).map((r) => [r.status, r.n]),
  );
  const t = db.get<{ atRisk: number; stalled: number; attention: number; active: number; yellow: number; red: number; supervised: number; actions: number }>(sql`
    select coalesce(sum(case when p.status = 'active' then s.at_risk end), 0) as atRisk,
           coalesce(sum(case when p.status = 'active' then s.stalled end), 0) as stalled,
           coalesce(sum(case when p.status = 'active' and s.attention > 0 then 1 end), 0) as attention,
           coalesce(sum(s.active_items), 0) as active, coalesce(sum(s.yellow_items), 0) as yellow, coalesce(sum(s.red_items), 0) as red,
           coalesce(sum(s.supervised_items), 0) as supervised, coalesce(sum(s.open_action_items), 0) as actions
    from project_stats s join projects p on p.id = s.project_id where ${where}`)!;
  const figures = db.get<{ n: number; items: number | null; materials: number | null; visits: number | null; contacts: number | null; days: number | null; started: number; startDays: number | null; startWorking: number | null; within: number }>(sql`
    select count(*) as n, avg(s.item_count) as items, avg(s.material_count) as materials, avg(s.visits) as visits, avg(s.contacts) as contacts,
           avg(s.planned_working_days) as days, count(s.started_on) as started, avg(s.signed_to_start_days) as startDays,
           avg(s.signed_to_start_working_days) as startWorking, coalesce(sum(s.signed_to_start_days <= ${SIGNED_TO_START_BENCHMARK_DAYS}), 0) as within
    from project_stats s join projects p on p.id = s.project_id where ${where} and p.status <> 'withdrawn'`)!;
  const round1 = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);
  return {
    asOf: formatDay(shanghaiDay(ctx.now)),
    staleProjects,
    filter,
    filtered: isFiltered(filter),
    options: filterOptions(db),
    statuses: PROJECT_STATUSES.map((s) => ({ status: s, count: statusCounts.get(s) ?? 0 })).filter((s) => s.count > 0 || s.status === "active"),
    totals: {
      projects: statusCounts.get("active") ?? 0,
      atRisk: t.atRisk,
      stalled: t.stalled,
      attention: t.attention,
      activeItems: t.active,
      yellowItems: t.yellow,
      overdueItems: t.red,
      supervisedItems: t.supervised,
      openActionItems: t.actions,
    },
    attention: attentionRows(db, sql`${where} and p.status = 'active' and s.attention > 0`, 20, 0),
    departments: departmentRows(db),
    figures: {
      projects: figures.n,
      avgItems: round1(figures.items),
      avgMaterials: round1(figures.materials),
      avgVisits: round1(figures.visits),
      avgContacts: round1(figures.contacts),
      avgWorkingDays: round1(figures.days),
      started: figures.started,
      avgSignedToStartDays: round1(figures.startDays),
      avgSignedToStartWorkingDays: round1(figures.startWorking),
      withinBenchmark: figures.within,
      benchmarkDays: SIGNED_TO_START_BENCHMARK_DAYS,
    },
  };
}

/** `GET /api/v1/dashboard` (DESIGN §6 v1.1), exactly that shape. */
export function dashboardDocument(ctx: ServiceContext, actor: Actor) {
  const d = getDashboard(ctx, actor);
  return {
    asOf: d.asOf,
    projects: d.totals.projects,
    atRisk: d.totals.atRisk,
    stalled: d.totals.stalled,
    overdueItems: d.totals.overdueItems,
    supervisedItems: d.totals.supervisedItems,
    openActionItems: d.totals.openActionItems,
    departments: d.departments.map((r) => ({ code: r.code, name: r.name, open: r.active, overdue: r.red, onTimeRate: r.onTimeRate === null ? null : Math.round(r.onTimeRate * 1000) / 1000 })),
  };
}

// ---------------------------------------------------------------- drill-downs

export const PROJECT_LISTS = ["active", "attention", "atRisk", "stalled", "started", "status"] as const;
export const ITEM_LISTS = ["activeItems", "yellowItems", "overdueItems", "supervisedItems", "pausedItems"] as const;
export type DrillList = (typeof PROJECT_LISTS)[number] | (typeof ITEM_LISTS)[number];

export const DRILL_LABELS: Record<DrillList, string> = {
  active: "在推进项目",
  attention: "需要关注的项目",
  atRisk: "开工目标有风险的项目",
  stalled: "停滞项目",
  started: "已开工项目",
  status: "项目",
  activeItems: "在办事项",
  yellowItems: "临近时限（预警）事项",
  overdueItems: "超期事项",
  supervisedItems: "督办中事项",
  pausedItems: "暂停计时事项",
};

export interface DrillItemRow {
  projectId: number;
  projectName: string;
  key: string;
  name: string;
  department: string | null;
  status: string;
  dueOn: string | null;
  remainingWorkingDays: number | null;
  overdueWorkingDays: number;
  proxies: string[];
}

/**
 * The list behind a number of the dashboard: projects (by attention) or items (most
 * overdue first), with the dashboard's filters and optionally one department;
 * 50 a page. Every count on the dashboard equals the length of its list here.
 */
export function getDrilldown(ctx: ServiceContext, actor: Actor, q: URLSearchParams) {
  assertDashboard(actor);
  freshen(ctx);
  const { db } = ctx;
  const filter = parseDashboardFilter(q);
  const raw = q.get("list") ?? "attention";
  const list: DrillList = ([...PROJECT_LISTS, ...ITEM_LISTS] as string[]).includes(raw) ? (raw as DrillList) : "attention";
  const page = Math.max(1, Math.min(10_000, Number.parseInt(q.get("page") ?? "1", 10) || 1));
  const dept = /^\d{1,9}$/.test(q.get("department") ?? "") ? Number(q.get("department")) : null;
  const department = dept === null ? null : (db.get<{ id: number; name: string }>(sql`select id, name from departments where id = ${dept}`) ?? null);
  const statusParam = q.get("status") ?? "";
  const status = (PROJECT_STATUSES as readonly string[]).includes(statusParam) ? (statusParam as ProjectStatus) : null;
  const where = filterSql(filter);
  const base = { list, label: DRILL_LABELS[list], filter, page, pageSize: PAGE_SIZE, department, status, options: filterOptions(db) };

  if ((PROJECT_LISTS as readonly string[]).includes(list)) {
    const cond =
      list === "active"
        ? sql`p.status = 'active'`
        : list === "attention"
          ? sql`p.status = 'active' and s.attention > 0`
          : list === "atRisk"
            ? sql`p.status = 'active' and s.at_risk = 1`
            : list === "stalled"
              ? sql`p.status = 'active' and s.stalled = 1`
              : list === "started"
                ? sql`s.started_on is not null and p.status <> 'withdrawn'`
                : sql`p.status = ${status ?? "active"}`;
    const full = sql`${where} and ${cond}`;
    const total = db.get<{ n: number }>(sql`select count(*) as n from project_stats s join projects p on p.id = s.project_id where ${full}`)!.n;
    const rows = attentionRows(db, full, PAGE_SIZE, (page - 1) * PAGE_SIZE);
    return { ...base, label: list === "status" ? `${DRILL_LABELS.status}（${status ?? "active"}）` : base.label, kind: "projects" as const, total, projects: rows, items: [] as DrillItemRow[] };
  }

  const cal = getCalendar(db);
  const policy = getPolicy(db);
  const today = shanghaiDay(ctx.now);
  const todayText = formatDay(today);
  const deptCond = dept !== null ? sql`i.department_id = ${dept}` : sql`1 = 1`;
  const cond =
    list === "activeItems"
      ? sql`i.status in (${inList(ACTIVE)})`
      : list === "overdueItems"
        ? sql`i.status in ('running', 'submitted') and i.due_on < ${todayText}`
        : list === "pausedItems"
          ? sql`i.status in ('correction', 'special', 'suspended')`
          : list === "yellowItems"
            ? // Candidates only (yellow is decided per item with its own lead, below): due from today within the longest lead.
              sql`i.status in ('running', 'submitted') and i.due_on >= ${todayText} and i.due_on <= ${formatDay(cal.addWorkingDays(today, maxYellowLead(db, policy.yellowLead)))}`
            : sql`i.status in (${inList(ACTIVE)}) and (exists (select 1 from escalations e where e.item_id = i.id and e.fired_at is not null and e.level in ('supervise', 'leader') and e.due_on = i.due_on)
                 or exists (select 1 from action_items a where a.item_id = i.id and a.status = 'open' and a.source = 'supervision'))`;
  const full = sql`${where} and ${deptCond} and ${cond}`;
  const select = sql`
    select i.id as id, i.project_id as projectId, p.name as projectName, i.key as key, i.name as name, d.name as department, i.status as status,
           i.due_on as dueOn, i.accepted_on as acceptedOn, i.yellow_lead as yellowLead, i.kind as kind, i.statutory_limit as statutoryLimit,
           i.promised_limit as promisedLimit, i.limit_unit as limitUnit
    from items i join projects p on p.id = i.project_id join project_stats s on s.project_id = p.id left join departments d on d.id = i.department_id
    where ${full}`;
  type Row = { id: number; projectId: number; projectName: string; key: string; name: string; department: string | null; status: string; dueOn: string | null };
  let rows: Row[];
  let total: number;
  if (list === "yellowItems") {
    const all = db.all<Row>(sql`${select} order by i.due_on, i.id`).filter((r) => readStoredClock(r as never, cal, today, policy.yellowLead).warning === "yellow");
    total = all.length;
    rows = all.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  } else {
    total = db.get<{ n: number }>(sql`select count(*) as n from items i join projects p on p.id = i.project_id join project_stats s on s.project_id = p.id where ${full}`)!.n;
    rows = db.all<Row>(sql`${select} order by i.due_on is null, i.due_on, i.id limit ${PAGE_SIZE} offset ${(page - 1) * PAGE_SIZE}`);
  }
  const proxies = proxyNames(db, [...new Set(rows.map((r) => r.projectId))]);
  const items: DrillItemRow[] = rows.map((r) => {
    const reading = readStoredClock(r as never, cal, today, policy.yellowLead);
    return {
      projectId: r.projectId,
      projectName: r.projectName,
      key: r.key,
      name: r.name,
      department: r.department,
      status: r.status,
      dueOn: r.dueOn,
      remainingWorkingDays: reading.remainingWorkingDays,
      overdueWorkingDays: reading.overdueWorkingDays,
      proxies: proxies.get(r.projectId) ?? [],
    };
  });
  return { ...base, kind: "items" as const, total, projects: [] as AttentionRow[], items };
}

function maxYellowLead(db: Db, fallback: number): number {
  const m = db.get<{ m: number | null }>(sql`select max(yellow_lead) as m from items where status in ('running', 'submitted')`)!.m;
  return Math.max(fallback, m ?? 0);
}

// ---------------------------------------------------------------- ranking

export interface RankingQuery {
  preset?: string | null;
  from?: string | null;
  to?: string | null;
  sort?: string | null;
  order?: string | null;
}

/**
 * 红黑榜 over a run of months (default: this year): each department's decided items,
 * on-time rate, average working days used against the promised limit, items gone
 * overdue, 督办 and 好差评 — sums of the stored month rows, ranked by one pure rule.
 */
export function getDepartmentRanking(ctx: ServiceContext, actor: Actor, q: RankingQuery = {}) {
  assertDashboard(actor);
  freshen(ctx);
  const today = formatDay(shanghaiDay(ctx.now));
  const { period, preset, error } = parsePeriod(q, today);
  const sort: RankingSort = (RANKING_SORTS as readonly string[]).includes(q.sort ?? "") ? (q.sort as RankingSort) : "onTimeRate";
  const order = q.order === "asc" ? "asc" : "desc";
  return { today, period, preset: preset as PeriodPreset | null, label: periodLabel(period), error, sort, order: order as "asc" | "desc", rows: rankingRows(ctx.db, period, sort, order) };
}

/** The ranking's rows for a period (also the 通报's). */
export function rankingRows(db: Db, period: MonthPeriod, sort: RankingSort = "onTimeRate", order: "asc" | "desc" = "desc"): RankedDepartment[] {
  const months = monthsIn(period);
  const sums = db.all<Omit<DepartmentPeriodFigures, "rating">>(sql`
    select d.id as departmentId, d.code as code, d.name as name,
           coalesce(sum(m.handled), 0) as handled, coalesce(sum(m.on_time), 0) as onTime, coalesce(sum(m.late), 0) as late,
           coalesce(sum(m.used_days), 0) as usedDays, coalesce(sum(m.limit_days), 0) as limitDays,
           coalesce(sum(m.went_overdue), 0) as wentOverdue, coalesce(sum(m.supervised), 0) as supervised,
           coalesce((select red from department_stats s where s.department_id = d.id), 0) as overdueNow
    from departments d left join department_month_stats m on m.department_id = d.id and m.month in (${inList(months)})
    group by d.id`);
  const ratings = new Map(ratingAverages(db, { from: monthBounds(period.from).from, to: monthBounds(period.to).to }).map((r) => [r.departmentId, r]));
  const rows = sums
    .filter((s) => s.handled + s.wentOverdue + s.supervised + s.overdueNow > 0 || ratings.has(s.departmentId))
    .map((s) => {
      const r = ratings.get(s.departmentId);
      return { ...s, rating: r ? { average: r.average, count: r.count } : null };
    });
  return rankDepartments(rows, sort, order);
}

// ---------------------------------------------------------------- charts

/**
 * The four charts' data, each also shown as a table: overdue items by the week
 * their due date fell in (12 weeks), on-time rate per department, active projects
 * by stage, and days from signing to 开工 against the 75-day benchmark.
 */
export function getDashboardCharts(ctx: ServiceContext, actor: Actor, filter: DashboardFilter = parseDashboardFilter({})) {
  assertDashboard(actor);
  const { db } = ctx;
  const today = shanghaiDay(ctx.now);
  const todayText = formatDay(today);
  const where = filterSql(filter);
  const firstWeek = weekStart(today) - 11 * 7;
  const weekly = db.all<{ dueOn: string; n: number }>(sql`
    select i.due_on as dueOn, count(*) as n from items i join projects p on p.id = i.project_id join project_stats s on s.project_id = p.id
    where ${where} and i.status in ('running', 'submitted', 'approved', 'rejected') and i.due_on >= ${formatDay(firstWeek)} and i.due_on < ${todayText}
      and ((i.status in ('approved', 'rejected') and i.decided_on > i.due_on) or i.status in ('running', 'submitted'))
    group by i.due_on`);
  const weeks = Array.from({ length: 12 }, (_, k) => ({ weekOf: formatDay(firstWeek + k * 7), overdue: 0 }));
  for (const w of weekly) {
    const k = Math.floor((weekStart(parseDate(w.dueOn)!) - firstWeek) / 7);
    if (k >= 0 && k < 12) weeks[k].overdue += w.n;
  }
  const stages = db.all<{ stage: number; n: number }>(sql`
    select s.stage as stage, count(*) as n from project_stats s join projects p on p.id = s.project_id where ${where} and p.status = 'active' group by s.stage order by s.stage`);
  const startDays = db.all<{ days: number }>(sql`
    select s.signed_to_start_days as days from project_stats s join projects p on p.id = s.project_id where ${where} and s.signed_to_start_days is not null and p.status <> 'withdrawn'`);
  const buckets = START_DAY_BUCKETS.map((b) => ({ label: b.label, projects: 0 }));
  for (const s of startDays) buckets[startDayBucket(s.days)].projects++;
  return {
    asOf: todayText,
    overdueByWeek: weeks,
    onTimeByDepartment: departmentRows(db)
      .filter((d) => d.handled > 0)
      .map((d) => ({ name: d.name, handled: d.handled, onTimeRate: d.onTimeRate! }))
      .sort((a, b) => b.onTimeRate - a.onTimeRate || a.name.localeCompare(b.name)),
    projectsByStage: stages.map((s) => ({ stage: s.stage, projects: s.n })),
    signedToStart: { benchmarkDays: SIGNED_TO_START_BENCHMARK_DAYS, buckets, projects: startDays.length },
  };
}

/** 项目指标 of one project (the project page shows them); null until its figures are stored. */
export function projectFigures(db: Db, projectId: number) {
  const s = db.get<{ itemCount: number; materialCount: number; plannedWorkingDays: number | null; visits: number; contacts: number; startedOn: string | null; days: number | null; workingDays: number | null }>(sql`
    select item_count as itemCount, material_count as materialCount, planned_working_days as plannedWorkingDays, visits, contacts,
           started_on as startedOn, signed_to_start_days as days, signed_to_start_working_days as workingDays
    from project_stats where project_id = ${projectId}`);
  return s ? { ...s, benchmarkDays: SIGNED_TO_START_BENCHMARK_DAYS } : null;
}
