import type { PortalProject } from "~/services/portal.server";
import { cx } from "~/components/ui";

/**
 * The simplified, read-only graph: the approval stages in order, each with its
 * items and a plain status — what the enterprise needs to follow progress,
 * without the dependency edges and clocks of the staff board. A vertical list
 * fits a phone screen without horizontal scrolling.
 */
export function StageProgress({ stages }: { stages: PortalProject["stages"] }) {
  return (
    <ol className="space-y-3" data-testid="portal-stages">
      {stages.map((s, idx) => {
        const complete = s.total > 0 && s.done === s.total;
        return (
          <li key={s.stage} className="relative rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
            <div className="flex items-center gap-2">
              <span
                className={cx(
                  "flex h-6 w-6 shrink-0 items-center justify-center rounded-full text-xs font-semibold",
                  complete ? "bg-emerald-600 text-white" : "bg-slate-200 text-slate-700",
                )}
                aria-hidden
              >
                {complete ? "✓" : idx + 1}
              </span>
              <h3 className="min-w-0 flex-1 break-words text-sm font-semibold text-slate-800">{s.label}</h3>
              <span className="shrink-0 text-xs tabular-nums text-slate-500">
                {s.done}/{s.total}
              </span>
            </div>
            <div className="mt-2 h-1.5 overflow-hidden rounded bg-slate-100" aria-hidden>
              <div className="h-full bg-emerald-500" style={{ width: `${s.total ? Math.round((100 * s.done) / s.total) : 0}%` }} />
            </div>
            <ul className="mt-2 divide-y divide-slate-100">
              {s.items.map((i) => (
                <li key={i.key} className="flex items-start justify-between gap-2 py-1.5 text-sm">
                  <span className="min-w-0 break-words">
                    <span className={i.done ? "text-slate-500" : "text-slate-800"}>{i.name}</span>
                    {i.departmentName ? <span className="block text-xs text-slate-400">{i.departmentName}</span> : null}
                  </span>
                  <span className="shrink-0 text-right text-xs">
                    <span className={cx(i.done ? "text-emerald-700" : i.status === "correction" || i.status === "rejected" ? "text-red-700" : "text-slate-600")}>
                      {i.statusLabel}
                    </span>
                    {i.done && i.decidedOn ? <span className="block text-slate-400">{i.decidedOn}</span> : null}
                    {!i.done && i.dueOn ? <span className="block text-slate-400">时限 {i.dueOn}</span> : null}
                  </span>
                </li>
              ))}
            </ul>
          </li>
        );
      })}
    </ol>
  );
}
