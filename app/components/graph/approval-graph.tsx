import {
  Background,
  Controls,
  MarkerType,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  useStore,
  useStoreApi,
  type Connection,
  type Edge,
  type Viewport,
} from "@xyflow/react";
import { useNavigate } from "@remix-run/react";
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { stageLabel } from "~/domain/item/vocabulary";
import { cx } from "~/components/ui";
import { edgeTypes, handleBoxes, nodeTypes, stackPath, type GraphData, type ItemNode, type ItemNodeData, type LaneNode } from "./nodes";
import {
  FIT_PADDING,
  MAX_ZOOM,
  MIN_ZOOM,
  NOMINAL_CANVAS,
  focusView,
  formatView,
  openingView,
  parseView,
  type Box,
  type Canvas,
  type OpeningMode,
} from "./viewport";

export type { ItemNode } from "./nodes";

/** The drawer's width on wide screens; the view keeps a selected item out from under it. */
const DRAWER_PX = 400;

/** Items the officer is working on now: where a graph too large to read whole opens. */
function isFrontier(item: ItemNodeData["item"]): boolean {
  return item.warning === "red" || item.status === "running" || item.ready;
}

/**
 * The approval graph: a full-width board of stage columns (laid out on the server, see
 * domain/graph/layout), a toolbar above it (legend, dates toggle, how much is shown) and,
 * when an item is selected, its panel as a drawer over the right of the board.
 *
 * The view: the whole graph when its names are legible so, else the current frontier; a
 * selected item (?item=) is brought into view; moving the view writes ?view=x,y,zoom into
 * the address (replace, debounced) so a reload comes back to it. The server renders the
 * same first view for a 1440 × 900 screen; the browser corrects it to its own canvas.
 */
