import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { z } from "zod";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { Form } from "~/components/form";
import { Alert, Badge, Button, Card, Field, Input, PageHeader, Select, Textarea, cx } from "~/components/ui";
import { shanghaiToday } from "~/domain/calendar";
import {
  addCalendarOverride,
  addCalendarYear,
  getCalendarYear,
  removeCalendarOverride,
} from "~/services/calendar.server";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import { dispatchIntent } from "~/web/intent.server";
import { requirePermission } from "~/web/session.server";

export const meta: MetaFunction = () => [{ title: "工作日历 · 绿色通道" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "admin.manage");
  const ctx = serviceContext();
  const raw = new URL(request.url).searchParams.get("year");
  const year = raw ? Number(raw) : Number(shanghaiToday(ctx.now).slice(0, 4));
  try {
    return getCalendarYear(ctx, user, year);
  } catch (e) {
    if (e instanceof AppError) throw new Response(e.message, { status: e.status });
    throw e;
  }
}

const intents = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("override") }).passthrough(),
  z.object({ intent: z.literal("remove"), id: z.string() }),
  z.object({ intent: z.literal("year") }).passthrough(),
]);

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "admin.manage");
  const ctx = serviceContext();
  return dispatchIntent(request, intents, (input) => {
    switch (input.intent) {
      case "override": {
        const r = addCalendarOverride(ctx, user, input);
        return { message: `已保存调整，${r.recomputed} 个事项的到期日已重新计算` };
      }
      case "remove": {
        const r = removeCalendarOverride(ctx, user, Number(input.id));
        return { message: `已撤销调整，${r.recomputed} 个事项的到期日已重新计算` };
      }
      case "year": {
        const r = addCalendarYear(ctx, user, input);
        return { message: `已录入 ${String(input.year ?? "")} 年节假日安排，${r.recomputed} 个事项的到期日已重新计算` };
      }
    }
  });
}

const WEEK = ["日", "一", "二", "三", "四", "五", "六"];

const DAY_STYLE: Record<string, string> = {
  workday: "bg-white text-slate-700",
  weekend: "bg-slate-100 text-slate-400",
  holiday: "bg-red-100 text-red-700 font-semibold",
  makeup: "bg-amber-100 text-amber-800 font-semibold",
  "override-rest": "bg-red-50 text-red-600 ring-1 ring-inset ring-red-300",
  "override-work": "bg-sky-100 text-sky-800 ring-1 ring-inset ring-sky-300",
};

