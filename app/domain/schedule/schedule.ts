/**
 * The 倒排 (backward-planned) CPM schedule of one project (DESIGN §4), in
 * working days on the official calendar.
 *
 * Everything runs on integer day numbers and typed-array adjacency (CSR) built
 * once per call; the calendar's add/between are O(1) lookups. Dates are only
 * formatted by `serializeSchedule`, at the edge.
 */
import { addCalendarDays, type DayNum, type WorkingCalendar } from "~/domain/calendar";
import { findCycle } from "~/domain/graph/graph";
import {
  clockUnit,
  effectiveLimit,
  readClock,
  type ClockSpec,
  type ClockState,
  type ItemKind,
  type ItemStatus,
  type Warning,
} from "~/domain/clock";

export interface ScheduleItemInput {
  key: string;
  name: string;
  department: string | null;
  kind: ItemKind;
  stage: number;
  spec: ClockSpec;
  state: ClockState;
}

export interface ScheduleEdgeInput {
  from: string;
  to: string;
  lagWorkingDays: number;
}

export interface ScheduleInput {
  items: ScheduleItemInput[];
  edges: ScheduleEdgeInput[];
  /** The project's 开工 target. */
  targetStartOn: DayNum;
  /** Key of the 开工 milestone; default "start". */
  startKey?: string;
}

export interface ScheduledItem {
  key: string;
  name: string;
  department: string | null;
  kind: ItemKind;
  status: ItemStatus;
  /** Planned duration in working days (a calendar-day limit converted at the item's ES). */
  duration: number;
  earliestStart: DayNum;
  earliestFinish: DayNum;
  /** Null for finished items (已办结/免办): they have no latest dates or slack. */
  latestStart: DayNum | null;
  latestFinish: DayNum | null;
  totalSlack: number | null;
  critical: boolean;
  /** 可报件: not started (or to be refiled) and every prerequisite is finished. */
  ready: boolean;
  acceptedOn: DayNum | null;
  dueOn: DayNum | null;
  remainingWorkingDays: number | null;
  warning: Warning;
  paused: boolean;
}

export interface Schedule {
  asOf: DayNum;
  targetStartOn: DayNum;
  forecastStartOn: DayNum;
  atRisk: boolean;
  criticalPath: string[];
  provisional: boolean;
  items: ScheduledItem[];
}

/** Schedule JSON of `GET /api/v1/projects/:id/schedule` (DESIGN §6). */
export interface SerializedScheduledItem {
  key: string;
  name: string;
  department: string | null;
  kind: ItemKind;
  status: ItemStatus;
  duration: number;
  earliestStart: string;
  earliestFinish: string;
  latestStart: string | null;
  latestFinish: string | null;
  totalSlack: number | null;
  critical: boolean;
  acceptedOn: string | null;
  dueOn: string | null;
  remainingWorkingDays: number | null;
  warning: Warning;
}

export interface SerializedSchedule {
  asOf: string;
  targetStartOn: string;
  forecastStartOn: string;
  atRisk: boolean;
  criticalPath: string[];
  provisional: boolean;
  items: SerializedScheduledItem[];
}

// Status classes of the forward pass.
const PLANNED = 0; // pending / rejected / withdrawn: computed from predecessors
const FINISHED = 1; // approved / waived: actual dates
const RUNNING = 2; // running: ES = acceptedOn, EF = max(dueOn, T)
const PAUSED = 3; // correction / special / suspended: EF = T + remaining at pause

