import { formatDay, parseDate, weekdayOf, type DayNum } from "../calendar";

/**
 * Periods of the department ranking (红黑榜) and the 通报: runs of whole calendar
 * months, since the stored figures are kept per department and month.
 */
export interface MonthPeriod {
  /** First and last month, `YYYY-MM`, from ≤ to. */
  from: string;
  to: string;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function monthOf(day: string): string {
  return day.slice(0, 7);
}

export function isMonth(text: string): boolean {
  return MONTH.test(text);
}

/** The months from `from` to `to` inclusive (empty when from > to). */
export function monthsIn(p: MonthPeriod): string[] {
  const out: string[] = [];
  let [y, m] = p.from.split("-").map(Number);
  const [ty, tm] = p.to.split("-").map(Number);
  while (y < ty || (y === ty && m <= tm)) {
    out.push(`${y}-${String(m).padStart(2, "0")}`);
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

export function addMonths(month: string, n: number): string {
  const [y, m] = month.split("-").map(Number);
  const k = y * 12 + (m - 1) + n;
  return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, "0")}`;
}

/** First and last calendar day of a month. */
export function monthBounds(month: string): { from: string; to: string } {
  const next = addMonths(month, 1);
  const last = formatDay(parseDate(`${next}-01`)! - 1);
  return { from: `${month}-01`, to: last };
}

export const PERIOD_PRESETS = ["this_month", "last_month", "this_quarter", "this_year", "last_12_months"] as const;
export type PeriodPreset = (typeof PERIOD_PRESETS)[number];
export const PERIOD_PRESET_LABELS: Record<PeriodPreset, string> = {
  this_month: "本月",
  last_month: "上月",
  this_quarter: "本季度",
  this_year: "本年",
  last_12_months: "近 12 个月",
};

export function presetPeriod(preset: PeriodPreset, today: string): MonthPeriod {
  const month = monthOf(today);
  const [y, m] = month.split("-").map(Number);
  switch (preset) {
    case "this_month":
      return { from: month, to: month };
    case "last_month":
      return { from: addMonths(month, -1), to: addMonths(month, -1) };
    case "this_quarter":
      return { from: `${y}-${String(Math.floor((m - 1) / 3) * 3 + 1).padStart(2, "0")}`, to: month };
    case "this_year":
      return { from: `${y}-01`, to: month };
    case "last_12_months":
      return { from: addMonths(month, -11), to: month };
  }
}

/**
 * Reads a period from a query (`?preset=` or `?from=YYYY-MM&to=YYYY-MM`); anything
 * else falls back to the default preset with a message saying so.
 */
export function parsePeriod(q: { preset?: string | null; from?: string | null; to?: string | null }, today: string, fallback: PeriodPreset = "this_year"): { period: MonthPeriod; preset: PeriodPreset | null; error: string | null } {
  if (q.from || q.to) {
    const from = q.from ?? "";
    const to = q.to ?? from;
    if (!isMonth(from) || !isMonth(to)) return { period: presetPeriod(fallback, today), preset: fallback, error: "统计期间应为“年-月”，如 2026-01" };
    if (from > to) return { period: presetPeriod(fallback, today), preset: fallback, error: "统计期间的起始月份晚于截止月份" };
    if (monthsIn({ from, to }).length > 36) return { period: presetPeriod(fallback, today), preset: fallback, error: "统计期间最长 36 个月" };
    return { period: { from, to }, preset: null, error: null };
  }
  const preset = (PERIOD_PRESETS as readonly string[]).includes(q.preset ?? "") ? (q.preset as PeriodPreset) : fallback;
  return { period: presetPeriod(preset, today), preset, error: q.preset && preset !== q.preset ? "未知的统计期间，已按默认期间显示" : null };
}

export function periodLabel(p: MonthPeriod): string {
  const f = (m: string) => `${m.slice(0, 4)} 年 ${Number(m.slice(5))} 月`;
  return p.from === p.to ? f(p.from) : `${f(p.from)} 至 ${f(p.to)}`;
}

/** The Monday of the week holding `day` (weeks run Monday to Sunday). */
export function weekStart(day: DayNum): DayNum {
  return day - ((weekdayOf(day) + 6) % 7);
}
