import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Form } from "~/components/form";
import { TemplateGraphView, templateGraphStylesheet } from "~/components/graph/template-graph";
import { Alert, Badge, Button, ButtonLink, Card, PageHeader, Select, Table, Td, Th, cx } from "~/components/ui";
import { ITEM_KIND_LABELS, LIMIT_UNIT_LABELS, stageLabel } from "~/domain/item/vocabulary";
import { parseId } from "~/domain/validation/id";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import { getTemplate, templateGraph } from "~/services/template-library.server";
import { TEMPLATE_SOURCE_LABELS } from "~/domain/graph/template";
import { requirePermission } from "~/web/session.server";
import { shanghaiDateTime } from "~/domain/calendar";

export const links: LinksFunction = () => [templateGraphStylesheet];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data ? data.template.name : "模板"} · 模板库 · 绿色通道` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requirePermission(request, "admin.manage");
  const raw = new URL(request.url).searchParams.get("version");
  const version = raw ? parseId(raw) : undefined;
  if (version === null) throw new Response("没有这个版本", { status: 404 });
  try {
    const detail = getTemplate(serviceContext().db, params.key ?? "", version);
    return { ...detail, graph: templateGraph(detail.template) };
  } catch (e) {
    if (e instanceof AppError) throw new Response(e.message, { status: e.status });
    throw e;
  }
}

const dateTime = (ms: number) => shanghaiDateTime(ms);

export default function TemplateDetailPage() {
  const { summary, version, template, graph, departments } = useLoaderData<typeof loader>();
  const newest = summary.latestVersion === version.version;
  const prerequisites = new Map<string, string[]>();
  for (const d of template.dependencies) prerequisites.set(d.to, [...(prerequisites.get(d.to) ?? []), d.lagWorkingDays ? `${d.from}（+${d.lagWorkingDays}）` : d.from]);
  return (
    <>
      <PageHeader
        title={template.name}
        subtitle={
          <>
            <span className="font-mono">{template.key}</span> · 第 {version.version} 版 · {TEMPLATE_SOURCE_LABELS[version.source]} · {template.items.length} 个事项 · {template.dependencies.length} 条依赖 · {version.projectCount} 个项目使用此版本
          </>
        }
        actions={
          <>
            <a
              href={`/admin/templates/${template.key}.json?version=${version.version}`}
              download
              className="inline-flex items-center rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50"
            >
              导出 JSON
            </a>
            <ButtonLink to="/admin/templates">返回模板库</ButtonLink>
          </>
        }
      />
      <div className="mb-4 space-y-2">
        {!newest ? (
          <Alert tone="yellow">
            这是第 {version.version} 版；新项目使用最新的第 {summary.latestVersion} 版。<Link className="font-medium underline" to={`/admin/templates/${template.key}`}>查看最新版本</Link>
          </Alert>
        ) : null}
        {newest && summary.unusableReason ? <Alert tone="red">暂不能用此模板新建项目：{summary.unusableReason}。请在「系统管理 → 部门」中补齐或启用相应部门，或导入修正后的版本。</Alert> : null}
        {template.description ? <p className="text-sm text-slate-600">{template.description}</p> : null}
      </div>

      <Card
        title="版本"
        className="mb-6"
        actions={
          <Form method="get" className="flex items-center gap-2">
            <label htmlFor="version" className="sr-only">
              切换版本
            </label>
            <Select name="version" defaultValue={version.version} className="w-40 py-1">
              {summary.versions.map((v) => (
                <option key={v.version} value={v.version}>
                  第 {v.version} 版（{TEMPLATE_SOURCE_LABELS[v.source]}）
                </option>
              ))}
            </Select>
            <Button type="submit" variant="secondary">
              切换
            </Button>
          </Form>
        }
      >
        <Table>
          <thead>
            <tr>
              <Th>版本</Th>
              <Th>来源</Th>
              <Th>名称</Th>
              <Th className="text-right">事项数</Th>
              <Th>导入时间</Th>
              <Th className="text-right">使用项目</Th>
              <Th />
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {summary.versions.map((v) => (
              <tr key={v.version} data-version={v.version} className={cx(v.version === version.version && "bg-brand-50/60")} aria-current={v.version === version.version ? "true" : undefined}>
                <Td className="tabular-nums">
                  第 {v.version} 版{v.version === summary.latestVersion ? <Badge tone="green" className="ml-1">最新</Badge> : null}
                </Td>
                <Td>
                  <Badge tone={v.source === "shipped" ? "gray" : "blue"}>{TEMPLATE_SOURCE_LABELS[v.source]}</Badge>
                </Td>
                <Td className="whitespace-normal">{v.name}</Td>
                <Td className="text-right tabular-nums">{v.itemCount}</Td>
                <Td className="text-xs text-slate-500">{v.createdAt ? `${dateTime(v.createdAt)}${v.createdBy ? ` · ${v.createdBy}` : ""}` : "随系统发布"}</Td>
                <Td className="text-right tabular-nums">{v.projectCount}</Td>
                <Td className="text-right">
                  {v.version === version.version ? (
                    <span className="text-xs text-slate-400">当前查看</span>
                  ) : (
                    <Link to={`?version=${v.version}`} className="text-sm text-brand-700 hover:underline">
                      查看
                    </Link>
                  )}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      </Card>

      <section className="mb-6" aria-label="审批事项关系图">
        <h2 className="mb-2 text-sm font-semibold text-slate-800">事项关系图</h2>
        <TemplateGraphView graph={graph} />
      </section>

      <section aria-label="事项">
        <h2 className="mb-2 text-sm font-semibold text-slate-800">事项（{template.items.length}）</h2>
        <Table>
          <thead>
            <tr>
              <Th>key</Th>
              <Th>名称</Th>
              <Th>类型</Th>
              <Th>部门</Th>
              <Th>阶段</Th>
              <Th className="text-right">法定时限</Th>
              <Th className="text-right">承诺时限</Th>
              <Th className="text-right">计划工期</Th>
              <Th>前置事项</Th>
              <Th>材料</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {template.items.map((i) => {
              const unit = LIMIT_UNIT_LABELS[i.limitUnit];
              const dept = i.department ? departments[i.department] : undefined;
              return (
                <tr key={i.key} data-item={i.key} className="align-top">
                  <Td className="font-mono text-xs">{i.key}</Td>
                  <Td className="whitespace-normal font-medium text-slate-900">{i.name}</Td>
                  <Td>{ITEM_KIND_LABELS[i.kind]}</Td>
                  <Td className="whitespace-normal">
                    {i.department ? (
                      <span title={dept?.name}>
                        {i.department}
                        {!dept ? <Badge tone="red" className="ml-1">未知部门</Badge> : !dept.active ? <Badge tone="red" className="ml-1">已停用</Badge> : null}
                      </span>
                    ) : (
                      <span className="text-slate-400">—</span>
                    )}
                  </Td>
                  <Td className="whitespace-normal text-xs">
                    {i.stage} {stageLabel(i.stage)}
                  </Td>
                  <Td className="text-right tabular-nums">{i.statutoryLimit !== undefined ? `${i.statutoryLimit} ${unit}` : "—"}</Td>
                  <Td className="text-right tabular-nums">{i.promisedLimit !== undefined ? `${i.promisedLimit} ${unit}` : "—"}</Td>
                  <Td className="text-right tabular-nums">{i.plannedDuration !== undefined ? `${i.plannedDuration} 工作日` : "—"}</Td>
                  <Td className="whitespace-normal font-mono text-xs text-slate-600">{(prerequisites.get(i.key) ?? []).join("、") || "—"}</Td>
                  <Td className="min-w-[16rem] whitespace-normal text-xs text-slate-600">{i.materials.length ? i.materials.join("、") : "—"}</Td>
                </tr>
              );
            })}
          </tbody>
        </Table>
      </section>
    </>
  );
}
