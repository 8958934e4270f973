import { BaseEdge, Handle, Position, type Edge, type EdgeProps, type Node, type NodeProps } from "@xyflow/react";
import { Link } from "@remix-run/react";
import { memo } from "react";
import { itemStatusLabel } from "~/domain/clock";
import { ITEM_KIND_LABELS } from "~/domain/item/vocabulary";
import { cx } from "~/components/ui";
import type { Workspace } from "~/services/workspace.server";

export type GraphData = Workspace["graph"];
export type ItemData = GraphData["nodes"][number]["item"];

export type ItemNodeData = { item: ItemData; showDates: boolean; selected: boolean; href: string };
export type ItemNode = Node<ItemNodeData, "item">;
export type LaneNodeData = { stage: number; label: string; done: number; total: number; titleHeight: number };
export type LaneNode = Node<LaneNodeData, "lane">;

/** Explicit handle boxes (left in, right out), so the server can draw edges before the browser measures anything. */
export function handleBoxes(width: number, height: number) {
  return [
    { type: "target" as const, position: Position.Left, x: -4, y: height / 2 - 4, width: 8, height: 8 },
    { type: "source" as const, position: Position.Right, x: width - 4, y: height / 2 - 4, width: 8, height: 8 },
  ];
}

/**
 * An edge between two items stacked in one column (a prerequisite above what waits for it):
 * straight down to the item right below, or round the column's right-hand side when other
 * items sit in between. The layout fixes the nodes, so the path is computed once from their
 * boxes and the handles are not used.
 */
export type StackEdge = Edge<{ path: string; labelX: number; labelY: number }, "stack">;

export function stackPath(s: { x: number; y: number; width: number; height: number }, t: { x: number; y: number }, adjacent: boolean) {
  if (adjacent) {
    const x = s.x + s.width / 2;
    return { path: `M ${x},${s.y + s.height} L ${x},${t.y}`, labelX: x, labelY: (s.y + s.height + t.y) / 2 };
  }
  const right = s.x + s.width;
  const out = right + 14;
  const y1 = s.y + s.height / 2;
  const y2 = t.y + s.height / 2 + 10;
  return { path: `M ${right},${y1} L ${out - 4},${y1} Q ${out},${y1} ${out},${y1 + 4} L ${out},${y2 - 4} Q ${out},${y2} ${out - 4},${y2} L ${right},${y2}`, labelX: out, labelY: (y1 + y2) / 2 };
}

const StackEdgeView = memo(function StackEdgeView({ id, data, markerEnd, style, label, interactionWidth }: EdgeProps<StackEdge>) {
  return <BaseEdge id={id} path={data!.path} markerEnd={markerEnd} style={style} label={label} labelX={data!.labelX} labelY={data!.labelY} interactionWidth={interactionWidth} />;
});

export const edgeTypes = { stack: StackEdgeView };

const TONE: Record<string, string> = {
  red: "border-red-500 bg-red-50",
  yellow: "border-amber-400 bg-amber-50",
  approved: "border-emerald-400 bg-emerald-50",
  waived: "border-slate-300 bg-slate-50",
  running: "border-sky-500 bg-white",
  paused: "border-violet-400 bg-violet-50",
  pending: "border-slate-300 bg-white",
};

function toneOf(item: ItemData): keyof typeof TONE {
  if (item.warning === "red") return "red";
  if (item.warning === "yellow") return "yellow";
  if (item.status === "approved") return "approved";
  if (item.status === "waived") return "waived";
  if (item.paused) return "paused";
  if (item.status === "running") return "running";
  return "pending";
}

const STATUS_PILL: Record<string, string> = {
  pending: "bg-slate-100 text-slate-600",
  running: "bg-sky-100 text-sky-800",
  correction: "bg-violet-100 text-violet-800",
  special: "bg-violet-100 text-violet-800",
  suspended: "bg-violet-100 text-violet-800",
  approved: "bg-emerald-100 text-emerald-800",
  rejected: "bg-red-100 text-red-800",
  waived: "bg-slate-100 text-slate-600",
  withdrawn: "bg-slate-100 text-slate-600",
};

const PILL = "shrink-0 whitespace-nowrap rounded px-1 text-[11px] leading-4";