export function ApprovalGraph({
  graph,
  selectedKey,
  canEdit,
  onConnect,
  onRemove,
  nodeWidth,
  nodeHeight,
  initialView,
  drawer,
  toolbarEnd,
}: {
  graph: GraphData;
  selectedKey: string | null;
  canEdit: boolean;
  onConnect: (from: string, to: string) => void;
  onRemove: (from: string, to: string) => void;
  nodeWidth: number;
  nodeHeight: number;
  /** The ?view= value the page was opened with. */
  initialView: string | null;
  /** The selected item's panel, shown as a drawer. */
  drawer?: ReactNode;
  /** Shown at the end of the toolbar (e.g. how many next actions wait). */
  toolbarEnd?: ReactNode;
}) {
  const [showDates, setShowDates] = useState(false);
  // Edges depend on what only the browser measures; they join right after hydration.
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);

  const boxes = useMemo(
    () => new Map<string, Box>(graph.nodes.map((n) => [n.key, { x: n.x, y: n.y, width: nodeWidth, height: nodeHeight }])),
    [graph.nodes, nodeWidth, nodeHeight]
  );
  const frontierKeys = useMemo(() => graph.nodes.filter((n) => isFrontier(n.item)).map((n) => n.key), [graph.nodes]);
  // The whole board is the stage columns (they enclose every item, and carry the titles).
  const board = useMemo<Box[]>(
    () =>
      graph.lanes.length
        ? graph.lanes.map((l) => ({ x: l.x, y: l.y, width: l.width, height: l.height }))
        : [...boxes.values()],
    [graph.lanes, boxes]
  );

  // The first view, identical on the server and in the hydrating browser.
  const [opening] = useState(() => firstView(board, boxes, frontierKeys, selectedKey, initialView, NOMINAL_CANVAS, selectedKey ? DRAWER_PX : 0));
  const [mode, setMode] = useState<OpeningMode | "shown">(opening.mode);
  const [viewReady, setViewReady] = useState(false);
  // ?view= follows the view once the page has opened, debounced, without a navigation
  // (replaceState outside the router: moving the view must never reload the page's data). The
  // view the page opens on is not written: a fresh page keeps a clean address.
  const opened = useRef<Viewport | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout>>();
  const onMoveEnd = useCallback((_: unknown, v: Viewport) => {
    const o = opened.current;
    if (!o || (Math.abs(o.x - v.x) < 0.5 && Math.abs(o.y - v.y) < 0.5 && Math.abs(o.zoom - v.zoom) < 1e-3)) return;
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      const params = new URLSearchParams(window.location.search);
      params.delete("view");
      const rest = params.toString();
      // Written by hand: URLSearchParams would turn the commas into %2C.
      window.history.replaceState(window.history.state, "", `${window.location.pathname}?${rest ? `${rest}&` : ""}view=${formatView(v)}`);
    }, 400);
  }, []);
  useEffect(() => () => clearTimeout(timer.current), []);

  const nodes = useMemo<(ItemNode | LaneNode)[]>(
    () => [
      ...graph.lanes.map((l): LaneNode => {
        const inStage = graph.nodes.filter((n) => n.item.stage === l.stage);
        return {
          id: `lane-${l.stage}`,
          type: "lane",
          position: { x: l.x, y: l.y },
          width: l.width,
          height: l.height,
          data: {
            stage: l.stage,
            label: stageLabel(l.stage),
            done: inStage.filter((n) => n.item.status === "approved" || n.item.status === "waived").length,
            total: inStage.length,
            titleHeight: l.titleHeight,
          },
          draggable: false,
          selectable: false,
          connectable: false,
          focusable: false,
          zIndex: -1,
        };
      }),
      ...graph.nodes.map(
        (n): ItemNode => ({
          id: n.key,
          type: "item",
          position: { x: n.x, y: n.y },
          width: nodeWidth,
          height: nodeHeight,
          handles: handleBoxes(nodeWidth, nodeHeight),
          data: {
            item: n.item,
            showDates,
            selected: n.key === selectedKey,
            href: `?item=${encodeURIComponent(n.key)}`,
          },
          draggable: false,
          connectable: canEdit,
        })
      ),
    ],
    [graph, showDates, selectedKey, canEdit, nodeWidth, nodeHeight]
  );

  const edges = useMemo<Edge[]>(() => {
    const all = graph.edges.map((e) => {
      const s = boxes.get(e.from)!;
      const t = boxes.get(e.to)!;
      const touches = selectedKey !== null && (e.from === selectedKey || e.to === selectedKey);
      const colour = e.critical ? "#dc2626" : touches ? "#047857" : "#94a3b8";
      const route = routeOf(s, t, e.from, e.to, boxes);
      return {
        id: `${e.from}->${e.to}`,
        source: e.from,
        target: e.to,
        ...route,
        animated: e.critical,
        label: e.lag ? `+${e.lag}` : undefined,
        markerEnd: { type: MarkerType.ArrowClosed, color: colour, width: 16, height: 16 },
        // The selected item's edges stand out and the rest step back.
        style: { stroke: colour, strokeWidth: e.critical || touches ? 2 : 1.25, opacity: selectedKey && !touches && !e.critical ? 0.45 : 1 },
        zIndex: touches ? 1 : 0,
        deletable: canEdit,
        className: cx(e.critical && "critical-edge", touches && "selected-edge"),
      } satisfies Edge;
    });
    // Short edges inside a column last, so they are drawn over the long ones crossing its gutter.
    return [...all.filter((e) => e.type !== "stack"), ...all.filter((e) => e.type === "stack")];
  }, [graph.edges, boxes, selectedKey, canEdit]);

  const total = graph.nodes.length;
  return (
    // The store starts with the nodes and a canvas size: that is what the server renders from.
    <ReactFlowProvider initialNodes={nodes} initialWidth={NOMINAL_CANVAS.width} initialHeight={NOMINAL_CANVAS.height}>
      <div
        className="flex h-full flex-col overflow-hidden rounded-lg border border-slate-200 bg-white"
        data-testid="approval-graph"
        data-view-ready={viewReady ? "true" : undefined}
        data-view-mode={mode}
      >
        <div className="flex flex-wrap items-center gap-x-4 gap-y-1 border-b border-slate-200 px-3 py-1.5 text-xs text-slate-600" data-testid="graph-toolbar">
          <Legend canEdit={canEdit} />
          {mode === "frontier" ? <FrontierNote shown={frontierKeys.length} total={total} onShowAll={() => setMode("shown")} /> : null}
          <div className="ml-auto flex items-center gap-3">
            {toolbarEnd}
            <label className="flex cursor-pointer items-center gap-1 whitespace-nowrap">
              <input type="checkbox" checked={showDates} onChange={(e) => setShowDates(e.target.checked)} />
              显示最早日期与时差
            </label>
          </div>
        </div>
        <div className="relative min-h-0 flex-1">
          <SeedViewport viewport={opening.viewport} />
          <ReactFlow
            nodes={nodes}
            edges={mounted ? edges : []}
            nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
            defaultViewport={opening.viewport}
            minZoom={MIN_ZOOM}
            maxZoom={MAX_ZOOM}
            fitViewOptions={{ padding: FIT_PADDING, duration: 300 }}
            nodesDraggable={false}
            nodesConnectable={canEdit}
            edgesFocusable
            elementsSelectable
            deleteKeyCode={canEdit ? ["Delete", "Backspace"] : null}
            onConnect={(c: Connection) => c.source && c.target && onConnect(c.source, c.target)}
            onEdgesDelete={(deleted) => deleted.forEach((e) => onRemove(e.source, e.target))}
            onlyRenderVisibleElements={total > 80}
            onMoveEnd={onMoveEnd}
          >
            <ViewController
              board={board}
              boxes={boxes}
              frontierKeys={frontierKeys}
              selectedKey={selectedKey}
              initialView={initialView}
              mode={mode}
              setMode={setMode}
              onOpened={(v) => {
                opened.current = v;
                setViewReady(true);
              }}
            />
            <Background gap={24} color="#e2e8f0" />
            <Controls showInteractive={false} position="bottom-left" fitViewOptions={{ padding: FIT_PADDING, duration: 300 }} />
            {/* No minimap: the board opens whole (or on its frontier with 查看全部), so a thumbnail would only cover items. */}
          </ReactFlow>
          {drawer ? <Drawer>{drawer}</Drawer> : null}
        </div>
      </div>
    </ReactFlowProvider>
  );
}

