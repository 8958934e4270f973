/**
 * The 倒排 (backward-planned) CPM schedule of one project (DESIGN §4), in
 * working days on the official calendar.
 *
 * `computeSchedule` composes named phases, each a pure function over integer day
 * numbers and position-indexed typed arrays built once per call (the calendar's
 * add/between are O(1) lookups):
 *
 * 1. `indexGraph`      (graph-index.ts)   keys → positions, CSR adjacency with lags
 * 2. `orderItems`      (graph-index.ts)   topological order (graph.ts Kahn), cycle error
 * 3. `forwardPass`     (forward-pass.ts)  ES/EF, durations, horizon, latest sink
 * 4. `gatesOfStart`    (gates.ts)         the 开工 milestone and its ancestors (graph.ts reach)
 * 5. `backwardPass`    (backward-pass.ts) LS/LF from the target
 * 6. `slackAndCritical`(backward-pass.ts) total slack, critical set and path
 * 7. `summarize`       (summarize.ts)     rows, forecast, atRisk, provisional
 *
 * Dates are only formatted by `serializeSchedule`, at the edge.
 */
import type { DayNum, WorkingCalendar } from "~/domain/calendar";
import { backwardPass, slackAndCritical } from "./backward-pass";
import { forwardPass } from "./forward-pass";
import { gatesOfStart, startIndexOf } from "./gates";
import { indexGraph, orderItems } from "./graph-index";
import { summarize } from "./summarize";
import type { Schedule, ScheduleInput } from "./types";

/**
 * Computes the project's schedule as of business date `asOf` (T).
 *
 * Forward pass (topological order): `ES = max(T, addWorkingDays(EF(p), lag))` over the
 * predecessors, `EF = addWorkingDays(ES, duration)`. Items already under way use their
 * real dates instead: finished ES = acceptedOn ?? decidedOn, EF = decidedOn; running
 * ES = acceptedOn, EF = max(dueOn, T); paused ES = acceptedOn,
 * EF = addWorkingDays(T, max(0, remainingAtPause)) — clamped at T like running items,
 * since an unfinished item cannot finish before today.
 *
 * Backward pass (倒排): from target = lastWorkingDayOnOrBefore(targetStartOn),
 * `LF = min(target, addWorkingDays(LS(s), −lag))` over successors, `LS = addWorkingDays(LF, −duration)`,
 * `totalSlack = workingDaysBetween(EF, LF)`.
 *
 * The 开工 milestone is `startKey` when given, else the item of kind milestone named 开工
 * whatever its key (`findStartKey`).
 *
 * Design decision — what the 倒排 constrains: the target applies to the 开工 milestone
 * and its ancestors only, the items that gate 开工. Items that are descendants
 * of the milestone or otherwise not its ancestors (stage-4 acceptance, 排污许可) do not
 * constrain the start: their LF = min over successors (LS − lag), sinks get LF = the latest
 * EF of the whole project, so their slack is relative to that horizon; they are never
 * `critical` and do not appear in `criticalPath`, and a pre-start item's LF ignores its
 * post-start successors. Without a 开工 milestone the whole graph gates the start and the
 * latest sink stands in for it.
 *
 * Critical: unfinished pre-start items with the minimum total slack; `criticalPath` lists
 * them in topological order. `forecastStartOn` = EF of the milestone; `atRisk` when it is
 * after targetStartOn. `provisional` when any date touched lies in a year without official
 * holiday data.
 *
 * @throws Error when the dependencies contain a cycle, an edge names an unknown item, or two
 *   items share a key.
 *
 * @example
 * const s = computeSchedule({ items, edges, targetStartOn: toDay("2026-06-30") }, cal, toDay("2026-03-02"));
 * s.forecastStartOn; s.criticalPath // ["filing", "eia", …, "start"]
 */
export function computeSchedule(
  input: ScheduleInput,
  cal: WorkingCalendar,
  asOf: DayNum,
  defaultYellowLead = 1,
): Schedule {
  const { items, edges } = input;
  const g = indexGraph(items, edges);
  const order = orderItems(g, items, edges);
  const fwd = forwardPass(items, g, order, cal, asOf);
  const startIdx = startIndexOf(input, g);
  const gates = gatesOfStart(g, startIdx);
  const target = cal.lastWorkingDayOnOrBefore(input.targetStartOn);
  const late = backwardPass(g, order, fwd, gates, target, cal);
  const crit = slackAndCritical(order, fwd, late, gates, cal);
  return summarize(input, { g, fwd, late, crit, startIdx, target }, cal, asOf, defaultYellowLead);
}
