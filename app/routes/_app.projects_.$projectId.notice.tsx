import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData, useRouteError } from "@remix-run/react";
import { ErrorPanel } from "~/components/error-panel";
import { Button, ButtonLink } from "~/components/ui";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import { noticeOf } from "~/services/notice.server";
import { routeId } from "~/web/params.server";
import { requireUser } from "~/web/session.server";

/**
 * The printable 一次性告知书 (/projects/:id/notice): everything still needed
 * from the enterprise, told once, with dates. The trailing underscore in
 * `projects_` keeps it out of the project page's layout (which has no
 * <Outlet/>), so it renders inside the app chrome only, which print hides.
 */

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `一次性告知书 · ${data?.notice.project.name ?? "项目"} · 绿色通道` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const projectId = routeId(params.projectId);
  try {
    return { notice: noticeOf(serviceContext(), user, projectId) };
  } catch (e) {
    if (e instanceof AppError) throw new Response(e.message, { status: e.status });
    throw e;
  }
}

const PRINT_CSS = `@page { size: A4; margin: 16mm 15mm; }
@media print { html, body { background: #fff !important; } main { max-width: none !important; padding: 0 !important; } }`;

function zhDate(iso: string): string {
  const [y, m, d] = iso.split("-").map(Number);
  return `${y} 年 ${m} 月 ${d} 日`;
}

