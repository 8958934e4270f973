import { asc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { zhFieldErrorMap } from "~/domain/validation/zh-error-map";
import { calendarOverrides, calendarYears, clockEvents, items } from "../../db/schema";
import { decide, type Actor } from "~/domain/access/policy";
import { CalendarRangeError, MAX_YEAR, MIN_YEAR, officialYears, parseDate, toDay, weekdayOf, yearOf, type DayKind, type WorkingCalendar, type YearArrangement } from "~/domain/calendar";
import { replayClock } from "~/domain/clock";
import type { Db } from "~/utils/db.server";
import { writeAudit } from "./audit.server";
import { transactThenWake } from "./transaction.server";
import type { Wakeup } from "~/domain/escalation/wakeup";
import { replanAllIn } from "./escalation-timers.server";
import { invalidateAllStats } from "./stats.server";
import { getCalendar, getPolicy } from "./time-rules.server";
import type { ServiceContext } from "./context.server";
import { AppError, invalidInput, forbidden } from "./errors.server";
import { specOf, storedColumns, toClockEvent } from "./project-aggregate.server";

// ---------------------------------------------------------------- administration

const overrideSchema = z.object({
  date: z.string({ required_error: "请选择日期" }).refine((s) => parseDate(s) !== null, "日期无效（格式 YYYY-MM-DD）"),
  kind: z.enum(["rest", "work"], { errorMap: () => ({ message: "请选择“调整为休息日”或“调整为工作日”" }) }),
  reason: z.string({ required_error: "请填写原因" }).trim().min(2, "请填写调整原因（至少 2 个字）").max(200, "原因不超过 200 字"),
});

export interface CalendarDayView {
  date: string;
  day: number;
  weekday: number;
  kind: DayKind;
  working: boolean;
  label: string | null;
}

/** A year as 12 month grids for the admin page, with the official source and overrides. */
export function getCalendarYear(ctx: ServiceContext, actor: Actor, year: number) {
  if (!decide(actor, "admin.manage").allowed) throw forbidden("只有系统管理员可以管理工作日历");
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) throw new AppError("bad_request", `年份应在 ${MIN_YEAR}–${MAX_YEAR} 之间`);
  const cal = getCalendar(ctx.db);
  const months: CalendarDayView[][] = [];
  for (let m = 0; m < 12; m++) {
    const days: CalendarDayView[] = [];
    for (let d = toDay(`${year}-${String(m + 1).padStart(2, "0")}-01`); ; d++) {
      const text = cal.format(d);
      if (Number(text.slice(5, 7)) !== m + 1) break;
      const kind = cal.dayKind(d);
      days.push({
        date: text,
        day: Number(text.slice(8)),
        weekday: weekdayOf(d),
        kind,
        working: cal.isWorkingDay(d),
        label: kind.startsWith("override") ? cal.overrideReason(d) ?? null : cal.holidayName(d) ?? null,
      });
    }
    months.push(days);
  }
  const added = ctx.db.select().from(calendarYears).where(eq(calendarYears.year, year)).get();
  const shipped = officialYears()[String(year)];
  const overrides = ctx.db
    .select()
    .from(calendarOverrides)
    .where(sql`substr(${calendarOverrides.date}, 1, 4) = ${String(year)}`)
    .orderBy(asc(calendarOverrides.date))
    .all();
  let workingDays = 0;
  for (const m of months) for (const d of m) if (d.working) workingDays++;
  return {
    year,
    official: cal.hasOfficialData(year),
    source: shipped?.source ?? added?.source ?? null,
    addedByAdmin: !!added && !shipped,
    officialYears: cal.officialYearList(),
    months,
    overrides,
    workingDays,
  };
}

