import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useLocation, useRouteError, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { AttentionTable } from "~/components/dashboard/attention-table";
import { CountLink } from "~/components/dashboard/count-link";
import { DashboardCharts } from "~/components/dashboard/dashboard-charts";
import { DepartmentTable } from "~/components/dashboard/department-table";
import { FiguresCard } from "~/components/dashboard/figures-card";
import { DashboardFilterBar } from "~/components/dashboard/filter-bar";
import { ErrorPanel } from "~/components/error-panel";
import { Alert, ButtonLink, Card, EmptyState, PageHeader } from "~/components/ui";
import { dashboardQuery, drillHref } from "~/domain/dashboard/lists";
import { PROJECT_STATUS_LABELS } from "~/domain/project/types";
import { serviceContext } from "~/services/context.server";
import { getDashboard, parseDashboardFilter } from "~/services/dashboard.server";
import { issueSupervision } from "~/services/supervision.server";
import { formText } from "~/web/form-fields";
import { dispatchIntent } from "~/web/intent.server";
import { requirePermission, requireUser } from "~/web/session.server";

export const meta: MetaFunction = () => [{ title: "全局看板 · 绿色通道" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "dashboard.view");
  return getDashboard(serviceContext(), user, parseDashboardFilter(new URL(request.url).searchParams));
}

const intents = z.discriminatedUnion("intent", [
  // Loose on purpose: the service checks note and working days and answers in Chinese, per field.
  z.object({ intent: z.literal("supervise"), projectId: z.string(), itemKey: formText(), note: z.string().default(""), dueInWorkingDays: z.string().default("") }),
]);

/** 督办 from a row of the attention list (leaders and coordinators; the service says no to anyone else). */
export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  return dispatchIntent(request, intents, (input) => {
    const { actionItemId: _id, dueOn } = issueSupervision(serviceContext(), user, Number(input.projectId), {
      itemKey: input.itemKey,
      note: input.note,
      dueInWorkingDays: input.dueInWorkingDays,
    });
    return { message: `已督办，办结时限 ${dueOn}` };
  });
}

export default function Dashboard() {
  const d = useLoaderData<typeof loader>();
  const posted = useActionData<typeof action>();
  const [params] = useSearchParams();
  const { pathname } = useLocation();
  const f = d.filter;
  const t = d.totals;
  const openId = /^\d+$/.test(params.get("supervise") ?? "") ? Number(params.get("supervise")) : null;
  // The row's link keeps the filters; the form's answer without JavaScript belongs to the open row.
  const superviseHref = (id: number | null) => {
    const q = dashboardQuery(f, { supervise: id });
    return `${pathname}${q ? `?${q}` : ""}${id ? `#supervise-${id}` : ""}`;
  };
  const query = dashboardQuery(f);

  return (
    <>
      <PageHeader
        title="重点项目全局看板"
        subtitle={
          <>
            截至 {d.asOf}
            {d.filtered ? " · 已筛选" : ""}
          </>
        }
        actions={
          <>
            <ButtonLink to="/dashboard/ranking">部门红黑榜</ButtonLink>
            <ButtonLink to="/dashboard/briefings">通报</ButtonLink>
          </>
        }
      />
      {d.staleProjects > 0 ? (
        <div className="mb-4" data-testid="stale-notice">
          <Alert tone="yellow">部分项目统计仍在更新（{d.staleProjects} 个项目的数字仍为前一日的），稍后刷新即可。</Alert>
        </div>
      ) : null}
      <DashboardFilterBar action="/dashboard" filter={f} options={d.options} />

      <section aria-label="项目与事项统计" className="mb-6 space-y-3">
        <div className="flex flex-wrap items-center gap-2 text-sm" data-testid="status-chips">
          <span className="text-xs text-slate-500">项目状态：</span>
          {d.statuses.map((s) => (
            <Link
              key={s.status}
              to={s.status === "active" ? drillHref("active", f) : drillHref("status", f, { status: s.status })}
              className="inline-flex items-center gap-1 rounded-full border border-slate-200 bg-white px-2.5 py-0.5 text-xs text-slate-700 hover:border-brand-300 hover:text-brand-700"
            >
              {PROJECT_STATUS_LABELS[s.status]}
              <span className="font-semibold tabular-nums">{s.count}</span>
            </Link>
          ))}
        </div>
        <div className="grid grid-cols-2 gap-3 md:grid-cols-4" data-testid="project-counts">
          <CountLink testId="count-active" to={drillHref("active", f)} label="在推进项目" value={t.projects} />
          <CountLink testId="count-attention" to={drillHref("attention", f)} label="需关注项目" value={t.attention} tone={t.attention ? "red" : "green"} />
          <CountLink testId="count-atRisk" to={drillHref("atRisk", f)} label="开工目标有风险" value={t.atRisk} tone={t.atRisk ? "red" : "green"} />
          <CountLink testId="count-stalled" to={drillHref("stalled", f)} label="停滞项目" value={t.stalled} tone={t.stalled ? "yellow" : "green"} />
        </div>
        <div className="grid grid-cols-2 gap-3 md:grid-cols-5" data-testid="item-counts">
          <CountLink testId="count-activeItems" to={drillHref("activeItems", f)} label="在办事项" value={t.activeItems} />
          <CountLink testId="count-yellowItems" to={drillHref("yellowItems", f)} label="临近时限（预警）" value={t.yellowItems} tone={t.yellowItems ? "yellow" : "green"} />
          <CountLink testId="count-overdueItems" to={drillHref("overdueItems", f)} label="超期事项" value={t.overdueItems} tone={t.overdueItems ? "red" : "green"} />
          <CountLink testId="count-supervisedItems" to={drillHref("supervisedItems", f)} label="督办中事项" value={t.supervisedItems} tone={t.supervisedItems ? "yellow" : undefined} />
          <CountLink testId="count-openActionItems" to="/meetings/actions?status=open" label="未办结会议/督办任务" value={t.openActionItems} />
        </div>
      </section>

      <Card
        title={`需要关注的项目（最卡的在前${t.attention > d.attention.length ? `，前 ${d.attention.length} 个` : ""}）`}
        actions={
          <Link to={drillHref("attention", f)} className="text-sm text-brand-700 hover:underline">
            全部 {t.attention} 个
          </Link>
        }
        className="mb-6"
      >
        {d.attention.length ? (
          <AttentionTable rows={d.attention} supervise={{ openId, href: superviseHref, answer: posted && posted.intent === "supervise" ? posted : null }} />
        ) : (
          <EmptyState title="没有需要关注的项目">所有在推进项目均无停滞、超期或开工延误风险。</EmptyState>
        )}
      </Card>

      <div className="mb-6 grid gap-6 xl:grid-cols-3">
        <Card
          title="部门办理情况"
          className="min-w-0 xl:col-span-2"
          actions={
            <Link to="/dashboard/ranking" className="text-sm text-brand-700 hover:underline">
              红黑榜
            </Link>
          }
        >
          {d.filtered ? <p className="mb-2 text-xs text-slate-500">部门数据为全市口径，不受上方筛选影响。</p> : null}
          <DepartmentTable rows={d.departments} />
        </Card>
        <FiguresCard figures={d.figures} startedHref={drillHref("started", f)} />
      </div>

      <DashboardCharts query={query} />
    </>
  );
}

export function ErrorBoundary() {
  return <ErrorPanel error={useRouteError()} />;
}
