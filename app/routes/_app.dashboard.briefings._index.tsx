import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation, useRouteError } from "@remix-run/react";
import { Form } from "~/components/form";
import { ErrorPanel } from "~/components/error-panel";
import { Alert, Badge, Button, ButtonLink, Card, EmptyState, PageHeader, Select, Table, Td, Th } from "~/components/ui";
import { BRIEFING_KIND_LABELS, BRIEFING_KINDS } from "~/domain/briefing/schedule";
import { generateBriefingNow, listBriefings } from "~/services/briefings.server";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import { readFormValues } from "~/web/intent.server";
import { requirePermission } from "~/web/session.server";

/**
 * /dashboard/briefings — the weekly and monthly 通报: past ones newest first (page and
 * .xlsx), when the next scheduled ones come out, and 立即生成 for the latest full week
 * or month.
 */

export const meta: MetaFunction = () => [{ title: "周通报 / 月通报 · 绿色通道" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "dashboard.view");
  return listBriefings(serviceContext(), user);
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "dashboard.view");
  // A body that is not a form reads as no fields: the unknown-operation 400 below.
  const form = await readFormValues(request);
  try {
    if (form.intent !== "generate") throw new AppError("bad_request", "未知的操作，请刷新页面后重试");
    const { id } = generateBriefingNow(serviceContext(), user, form.kind ?? null);
    return redirect(`/dashboard/briefings/${id}`);
  } catch (e) {
    if (e instanceof AppError) return data({ message: e.message }, { status: e.status });
    throw e;
  }
}

export default function BriefingsPage() {
  const d = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <>
      <PageHeader
        title="周通报 / 月通报"
        subtitle="部门排名、超期事项、新开工项目和督办事项，每期生成后内容不再变化"
        actions={<ButtonLink to="/dashboard">← 返回看板</ButtonLink>}
      />
      <div className="mb-6 grid gap-4 lg:grid-cols-2">
        <Card title="定时生成">
          <ul className="space-y-2 text-sm text-slate-700" data-testid="briefing-next-runs">
            {BRIEFING_KINDS.map((k) => (
              <li key={k} data-kind={k}>
                <span className="font-medium">{BRIEFING_KIND_LABELS[k]}</span>下一期：
                <span className="tabular-nums">{d.next[k].label}</span>（{k === "weekly" ? `${d.next[k].period.from} 至 ${d.next[k].period.to}` : d.next[k].period.from.slice(0, 7)}）
                {d.next[k].provisional ? <span className="ml-1 text-amber-700">（该年节假日安排尚未公布，日期为暂定）</span> : null}
              </li>
            ))}
          </ul>
          <p className="mt-3 text-xs text-slate-500">
            周通报于每周一 08:00、月通报于每月 1 日 08:00 生成；遇节假日或周末顺延至下一个工作日 08:00，并通知各位领导。
          </p>
        </Card>
        <Card title="立即生成">
          <Form method="post" className="flex flex-wrap items-end gap-3" data-testid="briefing-generate">
            <input type="hidden" name="intent" value="generate" />
            <label className="text-sm text-slate-700">
              <span className="mb-1 block">类型</span>
              <Select name="kind" defaultValue="weekly" aria-label="通报类型">
                {BRIEFING_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {BRIEFING_KIND_LABELS[k]}（{d.latest[k]}）
                  </option>
                ))}
              </Select>
            </label>
            <Button type="submit" disabled={busy}>
              {busy ? "正在生成…" : "立即生成"}
            </Button>
          </Form>
          <p className="mt-3 text-xs text-slate-500">按上一完整周（周一至周日）或上一个自然月生成，数据截至今日。</p>
          {answer?.message ? (
            <div className="mt-3">
              <Alert tone="red">{answer.message}</Alert>
            </div>
          ) : null}
        </Card>
      </div>

      <Card title={`往期通报（${d.rows.length}）`}>
        {d.rows.length === 0 ? (
          <EmptyState title="还没有通报">可以点击“立即生成”生成第一期，或等待定时生成。</EmptyState>
        ) : (
          <Table className="border-0">
            <thead>
              <tr>
                <Th>通报</Th>
                <Th className="whitespace-nowrap">类型</Th>
                <Th className="whitespace-nowrap">统计期间</Th>
                <Th className="whitespace-nowrap">生成</Th>
                <Th className="whitespace-nowrap">下载</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100" data-testid="briefing-list">
              {d.rows.map((r) => (
                <tr key={r.id} data-briefing-id={r.id}>
                  <Td>
                    <Link to={`/dashboard/briefings/${r.id}`} className="font-medium text-brand-700 hover:underline">
                      {r.title}
                    </Link>
                  </Td>
                  <Td className="whitespace-nowrap">
                    <Badge tone={r.kind === "weekly" ? "blue" : "purple"}>{r.kindLabel}</Badge>
                  </Td>
                  <Td className="whitespace-nowrap tabular-nums">
                    {r.periodFrom} 至 {r.periodTo}
                  </Td>
                  <Td className="whitespace-nowrap text-slate-600">
                    <span className="tabular-nums">{r.createdAt}</span>
                    <span className="ml-2 text-xs">{r.scheduled ? "定时生成" : `手动生成${r.generatedBy ? ` · ${r.generatedBy}` : ""}`}</span>
                  </Td>
                  <Td className="whitespace-nowrap">
                    <a href={`/dashboard/briefings/${r.id}.xlsx`} className="text-brand-700 hover:underline" download>
                      Excel
                    </a>
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
    </>
  );
}

export function ErrorBoundary() {
  return <ErrorPanel error={useRouteError()} />;
}
