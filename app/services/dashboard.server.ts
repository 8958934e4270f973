import { sql, type SQL } from "drizzle-orm";
import { decide, type Actor } from "~/domain/access/policy";
import { formatDay, parseDate, shanghaiDay } from "~/domain/calendar";
import { ACTIVE_STATUSES } from "~/domain/clock";
import { attentionTier, ATTENTION_TIER_LABELS, type AttentionTier } from "~/domain/dashboard/attention";
import { DRILL_LABELS, ITEM_LISTS, PROJECT_LISTS, type DrillList } from "~/domain/dashboard/lists";
import { SIGNED_TO_START_BENCHMARK_DAYS, START_DAY_BUCKETS, startDayBucket } from "~/domain/dashboard/figures";
import { monthsIn, parsePeriod, periodLabel, weekStart, type MonthPeriod, type PeriodPreset } from "~/domain/dashboard/period";
import { rankDepartments, RANKING_SORTS, type DepartmentPeriodFigures, type RankedDepartment, type RankingSort } from "~/domain/dashboard/ranking";
import { PROJECT_LEVELS, PROJECT_STATUS_LABELS, PROJECT_STATUSES, type ProjectStatus } from "~/domain/project/types";
import type { Db } from "~/utils/db.server";
import type { ServiceContext } from "./context.server";
import { AppError } from "./errors.server";
import { readStoredClock } from "./project-aggregate.server";
import { longestYellowLead, refreshStaleStats, STATS_TOTALS_OF_ROWS, supervisedItemIds } from "./stats.server";
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
/** The most stuck projects the dashboard itself lists; the rest are one click away (/dashboard/list?list=attention). */
const ATTENTION_ROWS = 10;
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

/** The filter as SQL over `s` (project_stats, which carries the project's level and industry). */
function filterSql(f: DashboardFilter): SQL {
  const parts: SQL[] = [sql`1 = 1`];
  if (f.level) parts.push(sql`s.level = ${f.level}`);
  if (f.industry) parts.push(sql`s.industry = ${f.industry}`);
  if (f.region) parts.push(f.region === NO_REGION ? sql`s.region is null` : sql`s.region = ${f.region}`);
  if (f.proxy) parts.push(sql`exists (select 1 from project_proxies pp where pp.project_id = s.project_id and pp.user_id = ${Number(f.proxy)})`);
  return sql.join(parts, sql` and `);
}

/** The region filter's value for projects whose location names no city. */
export const NO_REGION = "未注明";

