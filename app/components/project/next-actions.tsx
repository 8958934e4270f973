import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { Badge, Card } from "~/components/ui";
import type { Workspace } from "~/services/workspace.server";

function ItemLink({ id, name }: { id: string; name: string }) {
  return (
    <Link to={`?item=${encodeURIComponent(id)}`} preventScrollReset className="text-brand-700 hover:underline">
      {name}
    </Link>
  );
}

function Section<T>({ title, rows, render }: { title: string; rows: T[]; render: (row: T) => ReactNode }) {
  if (!rows.length) return null;
  return (
    <section>
      <h3 className="mb-1 text-xs font-semibold text-slate-600">{title}</h3>
      <ul className="space-y-0.5">{rows.map(render)}</ul>
    </section>
  );
}

/** 下一步: ready to file, due within 2 working days, corrections waiting on the enterprise, meeting tasks. */
export function NextActions({ next }: { next: Workspace["next"] }) {
  const empty = !next.ready.length && !next.corrections.length && !next.dueSoon.length && !next.meetingActions.length;
  const withDepartment = (r: { key: string; name: string; department: string | null }) => (
    <li key={r.key}>
      <ItemLink id={r.key} name={r.name} /> <span className="text-xs text-slate-400">{r.department ?? ""}</span>
    </li>
  );
  return (
    <Card title="下一步">
      {empty ? (
        <p className="text-sm text-slate-500">暂无待办事项。</p>
      ) : (
        <div className="space-y-3 text-sm" data-testid="next-actions">
          <Section title="可以申报（前置事项已完成）" rows={next.ready} render={withDepartment} />
          <Section
            title="两个工作日内到期"
            rows={next.dueSoon}
            render={(r) => (
              <li key={r.key} className="flex items-center justify-between gap-2">
                <ItemLink id={r.key} name={r.name} />
                <Badge tone={r.warning === "red" ? "red" : "yellow"}>
                  {r.remaining < 0 ? `超期 ${-r.remaining}` : r.remaining === 0 ? "今日到期" : `剩 ${r.remaining}`}
                </Badge>
              </li>
            )}
          />
          <Section title="等待企业补正" rows={next.corrections} render={withDepartment} />
          <Section
            title="联席会议任务"
            rows={next.meetingActions}
            render={(a) => (
              <li key={a.id}>
                {a.title}{" "}
                <span className="text-xs text-slate-400">
                  {a.department ?? ""} · 期限 {a.deadlineOn}
                </span>
              </li>
            )}
          />
        </div>
      )}
    </Card>
  );
}
