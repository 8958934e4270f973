import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Form } from "~/components/form";
import { Alert, Badge, Button, Card, EmptyState, Field, PageHeader, Table, Td, Th, type Tone } from "~/components/ui";
import { ITEM_SHEET, PROJECT_SHEET } from "~/domain/ledger/columns";
import type { ImportStatus } from "~/domain/ledger/job";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import { listLedgerImports, MAX_IMPORT_BYTES, previewLedgerImport } from "~/services/ledger-import.server";
import { readUploadForm } from "~/web/multipart.server";
import { requirePermission } from "~/web/session.server";
import { shanghaiDateTime } from "~/domain/calendar";

export const meta: MetaFunction = () => [{ title: "台账导入 · 绿色通道" }];

// The multipart envelope (boundary, headers) adds a little to the file itself.
const TOO_LARGE = `文件超过 ${MAX_IMPORT_BYTES / 1024 / 1024} MB 上限，请拆分后分批导入`;

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "admin.manage");
  return { imports: listLedgerImports(serviceContext(), user) };
}

async function readUpload(request: Request): Promise<{ name: string; bytes: Uint8Array }> {
  const type = request.headers.get("Content-Type") ?? "";
  if (!type.startsWith("multipart/form-data")) throw new AppError("bad_request", "请通过页面上的表单上传文件");
  const form = await readUploadForm(request, MAX_IMPORT_BYTES, TOO_LARGE);
  const file = form.get("file");
  if (!file || typeof file === "string" || file.size === 0) throw new AppError("invalid", "请选择要导入的台账文件（.xlsx）", { file: "请选择要导入的台账文件（.xlsx）" });
  return { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) };
}

/** Upload → preview: the checked file becomes an import job, shown on its own page. */
export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "admin.manage");
  try {
    const file = await readUpload(request);
    const { id } = await previewLedgerImport(serviceContext(), user, file);
    return redirect(`/admin/import/${id}`);
  } catch (e) {
    if (e instanceof AppError) return data({ ok: false, message: e.message }, { status: e.status });
    throw e;
  }
}

const STATUS_TONES: Record<ImportStatus, Tone> = { previewed: "yellow", queued: "blue", running: "blue", done: "green", failed: "red" };

export default function ImportPage() {
  const { imports } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <>
      <PageHeader
        title="台账导入"
        subtitle="把各办事处的 Excel 代办台账导入系统：先预览逐行检查，确认后由后台任务导入"
        actions={
          <a
            href="/projects/ledger.xlsx"
            className="inline-flex items-center rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50"
          >
            下载全市台账（即导入格式）
          </a>
        }
      />
      <div className="mb-6 grid gap-4 lg:grid-cols-2">
        <Card title="上传台账">
          <Form method="post" encType="multipart/form-data" className="space-y-3">
            {result && !result.ok ? <Alert tone="red">{result.message}</Alert> : null}
            <Field label="台账文件（.xlsx，不超过 10 MB）" name="file">
              <input
                id="file"
                name="file"
                type="file"
                required
                accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                className="block w-full text-sm text-slate-700 file:mr-3 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-1.5 file:text-sm"
              />
            </Field>
            <Button type="submit" disabled={busy}>
              {busy ? "正在检查…" : "上传并预览"}
            </Button>
          </Form>
        </Card>
        <Card title="文件格式">
          <ul className="list-disc space-y-1 pl-5 text-sm text-slate-600">
            <li>
              工作表「{PROJECT_SHEET}」每行一个项目，表头在第 1 行（上方有标题行也可，前 5 行内）；必填列：项目代码、项目名称、建设单位、统一社会信用代码、模板、签约日期、计划开工日期。
            </li>
            <li>工作表「{ITEM_SHEET}」每行一个有进展的事项：项目代码、事项、部门、状态、受理日期、办结日期；未列出的事项按「待办理」导入。</li>
            <li>状态可填：待办理、办理中、已办结（里程碑为已完成）、不予许可、免办、已撤回。日期为 Excel 日期或 YYYY-MM-DD。</li>
            <li>按项目代码匹配：系统中已有的项目代码一律跳过，同一文件重复导入不会重复建项目。</li>
            <li>「下载全市台账」导出的文件就是这个格式，可作为模板填写。</li>
          </ul>
        </Card>
      </div>
      <Card title="导入记录">
        {imports.length === 0 ? (
          <EmptyState title="还没有导入过台账" />
        ) : (
          <Table className="border-0">
            <thead>
              <tr>
                <Th>文件</Th>
                <Th>上传时间</Th>
                <Th>上传人</Th>
                <Th>预览</Th>
                <Th>状态</Th>
                <Th>结果</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {imports.map((j) => (
                <tr key={j.id}>
                  <Td>
                    <Link className="text-brand-700 hover:underline" to={`/admin/import/${j.id}`}>
                      {j.fileName}
                    </Link>
                  </Td>
                  <Td className="tabular-nums">{shanghaiDateTime(j.createdAt)}</Td>
                  <Td>{j.createdBy ?? "—"}</Td>
                  <Td className="text-xs text-slate-500">{j.counts ? `将导入 ${j.counts.create} / 已存在 ${j.counts.skip_existing} / 有错误 ${j.counts.invalid}` : "—"}</Td>
                  <Td>
                    <Badge tone={STATUS_TONES[j.status]}>{j.statusLabel}</Badge>
                    {j.status === "running" ? <span className="ml-2 text-xs tabular-nums text-slate-500">{`${j.processed}/${j.total}`}</span> : null}
                  </Td>
                  <Td className="text-xs text-slate-500">{j.created !== null ? `新建 ${j.created} 个项目` : "—"}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
    </>
  );
}
