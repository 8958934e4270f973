import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GRAPH_NODE_SIZE, layoutGraph, type GraphLayout, type LayoutInput } from "~/domain/graph/layout";
import { LEGIBLE_ZOOM, focusView, openingView, parseView, formatView } from "~/components/graph/viewport";

const W = GRAPH_NODE_SIZE.width;
const H = GRAPH_NODE_SIZE.height;
type E = { from: string; to: string };

/** Every rule a laid-out board must keep, checked on any input. */
function expectSound(items: readonly LayoutInput[], edges: readonly E[], out: GraphLayout) {
  const at = new Map(out.nodes.map((n) => [n.key, n]));
  const stageOf = new Map(items.map((i) => [i.key, i.stage]));
  // Every item once, in input order.
  expect(out.nodes.map((n) => n.key)).toEqual(items.map((i) => i.key));
  // Stage columns left to right in stage order, side by side, never overlapping.
  const stages = [...new Set(items.map((i) => i.stage))].sort((a, b) => a - b);
  expect(out.lanes.map((l) => l.stage)).toEqual(stages);
  for (let i = 1; i < out.lanes.length; i++) expect(out.lanes[i].x).toBeGreaterThanOrEqual(out.lanes[i - 1].x + out.lanes[i - 1].width);
  // Every item inside its stage column, below the column's title.
  for (const it of items) {
    const lane = out.lanes.find((l) => l.stage === it.stage)!;
    const n = at.get(it.key)!;
    expect(n.x, `${it.key} x`).toBeGreaterThanOrEqual(lane.x);
    expect(n.x + W, `${it.key} right`).toBeLessThanOrEqual(lane.x + lane.width);
    expect(n.y, `${it.key} y`).toBeGreaterThanOrEqual(lane.y + lane.titleHeight);
    expect(n.y + H, `${it.key} bottom`).toBeLessThanOrEqual(lane.y + lane.height);
  }
  // No two items overlap.
  const sorted = [...out.nodes].sort((a, b) => a.x - b.x || a.y - b.y);
  for (let i = 0; i < sorted.length; i++)
    for (let j = i + 1; j < sorted.length && sorted[j].x < sorted[i].x + W; j++) {
      const a = sorted[i];
      const b = sorted[j];
      const apart = a.x + W <= b.x || b.x + W <= a.x || a.y + H <= b.y || b.y + H <= a.y;
      expect(apart, `${a.key} overlaps ${b.key}`).toBe(true);
    }
  // Inside a stage, a prerequisite is in a column to the left, or above in the same column.
  for (const e of edges) {
    if (stageOf.get(e.from) !== stageOf.get(e.to)) continue;
    const f = at.get(e.from)!;
    const t = at.get(e.to)!;
    const leftOf = f.x + W <= t.x;
    const above = f.x === t.x && f.y + H <= t.y;
    expect(leftOf || above, `${e.from} → ${e.to} runs backwards`).toBe(true);
  }
  // Across stages, earlier stages are to the left.
  for (const e of edges) if (stageOf.get(e.from)! < stageOf.get(e.to)!) expect(at.get(e.from)!.x).toBeLessThan(at.get(e.to)!.x);
  expect(out.width).toBe(Math.max(...out.lanes.map((l) => l.x + l.width)));
  expect(out.height).toBe(Math.max(...out.lanes.map((l) => l.y + l.height)));
}

const layout = (items: readonly LayoutInput[], edges: readonly E[]) => layoutGraph(items, edges, { nodeWidth: W, nodeHeight: H });
const columnsIn = (out: GraphLayout, keys: string[]) => new Set(out.nodes.filter((n) => keys.includes(n.key)).map((n) => n.x)).size;

