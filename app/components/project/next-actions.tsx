import { Link } from "@remix-run/react";
import { Form } from "~/components/form";
import { Badge, Card } from "~/components/ui";
import { NEXT_ACTION_KIND_LABELS, type NextAction } from "~/domain/workspace/next-actions";
import type { Workspace } from "~/services/workspace.server";

/** Shown at once; the rest fold away so the card stays beside the graph. */
const SHOWN = 8;

/**
 * Where an entry leads: its item's panel (which offers the step), the notice for
 * materials to ask for, the 代办日志 for a stalled project.
 */
function Target({ a, children }: { a: NextAction; children: React.ReactNode }) {
  const cls = "text-brand-700 hover:underline";
  if (a.kind === "stalled") {
    return (
      <a href="#panel" className={cls}>
        {children}
      </a>
    );
  }
  if (a.kind === "meetingTask" && a.taskId !== undefined && a.taskId !== null) {
    return (
      <Link to={`/meetings/actions/${a.taskId}`} className={cls}>
        {children}
      </Link>
    );
  }
  if (a.key === null) return <>{children}</>;
  return (
    <Link to={`?item=${encodeURIComponent(a.key)}`} preventScrollReset className={cls}>
      {children}
    </Link>
  );
}

function Row({ a, today }: { a: NextAction; today?: string }) {
  return (
    <li className="py-2" data-next-kind={a.kind} data-item={a.key ?? undefined}>
      <div className="flex items-start justify-between gap-2">
        <div className="min-w-0">
          <Badge tone={a.tone} className="mr-1 align-middle">
            {NEXT_ACTION_KIND_LABELS[a.kind]}
          </Badge>
          <Target a={a}>
            <span className="font-medium">{a.title}</span>
          </Target>
          {a.department ? <span className="ml-1 text-xs text-slate-400">{a.department}</span> : null}
        </div>
        {a.kind === "correction" && a.action.event === "receive_correction" && a.key !== null && today ? (
          // The enterprise's corrected materials are in (the portal told the officer): one click records 补正收到 today.
          <Form method="post" preventScrollReset className="shrink-0" data-testid="receive-correction">
            <input type="hidden" name="intent" value="event" />
            <input type="hidden" name="itemKey" value={a.key} />
            <input type="hidden" name="type" value="receive_correction" />
            <input type="hidden" name="on" value={today} />
            <button type="submit" className="rounded border border-brand-600 px-1.5 py-0.5 text-xs text-brand-700 hover:bg-brand-50">
              补正材料已收到
            </button>
          </Form>
        ) : a.kind === "prepare" ? (
          <Link to="notice" className="shrink-0 rounded border border-slate-300 px-1.5 py-0.5 text-xs text-slate-700 hover:bg-slate-50" data-testid="next-action-step">
            {a.action.label}
          </Link>
        ) : (
          <span
            className={`shrink-0 rounded border px-1.5 py-0.5 text-xs ${a.action.event ? "border-brand-600 text-brand-700" : "border-slate-300 text-slate-600"}`}
            data-testid="next-action-step"
            title={a.action.event ? "打开事项后在办理表单中选择此操作" : undefined}
          >
            {a.action.event && a.key !== null ? (
              <Link to={`?item=${encodeURIComponent(a.key)}`} preventScrollReset>
                {a.action.label}
              </Link>
            ) : (
              a.action.label
            )}
          </span>
        )}
      </div>
      <p className="mt-0.5 text-xs text-slate-500">{a.reason}</p>
    </li>
  );
}

/**
 * 下一步: the project's next actions, most urgent first (DESIGN §4 clocks, the
 * graph and the 倒排 plan; the rule is `nextActions` in the domain). Each entry
 * links to its item and names the one step that moves it.
 */
export function NextActions({ next, today }: { next: Workspace["next"]; today?: string }) {
  const key = (a: NextAction) => `${a.kind}-${a.key ?? a.taskId ?? ""}`;
  return (
    <Card title="下一步">
      {next.length === 0 ? (
        <p className="text-sm text-slate-500">暂无待办事项：没有到期、待补正或可申报的事项。</p>
      ) : (
        <div className="text-sm" data-testid="next-actions">
          <ol className="divide-y divide-slate-100">
            {next.slice(0, SHOWN).map((a) => (
              <Row key={key(a)} a={a} today={today} />
            ))}
          </ol>
          {next.length > SHOWN ? (
            <details className="mt-1">
              <summary className="cursor-pointer text-xs text-slate-500">另有 {next.length - SHOWN} 项</summary>
              <ol className="divide-y divide-slate-100">
                {next.slice(SHOWN).map((a) => (
                  <Row key={key(a)} a={a} today={today} />
                ))}
              </ol>
            </details>
          ) : null}
        </div>
      )}
    </Card>
  );
}
