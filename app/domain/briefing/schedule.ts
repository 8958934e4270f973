import { formatDay, parseDate, shanghaiDay, type DayNum, type WorkingCalendar } from "../calendar";
import { weekStart } from "../dashboard/period";
import { instantOf } from "../escalation/policy";

/**
 * When the 周通报 and 月通报 come out (issue 13). A weekly briefing covers a
 * Monday–Sunday week and is due on the Monday after it; a monthly one covers a
 * calendar month and is due on the 1st of the next. Both at 08:00 Asia/Shanghai,
 * and working-day aware: when the nominal day is a rest day (weekend, 春节, 国庆…)
 * the briefing comes out at 08:00 of the next working day. A make-up working
 * Saturday or Sunday (调休) before that Monday does not bring the weekly forward:
 * on that day the week it reports is not over yet.
 *
 * Pure: the caller passes today / the instant and the working calendar.
 */

export const BRIEFING_KINDS = ["weekly", "monthly"] as const;
export type BriefingKind = (typeof BRIEFING_KINDS)[number];

export const BRIEFING_KIND_LABELS: Record<BriefingKind, string> = {
  weekly: "周通报",
  monthly: "月通报",
};

export function isBriefingKind(v: unknown): v is BriefingKind {
  return typeof v === "string" && (BRIEFING_KINDS as readonly string[]).includes(v);
}

/** The wall-clock hour (Asia/Shanghai) a briefing comes out on its due day. */
export const BRIEFING_HOUR = 8;

/**
 * How far back (calendar days) the daily run looks for briefings it should have
 * made: a worker that was down on the due morning catches up when it returns.
 * A week covers a worker down over a weekend plus a few days.
 */
export const BRIEFING_CATCH_UP_DAYS = 7;

export interface BriefingPeriod {
  kind: BriefingKind;
  /** First and last day covered, `YYYY-MM-DD`. */
  from: string;
  to: string;
}

const MS_PER_DAY = 86_400_000;

/** The instant of 08:00 Asia/Shanghai on a business day. */
export function briefingInstant(day: DayNum): number {
  return instantOf(day, { hour: BRIEFING_HOUR, minute: 0 });
}

/** `weekly-2026-11-23` (the week's Monday) / `monthly-2026-11`: one scheduled briefing per period. */
export function scheduleKeyOf(p: BriefingPeriod): string {
  return p.kind === "weekly" ? `weekly-${p.from}` : `monthly-${p.from.slice(0, 7)}`;
}

/** The Monday–Sunday week starting on `monday`. */
export function weekPeriod(monday: DayNum): BriefingPeriod {
  return { kind: "weekly", from: formatDay(monday), to: formatDay(monday + 6) };
}

/** The calendar month holding `day`. */
export function monthPeriod(day: DayNum): BriefingPeriod {
  const text = formatDay(day);
  const [y, m] = text.split("-").map(Number);
  const first = parseDate(`${text.slice(0, 7)}-01`)!;
  const nextFirst = Date.UTC(m === 12 ? y + 1 : y, m === 12 ? 0 : m, 1) / MS_PER_DAY;
  return { kind: "monthly", from: formatDay(first), to: formatDay(nextFirst - 1) };
}

/** The period of `kind` right after `p` (the next week / month). */
export function nextPeriod(p: BriefingPeriod): BriefingPeriod {
  const after = parseDate(p.to)! + 1;
  return p.kind === "weekly" ? weekPeriod(after) : monthPeriod(after);
}

/**
 * The latest full period on `today`: the previous Monday–Sunday week, or the
 * previous calendar month. What "立即生成" reports.
 *
 * @example latestFullPeriod("weekly", toDay("2026-12-02")) // → 2026-11-23 … 2026-11-29
 */
export function latestFullPeriod(kind: BriefingKind, today: DayNum): BriefingPeriod {
  if (kind === "weekly") return weekPeriod(weekStart(today) - 7);
  return monthPeriod(parseDate(`${formatDay(today).slice(0, 7)}-01`)! - 1);
}

/** The nominal day of a period's briefing: the Monday after the week, the 1st after the month. */
export function nominalDueDay(p: Pick<BriefingPeriod, "to">): DayNum {
  return parseDate(p.to)! + 1;
}

/**
 * The day a period's briefing comes out: the nominal day when it is a working
 * day, else the first working day after it.
 *
 * @example
 * // The week of 2026-02-09 ends in 春节 (02-15 … 02-23): due Tue 2026-02-24, not Mon 02-16.
 * briefingDueOn({ kind: "weekly", from: "2026-02-09", to: "2026-02-15" }, cal) // → 2026-02-24
 */
