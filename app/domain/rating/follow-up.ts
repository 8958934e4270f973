import type { DayNum, WorkingCalendar } from "~/domain/calendar";

/**
 * 差评整改 within 15 working days (DESIGN §4, after Sichuan's 好差评 rules, the
 * seed's province). A deployment may set another number (setting
 * `ratingFollowUpDays`); this is what applies when none is stored.
 */
export const DEFAULT_RATING_FOLLOW_UP_DAYS = 15;

/**
 * The follow-up of a 差评 given on `ratedOn`: due `addWorkingDays(ratedOn, days)`.
 *
 * @example ratingFollowUpDueOn(toDay("2026-09-21"), cal) // → 2026-10-19 (中秋 and 国庆 skipped, make-up Sat 10-10 counted)
 */
export function ratingFollowUpDueOn(ratedOn: DayNum, cal: WorkingCalendar, days: number = DEFAULT_RATING_FOLLOW_UP_DAYS): DayNum {
  return cal.addWorkingDays(ratedOn, days);
}
