/**
 * Pure graph algorithms over item keys. Dependencies are finish-to-start edges
 * `from → to` (from is a prerequisite of to).
 */
export interface Edge {
  from: string;
  to: string;
}

/**
 * Kahn's algorithm; returns keys in a dependency-respecting order, or null when
 * the graph has a cycle. Ties keep the input order so layouts and tables are stable.
 */
export function topologicalOrder(keys: readonly string[], edges: readonly Edge[]): string[] | null {
  const pos = new Map<string, number>();
  keys.forEach((k, i) => pos.set(k, i));
  const indeg = new Int32Array(keys.length);
  const out: number[][] = keys.map(() => []);
  for (const e of edges) {
    const f = pos.get(e.from);
    const t = pos.get(e.to);
    if (f === undefined || t === undefined) continue;
    out[f].push(t);
    indeg[t]++;
  }
  // A min-heap of ready positions: among items that are ready together, the
  // one listed first comes first, whatever order the edges were written in.
  const heap: number[] = [];
  const push = (v: number) => {
    heap.push(v);
    for (let i = heap.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (heap[p] <= heap[i]) break;
      [heap[p], heap[i]] = [heap[i], heap[p]];
      i = p;
    }
  };
  const pop = (): number => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && heap[l] < heap[m]) m = l;
        if (r < heap.length && heap[r] < heap[m]) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i], heap[m]];
        i = m;
      }
    }
    return top;
  };
  for (let i = 0; i < keys.length; i++) if (indeg[i] === 0) push(i);
  const order: string[] = [];
  while (heap.length) {
    const k = pop();
    order.push(keys[k]);
    for (const t of out[k]) if (--indeg[t] === 0) push(t);
  }
  return order.length === keys.length ? order : null;
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

/** Keys that `key` transitively depends on (its ancestors), not including itself. */
export function ancestorsOf(key: string, edges: readonly Edge[]): Set<string> {
  const into = new Map<string, string[]>();
  for (const e of edges) {
    const list = into.get(e.to);
    if (list) list.push(e.from);
    else into.set(e.to, [e.from]);
  }
  const seen = new Set<string>();
  const stack = [key];
  while (stack.length) {
    for (const p of into.get(stack.pop()!) ?? []) {
      if (!seen.has(p)) {
        seen.add(p);
        stack.push(p);
      }
    }
  }
  return seen;
}
