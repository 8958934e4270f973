/**
 * Phases 1–2 of the schedule: the items' dependency graph as position-indexed
 * CSR adjacency with per-slot lags, and its topological order. Both built once
 * per `computeSchedule` call on top of `~/domain/graph/graph`.
 */
import { adjacencyIdx, findCycle, topologicalOrderIdx, type Adjacency } from "~/domain/graph/graph";
import type { ScheduleEdgeInput, ScheduleItemInput } from "./types";

/** The dependency graph over item positions (the index in `input.items`). */
export interface ScheduleGraph extends Adjacency {
  /** Item key → position. */
  index: Map<string, number>;
  /** Lag in working days of each predecessor slot (parallel to `predIdx`). */
  predLag: Int32Array;
  /** Lag in working days of each successor slot (parallel to `succIdx`). */
  succLag: Int32Array;
}

/**
 * Indexes items by key and builds the CSR adjacency with lags (a missing lag is 0).
 *
 * @throws Error (排期计算失败) when two items share a key or an edge names an unknown item.
 *
 * @example
 * const g = indexGraph(items, [{ from: "filing", to: "start", lagWorkingDays: 2 }]);
 * g.predLag[g.predStart[g.index.get("start")!]]; // 2
 */
export function indexGraph(items: readonly ScheduleItemInput[], edges: readonly ScheduleEdgeInput[]): ScheduleGraph {
  const n = items.length;
  const m = edges.length;
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const key = items[i].key;
    // One hash lookup per key (set, then see whether the map grew) instead of has + set.
    index.set(key, i);
    if (index.size === i) throw new Error(`排期计算失败：事项编号“${key}”重复`);
  }
  const from = new Int32Array(m);
  const to = new Int32Array(m);
  const lag = new Int32Array(m);
  for (let k = 0; k < m; k++) {
    const e = edges[k];
    const f = index.get(e.from);
    const t = index.get(e.to);
    if (f === undefined || t === undefined) {
      throw new Error(`排期计算失败：依赖关系 ${e.from} → ${e.to} 指向不存在的事项`);
    }
    from[k] = f;
    to[k] = t;
    lag[k] = e.lagWorkingDays || 0;
  }
  const adj = adjacencyIdx(n, from, to);
  // Lags copied into slot order once, so the passes read them alongside predIdx/succIdx.
  const predLag = new Int32Array(m);
  const succLag = new Int32Array(m);
  for (let k = 0; k < m; k++) {
    predLag[k] = lag[adj.predEdge[k]];
    succLag[k] = lag[adj.succEdge[k]];
  }
  return { ...adj, index, predLag, succLag };
}

/**
 * The items' positions in topological order (Kahn, first-ready-first-out: sources
 * in input order, so the critical path reads naturally).
 *
 * @throws Error (排期计算失败) naming the cycle when the dependencies contain one.
 *
 * @example
 * orderItems(indexGraph(items, edges), items, edges); // Int32Array [0, 2, 1, …]
 */
export function orderItems(
  g: ScheduleGraph,
  items: readonly ScheduleItemInput[],
  edges: readonly ScheduleEdgeInput[],
): Int32Array {
  const order = topologicalOrderIdx(g.n, g.succStart, g.succIdx, "queue");
  if (order === null) {
    // Error path only: the keyed search names the loop for the user.
    const cycle = findCycle(
      items.map((it) => it.key),
      edges,
    );
    throw new Error(`排期计算失败：依赖关系存在循环（${(cycle ?? []).join(" → ")}）`);
  }
  return order;
}
