import {
  Background,
  Controls,
  Handle,
  MarkerType,
  Position,
  ReactFlow,
  ReactFlowProvider,
  type Edge,
  type Node,
  type NodeProps,
} from "@xyflow/react";
import flowStyles from "@xyflow/react/dist/style.css";
import { memo, useEffect, useMemo, useState } from "react";
import { cx } from "~/components/ui";
import { ITEM_KIND_LABELS, ITEM_KINDS, type ItemKind } from "~/domain/item/vocabulary";
import type { TemplateGraph } from "~/services/template-library.server";
import { edgeTypes as stackEdgeTypes, handleBoxes, stackPath } from "./nodes";
import { FIT_PADDING, MAX_ZOOM, MIN_ZOOM } from "./viewport";

export type { TemplateGraph } from "~/services/template-library.server";

/** React Flow's stylesheet: a route showing the graph adds it to its `links` (`links = () => [templateGraphStylesheet]`). */
export const templateGraphStylesheet = { rel: "stylesheet", href: flowStyles } as const;

type TemplateNodeData = TemplateGraph["nodes"][number];
type TemplateItemNode = Node<TemplateNodeData, "templateItem">;
type TemplateLaneNode = Node<TemplateGraph["lanes"][number], "templateLane">;

/** Assumed before the browser measures the canvas: the server renders the fitted view with it. */
const NOMINAL_WIDTH = 1100;

const KIND_STYLE: Record<ItemKind, string> = {
  approval: "border-sky-400 bg-white",
  intermediary: "border-amber-400 bg-amber-50",
  owner: "border-violet-400 bg-violet-50",
  milestone: "border-emerald-500 bg-emerald-50",
};

const TemplateItemView = memo(function TemplateItemView({ data }: NodeProps<TemplateItemNode>) {
  const who = data.department ?? data.kindLabel;
  return (
    <>
      <Handle type="target" position={Position.Left} isConnectable={false} className="!h-2 !w-2 !border-white !bg-slate-400" />
      <div
        data-node={data.key}
        role="group"
        aria-label={[data.name, who, data.kindLabel, data.limitDetail].filter(Boolean).join("，")}
        title={[`${data.name}（${data.key}）`, data.limitDetail].filter(Boolean).join("\n")}
        className={cx("flex h-full w-full flex-col gap-0.5 overflow-hidden rounded-md border-2 px-2 py-1 text-left shadow-sm", KIND_STYLE[data.kind])}
      >
        <div className="line-clamp-3 text-[13px] font-semibold leading-4 text-slate-900">{data.name}</div>
        <div className="mt-auto truncate text-[11px] leading-[14px] text-slate-500">{who}</div>
        <div className="flex items-center gap-1 overflow-hidden text-[11px] leading-4">
          <span className="shrink-0 rounded bg-slate-100 px-1 text-slate-600">{data.kindLabel}</span>
          {data.limit ? <span className="truncate rounded bg-sky-50 px-1 tabular-nums text-sky-800">{data.limit}</span> : null}
        </div>
      </div>
      <Handle type="source" position={Position.Right} isConnectable={false} className="!h-2 !w-2 !border-white !bg-slate-400" />
    </>
  );
});

const TemplateLaneView = memo(function TemplateLaneView({ data }: NodeProps<TemplateLaneNode>) {
  return (
    <div className="pointer-events-none h-full w-full rounded-lg border border-slate-200 bg-slate-50/80">
      <div className="flex flex-col justify-center rounded-t-lg border-b border-slate-200 bg-slate-100 px-3 leading-4" style={{ height: data.titleHeight }}>
        <div className="flex text-[11px] text-slate-500">
          <span>第{data.stage}阶段</span>
          <span className="ml-auto tabular-nums">{data.itemCount} 项</span>
        </div>
        <div className="truncate text-[13px] font-semibold text-slate-800">{data.label}</div>
      </div>
    </div>
  );
});

const nodeTypes = { templateItem: TemplateItemView, templateLane: TemplateLaneView };

/**
 * A template's approval graph, read only: stage columns, items (name, department,
 * kind, limit) and their dependencies with arrows, laid out on the server
 * (`templateGraph` in template-library.server). Pan and zoom (buttons, pinch,
 * ctrl+wheel) but nothing to edit or select; the wheel scrolls the page. The view
 * fits the whole graph; the server renders it fitted to a nominal canvas.
 */
