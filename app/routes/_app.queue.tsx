import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Countdown, ItemStatusBadge } from "~/components/status";
import { EmptyState, PageHeader, Table, Td, Th } from "~/components/ui";
import { serviceContext } from "~/services/context.server";
import { listDepartmentQueue } from "~/services/queue.server";
import { requirePermission } from "~/web/session.server";

export const meta: MetaFunction = () => [{ title: "待办队列 · 绿色通道" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "queue.view");
  return listDepartmentQueue(serviceContext(), user);
}

export default function Queue() {
  const { department, rows } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title="待办队列" subtitle={`${department} · 在办 ${rows.length} 项，按紧急程度排序`} />
      {rows.length === 0 ? (
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
            {rows.map((r) => (
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
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}
