/**
 * Layout of an approval graph on a board of stage columns: stage 1 leftmost,
 * stage 4 rightmost, and inside each stage the items in dependency layers
 * left → right (longest path over the stage's own edges), each layer a column
 * of stacked items ordered by barycentres to reduce crossings.
 *
 * The board is meant to be read whole on one screen. A real project has 15–17
 * dependency layers but at most 6 items in a layer: one layer per column is a
 * strip that fits a 1440-pixel screen only at a zoom where nothing can be read.
 * So the layout folds, only as far as it must to fit the target canvas at the
 * target zoom (`fit`): while the board is too wide it stacks two neighbouring
 * columns of one stage (the later layer below the earlier one, so a
 * prerequisite is always left of, or above in the same column, what waits for
 * it), choosing the stack that stays lowest (chain tails first); while it is
 * too tall it splits the tallest column in two. Graphs that fit keep one layer
 * per column; graphs that cannot fit get the fold with the largest zoom (the
 * page then opens on the items in progress).
 *
 * Pure and deterministic (ties are broken by the items' input order), no
 * module state: safe per request. The service caches it per graph shape; it
 * takes under a millisecond for a 29-item template.
 */

/** The size of an item's box on the graph: the server lays out with it and the page renders with it. */
export const GRAPH_NODE_SIZE = { width: 156, height: 96 } as const;

export interface LayoutInput {
  key: string;
  stage: number;
}

export interface LayoutOptions {
  nodeWidth: number;
  nodeHeight: number;
  /** Horizontal space between two columns of items in a stage (edges run here). */
  columnGap?: number;
  /** Vertical space between two stacked items. */
  rowGap?: number;
  /** Inner padding of a stage column. */
  lanePadding?: number;
  /** Space between two stage columns. */
  laneGap?: number;
  /** Height of a stage column's title bar, above its items. */
  laneTitleHeight?: number;
  /**
   * The canvas the board should be legible on: fold only as much as it takes to show the whole
   * board in `width` × `height` screen pixels at `zoom` or more (and as well as possible when
   * nothing reaches it).
   */
  fit?: { width: number; height: number; zoom: number };
}

export interface LaidOutNode {
  key: string;
  x: number;
  y: number;
}

/** A stage column: its title bar is the top `titleHeight` of the rectangle. */
export interface Lane {
  stage: number;
  x: number;
  y: number;
  width: number;
  height: number;
  titleHeight: number;
}

export interface GraphLayout {
  nodes: LaidOutNode[];
  lanes: Lane[];
  width: number;
  height: number;
}

/**
 * A 1440 × 900 screen leaves the graph about 1400 × 700 pixels; names are 13 px, so zoom 0.9
 * renders them at about 12 px (and still at ≥ 10 px on a 1280-pixel-wide screen).
 */
const DEFAULTS = { columnGap: 32, rowGap: 14, lanePadding: 12, laneGap: 12, laneTitleHeight: 40, fit: { width: 1380, height: 680, zoom: 0.9 } };

/** One column of a stage: the items stacked in it, top to bottom (one or more layers, or part of one). */
type Column = string[];

