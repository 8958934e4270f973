import { asc, sql } from "drizzle-orm";
import { calendarOverrides, calendarYears } from "../../db/schema";
import { createWorkingCalendar, officialYears, type CalendarOverride, type WorkingCalendar, type YearArrangement } from "~/domain/calendar";
import { DEFAULT_POLICY, type EscalationPolicy } from "~/domain/escalation/policy";
import type { Db } from "~/utils/db.server";

/*
 * The two inputs every time computation needs, read from the database: the
 * working calendar in force and the escalation policy. A leaf module on purpose:
 * it imports only the schema and the domain, so the services that plan timers,
 * edit the calendar or save the policy can all read them without importing
 * each other (that used to be an import cycle).
 */

let cached: { signature: string; cal: WorkingCalendar } | undefined;

/**
 * The calendar in force: the shipped national table, years administrators
 * added, and their overrides. Rebuilt only when those rows change; the
 * signature query is cheap and also notices edits made by another process.
 */
export function getCalendar(db: Db): WorkingCalendar {
  const sig = db.get<{ s: string }>(
    sql`select (select count(*) || ':' || coalesce(max(created_at), 0) || ':' || coalesce(sum(id), 0) from calendar_overrides)
            || '|' || (select count(*) || ':' || coalesce(max(created_at), 0) from calendar_years) as s`,
  ).s;
  if (cached && cached.signature === sig) return cached.cal;
  const years: Record<string, YearArrangement> = officialYears();
  for (const row of db.select().from(calendarYears).all()) {
    const data = JSON.parse(row.data) as Omit<YearArrangement, "source">;
    years[String(row.year)] = { source: row.source, ...data };
  }
  const overrides: CalendarOverride[] = db
    .select()
    .from(calendarOverrides)
    .orderBy(asc(calendarOverrides.date))
    .all()
    .map((o) => ({ date: o.date, kind: o.kind, reason: o.reason }));
  const cal = createWorkingCalendar({ years, overrides });
  cached = { signature: sig, cal };
  return cal;
}

export const POLICY_KEY = "escalationPolicy";

/** The deployment's escalation ladder: stored overrides on top of DESIGN §4's defaults. */
export function getPolicy(db: Db): EscalationPolicy {
  const row = db.get<{ value: string } | undefined>(sql`select value from settings where key = ${POLICY_KEY}`);
  if (!row) return DEFAULT_POLICY;
  return { ...DEFAULT_POLICY, ...(JSON.parse(row.value) as Partial<EscalationPolicy>) };
}

