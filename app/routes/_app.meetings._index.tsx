import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, Card, EmptyState, PageHeader, Table, Td, Th } from "~/components/ui";
import { serviceContext } from "~/services/context.server";
import { listMeetings } from "~/services/meetings.server";
import { requirePermission } from "~/web/session.server";

export const meta: MetaFunction = () => [{ title: "联席会议 · 绿色通道" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "meeting.view");
  return listMeetings(serviceContext(), user);
}

export default function Meetings() {
  const { meetings, openActions } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title="联席会议" subtitle="会商会审、会议纪要与督办事项" />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="lg:col-span-2">
          {meetings.length === 0 ? (
            <EmptyState title="暂无会议" />
          ) : (
            <Table>
              <thead>
                <tr>
                  <Th>会议</Th>
                  <Th>日期</Th>
                  <Th>地点</Th>
                  <Th>议题</Th>
                  <Th>未完成任务</Th>
                  <Th>状态</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {meetings.map((m) => (
                  <tr key={m.id}>
                    <Td className="font-medium">{m.title}</Td>
                    <Td className="tabular-nums">{m.heldOn}</Td>
                    <Td>{m.location}</Td>
                    <Td className="tabular-nums">{m.agendaCount}</Td>
                    <Td className="tabular-nums">{m.openActions}</Td>
                    <Td>
                      <Badge tone={m.status === "planned" ? "blue" : "green"}>{m.statusLabel}</Badge>
                    </Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </div>
        <Card title="会议任务跟踪">
          {openActions.length === 0 ? (
            <p className="text-sm text-slate-500">没有未完成的会议任务。</p>
          ) : (
            <ul className="space-y-3 text-sm">
              {openActions.map((a) => (
                <li key={a.id}>
                  <div className="font-medium text-slate-800">{a.title}</div>
                  <div className="text-xs text-slate-500">
                    {a.department ?? "—"} · 期限 <span className="tabular-nums">{a.deadlineOn}</span>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </>
  );
}
