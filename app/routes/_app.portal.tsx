import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Badge, EmptyState, PageHeader } from "~/components/ui";
import { serviceContext } from "~/services/context.server";
import { portalProjects } from "~/services/portal.server";
import { requireUser } from "~/web/session.server";

export const meta: MetaFunction = () => [{ title: "企业服务 · 绿色通道" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  if (user.role !== "enterprise") throw new Response("企业门户仅对企业联系人开放", { status: 403 });
  return { projects: portalProjects(serviceContext(), user), name: user.displayName };
}

/** The enterprise contact's home: their projects only, each a tappable card (phone-first: one column). */
export default function Portal() {
  const { projects, name } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title={`您好，${name}`} subtitle="贵企业在本市绿色通道办理的项目" />
      {projects.length === 0 ? (
        <EmptyState title="暂无项目">项目签约后，代办员会为您建立项目并在此显示进度。</EmptyState>
      ) : (
        <ul className="grid gap-3 md:grid-cols-2" data-testid="portal-projects">
          {projects.map((p) => (
            <li key={p.id}>
              <Link
                to={`/portal/projects/${p.id}`}
                className="block rounded-lg border border-slate-200 bg-white p-4 shadow-sm hover:border-brand-300"
                data-testid={`portal-project-${p.id}`}
              >
                <div className="flex items-start justify-between gap-2">
                  <h2 className="min-w-0 break-words font-semibold text-brand-700">{p.name}</h2>
                  {p.needsCount > 0 ? (
                    <Badge tone="red">需要您提供 {p.needsCount}</Badge>
                  ) : (
                    <Badge tone="green">暂无待办</Badge>
                  )}
                </div>
                <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
                  <dt className="text-slate-500">审批进度</dt>
                  <dd className="tabular-nums">
                    已办结 {p.done} / {p.total} 项
                  </dd>
                  <dt className="text-slate-500">计划开工</dt>
                  <dd className="tabular-nums">{p.targetStartOn}</dd>
                  <dt className="text-slate-500">预计开工</dt>
                  <dd className={p.atRisk ? "tabular-nums text-red-700" : "tabular-nums text-green-700"}>
                    {p.forecastStartOn}
                    {p.atRisk ? "（晚于计划）" : ""}
                  </dd>
                  <dt className="text-slate-500">状态</dt>
                  <dd>{p.statusLabel}</dd>
                </dl>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
