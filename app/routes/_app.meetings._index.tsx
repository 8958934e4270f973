import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Badge, ButtonLink, Card, EmptyState, PageHeader, Table, Td, Th, type Tone } from "~/components/ui";
import type { MeetingStatus } from "~/domain/meeting/vocabulary";
import { serviceContext } from "~/services/context.server";
import { listMeetings, type MeetingSummary } from "~/services/meetings.server";
import { requirePermission } from "~/web/session.server";

export const meta: MetaFunction = () => [{ title: "联席会议 · 绿色通道" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "meeting.view");
  return listMeetings(serviceContext(), user);
}

const STATUS_TONES: Record<MeetingStatus, Tone> = { planned: "blue", held: "yellow", closed: "green" };

export default function Meetings() {
  const { upcoming, past, canManage } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader
        title="联席会议"
        subtitle="会商会审：从卡住的事项生成议程，记录会议纪要，议定任务按工作日计时督办"
        actions={
          <>
            <ButtonLink to="/meetings/actions">督办台账</ButtonLink>
            {canManage ? (
              <ButtonLink to="/meetings/new" variant="primary">
                新建会议
              </ButtonLink>
            ) : null}
          </>
        }
      />
      <div className="space-y-6">
        <Card title={`待召开（${upcoming.length}）`}>
          {upcoming.length === 0 ? (
            <EmptyState title="暂无待召开的会议">{canManage ? <Link to="/meetings/new" className="text-brand-700 hover:underline">新建会议</Link> : null}</EmptyState>
          ) : (
            <MeetingTable meetings={upcoming} upcoming />
          )}
        </Card>
        <Card title={`历次会议（${past.length}）`}>{past.length === 0 ? <EmptyState title="暂无已召开的会议" /> : <MeetingTable meetings={past} />}</Card>
      </div>
    </>
  );
}

function MeetingTable({ meetings, upcoming = false }: { meetings: MeetingSummary[]; upcoming?: boolean }) {
  return (
    <Table>
      <thead>
        <tr>
          <Th>日期</Th>
          <Th>会议</Th>
          <Th>类型</Th>
          <Th>地点</Th>
          <Th>议题</Th>
          {upcoming ? null : <Th>议定事项</Th>}
          {upcoming ? null : <Th>未办结任务</Th>}
          <Th>状态</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {meetings.map((m) => (
          <tr key={m.id}>
            <Td className="tabular-nums">
              {m.heldOn}
              {m.startsAt ? <span className="ml-1 text-slate-500">{m.startsAt}</span> : null}
            </Td>
            <Td className="whitespace-normal font-medium">
              <Link to={`/meetings/${m.id}`} className="text-brand-700 hover:underline">
                {m.title}
              </Link>
            </Td>
            <Td>{m.typeLabel}</Td>
            <Td className="whitespace-normal">{m.place || "—"}</Td>
            <Td className="tabular-nums">{m.agendaCount}</Td>
            {upcoming ? null : <Td className="tabular-nums">{m.decisionCount}</Td>}
            {upcoming ? null : <Td className="tabular-nums">{m.openActions ? <Badge tone="yellow">{m.openActions}</Badge> : "0"}</Td>}
            <Td>
              <div className="flex gap-1">
                <Badge tone={STATUS_TONES[m.status]}>{m.statusLabel}</Badge>
                {m.minutesIssued && m.status !== "closed" ? <Badge tone="green">纪要已印发</Badge> : null}
                {m.status === "planned" && !upcoming ? <Badge tone="gray">待补记纪要</Badge> : null}
              </div>
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