export function TemplateGraphView({ graph, height = 520 }: { graph: TemplateGraph; height?: number }) {
  // Smooth-step edges need the handles' measured positions; they join right after hydration.
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);

  const nodes = useMemo<(TemplateItemNode | TemplateLaneNode)[]>(
    () => [
      ...graph.lanes.map(
        (l): TemplateLaneNode => ({
          id: `lane-${l.stage}`,
          type: "templateLane",
          position: { x: l.x, y: l.y },
          width: l.width,
          height: l.height,
          data: l,
          draggable: false,
          selectable: false,
          connectable: false,
          focusable: false,
          zIndex: -1,
        }),
      ),
      ...graph.nodes.map(
        (n): TemplateItemNode => ({
          id: n.key,
          type: "templateItem",
          position: { x: n.x, y: n.y },
          width: graph.nodeWidth,
          height: graph.nodeHeight,
          handles: handleBoxes(graph.nodeWidth, graph.nodeHeight),
          data: n,
          draggable: false,
          selectable: false,
          connectable: false,
          focusable: false,
        }),
      ),
    ],
    [graph],
  );

  const edges = useMemo<Edge[]>(() => {
    const boxes = new Map(graph.nodes.map((n) => [n.key, { x: n.x, y: n.y, width: graph.nodeWidth, height: graph.nodeHeight }]));
    const all = graph.edges.map((e): Edge => {
      const s = boxes.get(e.from)!;
      const t = boxes.get(e.to)!;
      // Two items stacked in one column: straight down when neighbours, else round the column's right side (as on a project's graph).
      const stacked = t.x === s.x && t.y > s.y;
      const between = stacked && graph.nodes.some((n) => n.key !== e.from && n.key !== e.to && n.x === s.x && n.y > s.y && n.y < t.y);
      return {
        id: `${e.from}->${e.to}`,
        source: e.from,
        target: e.to,
        ...(stacked ? { type: "stack", data: stackPath(s, t, !between) } : { type: "smoothstep" }),
        label: e.lag ? `+${e.lag}` : undefined,
        markerEnd: { type: MarkerType.ArrowClosed, color: "#64748b", width: 16, height: 16 },
        style: { stroke: "#94a3b8", strokeWidth: 1.25 },
        selectable: false,
        focusable: false,
        deletable: false,
      };
    });
    // Short edges inside a column last, drawn over the long ones crossing its gutter.
    return [...all.filter((e) => e.type !== "stack"), ...all.filter((e) => e.type === "stack")];
  }, [graph]);

  return (
    <ReactFlowProvider initialNodes={nodes} initialWidth={NOMINAL_WIDTH} initialHeight={height} fitView initialFitViewOptions={{ padding: FIT_PADDING }}>
      <div className="flex flex-col overflow-hidden rounded-lg border border-slate-200 bg-white" data-testid="template-graph">
        <Legend />
        <div className="relative" style={{ height }}>
          <ReactFlow
            nodes={nodes}
            edges={mounted ? edges : []}
            nodeTypes={nodeTypes}
            edgeTypes={stackEdgeTypes}
            fitView
            fitViewOptions={{ padding: FIT_PADDING }}
            minZoom={MIN_ZOOM}
            maxZoom={MAX_ZOOM}
            nodesDraggable={false}
            nodesConnectable={false}
            nodesFocusable={false}
            edgesFocusable={false}
            elementsSelectable={false}
            deleteKeyCode={null}
            zoomOnScroll={false}
            preventScrolling={false}
            zoomOnDoubleClick
          >
            <Background gap={24} color="#e2e8f0" />
            <Controls showInteractive={false} position="bottom-left" fitViewOptions={{ padding: FIT_PADDING, duration: 300 }} />
          </ReactFlow>
        </div>
      </div>
    </ReactFlowProvider>
  );
}

function Legend() {
  const swatch = "mr-1 inline-block h-2.5 w-3.5 rounded-sm border-2 align-[-1px]";
  return (
    <div className="flex flex-wrap items-center gap-x-3 gap-y-1 border-b border-slate-200 px-3 py-1.5 text-xs text-slate-600" aria-label="图例">
      {ITEM_KINDS.map((k) => (
        <span key={k}>
          <span className={cx(swatch, KIND_STYLE[k])} />
          {ITEM_KIND_LABELS[k]}
        </span>
      ))}
      <span className="text-slate-400">时限为承诺时限（无承诺时限时为法定时限）；连线上的 +N 为间隔工作日 · 用按钮或 Ctrl+滚轮缩放</span>
    </div>
  );
}