export function layoutGraph(items: readonly LayoutInput[], edges: readonly { from: string; to: string }[], opts: LayoutOptions): GraphLayout {
  const o = { ...DEFAULTS, ...stripUndefined(opts) };
  const W = opts.nodeWidth;
  const H = opts.nodeHeight;
  const order = new Map(items.map((it, i) => [it.key, i]));
  const stageOf = new Map(items.map((it) => [it.key, it.stage]));
  const preds = new Map<string, string[]>(items.map((it) => [it.key, []]));
  const succs = new Map<string, string[]>(items.map((it) => [it.key, []]));
  for (const e of edges) {
    if (!order.has(e.from) || !order.has(e.to) || e.from === e.to) continue;
    preds.get(e.to)!.push(e.from);
    succs.get(e.from)!.push(e.to);
  }
  const stages = [...new Set(items.map((i) => i.stage))].sort((a, b) => a - b);
  const byIndex = (a: string, b: string) => order.get(a)! - order.get(b)!;

  // 1. Layers inside each stage: longest path over the stage's own edges.
  const layersOf = new Map<number, string[][]>();
  for (const stage of stages) {
    const keys = items.filter((i) => i.stage === stage).map((i) => i.key);
    const layer = new Map<string, number>();
    const visiting = new Set<string>();
    const depth = (k: string): number => {
      const known = layer.get(k);
      if (known !== undefined) return known;
      if (visiting.has(k)) return 0; // a cycle cannot be saved into a project; never loop on one anyway
      visiting.add(k);
      let d = 0;
      for (const p of preds.get(k)!) if (stageOf.get(p) === stage) d = Math.max(d, depth(p) + 1);
      visiting.delete(k);
      layer.set(k, d);
      return d;
    };
    keys.forEach(depth);
    const layers: string[][] = [];
    for (const k of keys) (layers[layer.get(k)!] ??= []).push(k);
    layersOf.set(stage, layers.filter((l) => l && l.length));
  }

  // 2. Order each layer by barycentres: a rank in [0, 1] per item, refined by sweeps.
  const rank = new Map<string, number>();
  for (const stage of stages) {
    const layers = layersOf.get(stage)!;
    const setRanks = (layer: string[]) => layer.forEach((k, i) => rank.set(k, (i + 0.5) / layer.length));
    const mean = (ks: string[]) => (ks.length ? ks.reduce((s, k) => s + rank.get(k)!, 0) / ks.length : undefined);
    const sortBy = (layer: string[], score: (k: string) => number | undefined) => {
      const s = new Map(layer.map((k) => [k, score(k) ?? rank.get(k) ?? 0.5]));
      layer.sort((a, b) => s.get(a)! - s.get(b)! || byIndex(a, b));
      setRanks(layer);
    };
    // Earlier stages are final, so their ranks pull this stage's first items level with them.
    for (const layer of layers) sortBy(layer, (k) => mean(preds.get(k)!.filter((p) => rank.has(p))));
    for (let sweep = 0; sweep < 4; sweep++) {
      for (let i = layers.length - 2; i >= 0; i--) sortBy(layers[i], (k) => mean(succs.get(k)!.filter((s) => stageOf.get(s) === stage)));
      for (let i = 1; i < layers.length; i++) sortBy(layers[i], (k) => mean(preds.get(k)!.filter((p) => rank.has(p) && (stageOf.get(p) !== stage || layers.slice(0, i).some((l) => l.includes(p))))));
    }
  }

  // 3. Fold, starting from one layer per column, until the board fits the target canvas at the
  // target zoom. While too wide: stack the two neighbouring columns of a stage whose stack stays
  // lowest (thin chain tails first, then fewest edges inside the new column). While too tall:
  // split the tallest layer over two columns. The best board seen wins if none gets there.
  const colW = W + o.columnGap;
  const rowH = H + o.rowGap;
  const boardSize = (cols: Map<number, Column[]>) => {
    let width = -o.laneGap;
    let rows = 1;
    for (const cs of cols.values()) {
      width += o.laneGap + 2 * o.lanePadding + cs.length * colW - o.columnGap;
      for (const c of cs) rows = Math.max(rows, c.length);
    }
    return { width, height: o.laneTitleHeight + 2 * o.lanePadding + rows * rowH - o.rowGap, rows };
  };
  const edgeSet = new Set(edges.map((e) => `${e.from}\u0000${e.to}`));
  const innerEdges = (upper: Column, lower: Column) => {
    let n = 0;
    for (const f of upper) for (const t of lower) if (edgeSet.has(`${f}\u0000${t}`)) n++;
    return n;
  };
  const split = new Set<Column>(); // halves of a split layer: never stacked back together
  let columnsOf = new Map<number, Column[]>(stages.map((s) => [s, layersOf.get(s)!.map((l) => [...l])]));
  let best = { cols: columnsOf, zoom: 0 };
  for (let step = 0; step <= 4 * items.length; step++) {
    const { width, height, rows } = boardSize(columnsOf);
    const zoomW = o.fit.width / width;
    const zoomH = o.fit.height / height;
    const zoom = Math.min(zoomW, zoomH);
    if (zoom > best.zoom * 1.0001) best = { cols: columnsOf, zoom };
    if (zoom >= o.fit.zoom) break;
    let next: Map<number, Column[]> | null = null;
    if (zoomW <= zoomH) {
      let score: number[] | null = null;
      for (const stage of stages) {
        const cs = columnsOf.get(stage)!;
        for (let i = 0; i + 1 < cs.length; i++) {
          if (split.has(cs[i]) && split.has(cs[i + 1])) continue;
          const merged = cs[i].length + cs[i + 1].length;
          const s = [Math.max(rows, merged), merged, innerEdges(cs[i], cs[i + 1])];
          if (!score || lexLess(s, score)) {
            score = s;
            next = new Map(columnsOf).set(stage, [...cs.slice(0, i), [...cs[i], ...cs[i + 1]], ...cs.slice(i + 2)]);
          }
        }
      }
    } else {
      let tallestCol: { stage: number; i: number; size: number } | null = null;
      for (const stage of stages)
        columnsOf.get(stage)!.forEach((c, i) => {
          if (c.length > 1 && (!tallestCol || c.length > tallestCol.size)) tallestCol = { stage, i, size: c.length };
        });
      if (tallestCol) {
        const { stage, i } = tallestCol as { stage: number; i: number };
        const cs = columnsOf.get(stage)!;
        const half = Math.ceil(cs[i].length / 2);
        const a = cs[i].slice(0, half);
        const b = cs[i].slice(half);
        split.add(a).add(b);
        next = new Map(columnsOf).set(stage, [...cs.slice(0, i), a, b, ...cs.slice(i + 1)]);
      }
    }
    if (!next) break;
    columnsOf = next;
  }
  if (Math.min(o.fit.width / boardSize(columnsOf).width, o.fit.height / boardSize(columnsOf).height) < o.fit.zoom) columnsOf = best.cols;

  // 4. Coordinates. Every stage column spans the board's full height; items sit near the
  // mean height of their placed prerequisites, packed without overlap inside the column.
  const { height: boardHeight } = boardSize(columnsOf);
  const top = o.laneTitleHeight + o.lanePadding;
  const bottom = boardHeight - o.lanePadding; // last item's y + H must stay ≤ bottom
  // A stacked column reads top to bottom: each item directly followed by what it unlocks there.
  for (const [stage, cs] of columnsOf) columnsOf.set(stage, cs.map((c) => stackOrder(c, preds, succs)));
  const pos = new Map<string, { x: number; y: number }>();
  const lanes: Lane[] = [];
  const columnX: { x: number; keys: string[] }[] = [];
  let x = 0;
  for (const stage of stages) {
    const cs = columnsOf.get(stage)!;
    const laneWidth = 2 * o.lanePadding + cs.length * colW - o.columnGap;
    lanes.push({ stage, x, y: 0, width: laneWidth, height: boardHeight, titleHeight: o.laneTitleHeight });
    cs.forEach((c, i) => columnX.push({ x: x + o.lanePadding + i * colW, keys: c }));
    x += laneWidth + o.laneGap;
  }
  const centre = (k: string) => pos.get(k)!.y + H / 2;
  const place = (col: { x: number; keys: string[] }, want: (k: string) => number | undefined) => {
    const ys = packColumn(col.keys.map(want), H, o.rowGap, top, bottom);
    col.keys.forEach((k, i) => pos.set(k, { x: col.x, y: ys[i] }));
  };
  const meanOf = (ks: string[]) => (ks.length ? ks.reduce((s, k) => s + centre(k), 0) / ks.length - H / 2 : undefined);
  for (const col of columnX) place(col, (k) => meanOf(preds.get(k)!.filter((p) => pos.has(p) && !col.keys.includes(p))));
  // Items with no placed prerequisite (a stage's first items) move level with what they unlock.
  for (let i = columnX.length - 1; i >= 0; i--) {
    const col = columnX[i];
    const free = col.keys.map((k) => !preds.get(k)!.some((p) => !col.keys.includes(p) && columnX.findIndex((c) => c.keys.includes(p)) < i));
    if (!free.some(Boolean)) continue;
    place(col, (k) => {
      const idx = col.keys.indexOf(k);
      if (!free[idx]) return pos.get(k)!.y;
      return meanOf(succs.get(k)!.filter((s) => !col.keys.includes(s)));
    });
  }

  const nodes = items.map((it) => ({ key: it.key, ...pos.get(it.key)! }));
  return { nodes, lanes, width: Math.max(x - o.laneGap, 0), height: stages.length ? boardHeight : 0 };
}

