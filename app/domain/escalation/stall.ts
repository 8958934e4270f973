import type { DayNum, WorkingCalendar } from "../calendar";
import { instantOf, type EscalationPolicy, type PlannedEscalation } from "./policy";

/**
 * The stall rule (DESIGN §4), stated once: a project is stalled when it is
 * active, still has open items, and has seen no progress (a clock event or a
 * 代办日志 entry) for `stallAfter` working days. The escalation planner, the
 * dashboard and the API all ask these functions, with the one `stallAfter`
 * from the deployment's policy, so they cannot disagree about a project.
 */
export interface StallFacts {
  /** Only an active project can stall: a started or completed one has nothing left to chase. */
  projectActive: boolean;
  /** At least one item not yet finished (approved or waived). */
  hasOpenItems: boolean;
  /** The last progress date; null when none was ever recorded. */
  lastProgressOn: DayNum | null;
}

/**
 * Working days since the last progress, as of `asOf`, for a project the rule
 * applies to; null when it cannot stall (inactive, nothing open, no date).
 *
 * @example
 * // last progress Wed 2026-09-30; 10-01..10-07 国庆, 10-10 a make-up Saturday
 * idleWorkingDays({ projectActive: true, hasOpenItems: true, lastProgressOn: toDay("2026-09-30") }, toDay("2026-10-12"), cal) // → 4 (10-08, 10-09, 10-10, 10-12)
 */
export function idleWorkingDays(facts: StallFacts, asOf: DayNum, cal: WorkingCalendar): number | null {
  if (!facts.projectActive || !facts.hasOpenItems || facts.lastProgressOn === null) return null;
  return cal.workingDaysBetween(facts.lastProgressOn, asOf);
}

/**
 * Whether the project is stalled on `asOf`: idle for at least `stallAfter`
 * working days. Equivalent to `asOf >= stallsOn(...)`, which is the day the
 * stall escalation fires.
 *
 * @example
 * // the project above, last progress 2026-09-30
 * isStalled(facts, toDay("2026-10-12"), 3, cal) // → true (idle 4 ≥ 3)
 * isStalled(facts, toDay("2026-10-12"), 5, cal) // → false
 */
export function isStalled(facts: StallFacts, asOf: DayNum, stallAfter: number, cal: WorkingCalendar): boolean {
  const idle = idleWorkingDays(facts, asOf, cal);
  return idle !== null && idle >= stallAfter;
}

/**
 * The working day on which the project becomes stalled if nothing happens:
 * `addWorkingDays(lastProgressOn, stallAfter)`; null when it cannot stall.
 *
 * @example
 * // last progress 2026-09-30: 10-08, 10-09, 10-10 (make-up), 10-12, 10-13
 * stallsOn(facts, 5, cal) // → 2026-10-13
 */
export function stallsOn(facts: StallFacts, stallAfter: number, cal: WorkingCalendar): DayNum | null {
  if (!facts.projectActive || !facts.hasOpenItems || facts.lastProgressOn === null) return null;
  return cal.addWorkingDays(facts.lastProgressOn, stallAfter);
}

/**
 * The stall escalation of a project, or null when it cannot stall. It fires
 * once per last-progress date (the key carries the date): new progress moves
 * the date and re-arms it.
 *
 * @example
 * // last progress Thu 2026-04-30; 05-01..05-05 劳动节, 05-09 a make-up Saturday
 * planStallEscalation(3, { projectActive: true, hasOpenItems: true, lastProgressOn: toDay("2026-04-30") }, cal, DEFAULT_POLICY)
 * // → fires 2026-05-11 09:00, key "project-3-stall-2026-04-30"
 */
export function planStallEscalation(projectId: number, facts: StallFacts, cal: WorkingCalendar, policy: EscalationPolicy): PlannedEscalation | null {
  const fireOn = stallsOn(facts, policy.stallAfter, cal);
  if (fireOn === null || facts.lastProgressOn === null) return null;
  return {
    level: "stall",
    dueOn: facts.lastProgressOn,
    fireOn,
    fireAt: instantOf(fireOn, policy.fireAt),
    dedupeKey: `project-${projectId}-stall-${cal.format(facts.lastProgressOn)}`,
  };
}
