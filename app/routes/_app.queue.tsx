import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { z } from "zod";
import { Link, useActionData, useLoaderData, useRouteError } from "@remix-run/react";
import { Form } from "~/components/form";
import { ErrorPanel } from "~/components/error-panel";
import { Pager } from "~/components/pager";
import { QueueActions, queueRowRef, type QueueAnswer } from "~/components/queue/queue-actions";
import { Countdown, ItemStatusBadge } from "~/components/status";
import { Alert, Badge, Button, ButtonLink, EmptyState, PageHeader, Select, Table, Td, Th } from "~/components/ui";
import { itemStatusLabel, STATUS_LABELS } from "~/domain/clock";
import { stageLabel } from "~/domain/item/vocabulary";
import { ACTION_SOURCE_LABELS } from "~/domain/meeting/vocabulary";
import { shanghaiToday } from "~/domain/calendar";
import { serviceContext } from "~/services/context.server";
import { recordItemEvent } from "~/services/items.server";
import { listDepartmentQueue } from "~/services/queue.server";
import { formList, formText } from "~/web/form-fields";
import { dispatchIntent } from "~/web/intent.server";
import { requirePermission } from "~/web/session.server";

export const meta: MetaFunction = () => [{ title: "待办队列 · 绿色通道" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "queue.view");
  const params = new URL(request.url).searchParams;
  const ctx = serviceContext();
  // A province's department holds thousands of open items: the page shows the most urgent 100 at a time
  // (rows, action items and entries are this page's; totals count the whole queue).
  const page = Math.min(10_000, Math.max(1, Number.parseInt(params.get("page") ?? "1", 10) || 1));
  const queue = listDepartmentQueue(ctx, user, { project: params.get("project"), stage: params.get("stage"), status: params.get("status") }, { page, pageSize: QUEUE_PAGE_SIZE });
  return { ...queue, page, pageSize: QUEUE_PAGE_SIZE, today: shanghaiToday(ctx.now) };
}

const QUEUE_PAGE_SIZE = 100;

const intents = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("event"),
    // "<projectId>/<key>" (queueRowRef): the queue spans projects.
    itemKey: z.string().regex(/^\d+\/.+$/, "事项参数无效，请刷新页面后重试"),
    type: z.string(),
    on: z.string().optional(),
    note: formText(),
    version: formText(),
    missingMaterials: formList(),
    deferredMaterials: formList(),
    commitmentOn: formText(),
  }),
]);

/** Records a department decision from the queue (受理, 要求补正, 办结 …) through the one service that records clock events. */
export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "queue.view");
  const ctx = serviceContext();
  return dispatchIntent(request, intents, (input) => {
    const slash = input.itemKey.indexOf("/");
    const projectId = Number(input.itemKey.slice(0, slash));
    const key = input.itemKey.slice(slash + 1);
    const version = Number(input.version);
    const done = recordItemEvent(ctx, user, projectId, key, {
      type: input.type,
      on: input.on,
      note: input.note,
      expectedVersion: Number.isInteger(version) && version > 0 ? version : undefined,
      missingMaterials: input.missingMaterials.length ? input.missingMaterials : undefined,
      deferredMaterials: input.deferredMaterials.length ? input.deferredMaterials : undefined,
      commitmentOn: input.commitmentOn,
    });
    return { message: `「${done.name}」已记录，当前状态：${itemStatusLabel(done.status, done.kind)}`, itemKey: input.itemKey };
  });
}

export function ErrorBoundary() {
  return <ErrorPanel error={useRouteError()} />;
}

