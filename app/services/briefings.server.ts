import { and, desc, eq, sql } from "drizzle-orm";
import ExcelJS from "exceljs";
import { briefings, users } from "../../db/schema";
import { decide, type Actor } from "~/domain/access/policy";
import {
  BRIEFING_LIST_CAP,
  BRIEFING_SHEETS,
  HEADLINE_LABELS,
  percent,
  projectLevelLabel,
  type BriefingBody,
  type BriefingHeadline,
  type BriefingOverdueRow,
  type BriefingStartedRow,
  type BriefingSupervisedRow,
} from "~/domain/briefing/content";
import {
  BRIEFING_KIND_LABELS,
  briefingPeriodLabel,
  briefingTitle,
  latestFullPeriod,
  nextBriefingRun,
  owedBriefings,
  scheduleKeyOf,
  type BriefingKind,
  type BriefingPeriod,
  type BriefingRun,
} from "~/domain/briefing/schedule";
import { formatDay, shanghaiDateTime, shanghaiDay } from "~/domain/calendar";
import { periodLabel, type MonthPeriod } from "~/domain/dashboard/period";
import type { Db } from "~/utils/db.server";
import type { ServiceContext } from "./context.server";
import { itemsUnderSupervision, rankingRows } from "./dashboard.server";
import { AppError, forbidden, notFound } from "./errors.server";
import { sendToUsers } from "./outbox.server";
import { readStoredClock } from "./project-aggregate.server";
import { refreshStaleStats } from "./stats.server";
import { getCalendar, getPolicy } from "./time-rules.server";
import { transaction } from "./transaction.server";

/**
 * The weekly and monthly 通报 (issue 13): generated on demand from
 * /dashboard/briefings and by the worker's daily 08:00 job when one is due
 * (domain/briefing/schedule.ts), stored with their content so a past briefing
 * never changes, shown as a printable page and downloaded as .xlsx.
 *
 * Weekly ranking: the department figures are stored per calendar month
 * (department_month_stats), so a week's ranking sums the months the week touches
 * and says so in the briefing (rankingNote). The overdue and 督办 lists are the
 * state on the morning the briefing is taken; new starts are those within the period.
 */

const inList = (xs: readonly (string | number)[]) => sql.join(xs.map((x) => sql`${x}`), sql`, `);
/** Stale projects an on-demand briefing brings up to today first (the dashboard's budget). */
const ON_DEMAND_REFRESH_MS = 300;
/** The 08:00 job may take longer: nobody waits for it, and a briefing is read for a week. */
const SCHEDULED_REFRESH_MS = 10_000;

function assertDashboard(actor: Actor) {
  if (!decide(actor, "dashboard.view").allowed) throw forbidden("没有查看通报的权限");
}

// ---------------------------------------------------------------- content

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

/** The months a period touches, as the ranking takes them. */
function monthsOf(p: BriefingPeriod): MonthPeriod {
  return { from: p.from.slice(0, 7), to: p.to.slice(0, 7) };
}

/** The clock columns readStoredClock reads (as getDrilldown selects them). */
const CLOCK_COLUMNS = sql`i.status as status, i.due_on as dueOn, i.accepted_on as acceptedOn, i.yellow_lead as yellowLead, i.kind as kind,
  i.statutory_limit as statutoryLimit, i.promised_limit as promisedLimit, i.limit_unit as limitUnit`;

/**
 * The briefing's content for a period as of `now`, read from the stored figures
 * (the dashboard's sources, so its counts equal the dashboard's on that morning).
 */
