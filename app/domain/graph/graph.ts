/**
 * Pure graph algorithms. Dependencies are finish-to-start edges `from → to`
 * (from is a prerequisite of to).
 *
 * Two layers: index-based functions (`…Idx`) over item positions 0..n−1 and a
 * compressed-sparse-row adjacency, for hot paths such as the schedule (thousands
 * of items, recomputed per request); and keyed wrappers over item keys for
 * templates, layouts and tests. Each algorithm is written once, in the index
 * layer; the keyed functions only translate keys to positions and back.
 */
export interface Edge {
  from: string;
  to: string;
}

/**
 * Compressed sparse row adjacency over positions 0..n−1: the predecessors of `i`
 * are `predIdx[predStart[i] .. predStart[i+1])`, its successors likewise in
 * `succIdx`. `predEdge`/`succEdge` give the index of the edge each slot came
 * from, so callers can attach per-edge data (lags) without a second map.
 * Within one node's slots, edges keep their input order.
 */
export interface Adjacency {
  n: number;
  predStart: Int32Array;
  predIdx: Int32Array;
  predEdge: Int32Array;
  succStart: Int32Array;
  succIdx: Int32Array;
  succEdge: Int32Array;
}

/**
 * Builds the CSR adjacency of `n` nodes from parallel edge arrays (edge k is
 * `from[k] → to[k]`, both valid positions). Two counting passes, no per-node arrays.
 *
 * @example
 * const g = adjacencyIdx(3, Int32Array.of(0, 1), Int32Array.of(1, 2)); // 0 → 1 → 2
 * g.succIdx.subarray(g.succStart[0], g.succStart[1]); // Int32Array [1]
 */
export function adjacencyIdx(n: number, from: Int32Array, to: Int32Array): Adjacency {
  const m = from.length;
  const predStart = new Int32Array(n + 1);
  const succStart = new Int32Array(n + 1);
  for (let k = 0; k < m; k++) {
    predStart[to[k] + 1]++;
    succStart[from[k] + 1]++;
  }
  for (let i = 0; i < n; i++) {
    predStart[i + 1] += predStart[i];
    succStart[i + 1] += succStart[i];
  }
  const predIdx = new Int32Array(m);
  const predEdge = new Int32Array(m);
  const succIdx = new Int32Array(m);
  const succEdge = new Int32Array(m);
  const pFill = predStart.slice(0, n);
  const sFill = succStart.slice(0, n);
  for (let k = 0; k < m; k++) {
    const f = from[k];
    const t = to[k];
    const p = pFill[t]++;
    predIdx[p] = f;
    predEdge[p] = k;
    const s = sFill[f]++;
    succIdx[s] = t;
    succEdge[s] = k;
  }
  return { n, predStart, predIdx, predEdge, succStart, succIdx, succEdge };
}

/**
 * How Kahn's algorithm breaks ties between nodes that are ready at the same time:
 * - `"position"`: the lowest position first (a min-heap). The order then depends
 *   only on the node list, never on the order the edges were written in (edge
 *   lists come from DB queries and user edits) — what layouts and tables need.
 * - `"queue"`: first ready, first out (a FIFO queue, O(n + m), no heap). Sources
 *   come in position order and later nodes in the order they become ready; the
 *   schedule uses it, its critical path having always been listed this way.
 */
export type TopoTies = "position" | "queue";

/**
 * Kahn's algorithm over a successor CSR: positions in a dependency-respecting
 * order, or null when the graph has a cycle.
 *
 * @example
 * const g = adjacencyIdx(3, Int32Array.of(2, 1), Int32Array.of(1, 0)); // 2 → 1 → 0
 * topologicalOrderIdx(3, g.succStart, g.succIdx); // Int32Array [2, 1, 0]
 */
export function topologicalOrderIdx(
  n: number,
  succStart: Int32Array,
  succIdx: Int32Array,
  ties: TopoTies = "position",
): Int32Array | null {
  const indeg = new Int32Array(n);
  for (let k = 0, m = succStart[n]; k < m; k++) indeg[succIdx[k]]++;
  const order = new Int32Array(n);
  let emitted = 0;
  if (ties === "queue") {
    // `order` doubles as the queue: [head, emitted) are ready and not yet relaxed.
    for (let i = 0; i < n; i++) if (indeg[i] === 0) order[emitted++] = i;
    for (let head = 0; head < emitted; head++) {
      const i = order[head];
      for (let k = succStart[i], end = succStart[i + 1]; k < end; k++) {
        const t = succIdx[k];
        if (--indeg[t] === 0) order[emitted++] = t;
      }
    }
  } else {
    const heap = new Int32Array(n);
    let size = 0;
    const push = (v: number) => {
      let i = size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (heap[p] <= v) break;
        heap[i] = heap[p];
        i = p;
      }
      heap[i] = v;
    };
    const pop = (): number => {
      const top = heap[0];
      const last = heap[--size];
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const c = l + 1 < size && heap[l + 1] < heap[l] ? l + 1 : l;
        if (heap[c] >= last) break;
        heap[i] = heap[c];
        i = c;
      }
      heap[i] = last;
      return top;
    };
    for (let i = 0; i < n; i++) if (indeg[i] === 0) push(i);
    while (size > 0) {
      const i = pop();
      order[emitted++] = i;
      for (let k = succStart[i], end = succStart[i + 1]; k < end; k++) {
        const t = succIdx[k];
        if (--indeg[t] === 0) push(t);
      }
    }
  }
  return emitted === n ? order : null;
}

