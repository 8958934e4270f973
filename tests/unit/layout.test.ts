import { describe, expect, it } from "vitest";
import { layoutGraph } from "~/domain/graph/layout";

const W = 200;
const H = 70;

describe("stage-lane layout", () => {
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
  const out = layoutGraph(items, edges, { nodeWidth: W, nodeHeight: H });
  const at = (k: string) => out.nodes.find((n) => n.key === k)!;

  it("places every item once, prerequisites to the left of what waits for them", () => {
    expect(out.nodes.map((n) => n.key)).toEqual(items.map((i) => i.key));
    for (const e of edges) expect(at(e.from).x + W).toBeLessThanOrEqual(at(e.to).x);
  });

  it("puts each stage in its own band, in stage order, with nodes inside their band", () => {
    expect(out.lanes.map((l) => l.stage)).toEqual([1, 2, 3]);
    for (let i = 1; i < out.lanes.length; i++) expect(out.lanes[i].y).toBeGreaterThanOrEqual(out.lanes[i - 1].y + out.lanes[i - 1].height);
    for (const it of items) {
      const lane = out.lanes.find((l) => l.stage === it.stage)!;
      const n = at(it.key);
      expect(n.y).toBeGreaterThanOrEqual(lane.y);
      expect(n.y + H).toBeLessThanOrEqual(lane.y + lane.height);
      expect(n.x + W).toBeLessThanOrEqual(lane.x + lane.width);
    }
  });

  it("never overlaps two nodes", () => {
    for (const a of out.nodes)
      for (const b of out.nodes) {
        if (a === b) continue;
        const apart = a.x + W <= b.x || b.x + W <= a.x || a.y + H <= b.y || b.y + H <= a.y;
        expect(apart, `${a.key} overlaps ${b.key}`).toBe(true);
      }
  });

  it("is deterministic and independent between calls", () => {
    expect(layoutGraph(items, edges, { nodeWidth: W, nodeHeight: H })).toEqual(out);
    const other = layoutGraph([{ key: "x", stage: 4 }], [], { nodeWidth: W, nodeHeight: H });
    expect(other.nodes).toHaveLength(1);
    expect(layoutGraph(items, edges, { nodeWidth: W, nodeHeight: H })).toEqual(out);
  });
});
