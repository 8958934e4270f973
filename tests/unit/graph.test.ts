import { describe, expect, it } from "vitest";
import {
  adjacencyIdx,
  ancestorsOf,
  findCycle,
  reachableIdx,
  topologicalOrder,
  topologicalOrderIdx,
  type Edge,
} from "~/domain/graph/graph";

const e = (from: string, to: string): Edge => ({ from, to });

/** Every edge goes forward in the order, and the order is a permutation of keys. */
function expectTopological(order: string[] | null, keys: string[], edges: Edge[]) {
  expect(order).not.toBeNull();
  expect([...order!].sort()).toEqual([...keys].sort());
  const pos = new Map(order!.map((k, i) => [k, i]));
  for (const { from, to } of edges) {
    if (pos.has(from) && pos.has(to)) expect(pos.get(from)!, `${from} → ${to}`).toBeLessThan(pos.get(to)!);
  }
}

describe("topologicalOrder", () => {
  it("keeps the input order when there are no edges", () => {
    expect(topologicalOrder(["c", "a", "b"], [])).toEqual(["c", "a", "b"]);
    expect(topologicalOrder([], [])).toEqual([]);
  });

  it("respects a chain given in reverse", () => {
    // keys listed c, b, a but edges a → b → c
    expect(topologicalOrder(["c", "b", "a"], [e("a", "b"), e("b", "c")])).toEqual(["a", "b", "c"]);
  });

  it("diamond: ties keep input order, whatever the order of the edge list", () => {
    // a → b, a → c, b → d, c → d. After a, both b and c are ready: a tie. graph.ts documents
    // "Ties keep the input order", so the tie is broken by the position in `keys`, not by the
    // order in which the edges happen to be listed (edge lists come from DB queries / user edits).
    const edges = [e("a", "b"), e("a", "c"), e("b", "d"), e("c", "d")];
    const edgesReversed = [...edges].reverse();
    expect(topologicalOrder(["a", "b", "c", "d"], edges)).toEqual(["a", "b", "c", "d"]);
    expect(topologicalOrder(["a", "b", "c", "d"], edgesReversed)).toEqual(["a", "b", "c", "d"]);
    expect(topologicalOrder(["a", "c", "b", "d"], edges)).toEqual(["a", "c", "b", "d"]);
    expect(topologicalOrder(["d", "c", "b", "a"], edges)).toEqual(["a", "c", "b", "d"]);
  });

  it("independent sources keep input order", () => {
    // x, y, z are all sources; y → w
    const keys = ["x", "w", "y", "z"];
    const edges = [e("y", "w")];
    const order = topologicalOrder(keys, edges);
    expectTopological(order, keys, edges);
    // sources in input order: x, y, z
    expect(order!.filter((k) => k !== "w")).toEqual(["x", "y", "z"]);
  });

  it("is deterministic and valid on a larger DAG", () => {
    const keys = Array.from({ length: 200 }, (_, i) => `k${i}`);
    const edges: Edge[] = [];
    // edge i → j only for i < j, pseudo-random sparse
    for (let i = 0; i < 200; i++) for (let j = i + 1; j < 200; j++) if ((i * 31 + j * 17) % 23 === 0) edges.push(e(`k${i}`, `k${j}`));
    const shuffled = [...keys].reverse();
    const o1 = topologicalOrder(shuffled, edges);
    expectTopological(o1, keys, edges);
    expect(topologicalOrder(shuffled, edges)).toEqual(o1);
  });

  it("returns null on a cycle", () => {
    expect(topologicalOrder(["a", "b", "c"], [e("a", "b"), e("b", "c"), e("c", "a")])).toBeNull();
    expect(topologicalOrder(["a"], [e("a", "a")])).toBeNull();
    // a cycle behind an acyclic prefix
    expect(topologicalOrder(["s", "a", "b"], [e("s", "a"), e("a", "b"), e("b", "a")])).toBeNull();
  });

  it("handles duplicate edges", () => {
    expect(topologicalOrder(["b", "a"], [e("a", "b"), e("a", "b")])).toEqual(["a", "b"]);
  });

  it("handles a 5,000-node chain", () => {
    const n = 5000;
    const keys = Array.from({ length: n }, (_, i) => `n${n - 1 - i}`); // reversed
    const edges = Array.from({ length: n - 1 }, (_, i) => e(`n${i}`, `n${i + 1}`));
    const order = topologicalOrder(keys, edges);
    expect(order).toHaveLength(n);
    expect(order![0]).toBe("n0");
    expect(order![n - 1]).toBe(`n${n - 1}`);
    expectTopological(order, keys, edges);
  });
});

