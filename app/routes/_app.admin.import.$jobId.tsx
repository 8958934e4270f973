import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Link, useActionData, useFetcher, useLoaderData, useNavigation, useRevalidator } from "@remix-run/react";
import { Form } from "~/components/form";
import { useEffect } from "react";
import { Alert, Badge, Button, ButtonLink, Card, PageHeader, StatCard, Table, Td, Th, type Tone } from "~/components/ui";
import { ITEM_SHEET, PROJECT_SHEET } from "~/domain/ledger/columns";
import type { ImportStatus } from "~/domain/ledger/job";
import type { LedgerAction } from "~/domain/ledger/rows";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import { confirmLedgerImport, getLedgerImport, type ImportProgress } from "~/services/ledger-import.server";
import { readFormValues } from "~/web/intent.server";
import { routeId } from "~/web/params.server";
import { requirePermission } from "~/web/session.server";
import { shanghaiDateTime } from "~/domain/calendar";

export const meta: MetaFunction = () => [{ title: "台账导入 · 绿色通道" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "admin.manage");
  const id = routeId(params.jobId, "导入记录");
  try {
    return getLedgerImport(serviceContext(), user, id);
  } catch (e) {
    if (e instanceof AppError) throw new Response(e.message, { status: e.status });
    throw e;
  }
}

/** 确认导入: queue the job, then show this page again (a refresh does not post twice). */
export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, "admin.manage");
  const id = routeId(params.jobId, "导入记录");
  // A body that is not a form reads as no fields: the unknown-operation 400 below.
  const form = await readFormValues(request);
  try {
    if (form.intent !== "confirm") throw new AppError("bad_request", "未知的操作，请刷新页面后重试");
    await confirmLedgerImport(serviceContext(), user, id);
    return redirect(`/admin/import/${id}`);
  } catch (e) {
    if (e instanceof AppError) return data({ ok: false, message: e.message }, { status: e.status });
    throw e;
  }
}

const STATUS_TONES: Record<ImportStatus, Tone> = { previewed: "yellow", queued: "blue", running: "blue", done: "green", failed: "red" };
const ACTION_BADGES: Record<LedgerAction, { tone: Tone; label: string }> = {
  create: { tone: "green", label: "将导入" },
  skip_existing: { tone: "gray", label: "已存在，跳过" },
  invalid: { tone: "red", label: "有错误" },
};

/** Polls the job's progress every second while it is queued or running; reloads the page once it ends. */
function useLiveProgress(initial: ImportProgress): ImportProgress {
  const fetcher = useFetcher<ImportProgress>();
  const revalidator = useRevalidator();
  const active = initial.status === "queued" || initial.status === "running";
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => fetcher.load(`/admin/import/${initial.id}/status`), 1_000);
    return () => clearInterval(timer);
    // Armed once per job: the fetcher object changes on every render, and re-arming would reset the timer.
  }, [active, initial.id]);
  const live = fetcher.data && fetcher.data.id === initial.id ? fetcher.data : initial;
  const ended = live.status === "done" || live.status === "failed";
  useEffect(() => {
    // The report is on the page, not in the status answer: load it once the worker has finished.
    if (active && ended && revalidator.state === "idle") revalidator.revalidate();
  }, [active, ended, revalidator]);
  return live;
}

