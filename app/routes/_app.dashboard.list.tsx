import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useRouteError } from "@remix-run/react";
import { AttentionTable } from "~/components/dashboard/attention-table";
import { DashboardFilterBar, filterChips } from "~/components/dashboard/filter-bar";
import { ErrorPanel } from "~/components/error-panel";
import { Pager } from "~/components/pager";
import { Badge, ButtonLink, Card, EmptyState, PageHeader, Table, Td, Th, cx } from "~/components/ui";
import { itemStatusLabel, isPaused, type ItemStatus } from "~/domain/clock";
import { dashboardQuery } from "~/domain/dashboard/lists";
import { PROJECT_STATUS_LABELS } from "~/domain/project/types";
import { serviceContext } from "~/services/context.server";
import { getDrilldown, type DrillItemRow } from "~/services/dashboard.server";
import { requirePermission } from "~/web/session.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.label ?? "清单"} · 全局看板 · 绿色通道` }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "dashboard.view");
  // Unknown list, page or filter values fall back inside the service: an old bookmark still opens.
  return getDrilldown(serviceContext(), user, new URL(request.url).searchParams);
}

export default function DashboardList() {
  const d = useLoaderData<typeof loader>();
  const pages = Math.max(1, Math.ceil(d.total / d.pageSize));
  const own = { list: d.list, status: d.status, department: d.department ? String(d.department.id) : null };
  const pageHref = (page: number) => `/dashboard/list?${dashboardQuery(d.filter, { ...own, page: page > 1 ? page : null })}`;
  const title = d.list === "status" && d.status ? `${PROJECT_STATUS_LABELS[d.status]}的项目` : d.label;
  const chips = [...(d.department ? [`部门：${d.department.name}`] : []), ...filterChips(d.filter, d.options)];

  return (
    <>
      <PageHeader
        title={d.department ? `${d.department.name} · ${title}` : title}
        subtitle={`共 ${d.total} ${d.kind === "projects" ? "个项目" : "项"}${d.total > d.pageSize ? `，第 ${d.page}/${pages} 页` : ""}`}
        actions={<ButtonLink to={`/dashboard${dashboardQuery(d.filter) ? `?${dashboardQuery(d.filter)}` : ""}`}>返回看板</ButtonLink>}
      />
      {chips.length ? (
        <div className="mb-3 flex flex-wrap items-center gap-1.5" data-testid="list-chips">
          <span className="text-xs text-slate-500">筛选：</span>
          {chips.map((c) => (
            <Badge key={c} tone="blue">
              {c}
            </Badge>
          ))}
        </div>
      ) : null}
      <DashboardFilterBar action="/dashboard/list" filter={d.filter} options={d.options} keep={own} />
      {d.total === 0 ? (
        <EmptyState title="清单为空">当前筛选下没有符合条件的{d.kind === "projects" ? "项目" : "事项"}。</EmptyState>
      ) : d.kind === "projects" ? (
        <Card>
          <AttentionTable rows={d.projects} testId="list-projects" />
        </Card>
      ) : (
        <ItemsTable items={d.items} />
      )}
      <Pager page={d.page} pageSize={d.pageSize} total={d.total} href={pageHref} />
    </>
  );
}

function ItemsTable({ items }: { items: readonly DrillItemRow[] }) {
  return (
    <Table>
      <thead>
        <tr>
          <Th>项目</Th>
          <Th>事项</Th>
          <Th>部门</Th>
          <Th className="whitespace-nowrap">状态</Th>
          <Th className="whitespace-nowrap">到期日</Th>
          <Th className="whitespace-nowrap text-right">剩余 / 超期（工作日）</Th>
          <Th className="whitespace-nowrap">代办员</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100" data-testid="list-items">
        {items.map((i) => {
          const status = i.status as ItemStatus;
          const paused = isPaused(status);
          return (
            <tr key={`${i.projectId}-${i.key}`} data-project={i.projectId} data-item={i.key} className="align-top">
              <Td className="min-w-[10rem] whitespace-normal">
                <Link to={`/projects/${i.projectId}`} className="text-brand-700 hover:underline">
                  {i.projectName}
                </Link>
              </Td>
              <Td className="min-w-[12rem] whitespace-normal">
                <Link to={`/projects/${i.projectId}?item=${encodeURIComponent(i.key)}`} className="font-medium text-slate-800 hover:text-brand-700 hover:underline" data-testid="list-item-link">
                  {i.name}
                </Link>
              </Td>
              <Td className="whitespace-normal text-xs">{i.department ?? "—"}</Td>
              <Td>
                <Badge tone={paused ? "purple" : i.overdueWorkingDays > 0 ? "red" : "blue"}>{itemStatusLabel(status, "approval")}</Badge>
              </Td>
              <Td className="tabular-nums">{i.dueOn ?? "—"}</Td>
              <Td className={cx("text-right tabular-nums", i.overdueWorkingDays > 0 ? "font-semibold text-red-600" : "text-slate-700")}>
                {paused ? "暂停中" : i.overdueWorkingDays > 0 ? `超期 ${i.overdueWorkingDays}` : i.remainingWorkingDays !== null ? `剩余 ${i.remainingWorkingDays}` : "—"}
              </Td>
              <Td className="text-xs">{i.proxies.join("、") || "—"}</Td>
            </tr>
          );
        })}
      </tbody>
    </Table>
  );
}

export function ErrorBoundary() {
  return <ErrorPanel error={useRouteError()} />;
}
