import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useRouteError } from "@remix-run/react";
import { Form } from "~/components/form";
import { ErrorPanel } from "~/components/error-panel";
import { Alert, Button, ButtonLink, Input, PageHeader, Table, Td, Th, cx } from "~/components/ui";
import { PERIOD_PRESET_LABELS, PERIOD_PRESETS } from "~/domain/dashboard/period";
import { RANKING_SORT_LABELS, type RankingSort } from "~/domain/dashboard/ranking";
import { serviceContext } from "~/services/context.server";
import { getDepartmentRanking } from "~/services/dashboard.server";
import { requirePermission } from "~/web/session.server";

export const meta: MetaFunction = () => [{ title: "部门红黑榜 · 绿色通道" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "dashboard.view");
  const q = new URL(request.url).searchParams;
  return getDepartmentRanking(serviceContext(), user, { preset: q.get("preset"), from: q.get("from"), to: q.get("to"), sort: q.get("sort"), order: q.get("order") });
}

const pct = (r: number | null) => (r === null ? "—" : `${Math.round(r * 1000) / 10}%`);

export default function Ranking() {
  const r = useLoaderData<typeof loader>();
  // The period as it stands (a preset, or the custom months), carried by every sort and order link.
  const period: Record<string, string> = r.preset ? { preset: r.preset } : { from: r.period.from, to: r.period.to };
  const href = (over: Record<string, string>) => `?${new URLSearchParams({ ...period, sort: r.sort, order: r.order, ...over }).toString()}`;
  const black = r.order === "asc";

  /** A sortable header: a link; the current sort is marked and says which way it runs. */
  const SortTh = ({ sort, children, className }: { sort: RankingSort; children: React.ReactNode; className?: string }) => (
    <Th className={cx("whitespace-nowrap", className)}>
      <Link
        to={href({ sort })}
        preventScrollReset
        className={cx("hover:text-brand-700 hover:underline", r.sort === sort && "text-brand-700")}
        aria-current={r.sort === sort ? "true" : undefined}
        title={`按${RANKING_SORT_LABELS[sort]}排名`}
      >
        {children}
        {r.sort === sort ? (black ? " ↑" : " ↓") : ""}
      </Link>
    </Th>
  );

  return (
    <>
      <PageHeader
        title={`部门${black ? "黑榜" : "红榜"} · ${r.label}`}
        subtitle={`按${RANKING_SORT_LABELS[r.sort]}排名，${black ? "由差到好" : "由好到差"}；名次相同者并列。截至 ${r.today}`}
        actions={<ButtonLink to="/dashboard">返回看板</ButtonLink>}
      />
      {r.error ? (
        <div className="mb-4">
          <Alert tone="yellow">{r.error}</Alert>
        </div>
      ) : null}
      <div className="mb-4 flex flex-wrap items-end gap-x-6 gap-y-3">
        <nav aria-label="统计期间" className="flex flex-wrap items-center gap-1">
          <span className="mr-1 text-xs text-slate-500">期间</span>
          {PERIOD_PRESETS.map((p) => (
            <Link
              key={p}
              to={`?${new URLSearchParams({ preset: p, sort: r.sort, order: r.order }).toString()}`}
              aria-current={r.preset === p ? "true" : undefined}
              className={cx("rounded px-2 py-1 text-xs", r.preset === p ? "bg-brand-600 text-white" : "bg-slate-100 text-slate-600 hover:bg-slate-200")}
            >
              {PERIOD_PRESET_LABELS[p]}
            </Link>
          ))}
        </nav>
        {/* Custom months: a GET form, so the period is in the URL like the presets. */}
        <Form method="get" className="flex flex-wrap items-end gap-2" aria-label="自定义期间">
          <input type="hidden" name="sort" value={r.sort} />
          <input type="hidden" name="order" value={r.order} />
          <label className="text-xs text-slate-600">
            起始月份
            <Input type="month" name="from" defaultValue={r.period.from} className="mt-1 w-40 py-1" />
          </label>
          <label className="text-xs text-slate-600">
            截止月份
            <Input type="month" name="to" defaultValue={r.period.to} className="mt-1 w-40 py-1" />
          </label>
          <Button type="submit" variant="secondary">
            查询
          </Button>
        </Form>
        <nav aria-label="红榜或黑榜" className="ml-auto flex gap-1">
          <Link
            to={href({ order: "desc" })}
            aria-current={!black ? "true" : undefined}
            className={cx("rounded px-3 py-1 text-sm", !black ? "bg-red-600 text-white" : "bg-slate-100 text-slate-600 hover:bg-slate-200")}
          >
            红榜（由好到差）
          </Link>
          <Link
            to={href({ order: "asc" })}
            aria-current={black ? "true" : undefined}
            className={cx("rounded px-3 py-1 text-sm", black ? "bg-slate-800 text-white" : "bg-slate-100 text-slate-600 hover:bg-slate-200")}
          >
            黑榜（由差到好）
          </Link>
        </nav>
      </div>
      {r.rows.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-10 text-center text-sm text-slate-500">该期间没有部门办结或超期的事项。</p>
      ) : (
        <Table>
          <thead>
            <tr>
              <Th className="w-12 whitespace-nowrap">名次</Th>
              <Th>部门</Th>
              <SortTh sort="handled" className="text-right">
                办结件数
              </SortTh>
              <SortTh sort="onTimeRate" className="text-right">
                按时办结率
              </SortTh>
              <SortTh sort="avgUsedDays" className="text-right">
                平均用时 / 承诺时限（工作日）
              </SortTh>
              <SortTh sort="wentOverdue" className="text-right">
                超期件数
              </SortTh>
              <SortTh sort="supervised" className="text-right">
                督办次数
              </SortTh>
              <SortTh sort="rating" className="text-right">
                好差评
              </SortTh>
              <Th className="whitespace-nowrap text-right">当前超期</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100" data-testid="ranking">
            {r.rows.map((d) => (
              <tr key={d.departmentId} data-department={d.departmentId} data-rank={d.rank}>
                <Td className="font-semibold tabular-nums">{d.rank}</Td>
                <Td className="min-w-[10rem] whitespace-normal">{d.name}</Td>
                <Td className="text-right tabular-nums">{d.handled}</Td>
                <Td className="text-right tabular-nums">{pct(d.onTimeRate)}</Td>
                <Td className={cx("text-right tabular-nums", d.avgUsedDays !== null && d.avgLimitDays !== null && d.avgUsedDays > d.avgLimitDays && "text-red-600")}>
                  {d.avgUsedDays === null ? "—" : `${d.avgUsedDays} / ${d.avgLimitDays}`}
                </Td>
                <Td className={cx("text-right tabular-nums", d.wentOverdue > 0 && "text-red-600")}>{d.wentOverdue}</Td>
                <Td className="text-right tabular-nums">{d.supervised}</Td>
                <Td className="text-right tabular-nums">{d.rating ? `${d.rating.average} 分（${d.rating.count} 评）` : "—"}</Td>
                <Td className="text-right tabular-nums">
                  {d.overdueNow ? (
                    <Link to={`/dashboard/list?list=overdueItems&department=${d.departmentId}`} className="font-semibold text-red-600 hover:underline">
                      {d.overdueNow}
                    </Link>
                  ) : (
                    <span className="text-slate-400">0</span>
                  )}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}

export function ErrorBoundary() {
  return <ErrorPanel error={useRouteError()} />;
}