describe("stage-column layout", () => {
  const items = [
    { key: "filing", stage: 1 },
    { key: "land", stage: 1 },
    { key: "eia", stage: 1 },
    { key: "scheme", stage: 2 },
    { key: "permit", stage: 3 },
    { key: "start", stage: 3 },
  ];
  const edges = [
    { from: "filing", to: "land" },
    { from: "filing", to: "eia" },
    { from: "land", to: "scheme" },
    { from: "scheme", to: "permit" },
    { from: "permit", to: "start" },
    { from: "eia", to: "start" },
  ];
  const out = layout(items, edges);
  const at = (k: string) => out.nodes.find((n) => n.key === k)!;

  it("keeps every rule: columns per stage, items inside them, no overlap, prerequisites first", () => {
    expectSound(items, edges, out);
  });

  it("gives a small graph one dependency layer per column, left to right", () => {
    expect(at("filing").x + W).toBeLessThanOrEqual(at("land").x);
    expect(at("land").x).toBe(at("eia").x); // one layer, stacked
    expect(at("permit").x + W).toBeLessThanOrEqual(at("start").x);
  });

  it("is deterministic and independent between calls", () => {
    expect(layout(items, edges)).toEqual(out);
    expect(layout([{ key: "x", stage: 4 }], []).nodes).toHaveLength(1);
    expect(layout(items, edges)).toEqual(out);
  });

  it("ignores edges to unknown items and copes with no items", () => {
    expectSound(items, [...edges, { from: "ghost", to: "land" }], layout(items, [...edges, { from: "ghost", to: "land" }]));
    expect(layout([], [])).toEqual({ nodes: [], lanes: [], width: 0, height: 0 });
  });
});

describe("the shipped templates fit a 1440 × 900 screen legibly", () => {
  const dir = join(process.cwd(), "templates");
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
    const t = JSON.parse(readFileSync(join(dir, file), "utf8")) as { items: LayoutInput[]; dependencies: E[] };
    const items = t.items.map((i) => ({ key: i.key, stage: i.stage }));
    it(`${file}: sound, and the whole board at zoom ≥ 0.9 in 1380 × 680 pixels (names ≥ 11.7 px)`, () => {
      const out = layout(items, t.dependencies);
      expectSound(items, t.dependencies, out);
      expect(Math.min(1380 / out.width, 680 / out.height)).toBeGreaterThanOrEqual(0.9);
    });
  }

  it("folds only as far as it must: the 29-item core template keeps most layers as their own columns", () => {
    const t = JSON.parse(readFileSync(join(dir, "approval-core.json"), "utf8")) as { items: LayoutInput[]; dependencies: E[] };
    const out = layout(t.items, t.dependencies);
    const columns = new Set(out.nodes.map((n) => n.x)).size;
    expect(columns).toBeGreaterThanOrEqual(7);
    // Stage 1's six parallel report drafts stay one column, right of the project code they wait for.
    const drafts = t.dependencies.filter((d) => d.from === "project-code").map((d) => d.to);
    expect(drafts).toHaveLength(6);
    expect(columnsIn(out, drafts)).toBe(1);
  });
});

describe("graphs too large for one screen", () => {
  // 4 stages × 20 items: chains of 5 in four parallel branches per stage.
  const items: LayoutInput[] = [];
  const edges: E[] = [];
  for (let s = 1; s <= 4; s++)
    for (let b = 0; b < 4; b++)
      for (let k = 0; k < 5; k++) {
        items.push({ key: `s${s}b${b}k${k}`, stage: s });
        if (k > 0) edges.push({ from: `s${s}b${b}k${k - 1}`, to: `s${s}b${b}k${k}` });
        else if (s > 1) edges.push({ from: `s${s - 1}b${b}k4`, to: `s${s}b${b}k0` });
      }

  it("still keeps every rule, folds for the largest zoom it can, and takes a few milliseconds", () => {
    const t0 = performance.now();
    const out = layout(items, edges);
    const ms = performance.now() - t0;
    expectSound(items, edges, out);
    const unfolded = 4 * 5 * (W + 32);
    expect(out.width).toBeLessThan(unfolded);
    expect(ms).toBeLessThan(200);
  });

  it("a stage of 40 parallel items is split over several columns instead of one tower", () => {
    const wide = Array.from({ length: 40 }, (_, i) => ({ key: `p${i}`, stage: 2 }));
    const out = layout([{ key: "root", stage: 1 }, ...wide], wide.map((w) => ({ from: "root", to: w.key })));
    expectSound([{ key: "root", stage: 1 }, ...wide], [], out);
    expect(columnsIn(out, wide.map((w) => w.key))).toBeGreaterThan(1);
  });
});

