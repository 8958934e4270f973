import type { DayNum, WorkingCalendar } from "~/domain/calendar";
import type { Schedule, SerializedSchedule } from "./types";

/**
 * The schedule as the API's JSON (DESIGN §6): dates as `YYYY-MM-DD` through the
 * calendar's label cache; exactly the §6 field names (no `ready`/`paused`).
 *
 * @example
 * serializeSchedule(computeSchedule(input, cal, asOf), cal).forecastStartOn; // "2026-03-26"
 */
export function serializeSchedule(s: Schedule, cal: WorkingCalendar): SerializedSchedule {
  const f = (d: DayNum | null) => (d === null ? null : cal.format(d));
  return {
    asOf: cal.format(s.asOf),
    targetStartOn: cal.format(s.targetStartOn),
    forecastStartOn: cal.format(s.forecastStartOn),
    atRisk: s.atRisk,
    criticalPath: [...s.criticalPath],
    provisional: s.provisional,
    items: s.items.map((it) => ({
      key: it.key,
      name: it.name,
      department: it.department,
      kind: it.kind,
      status: it.status,
      duration: it.duration,
      earliestStart: cal.format(it.earliestStart),
      earliestFinish: cal.format(it.earliestFinish),
      latestStart: f(it.latestStart),
      latestFinish: f(it.latestFinish),
      totalSlack: it.totalSlack,
      critical: it.critical,
      acceptedOn: f(it.acceptedOn),
      dueOn: f(it.dueOn),
      remainingWorkingDays: it.remainingWorkingDays,
      warning: it.warning,
    })),
  };
}