describe("findCycle", () => {
  it("returns the exact loop with the first key repeated", () => {
    expect(findCycle(["a", "b", "c"], [e("a", "b"), e("b", "c"), e("c", "a")])).toEqual(["a", "b", "c", "a"]);
  });

  it("returns only the loop, not the path leading to it", () => {
    // s → a → b → c → a: the cycle is a, b, c
    const cycle = findCycle(["s", "a", "b", "c"], [e("s", "a"), e("a", "b"), e("b", "c"), e("c", "a")]);
    expect(cycle).toEqual(["a", "b", "c", "a"]);
  });

  it("the returned loop consists of real edges", () => {
    const edges = [e("p", "q"), e("q", "r"), e("r", "s"), e("s", "q"), e("p", "s")];
    const cycle = findCycle(["p", "q", "r", "s"], edges);
    expect(cycle).not.toBeNull();
    expect(cycle![0]).toBe(cycle![cycle!.length - 1]);
    expect(new Set(cycle!.slice(0, -1)).size).toBe(cycle!.length - 1);
    for (let i = 0; i + 1 < cycle!.length; i++) {
      expect(edges.some((x) => x.from === cycle![i] && x.to === cycle![i + 1]), `${cycle![i]} → ${cycle![i + 1]}`).toBe(
        true,
      );
    }
    expect(new Set(cycle)).toEqual(new Set(["q", "r", "s"]));
  });

  it("finds self-loops", () => {
    expect(findCycle(["a", "b"], [e("a", "b"), e("b", "b")])).toEqual(["b", "b"]);
    expect(findCycle(["x"], [e("x", "x")])).toEqual(["x", "x"]);
  });

  it("returns null on DAGs", () => {
    expect(findCycle([], [])).toBeNull();
    expect(findCycle(["a", "b", "c", "d"], [e("a", "b"), e("a", "c"), e("b", "d"), e("c", "d")])).toBeNull();
    // edges to unknown keys are ignored
    expect(findCycle(["a"], [e("a", "ghost"), e("ghost", "a")])).toBeNull();
  });

  it("returns null on a 5,000-node chain without overflowing the stack", () => {
    const n = 5000;
    const keys = Array.from({ length: n }, (_, i) => `n${i}`);
    const edges = Array.from({ length: n - 1 }, (_, i) => e(`n${i}`, `n${i + 1}`));
    expect(findCycle(keys, edges)).toBeNull();
    // closing the chain yields the full 5,001-element loop
    const loop = findCycle(keys, [...edges, e(`n${n - 1}`, "n0")]);
    expect(loop).toHaveLength(n + 1);
    expect(loop![0]).toBe("n0");
    expect(loop![n - 1]).toBe(`n${n - 1}`);
    expect(loop![n]).toBe("n0");
  });

  it("handles a 50,000-node chain (deep) too", () => {
    const n = 50_000;
    const keys = Array.from({ length: n }, (_, i) => `n${i}`);
    const edges = Array.from({ length: n - 1 }, (_, i) => e(`n${i}`, `n${i + 1}`));
    expect(findCycle(keys, edges)).toBeNull();
    expect(topologicalOrder(keys, edges)).toHaveLength(n);
  });

  it("agrees with topologicalOrder on whether a graph is cyclic", () => {
    // small exhaustive-ish set: all edge subsets over 3 nodes without self-loops (2^6 graphs)
    const keys = ["a", "b", "c"];
    const all = [e("a", "b"), e("b", "a"), e("a", "c"), e("c", "a"), e("b", "c"), e("c", "b")];
    for (let mask = 0; mask < 1 << all.length; mask++) {
      const edges = all.filter((_, i) => mask & (1 << i));
      const cyclic = findCycle(keys, edges) !== null;
      expect(topologicalOrder(keys, edges) === null, `mask ${mask}`).toBe(cyclic);
    }
  });
});