/**
 * The clock in words, the same words as the tables' countdown (剩余 N 个工作日 …), shortened
 * only where a pause needs room for the days left.
 */
function Clock({ item }: { item: ItemData }) {
  const r = item.remainingWorkingDays;
  if (item.paused) return <span className={cx(PILL, "bg-violet-100 text-violet-800")}>暂停中{r !== null ? ` 余 ${r} 日` : ""}</span>;
  if (item.ready) return <span className={cx(PILL, "bg-sky-600 font-medium text-white")}>可申报</span>;
  if (r === null) return null;
  const tone = item.warning === "red" ? "bg-red-100 text-red-800" : item.warning === "yellow" ? "bg-amber-100 text-amber-900" : "bg-emerald-100 text-emerald-800";
  const text = r < 0 ? `超期 ${-r} 个工作日` : r === 0 ? (item.warning === "red" ? "已超期" : "今日到期") : `剩余 ${r} 个工作日`;
  return <span className={cx(PILL, tone)}>{text}</span>;
}

// A node is a link: the drawer opens by URL, so it works before hydration and without JavaScript.
export const ItemNodeView = memo(function ItemNodeView({ data }: NodeProps<ItemNode>) {
  const { item, showDates, selected, href } = data;
  const tone = toneOf(item);
  return (
    <>
      <Handle type="target" position={Position.Left} className="!h-2 !w-2 !border-white !bg-slate-400" />
      <Link
        to={href}
        preventScrollReset
        data-node={item.key}
        data-tone={tone}
        aria-label={`${item.name}，${item.departmentName ?? ITEM_KIND_LABELS[item.kind]}，${itemStatusLabel(item.status, item.kind)}`}
        aria-current={selected ? "true" : undefined}
        className={cx(
          "flex h-full w-full flex-col gap-0.5 overflow-hidden rounded-md border-2 px-2 py-1 text-left shadow-sm outline-none focus-visible:ring-2 focus-visible:ring-brand-500",
          TONE[tone],
          item.ready && "border-dashed border-sky-500",
          item.critical && !selected && "ring-2 ring-red-400/70",
          selected && "ring-4 ring-brand-600/80",
        )}
      >
        <div data-node-name className="line-clamp-3 text-[13px] font-semibold leading-4 text-slate-900" title={item.name}>
          {item.name}
        </div>
        <div className="mt-auto truncate text-[11px] leading-[14px] text-slate-500">{item.departmentName ?? ITEM_KIND_LABELS[item.kind]}</div>
        {showDates ? (
          <div className="truncate text-[11px] leading-4 text-slate-700 tabular-nums" title={`最早 ${item.earliestStart}→${item.earliestFinish}；最迟 ${item.latestStart ?? "—"}→${item.latestFinish ?? "—"}；总时差 ${item.slack ?? "—"}`}>
            {item.earliestStart.slice(5)}→{item.earliestFinish.slice(5)} · 差 {item.slack ?? "—"}
          </div>
        ) : (
          <div className="flex items-center gap-1 overflow-hidden">
            <span className={cx(PILL, STATUS_PILL[item.status])}>{itemStatusLabel(item.status, item.kind)}</span>
            <Clock item={item} />
          </div>
        )}
      </Link>
      <Handle type="source" position={Position.Right} className="!h-2 !w-2 !border-white !bg-slate-400" />
    </>
  );
});

/** A stage column: a tinted band with its number, progress and name across the top. */
export const LaneNodeView = memo(function LaneNodeView({ data }: NodeProps<LaneNode>) {
  return (
    <div className="pointer-events-none h-full w-full rounded-lg border border-slate-200 bg-slate-50/80">
      <div
        className="flex flex-col justify-center rounded-t-lg border-b border-slate-200 bg-slate-100 px-3 leading-4"
        style={{ height: data.titleHeight }}
        title={`第${data.stage}阶段 ${data.label}：已办结 ${data.done}/${data.total}`}
      >
        <div className="flex text-[11px] text-slate-500">
          <span>第{data.stage}阶段</span>
          <span className="ml-auto tabular-nums">
            已办结 {data.done}/{data.total}
          </span>
        </div>
        <div className="truncate text-[13px] font-semibold text-slate-800">{data.label}</div>
      </div>
    </div>
  );
});

export const nodeTypes = { item: ItemNodeView, lane: LaneNodeView };
