import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { Form } from "~/components/form";
import { Badge, Button, ButtonLink, EmptyState, Input, PageHeader, Select, Table, Td, Th } from "~/components/ui";
import { decide } from "~/domain/access/policy";
import { PROJECT_STATUSES, PROJECT_STATUS_LABELS } from "~/domain/project/types";
import { serviceContext } from "~/services/context.server";
import { listProjects } from "~/services/project-list.server";
import { requireUser } from "~/web/session.server";

export const meta: MetaFunction = () => [{ title: "项目 · 绿色通道" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const url = new URL(request.url);
  const filter = { q: url.searchParams.get("q") ?? "", status: url.searchParams.get("status") ?? "" };
  return { projects: listProjects(serviceContext(), user, filter), canCreate: decide(user, "project.create").allowed };
}

const STATUS_TONES: Record<string, "green" | "gray" | "blue" | "red"> = { started: "green", completed: "green", suspended: "gray", withdrawn: "gray" };

export default function ProjectList() {
  const { projects, canCreate } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  return (
    <>
      <PageHeader
        title="项目台账"
        subtitle={`共 ${projects.length} 个项目`}
        actions={
          <>
            <ButtonLink to="/projects/ledger.xlsx" reloadDocument>
              导出台账
            </ButtonLink>
            {canCreate ? <ButtonLink to="/projects/new" variant="primary">新建项目</ButtonLink> : null}
          </>
        }
      />
      <Form method="get" className="mb-4 flex flex-wrap items-end gap-3" role="search">
        <div className="w-72">
          <Input name="q" placeholder="搜索项目名称、项目代码或企业" defaultValue={params.get("q") ?? ""} aria-label="搜索" />
        </div>
        <div className="w-44">
          <Select name="status" defaultValue={params.get("status") ?? ""} aria-label="状态">
            <option value="">在办项目</option>
            <option value="closed">已关闭（开工或撤销）</option>
            <option value="all">全部项目</option>
            {PROJECT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {PROJECT_STATUS_LABELS[s]}
              </option>
            ))}
          </Select>
        </div>
        <Button type="submit" variant="secondary">
          筛选
        </Button>
      </Form>
      {projects.length === 0 ? (
        <EmptyState title="没有符合条件的项目">换个关键词或状态试试。</EmptyState>
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>项目</Th>
              <Th>企业</Th>
              <Th>状态</Th>
              <Th>审批进度</Th>
              <Th>预警</Th>
              <Th>签约</Th>
              <Th>计划开工</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {projects.map((p) => (
              <tr key={p.id} className="hover:bg-slate-50">
                <Td>
                  <Link to={`/projects/${p.id}`} className="font-medium text-brand-700 hover:underline">
                    {p.name}
                  </Link>
                  <div className="text-xs text-slate-400">{p.code}</div>
                </Td>
                <Td>{p.enterpriseName}</Td>
                <Td>
                  <Badge tone={STATUS_TONES[p.status] ?? "blue"}>{p.statusLabel}</Badge>
                </Td>
                <Td>
                  <div className="flex items-center gap-2">
                    <div className="h-1.5 w-24 overflow-hidden rounded bg-slate-100">
                      <div className="h-full bg-brand-500" style={{ width: `${p.itemsTotal ? (100 * p.itemsDone) / p.itemsTotal : 0}%` }} />
                    </div>
                    <span className="text-xs tabular-nums text-slate-500">
                      {p.itemsDone}/{p.itemsTotal}
                    </span>
                  </div>
                </Td>
                <Td>
                  <div className="flex gap-1">
                    {p.overdue > 0 ? <Badge tone="red">超期 {p.overdue}</Badge> : null}
                    {p.dueSoon > 0 ? <Badge tone="yellow">临期 {p.dueSoon}</Badge> : null}
                    {p.overdue === 0 && p.dueSoon === 0 ? <span className="text-slate-400">—</span> : null}
                  </div>
                </Td>
                <Td className="tabular-nums">{p.signedOn}</Td>
                <Td className="tabular-nums">{p.targetStartOn}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}
