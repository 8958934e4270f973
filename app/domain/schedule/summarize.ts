/**
 * Phase 7 of the schedule: the per-item rows, the forecast and the provisional flag.
 */
import type { DayNum, WorkingCalendar } from "~/domain/calendar";
import { readClock } from "~/domain/clock";
import type { BackwardResult, SlackResult } from "./backward-pass";
import { FINISHED, type ForwardResult } from "./forward-pass";
import type { ScheduleGraph } from "./graph-index";
import type { Schedule, ScheduledItem, ScheduleInput } from "./types";

/** What the earlier phases computed, by item position. */
export interface SchedulePhases {
  g: ScheduleGraph;
  fwd: ForwardResult;
  late: BackwardResult;
  crit: SlackResult;
  /** Position of the 开工 milestone, −1 when there is none. */
  startIdx: number;
  /** The 倒排 target: the last working day on or before targetStartOn. */
  target: DayNum;
}

/**
 * Assembles the `Schedule`: one row per item in input order (finished items without
 * latest dates or slack; `ready` = not started or to be refiled with every prerequisite
 * finished; the clock reading for due date and warning), `forecastStartOn` = EF of the
 * 开工 milestone or else the latest sink, `atRisk` when it is after targetStartOn, and
 * `provisional` when any date touched lies in a year without official holiday data.
 *
 * @example
 * const s = summarize(input, { g, fwd, late, crit, startIdx, target }, cal, T, 1);
 * s.forecastStartOn; s.atRisk; s.items[0].critical
 */
export function summarize(
  input: ScheduleInput,
  phases: SchedulePhases,
  cal: WorkingCalendar,
  T: DayNum,
  defaultYellowLead: number,
): Schedule {
  const { g, fwd, late, crit, startIdx, target } = phases;
  const items = input.items;
  const n = items.length;
  const { predStart, predIdx } = g;
  const { cls, dur, ES, EF } = fwd;
  const { LS, LF } = late;
  const { slack, critical } = crit;

  const out: ScheduledItem[] = new Array(n);
  let minDay = T < target ? T : target;
  let maxDay = T;
  for (let i = 0; i < n; i++) {
    const item = items[i];
    const st = item.state;
    const finished = cls[i] === FINISHED;
    let ready = false;
    if (st.status === "pending" || st.status === "rejected" || st.status === "withdrawn") {
      ready = true;
      for (let k = predStart[i], end = predStart[i + 1]; k < end; k++) {
        if (cls[predIdx[k]] !== FINISHED) {
          ready = false;
          break;
        }
      }
    }
    // Every date the schedule touched, finished items' latest dates included, bounds the
    // provisional check: the passes consulted the calendar there.
    if (ES[i] < minDay) minDay = ES[i];
    if (LS[i] < minDay) minDay = LS[i];
    if (EF[i] > maxDay) maxDay = EF[i];
    if (LF[i] > maxDay) maxDay = LF[i];
    const reading = readClock(st, item.spec, cal, T, defaultYellowLead);
    out[i] = {
      key: item.key,
      name: item.name,
      department: item.department,
      kind: item.kind,
      status: st.status,
      duration: dur[i],
      earliestStart: ES[i],
      earliestFinish: EF[i],
      latestStart: finished ? null : LS[i],
      latestFinish: finished ? null : LF[i],
      totalSlack: finished ? null : slack[i],
      critical: critical[i] === 1,
      ready,
      acceptedOn: st.acceptedOn,
      dueOn: reading.dueOn,
      remainingWorkingDays: reading.remainingWorkingDays,
      warning: reading.warning,
      paused: reading.paused,
    };
  }
  if (input.targetStartOn < minDay) minDay = input.targetStartOn;
  if (input.targetStartOn > maxDay) maxDay = input.targetStartOn;

  const forecastStartOn = startIdx < 0 ? fwd.latestSink : EF[startIdx];
  return {
    asOf: T,
    targetStartOn: input.targetStartOn,
    forecastStartOn,
    atRisk: forecastStartOn > input.targetStartOn,
    criticalPath: crit.criticalOrder.map((i) => items[i].key),
    provisional: cal.isProvisional(minDay, maxDay),
    items: out,
  };
}
