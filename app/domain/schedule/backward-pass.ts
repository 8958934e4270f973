/**
 * Phases 5–6 of the schedule: the backward pass (倒排, latest dates), then total
 * slack and the critical path (DESIGN §4).
 */
import type { DayNum, WorkingCalendar } from "~/domain/calendar";
import { FINISHED, type ForwardResult } from "./forward-pass";
import type { ScheduleGraph } from "./graph-index";

/** Latest dates per item position. */
export interface BackwardResult {
  LS: Int32Array;
  LF: Int32Array;
}

/**
 * Backward pass in reverse topological order: `LF = min(limit, addWorkingDays(LS(s), −lag))`
 * over the successors, `LS = addWorkingDays(LF, −duration)`.
 *
 * Design decision — what the 倒排 constrains: the limit is `target` (the last working day
 * on or before targetStartOn) only for items that gate 开工 (`gates`); a gating item
 * ignores its post-start successors. Items that do not gate 开工 (stage-4 acceptance,
 * 排污许可) take the min over all their successors, and sinks among them LF = `horizon`,
 * the latest EF of the whole project, so their slack is relative to that horizon.
 *
 * @example
 * const b = backwardPass(g, order, fwd, gates, cal.lastWorkingDayOnOrBefore(target), cal);
 * formatDay(b.LF[g.index.get("start")!]); // "2026-04-03"
 */
export function backwardPass(
  g: ScheduleGraph,
  order: Int32Array,
  fwd: ForwardResult,
  gates: Uint8Array,
  target: DayNum,
  cal: WorkingCalendar,
): BackwardResult {
  const n = g.n;
  const { succStart, succIdx, succLag } = g;
  const { dur, horizon } = fwd;
  const LS = new Int32Array(n);
  const LF = new Int32Array(n);
  for (let o = n - 1; o >= 0; o--) {
    const i = order[o];
    const gating = gates[i] === 1;
    const s0 = succStart[i];
    const s1 = succStart[i + 1];
    // A non-gating item with successors always meets at least one below, so Infinity never lands in LF.
    let lf = gating ? target : s0 === s1 ? horizon : Infinity;
    for (let k = s0; k < s1; k++) {
      const s = succIdx[k];
      if (gating && gates[s] === 0) continue; // post-start successors do not constrain 开工
      const lag = succLag[k];
      const v = lag === 0 ? LS[s] : cal.addWorkingDays(LS[s], -lag);
      if (v < lf) lf = v;
    }
    const d = dur[i];
    LF[i] = lf;
    LS[i] = d === 0 ? lf : cal.addWorkingDays(lf, -d);
  }
  return { LS, LF };
}

/** Total slack per position, the critical marks and the critical positions in topological order. */
export interface SlackResult {
  slack: Int32Array;
  critical: Uint8Array;
  criticalOrder: number[];
}

/**
 * `totalSlack = workingDaysBetween(EF, LF)` for every item (negative when late). Critical:
 * the unfinished items that gate 开工 with the minimum total slack, listed in topological
 * order. Finished items and items after 开工 are never critical.
 *
 * @example
 * const c = slackAndCritical(order, fwd, late, gates, cal);
 * c.criticalOrder.map((i) => items[i].key); // ["filing", "land", "plan", "start"]
 */
export function slackAndCritical(
  order: Int32Array,
  fwd: ForwardResult,
  late: BackwardResult,
  gates: Uint8Array,
  cal: WorkingCalendar,
): SlackResult {
  const n = order.length;
  const { cls, EF } = fwd;
  const { LF } = late;
  const slack = new Int32Array(n);
  let minSlack = Infinity;
  for (let i = 0; i < n; i++) {
    const sl = cal.workingDaysBetween(EF[i], LF[i]);
    slack[i] = sl;
    if (gates[i] === 1 && cls[i] !== FINISHED && sl < minSlack) minSlack = sl;
  }
  const critical = new Uint8Array(n);
  const criticalOrder: number[] = [];
  for (let o = 0; o < n; o++) {
    const i = order[o];
    if (gates[i] === 1 && cls[i] !== FINISHED && slack[i] === minSlack) {
      critical[i] = 1;
      criticalOrder.push(i);
    }
  }
  return { slack, critical, criticalOrder };
}