describe("ancestorsOf", () => {
  const edges = [e("a", "b"), e("b", "c"), e("x", "c"), e("c", "d"), e("y", "z")];

  it("collects transitive prerequisites, not the key itself", () => {
    expect(ancestorsOf("d", edges)).toEqual(new Set(["a", "b", "c", "x"]));
    expect(ancestorsOf("c", edges)).toEqual(new Set(["a", "b", "x"]));
    expect(ancestorsOf("b", edges)).toEqual(new Set(["a"]));
    expect(ancestorsOf("z", edges)).toEqual(new Set(["y"]));
  });

  it("returns an empty set for sources and unknown keys", () => {
    expect(ancestorsOf("a", edges).size).toBe(0);
    expect(ancestorsOf("nope", edges).size).toBe(0);
  });

  it("terminates on cycles", () => {
    const cyc = [e("a", "b"), e("b", "c"), e("c", "a"), e("s", "a")];
    // on a cycle every member reaches itself; `s` feeds the loop
    expect(ancestorsOf("a", cyc)).toEqual(new Set(["a", "b", "c", "s"]));
  });

  it("handles a diamond once per node and a long chain", () => {
    expect(ancestorsOf("d", [e("a", "b"), e("a", "c"), e("b", "d"), e("c", "d")])).toEqual(new Set(["a", "b", "c"]));
    const n = 5000;
    const chain = Array.from({ length: n - 1 }, (_, i) => e(`n${i}`, `n${i + 1}`));
    expect(ancestorsOf(`n${n - 1}`, chain).size).toBe(n - 1);
  });
});

describe("index-based layer (adjacencyIdx, topologicalOrderIdx, reachableIdx)", () => {
  const csr = (n: number, edges: [number, number][]) =>
    adjacencyIdx(n, Int32Array.from(edges, (x) => x[0]), Int32Array.from(edges, (x) => x[1]));
  const slots = (start: Int32Array, idx: Int32Array, i: number) => Array.from(idx.subarray(start[i], start[i + 1]));

  it("adjacencyIdx: per-node slots keep the edge order and remember their edge", () => {
    // edges: 0 → 2, 1 → 2, 0 → 1
    const g = csr(3, [[0, 2], [1, 2], [0, 1]]);
    expect(slots(g.succStart, g.succIdx, 0)).toEqual([2, 1]);
    expect(slots(g.succStart, g.succEdge, 0)).toEqual([0, 2]);
    expect(slots(g.predStart, g.predIdx, 2)).toEqual([0, 1]);
    expect(slots(g.predStart, g.predEdge, 2)).toEqual([0, 1]);
    expect(slots(g.predStart, g.predIdx, 0)).toEqual([]);
  });

  it("topologicalOrderIdx: 'position' ties by position, 'queue' by readiness", () => {
    // b → a with a listed first: after b, a and c are both ready. The heap takes a (position 0),
    // the queue takes c (ready since the start, a only after b).
    const g = csr(3, [[1, 0]]);
    expect(Array.from(topologicalOrderIdx(3, g.succStart, g.succIdx)!)).toEqual([1, 0, 2]);
    expect(Array.from(topologicalOrderIdx(3, g.succStart, g.succIdx, "queue")!)).toEqual([1, 2, 0]);
    // The keyed wrapper is the "position" order.
    expect(topologicalOrder(["a", "b", "c"], [e("b", "a")])).toEqual(["b", "a", "c"]);
  });

  it("topologicalOrderIdx: null on a cycle in either mode", () => {
    const g = csr(3, [[0, 1], [1, 2], [2, 1]]);
    expect(topologicalOrderIdx(3, g.succStart, g.succIdx)).toBeNull();
    expect(topologicalOrderIdx(3, g.succStart, g.succIdx, "queue")).toBeNull();
    expect(Array.from(topologicalOrderIdx(0, new Int32Array(1), new Int32Array(0))!)).toEqual([]);
  });

  it("reachableIdx: ancestors over the predecessor CSR, descendants over the successor CSR", () => {
    // 0 → 1 → 2, 3 → 2, 2 → 4
    const g = csr(5, [[0, 1], [1, 2], [3, 2], [2, 4]]);
    expect(Array.from(reachableIdx(2, g.predStart, g.predIdx))).toEqual([1, 1, 0, 1, 0]);
    expect(Array.from(reachableIdx(1, g.succStart, g.succIdx))).toEqual([0, 0, 1, 0, 1]);
    // root itself only when on a cycle
    const c = csr(2, [[0, 1], [1, 0]]);
    expect(Array.from(reachableIdx(0, c.predStart, c.predIdx))).toEqual([1, 1]);
  });
});