export default function NoticePage() {
  const { notice } = useLoaderData<typeof loader>();
  const { project, enterprise, proxies, today, materials, corrections } = notice;
  const docNo = `GC-${project.code.replace(/[^0-9A-Za-z]/g, "").slice(-10)}-${today.replace(/-/g, "")}`;
  const nothing = materials.length === 0 && corrections.length === 0;
  const cell = "border border-slate-400 px-2 py-1.5 align-top";
  const head = "whitespace-nowrap border border-slate-400 bg-slate-50 px-2 py-1.5 text-left font-semibold";

  return (
    <>
      <style>{PRINT_CSS}</style>
      <div className="no-print mx-auto mb-4 flex max-w-[210mm] items-center justify-between gap-2">
        <ButtonLink to={`/projects/${project.id}`}>← 返回项目</ButtonLink>
        <div className="flex items-center gap-2">
          <span className="text-xs text-slate-500">建议使用 A4 纸张打印</span>
          <Button type="button" onClick={() => window.print()}>
            打印
          </Button>
        </div>
      </div>

      <article
        className="mx-auto max-w-[210mm] bg-white px-[15mm] py-[16mm] text-[14px] leading-relaxed text-slate-900 shadow-sm ring-1 ring-slate-200 print:px-0 print:py-0 print:shadow-none print:ring-0"
        data-testid="notice"
      >
        <header className="mb-6 text-center">
          <h1 className="text-2xl font-bold tracking-[0.5em]">一次性告知书</h1>
          <p className="mt-1 text-xs text-slate-500">编号：{docNo}</p>
        </header>

        <p className="mb-2 font-medium">{enterprise.name}：</p>
        <p className="mb-4 indent-8">
          贵单位「{project.name}」（项目代码 {project.code}）已纳入重点项目绿色通道，由代办员全程免费代办审批手续。为确保项目按计划于
          <strong className="mx-1">{zhDate(project.targetStartOn)}</strong>
          开工，现将尚需贵单位提供的材料和需补正的事项一次性告知如下，请在所列日期前提交（可登录“绿色通道”系统上传，或交代办员代为提交）。
        </p>

        {nothing ? (
          <p className="my-6 rounded border border-emerald-300 bg-emerald-50 px-3 py-2 text-emerald-800">截至 {zhDate(today)}，暂无需要贵单位补充提交的材料。</p>
        ) : null}

        {materials.length ? (
          <section className="mb-5">
            <h2 className="mb-2 text-base font-bold">一、需提交的材料（共 {materials.length} 项）</h2>
            <table className="w-full border-collapse text-[13px]">
              <thead>
                <tr>
                  <th className={`${head} w-12`}>序号</th>
                  <th className={`${head} w-44`}>材料名称</th>
                  <th className={head}>用于办理事项</th>
                  <th className={`${head} w-28`}>最迟提交日期</th>
                  <th className={`${head} w-32`}>备注</th>
                </tr>
              </thead>
              <tbody>
                {materials.map((m, i) => (
                  <tr key={m.id} className="break-inside-avoid" data-material={m.name}>
                    <td className={`${cell} text-center tabular-nums`}>{i + 1}</td>
                    <td className={`${cell} font-medium`}>{m.name}</td>
                    <td className={cell}>{m.items.map((it) => it.name).join("；") || "—"}</td>
                    <td className={`${cell} tabular-nums`}>{m.deadlineOn ?? "请尽快提交"}</td>
                    <td className={cell}>
                      {[
                        m.rejected ? `已退回：${m.note ?? ""}` : null,
                        m.committed ? "容缺受理承诺补齐日期" : null,
                        m.issuedBy ? `待「${m.issuedBy.name}」办结后取得` : null,
                      ]
                        .filter(Boolean)
                        .join("；")}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ) : null}

        {corrections.length ? (
          <section className="mb-5">
            <h2 className="mb-2 text-base font-bold">
              {materials.length ? "二" : "一"}、需补正的事项（共 {corrections.length} 项）
            </h2>
            <table className="w-full border-collapse text-[13px]">
              <thead>
                <tr>
                  <th className={`${head} w-12`}>序号</th>
                  <th className={head}>审批事项</th>
                  <th className={`${head} w-28`}>审批部门</th>
                  <th className={`${head} w-28`}>补正通知日期</th>
                  <th className={head}>需补正的材料及原因</th>
                  <th className={`${head} w-28`}>最迟补正日期</th>
                </tr>
              </thead>
              <tbody>
                {corrections.map((c, i) => (
                  <tr key={c.key} className="break-inside-avoid" data-correction={c.key}>
                    <td className={`${cell} text-center tabular-nums`}>{i + 1}</td>
                    <td className={`${cell} font-medium`}>{c.name}</td>
                    <td className={cell}>{c.departmentName ?? "—"}</td>
                    <td className={`${cell} tabular-nums`}>{c.requestedOn ?? "—"}</td>
                    <td className={cell}>
                      {c.missingMaterials.length ? c.missingMaterials.join("、") : "详见部门补正通知"}
                      {c.note ? <div className="text-slate-600">原因：{c.note}</div> : null}
                    </td>
                    <td className={`${cell} tabular-nums`}>{c.deadlineOn === null ? "请尽快补正" : c.late ? `请尽快补正（计划 ${c.deadlineOn}）` : c.deadlineOn}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ) : null}

        <section className="mb-8 text-[13px] text-slate-700">
          <h2 className="mb-1 text-sm font-bold text-slate-900">温馨提示</h2>
          <ol className="list-decimal space-y-0.5 pl-5">
            <li>同一材料只需提交一次，即可用于所有需要该材料的审批事项（一次提交、多次复用）。</li>
            <li>电子材料支持 PDF、JPG、PNG、Word、Excel、ZIP、OFD 格式，单个文件不超过 20 MB。</li>
            <li>
              最迟提交日期按项目当前倒排计划测算，计划调整时以代办员通知为准；逾期提交将影响开工时间。
              {notice.provisional ? "部分日期涉及尚未公布节假日安排的年份，为暂估日期。" : ""}
            </li>
            <li>补正期间该事项审批时限暂停计算，补正材料提交后恢复计算；最迟补正日期按当前倒排计划测算，逾期补正将推迟后续事项。</li>
          </ol>
        </section>

        <footer className="grid grid-cols-2 gap-6 text-[13px]">
          <div className="space-y-1">
            <p data-testid="notice-proxies">
              代办员：
              {proxies.length
                ? proxies.map((p) => `${p.displayName}（电话 ${p.phone || "＿＿＿＿＿＿"}）`).join("、")
                : "＿＿＿＿＿＿"}
            </p>
            <p>告知日期：{zhDate(today)}</p>
          </div>
          <div className="space-y-1">
            <p data-testid="notice-contact">企业联系人（签收）：{enterprise.contactName}　＿＿＿＿＿＿＿＿</p>
            <p>联系电话：{enterprise.contactPhone || "＿＿＿＿＿＿＿＿"}</p>
            <p>签收日期：＿＿＿＿年＿＿月＿＿日</p>
          </div>
        </footer>
      </article>
    </>
  );
}

export function ErrorBoundary() {
  return <ErrorPanel error={useRouteError()} />;
}