export function buildBriefingBody(db: Db, now: Date, period: BriefingPeriod, staleProjects: number): BriefingBody {
  const cal = getCalendar(db);
  const policy = getPolicy(db);
  const today = shanghaiDay(now);
  const todayText = formatDay(today);
  const overdueDays = (r: object) => readStoredClock(r as never, cal, today, policy.yellowLead).overdueWorkingDays;

  // The stored group sums (stats.server), as the dashboard reads them.
  const t = db.get<Omit<BriefingHeadline, "startedInPeriod">>(sql`
    select coalesce(sum(case when status = 'active' then n end), 0) as projects,
           coalesce(sum(case when status = 'active' then at_risk end), 0) as atRisk,
           coalesce(sum(case when status = 'active' then stalled end), 0) as stalled,
           coalesce(sum(red_items), 0) as overdueItems, coalesce(sum(supervised_items), 0) as supervisedItems,
           coalesce(sum(open_action_items), 0) as openActionItems
    from project_stats_totals`)!;

  const rankingPeriod = monthsOf(period);
  const ranking = rankingRows(db, rankingPeriod);

  // Overdue now: running (or awaiting acceptance) past the due date, most overdue first.
  const overdueWhere = sql`i.status in ('running', 'submitted') and i.due_on < ${todayText}`;
  const overdueTotal = db.get<{ n: number }>(sql`select count(*) as n from items i where ${overdueWhere}`)!.n;
  const overdueRaw = db.all<{ projectId: number; projectName: string; key: string; name: string; department: string | null; dueOn: string | null }>(sql`
    select i.project_id as projectId, p.name as projectName, i.key as key, i.name as name, d.name as department, ${CLOCK_COLUMNS}
    from items i join projects p on p.id = i.project_id left join departments d on d.id = i.department_id
    where ${overdueWhere} order by i.due_on, i.id limit ${BRIEFING_LIST_CAP}`);

  // Under 督办: a fired 督办/领导督办 on the item's current due date, or an open 督办单 on it
  // (getDrilldown's supervisedItems), then 督办单 on whole projects.
  const supervisedIds = itemsUnderSupervision(db, todayText);
  const supervisedWhere = supervisedIds.length ? sql`i.id in (${sql.join(supervisedIds.map((id) => sql`${id}`), sql`, `)})` : sql`0 = 1`;
  const supervisedItemsTotal = supervisedIds.length;
  const supervisedRaw = db.all<{ projectId: number; projectName: string; key: string; name: string; department: string | null; dueOn: string | null; leaderFired: number; superviseFired: number; notices: string | null }>(sql`
    select i.project_id as projectId, p.name as projectName, i.key as key, i.name as name, d.name as department, ${CLOCK_COLUMNS},
      exists (select 1 from escalations e where e.item_id = i.id and e.fired_at is not null and e.level = 'leader' and e.due_on = i.due_on) as leaderFired,
      exists (select 1 from escalations e where e.item_id = i.id and e.fired_at is not null and e.level = 'supervise' and e.due_on = i.due_on) as superviseFired,
      (select group_concat(a.title || '（限 ' || a.deadline_on || '）', '；') from action_items a where a.item_id = i.id and a.status = 'open' and a.source = 'supervision') as notices
    from items i join projects p on p.id = i.project_id left join departments d on d.id = i.department_id
    where ${supervisedWhere} order by i.due_on is null, i.due_on, i.id limit ${BRIEFING_LIST_CAP}`);
  const projectNoticeWhere = sql`a.status = 'open' and a.source = 'supervision' and a.item_id is null and a.project_id is not null`;
  const projectNoticesTotal = db.get<{ n: number }>(sql`select count(*) as n from action_items a where ${projectNoticeWhere}`)!.n;
  const projectNotices = db.all<{ projectId: number; projectName: string; title: string; department: string | null; dueOn: string }>(sql`
    select a.project_id as projectId, p.name as projectName, a.title as title, d.name as department, a.deadline_on as dueOn
    from action_items a join projects p on p.id = a.project_id left join departments d on d.id = a.owner_department_id
    where ${projectNoticeWhere} order by a.deadline_on, a.id limit ${BRIEFING_LIST_CAP}`);

  const started = db.all<BriefingStartedRow>(sql`
    select p.id as projectId, p.name as projectName, coalesce(e.name, '') as enterprise, p.level as level, p.industry as industry,
           p.signed_on as signedOn, s.started_on as startedOn, s.signed_to_start_days as signedToStartDays,
           s.signed_to_start_working_days as signedToStartWorkingDays
    from project_stats s join projects p on p.id = s.project_id left join enterprises e on e.id = p.enterprise_id
    where s.started_on between ${period.from} and ${period.to} and p.status <> 'withdrawn'
    order by s.started_on, p.id`);

  const proxies = proxyNames(db, [...new Set(overdueRaw.map((r) => r.projectId))]);
  const overdue: BriefingOverdueRow[] = overdueRaw.map((r) => ({
    projectId: r.projectId,
    projectName: r.projectName,
    itemKey: r.key,
    itemName: r.name,
    department: r.department,
    dueOn: r.dueOn,
    overdueWorkingDays: overdueDays(r),
    proxies: proxies.get(r.projectId) ?? [],
  }));
  const supervised: BriefingSupervisedRow[] = [
    ...supervisedRaw.map((r) => ({
      projectId: r.projectId,
      projectName: r.projectName,
      itemKey: r.key,
      itemName: r.name,
      department: r.department,
      dueOn: r.dueOn,
      overdueWorkingDays: overdueDays(r),
      how: [r.leaderFired ? "领导督办" : r.superviseFired ? "超期督办" : null, r.notices ? `督办单：${r.notices}` : null].filter(Boolean).join("；"),
    })),
    ...projectNotices.map((n) => ({
      projectId: n.projectId,
      projectName: n.projectName,
      itemKey: null,
      itemName: null,
      department: n.department,
      dueOn: n.dueOn,
      overdueWorkingDays: n.dueOn < todayText ? cal.workingDaysBetween(cal.parse(n.dueOn)!, today) : 0,
      how: `督办单（项目）：${n.title}`,
    })),
  ].slice(0, BRIEFING_LIST_CAP);

  const isWeek = period.kind === "weekly";
  return {
    version: 1,
    kind: period.kind,
    periodFrom: period.from,
    periodTo: period.to,
    periodLabel: briefingPeriodLabel(period),
    asOf: todayText,
    generatedAt: now.getTime(),
    staleProjects,
    headline: { ...t, startedInPeriod: started.length },
    rankingPeriod,
    rankingLabel: periodLabel(rankingPeriod),
    rankingNote: isWeek
      ? `部门排名按本周所跨月份（${periodLabel(rankingPeriod)}）的月度统计数据汇总，截至 ${todayText}；部门办件数据按月存储，不单独按周统计。`
      : null,
    ranking,
    overdue: { total: overdueTotal, rows: overdue },
    started,
    supervised: { total: supervisedItemsTotal + projectNoticesTotal, rows: supervised },
  };
}