/** Re-derives every item's stored clock columns after the calendar changed (due dates move). */
function recomputeItemClocks(tx: Db, cal: WorkingCalendar, now: Date, wakeups: Wakeup[]): number {
  const rows = tx.select().from(items).where(sql`exists (select 1 from clock_events e where e.item_id = ${items.id})`).all();
  const events = tx.select().from(clockEvents).where(inArray(clockEvents.itemId, rows.map((r) => r.id))).orderBy(asc(clockEvents.id)).all();
  const byItem = new Map<number, (typeof clockEvents.$inferSelect)[]>();
  for (const e of events) byItem.set(e.itemId, [...(byItem.get(e.itemId) ?? []), e]);
  let changed = 0;
  const policy = getPolicy(tx);
  for (const row of rows) {
    const state = replayClock((byItem.get(row.id) ?? []).map(toClockEvent), specOf(row), cal);
    const cols = storedColumns(state, (d) => cal.format(d));
    if (cols.dueOn !== row.dueOn || cols.commitmentOn !== row.commitmentOn) {
      tx.update(items).set({ ...cols, version: row.version + 1, updatedAt: now.getTime() }).where(eq(items.id, row.id)).run();
      changed++;
    }
  }
  // Every timer is re-derived from the new calendar (escalation days move even when a due date does not).
  wakeups.push(...replanAllIn(tx, cal, policy));
  // Due dates and working-day counts moved everywhere: the stored figures are recomputed by the worker's sweep.
  invalidateAllStats(tx);
  return changed;
}

/**
 * One calendar edit: the change, its audit row, every item's recomputed clock
 * and re-planned timers commit together; wake-ups are handed to Bull after.
 */
function changeCalendar(ctx: ServiceContext, write: (tx: Db) => void): { recomputed: number } {
  return transactThenWake(ctx.db, (t, wake) => {
    write(t);
    const wakeups: Wakeup[] = [];
    const recomputed = recomputeItemClocks(t, getCalendar(t), ctx.now, wakeups);
    wake(wakeups);
    return { recomputed };
  });
}

