import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Countdown, ItemStatusBadge } from "~/components/status";
import { Badge, ButtonLink, EmptyState, PageHeader, Table, Td, Th } from "~/components/ui";
import { ACTION_SOURCE_LABELS } from "~/domain/meeting/vocabulary";
import { serviceContext } from "~/services/context.server";
import { listDepartmentQueue } from "~/services/queue.server";
import { requirePermission } from "~/web/session.server";

export const meta: MetaFunction = () => [{ title: "待办队列 · 绿色通道" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "queue.view");
  return listDepartmentQueue(serviceContext(), user);
}

export default function Queue() {
  const { department, rows, actionItems, entries } = useLoaderData<typeof loader>();
  const subtitle = `${department} · 在办审批 ${rows.length} 项${actionItems.length ? `、督办事项 ${actionItems.length} 项` : ""}，按紧急程度排序`;
  return (
    <>
      <PageHeader
        title="待办队列"
        subtitle={subtitle}
        actions={
          <ButtonLink to="/meetings/actions" variant="secondary">
            督办台账
          </ButtonLink>
        }
      />
      {entries.length === 0 ? (
        <EmptyState title="当前没有在办事项" />
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>事项</Th>
              <Th>项目</Th>
              <Th>状态</Th>
              <Th>受理日期</Th>
              <Th>到期日</Th>
              <Th>倒计时</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {entries.map((r) =>
              r.kind === "item" ? (
                <tr key={`${r.projectId}-${r.key}`}>
                  <Td className="font-medium">{r.name}</Td>
                  <Td>
                    <Link to={`/projects/${r.projectId}`} className="text-brand-700 hover:underline">
                      {r.projectName}
                    </Link>
                  </Td>
                  <Td>
                    <ItemStatusBadge status={r.status} kind="approval" />
                  </Td>
                  <Td className="tabular-nums">{r.acceptedOn ?? "—"}</Td>
                  <Td className="tabular-nums">{r.paused ? "—" : r.dueOn ?? "—"}</Td>
                  <Td>
                    <Countdown remaining={r.remainingWorkingDays} warning={r.warning} paused={r.paused} />
                  </Td>
                </tr>
              ) : (
                <tr key={`action-${r.id}`} data-testid="queue-action-item" data-action-item={r.id}>
                  <Td className="whitespace-normal">
                    <Link to={`/meetings/actions/${r.id}`} className="font-medium text-brand-700 hover:underline">
                      {r.title}
                    </Link>
                    <div className="mt-0.5 text-xs text-slate-500">
                      {ACTION_SOURCE_LABELS[r.source]}
                      {r.meeting ? ` · ${r.meeting.title}（${r.meeting.heldOn}）` : ""}
                    </div>
                  </Td>
                  <Td className="whitespace-normal">
                    {r.projectId === null ? (
                      "—"
                    ) : r.projectOpenable ? (
                      <Link to={r.itemKey ? `/projects/${r.projectId}?item=${encodeURIComponent(r.itemKey)}` : `/projects/${r.projectId}`} className="text-brand-700 hover:underline">
                        {r.projectName}
                        {r.itemName ? ` · ${r.itemName}` : ""}
                      </Link>
                    ) : (
                      <>
                        {r.projectName}
                        {r.itemName ? ` · ${r.itemName}` : ""}
                      </>
                    )}
                  </Td>
                  <Td>
                    <Badge tone="purple">督办事项</Badge>
                  </Td>
                  <Td className="tabular-nums">—</Td>
                  <Td className="tabular-nums">{r.dueOn}</Td>
                  <Td>
                    <Countdown remaining={r.remainingWorkingDays} warning={r.warning} paused={false} />
                  </Td>
                </tr>
              ),
            )}
          </tbody>
        </Table>
      )}
    </>
  );
}