describe("property: any acyclic graph in stages", () => {
  // Items in a random order; edges only from an earlier index to a later one (acyclic), and
  // never from a later stage to an earlier one (what templates and the editor allow).
  const graphs = fc
    .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 45 })
    .chain((stages) => {
      const sorted = [...stages].sort((a, b) => a - b);
      const n = sorted.length;
      return fc
        .array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: n * 2 })
        .map((pairs) => {
          const items = sorted.map((stage, i) => ({ key: `k${i}`, stage }));
          const seen = new Set<string>();
          const edges: E[] = [];
          for (const [a, b] of pairs) {
            const [from, to] = a < b ? [a, b] : [b, a];
            if (from === to || seen.has(`${from}-${to}`)) continue;
            seen.add(`${from}-${to}`);
            edges.push({ from: `k${from}`, to: `k${to}` });
          }
          return { items, edges };
        });
    });

  it("keeps every rule and is deterministic", () => {
    fc.assert(
      fc.property(graphs, ({ items, edges }) => {
        const out = layout(items, edges);
        expectSound(items, edges, out);
        expect(layout(items, edges)).toEqual(out);
      }),
      { numRuns: 150 },
    );
  });
});

describe("the graph's view", () => {
  const canvas = { width: 1400, height: 700 };
  const grid = (cols: number, rows: number) =>
    Array.from({ length: cols * rows }, (_, i) => ({ x: (i % cols) * 200, y: Math.floor(i / cols) * 120, width: W, height: H }));

  it("opens on the whole board when its names are legible that way", () => {
    const { viewport, mode } = openingView(grid(6, 5), [], canvas);
    expect(mode).toBe("all");
    expect(viewport.zoom).toBeGreaterThanOrEqual(LEGIBLE_ZOOM);
  });

  it("opens on the frontier, legibly, when the whole board would be too small to read", () => {
    const all = grid(20, 10);
    const frontier = all.slice(0, 3);
    const { viewport, mode } = openingView(all, frontier, canvas);
    expect(mode).toBe("frontier");
    expect(viewport.zoom).toBeGreaterThanOrEqual(LEGIBLE_ZOOM);
    for (const b of frontier) {
      expect(b.x * viewport.zoom + viewport.x).toBeGreaterThanOrEqual(0);
      expect((b.x + b.width) * viewport.zoom + viewport.x).toBeLessThanOrEqual(canvas.width);
    }
  });

  it("brings a selected item out from under the drawer, and leaves one in view alone", () => {
    const current = { x: 0, y: 0, zoom: 1 };
    const far = { x: 1200, y: 300, width: W, height: H };
    const v = focusView(far, current, canvas, 400)!;
    const left = far.x * v.zoom + v.x;
    expect(left).toBeGreaterThanOrEqual(0);
    expect(left + W * v.zoom).toBeLessThanOrEqual(canvas.width - 400);
    expect(v.y).toBe(0); // already in view vertically: only panned across
    expect(focusView({ x: 100, y: 100, width: W, height: H }, current, canvas, 400)).toBeNull();
  });

  it("round-trips ?view= and rejects nonsense", () => {
    expect(parseView(formatView({ x: -12.4, y: 30.6, zoom: 0.91234 }))).toEqual({ x: -12, y: 31, zoom: 0.912 });
    for (const bad of [null, "", "1,2", "a,b,c", "1,2,0", "1,2,99", "1e9,0,1"]) expect(parseView(bad)).toBeNull();
  });
});
