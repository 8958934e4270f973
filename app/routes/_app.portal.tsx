import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Badge, Card, EmptyState, PageHeader } from "~/components/ui";
import { serviceContext } from "~/services/context.server";
import { listProjects } from "~/services/project-list.server";
import { requireUser } from "~/web/session.server";

export const meta: MetaFunction = () => [{ title: "企业服务 · 绿色通道" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  if (user.role !== "enterprise") throw new Response("企业门户仅对企业联系人开放", { status: 403 });
  return { projects: listProjects(serviceContext(), user, {}), name: user.displayName };
}

export default function Portal() {
  const { projects, name } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title={`您好，${name}`} subtitle="贵企业在本市绿色通道办理的项目" />
      {projects.length === 0 ? (
        <EmptyState title="暂无项目">项目签约后，代办员会为您建立项目并在此显示进度。</EmptyState>
      ) : (
        <div className="grid gap-4 md:grid-cols-2">
          {projects.map((p) => (
            <Card key={p.id} title={<Link to={`/projects/${p.id}`} className="text-brand-700 hover:underline">{p.name}</Link>} actions={<Badge tone={p.status === "started" ? "green" : "blue"}>{p.statusLabel}</Badge>}>
              <dl className="grid grid-cols-2 gap-y-1 text-sm">
                <dt className="text-slate-500">项目代码</dt>
                <dd className="font-mono text-xs">{p.code}</dd>
                <dt className="text-slate-500">计划开工</dt>
                <dd className="tabular-nums">{p.targetStartOn}</dd>
                <dt className="text-slate-500">审批进度</dt>
                <dd className="tabular-nums">
                  已办结 {p.itemsDone} / {p.itemsTotal} 项
                </dd>
                <dt className="text-slate-500">提醒</dt>
                <dd>
                  {p.overdue ? <Badge tone="red">超期 {p.overdue}</Badge> : null} {p.dueSoon ? <Badge tone="yellow">临期 {p.dueSoon}</Badge> : null}
                  {!p.overdue && !p.dueSoon ? <span className="text-slate-400">无</span> : null}
                </dd>
              </dl>
            </Card>
          ))}
        </div>
      )}
    </>
  );
}