function filterOptions(db: Db) {
  const distinct = (col: "industry" | "region") =>
    db.all<{ v: string }>(sql`select distinct ${sql.identifier(col)} as v from project_stats_totals where n > 0`).map((r) => r.v);
  const zh = (x: string, y: string) => x.localeCompare(y, "zh-CN");
  const industries = distinct("industry").filter(Boolean).sort(zh);
  const regions = [...new Set(distinct("region").map((r) => r || NO_REGION))].sort(zh);
  const proxies = db.all<{ id: number; name: string }>(sql`
    select u.id as id, u.display_name as name from users u
    where u.role = 'proxy' and exists (select 1 from project_proxies pp where pp.user_id = u.id) order by u.display_name`);
  return { levels: [...PROJECT_LEVELS], industries, regions, proxies };
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
    with top as (select * from project_stats s where ${where} order by s.attention desc, s.project_id limit ${limit} offset ${offset})
    select p.id as id, p.name as name, s.level as level, p.target_start_on as targetStartOn, s.forecast_start_on as forecastStartOn,
           s.slack as slack, s.at_risk as atRisk, s.stalled as stalled, s.idle_days as idleDays, s.red_items as redItems,
           s.supervised_items as supervisedItems, s.attention as attention, i.key as blockingKey, i.name as blockingName,
           d.name as blockingDept, s.blocking_overdue_days as overdue
    from top s join projects p on p.id = s.project_id
      left join items i on i.id = s.blocking_item_id left join departments d on d.id = s.blocking_department_id
    order by s.attention desc, s.project_id`);
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

/** 好差评 as shown: average to one decimal. */
const ratingAverage = (count: number, sum: number) => Math.round((sum / count) * 10) / 10;

function departmentRows(db: Db): DepartmentRow[] {
  return db
    .all<Omit<DepartmentRow, "onTimeRate" | "rating"> & { onTime: number; ratingCount: number; ratingSum: number; ratingPoor: number }>(sql`
      select d.id as id, d.code as code, d.name as name, s.active as active, s.yellow as yellow, s.red as red, s.paused as paused,
             s.supervised as supervised, s.action_items as actionItems, s.action_items_overdue as actionItemsOverdue,
             s.handled as handled, s.on_time as onTime, s.rating_count as ratingCount, s.rating_sum as ratingSum, s.rating_poor as ratingPoor
      from department_stats s join departments d on d.id = s.department_id
      where d.active = 1 or s.active > 0 or s.handled > 0
      order by s.red desc, s.active desc, d.code`)
    .map(({ onTime, ratingCount, ratingSum, ratingPoor, ...d }) => ({
      ...d,
      onTimeRate: d.handled ? onTime / d.handled : null,
      rating: ratingCount ? { average: ratingAverage(ratingCount, ratingSum), count: ratingCount, poor: ratingPoor } : null,
    }));
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
  // Per status, summed from the stored group sums (or, for one officer, from that officer's rows).
  const chosen = projectGroups(db, filter);
  const sum = (gs: ProjectGroup[], k: keyof ProjectGroup) => gs.reduce((n, g) => n + Number(g[k] ?? 0), 0);
  const active = chosen.filter((g) => g.status === "active");
  const counted = chosen.filter((g) => g.status !== "withdrawn");
  const statusCounts = new Map<string, number>();
  for (const g of chosen) statusCounts.set(g.status, (statusCounts.get(g.status) ?? 0) + g.n);
  const avg = (k: keyof ProjectGroup, n: number) => (n ? Math.round((sum(counted, k) / n) * 10) / 10 : null);
  const countedN = sum(counted, "n");
  const started = sum(counted, "started");
  return {
    asOf: formatDay(shanghaiDay(ctx.now)),
    staleProjects,
    filter,
    filtered: isFiltered(filter),
    options: filterOptions(db),
    statuses: PROJECT_STATUSES.map((s) => ({ status: s, count: statusCounts.get(s) ?? 0 })).filter((s) => s.count > 0 || s.status === "active"),
    totals: {
      projects: statusCounts.get("active") ?? 0,
      atRisk: sum(active, "atRisk"),
      stalled: sum(active, "stalled"),
      attention: sum(active, "attention"),
      activeItems: sum(chosen, "activeItems"),
      yellowItems: sum(chosen, "yellowItems"),
      overdueItems: sum(chosen, "redItems"),
      supervisedItems: sum(chosen, "supervisedItems"),
      // Tasks tied to no project (a meeting's general decision) count too, unless a project filter is on.
      openActionItems: sum(chosen, "openActionItems") + (isFiltered(filter) ? 0 : projectlessOpenActionItems(db)),
    },
    // `+s.status`: walk the attention index from the top (only active projects have attention > 0)
    // instead of sorting every active project found through the status index.
    attention: attentionRows(db, sql`s.attention > 0 and +s.status = 'active' and ${filterSql(filter)}`, ATTENTION_ROWS, 0),
    departments: departmentRows(db),
    figures: {
      projects: countedN,
      avgItems: avg("itemCount", countedN),
      avgMaterials: avg("materialCount", countedN),
      avgVisits: avg("visits", countedN),
      avgContacts: avg("contacts", countedN),
      avgWorkingDays: avg("plannedWorkingDays", sum(counted, "plannedN")),
      started,
      avgSignedToStartDays: avg("startDays", started),
      avgSignedToStartWorkingDays: avg("startWorkingDays", started),
      withinBenchmark: sum(counted, "withinBenchmark"),
      benchmarkDays: SIGNED_TO_START_BENCHMARK_DAYS,
    },
  };
}

function projectlessOpenActionItems(db: Db): number {
  return db.get<{ n: number }>(sql`select count(*) as n from action_items where status = 'open' and project_id is null`)!.n;
}

const TOTALS_COLUMNS = ["n", "at_risk", "stalled", "attention", "active_items", "yellow_items", "red_items", "supervised_items", "open_action_items", "item_count", "material_count", "visits", "contacts", "planned_working_days", "planned_n", "started", "start_days", "start_working_days", "within_benchmark"];

interface ProjectGroup {
  status: ProjectStatus;
  n: number;
  atRisk: number;
  stalled: number;
  attention: number;
  activeItems: number;
  yellowItems: number;
  redItems: number;
  supervisedItems: number;
  openActionItems: number;
  itemCount: number;
  materialCount: number;
  visits: number;
  contacts: number;
  plannedWorkingDays: number | null;
  plannedN: number;
  started: number;
  startDays: number | null;
  startWorkingDays: number | null;
  withinBenchmark: number;
}

function projectGroups(db: Db, filter: DashboardFilter): ProjectGroup[] {
  if (!filter.proxy) {
    // The stored group sums (project_stats_totals), narrowed by level, industry and region.
    const parts: SQL[] = [sql`n > 0`];
    if (filter.level) parts.push(sql`level = ${filter.level}`);
    if (filter.industry) parts.push(sql`industry = ${filter.industry}`);
    if (filter.region) parts.push(sql`region = ${filter.region === NO_REGION ? "" : filter.region}`);
    const sums = sql.raw(
      TOTALS_COLUMNS.map((c) => `coalesce(sum(${c}), 0) as ${c.replace(/_(\w)/g, (_, x: string) => x.toUpperCase())}`).join(", "),
    );
    return db.all<ProjectGroup>(sql`select status, ${sums} from project_stats_totals where ${sql.join(parts, sql` and `)} group by status`);
  }
  // One officer's projects are few: summed from their rows on the spot.
  return db.all<ProjectGroup>(sql`
    select s.status as status, ${STATS_TOTALS_OF_ROWS}
    from project_proxies pp join project_stats s on s.project_id = pp.project_id where pp.user_id = ${Number(filter.proxy)} and ${filterSql({ ...filter, proxy: "" })}
    group by s.status`);
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
        ? sql`s.status = 'active'`
        : list === "attention"
          ? sql`+s.status = 'active' and s.attention > 0`
          : list === "atRisk"
            ? sql`s.status = 'active' and s.at_risk = 1`
            : list === "stalled"
              ? sql`s.status = 'active' and s.stalled = 1`
              : list === "started"
                ? sql`s.started_on is not null and s.status <> 'withdrawn'`
                : sql`s.status = ${status ?? "active"}`;
    const full = sql`${cond} and ${where}`;
    const total = db.get<{ n: number }>(sql`select count(*) as n from project_stats s where ${full}`)!.n;
    const rows = attentionRows(db, full, PAGE_SIZE, (page - 1) * PAGE_SIZE);
    return { ...base, label: list === "status" ? `${DRILL_LABELS.status}（${PROJECT_STATUS_LABELS[status ?? "active"]}）` : base.label, kind: "projects" as const, total, projects: rows, items: [] as DrillItemRow[] };
  }

  const cal = getCalendar(db);
  const policy = getPolicy(db);
  const today = shanghaiDay(ctx.now);
  const todayText = formatDay(today);
  const filtered = isFiltered(filter);
  // The stored project row is joined only to filter: unfiltered lists are index scans of items alone.
  const scope = sql.join([dept !== null ? sql`i.department_id = ${dept}` : sql`1 = 1`, filtered ? sql`exists (select 1 from project_stats s where s.project_id = i.project_id and ${where})` : sql`1 = 1`], sql` and `);
  let cond: SQL;
  let notices: DrillItemRow[] = [];
  if (list === "supervisedItems") {
    // The stored count's definition (stats.server): running clocks whose 督办/领导督办 fired on the current
    // due date, items with an open 督办 notice, and 督办 notices on a whole project.
    const ids = itemsUnderSupervision(db, todayText, scope);
    cond = ids.length ? sql`i.id in (${inList(ids)})` : sql`0 = 1`;
    notices = db
      .all<{ projectId: number; projectName: string; title: string; department: string | null; dueOn: string }>(sql`
        select a.project_id as projectId, p.name as projectName, a.title as title, d.name as department, a.deadline_on as dueOn
        from action_items a join projects p on p.id = a.project_id left join departments d on d.id = a.owner_department_id
        where a.status = 'open' and a.source = 'supervision' and a.item_id is null
          ${dept !== null ? sql`and a.owner_department_id = ${dept}` : sql``}
          ${filtered ? sql`and exists (select 1 from project_stats s where s.project_id = a.project_id and ${where})` : sql``}
        order by a.deadline_on, a.id`)
      .map((a) => {
        const left = cal.workingDaysBetween(today, parseDate(a.dueOn)!);
        return { projectId: a.projectId, projectName: a.projectName, key: "", name: `（整个项目）${a.title}`, department: a.department, status: "supervision", dueOn: a.dueOn, remainingWorkingDays: left, overdueWorkingDays: Math.max(0, -left), proxies: [] };
      });
  } else {
    cond =
      list === "activeItems"
        ? sql`i.status in (${inList(ACTIVE)})`
        : list === "overdueItems"
          ? sql`i.status in ('running', 'submitted') and i.due_on < ${todayText}`
          : list === "pausedItems"
            ? sql`i.status in ('correction', 'special', 'suspended')`
            : // yellowItems: candidates only (yellow is decided per item with its own lead, below): due from today within the longest lead.
              sql`i.status in ('running', 'submitted') and i.due_on >= ${todayText} and i.due_on <= ${formatDay(cal.addWorkingDays(today, longestYellowLead(db, policy.yellowLead)))}`;
  }
  const full = sql`${cond} and ${scope}`;
  const select = sql`
    select i.id as id, i.project_id as projectId, p.name as projectName, i.key as key, i.name as name, d.name as department, i.status as status,
           i.due_on as dueOn, i.accepted_on as acceptedOn, i.yellow_lead as yellowLead, i.kind as kind, i.statutory_limit as statutoryLimit,
           i.promised_limit as promisedLimit, i.limit_unit as limitUnit
    from items i join projects p on p.id = i.project_id left join departments d on d.id = i.department_id
    where ${full}`;
  type Row = { id: number; projectId: number; projectName: string; key: string; name: string; department: string | null; status: string; dueOn: string | null };
  let rows: Row[];
  let total: number;
  if (list === "yellowItems") {
    const all = db.all<Row>(sql`${select} order by i.due_on, i.id`).filter((r) => readStoredClock(r as never, cal, today, policy.yellowLead).warning === "yellow");
    total = all.length;
    rows = all.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  } else {
    total = db.get<{ n: number }>(sql`select count(*) as n from items i where ${full}`)!.n;
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
  // Whole-project 督办 notices come after the items, on the last page(s).
  const noticeStart = Math.max(0, (page - 1) * PAGE_SIZE - total);
  const noticeRows = page * PAGE_SIZE > total ? notices.slice(noticeStart, noticeStart + PAGE_SIZE - items.length) : [];
  return { ...base, kind: "items" as const, total: total + notices.length, projects: [] as AttentionRow[], items: [...items, ...noticeRows] };
}


/**
 * Items under 督办 now (the stored count's definition, stats.server): running clocks whose
 * 督办/领导督办 fired on the current due date — only running clocks past due can have one, so
 * this is a range of items_status_due_idx — and items with an open 督办 notice. `scope` narrows
 * `i` (items). The 通报 lists the same items.
 */
export function itemsUnderSupervision(db: Db, todayText: string, scope: SQL = sql`1 = 1`): number[] {
  const fired = supervisedItemIds(db, scope, todayText);
  const noticed = db.all<{ id: number }>(sql`
    select distinct a.item_id as id from action_items a join items i on i.id = a.item_id
    where a.status = 'open' and a.source = 'supervision' and ${scope}`);
  return [...new Set([...fired, ...noticed.map((r) => r.id)])];
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
  const sums = db.all<Omit<DepartmentPeriodFigures, "rating"> & { ratingCount: number; ratingSum: number }>(sql`
    select d.id as departmentId, d.code as code, d.name as name,
           coalesce(sum(m.handled), 0) as handled, coalesce(sum(m.on_time), 0) as onTime, coalesce(sum(m.late), 0) as late,
           coalesce(sum(m.used_days), 0) as usedDays, coalesce(sum(m.limit_days), 0) as limitDays,
           coalesce(sum(m.went_overdue), 0) as wentOverdue, coalesce(sum(m.supervised), 0) as supervised,
           coalesce(sum(m.rating_count), 0) as ratingCount, coalesce(sum(m.rating_sum), 0) as ratingSum,
           coalesce((select red from department_stats s where s.department_id = d.id), 0) as overdueNow
    from departments d left join department_month_stats m on m.department_id = d.id and m.month in (${inList(months)})
    group by d.id`);
  const rows = sums
    .filter((s) => s.handled + s.wentOverdue + s.supervised + s.overdueNow + s.ratingCount > 0)
    .map(({ ratingCount, ratingSum, ...s }) => ({ ...s, rating: ratingCount ? { average: ratingAverage(ratingCount, ratingSum), count: ratingCount } : null }));
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
  const scope = isFiltered(filter) ? sql`exists (select 1 from project_stats s where s.project_id = i.project_id and ${where})` : sql`1 = 1`;
  const firstWeek = weekStart(today) - 11 * 7;
  const from = formatDay(firstWeek);
  // Two range scans of items_status_due_idx (it carries decided_on): clocks still running past due, and decisions made late.
  const weekly = db.all<{ dueOn: string; n: number }>(sql`
    select i.due_on as dueOn, count(*) as n from items i
    where i.status in ('running', 'submitted') and i.due_on >= ${from} and i.due_on < ${todayText} and ${scope} group by i.due_on
    union all
    select i.due_on as dueOn, count(*) as n from items i
    where i.status in ('approved', 'rejected') and i.due_on >= ${from} and i.due_on < ${todayText} and i.decided_on > i.due_on and ${scope} group by i.due_on`);
  const weeks = Array.from({ length: 12 }, (_, k) => ({ weekOf: formatDay(firstWeek + k * 7), overdue: 0 }));
  for (const w of weekly) {
    const k = Math.floor((weekStart(parseDate(w.dueOn)!) - firstWeek) / 7);
    if (k >= 0 && k < 12) weeks[k].overdue += w.n;
  }
  const stages = db.all<{ stage: number; n: number }>(sql`
    select s.stage as stage, count(*) as n from project_stats s where s.status = 'active' and ${where} group by s.stage order by s.stage`);
  const startDays = db.all<{ days: number; n: number }>(sql`
    select s.signed_to_start_days as days, count(*) as n from project_stats s
    where s.started_on is not null and s.status <> 'withdrawn' and ${where} group by s.signed_to_start_days`);
  const buckets = START_DAY_BUCKETS.map((b) => ({ label: b.label, projects: 0 }));
  for (const s of startDays) buckets[startDayBucket(s.days)].projects += s.n;
  return {
    asOf: todayText,
    overdueByWeek: weeks,
    onTimeByDepartment: departmentRows(db)
      .filter((d) => d.handled > 0)
      .map((d) => ({ name: d.name, handled: d.handled, onTimeRate: d.onTimeRate! }))
      .sort((a, b) => b.onTimeRate - a.onTimeRate || a.name.localeCompare(b.name)),
    projectsByStage: stages.map((s) => ({ stage: s.stage, projects: s.n })),
    signedToStart: { benchmarkDays: SIGNED_TO_START_BENCHMARK_DAYS, buckets, projects: startDays.reduce((n, s) => n + s.n, 0) },
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
