import { itemStatusLabel, type ItemKind, type ItemStatus } from "~/domain/clock";
import { Badge, type Tone } from "./ui";

const STATUS_TONES: Record<ItemStatus, Tone> = {
  pending: "gray",
  // In the department's hands like a running item; the 待受理 label and the countdown tell them apart.
  submitted: "blue",
  running: "blue",
  correction: "purple",
  special: "purple",
  suspended: "purple",
  approved: "green",
  rejected: "red",
  waived: "gray",
  withdrawn: "gray",
};

export function ItemStatusBadge({ status, kind }: { status: ItemStatus; kind: ItemKind }) {
  return <Badge tone={STATUS_TONES[status]}>{itemStatusLabel(status, kind)}</Badge>;
}

/** "剩余 N 个工作日" / "今日到期" / "超期 N 个工作日" / "暂停中", coloured as the clock says. */
export function Countdown({
  remaining,
  warning,
  paused,
}: {
  remaining: number | null;
  warning: "none" | "yellow" | "red";
  paused: boolean;
}) {
  if (paused) return <Badge tone="purple">暂停中{remaining !== null ? `（余 ${remaining} 个工作日）` : ""}</Badge>;
  if (remaining === null) return <span className="text-slate-400">—</span>;
  const tone: Tone = warning === "red" ? "red" : warning === "yellow" ? "yellow" : "green";
  if (remaining < 0) return <Badge tone={tone}>超期 {-remaining} 个工作日</Badge>;
  if (remaining === 0) return <Badge tone={tone}>{warning === "red" ? "已超期" : "今日到期"}</Badge>;
  return <Badge tone={tone}>剩余 {remaining} 个工作日</Badge>;
}