/**
 * How an edge runs: left to right between columns (smooth steps); between two items of one
 * column (a prerequisite stacked above what waits for it) straight down when they are
 * neighbours, else round the column's right-hand side.
 */
function routeOf(s: Box, t: Box, from: string, to: string, boxes: Map<string, Box>): { type: "smoothstep" } | { type: "stack"; data: ReturnType<typeof stackPath> } {
  if (t.x !== s.x || t.y <= s.y) return { type: "smoothstep" };
  const between = [...boxes].some(([k, b]) => k !== from && k !== to && b.x === s.x && b.y > s.y && b.y < t.y);
  return { type: "stack", data: stackPath(s, t, !between) };
}

function firstView(
  board: Box[],
  boxes: Map<string, Box>,
  frontierKeys: string[],
  selectedKey: string | null,
  initialView: string | null,
  canvas: Canvas,
  coveredRight: number
) {
  const restored = parseView(initialView);
  if (restored) return { viewport: restored, mode: "all" as OpeningMode, restored: true };
  const opening = openingView(
    board,
    frontierKeys.map((k) => boxes.get(k)!),
    canvas
  );
  const selected = selectedKey ? boxes.get(selectedKey) : undefined;
  const viewport = (selected && focusView(selected, opening.viewport, canvas, coveredRight)) || opening.viewport;
  return { viewport, mode: opening.mode, restored: false };
}

/**
 * React Flow renders its first transform from its store, which starts at zoom 1; setting the
 * opening view there before the viewport mounts makes the server's HTML (and the hydrating
 * browser) show the graph where the page opens, instead of jumping after hydration.
 */
function SeedViewport({ viewport }: { viewport: Viewport }) {
  const store = useStoreApi();
  useState(() => {
    store.setState({ transform: [viewport.x, viewport.y, viewport.zoom] });
    return null;
  });
  return null;
}

/**
 * After hydration: fits the opening view to the real canvas and brings a newly selected
 * item into view.
 */
