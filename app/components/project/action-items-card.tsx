import { Link } from "@remix-run/react";
import { Countdown } from "~/components/status";
import { Badge, Card } from "~/components/ui";
import { ACTION_SOURCE_LABELS, ACTION_STATUS_LABELS } from "~/domain/meeting/vocabulary";
import type { ActionItemView } from "~/services/action-items.server";

/**
 * 督办事项 on the project's page: the tasks meetings, leaders' 督办 and 差评 follow-ups
 * set on this project, open ones first with their countdown (the approvals' yellow/red),
 * closed ones with the day and whether on time. Each links to the action item's page,
 * where the lead unit closes it. Nothing is shown when the project has none (and the
 * loader gives enterprise contacts none).
 */
export function ActionItemsCard({ items }: { items: readonly ActionItemView[] }) {
  if (items.length === 0) return null;
  const open = items.filter((i) => i.status === "open").length;
  return (
    <Card title={`督办事项（${open} 项办理中，共 ${items.length} 项）`}>
      <ul className="divide-y divide-slate-100" data-testid="project-action-items">
        {items.map((a) => (
          <li key={a.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-2 text-sm" data-action-item={a.id} data-status={a.status}>
            <Badge tone={a.source === "meeting" ? "blue" : a.source === "supervision" ? "purple" : "gray"}>{ACTION_SOURCE_LABELS[a.source]}</Badge>
            <Link to={`/meetings/actions/${a.id}`} className="min-w-0 font-medium text-slate-800 hover:text-brand-700 hover:underline">
              {a.title}
            </Link>
            {a.itemKey ? (
              <Link to={`?item=${encodeURIComponent(a.itemKey)}`} preventScrollReset className="text-xs text-brand-700 hover:underline">
                {a.itemName}
              </Link>
            ) : null}
            <span className="text-xs text-slate-500">
              {a.leadDepartmentName ?? "—"}
              {a.owner ? ` · ${a.owner}` : ""} · 期限 {a.dueOn}
              {a.provisional ? "（暂估）" : ""}
            </span>
            <span className="ml-auto">
              {a.status === "open" ? (
                <Countdown remaining={a.remainingWorkingDays} warning={a.warning} paused={false} />
              ) : a.status === "closed" ? (
                <Badge tone={a.onTime ? "green" : "yellow"}>
                  {a.onTime ? "按期办结" : "逾期办结"} {a.closedOn}
                </Badge>
              ) : (
                <Badge tone="gray">{ACTION_STATUS_LABELS[a.status]}</Badge>
              )}
            </span>
          </li>
        ))}
      </ul>
    </Card>
  );
}
