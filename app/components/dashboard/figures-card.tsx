import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { Card, cx } from "~/components/ui";
import type { getDashboard } from "~/services/dashboard.server";

type Figures = ReturnType<typeof getDashboard>["figures"];

function Figure({ label, children, hint, tone }: { label: string; children: ReactNode; hint?: string; tone?: "red" | "green" }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className={cx("mt-0.5 text-lg font-semibold tabular-nums", tone === "red" ? "text-red-600" : tone === "green" ? "text-emerald-600" : "text-slate-900")}>{children}</dd>
      {hint ? <p className="text-[11px] text-slate-400">{hint}</p> : null}
    </div>
  );
}

const num = (n: number | null) => (n === null ? "—" : n);

/**
 * 项目指标 across the filtered projects: what a project costs the enterprise on
 * average (环节, 材料, 跑动, 联系, working days end to end) and, for started ones,
 * how long signing to 开工 took against the 75-day benchmark.
 */
export function FiguresCard({ figures: f, startedHref }: { figures: Figures; startedHref: string }) {
  const late = f.avgSignedToStartDays !== null && f.avgSignedToStartDays > f.benchmarkDays;
  return (
    <Card title={`项目指标（${f.projects} 个项目平均）`}>
      <dl className="grid grid-cols-2 gap-x-4 gap-y-3 sm:grid-cols-3" data-testid="dashboard-figures">
        <Figure label="审批环节">{num(f.avgItems)}</Figure>
        <Figure label="申报材料">{num(f.avgMaterials)}</Figure>
        <Figure label="端到端（工作日）" hint="按计划从首项到开工">
          {num(f.avgWorkingDays)}
        </Figure>
        <Figure label="企业跑动">{num(f.avgVisits)}</Figure>
        <Figure label="联系企业">{num(f.avgContacts)}</Figure>
        <Figure label="已开工项目">
          <Link to={startedHref} className="text-brand-700 hover:underline">
            {f.started}
          </Link>
        </Figure>
        <Figure
          label="签约至开工（天）"
          tone={f.avgSignedToStartDays === null ? undefined : late ? "red" : "green"}
          hint={`基准 ${f.benchmarkDays} 天${f.avgSignedToStartWorkingDays !== null ? `；平均 ${f.avgSignedToStartWorkingDays} 个工作日` : ""}`}
        >
          {num(f.avgSignedToStartDays)}
        </Figure>
        <Figure label={`${f.benchmarkDays} 天内开工`} hint="已开工项目中">
          {f.started ? `${f.withinBenchmark} / ${f.started}` : "—"}
        </Figure>
      </dl>
    </Card>
  );
}
