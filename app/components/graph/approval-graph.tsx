import {
  Background,
  Controls,
  Handle,
  MarkerType,
  MiniMap,
  Position,
  ReactFlow,
  type Connection,
  type Edge,
  type Node,
  type NodeProps,
} from "@xyflow/react";
import { Link } from "@remix-run/react";
import { memo, useEffect, useMemo, useState } from "react";
import { Countdown, ItemStatusBadge } from "~/components/status";
import { cx } from "~/components/ui";
import { ITEM_KIND_LABELS, stageLabel } from "~/domain/item/vocabulary";
import type { Workspace } from "~/services/workspace.server";

type GraphData = Workspace["graph"];
type ItemData = GraphData["nodes"][number]["item"];

type ItemNodeData = { item: ItemData; showDates: boolean; selected: boolean; href: string };
export type ItemNode = Node<ItemNodeData, "item">;
type LaneNode = Node<{ label: string }, "lane">;


const BORDER: Record<string, string> = {
  red: "border-red-500 bg-red-50",
  yellow: "border-amber-400 bg-amber-50",
  approved: "border-emerald-400 bg-emerald-50/60",
  waived: "border-slate-300 bg-slate-50",
  running: "border-sky-400 bg-white",
  paused: "border-violet-400 bg-violet-50/60",
  pending: "border-slate-300 bg-white",
};

function tone(item: ItemData): string {
  if (item.warning === "red") return BORDER.red;
  if (item.warning === "yellow") return BORDER.yellow;
  if (item.status === "approved") return BORDER.approved;
  if (item.status === "waived") return BORDER.waived;
  if (item.paused) return BORDER.paused;
  if (item.status === "running") return BORDER.running;
  return BORDER.pending;
}

// A node is a link: the side panel opens by URL, so it works before hydration and without JavaScript.
const ItemNodeView = memo(function ItemNodeView({ data }: NodeProps<ItemNode>) {
  const { item, showDates, selected, href } = data;
  return (
    <>
      <Handle type="target" position={Position.Left} className="!h-2 !w-2 !bg-slate-400" />
      <Link
        to={href}
        preventScrollReset
        data-node={item.key}
        aria-label={`${item.name}，${item.departmentName ?? ""}`}
        className={cx(
          "flex h-full w-full flex-col justify-between rounded-md border-2 px-2 py-1.5 text-left shadow-sm outline-none focus-visible:ring-2 focus-visible:ring-brand-500",
          tone(item),
          item.critical && "ring-2 ring-red-400/70",
          item.ready && "border-dashed border-sky-500",
          selected && "ring-2 ring-brand-600",
        )}
      >
        <div className="truncate text-xs font-semibold text-slate-800" title={item.name}>
          {item.name}
        </div>
        <div className="truncate text-[10px] text-slate-500">{item.departmentName ?? ITEM_KIND_LABELS[item.kind]}</div>
        {showDates ? (
          <div className="text-[10px] leading-tight text-slate-600 tabular-nums">
            早 {item.earliestStart.slice(5)}→{item.earliestFinish.slice(5)} · 迟 {item.latestStart?.slice(5) ?? "—"}→{item.latestFinish?.slice(5) ?? "—"} · 差 {item.slack ?? "—"}
          </div>
        ) : (
          <div className="flex items-center gap-1 overflow-hidden">
            <ItemStatusBadge status={item.status} kind={item.kind} />
            {item.ready ? (
              <span className="rounded bg-sky-600 px-1 text-[10px] font-medium text-white">可申报</span>
            ) : (
              <Countdown remaining={item.remainingWorkingDays} warning={item.warning} paused={item.paused} />
            )}
          </div>
        )}
      </Link>
      <Handle type="source" position={Position.Right} className="!h-2 !w-2 !bg-slate-400" />
    </>
  );
});

const LaneNodeView = memo(function LaneNodeView({ data }: NodeProps<LaneNode>) {
  return (
    <div className="pointer-events-none h-full w-full rounded-lg border border-slate-200 bg-slate-50/70">
      <div className="absolute left-0 top-0 flex h-full w-9 items-center justify-center rounded-l-lg bg-slate-100 text-[11px] font-semibold text-slate-500 [writing-mode:vertical-rl]">
        {data.label}
      </div>
    </div>
  );
});

const nodeTypes = { item: ItemNodeView, lane: LaneNodeView };

