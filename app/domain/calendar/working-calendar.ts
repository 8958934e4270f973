import { formatDay, parseDate, toDay, weekdayOf, yearOf, type DayNum } from "./dates";

export interface HolidayBlock {
  name: string;
  from: string;
  to: string;
}

export interface YearArrangement {
  source?: string;
  holidays: HolidayBlock[];
  makeupWorkdays: string[];
}

export type OverrideKind = "rest" | "work";

export interface CalendarOverride {
  date: string;
  kind: OverrideKind;
  reason?: string | null;
}

export interface CalendarData {
  /** Official arrangements keyed by year ("2026"). A year absent here has no official data. */
  years: Record<string, YearArrangement>;
  /** Administrator overrides; they win over the official table. */
  overrides?: CalendarOverride[];
}

export type DayKind = "workday" | "weekend" | "holiday" | "makeup" | "override-rest" | "override-work";

export class CalendarRangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CalendarRangeError";
  }
}

export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;

/**
 * A working-day calendar precomputed over 2000–2100: a per-date ordinal
 * (working days up to and including the date) makes add/between O(1)
 * lookups instead of day-by-day loops, which the schedule and the timer
 * sweeps call hundreds of thousands of times.
 *
 * @example
 * const cal = createWorkingCalendar(officialCalendarData());
 * cal.addWorkingDays(toDay("2026-02-13"), 1) // → 2026-02-14, a make-up Saturday
 */
export class WorkingCalendar {
  readonly base: DayNum;
  readonly end: DayNum;
  private readonly kinds: Uint8Array;
  private readonly ord: Int32Array;
  private readonly workIdx: Int32Array;
  private readonly officialYears: Set<number>;
  private readonly holidayNames: Map<DayNum, string>;
  private readonly overrideReasons: Map<DayNum, string>;
  private readonly labels: string[];

  constructor(data: CalendarData) {
    this.base = toDay(`${MIN_YEAR}-01-01`);
    this.end = toDay(`${MAX_YEAR}-12-31`);
    const len = this.end - this.base + 1;
    this.kinds = new Uint8Array(len);
    this.officialYears = new Set();
    this.holidayNames = new Map();
    this.overrideReasons = new Map();

    for (let i = 0; i < len; i++) {
      const wd = weekdayOf(this.base + i);
      this.kinds[i] = wd === 0 || wd === 6 ? KIND.weekend : KIND.workday;
    }
    for (const [yearText, arrangement] of Object.entries(data.years)) {
      this.officialYears.add(Number(yearText));
      for (const block of arrangement.holidays) {
        for (let d = toDay(block.from); d <= toDay(block.to); d++) {
          this.set(d, KIND.holiday);
          this.holidayNames.set(d, block.name);
        }
      }
      for (const date of arrangement.makeupWorkdays) this.set(toDay(date), KIND.makeup);
    }
    for (const o of data.overrides ?? []) {
      const d = toDay(o.date);
      this.set(d, o.kind === "rest" ? KIND.overrideRest : KIND.overrideWork);
      if (o.reason) this.overrideReasons.set(d, o.reason);
    }

    this.ord = new Int32Array(len);
    const work: number[] = [];
    let count = 0;
    for (let i = 0; i < len; i++) {
      if (IS_WORK[this.kinds[i]]) {
        count++;
        work.push(i);
      }
      this.ord[i] = count;
    }
    this.workIdx = Int32Array.from(work);
    this.labels = new Array(len);
  }

  private set(day: DayNum, kind: number) {
    const i = day - this.base;
    if (i < 0 || i >= this.kinds.length) return;
    this.kinds[i] = kind;
  }

  private index(day: DayNum): number {
    const i = day - this.base;
    if (i < 0 || i >= this.kinds.length) {
      throw new CalendarRangeError(`日期超出日历支持范围（${MIN_YEAR}–${MAX_YEAR} 年）`);
    }
    return i;
  }

  isWorkingDay(day: DayNum): boolean {
    return IS_WORK[this.kinds[this.index(day)]] === 1;
  }

  dayKind(day: DayNum): DayKind {
    return KIND_NAMES[this.kinds[this.index(day)]];
  }

  holidayName(day: DayNum): string | undefined {
    return this.holidayNames.get(day);
  }

  overrideReason(day: DayNum): string | undefined {
    return this.overrideReasons.get(day);
  }

  /** n > 0: the n-th working day strictly after `day`; n < 0: the |n|-th strictly before; 0: `day`. */
  addWorkingDays(day: DayNum, n: number): DayNum {
    const i = this.index(day);
    if (!Number.isInteger(n)) throw new RangeError(`working-day count must be an integer, got ${n}`);
    if (n === 0) return day;
    let k: number;
    if (n > 0) {
      k = this.ord[i] + n - 1;
    } else {
      k = this.ord[i] - IS_WORK[this.kinds[i]] + n;
    }
    if (k < 0 || k >= this.workIdx.length) {
      throw new CalendarRangeError(`日期超出日历支持范围（${MIN_YEAR}–${MAX_YEAR} 年）`);
    }
    return this.base + this.workIdx[k];
  }

  /** For a ≤ b, the working days d with a < d ≤ b; for a > b, the negative of between(b, a). */
  workingDaysBetween(a: DayNum, b: DayNum): number {
    return this.ord[this.index(b)] - this.ord[this.index(a)];
  }

  lastWorkingDayOnOrBefore(day: DayNum): DayNum {
    return this.isWorkingDay(day) ? day : this.addWorkingDays(day, -1);
  }

  hasOfficialData(year: number): boolean {
    return this.officialYears.has(year);
  }

  officialYearList(): number[] {
    return [...this.officialYears].sort((x, y) => x - y);
  }

  /** True when any year between the two dates (inclusive) has no official arrangement. */
  isProvisional(a: DayNum, b: DayNum = a): boolean {
    let y1 = yearOf(Math.min(a, b));
    const y2 = yearOf(Math.max(a, b));
    for (; y1 <= y2; y1++) if (!this.officialYears.has(y1)) return true;
    return false;
  }

  /** Cached `YYYY-MM-DD` labels: formatting thousands of schedule dates stays cheap. */
  format(day: DayNum): string {
    const i = day - this.base;
    if (i < 0 || i >= this.labels.length) return formatDay(day);
    return (this.labels[i] ??= formatDay(day));
  }

  parse(text: string): DayNum | null {
    return parseDate(text);
  }
}

const KIND = { workday: 0, weekend: 1, holiday: 2, makeup: 3, overrideRest: 4, overrideWork: 5 } as const;
const IS_WORK = Uint8Array.from([1, 0, 0, 1, 0, 1]);
const KIND_NAMES: DayKind[] = ["workday", "weekend", "holiday", "makeup", "override-rest", "override-work"];

export function createWorkingCalendar(data: CalendarData): WorkingCalendar {
  return new WorkingCalendar(data);
}