export default function CalendarAdmin() {
  const cal = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <PageHeader
        title={`${cal.year} 年工作日历`}
        subtitle={cal.official ? `官方安排：${cal.source}` : "尚无官方节假日安排：涉及本年的计算会标记为“暂估”"}
        actions={
          <>
            <Link className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm" to={`?year=${cal.year - 1}`}>
              ← {cal.year - 1}
            </Link>
            <Link className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm" to={`?year=${cal.year + 1}`}>
              {cal.year + 1} →
            </Link>
          </>
        }
      />
      {result ? (
        <div className="mb-4">
          <Alert tone={result.ok ? "green" : "red"}>{result.message}</Alert>
        </div>
      ) : null}
      {!cal.official ? (
        <div className="mb-4">
          <Alert tone="yellow">{cal.year} 年国务院办公厅节假日安排尚未录入。发布后请在下方“录入全年安排”中填写，系统会自动重算所有到期日。</Alert>
        </div>
      ) : null}
      <div className="mb-4 flex flex-wrap items-center gap-3 text-xs text-slate-600">
        <span>全年工作日 <strong className="tabular-nums">{cal.workingDays}</strong> 天</span>
        <Legend cls={DAY_STYLE.holiday} label="法定节假日" />
        <Legend cls={DAY_STYLE.makeup} label="调休上班" />
        <Legend cls={DAY_STYLE["override-rest"]} label="本地调整为休息" />
        <Legend cls={DAY_STYLE["override-work"]} label="本地调整为上班" />
        <span>已有官方数据：{cal.officialYears.join("、")}</span>
      </div>
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4" data-testid="calendar-grid">
        {cal.months.map((days, m) => (
          <div key={m} className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
            <div className="mb-2 text-sm font-semibold text-slate-700">{m + 1} 月</div>
            <div className="grid grid-cols-7 gap-0.5 text-center text-[11px]">
              {WEEK.map((w) => (
                <div key={w} className="text-slate-400">
                  {w}
                </div>
              ))}
              {Array.from({ length: days[0].weekday }, (_, i) => (
                <div key={`pad-${i}`} />
              ))}
              {days.map((d) => (
                <div key={d.date} title={`${d.date}${d.label ? ` ${d.label}` : ""}`} data-date={d.date} data-kind={d.kind} className={cx("rounded py-1 tabular-nums", DAY_STYLE[d.kind])}>
                  {d.day}
                </div>
              ))}
            </div>
          </div>
        ))}
      </div>
      <div className="mt-6 grid gap-4 lg:grid-cols-2">
        <Card title="单日调整">
          <Form method="post" className="space-y-3">
            <input type="hidden" name="intent" value="override" />
            <div className="grid grid-cols-2 gap-3">
              <Field label="日期" name="date">
                <Input name="date" type="date" required />
              </Field>
              <Field label="调整为" name="kind">
                <Select name="kind">
                  <option value="rest">休息日</option>
                  <option value="work">工作日</option>
                </Select>
              </Field>
            </div>
            <Field label="原因" name="reason">
              <Input name="reason" placeholder="例如：市政府通知台风停工" required />
            </Field>
            <Button type="submit">保存调整</Button>
          </Form>
          {cal.overrides.length ? (
            <ul className="mt-4 divide-y divide-slate-100 text-sm">
              {cal.overrides.map((o) => (
                <li key={o.id} className="flex items-center justify-between py-2">
                  <span>
                    <span className="tabular-nums">{o.date}</span> <Badge tone={o.kind === "rest" ? "red" : "blue"}>{o.kind === "rest" ? "休息" : "上班"}</Badge>{" "}
                    <span className="text-slate-500">{o.reason}</span>
                  </span>
                  <Form method="post">
                    <input type="hidden" name="intent" value="remove" />
                    <input type="hidden" name="id" value={o.id} />
                    <Button variant="ghost" type="submit" className="text-xs">
                      撤销
                    </Button>
                  </Form>
                </li>
              ))}
            </ul>
          ) : null}
        </Card>
        {!cal.official || cal.addedByAdmin ? (
          <Card title={`录入 ${cal.year} 年全年安排`}>
            <Form method="post" className="space-y-3">
              <input type="hidden" name="intent" value="year" />
              <input type="hidden" name="year" value={cal.year} />
              <Field label="通知文号 / 来源" name="source">
                <Input name="source" placeholder="国务院办公厅关于 2027 年部分节假日安排的通知" required />
              </Field>
              <Field label="节假日（每行：名称 起始日期 结束日期）" name="holidays">
                <Textarea name="holidays" rows={7} placeholder={"元旦 2027-01-01 2027-01-03\n春节 2027-02-05 2027-02-13"} required />
              </Field>
              <Field label="调休上班日（周末上班的日期，空格或逗号分隔）" name="makeupWorkdays">
                <Input name="makeupWorkdays" placeholder="2027-02-14 2027-02-20" />
              </Field>
              <Button type="submit">保存全年安排</Button>
            </Form>
          </Card>
        ) : null}
      </div>
    </>
  );
}

function Legend({ cls, label }: { cls: string; label: string }) {
  return (
    <span className="inline-flex items-center gap-1">
      <span className={cx("inline-block h-3 w-3 rounded", cls)} />
      {label}
    </span>
  );
}
