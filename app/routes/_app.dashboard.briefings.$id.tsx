import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useRouteError } from "@remix-run/react";
import type { ReactNode } from "react";
import { ErrorPanel } from "~/components/error-panel";
import { Button, ButtonLink } from "~/components/ui";
import { BRIEFING_SHEETS, HEADLINE_LABELS, percent, projectLevelLabel, type BriefingHeadline } from "~/domain/briefing/content";
import { getBriefing } from "~/services/briefings.server";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import { routeId } from "~/web/params.server";
import { requirePermission } from "~/web/session.server";

/**
 * The printable 通报 (/dashboard/briefings/:id): the stored content in the sections
 * of its .xlsx (概况, 部门排名, 超期事项, 新开工项目, 督办事项). Rendered inside the app
 * chrome only, which print hides (as the 会议纪要 and the 一次性告知书 do).
 */

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.briefing.title ?? "通报"} · 绿色通道` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "dashboard.view");
  const id = routeId(params.id, "通报");
  try {
    return { briefing: getBriefing(serviceContext(), user, id) };
  } catch (e) {
    if (e instanceof AppError) throw new Response(e.message, { status: e.status });
    throw e;
  }
}

// A4 landscape: the lists have seven to twelve columns; table heads repeat on each printed page.
const PRINT_CSS = `@page { size: A4 landscape; margin: 15mm 12mm; }
@media print {
  html, body { background: #fff !important; }
  main { max-width: none !important; padding: 0 !important; }
  .briefing-section { break-inside: auto; }
  .briefing-section h2 { break-after: avoid; }
  .briefing thead { display: table-header-group; }
  .briefing tr { break-inside: avoid; }
  .briefing a { color: inherit !important; text-decoration: none !important; }
}`;

const cell = "border border-slate-400 px-2 py-1 align-top";
const num = `${cell} text-right tabular-nums`;
const head = "border border-slate-400 bg-slate-100 px-2 py-1 text-left font-semibold whitespace-nowrap print:bg-transparent";

function Section({ title, note, children }: { title: string; note?: ReactNode; children: ReactNode }) {
  return (
    <section className="briefing-section mt-6" data-testid="briefing-section" data-section={title}>
      <h2 className="mb-2 border-l-4 border-red-700 pl-2 text-base font-bold">{title}</h2>
      {note ? <p className="mb-2 text-xs text-slate-600">{note}</p> : null}
      {children}
    </section>
  );
}

function Table({ headers, children, empty }: { headers: string[]; children: ReactNode[]; empty: string }) {
  if (children.length === 0) return <p className="text-sm text-slate-600">{empty}</p>;
  return (
    <div className="overflow-x-auto print:overflow-visible">
      <table className="w-full border-collapse text-[13px] leading-snug print:text-[9pt]">
        <thead>
          <tr>
            {headers.map((h) => (
              <th key={h} className={head}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

export default function BriefingPage() {
  const { briefing: v } = useLoaderData<typeof loader>();
  const b = v.body;
  const [SUMMARY, RANKING, OVERDUE, STARTED, SUPERVISED] = BRIEFING_SHEETS;
  const more = (shown: number, total: number) => (total > shown ? `共 ${total} 项，此处列出前 ${shown} 项（完整数据见看板）。` : `共 ${total} 项。`);

  return (
    <>
      <style>{PRINT_CSS}</style>
      <div className="no-print mx-auto mb-4 flex max-w-[297mm] flex-wrap items-center justify-between gap-2">
        <ButtonLink to="/dashboard/briefings">← 往期通报</ButtonLink>
        <div className="flex items-center gap-2">
          <span className="text-xs text-slate-500">建议使用 A4 横向打印</span>
          <ButtonLink to={`/dashboard/briefings/${v.id}.xlsx`} reloadDocument data-testid="download-briefing-xlsx">
            下载 Excel
          </ButtonLink>
          <Button type="button" onClick={() => window.print()} data-testid="print-briefing">
            打印
          </Button>
        </div>
      </div>

      <article
        className="briefing mx-auto max-w-[297mm] bg-white px-[14mm] py-[12mm] text-[14px] leading-relaxed text-black shadow-sm ring-1 ring-slate-200 print:px-0 print:py-0 print:shadow-none print:ring-0"
        data-testid="briefing"
        data-briefing-id={v.id}
      >
        <header className="text-center">
          <h1 className="font-serif text-[24px] font-bold tracking-wide text-red-700 print:text-[20pt]" data-testid="briefing-title">
            {v.title}
          </h1>
          <p className="mt-1 text-sm text-slate-700">
            统计期间 {b.periodFrom} 至 {b.periodTo} · 数据截至 {b.asOf} · {v.scheduled ? "定时生成" : `手动生成${v.generatedBy ? `（${v.generatedBy}）` : ""}`} · {v.createdAt}
          </p>
          <div className="mt-3 border-b-2 border-red-700" aria-hidden="true" />
        </header>

        <Section title={SUMMARY} note={b.staleProjects ? `生成时有 ${b.staleProjects} 个项目的统计数据尚未更新到当日。` : undefined}>
          <dl className="grid grid-cols-2 gap-2 sm:grid-cols-4 lg:grid-cols-7 print:grid-cols-7" data-testid="briefing-headline">
            {(Object.keys(HEADLINE_LABELS) as (keyof BriefingHeadline)[]).map((k) => (
              <div key={k} className="rounded border border-slate-300 px-3 py-2" data-field={k}>
                <dt className="text-xs text-slate-600">{HEADLINE_LABELS[k]}</dt>
                <dd className="text-xl font-semibold tabular-nums">{b.headline[k]}</dd>
              </div>
            ))}
          </dl>
        </Section>

        <Section title={RANKING} note={b.rankingNote ?? `统计期间：${b.rankingLabel}；按按时办结率排名，并列时依次比较超期件数、督办次数。`}>
          <Table headers={["名次", "部门", "办结件数", "按时办结率", "平均用时 / 承诺时限（工作日）", "期间超期", "督办次数", "当前超期", "好差评"]} empty="本期没有部门办结或超期事项。">
            {b.ranking.map((r) => (
              <tr key={r.departmentId} data-testid="briefing-ranking-row" data-code={r.code}>
                <td className={num}>{r.rank}</td>
                <td className={cell}>{r.name}</td>
                <td className={num}>{r.handled}</td>
                <td className={num}>{percent(r.onTimeRate)}</td>
                <td className={num}>{r.avgUsedDays === null ? "—" : `${r.avgUsedDays} / ${r.avgLimitDays}`}</td>
                <td className={num}>{r.wentOverdue}</td>
                <td className={num}>{r.supervised}</td>
                <td className={num}>{r.overdueNow}</td>
                <td className={num}>{r.rating ? `${r.rating.average}（${r.rating.count}）` : "—"}</td>
              </tr>
            ))}
          </Table>
        </Section>

        <Section title={OVERDUE} note={`截至 ${b.asOf} 仍未办结且已过办理时限的事项，超期最久的在前。${more(b.overdue.rows.length, b.overdue.total)}`}>
          <Table headers={["序号", "项目", "事项", "部门", "办理时限", "超期（工作日）", "代办员"]} empty="没有超期事项。">
            {b.overdue.rows.map((r, i) => (
              <tr key={`${r.projectId}-${r.itemKey}`} data-testid="briefing-overdue-row">
                <td className={num}>{i + 1}</td>
                <td className={cell}>
                  <Link to={`/projects/${r.projectId}?item=${encodeURIComponent(r.itemKey)}`} className="text-brand-700 hover:underline">
                    {r.projectName}
                  </Link>
                </td>
                <td className={cell}>{r.itemName}</td>
                <td className={cell}>{r.department ?? "—"}</td>
                <td className={`${cell} whitespace-nowrap tabular-nums`}>{r.dueOn ?? "—"}</td>
                <td className={num}>{r.overdueWorkingDays}</td>
                <td className={cell}>{r.proxies.join("、") || "—"}</td>
              </tr>
            ))}
          </Table>
        </Section>

        <Section title={STARTED} note={`${b.periodFrom} 至 ${b.periodTo} 期间登记开工的项目，共 ${b.started.length} 个。`}>
          <Table headers={["序号", "项目", "企业", "级别", "行业", "签约日期", "开工日期", "签约至开工（天 / 工作日）"]} empty="本期没有新开工项目。">
            {b.started.map((r, i) => (
              <tr key={r.projectId} data-testid="briefing-started-row">
                <td className={num}>{i + 1}</td>
                <td className={cell}>
                  <Link to={`/projects/${r.projectId}`} className="text-brand-700 hover:underline">
                    {r.projectName}
                  </Link>
                </td>
                <td className={cell}>{r.enterprise}</td>
                <td className={`${cell} whitespace-nowrap`}>{projectLevelLabel(r.level)}</td>
                <td className={cell}>{r.industry || "—"}</td>
                <td className={`${cell} whitespace-nowrap tabular-nums`}>{r.signedOn}</td>
                <td className={`${cell} whitespace-nowrap tabular-nums`}>{r.startedOn}</td>
                <td className={num}>
                  {r.signedToStartDays ?? "—"} / {r.signedToStartWorkingDays ?? "—"}
                </td>
              </tr>
            ))}
          </Table>
        </Section>

        <Section title={SUPERVISED} note={`超期督办、领导督办和未办结的督办单。${more(b.supervised.rows.length, b.supervised.total)}`}>
          <Table headers={["序号", "项目", "事项", "部门", "办理时限", "超期（工作日）", "督办情况"]} empty="没有督办中的事项。">
            {b.supervised.rows.map((r, i) => (
              <tr key={`${r.projectId}-${r.itemKey ?? "p"}-${i}`} data-testid="briefing-supervised-row">
                <td className={num}>{i + 1}</td>
                <td className={cell}>
                  <Link to={`/projects/${r.projectId}${r.itemKey ? `?item=${encodeURIComponent(r.itemKey)}` : ""}`} className="text-brand-700 hover:underline">
                    {r.projectName}
                  </Link>
                </td>
                <td className={cell}>{r.itemName ?? "（项目整体）"}</td>
                <td className={cell}>{r.department ?? "—"}</td>
                <td className={`${cell} whitespace-nowrap tabular-nums`}>{r.dueOn ?? "—"}</td>
                <td className={num}>{r.overdueWorkingDays}</td>
                <td className={cell}>{r.how}</td>
              </tr>
            ))}
          </Table>
        </Section>
      </article>
    </>
  );
}

export function ErrorBoundary() {
  return <ErrorPanel error={useRouteError()} />;
}
