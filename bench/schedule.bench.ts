/**
 * Schedule benchmark (not a timed test; `npm run bench` prints the figures).
 *
 * 1. A random DAG of 1,000 items / 3,000 edges (seeded, deterministic): median of
 *    computeSchedule vs. a bare integer CPM (Kahn topological sort + forward/backward
 *    pass, integer durations and lags, no calendar) starting from the same keyed input.
 *    Budget: ≤ 3×.
 * 2. Full recompute of 10,000 projects × 25 items shaped like the general-industrial
 *    template, with items finished/running/paused/pending. Budget: ≤ 2,000 ms.
 */
import { performance } from "node:perf_hooks";
import { addCalendarDays, createWorkingCalendar, officialCalendarData, toDay, type DayNum } from "../app/domain/calendar";
import { initialClockState, replayClock, type ClockEvent, type ClockSpec, type ItemKind } from "../app/domain/clock";
import {
  computeSchedule,
  serializeSchedule,
  type ScheduleEdgeInput,
  type ScheduleInput,
  type ScheduleItemInput,
} from "../app/domain/schedule";
import { rng as prng } from "../tests/support/prng";


function makeSpec(kind: ItemKind, days: number, rnd: () => number): ClockSpec {
  return {
    kind,
    statutoryLimit: kind === "approval" ? days + 5 : null,
    promisedLimit: kind === "approval" ? days : null,
    limitUnit: kind === "approval" && rnd() < 0.1 ? "calendarDays" : "workingDays",
    plannedDuration: kind === "intermediary" || kind === "owner" ? days : null,
    correctionRestartsClock: rnd() < 0.2,
    yellowLead: null,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// ---------------------------------------------------------------------------
// 1. Random DAG

function randomDag(n: number, m: number, seed: number): ScheduleInput {
  const rnd = prng(seed);
  const items: ScheduleItemInput[] = [];
  const kinds: ItemKind[] = ["approval", "approval", "approval", "intermediary", "owner"];
  for (let i = 0; i < n - 1; i++) {
    const kind = kinds[Math.floor(rnd() * kinds.length)];
    const days = 1 + Math.floor(rnd() * 20);
    items.push({
      key: `i${i}`,
      name: `事项${i}`,
      department: kind === "approval" ? "发改" : null,
      kind,
      stage: 1 + Math.floor(rnd() * 4),
      spec: makeSpec(kind, days, rnd),
      state: initialClockState(),
    });
  }
  items.push({
    key: "start",
    name: "开工",
    department: null,
    kind: "milestone",
    stage: 3,
    spec: makeSpec("milestone", 0, rnd),
    state: initialClockState(),
  });
  // Edges go from a lower to a higher index (acyclic); 100 of them feed the start milestone
  // (index n − 1), the rest are random pairs. No duplicates.
  const seen = new Set<number>();
  const edges: ScheduleEdgeInput[] = [];
  const add = (f: number, t: number) => {
    const code = f * n + t;
    if (f >= t || seen.has(code)) return false;
    seen.add(code);
    edges.push({ from: items[f].key, to: items[t].key, lagWorkingDays: rnd() < 0.2 ? 1 + Math.floor(rnd() * 3) : 0 });
    return true;
  };
  while (edges.length < 100) add(Math.floor(rnd() * (n - 1)), n - 1);
  while (edges.length < m) {
    const a = Math.floor(rnd() * (n - 1));
    const b = Math.floor(rnd() * (n - 1));
    add(Math.min(a, b), Math.max(a, b));
  }
  // Shuffle the item order so the topological sort has real work to do.
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return { items, edges, targetStartOn: toDay("2026-12-31") };
}

interface BareResult {
  es: Int32Array;
  ef: Int32Array;
  ls: Int32Array;
  lf: Int32Array;
  slack: Int32Array;
  critical: Uint8Array;
}

/**
 * The yardstick: textbook CPM on integers from the same keyed input (index map, CSR
 * adjacency, Kahn, forward and backward pass, slack, minimum-slack critical set).
 */
function bareCpm(keys: readonly string[], durations: Int32Array, edges: readonly ScheduleEdgeInput[]): BareResult {
  const n = keys.length;
  const m = edges.length;
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) index.set(keys[i], i);
  const eFrom = new Int32Array(m);
  const eTo = new Int32Array(m);
  const predStart = new Int32Array(n + 1);
  const succStart = new Int32Array(n + 1);
  for (let k = 0; k < m; k++) {
    const f = index.get(edges[k].from)!;
    const t = index.get(edges[k].to)!;
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
  const pFill = predStart.slice(0, n);
  const sFill = succStart.slice(0, n);
  for (let k = 0; k < m; k++) {
    const lag = edges[k].lagWorkingDays;
    const p = pFill[eTo[k]]++;
    predIdx[p] = eFrom[k];
    predLag[p] = lag;
    const s = sFill[eFrom[k]]++;
    succIdx[s] = eTo[k];
    succLag[s] = lag;
  }
  const indeg = new Int32Array(n);
  for (let i = 0; i < n; i++) indeg[i] = predStart[i + 1] - predStart[i];
  const order = new Int32Array(n);
  let tail = 0;
  for (let i = 0; i < n; i++) if (indeg[i] === 0) order[tail++] = i;
  for (let h = 0; h < tail; h++) {
    const i = order[h];
    for (let k = succStart[i]; k < succStart[i + 1]; k++) if (--indeg[succIdx[k]] === 0) order[tail++] = succIdx[k];
  }
  if (tail < n) throw new Error("cycle");
  const es = new Int32Array(n);
  const ef = new Int32Array(n);
  let end = 0;
  for (let o = 0; o < n; o++) {
    const i = order[o];
    let v = 0;
    for (let k = predStart[i]; k < predStart[i + 1]; k++) {
      const x = ef[predIdx[k]] + predLag[k];
      if (x > v) v = x;
    }
    es[i] = v;
    ef[i] = v + durations[i];
    if (ef[i] > end) end = ef[i];
  }
  const ls = new Int32Array(n);
  const lf = new Int32Array(n);
  const slack = new Int32Array(n);
  let minSlack = Infinity;
  for (let o = n - 1; o >= 0; o--) {
    const i = order[o];
    let v = end;
    for (let k = succStart[i]; k < succStart[i + 1]; k++) {
      const x = ls[succIdx[k]] - succLag[k];
      if (x < v) v = x;
    }
    lf[i] = v;
    ls[i] = v - durations[i];
    slack[i] = v - ef[i];
    if (slack[i] < minSlack) minSlack = slack[i];
  }
  const critical = new Uint8Array(n);
  for (let i = 0; i < n; i++) critical[i] = slack[i] === minSlack ? 1 : 0;
  return { es, ef, ls, lf, slack, critical };
}

// ---------------------------------------------------------------------------
// 2. Template-like projects

interface TemplateItem {
  key: string;
  kind: ItemKind;
  days: number;
  stage: number;
}

const TEMPLATE: TemplateItem[] = [
  { key: "filing", kind: "approval", days: 1, stage: 1 },
  { key: "land_contract", kind: "owner", days: 25, stage: 1 },
  { key: "land_planning", kind: "approval", days: 5, stage: 1 },
  { key: "land_cert", kind: "approval", days: 5, stage: 1 },
  { key: "survey", kind: "intermediary", days: 20, stage: 2 },
  { key: "scheme_design", kind: "intermediary", days: 20, stage: 2 },
  { key: "scheme_review", kind: "approval", days: 7, stage: 2 },
  { key: "works_planning", kind: "approval", days: 7, stage: 2 },
  { key: "eia_doc", kind: "intermediary", days: 25, stage: 2 },
  { key: "eia", kind: "approval", days: 20, stage: 2 },
  { key: "energy_doc", kind: "intermediary", days: 15, stage: 2 },
  { key: "energy", kind: "approval", days: 10, stage: 2 },
  { key: "water_doc", kind: "intermediary", days: 20, stage: 2 },
  { key: "water", kind: "approval", days: 10, stage: 2 },
  { key: "drawings", kind: "intermediary", days: 30, stage: 3 },
  { key: "joint_review", kind: "approval", days: 10, stage: 3 },
  { key: "fire_design", kind: "approval", days: 15, stage: 3 },
  { key: "contractor", kind: "owner", days: 20, stage: 3 },
  { key: "construction_permit", kind: "approval", days: 7, stage: 3 },
  { key: "start", kind: "milestone", days: 0, stage: 3 },
  { key: "construction", kind: "owner", days: 200, stage: 4 },
  { key: "fire_acceptance", kind: "approval", days: 15, stage: 4 },
  { key: "joint_acceptance", kind: "approval", days: 10, stage: 4 },
  { key: "completion_record", kind: "approval", days: 5, stage: 4 },
  { key: "discharge", kind: "approval", days: 20, stage: 4 },
];

const TEMPLATE_EDGES: [string, string, number][] = [
  ["filing", "land_contract", 0],
  ["land_contract", "land_planning", 0],
  ["land_contract", "land_cert", 0],
  ["filing", "survey", 0],
  ["filing", "scheme_design", 0],
  ["scheme_design", "scheme_review", 0],
  ["land_planning", "scheme_review", 0],
  ["scheme_review", "works_planning", 0],
  ["land_cert", "works_planning", 0],
  ["filing", "eia_doc", 0],
  ["eia_doc", "eia", 0],
  ["filing", "energy_doc", 0],
  ["energy_doc", "energy", 0],
  ["filing", "water_doc", 0],
  ["water_doc", "water", 0],
  ["scheme_review", "drawings", 2],
  ["drawings", "joint_review", 0],
  ["survey", "joint_review", 0],
  ["drawings", "fire_design", 0],
  ["joint_review", "contractor", 0],
  ["works_planning", "construction_permit", 0],
  ["joint_review", "construction_permit", 0],
  ["fire_design", "construction_permit", 0],
  ["contractor", "construction_permit", 0],
  ["construction_permit", "start", 0],
  ["eia", "start", 0],
  ["energy", "start", 0],
  ["water", "start", 0],
  ["start", "construction", 0],
  ["construction", "fire_acceptance", 0],
  ["fire_acceptance", "joint_acceptance", 0],
  ["joint_acceptance", "completion_record", 0],
  ["eia", "discharge", 0],
];

const cal = createWorkingCalendar(officialCalendarData());

/**
 * One project as of `asOf`: walks the template in order, finishing the first items,
 * leaving a few running or paused, the rest pending.
 */
function templateProject(rnd: () => number, asOf: DayNum): ScheduleInput {
  const signed = addCalendarDays(asOf, -(30 + Math.floor(rnd() * 60)));
  const progress = Math.floor(rnd() * 16); // items touched so far
  const items: ScheduleItemInput[] = TEMPLATE.map((t, i) => {
    const spec = makeSpec(t.kind, t.days, rnd);
    const events: ClockEvent[] = [];
    if (i < progress) {
      const on = cal.addWorkingDays(signed, i * 2);
      if (t.kind === "milestone") {
        events.push({ type: "approve", on });
      } else {
        events.push({ type: "accept", on });
        const roll = rnd();
        const later = cal.addWorkingDays(on, 1 + Math.floor(rnd() * 3));
        if (roll < 0.6) events.push({ type: "approve", on: later });
        else if (roll < 0.75 && t.kind === "approval") events.push({ type: "request_correction", on: later });
        else if (roll < 0.85 && t.kind === "approval") events.push({ type: "start_special", on: later });
        // else: running
      }
    }
    const state = replayClock(events, spec, cal);
    // The 开工 milestone is found by its name (DESIGN §4), so the template milestone carries it.
    const name = t.kind === "milestone" ? "开工" : t.key;
    return { key: t.key, name, department: t.kind === "approval" ? "住建" : null, kind: t.kind, stage: t.stage, spec, state };
  });
  const edges = TEMPLATE_EDGES.map(([from, to, lag]) => ({ from, to, lagWorkingDays: lag }));
  return { items, edges, targetStartOn: addCalendarDays(signed, 120 + Math.floor(rnd() * 120)) };
}

// ---------------------------------------------------------------------------

export default async function run(): Promise<void> {
  const asOf = toDay("2026-03-02");

  // 1. 1,000 items / 3,000 edges.
  const dag = randomDag(1000, 3000, 20260302);
  const keys = dag.items.map((i) => i.key);
  // Durations for the yardstick: the same working-day figures the schedule uses for pending items.
  const durations = Int32Array.from(dag.items, (i) => i.spec.promisedLimit ?? i.spec.plannedDuration ?? 0);
  const RUNS = 60;
  for (let w = 0; w < 20; w++) {
    computeSchedule(dag, cal, asOf);
    bareCpm(keys, durations, dag.edges);
  }
  const tSchedule: number[] = [];
  const tBare: number[] = [];
  let sink = 0;
  for (let r = 0; r < RUNS; r++) {
    let t0 = performance.now();
    const s = computeSchedule(dag, cal, asOf);
    tSchedule.push(performance.now() - t0);
    sink += s.criticalPath.length;
    t0 = performance.now();
    const b = bareCpm(keys, durations, dag.edges);
    tBare.push(performance.now() - t0);
    sink += b.critical[0];
  }
  const ms = median(tSchedule);
  const mb = median(tBare);
  console.log(
    `schedule 1000 items/3000 edges: median ${ms.toFixed(3)} ms; bare topo CPM ${mb.toFixed(3)} ms; ` +
      `ratio ${(ms / mb).toFixed(1)}x (target ≤ 3x) [${RUNS} runs each]`,
  );

  // 2. 10,000 projects × 25 items.
  const rnd = prng(7);
  const projects: ScheduleInput[] = [];
  for (let p = 0; p < 10_000; p++) projects.push(templateProject(rnd, asOf));
  const statuses = new Map<string, number>();
  for (const p of projects) for (const it of p.items) statuses.set(it.state.status, (statuses.get(it.state.status) ?? 0) + 1);
  for (const p of projects.slice(0, 200)) computeSchedule(p, cal, asOf); // warm-up
  let t0 = performance.now();
  for (const p of projects) sink += computeSchedule(p, cal, asOf).forecastStartOn;
  const total = performance.now() - t0;
  t0 = performance.now();
  for (const p of projects) sink += serializeSchedule(computeSchedule(p, cal, asOf), cal).items.length;
  const totalJson = performance.now() - t0;
  const mix = [...statuses].map(([k, v]) => `${k} ${v}`).join(", ");
  console.log(
    `schedule full recompute 10000 projects × 25 items: ${total.toFixed(0)} ms (target ≤ 2000 ms); ` +
      `with serializeSchedule ${totalJson.toFixed(0)} ms [items: ${mix}]`,
  );
  if (sink === -1) console.log(""); // keep results alive
}
