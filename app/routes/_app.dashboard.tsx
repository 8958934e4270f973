import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Badge, Card, PageHeader, StatCard, Table, Td, Th, cx } from "~/components/ui";
import { serviceContext } from "~/services/context.server";
import { getDashboard } from "~/services/dashboard.server";
import { requirePermission } from "~/web/session.server";

export const meta: MetaFunction = () => [{ title: "全局看板 · 绿色通道" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "dashboard.view");
  return getDashboard(serviceContext(), user);
}

export default function Dashboard() {
  const d = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title="重点项目全局看板" subtitle={`截至 ${d.today}`} />
      <div className="mb-6 grid grid-cols-2 gap-3 md:grid-cols-4">
        <StatCard label="在推进项目" value={d.totals.projects} />
        <StatCard label="开工目标有风险" value={d.totals.atRisk} tone={d.totals.atRisk ? "red" : "green"} />
        <StatCard label="停滞项目" value={d.totals.stalled} tone={d.totals.stalled ? "yellow" : "green"} />
        <StatCard label="超期事项" value={d.totals.overdueItems} tone={d.totals.overdueItems ? "red" : "green"} />
      </div>
      <div className="grid gap-6 lg:grid-cols-3">
        <Card title="需要关注的项目" className="lg:col-span-2">
          <Table className="border-0">
            <thead>
              <tr>
                <Th>项目</Th>
                <Th>计划 / 预计开工</Th>
                <Th>时差</Th>
                <Th>原因</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {d.projects.map((p) => (
                <tr key={p.id}>
                  <Td>
                    <Link to={`/projects/${p.id}`} className="font-medium text-brand-700 hover:underline">
                      {p.name}
                    </Link>
                  </Td>
                  <Td className="text-xs tabular-nums">
                    {p.targetStartOn}
                    <br />
                    <span className={cx(p.atRisk && "font-semibold text-red-600")}>{p.forecastStartOn}</span>
                  </Td>
                  <Td className={cx("tabular-nums", (p.slack ?? 0) < 0 && "text-red-600")}>{p.slack ?? "—"}</Td>
                  <Td className="whitespace-normal">
                    <div className="flex flex-wrap gap-1">
                      {p.reasons.length ? p.reasons.map((r) => <Badge key={r} tone={r.includes("超期") || r.includes("晚于") ? "red" : "yellow"}>{r}</Badge>) : <Badge tone="green">正常</Badge>}
                    </div>
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </Card>
        <Card title="部门办理情况">
          <Table className="border-0">
            <thead>
              <tr>
                <Th>部门</Th>
                <Th>在办</Th>
                <Th>超期</Th>
                <Th>按时率</Th>
                <Th>好差评</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {d.ranking.map((r) => (
                <tr key={r.id}>
                  <Td className="whitespace-normal">{r.name}</Td>
                  <Td className="tabular-nums">{r.open}</Td>
                  <Td className={cx("tabular-nums", r.overdue > 0 && "font-semibold text-red-600")}>{r.overdue}</Td>
                  <Td className="tabular-nums">{r.onTimeRate === null ? "—" : `${Math.round(r.onTimeRate * 100)}%`}</Td>
                  <Td className={cx("tabular-nums", r.rating && r.rating.poor > 0 && "text-red-600")} >
                    {r.rating ? `${r.rating.average} 分（${r.rating.count} 评${r.rating.poor ? `，差评 ${r.rating.poor}` : ""}）` : "—"}
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </Card>
      </div>
    </>
  );
}