function statusClass(state: ClockState): number {
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
 * Design decision — what the 倒排 constrains: the target applies to the 开工 milestone
 * (`startKey`) and its ancestors only, the items that gate 开工. Items that are descendants
 * of the milestone or otherwise not its ancestors (stage-4 acceptance, 排污许可) do not
 * constrain the start: their LF = min over successors (LS − lag), sinks get LF = the latest
 * EF of the whole project, so their slack is relative to that horizon; they are never
 * `critical` and do not appear in `criticalPath`, and a pre-start item's LF ignores its
 * post-start successors. Without a `startKey` item the whole graph gates the start and the
 * latest sink stands in for the milestone.
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
  const items = input.items;
  const edges = input.edges;
  const n = items.length;
  const m = edges.length;
  const T = asOf;

  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const key = items[i].key;
    if (index.has(key)) throw new Error(`排期计算失败：事项编号“${key}”重复`);
    index.set(key, i);
  }

  // CSR adjacency: predecessors (with lags) and successors (with lags).
  const eFrom = new Int32Array(m);
  const eTo = new Int32Array(m);
  const predStart = new Int32Array(n + 1);
  const succStart = new Int32Array(n + 1);
  for (let k = 0; k < m; k++) {
    const e = edges[k];
    const f = index.get(e.from);
    const t = index.get(e.to);
    if (f === undefined || t === undefined) {
      throw new Error(`排期计算失败：依赖关系 ${e.from} → ${e.to} 指向不存在的事项`);
    }
    eFrom[k] = f;
    eTo[k] = t;
    predStart[t + 1]++;
    succStart[f + 1]++;
  }
  for (let i = 0; i < n; i++) {
    predStart[i + 1] += predStart[i];
    succStart[i + 1] += succStart[i];
  }
  const predIdx = new Int32Array(m);
  const predLag = new Int32Array(m);
  const succIdx = new Int32Array(m);
  const succLag = new Int32Array(m);
  {
    const pFill = predStart.slice(0, n);
    const sFill = succStart.slice(0, n);
    for (let k = 0; k < m; k++) {
      const f = eFrom[k];
      const t = eTo[k];
      const lag = edges[k].lagWorkingDays || 0;
      const pi = pFill[t]++;
      predIdx[pi] = f;
      predLag[pi] = lag;
      const si = sFill[f]++;
      succIdx[si] = t;
      succLag[si] = lag;
    }
  }

  // Kahn's algorithm; ties keep the input order so the critical path reads naturally.
  const order = new Int32Array(n);
  {
    const indeg = new Int32Array(n);
    for (let i = 0; i < n; i++) indeg[i] = predStart[i + 1] - predStart[i];
    let tail = 0;
    for (let i = 0; i < n; i++) if (indeg[i] === 0) order[tail++] = i;
    for (let head = 0; head < tail; head++) {
      const i = order[head];
      for (let k = succStart[i], end = succStart[i + 1]; k < end; k++) {
        const t = succIdx[k];
        if (--indeg[t] === 0) order[tail++] = t;
      }
    }
    if (tail < n) {
      const cycle = findCycle(
        items.map((it) => it.key),
        edges,
      );
      throw new Error(`排期计算失败：依赖关系存在循环（${(cycle ?? []).join(" → ")}）`);
    }
  }

  // Forward pass.
  const cls = new Uint8Array(n);
  const dur = new Int32Array(n);
  const ES = new Int32Array(n);
  const EF = new Int32Array(n);
  let minDay = T;
  let maxDay = T;
  for (let o = 0; o < n; o++) {
    const i = order[o];
    const item = items[i];
    const spec = item.spec;
    const st = item.state;
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
    if (es < minDay) minDay = es;
    if (ef > maxDay) maxDay = ef;
  }

  // Which items gate 开工: the start milestone and its ancestors.
  const startIdx = index.get(input.startKey ?? "start");
  const pre = new Uint8Array(n);
  if (startIdx === undefined) {
    pre.fill(1);
  } else {
    const stack = new Int32Array(n);
    let top = 0;
    pre[startIdx] = 1;
    stack[top++] = startIdx;
    while (top > 0) {
      const i = stack[--top];
      for (let k = predStart[i], end = predStart[i + 1]; k < end; k++) {
        const p = predIdx[k];
        if (pre[p] === 0) {
          pre[p] = 1;
          stack[top++] = p;
        }
      }
    }
  }

  let horizon = T;
  let latestSink = T;
  for (let i = 0; i < n; i++) {
    if (EF[i] > horizon) horizon = EF[i];
    if (succStart[i + 1] === succStart[i] && EF[i] > latestSink) latestSink = EF[i];
  }
  const target = cal.lastWorkingDayOnOrBefore(input.targetStartOn);

  // Backward pass.
  const LS = new Int32Array(n);
  const LF = new Int32Array(n);
  const slack = new Int32Array(n);
  let minSlack = Infinity;
  for (let o = n - 1; o >= 0; o--) {
    const i = order[o];
    const gates = pre[i] === 1;
    const s0 = succStart[i];
    const s1 = succStart[i + 1];
    let lf = gates ? target : s0 === s1 ? horizon : Infinity;
    for (let k = s0; k < s1; k++) {
      const s = succIdx[k];
      if (gates && pre[s] === 0) continue; // post-start successors do not constrain 开工
      const lag = succLag[k];
      const v = lag === 0 ? LS[s] : cal.addWorkingDays(LS[s], -lag);
      if (v < lf) lf = v;
    }
    const d = dur[i];
    const ls = d === 0 ? lf : cal.addWorkingDays(lf, -d);
    LF[i] = lf;
    LS[i] = ls;
    if (ls < minDay) minDay = ls;
    if (lf > maxDay) maxDay = lf;
    const sl = cal.workingDaysBetween(EF[i], lf);
    slack[i] = sl;
    if (gates && cls[i] !== FINISHED && sl < minSlack) minSlack = sl;
  }

  const forecastStartOn = startIdx === undefined ? latestSink : EF[startIdx];
  const criticalPath: string[] = [];
  const critical = new Uint8Array(n);
  for (let o = 0; o < n; o++) {
    const i = order[o];
    if (pre[i] === 1 && cls[i] !== FINISHED && slack[i] === minSlack) {
      critical[i] = 1;
      criticalPath.push(items[i].key);
    }
  }

  const out: ScheduledItem[] = new Array(n);
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
  if (target < minDay) minDay = target;

  return {
    asOf: T,
    targetStartOn: input.targetStartOn,
    forecastStartOn,
    atRisk: forecastStartOn > input.targetStartOn,
    criticalPath,
    provisional: cal.isProvisional(minDay, maxDay),
    items: out,
  };
}

/**
 * The schedule as the API's JSON (DESIGN §6): dates as `YYYY-MM-DD` through the
 * calendar's label cache; exactly the §6 field names (no `ready`/`paused`).
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