function insertBriefing(tx: Db, period: BriefingPeriod, body: BriefingBody, scheduleKey: string | null, userId: number | null, now: Date): number | null {
  const row = tx
    .insert(briefings)
    .values({ kind: period.kind, periodFrom: period.from, periodTo: period.to, title: briefingTitle(period), body: JSON.stringify(body), scheduleKey, generatedByUserId: userId, createdAt: now.getTime() })
    .onConflictDoNothing({ target: briefings.scheduleKey })
    .returning({ id: briefings.id })
    .get();
  return row?.id ?? null;
}

// ---------------------------------------------------------------- generation

/**
 * 立即生成: a new briefing of `kind` for its latest full period (the previous week or
 * month), outside the schedule (no schedule key: asking twice makes two, each a record
 * of its moment). Tells nobody: the person who asked is looking at it.
 */
export function generateBriefingNow(ctx: ServiceContext, actor: Actor, kind: unknown): { id: number } {
  assertDashboard(actor);
  if (kind !== "weekly" && kind !== "monthly") throw new AppError("invalid", "请选择周通报或月通报", { kind: "请选择周通报或月通报" });
  const { db, now } = ctx;
  const stale = refreshStaleStats(db, now, { budgetMs: ON_DEMAND_REFRESH_MS, batch: 50 }).remaining;
  const period = latestFullPeriod(kind, shanghaiDay(now));
  const body = buildBriefingBody(db, now, period, stale);
  const id = transaction(db, (tx) => insertBriefing(tx, period, body, null, actor.id, now));
  return { id: id! };
}

export interface ScheduleRun {
  /** Briefings this run wrote, by schedule key. */
  created: { id: number; scheduleKey: string }[];
  /** Owed briefings already written by an earlier run (a redelivery, yesterday's catch-up). */
  already: string[];
  notified: number;
}

/**
 * The worker's daily 08:00 run: writes every briefing due by now (today's, and any the
 * last BRIEFING_CATCH_UP_DAYS days owed while the worker was down) that is not written
 * yet, each under its schedule key, and tells the active leaders in the same transaction.
 * Running it again — Bull redelivers, the watchdog re-adds the job — changes nothing: the
 * key is unique, and a briefing that was already there sends no message.
 */
