/**
 * Business dates are `YYYY-MM-DD` strings at the edges and integer day numbers
 * (days since 1970-01-01) inside the domain, so that calendar arithmetic is
 * integer arithmetic and never depends on the process time zone.
 */
export type DayNum = number;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** Parses a strict `YYYY-MM-DD`; returns null for malformed or impossible dates (2026-02-30). */
export function parseDate(text: string): DayNum | null {
  const m = DATE_RE.exec(text);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return ms / MS_PER_DAY;
}

/** Like parseDate but throws; for trusted data (seed, templates, the official table). */
export function toDay(text: string): DayNum {
  const d = parseDate(text);
  if (d === null) throw new Error(`invalid date: ${text}`);
  return d;
}

export function formatDay(day: DayNum): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

export function yearOf(day: DayNum): number {
  return new Date(day * MS_PER_DAY).getUTCFullYear();
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function weekdayOf(day: DayNum): number {
  return (((day + 4) % 7) + 7) % 7;
}

export function addCalendarDays(day: DayNum, n: number): DayNum {
  return day + n;
}

/** The business date in Asia/Shanghai (UTC+8, no DST) at a given instant. */
export function shanghaiDay(instant: Date): DayNum {
  return Math.floor((instant.getTime() + 8 * 3_600_000) / MS_PER_DAY);
}

export function shanghaiToday(instant: Date): string {
  return formatDay(shanghaiDay(instant));
}

/**
 * An instant as Asia/Shanghai wall-clock time, `YYYY-MM-DD HH:mm`. Computed, not
 * `toLocaleString`: the server and the browser format it alike, so pages hydrate
 * with the same text whatever their locale data.
 *
 * @example shanghaiDateTime(Date.UTC(2026, 11, 2, 9, 13)) // → "2026-12-02 17:13"
 */
export function shanghaiDateTime(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16).replace("T", " ");
}