/**
 * Tops for items stacked in this order in a column from `top` to `bottom`, each as close to its
 * wanted top as the order and the spacing allow (unwanted ones close up behind their neighbour).
 */
function packColumn(wanted: (number | undefined)[], h: number, gap: number, top: number, bottom: number): number[] {
  const step = h + gap;
  const n = wanted.length;
  const ys = new Array<number>(n);
  // Forward: never above the wanted top nor overlapping the item above.
  for (let i = 0; i < n; i++) {
    const floor = i === 0 ? top : ys[i - 1] + step;
    ys[i] = Math.max(floor, wanted[i] ?? floor);
  }
  // Backward: pull up what overflows the bottom, keeping the spacing.
  for (let i = n - 1; i >= 0; i--) {
    const ceiling = i === n - 1 ? bottom - h : ys[i + 1] - step;
    ys[i] = Math.min(ys[i], ceiling);
  }
  // A cluster of unwanted items leading the column sits just above the first wanted one.
  const firstWanted = wanted.findIndex((w) => w !== undefined);
  if (firstWanted > 0) for (let i = firstWanted - 1; i >= 0; i--) ys[i] = Math.max(top + i * step, ys[i + 1] - step);
  return ys.map((y) => Math.round(y));
}

/**
 * The order of a column's items top to bottom: layer order, except that an item whose
 * prerequisites in the column are all placed comes right after the last of them (depth first),
 * so chains read as runs of neighbours and fewer edges pass behind other items.
 */
function stackOrder(column: Column, preds: Map<string, string[]>, succs: Map<string, string[]>): Column {
  if (column.length < 3) return column;
  const inColumn = new Set(column);
  const placed = new Set<string>();
  const out: string[] = [];
  const visit = (k: string) => {
    placed.add(k);
    out.push(k);
    for (const s of succs.get(k)!) if (inColumn.has(s) && !placed.has(s) && preds.get(s)!.every((p) => !inColumn.has(p) || placed.has(p))) visit(s);
  };
  for (const k of column) if (!placed.has(k) && preds.get(k)!.every((p) => !inColumn.has(p) || placed.has(p))) visit(k);
  for (const k of column) if (!placed.has(k)) visit(k); // unreachable for an acyclic graph; keeps every item
  return out;
}

function lexLess(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
