import official from "./holidays-cn.json";
import type { CalendarData, YearArrangement } from "./working-calendar";

/**
 * The national arrangements shipped with the app (国务院办公厅 notices), transcribed
 * in shared/reference/holidays-cn.json. Later years are added by administrators
 * in the database, not by a code change.
 */
export function officialYears(): Record<string, YearArrangement> {
  const years: Record<string, YearArrangement> = {};
  for (const [year, y] of Object.entries(official.years)) {
    years[year] = { source: y.source, holidays: y.holidays, makeupWorkdays: y.makeupWorkdays };
  }
  return years;
}

export function officialCalendarData(): CalendarData {
  return { years: officialYears(), overrides: [] };
}
