import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData, useRouteError } from "@remix-run/react";
import { ErrorPanel } from "~/components/error-panel";
import { Button, ButtonLink } from "~/components/ui";
import { zhDate } from "~/domain/meeting/minutes";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import { loadMinutes } from "~/services/minutes.server";
import { routeId } from "~/web/params.server";
import { requireUser } from "~/web/session.server";

/**
 * The printable 会议纪要 (/meetings/:id/minutes). The trailing underscore in
 * `meetings_` keeps it out of the meeting page's layout, so it renders inside
 * the app chrome only, which print hides (like the 一次性告知书). The same
 * structure is downloadable as .docx from /meetings/:id/minutes.docx.
 */

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `会议纪要 · ${data?.minutes.subtitle ?? "会议"} · 绿色通道` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const meetingId = routeId(params.id, "会议");
  try {
    return { minutes: loadMinutes(serviceContext(), user, meetingId) };
  } catch (e) {
    if (e instanceof AppError) throw new Response(e.message, { status: e.status });
    throw e;
  }
}

// GB/T 9704 margins on A4; in print the sheet loses its screen frame and each
// decision's tasks table stays with its decision where the page allows.
const PRINT_CSS = `@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
@media print {
  html, body { background: #fff !important; }
  main { max-width: none !important; padding: 0 !important; }
  .minutes-decision { break-inside: avoid; }
  .minutes-tasks thead { display: table-header-group; }
}`;

export default function MinutesPage() {
  const { minutes: m } = useLoaderData<typeof loader>();
  // break-words: a long unbroken title or unit name wraps inside its column instead of widening the table past the A4 sheet.
  const cell = "break-words border border-slate-500 px-2 py-1 align-top [overflow-wrap:anywhere]";
  const head = "whitespace-nowrap border border-slate-500 bg-slate-50 px-2 py-1 text-center font-semibold print:bg-transparent";

  return (
    <>
      <style>{PRINT_CSS}</style>
      <div className="no-print mx-auto mb-4 flex max-w-[210mm] flex-wrap items-center justify-between gap-2">
        <ButtonLink to={`/meetings/${m.meetingId}`}>← 返回会议</ButtonLink>
        <div className="flex items-center gap-2">
          <span className="text-xs text-slate-500">建议使用 A4 纸张打印</span>
          <ButtonLink to={`/meetings/${m.meetingId}/minutes.docx`} reloadDocument data-testid="download-minutes-docx">
            下载 Word
          </ButtonLink>
          <Button type="button" onClick={() => window.print()} data-testid="print-minutes">
            打印
          </Button>
        </div>
      </div>

      <article
        className="mx-auto max-w-[210mm] bg-white px-[26mm] py-[20mm] font-serif text-[15px] leading-loose text-black shadow-sm ring-1 ring-slate-200 print:px-0 print:py-0 print:text-[16pt] print:leading-[1.75] print:shadow-none print:ring-0"
        data-testid="minutes"
        data-meeting-id={m.meetingId}
      >
        <header className="mb-6 text-center">
          <h1 className="text-[26px] font-bold leading-snug tracking-wide text-red-700 print:text-[22pt]" data-testid="minutes-heading">
            {m.heading}
          </h1>
          <p className="mt-2 text-base print:text-[16pt]" data-testid="minutes-subtitle">
            {m.subtitle}
          </p>
          {m.draft ? <p className="mt-1 text-sm text-slate-600 print:text-[12pt]">（草稿，尚未印发）</p> : null}
          <div className="mt-4 border-b-2 border-red-700" aria-hidden="true" />
        </header>

        <dl className="mb-5 grid grid-cols-[4em_1fr] gap-x-2 gap-y-1" data-testid="minutes-meta">
          <dt className="font-bold">时间：</dt>
          <dd data-field="when">{m.when}</dd>
          <dt className="font-bold">地点：</dt>
          <dd data-field="location">{m.location}</dd>
          <dt className="font-bold">主持：</dt>
          <dd data-field="chair">{m.chair}</dd>
          <dt className="font-bold">出席：</dt>
          <dd data-field="attendees">{m.attendees}</dd>
        </dl>

        {m.remarks ? (
          <div className="mb-4 space-y-2" data-testid="minutes-remarks">
            {m.remarks
              .split(/\r?\n/)
              .filter((l) => l.trim())
              .map((line, i) => (
                <p key={i} className="indent-8">
                  {line.trim()}
                </p>
              ))}
          </div>
        ) : null}

        {m.sections.length ? (
          <p className="mb-3 indent-8">会议议定事项如下：</p>
        ) : (
          <p className="my-6 indent-8 text-slate-600" data-testid="minutes-empty">
            本次会议尚未录入议定事项。
          </p>
        )}

        {m.sections.map((s) => (
          <section key={s.number} className="mb-5" data-testid="minutes-section" data-number={s.number}>
            <h2 className="mb-1 font-bold">
              {s.label}
              {s.summary ?? "其他议定事项"}
              {s.carriedOver ? <span className="font-normal">（续议）</span> : null}
            </h2>
            {s.discussion ? (
              <p className="indent-8 whitespace-pre-line">
                <span className="font-bold">讨论情况：</span>
                {s.discussion}
              </p>
            ) : null}
            {s.decisions.map((d, i) => (
              <div key={d.id} className="minutes-decision mt-1" data-testid="minutes-decision" data-decision-id={d.id}>
                <p className="indent-8 whitespace-pre-line">
                  <span className="font-bold">{s.decisions.length > 1 ? `会议议定（${i + 1}）：` : "会议议定："}</span>
                  {d.text}
                </p>
                {d.tasks.length ? (
                  <table className="minutes-tasks mt-2 w-full table-fixed border-collapse text-[13px] leading-normal print:text-[11pt]">
                    <thead>
                      <tr>
                        <th className={`${head} w-[7%]`}>序号</th>
                        <th className={head}>任务</th>
                        <th className={`${head} w-[16%]`}>责任单位</th>
                        <th className={`${head} w-[16%]`}>配合单位</th>
                        <th className={`${head} w-[10%]`}>责任人</th>
                        <th className={`${head} w-[17%]`}>完成时限</th>
                      </tr>
                    </thead>
                    <tbody>
                      {d.tasks.map((t, k) => (
                        <tr key={t.id} className="break-inside-avoid" data-testid="minutes-task" data-task-id={t.id}>
                          <td className={`${cell} text-center tabular-nums`}>{k + 1}</td>
                          <td className={cell}>{t.title}</td>
                          <td className={cell} data-field="lead">
                            {t.leadDepartment}
                          </td>
                          <td className={cell} data-field="co">
                            {t.coDepartments}
                          </td>
                          <td className={cell} data-field="owner">
                            {t.ownerName}
                          </td>
                          <td className={`${cell} tabular-nums`} data-field="deadline" data-due-on={t.dueOn}>
                            {t.deadline}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                ) : null}
              </div>
            ))}
            {s.unsettled ? <p className="indent-8">本事项未议结，转下次会议继续研究。</p> : null}
          </section>
        ))}

        <p className="mt-10 text-right print:mt-4" data-testid="minutes-date">
          {zhDate(m.datedOn)}
        </p>
        {m.distribution.length ? (
          <footer className="mt-8 border-t border-black pt-2 text-[13px] print:mt-4 print:text-[12pt]" data-testid="minutes-distribution">
            分送：{m.distribution.join("、")}
          </footer>
        ) : null}
      </article>
    </>
  );
}

export function ErrorBoundary() {
  return <ErrorPanel error={useRouteError()} />;
}