function ViewController({
  board,
  boxes,
  frontierKeys,
  selectedKey,
  initialView,
  mode,
  setMode,
  onOpened,
}: {
  board: Box[];
  boxes: Map<string, Box>;
  frontierKeys: string[];
  selectedKey: string | null;
  initialView: string | null;
  mode: OpeningMode | "shown";
  setMode: (m: OpeningMode | "shown") => void;
  onOpened: (v: Viewport) => void;
}) {
  const rf = useReactFlow();
  const width = useStore((s) => s.width);
  const height = useStore((s) => s.height);
  const panZoom = useStore((s) => s.panZoom);
  const opened = useRef(false);
  const focused = useRef<string | null>(selectedKey);

  // The opening view, once the canvas has its real size (ResizeObserver has run).
  useEffect(() => {
    if (opened.current || !panZoom || !width || !height) return;
    opened.current = true;
    const first = firstView(board, boxes, frontierKeys, selectedKey, initialView, { width, height }, selectedKey ? Math.min(DRAWER_PX, width * 0.85) : 0);
    setMode(first.mode);
    void rf.setViewport(first.viewport, { duration: 0 }).then(() => onOpened(rf.getViewport()));
  }, [panZoom, width, height, board, boxes, frontierKeys, selectedKey, initialView, rf, setMode, onOpened]);

  // A new selection (node, drawer link, 下一步 list, back/forward) comes into view.
  useEffect(() => {
    if (!opened.current || focused.current === selectedKey) return;
    focused.current = selectedKey;
    const box = selectedKey ? boxes.get(selectedKey) : undefined;
    if (!box) return;
    const v = focusView(box, rf.getViewport(), { width, height }, Math.min(DRAWER_PX, width * 0.85));
    if (v) void rf.setViewport(v, { duration: 300 });
  }, [selectedKey, boxes, rf, width, height]);

  // 查看全部 from the frontier note.
  useEffect(() => {
    if (mode === "shown") void rf.fitView({ padding: FIT_PADDING, duration: 300 });
  }, [mode, rf]);
  return null;
}

function FrontierNote({ shown, total, onShowAll }: { shown: number; total: number; onShowAll: () => void }) {
  return (
    <p className="flex items-center gap-2 rounded bg-amber-50 px-2 py-0.5 text-amber-900" data-testid="frontier-note">
      显示当前进展的 {shown} 项，共 {total} 项；缩小或
      <button type="button" onClick={onShowAll} className="font-medium text-brand-700 underline hover:text-brand-800">
        查看全部
      </button>
    </p>
  );
}

function Legend({ canEdit }: { canEdit: boolean }) {
  const swatch = "mr-1 inline-block h-2.5 w-3.5 rounded-sm border-2 align-[-1px]";
  return (
    <div className="flex flex-wrap items-center gap-x-3 gap-y-1" aria-label="图例">
      <span>
        <span className={cx(swatch, "border-red-500 bg-red-50")} />
        超期
      </span>
      <span>
        <span className={cx(swatch, "border-amber-400 bg-amber-50")} />
        临期
      </span>
      <span>
        <span className={cx(swatch, "border-sky-500 bg-white")} />
        办理中
      </span>
      <span>
        <span className={cx(swatch, "border-violet-400 bg-violet-50")} />
        暂停
      </span>
      <span>
        <span className={cx(swatch, "border-emerald-400 bg-emerald-50")} />
        已办结
      </span>
      <span>
        <span className={cx(swatch, "border-dashed border-sky-500 bg-white")} />
        可申报
      </span>
      <span>
        <span className="mr-1 inline-block h-0.5 w-4 bg-red-600 align-middle" />
        关键路径
      </span>
      {canEdit ? (
        <span className="text-slate-400" title="从节点右侧圆点拖到另一节点左侧圆点添加依赖；选中连线按 Delete 删除">
          拖动圆点连线添加依赖 · 选中连线按 Delete 删除
        </span>
      ) : null}
    </div>
  );
}

/** The selected item's panel over the right of the board; ✕ in the panel or Esc closes it (both drop ?item=). */
function Drawer({ children }: { children: ReactNode }) {
  const navigate = useNavigate();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (e.key !== "Escape" || t?.closest("input, select, textarea, dialog")) return;
      navigate(".", { preventScrollReset: true });
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [navigate]);
  return (
    <aside
      className="absolute inset-y-0 right-0 z-10 w-[400px] max-w-[85%] overflow-y-auto border-l border-slate-200 bg-slate-50/95 p-2 shadow-xl"
      aria-label="事项详情"
      data-testid="item-drawer"
    >
      {children}
    </aside>
  );
}
