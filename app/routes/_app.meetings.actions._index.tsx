import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useRouteError } from "@remix-run/react";
import { Form } from "~/components/form";
import { ErrorPanel } from "~/components/error-panel";
import { Countdown } from "~/components/status";
import { Badge, Button, EmptyState, PageHeader, Select, Table, Td, Th } from "~/components/ui";
import { ACTION_SOURCE_LABELS, ACTION_SOURCES, ACTION_STATUS_LABELS, MEETING_TYPE_LABELS } from "~/domain/meeting/vocabulary";
import { actionItemFilterOptions, listActionItems } from "~/services/action-items.server";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import { requirePermission } from "~/web/session.server";

export const meta: MetaFunction = () => [{ title: "督办台账 · 绿色通道" }];

/** The filters as the GET form sends them; blank means all. */
const FILTER_KEYS = ["status", "department", "source"] as const;

export async function loader({ request }: LoaderFunctionArgs) {
  // Enterprise contacts get a 403 here; their pages never link to it.
  const user = await requirePermission(request, "actionItem.view");
  const params = new URL(request.url).searchParams;
  const filter = Object.fromEntries(FILTER_KEYS.map((k) => [k, params.get(k) ?? ""])) as Record<(typeof FILTER_KEYS)[number], string>;
  const ctx = serviceContext();
  try {
    const rows = listActionItems(ctx, user, filter);
    const exportQuery = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== "")).toString();
    return { rows, filter, options: actionItemFilterOptions(ctx, user), exportHref: `/meetings/actions.xlsx${exportQuery ? `?${exportQuery}` : ""}` };
  } catch (e) {
    if (e instanceof AppError) throw new Response(e.message, { status: e.status });
    throw e;
  }
}

export default function ActionItemsLedger() {
  const { rows, filter, options, exportHref } = useLoaderData<typeof loader>();
  const open = rows.filter((r) => r.status === "open");
  const red = open.filter((r) => r.warning === "red").length;
  const yellow = open.filter((r) => r.warning === "yellow").length;
  return (
    <>
      <PageHeader
        title="督办台账"
        subtitle={`会议纪要、领导督办与差评整改事项 · 共 ${rows.length} 项，办理中 ${open.length} 项（超期 ${red}、临期 ${yellow}）`}
        actions={
          // A file download: a plain link, so the browser saves it instead of the router fetching it.
          <a href={exportHref} className="inline-flex items-center rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50" data-testid="export-action-items">
            导出 Excel
          </a>
        }
      />
      {/* A plain GET form: filtering works without JavaScript and the URL can be bookmarked. */}
      <Form method="get" className="mb-4 flex flex-wrap items-end gap-3" aria-label="筛选督办事项" data-testid="action-items-filter">
        <label className="text-xs text-slate-600">
          责任单位
          <Select name="department" defaultValue={filter.department} className="mt-1 w-56 py-1">
            <option value="">全部单位</option>
            {options.departments.map((d) => (
              <option key={d.code} value={d.code}>
                {d.name}
              </option>
            ))}
          </Select>
        </label>
        <label className="text-xs text-slate-600">
          来源
          <Select name="source" defaultValue={filter.source} className="mt-1 w-36 py-1">
            <option value="">全部来源</option>
            {ACTION_SOURCES.map((s) => (
              <option key={s} value={s}>
                {ACTION_SOURCE_LABELS[s]}
              </option>
            ))}
          </Select>
        </label>
        <label className="text-xs text-slate-600">
          状态
          <Select name="status" defaultValue={filter.status} className="mt-1 w-32 py-1">
            <option value="">全部</option>
            <option value="open">{ACTION_STATUS_LABELS.open}</option>
            <option value="closed">{ACTION_STATUS_LABELS.closed}</option>
          </Select>
        </label>
        <Button type="submit" variant="secondary">
          筛选
        </Button>
        {filter.department || filter.source || filter.status ? (
          <Link to="/meetings/actions" className="pb-1.5 text-sm text-brand-700 hover:underline">
            清除筛选
          </Link>
        ) : null}
      </Form>
      {rows.length === 0 ? (
        <EmptyState title="没有符合条件的督办事项" />
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>督办事项</Th>
              <Th>来源</Th>
              <Th>责任单位 / 配合单位</Th>
              <Th>责任人</Th>
              <Th>关联项目</Th>
              <Th>完成时限</Th>
              <Th>倒计时 / 办结</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100" data-testid="action-items">
            {rows.map((r) => (
              <tr key={r.id} data-action-item={r.id} data-status={r.status} data-warning={r.warning} className="align-top">
                <Td className="min-w-[14rem] max-w-md whitespace-normal">
                  <Link to={`/meetings/actions/${r.id}`} className="font-medium text-slate-800 hover:text-brand-700 hover:underline">
                    {r.title}
                  </Link>
                </Td>
                <Td className="whitespace-normal text-xs">
                  <div className="font-medium text-slate-700">{ACTION_SOURCE_LABELS[r.source]}</div>
                  {r.meeting ? (
                    <div className="text-slate-500">
                      {/* The type only when the title does not already say it (most titles end in 联席会议). */}
                      {r.meeting.title.includes(MEETING_TYPE_LABELS[r.meeting.type]) ? "" : `${MEETING_TYPE_LABELS[r.meeting.type]} · `}
                      {r.meeting.title}（{r.meeting.heldOn}）
                    </div>
                  ) : r.startOn ? (
                    <div className="text-slate-500">{r.startOn}</div>
                  ) : null}
                </Td>
                <Td className="whitespace-normal text-xs">
                  <div className="font-medium text-slate-700">{r.leadDepartmentName ?? "—"}</div>
                  {r.coDepartments.length ? <div className="text-slate-500">配合：{r.coDepartments.map((d) => d.name).join("、")}</div> : null}
                </Td>
                <Td className="text-xs">{r.owner ?? "—"}</Td>
                <Td className="whitespace-normal text-xs">
                  {r.projectId === null ? (
                    "—"
                  ) : r.projectOpenable ? (
                    <Link to={r.itemKey ? `/projects/${r.projectId}?item=${encodeURIComponent(r.itemKey)}` : `/projects/${r.projectId}`} className="text-brand-700 hover:underline">
                      {r.projectName}
                      {r.itemName ? ` · ${r.itemName}` : ""}
                    </Link>
                  ) : (
                    <span>
                      {r.projectName}
                      {r.itemName ? ` · ${r.itemName}` : ""}
                    </span>
                  )}
                </Td>
                <Td className="text-xs tabular-nums">
                  {r.dueOn}
                  {r.provisional ? <span className="text-amber-700">（暂估）</span> : null}
                  {r.dueInWorkingDays !== null ? <div className="text-slate-500">{r.dueInWorkingDays} 个工作日内</div> : null}
                </Td>
                <Td>
                  {r.status === "open" ? (
                    <Countdown remaining={r.remainingWorkingDays} warning={r.warning} paused={false} />
                  ) : r.status === "closed" ? (
                    <Badge tone={r.onTime ? "green" : "yellow"}>
                      {r.onTime ? "按期办结" : "逾期办结"} {r.closedOn}
                    </Badge>
                  ) : (
                    <Badge tone="gray">{ACTION_STATUS_LABELS[r.status]}</Badge>
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
