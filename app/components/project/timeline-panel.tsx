import { useState } from "react";
import { Badge, Button, Card, EmptyState, Field, Input, Select, Textarea, FilterTabs, type Tone } from "~/components/ui";
import type { ProjectPanels, TimelineEntry } from "~/services/project-panels.server";
import { PanelFlash } from "./panel-flash";
import { CsrfField } from "~/components/security";

/**
 * 代办日志 and project history as one timeline (contact logs, clock events,
 * other audited changes), newest first, with the officer's form to add a
 * log entry. The form is a plain post to /projects/:id/logs.
 */
export type TimelinePanelData = Pick<ProjectPanels, "projectId" | "timeline" | "can" | "today" | "logKinds">;

const KIND_BADGES: Record<TimelineEntry["kind"], { tone: Tone; label: string }> = {
  log: { tone: "green", label: "代办日志" },
  event: { tone: "blue", label: "办理" },
  audit: { tone: "gray", label: "系统" },
};

type Filter = "all" | TimelineEntry["kind"];

const FILTERS: { value: Filter; label: string }[] = [
  { value: "all", label: "全部" },
  { value: "log", label: "代办日志" },
  { value: "event", label: "办理记录" },
  { value: "audit", label: "其他" },
];

/**
 * When it was recorded, in Asia/Shanghai, computed by arithmetic so server and
 * browser render the same text. The time of day is shown only for entries
 * recorded on the day they are about; for back-dated ones it would mislead,
 * so it moves to the tooltip.
 */
function recorded(e: TimelineEntry): { time: string; title: string } {
  const iso = new Date(e.at + 8 * 3_600_000).toISOString();
  const stamp = `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
  return { time: iso.slice(0, 10) === e.on ? iso.slice(11, 16) : "", title: `记录于 ${stamp}` };
}

const VISIBLE = 30;

export function TimelinePanel({ data }: { data: TimelinePanelData }) {
  const { projectId, timeline, can, today, logKinds } = data;
  const [filter, setFilter] = useState<Filter>("all");
  const entries = filter === "all" ? timeline : timeline.filter((e) => e.kind === filter);
  const head = entries.slice(0, VISIBLE);
  const rest = entries.slice(VISIBLE);

  return (
    <section id="timeline" aria-label="代办日志与项目动态">
      <Card title="代办日志与项目动态">
        <PanelFlash panel="timeline" />
        {can.log ? (
          <form method="post" action={`/projects/${projectId}/logs`} className="mb-4 grid gap-3 rounded-md bg-slate-50 p-3 md:grid-cols-[10rem_10rem_1fr_auto] md:items-end">
            <CsrfField />
            <Field label="日期" name="log-on">
              <Input id="log-on" name="on" type="date" defaultValue={today} max={today} required />
            </Field>
            <Field label="类型" name="log-kind">
              <Select id="log-kind" name="kind" defaultValue="contact">
                {logKinds.map((k) => (
                  <option key={k.value} value={k.value}>
                    {k.label}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label="内容" name="log-note">
              <Textarea id="log-note" name="note" rows={1} required maxLength={2000} placeholder="联系了谁、谈了什么、下一步安排" />
            </Field>
            <Button type="submit">记录</Button>
          </form>
        ) : null}

        <FilterTabs options={FILTERS} value={filter} onChange={setFilter} label="按来源筛选" className="mb-2" />

        {entries.length === 0 ? (
          <EmptyState title="暂无记录" />
        ) : (
          <>
            <Entries entries={head} />
            {rest.length ? (
              <details className="mt-2">
                <summary className="cursor-pointer text-xs text-brand-700">显示更早的 {rest.length} 条</summary>
                <Entries entries={rest} />
              </details>
            ) : null}
          </>
        )}
      </Card>
    </section>
  );
}

function Entries({ entries }: { entries: TimelineEntry[] }) {
  return (
    <ol className="divide-y divide-slate-100" data-testid="timeline">
      {entries.map((e) => (
        <li key={e.id} className="flex gap-3 py-2 text-sm" data-kind={e.kind}>
          <div className="w-24 shrink-0 text-xs tabular-nums text-slate-500" title={recorded(e).title}>
            <div>{e.on}</div>
            <div className="text-slate-400">{recorded(e).time}</div>
          </div>
          <div className="min-w-0 flex-1">
            <div className="flex flex-wrap items-center gap-2">
              <Badge tone={KIND_BADGES[e.kind].tone}>{KIND_BADGES[e.kind].label}</Badge>
              <span className="font-medium text-slate-800">{e.title}</span>
              <span className="text-xs text-slate-400">{e.actorName}</span>
            </div>
            {e.detail ? <p className="mt-0.5 whitespace-pre-wrap break-words text-slate-600">{e.detail}</p> : null}
          </div>
        </li>
      ))}
    </ol>
  );
}
