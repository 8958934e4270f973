import { Graph, layout } from "@dagrejs/dagre";

/**
 * Left-to-right layout of an approval graph in stage lanes: dagre orders the
 * items by dependency (x), and each of the four stages gets its own
 * horizontal band (y) so an officer reads 立项 → 工程建设 → 施工 → 竣工 top to
 * bottom. Pure: a fresh dagre graph per call, never a shared module-level one
 * (layouts run per request on the server).
 */
/** The size of an item's box on the graph: the server lays out with it and the page renders with it. */
export const GRAPH_NODE_SIZE = { width: 208, height: 84 } as const;

export interface LayoutInput {
  key: string;
  stage: number;
}

export interface LayoutOptions {
  nodeWidth: number;
  nodeHeight: number;
  rankGap?: number;
  nodeGap?: number;
  lanePadding?: number;
  laneLabelWidth?: number;
}

export interface LaidOutNode {
  key: string;
  x: number;
  y: number;
}

export interface Lane {
  stage: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface GraphLayout {
  nodes: LaidOutNode[];
  lanes: Lane[];
  width: number;
  height: number;
}

export function layoutGraph(items: readonly LayoutInput[], edges: readonly { from: string; to: string }[], opts: LayoutOptions): GraphLayout {
  const { nodeWidth: w, nodeHeight: h } = opts;
  const pad = opts.lanePadding ?? 24;
  const labelW = opts.laneLabelWidth ?? 40;
  const g = new Graph();
  g.setGraph({ rankdir: "LR", ranksep: opts.rankGap ?? 60, nodesep: opts.nodeGap ?? 18, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const it of items) g.setNode(it.key, { width: w, height: h });
  for (const e of edges) if (g.hasNode(e.from) && g.hasNode(e.to)) g.setEdge(e.from, e.to);
  layout(g);

  // dagre gives centre points; keep its x (dependency order) and its relative y within each stage.
  const raw = items.map((it) => {
    const p = g.node(it.key) as { x: number; y: number };
    return { key: it.key, stage: it.stage, x: p.x - w / 2, y: p.y - h / 2 };
  });
  const stages = [...new Set(items.map((i) => i.stage))].sort((a, b) => a - b);
  const minX = Math.min(...raw.map((r) => r.x), 0);
  const maxX = Math.max(...raw.map((r) => r.x + w), w);
  const nodes: LaidOutNode[] = [];
  const lanes: Lane[] = [];
  let top = 0;
  for (const stage of stages) {
    const inStage = raw.filter((r) => r.stage === stage);
    // Compress each stage's rows: distinct dagre rows become consecutive slots.
    const rows = [...new Set(inStage.map((r) => Math.round(r.y)))].sort((a, b) => a - b);
    const slot = new Map(rows.map((y, i) => [y, i]));
    // Two nodes of one stage may share a dagre row and an x; push the later one down.
    const taken = new Set<string>();
    let maxSlot = 0;
    for (const r of inStage.sort((a, b) => a.y - b.y || a.x - b.x)) {
      let s = slot.get(Math.round(r.y))!;
      while (taken.has(`${Math.round(r.x)}:${s}`)) s++;
      taken.add(`${Math.round(r.x)}:${s}`);
      maxSlot = Math.max(maxSlot, s);
      nodes.push({ key: r.key, x: r.x - minX + labelW + pad, y: top + pad + s * (h + (opts.nodeGap ?? 18)) });
    }
    const height = pad * 2 + (maxSlot + 1) * h + maxSlot * (opts.nodeGap ?? 18);
    lanes.push({ stage, x: 0, y: top, width: maxX - minX + labelW + pad * 2, height });
    top += height + 12;
  }
  const order = new Map(items.map((it, i) => [it.key, i]));
  nodes.sort((a, b) => order.get(a.key)! - order.get(b.key)!);
  return { nodes, lanes, width: maxX - minX + labelW + pad * 2, height: Math.max(top - 12, 0) };
}
