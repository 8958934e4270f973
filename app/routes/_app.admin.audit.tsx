import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useLoaderData, useRouteError } from "@remix-run/react";
import { Form } from "~/components/form";
import { ErrorPanel } from "~/components/error-panel";
import { Pager } from "~/components/pager";
import { Alert, Badge, Button, ButtonLink, Card, EmptyState, Field, Input, PageHeader, Select, Table, Td, Th } from "~/components/ui";
import { SYSTEM_ACTOR, type AuditFilterField } from "~/domain/audit/filters";
import { listAuditLog, type AuditRowView } from "~/services/audit-view.server";
import { serviceContext } from "~/services/context.server";
import { requirePermission } from "~/web/session.server";

export const meta: MetaFunction = () => [{ title: "审计日志 · 系统管理 · 绿色通道" }];

// Sign-in addresses, logins and what people did: kept out of shared caches and the browser's.
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "admin.manage");
  const ctx = serviceContext();
  const params = new URL(request.url).searchParams;
  const page = listAuditLog(ctx, user, params);
  // Bad filters: the page with its message, answered 400 (not a 500, not a silently unfiltered list).
  return data(page, { status: Object.keys(page.errors).length ? 400 : 200 });
}

export default function AuditLogPage() {
  const d = useLoaderData<typeof loader>();
  const errors = Object.values(d.errors);
  const err = (f: AuditFilterField) => d.errors[f];
  const pageHref = (page: number) => `/admin/audit?${[d.query, page > 1 ? `page=${page}` : ""].filter(Boolean).join("&")}`;
  return (
    <>
      <PageHeader
        title="审计日志"
        subtitle={errors.length ? "筛选条件有误" : `共 ${d.total} 条，最新的在前；审计日志只能追加，不能修改或删除`}
        actions={
          <>
            <a
              href={`/admin/audit.csv${d.query ? `?${d.query}` : ""}`}
              className="inline-flex items-center rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50"
              data-testid="audit-export"
            >
              导出 CSV
            </a>
            <ButtonLink to="/admin">返回系统管理</ButtonLink>
          </>
        }
      />
      <Card className="mb-4">
        <Form method="get" className="space-y-3" data-testid="audit-filters">
          {errors.length ? (
            <Alert>
              {errors.map((e) => (
                <p key={e}>{e}</p>
              ))}
            </Alert>
          ) : null}
          <div className="grid gap-3 md:grid-cols-3 lg:grid-cols-6">
            <Field label="开始日期" name="from" error={err("from")}>
              <Input name="from" type="date" defaultValue={d.values.from} />
            </Field>
            <Field label="结束日期" name="to" error={err("to")}>
              <Input name="to" type="date" defaultValue={d.values.to} />
            </Field>
            <Field label="操作人" name="actor" error={err("actor")}>
              <Input name="actor" defaultValue={d.values.actor} placeholder={`用户名、姓名或“${SYSTEM_ACTOR}”`} maxLength={64} />
            </Field>
            <Field label="操作类型" name="action" error={err("action")}>
              <Select name="action" defaultValue={d.values.action}>
                <option value="">全部</option>
                {d.actionOptions.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label === o.value ? o.value : `${o.label}（${o.value}）`}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label="对象" name="entityType" error={err("entityType") ?? err("entityId")}>
              <div className="flex gap-1">
                <Select name="entityType" defaultValue={d.values.entityType} aria-label="对象类型">
                  <option value="">全部</option>
                  {d.entityOptions.map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </Select>
                <Input name="entityId" defaultValue={d.values.entityId} placeholder="编号" inputMode="numeric" aria-label="对象编号" className="w-20" />
              </div>
            </Field>
            <Field label="项目" name="project" error={err("project")}>
              <Input name="project" defaultValue={d.values.project} placeholder="项目编号或名称" maxLength={100} />
            </Field>
          </div>
          <div className="flex gap-2">
            <Button type="submit">筛选</Button>
            <ButtonLink to="/admin/audit">清除条件</ButtonLink>
          </div>
        </Form>
      </Card>
      {errors.length ? null : d.rows.length === 0 ? (
        <EmptyState title="没有符合条件的记录">请放宽时间范围或其他筛选条件。</EmptyState>
      ) : (
        <AuditTable rows={d.rows} />
      )}
      <Pager page={d.page} pageSize={d.pageSize} total={d.total} href={pageHref} />
    </>
  );
}

function AuditTable({ rows }: { rows: readonly AuditRowView[] }) {
  return (
    <Table>
      <thead>
        <tr>
          <Th className="whitespace-nowrap">时间</Th>
          <Th>操作人</Th>
          <Th>操作类型</Th>
          <Th>对象</Th>
          <Th>项目</Th>
          <Th>详情</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100" data-testid="audit-rows">
        {rows.map((r) => (
          <tr key={r.id} data-audit-id={r.id} className="align-top">
            <Td className="tabular-nums">{r.time}</Td>
            <Td>
              {r.actor ? (
                <>
                  <span className="font-medium text-slate-800">{r.actor.login}</span>
                  {r.actor.displayName ? <span className="ml-1 text-xs text-slate-500">{r.actor.displayName}</span> : null}
                </>
              ) : (
                <Badge>{SYSTEM_ACTOR}</Badge>
              )}
            </Td>
            <Td>
              <span title={r.action}>{r.actionLabel}</span>
            </Td>
            <Td className="text-xs">
              {r.entityLabel}
              {r.entityId !== null ? <span className="tabular-nums"> #{r.entityId}</span> : null}
            </Td>
            <Td className="min-w-[8rem] whitespace-normal text-xs">
              {r.project ? (
                <Link to={`/projects/${r.project.id}`} className="text-brand-700 hover:underline">
                  {r.project.name}
                </Link>
              ) : (
                "—"
              )}
            </Td>
            <Td className="min-w-[16rem] max-w-xl whitespace-normal">
              {r.detail ? (
                // Shown as text only: a detail holds whatever people typed (names, notes, file names).
                <pre className="max-h-40 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-1.5 font-mono text-xs text-slate-700">
                  {r.detail.text}
                  {r.detail.truncated ? <span className="text-slate-400">{"\n"}…（内容过长，已截断；导出 CSV 可看全文）</span> : null}
                </pre>
              ) : (
                <span className="text-slate-400">—</span>
              )}
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

export function ErrorBoundary() {
  return <ErrorPanel error={useRouteError()} />;
}