export function runBriefingSchedule(db: Db, now: Date): ScheduleRun {
  const owed = owedBriefings(now.getTime(), getCalendar(db));
  const out: ScheduleRun = { created: [], already: [], notified: 0 };
  let stale: number | null = null;
  for (const period of owed) {
    const key = scheduleKeyOf(period);
    if (db.select({ id: briefings.id }).from(briefings).where(eq(briefings.scheduleKey, key)).get()) {
      out.already.push(key);
      continue;
    }
    stale ??= refreshStaleStats(db, now, { budgetMs: SCHEDULED_REFRESH_MS }).remaining;
    const body = buildBriefingBody(db, now, period, stale);
    transaction(db, (tx) => {
      const id = insertBriefing(tx, period, body, key, null, now);
      if (id === null) {
        out.already.push(key);
        return;
      }
      out.created.push({ id, scheduleKey: key });
      const leaders = tx.select({ id: users.id }).from(users).where(and(eq(users.role, "leader"), eq(users.active, true))).all();
      const h = body.headline;
      out.notified += sendToUsers(
        tx,
        leaders.map((u) => u.id),
        {
          kind: "briefing",
          title: `${briefingTitle(period)}已生成`,
          body: `超期事项 ${h.overdueItems} 项，督办中 ${h.supervisedItems} 项，停滞项目 ${h.stalled} 个，本期新开工 ${h.startedInPeriod} 个。`,
          link: `/dashboard/briefings/${id}`,
          dedupeKey: `briefing-${key}`,
        },
        now,
      );
    });
  }
  return out;
}

// ---------------------------------------------------------------- reading

export interface BriefingListRow {
  id: number;
  kind: BriefingKind;
  kindLabel: string;
  title: string;
  periodFrom: string;
  periodTo: string;
  scheduled: boolean;
  generatedBy: string | null;
  createdAt: string;
}

/** Past briefings, newest first (at most 500: ten years of weeklies and monthlies), and the next scheduled runs. */
export function listBriefings(ctx: ServiceContext, actor: Actor): { rows: BriefingListRow[]; next: Record<BriefingKind, BriefingRun>; latest: Record<BriefingKind, string> } {
  assertDashboard(actor);
  const { db, now } = ctx;
  const rows = db
    .select({ id: briefings.id, kind: briefings.kind, title: briefings.title, periodFrom: briefings.periodFrom, periodTo: briefings.periodTo, scheduleKey: briefings.scheduleKey, createdAt: briefings.createdAt, by: users.displayName })
    .from(briefings)
    .leftJoin(users, eq(users.id, briefings.generatedByUserId))
    .orderBy(desc(briefings.createdAt), desc(briefings.id))
    .limit(500)
    .all();
  const cal = getCalendar(db);
  const today = shanghaiDay(now);
  return {
    rows: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      kindLabel: BRIEFING_KIND_LABELS[r.kind],
      title: r.title,
      periodFrom: r.periodFrom,
      periodTo: r.periodTo,
      scheduled: r.scheduleKey !== null,
      generatedBy: r.by,
      createdAt: shanghaiDateTime(r.createdAt),
    })),
    next: { weekly: nextBriefingRun("weekly", now.getTime(), cal), monthly: nextBriefingRun("monthly", now.getTime(), cal) },
    latest: { weekly: briefingPeriodLabel(latestFullPeriod("weekly", today)), monthly: briefingPeriodLabel(latestFullPeriod("monthly", today)) },
  };
}

export interface BriefingView {
  id: number;
  kind: BriefingKind;
  kindLabel: string;
  title: string;
  scheduled: boolean;
  generatedBy: string | null;
  createdAt: string;
  body: BriefingBody;
}

/** One briefing as stored; 404 for an id that is not one. */
export function getBriefing(ctx: ServiceContext, actor: Actor, id: number): BriefingView {
  assertDashboard(actor);
  if (!Number.isSafeInteger(id) || id <= 0) throw notFound("通报");
  const r = ctx.db
    .select({ b: briefings, by: users.displayName })
    .from(briefings)
    .leftJoin(users, eq(users.id, briefings.generatedByUserId))
    .where(eq(briefings.id, id))
    .get();
  if (!r) throw notFound("通报");
  return {
    id: r.b.id,
    kind: r.b.kind,
    kindLabel: BRIEFING_KIND_LABELS[r.b.kind],
    title: r.b.title,
    scheduled: r.b.scheduleKey !== null,
    generatedBy: r.by,
    createdAt: shanghaiDateTime(r.b.createdAt),
    body: JSON.parse(r.b.body) as BriefingBody,
  };
}

// ---------------------------------------------------------------- Excel

// The other exports' header fill (ledger.server.ts, action-items.server.ts), so the workbooks read alike.
const FILL_HEADER: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFE2E8F0" } };

function addSheet(wb: ExcelJS.Workbook, name: (typeof BRIEFING_SHEETS)[number], columns: [string, number][], rows: (string | number | null)[][]) {
  const sheet = wb.addWorksheet(name);
  sheet.columns = columns.map(([header, width]) => ({ header, key: header, width }));
  const head = sheet.getRow(1);
  head.font = { bold: true };
  head.fill = FILL_HEADER;
  head.alignment = { vertical: "middle" };
  sheet.views = [{ state: "frozen", ySplit: 1 }];
  if (rows.length) sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  for (const r of rows) sheet.addRow(r.map((v) => v ?? ""));
  return sheet;
}