export function briefingDueOn(p: Pick<BriefingPeriod, "to">, cal: WorkingCalendar): DayNum {
  const nominal = nominalDueDay(p);
  return cal.isWorkingDay(nominal) ? nominal : cal.addWorkingDays(nominal, 1);
}

/**
 * The briefings (kind and period) due to come out on `today`, weeklies first, oldest
 * period first. A day may owe several: the working day after 春节 owes two weeklies,
 * the one after 国庆 the weekly and the monthly. A rest day owes none.
 */
export function dueBriefings(today: DayNum, cal: WorkingCalendar): BriefingPeriod[] {
  if (!cal.isWorkingDay(today)) return [];
  const out: BriefingPeriod[] = [];
  // A due day is at most one long holiday (≤ 9 rest days in the official tables) past its
  // nominal day; five weeks / two months back covers that with room for administrator overrides.
  for (let k = 5; k >= 1; k--) {
    const p = weekPeriod(weekStart(today) - 7 * k);
    if (briefingDueOn(p, cal) === today) out.push(p);
  }
  let month = latestFullPeriod("monthly", today);
  const months = [month];
  month = monthPeriod(parseDate(month.from)! - 1);
  months.unshift(month);
  for (const p of months) if (briefingDueOn(p, cal) === today) out.push(p);
  return out;
}

/**
 * What the daily run should have made by `now` (an instant): every briefing due on
 * a day from `catchUpDays` ago to today, today's only once 08:00 has passed. The
 * caller writes each under its schedule key, so asking again changes nothing.
 */
export function owedBriefings(now: number, cal: WorkingCalendar, catchUpDays = BRIEFING_CATCH_UP_DAYS): BriefingPeriod[] {
  const today = shanghaiDay(new Date(now));
  const out: BriefingPeriod[] = [];
  for (let d = today - catchUpDays; d <= today; d++) {
    if (briefingInstant(d) > now) continue;
    out.push(...dueBriefings(d, cal));
  }
  return out;
}

export interface BriefingRun {
  period: BriefingPeriod;
  /** The due day, `YYYY-MM-DD`, and the instant (08:00 Asia/Shanghai that day). */
  dueOn: string;
  at: number;
  /** "2026-02-24 08:00", for the page. */
  label: string;
  /** The due day rests on a year without an official holiday arrangement (DESIGN §4): may still move. */
  provisional: boolean;
}

/**
 * The next scheduled run of `kind` strictly after the instant `after`.
 *
 * @example
 * // Asked on Tue 2026-02-10: the week of 02-09 ends in 春节, so the next 周通报 is 2026-02-24 08:00.
 * nextBriefingRun("weekly", Date.parse("2026-02-10T09:00:00+08:00"), cal).label // → "2026-02-24 08:00"
 */
export function nextBriefingRun(kind: BriefingKind, after: number, cal: WorkingCalendar): BriefingRun {
  // Due days never go backwards from one period to the next, so walking forward from a
  // period whose briefing may already be out finds the first one still to come.
  let p = latestFullPeriod(kind, shanghaiDay(new Date(after)));
  p = kind === "weekly" ? weekPeriod(parseDate(p.from)! - 14) : monthPeriod(parseDate(p.from)! - 1);
  for (;;) {
    const due = briefingDueOn(p, cal);
    const at = briefingInstant(due);
    if (at > after) {
      const dueOn = formatDay(due);
      return { period: p, dueOn, at, label: `${dueOn} ${String(BRIEFING_HOUR).padStart(2, "0")}:00`, provisional: cal.isProvisional(nominalDueDay(p), due) };
    }
    p = nextPeriod(p);
  }
}

/**
 * The period in words: "2026 年 11 月" or "2026-11-23 至 2026-11-29".
 */
export function briefingPeriodLabel(p: BriefingPeriod): string {
  if (p.kind === "monthly") return `${p.from.slice(0, 4)} 年 ${Number(p.from.slice(5, 7))} 月`;
  return `${p.from} 至 ${p.to}`;
}

/** "重点项目审批周通报（2026-11-23 至 2026-11-29）". */
export function briefingTitle(p: BriefingPeriod): string {
  return `重点项目审批${BRIEFING_KIND_LABELS[p.kind]}（${briefingPeriodLabel(p)}）`;
}
