/**
 * Phase 3 of the schedule: the forward pass (earliest dates, DESIGN §4).
 */
import { addCalendarDays, type DayNum, type WorkingCalendar } from "~/domain/calendar";
import { clockUnit, effectiveLimit, type ClockState } from "~/domain/clock";
import type { ScheduleGraph } from "./graph-index";
import type { ScheduleItemInput } from "./types";

// Status classes of the forward pass.
export const PLANNED = 0; // pending / rejected / withdrawn: computed from predecessors
export const FINISHED = 1; // approved / waived: actual dates
export const RUNNING = 2; // running: ES = acceptedOn, EF = max(dueOn, T)
export const PAUSED = 3; // correction / special / suspended: EF = T + remaining at pause

/**
 * Which rule of the forward pass dates an item. An item whose state lacks the
 * date its rule needs (approved without decidedOn, …) is planned like a pending one.
 *
 * @example
 * statusClass({ ...initialClockState(), status: "running", acceptedOn: d, dueOn: d2 }); // RUNNING
 */
export function statusClass(state: ClockState): number {
  switch (state.status) {
    case "approved":
    case "waived":
      return state.decidedOn !== null ? FINISHED : PLANNED;
    case "running":
      return state.acceptedOn !== null && state.dueOn !== null ? RUNNING : PLANNED;
    case "correction":
    case "special":
    case "suspended":
      return state.acceptedOn !== null ? PAUSED : PLANNED;
    default:
      return PLANNED;
  }
}

/** Earliest dates per item position, and what the backward pass and the forecast need from them. */
export interface ForwardResult {
  /** Status class per position (PLANNED, FINISHED, RUNNING, PAUSED). */
  cls: Uint8Array;
  /** Duration in working days per position. */
  dur: Int32Array;
  ES: Int32Array;
  EF: Int32Array;
  /** The latest EF of the project (and at least T): the LF of sinks that do not gate 开工. */
  horizon: DayNum;
  /** The latest EF among sinks (and at least T): the forecast when there is no 开工 milestone. */
  latestSink: DayNum;
}

/**
 * Forward pass in topological order: `ES = max(T, addWorkingDays(EF(p), lag))` over the
 * predecessors, `EF = addWorkingDays(ES, duration)`. Items under way use their real
 * dates: finished ES = acceptedOn ?? decidedOn, EF = decidedOn; running ES = acceptedOn,
 * EF = max(dueOn, T); paused ES = acceptedOn, EF = addWorkingDays(T, max(0, remainingAtPause))
 * — clamped at T like running items, since an unfinished item cannot finish before today.
 * A calendar-day limit lasts the working days it spans from the item's ES (DESIGN §4).
 *
 * @example
 * const f = forwardPass(items, g, orderItems(g, items, edges), cal, toDay("2026-03-02"));
 * formatDay(f.EF[g.index.get("start")!]); // "2026-03-26"
 */
export function forwardPass(
  items: readonly ScheduleItemInput[],
  g: ScheduleGraph,
  order: Int32Array,
  cal: WorkingCalendar,
  T: DayNum,
): ForwardResult {
  const n = g.n;
  const { predStart, predIdx, predLag, succStart } = g;
  const cls = new Uint8Array(n);
  const dur = new Int32Array(n);
  const ES = new Int32Array(n);
  const EF = new Int32Array(n);
  let horizon = T;
  let latestSink = T;
  for (let o = 0; o < n; o++) {
    const i = order[o];
    const spec = items[i].spec;
    const st = items[i].state;
    const c = statusClass(st);
    cls[i] = c;
    let es: number;
    let ef: number;
    if (c === FINISHED) {
      ef = st.decidedOn!;
      es = st.acceptedOn ?? ef;
    } else if (c === RUNNING) {
      es = st.acceptedOn!;
      ef = st.dueOn! > T ? st.dueOn! : T;
    } else if (c === PAUSED) {
      es = st.acceptedOn!;
      const r = st.remainingAtPause ?? 0;
      ef = r > 0 ? cal.addWorkingDays(T, r) : T;
    } else {
      es = T;
      for (let k = predStart[i], end = predStart[i + 1]; k < end; k++) {
        const lag = predLag[k];
        const v = lag === 0 ? EF[predIdx[k]] : cal.addWorkingDays(EF[predIdx[k]], lag);
        if (v > es) es = v;
      }
      ef = 0; // set below, once the duration is known
    }
    let d = effectiveLimit(spec);
    if (d !== 0 && spec.kind === "approval" && clockUnit(spec) === "calendarDays") {
      d = cal.workingDaysBetween(es, addCalendarDays(es, d));
    }
    dur[i] = d;
    if (c === PLANNED) ef = d === 0 ? es : cal.addWorkingDays(es, d);
    ES[i] = es;
    EF[i] = ef;
    if (ef > horizon) horizon = ef;
    if (succStart[i + 1] === succStart[i] && ef > latestSink) latestSink = ef;
  }
  return { cls, dur, ES, EF, horizon, latestSink };
}