/** A note row under a capped list, so a reader of the file knows it is not the whole list. */
function capNote(sheet: ExcelJS.Worksheet, shown: number, total: number) {
  if (total > shown) sheet.addRow([`共 ${total} 项，此处列出前 ${shown} 项`]);
}

/**
 * The briefing as an Excel workbook: 概况, 部门排名, 超期事项, 新开工项目, 督办事项.
 * Dates are text `YYYY-MM-DD` (as printed on the page; no time-zone or locale shift in Excel).
 */
export async function exportBriefingFile(ctx: ServiceContext, actor: Actor, id: number): Promise<{ buffer: Buffer; fileName: string }> {
  const v = getBriefing(ctx, actor, id);
  const b = v.body;
  const wb = new ExcelJS.Workbook();
  wb.creator = "绿色通道";
  wb.created = new Date(b.generatedAt);

  const summary: (string | number | null)[][] = [
    ["通报", v.title],
    ["类型", v.kindLabel],
    ["统计期间", `${b.periodFrom} 至 ${b.periodTo}`],
    ["数据截至", b.asOf],
    ["生成时间", v.createdAt],
    ["生成方式", v.scheduled ? "定时生成" : `手动生成（${v.generatedBy ?? "—"}）`],
    ...(Object.keys(HEADLINE_LABELS) as (keyof BriefingHeadline)[]).map((k) => [HEADLINE_LABELS[k], b.headline[k]]),
    ["部门排名期间", b.rankingLabel],
  ];
  if (b.rankingNote) summary.push(["说明", b.rankingNote]);
  if (b.staleProjects) summary.push(["说明", `生成时有 ${b.staleProjects} 个项目的统计数据尚未更新到当日`]);
  addSheet(wb, "概况", [["项目", 18], ["内容", 70]], summary);

  addSheet(
    wb,
    "部门排名",
    [["名次", 6], ["部门", 24], ["办结件数", 10], ["按期办结", 10], ["按时办结率", 12], ["平均用时（工作日）", 18], ["平均承诺时限（工作日）", 22], ["期间超期件数", 14], ["督办次数", 10], ["当前超期", 10], ["好差评均分", 12], ["评价数", 8]],
    b.ranking.map((r) => [r.rank, r.name, r.handled, r.onTime, percent(r.onTimeRate), r.avgUsedDays, r.avgLimitDays, r.wentOverdue, r.supervised, r.overdueNow, r.rating?.average ?? null, r.rating?.count ?? null]),
  );

  const overdue = addSheet(
    wb,
    "超期事项",
    [["序号", 6], ["项目", 32], ["事项", 30], ["部门", 22], ["办理时限", 12], ["超期（工作日）", 14], ["代办员", 16]],
    b.overdue.rows.map((r, i) => [i + 1, r.projectName, r.itemName, r.department, r.dueOn, r.overdueWorkingDays, r.proxies.join("、")]),
  );
  capNote(overdue, b.overdue.rows.length, b.overdue.total);

  addSheet(
    wb,
    "新开工项目",
    [["序号", 6], ["项目", 32], ["企业", 28], ["级别", 8], ["行业", 14], ["签约日期", 12], ["开工日期", 12], ["签约至开工（天）", 16], ["签约至开工（工作日）", 20]],
    b.started.map((r, i) => [i + 1, r.projectName, r.enterprise, projectLevelLabel(r.level), r.industry, r.signedOn, r.startedOn, r.signedToStartDays, r.signedToStartWorkingDays]),
  );

  const supervised = addSheet(
    wb,
    "督办事项",
    [["序号", 6], ["项目", 32], ["事项", 30], ["部门", 22], ["办理时限", 12], ["超期（工作日）", 14], ["督办情况", 48]],
    b.supervised.rows.map((r, i) => [i + 1, r.projectName, r.itemName ?? "（项目整体）", r.department, r.dueOn, r.overdueWorkingDays, r.how]),
  );
  capNote(supervised, b.supervised.rows.length, b.supervised.total);

  const buffer = Buffer.from(await wb.xlsx.writeBuffer());
  const name = v.kind === "weekly" ? `周通报-${b.periodFrom}至${b.periodTo}` : `月通报-${b.periodFrom.slice(0, 7)}`;
  return { buffer, fileName: `${name}-${v.id}.xlsx` };
}