export default function ImportJobPage() {
  const job = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const submitting = useNavigation().state === "submitting";
  const live = useLiveProgress(job);
  const { preview, report } = job;
  const running = live.status === "queued" || live.status === "running";
  const pct = live.total > 0 ? Math.round((live.processed / live.total) * 100) : 0;
  return (
    <>
      <PageHeader
        title={`台账导入：${job.fileName}`}
        subtitle={`${job.createdBy ?? "—"} 上传于 ${shanghaiDateTime(job.createdAt)}`}
        actions={
          <>
            <Badge tone={STATUS_TONES[live.status]} className="self-center">
              {live.statusLabel}
            </Badge>
            <ButtonLink to="/admin/import">返回导入记录</ButtonLink>
          </>
        }
      />
      {result && !result.ok ? (
        <div className="mb-4">
          <Alert tone="red">{result.message}</Alert>
        </div>
      ) : null}

      <div className="mb-4 grid grid-cols-3 gap-3">
        <StatCard label="将导入" value={preview.counts.create} tone="green" />
        <StatCard label="已存在跳过" value={preview.counts.skip_existing} />
        <StatCard label="有错误" value={preview.counts.invalid} tone={preview.counts.invalid ? "red" : undefined} />
      </div>

      {live.status === "previewed" ? (
        <Card title="确认导入" className="mb-4">
          {preview.counts.create > 0 ? (
            <Form method="post" className="flex flex-wrap items-center gap-3">
              <input type="hidden" name="intent" value="confirm" />
              <Button type="submit" disabled={submitting}>{`确认导入 ${preview.counts.create} 个项目`}</Button>
              <span className="text-sm text-slate-500">
                有错误的行不会导入，已存在的项目代码会跳过；修正后重新上传同一文件即可补导。导入由后台任务完成，可离开本页。
              </span>
            </Form>
          ) : (
            <p className="text-sm text-slate-600">
              没有可导入的项目。请按下表修正后 <Link className="text-brand-700 hover:underline" to="/admin/import">重新上传</Link>。
            </p>
          )}
          {!preview.itemSheet ? (
            <div className="mt-3">
              <Alert tone="yellow">{`工作簿中没有「${ITEM_SHEET}」工作表：所有事项将按「待办理」导入。`}</Alert>
            </div>
          ) : null}
        </Card>
      ) : null}

      {running || live.status === "done" || live.status === "failed" ? (
        <Card title="导入进度" className="mb-4">
          <div
            className="h-3 w-full overflow-hidden rounded bg-slate-100"
            role="progressbar"
            aria-label="导入进度"
            aria-valuemin={0}
            aria-valuemax={live.total}
            aria-valuenow={live.processed}
          >
            <div className="h-full bg-brand-600 transition-all" style={{ width: `${pct}%` }} />
          </div>
          <div className="mt-2 flex items-center gap-3 text-sm text-slate-600">
            <span className="tabular-nums" data-testid="import-progress">{`已处理 ${live.processed} / ${live.total} 行`}</span>
            {running ? (
              <a className="text-brand-700 hover:underline" href={`/admin/import/${job.id}`}>
                刷新进度
              </a>
            ) : null}
          </div>
          {live.status === "queued" ? <p className="mt-2 text-xs text-slate-500">等待后台任务开始；如长时间未开始，请检查后台任务进程与 Redis 是否正常。</p> : null}
          {live.error ? (
            <div className="mt-3">
              <Alert tone="red">{live.error}</Alert>
            </div>
          ) : null}
        </Card>
      ) : null}

      {report ? (
        <Card title="导入报告" className="mb-4">
          <div className="grid gap-4 md:grid-cols-3">
            <div>
              <h3 className="mb-2 text-sm font-semibold text-emerald-700">{`新建 ${report.created.length} 个项目`}</h3>
              <ul className="space-y-1 text-sm">
                {report.created.map((c) => (
                  <li key={c.id}>
                    <Link className="font-mono text-xs text-brand-700 hover:underline" to={`/projects/${c.id}`}>
                      {c.code}
                    </Link>
                  </li>
                ))}
              </ul>
            </div>
            <div>
              <h3 className="mb-2 text-sm font-semibold text-slate-700">{`跳过 ${report.skipped.length} 个`}</h3>
              <ul className="space-y-1 text-sm">
                {report.skipped.map((s) => (
                  <li key={s.row}>
                    <span className="font-mono text-xs">{s.code}</span> <span className="text-slate-500">{s.reason}</span>
                  </li>
                ))}
              </ul>
            </div>
            <div>
              <h3 className="mb-2 text-sm font-semibold text-red-700">{`未导入 ${report.failed.length} 行`}</h3>
              <ul className="space-y-2 text-sm">
                {report.failed.map((f) => (
                  <li key={f.row}>
                    <div className="text-xs text-slate-500">{`第 ${f.row} 行 ${f.code}`}</div>
                    <ul className="list-disc pl-5 text-xs text-red-700">
                      {f.problems.map((p, i) => (
                        <li key={i}>{p}</li>
                      ))}
                    </ul>
                  </li>
                ))}
              </ul>
            </div>
          </div>
        </Card>
      ) : null}

      <Card title={`预览：「${PROJECT_SHEET}」共 ${preview.rows.length} 行`}>
        {/* Td does not wrap by default; the problems column must, or long messages run off the table. */}
        <Table className="border-0 [&_td:nth-child(7)]:min-w-[24rem] [&_td:nth-child(7)]:whitespace-normal">
          <thead>
            <tr>
              <Th>行</Th>
              <Th>项目代码</Th>
              <Th>项目名称</Th>
              <Th>模板</Th>
              <Th className="whitespace-nowrap">有进展的事项</Th>
              <Th>结果</Th>
              <Th>问题</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {preview.rows.map((r) => (
              <tr key={r.row} data-row={r.row} className="align-top">
                <Td className="tabular-nums text-slate-500">{r.row}</Td>
                <Td className="font-mono text-xs">{r.code || "—"}</Td>
                <Td>{r.name || "—"}</Td>
                <Td>{r.template || "—"}</Td>
                <Td className="tabular-nums">{r.items}</Td>
                <Td>
                  <Badge tone={ACTION_BADGES[r.action].tone}>{ACTION_BADGES[r.action].label}</Badge>
                </Td>
                <Td>
                  {r.problems.length || r.itemProblems.length ? (
                    <ul className="list-disc space-y-0.5 pl-4 text-xs text-red-700">
                      {r.problems.map((p, i) => (
                        <li key={`p${i}`}>{p}</li>
                      ))}
                      {r.itemProblems.flatMap((ip) =>
                        ip.problems.map((p, i) => <li key={`i${ip.row}-${i}`}>{`${ITEM_SHEET}第 ${ip.row} 行（${ip.item || "未填事项"}）：${p}`}</li>),
                      )}
                    </ul>
                  ) : (
                    <span className="text-xs text-slate-400">—</span>
                  )}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
        {preview.orphanItems.length ? (
          <div className="mt-4">
            <h3 className="mb-2 text-sm font-semibold text-amber-800">{`「${ITEM_SHEET}」中无法对应到项目的行（不会导入）`}</h3>
            <ul className="list-disc space-y-0.5 pl-5 text-xs text-amber-900">
              {preview.orphanItems.map((o) => (
                <li key={o.row}>{`第 ${o.row} 行（${o.item || "未填事项"}）：${o.problems.join("；")}`}</li>
              ))}
            </ul>
          </div>
        ) : null}
      </Card>
    </>
  );
}