export default function Queue() {
  const { department, rows, entries, filter, options, today, totals, page, pageSize } = useLoaderData<typeof loader>();
  const answer = (useActionData<typeof action>() as QueueAnswer | undefined) ?? null;
  const subtitle = `${department} · 在办审批 ${totals.items} 项${totals.actions ? `、督办事项 ${totals.actions} 项` : ""}，按紧急程度排序`;
  const pageHref = (n: number) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filter)) if (v) q.set(k, v);
    if (n > 1) q.set("page", String(n));
    const s = q.toString();
    return `/queue${s ? `?${s}` : ""}`;
  };
  const filtered = Boolean(filter.project || filter.stage || filter.status);
  // An answer whose row is still listed shows on the row; one whose item left the queue (办结, 不予许可) shows above it.
  const answerRowListed = answer ? rows.some((r) => queueRowRef(r) === answer.itemKey) : false;
  return (
    <>
      <PageHeader
        title="待办队列"
        subtitle={subtitle}
        actions={
          <ButtonLink to="/meetings/actions" variant="secondary">
            督办台账
          </ButtonLink>
        }
      />
      {answer && !answerRowListed ? (
        <div className="mb-4" data-testid="queue-answer">
          <Alert tone={answer.ok ? "green" : "red"}>{answer.message}</Alert>
        </div>
      ) : null}
      {/* A plain GET form: filtering works without JavaScript and the URL can be bookmarked. */}
      <Form method="get" className="mb-4 flex flex-wrap items-end gap-3" aria-label="筛选待办事项" data-testid="queue-filter">
        <label className="text-xs text-slate-600">
          项目
          <Select name="project" defaultValue={filter.project} className="mt-1 w-56 py-1">
            <option value="">全部项目</option>
            {options.projects.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </Select>
        </label>
        <label className="text-xs text-slate-600">
          阶段
          <Select name="stage" defaultValue={filter.stage} className="mt-1 w-44 py-1">
            <option value="">全部阶段</option>
            {options.stages.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </Select>
        </label>
        <label className="text-xs text-slate-600">
          状态
          <Select name="status" defaultValue={filter.status} className="mt-1 w-32 py-1">
            <option value="">全部状态</option>
            {options.statuses.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABELS[s]}
              </option>
            ))}
          </Select>
        </label>
        <Button type="submit" variant="secondary">
          筛选
        </Button>
        {filtered ? (
          <Link to="/queue" className="pb-1.5 text-sm text-brand-700 hover:underline">
            清除筛选
          </Link>
        ) : null}
      </Form>
      {entries.length === 0 ? (
        <EmptyState title={filtered ? "没有符合条件的事项" : "当前没有在办事项"} />
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>事项</Th>
              <Th>项目</Th>
              <Th>状态</Th>
              <Th>受理日期</Th>
              <Th>到期日</Th>
              <Th>倒计时</Th>
              <Th>办理</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100" data-testid="queue-rows">
            {entries.map((r) => {
              if (r.kind === "item") {
                const ref = queueRowRef(r);
                const mine = answer && answer.itemKey === ref ? answer : null;
                return (
                  <tr key={ref} className="align-top" data-testid="queue-item" data-item={ref} data-status={r.status} data-warning={r.warning}>
                    <Td className="min-w-[12rem] max-w-xs !whitespace-normal">
                      {/* The graph centred on the item, its panel open. */}
                      <Link to={`/projects/${r.projectId}?item=${encodeURIComponent(r.key)}`} className="font-medium text-brand-700 hover:underline">
                        {r.name}
                      </Link>
                      <div className="mt-0.5 text-xs text-slate-500">
                        {stageLabel(r.stage)}
                        {r.handlerName ? <span data-testid="queue-handler"> · 首问负责人：{r.handlerName}</span> : null}
                      </div>
                    </Td>
                    <Td className="!whitespace-normal">
                      <Link to={`/projects/${r.projectId}`} className="text-brand-700 hover:underline">
                        {r.projectName}
                      </Link>
                    </Td>
                    <Td>
                      <ItemStatusBadge status={r.status} kind={r.itemKind} />
                      {r.submittedOn ? <div className="mt-0.5 text-xs text-slate-500">{r.submittedOn} 申报</div> : null}
                    </Td>
                    <Td className="tabular-nums">{r.acceptedOn ?? "—"}</Td>
                    <Td className="tabular-nums">
                      {r.paused ? "—" : r.dueOn ?? "—"}
                      {r.acceptanceDueOn ? <div className="text-xs text-slate-500">受理期限</div> : null}
                    </Td>
                    <Td>
                      <Countdown remaining={r.remainingWorkingDays} warning={r.warning} paused={r.paused} />
                    </Td>
                    <Td className="w-72 min-w-[16rem] !whitespace-normal">
                      {mine?.ok ? (
                        <p className="mb-1 text-xs text-emerald-700" role="status" data-testid="queue-row-answer">
                          {mine.message}
                        </p>
                      ) : null}
                      {r.allowed.length ? <QueueActions key={`${ref}-${r.version}`} row={r} today={today} answer={mine} /> : <span className="text-slate-400">—</span>}
                    </Td>
                  </tr>
                );
              }
              return (
                <tr key={`action-${r.id}`} className="align-top" data-testid="queue-action-item" data-action-item={r.id}>
                  <Td className="min-w-[12rem] max-w-xs !whitespace-normal">
                    <Link to={`/meetings/actions/${r.id}`} className="font-medium text-brand-700 hover:underline">
                      {r.title}
                    </Link>
                    <div className="mt-0.5 text-xs text-slate-500">
                      {ACTION_SOURCE_LABELS[r.source]}
                      {r.meeting ? ` · ${r.meeting.title}（${r.meeting.heldOn}）` : ""}
                    </div>
                  </Td>
                  <Td className="!whitespace-normal">
                    {r.projectId === null ? (
                      "—"
                    ) : r.projectOpenable ? (
                      <Link to={r.itemKey ? `/projects/${r.projectId}?item=${encodeURIComponent(r.itemKey)}` : `/projects/${r.projectId}`} className="text-brand-700 hover:underline">
                        {r.projectName}
                        {r.itemName ? ` · ${r.itemName}` : ""}
                      </Link>
                    ) : (
                      <>
                        {r.projectName}
                        {r.itemName ? ` · ${r.itemName}` : ""}
                      </>
                    )}
                  </Td>
                  <Td>
                    <Badge tone="purple">督办事项</Badge>
                  </Td>
                  <Td className="tabular-nums">—</Td>
                  <Td className="tabular-nums">{r.dueOn}</Td>
                  <Td>
                    <Countdown remaining={r.remainingWorkingDays} warning={r.warning} paused={false} />
                  </Td>
                  <Td>
                    <Link to={`/meetings/actions/${r.id}`} className="text-xs text-brand-700 hover:underline">
                      查看 / 办结
                    </Link>
                  </Td>
                </tr>
              );
            })}
          </tbody>
        </Table>
      )}
      <Pager page={page} pageSize={pageSize} total={totals.entries} href={pageHref} />
    </>
  );
}