export function ApprovalGraph({
  graph,
  selectedKey,
  canEdit,
  onConnect,
  onRemove,
  nodeWidth,
  nodeHeight,
}: {
  graph: GraphData;
  selectedKey: string | null;
  canEdit: boolean;
  onConnect: (from: string, to: string) => void;
  onRemove: (from: string, to: string) => void;
  nodeWidth: number;
  nodeHeight: number;
}) {
  const [showDates, setShowDates] = useState(false);
  // The server renders the nodes at their explicit sizes (readable before hydration); edges and the
  // minimap depend on what only the browser measures, so they join right after hydration —
  // rendering them on the server made the first client render disagree with the HTML.
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  const nodes = useMemo<(ItemNode | LaneNode)[]>(
    () => [
      ...graph.lanes.map(
        (l): LaneNode => ({
          id: `lane-${l.stage}`,
          type: "lane",
          position: { x: l.x, y: l.y },
          width: l.width,
          height: l.height,
          data: { label: `第${l.stage}阶段 ${stageLabel(l.stage)}` },
          draggable: false,
          selectable: false,
          connectable: false,
          focusable: false,
          zIndex: -1,
        }),
      ),
      ...graph.nodes.map(
        (n): ItemNode => ({
          id: n.key,
          type: "item",
          position: { x: n.x, y: n.y },
          width: nodeWidth,
          height: nodeHeight,
          // Explicit handle geometry lets the server draw edges before the browser measures anything.
          handles: [
            { type: "target", position: Position.Left, x: -4, y: nodeHeight / 2 - 4, width: 8, height: 8 },
            { type: "source", position: Position.Right, x: nodeWidth - 4, y: nodeHeight / 2 - 4, width: 8, height: 8 },
          ],
          data: { item: n.item, showDates, selected: n.key === selectedKey, href: `?item=${encodeURIComponent(n.key)}` },
          draggable: false,
          connectable: canEdit,
        }),
      ),
    ],
    [graph, showDates, selectedKey, canEdit, nodeWidth, nodeHeight],
  );
  const edges = useMemo<Edge[]>(
    () =>
      graph.edges.map((e) => ({
        id: `${e.from}->${e.to}`,
        source: e.from,
        target: e.to,
        type: "smoothstep",
        animated: e.critical,
        label: e.lag ? `+${e.lag}` : undefined,
        markerEnd: { type: MarkerType.ArrowClosed, color: e.critical ? "#dc2626" : "#94a3b8" },
        style: { stroke: e.critical ? "#dc2626" : "#94a3b8", strokeWidth: e.critical ? 2 : 1.25 },
        deletable: canEdit,
        className: e.critical ? "critical-edge" : undefined,
      })),
    [graph.edges, canEdit],
  );

  return (
    <div className="relative h-[620px] w-full overflow-hidden rounded-lg border border-slate-200 bg-white" data-testid="approval-graph">
      <div className="absolute right-3 top-3 z-10 flex items-center gap-2 rounded-md border border-slate-200 bg-white/90 px-2 py-1 text-xs shadow-sm">
        <label className="flex cursor-pointer items-center gap-1">
          <input type="checkbox" checked={showDates} onChange={(e) => setShowDates(e.target.checked)} />
          显示最早/最迟日期与时差
        </label>
      </div>
      <div className="absolute left-3 top-3 z-10 flex flex-wrap gap-2 rounded-md border border-slate-200 bg-white/90 px-2 py-1 text-[11px] text-slate-600 shadow-sm">
        <span><span className="mr-1 inline-block h-2 w-3 rounded-sm bg-red-500" />超期</span>
        <span><span className="mr-1 inline-block h-2 w-3 rounded-sm bg-amber-400" />临期</span>
        <span><span className="mr-1 inline-block h-2 w-3 rounded-sm border border-dashed border-sky-500" />可申报</span>
        <span><span className="mr-1 inline-block h-0.5 w-4 bg-red-600 align-middle" />关键路径</span>
        {canEdit ? <span>拖动节点右侧圆点连线可添加依赖，选中连线按 Delete 删除</span> : null}
      </div>
      <ReactFlow
        nodes={nodes}
        edges={mounted ? edges : []}
        nodeTypes={nodeTypes}
        // Start where the work starts (stage 1, top left) at a readable zoom; the fit button shows it all.
        defaultViewport={{ x: 8, y: 8, zoom: 0.8 }}
        minZoom={0.15}
        maxZoom={1.5}
        nodesDraggable={false}
        nodesConnectable={canEdit}
        edgesFocusable
        elementsSelectable
        deleteKeyCode={canEdit ? ["Delete", "Backspace"] : null}
        onConnect={(c: Connection) => c.source && c.target && onConnect(c.source, c.target)}
        onEdgesDelete={(deleted) => deleted.forEach((e) => onRemove(e.source, e.target))}
        onlyRenderVisibleElements={graph.nodes.length > 80}
      >
        <Background gap={24} color="#e2e8f0" />
        {mounted ? <MiniMap pannable zoomable nodeColor={(n) => (n.type === "lane" ? "#f1f5f9" : (n.data as ItemNodeData).item.warning === "red" ? "#ef4444" : (n.data as ItemNodeData).item.critical ? "#f87171" : "#94a3b8")} /> : null}
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
