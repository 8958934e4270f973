import { Link } from "@remix-run/react";
import { Badge, Card } from "~/components/ui";
import type { Workspace } from "~/services/workspace.server";

/** 下一步: ready to file, corrections waiting on the enterprise, due within 2 working days, meeting tasks. */
export function NextActions({ next }: { next: Workspace["next"] }) {
  const empty = !next.ready.length && !next.corrections.length && !next.dueSoon.length && !next.meetingActions.length;
  const item = (key: string, name: string) => (
    <Link to={`?item=${encodeURIComponent(key)}`} preventScrollReset className="text-brand-700 hover:underline">
      {name}
    </Link>
  );
  return (
    <Card title="下一步">
      {empty ? (
        <p className="text-sm text-slate-500">暂无待办事项。</p>
      ) : (
        <div className="space-y-3 text-sm" data-testid="next-actions">
          {next.ready.length ? (
            <section>
              <h3 className="mb-1 text-xs font-semibold text-slate-600">可以申报（前置事项已完成）</h3>
              <ul className="space-y-0.5">
                {next.ready.map((r) => (
                  <li key={r.key}>
                    {item(r.key, r.name)} <span className="text-xs text-slate-400">{r.department ?? ""}</span>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          {next.dueSoon.length ? (
            <section>
              <h3 className="mb-1 text-xs font-semibold text-slate-600">两个工作日内到期</h3>
              <ul className="space-y-0.5">
                {next.dueSoon.map((r) => (
                  <li key={r.key} className="flex items-center justify-between gap-2">
                    {item(r.key, r.name)}
                    <Badge tone={r.warning === "red" ? "red" : "yellow"}>
                      {r.remaining < 0 ? `超期 ${-r.remaining}` : r.remaining === 0 ? "今日到期" : `剩 ${r.remaining}`}
                    </Badge>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          {next.corrections.length ? (
            <section>
              <h3 className="mb-1 text-xs font-semibold text-slate-600">等待企业补正</h3>
              <ul className="space-y-0.5">
                {next.corrections.map((r) => (
                  <li key={r.key}>
                    {item(r.key, r.name)} <span className="text-xs text-slate-400">{r.department ?? ""}</span>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          {next.meetingActions.length ? (
            <section>
              <h3 className="mb-1 text-xs font-semibold text-slate-600">联席会议任务</h3>
              <ul className="space-y-0.5">
                {next.meetingActions.map((a) => (
                  <li key={a.id}>
                    {a.title}{" "}
                    <span className="text-xs text-slate-400">
                      {a.department ?? ""} · 期限 {a.deadlineOn}
                    </span>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
        </div>
      )}
    </Card>
  );
}