/**
 * Nodes reachable from `root` along one or more CSR steps, as a 0/1 mark per
 * position. Given the predecessor CSR these are `root`'s ancestors, given the
 * successor CSR its descendants. `root` itself is marked only when it lies on a
 * cycle. Iterative, so chains of any length are safe.
 *
 * @example
 * const g = adjacencyIdx(3, Int32Array.of(0, 1), Int32Array.of(1, 2)); // 0 → 1 → 2
 * reachableIdx(2, g.predStart, g.predIdx); // Uint8Array [1, 1, 0]
 */
export function reachableIdx(root: number, start: Int32Array, idx: Int32Array): Uint8Array {
  const n = start.length - 1;
  const seen = new Uint8Array(n);
  const stack = new Int32Array(n + 1);
  let top = 0;
  stack[top++] = root;
  while (top > 0) {
    const i = stack[--top];
    for (let k = start[i], end = start[i + 1]; k < end; k++) {
      const p = idx[k];
      if (seen[p] === 0) {
        seen[p] = 1;
        stack[top++] = p;
      }
    }
  }
  return seen;
}

/** Positions of `keys`, and the edges between known keys as position arrays (unknown endpoints dropped). */
function indexKeyed(keys: readonly string[], edges: readonly Edge[]) {
  const pos = new Map<string, number>();
  keys.forEach((k, i) => pos.set(k, i));
  const from: number[] = [];
  const to: number[] = [];
  for (const e of edges) {
    const f = pos.get(e.from);
    const t = pos.get(e.to);
    if (f === undefined || t === undefined) continue;
    from.push(f);
    to.push(t);
  }
  return { pos, graph: adjacencyIdx(keys.length, Int32Array.from(from), Int32Array.from(to)) };
}

/**
 * Kahn's algorithm; returns keys in a dependency-respecting order, or null when
 * the graph has a cycle. Ties keep the input order (see `TopoTies` "position"),
 * so layouts and tables are stable. Edges naming unknown keys are ignored.
 *
 * @example
 * topologicalOrder(["c", "b", "a"], [{ from: "a", to: "b" }, { from: "b", to: "c" }]); // ["a", "b", "c"]
 */
export function topologicalOrder(keys: readonly string[], edges: readonly Edge[]): string[] | null {
  const { graph } = indexKeyed(keys, edges);
  const order = topologicalOrderIdx(keys.length, graph.succStart, graph.succIdx, "position");
  return order === null ? null : Array.from(order, (i) => keys[i]);
}

/**
 * One cycle as a list of keys in edge order, first key repeated at the end
 * (["a","b","c","a"]), or null when the graph is acyclic. Used to tell a user
 * exactly which dependencies close the loop.
 */
export function findCycle(keys: readonly string[], edges: readonly Edge[]): string[] | null {
  const out = new Map<string, string[]>();
  for (const k of keys) out.set(k, []);
  for (const e of edges) out.get(e.from)?.push(e.to);
  const state = new Map<string, 1 | 2>(); // 1 = on stack, 2 = done
  const stack: string[] = [];
  for (const root of keys) {
    if (state.has(root)) continue;
    // Iterative DFS: graphs of thousands of items must not overflow the call stack.
    const iters: { key: string; next: number }[] = [{ key: root, next: 0 }];
    state.set(root, 1);
    stack.push(root);
    while (iters.length) {
      const top = iters[iters.length - 1];
      const succ = out.get(top.key) ?? [];
      if (top.next < succ.length) {
        const t = succ[top.next++];
        const s = state.get(t);
        if (s === 1) return [...stack.slice(stack.indexOf(t)), t];
        if (s === undefined && out.has(t)) {
          state.set(t, 1);
          stack.push(t);
          iters.push({ key: t, next: 0 });
        }
      } else {
        state.set(top.key, 2);
        stack.pop();
        iters.pop();
      }
    }
  }
  return null;
}

/**
 * Keys that `key` transitively depends on (its ancestors), not including itself
 * unless it lies on a cycle. The keys are those the edges name.
 *
 * @example
 * ancestorsOf("c", [{ from: "a", to: "b" }, { from: "b", to: "c" }]); // Set {"b", "a"}
 */
export function ancestorsOf(key: string, edges: readonly Edge[]): Set<string> {
  const keys = new Set<string>([key]);
  for (const e of edges) keys.add(e.from).add(e.to);
  const list = [...keys];
  const { graph } = indexKeyed(list, edges);
  const marks = reachableIdx(0, graph.predStart, graph.predIdx);
  const out = new Set<string>();
  for (let i = 0; i < list.length; i++) if (marks[i] === 1) out.add(list[i]);
  return out;
}