export function addCalendarOverride(ctx: ServiceContext, actor: Actor, raw: unknown): { recomputed: number } {
  if (!decide(actor, "admin.manage").allowed) throw forbidden("只有系统管理员可以管理工作日历");
  const parsed = overrideSchema.safeParse(raw, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  const { date, kind, reason } = parsed.data;
  const current = getCalendar(ctx.db);
  const day = parseDate(date)!;
  if (current.isWorkingDay(day) === (kind === "work")) {
    throw new AppError("invalid", `${date} 已经是${kind === "work" ? "工作日" : "休息日"}，无需调整`, { date: "无需调整" });
  }
  return changeCalendar(ctx, (tx) => {
    tx.delete(calendarOverrides).where(eq(calendarOverrides.date, date)).run();
    const row = tx.insert(calendarOverrides).values({ date, kind, reason, createdByUserId: actor.id, createdAt: ctx.now.getTime() }).returning().get();
    writeAudit(tx, { actorUserId: actor.id, action: "calendar.override", entityType: "calendar_override", entityId: row.id, detail: { date, kind, reason } }, ctx.now);
  });
}

export function removeCalendarOverride(ctx: ServiceContext, actor: Actor, id: number): { recomputed: number } {
  if (!decide(actor, "admin.manage").allowed) throw forbidden("只有系统管理员可以管理工作日历");
  return changeCalendar(ctx, (tx) => {
    const row = tx.select().from(calendarOverrides).where(eq(calendarOverrides.id, id)).get();
    if (!row) throw new AppError("not_found", "该调整记录不存在");
    tx.delete(calendarOverrides).where(eq(calendarOverrides.id, id)).run();
    writeAudit(tx, { actorUserId: actor.id, action: "calendar.override.remove", entityType: "calendar_override", entityId: id, detail: row }, ctx.now);
  });
}

const LINE_RE = /^\s*(\S+)\s+(\d{4}-\d{2}-\d{2})\s*(?:(?:至|到|~|-|—)\s*)?(\d{4}-\d{2}-\d{2})?\s*$/;

/**
 * Parses the admin form for a new year's national arrangement. Holidays are
 * one per line, `名称 起始日期 [结束日期]`; make-up working days are dates
 * separated by spaces, commas or new lines.
 */
export function parseYearArrangement(year: number, holidaysText: string, makeupText: string): YearArrangement & { problems: string[] } {
  const problems: string[] = [];
  const holidays: YearArrangement["holidays"] = [];
  holidaysText
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .forEach((line, i) => {
      const m = LINE_RE.exec(line);
      if (!m) return problems.push(`第 ${i + 1} 行格式应为“名称 起始日期 [结束日期]”：${line}`);
      const [, name, from, toRaw] = m;
      const to = toRaw ?? from;
      const f = parseDate(from);
      const t = parseDate(to);
      if (f === null || t === null) return problems.push(`第 ${i + 1} 行日期无效：${line}`);
      if (t < f) return problems.push(`第 ${i + 1} 行结束日期早于起始日期：${line}`);
      if (yearOf(f) !== year && yearOf(t) !== year) return problems.push(`第 ${i + 1} 行不在 ${year} 年内：${line}`);
      holidays.push({ name, from, to });
    });
  const makeupWorkdays: string[] = [];
  for (const token of makeupText.split(/[\s,，、;；]+/).filter(Boolean)) {
    const d = parseDate(token);
    if (d === null) problems.push(`调休上班日期无效：${token}`);
    else if (yearOf(d) !== year) problems.push(`调休上班日期不在 ${year} 年内：${token}`);
    else if (weekdayOf(d) !== 0 && weekdayOf(d) !== 6) problems.push(`调休上班日 ${token} 不是周末，无需列出`);
    else if (holidays.some((h) => token >= h.from && token <= h.to)) problems.push(`调休上班日 ${token} 落在假期之内`);
    else makeupWorkdays.push(token);
  }
  if (!holidays.length) problems.push("请至少填写一个节假日");
  return { holidays, makeupWorkdays, problems };
}

const yearSchema = z.object({
  year: z.coerce.number({ invalid_type_error: "年份无效" }).int("年份无效").min(MIN_YEAR, "年份无效").max(MAX_YEAR, "年份无效"),
  source: z.string({ required_error: "请填写通知文号或来源" }).trim().min(4, "请填写通知文号或来源").max(300),
  holidays: z.string().default(""),
  makeupWorkdays: z.string().default(""),
});

/** Adds a year's national arrangement (e.g. 2027 once the State Council publishes it); due dates are recomputed. */
export function addCalendarYear(ctx: ServiceContext, actor: Actor, raw: unknown): { recomputed: number } {
  if (!decide(actor, "admin.manage").allowed) throw forbidden("只有系统管理员可以管理工作日历");
  const parsed = yearSchema.safeParse(raw, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  const { year, source } = parsed.data;
  if (officialYears()[String(year)]) throw new AppError("conflict", `${year} 年的官方安排已内置，不能重复录入（如需个别调整请使用“单日调整”）`);
  const arrangement = parseYearArrangement(year, parsed.data.holidays, parsed.data.makeupWorkdays);
  if (arrangement.problems.length) throw new AppError("invalid", arrangement.problems.join("；"), { holidays: arrangement.problems[0] });
  return changeCalendar(ctx, (tx) => {
    tx.delete(calendarYears).where(eq(calendarYears.year, year)).run();
    tx.insert(calendarYears)
      .values({ year, source, data: JSON.stringify({ holidays: arrangement.holidays, makeupWorkdays: arrangement.makeupWorkdays }), createdByUserId: actor.id, createdAt: ctx.now.getTime() })
      .run();
    writeAudit(tx, { actorUserId: actor.id, action: "calendar.year", entityType: "calendar_year", entityId: year, detail: { source, ...arrangement } }, ctx.now);
  });
}

// ---------------------------------------------------------------- API queries

function requireDateParam(name: string, value: string | null): number {
  if (!value) throw new AppError("bad_request", `缺少参数 ${name}（格式 YYYY-MM-DD）`);
  const d = parseDate(value);
  if (d === null) throw new AppError("bad_request", `参数 ${name} 不是有效日期：${value}（格式 YYYY-MM-DD）`);
  return d;
}

function guardRange<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CalendarRangeError) throw new AppError("invalid", e.message);
    throw e;
  }
}

/** `addWorkingDays` for the API: the date and whether it leans on a year without official data. */
export function calendarAdd(ctx: ServiceContext, from: string | null, days: string | null) {
  const start = requireDateParam("from", from);
  if (days === null || !/^-?\d{1,5}$/.test(days.trim())) throw new AppError("bad_request", "参数 days 应为整数（-99999 至 99999）");
  const n = Number(days);
  const cal = getCalendar(ctx.db);
  return guardRange(() => {
    const result = cal.addWorkingDays(start, n);
    return { date: cal.format(result), provisional: cal.isProvisional(start, result) };
  });
}

export function calendarBetween(ctx: ServiceContext, from: string | null, to: string | null) {
  const a = requireDateParam("from", from);
  const b = requireDateParam("to", to);
  const cal = getCalendar(ctx.db);
  return guardRange(() => ({ workingDays: cal.workingDaysBetween(a, b), provisional: cal.isProvisional(a, b) }));
}
