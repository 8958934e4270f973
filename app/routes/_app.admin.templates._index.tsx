import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Form } from "~/components/form";
import { Alert, Badge, Button, ButtonLink, Card, EmptyState, Field, PageHeader, Table, Td, Th } from "~/components/ui";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import {
  importTemplate,
  listTemplates,
  MAX_TEMPLATE_BYTES,
  TemplateImportError,
} from "~/services/template-library.server";
import { TEMPLATE_SOURCE_LABELS } from "~/domain/graph/template";
import { readUploadForm } from "~/web/multipart.server";
import { requirePermission } from "~/web/session.server";
import { shanghaiDateTime } from "~/domain/calendar";

export const meta: MetaFunction = () => [{ title: "模板库 · 绿色通道" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "admin.manage");
  return { templates: listTemplates(serviceContext().db) };
}

/** What the import form shows: the new version, or every problem with its JSON path. */
export interface ImportAnswer {
  ok: boolean;
  message: string;
  imported?: { key: string; version: number; name: string };
  problems?: { path: string; message: string }[];
}

// The multipart envelope adds a little to the file itself.
const TOO_LARGE = "文件超过 1 MB，不是模板文件";

const readForm = (request: Request) => readUploadForm(request, MAX_TEMPLATE_BYTES, TOO_LARGE);

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "admin.manage");
  try {
    const form = await readForm(request);
    const file = form.get("file");
    if (!file || typeof file === "string" || file.size === 0) throw new AppError("invalid", "请选择要导入的模板文件（.json）");
    const r = importTemplate(serviceContext(), user, await file.text(), file.name);
    const renumbered = r.version !== r.fileVersion ? `（文件中为第 ${r.fileVersion} 版，按版本规则编为第 ${r.version} 版）` : "";
    const message = r.previousVersion === null ? `已导入新模板「${r.name}」第 ${r.version} 版${renumbered}` : `已导入「${r.name}」第 ${r.version} 版${renumbered}，新项目将使用此版本；已创建的项目不受影响`;
    return data<ImportAnswer>({ ok: true, message, imported: { key: r.key, version: r.version, name: r.name } });
  } catch (e) {
    if (e instanceof TemplateImportError) {
      const problems = e.problems.map((p) => ({ path: p.path, message: p.message }));
      return data<ImportAnswer>({ ok: false, message: `模板未导入：发现 ${problems.length} 个问题，请修改文件后重新导入`, problems }, { status: e.status });
    }
    if (e instanceof AppError) return data<ImportAnswer>({ ok: false, message: e.message }, { status: e.status });
    throw e;
  }
}

const dateTime = (ms: number) => shanghaiDateTime(ms);

export default function TemplateLibrary() {
  const { templates } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <>
      <PageHeader
        title="模板库"
        subtitle="每个模板的最新版本用于新建项目；已创建的项目保持创建时的版本，导入新版本不会改变它们。"
        actions={<ButtonLink to="/admin">返回系统管理</ButtonLink>}
      />
      <Card title="导入模板" className="mb-6">
        <Form method="post" encType="multipart/form-data" className="flex flex-wrap items-end gap-3">
          <div className="min-w-[18rem] flex-1">
            <Field label="模板文件（JSON，不超过 1 MB）" name="file" hint="格式见说明文档「模板」一节；可先导出现有模板作为起点。文件中的 key 决定它是哪个模板的新版本。">
              <input
                id="file"
                name="file"
                type="file"
                accept=".json,application/json"
                required
                className="block w-full text-sm text-slate-700 file:mr-3 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-1.5 file:text-sm file:font-medium file:text-slate-700 hover:file:bg-slate-50"
              />
            </Field>
          </div>
          <Button type="submit" disabled={busy}>
            {busy ? "正在校验…" : "校验并导入"}
          </Button>
        </Form>
        {answer ? (
          <div className="mt-4 space-y-2" data-testid="import-result">
            <Alert tone={answer.ok ? "green" : "red"}>
              {answer.message}
              {answer.imported ? (
                <>
                  {" "}
                  <Link className="font-medium underline" to={`/admin/templates/${answer.imported.key}?version=${answer.imported.version}`}>
                    查看第 {answer.imported.version} 版
                  </Link>
                </>
              ) : null}
            </Alert>
            {answer.problems?.length ? (
              <ul className="divide-y divide-red-100 rounded-md border border-red-200 bg-white text-sm" aria-label="模板问题">
                {answer.problems.map((p, i) => (
                  <li key={i} className="flex gap-3 px-3 py-1.5">
                    <code className="shrink-0 font-mono text-xs leading-5 text-red-700">{p.path}</code>
                    <span className="text-slate-700">{p.message}</span>
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
      </Card>

      {templates.length === 0 ? (
        <EmptyState title="还没有模板">导入一个模板文件，或检查 templates/ 目录中的内置模板。</EmptyState>
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>模板</Th>
              <Th>最新版本</Th>
              <Th className="text-right">版本数</Th>
              <Th className="text-right">事项数</Th>
              <Th className="text-right">使用项目</Th>
              <Th>新建项目</Th>
              <Th />
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {templates.map((t) => {
              const newest = t.versions[0];
              return (
                <tr key={t.key} data-template={t.key}>
                  <Td className="whitespace-normal">
                    <Link to={`/admin/templates/${t.key}`} className="font-medium text-brand-700 hover:underline">
                      {t.name}
                    </Link>
                    <div className="font-mono text-xs text-slate-500">{t.key}</div>
                  </Td>
                  <Td>
                    第 {t.latestVersion} 版 <Badge tone={newest.source === "shipped" ? "gray" : "blue"}>{TEMPLATE_SOURCE_LABELS[newest.source]}</Badge>
                    {newest.createdAt ? <div className="text-xs text-slate-500">{dateTime(newest.createdAt)}{newest.createdBy ? ` · ${newest.createdBy}` : ""}</div> : null}
                  </Td>
                  <Td className="text-right tabular-nums">{t.versions.length}</Td>
                  <Td className="text-right tabular-nums">{t.itemCount}</Td>
                  <Td className="text-right tabular-nums">{t.projectCount}</Td>
                  <Td className="whitespace-normal">
                    {t.unusableReason ? (
                      <span title={t.unusableReason}>
                        <Badge tone="red">暂不可用</Badge> <span className="text-xs text-red-700">{t.unusableReason}</span>
                      </span>
                    ) : (
                      <Badge tone="green">可用</Badge>
                    )}
                  </Td>
                  <Td className="text-right">
                    <Link to={`/admin/templates/${t.key}`} className="text-sm text-brand-700 hover:underline">
                      查看
                    </Link>
                    <a href={`/admin/templates/${t.key}.json`} className="ml-3 text-sm text-brand-700 hover:underline" download>
                      导出
                    </a>
                  </Td>
                </tr>
              );
            })}
          </tbody>
        </Table>
      )}
    </>
  );
}
