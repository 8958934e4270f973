import type { ReactNode } from "react";
import { Card, cx } from "~/components/ui";
import type { projectFigures } from "~/services/dashboard.server";

type Figures = NonNullable<ReturnType<typeof projectFigures>>;

function Figure({ label, children, hint, tone }: { label: string; children: ReactNode; hint?: string; tone?: "red" | "green" }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className={cx("mt-0.5 text-base font-semibold tabular-nums", tone === "red" ? "text-red-600" : tone === "green" ? "text-emerald-600" : "text-slate-900")}>{children}</dd>
      {hint ? <p className="text-[11px] text-slate-400">{hint}</p> : null}
    </div>
  );
}

/**
 * 项目指标 of one project (issue 13; the seed's 环节 / 材料 / 时限 / 跑动次数): what the
 * approvals cost the enterprise, and — once started — how long signing to 开工 took
 * against the 75-day benchmark. Nothing until the project's figures are stored.
 */
export function ProjectFiguresCard({ figures: f }: { figures: Figures | null }) {
  if (!f) return null;
  const started = f.days !== null;
  return (
    <Card title="项目指标">
      <dl className="grid grid-cols-2 gap-x-4 gap-y-3 sm:grid-cols-3" data-testid="project-figures">
        <Figure label="审批环节">{f.itemCount}</Figure>
        <Figure label="申报材料（种）">{f.materialCount}</Figure>
        <Figure label="端到端（工作日）" hint="按计划从首项到开工">
          {f.plannedWorkingDays ?? "—"}
        </Figure>
        <Figure label="企业跑动（次）" hint="代办日志记录的现场办理">
          {f.visits}
        </Figure>
        <Figure label="联系企业（次）">{f.contacts}</Figure>
        <Figure
          label="签约至开工"
          tone={started ? (f.days! <= f.benchmarkDays ? "green" : "red") : undefined}
          hint={started ? `基准 ${f.benchmarkDays} 天；${f.startedOn} 开工` : `尚未开工；基准 ${f.benchmarkDays} 天`}
        >
          {started ? `${f.days} 天（${f.workingDays} 个工作日）` : "—"}
        </Figure>
      </dl>
    </Card>
  );
}
