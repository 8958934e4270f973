import { Form } from "~/components/form";
import { useEffect, useState } from "react";
import { Alert, Button, Input, Select } from "~/components/ui";
import { EVENT_LABELS, type ClockEventType } from "~/domain/clock";
import type { QueueRow } from "~/services/queue.server";

/** What the queue's action answered (app/web/intent.server.ts ActionAnswer), as far as a row reads it. */
export interface QueueAnswer {
  ok: boolean;
  message: string;
  /** The row it concerns, as `queueRowRef` writes it. */
  itemKey: string;
  fields?: Record<string, string>;
}

/**
 * A queue row's reference in the form's `itemKey` field: "<projectId>/<key>". Item keys repeat
 * across projects, and the action's answer carries only `itemKey` (also on a refusal), so the
 * project travels in it for the answer to find its row.
 */
export function queueRowRef(row: { projectId: number; key: string }): string {
  return `${row.projectId}/${row.key}`;
}

/** True once React runs in the browser: until then the form must work as plain HTML. */
function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}

/**
 * The compact form recording a department decision on one queue row: the events it allows,
 * the date (today by default, never later), a note, and for 受理 the item's materials with
 * the missing ones pre-checked as 容缺 and a 补齐 date (the service refuses 受理 otherwise),
 * for 要求补正 the materials to ask for. It sends the row's version, so a stale row answers
 * the conflict message. A plain post inside <details>: it works without JavaScript, where
 * every section shows and the service's answer is the check; with it, only the chosen event's.
 */
export function QueueActions({ row, today, answer }: { row: QueueRow; today: string; answer: QueueAnswer | null }) {
  const allowed = row.allowed;
  const [type, setType] = useState<string>(allowed[0] ?? "");
  const hydrated = useHydrated();
  if (!allowed.length) return null;
  const refused = answer && !answer.ok ? answer : null;
  const showing = (t: ClockEventType) => allowed.includes(t) && (!hydrated || type === t);
  const missing = row.materials.filter((m) => m.status === "missing");
  const accepting = showing("accept") && row.materials.length > 0;
  const correcting = showing("request_correction") && row.materials.length > 0;
  const name = (suffix: string) => `${row.projectId}-${row.key}-${suffix}`;
  return (
    <details className="group text-xs" open={refused ? true : undefined} data-testid="queue-actions">
      <summary className="cursor-pointer select-none">
        <span className="font-medium text-brand-700 hover:underline">办理</span>
        <span className="text-slate-500">：{allowed.map((t) => EVENT_LABELS[t]).join("、")}</span>
      </summary>
      <Form method="post" preventScrollReset className="mt-2 space-y-2 rounded-md border border-slate-200 bg-white p-2" aria-label={`办理 ${row.name}`}>
        <input type="hidden" name="intent" value="event" />
        <input type="hidden" name="itemKey" value={queueRowRef(row)} />
        <input type="hidden" name="version" value={row.version} />
        <div className="grid grid-cols-2 gap-2">
          <Select id={name("type")} name="type" aria-label="操作" className="py-1 text-xs" value={type} onChange={(e) => setType(e.currentTarget.value)} data-testid="queue-event-type">
            {allowed.map((t) => (
              <option key={t} value={t}>
                {EVENT_LABELS[t]}
              </option>
            ))}
          </Select>
          <Input id={name("on")} name="on" type="date" defaultValue={today} max={today} aria-label="日期" className="py-1 text-xs" />
        </div>
        <Input id={name("note")} name="note" placeholder="备注（可选）" aria-label="备注" className="py-1 text-xs" />
        {accepting ? (
          <fieldset className="space-y-1" disabled={hydrated && type !== "accept"} data-testid="queue-accept-materials">
            <legend className="text-slate-500">{missing.length ? `受理：尚缺 ${missing.length} 项材料，须列为容缺并填写补齐日期` : "受理：材料已齐；如需容缺受理，勾选后补材料"}</legend>
            {row.materials.map((m) => (
              <label key={m.name} className="flex items-center gap-1">
                <input type="checkbox" name="deferredMaterials" value={m.name} defaultChecked={m.status === "missing"} />
                {m.name}
                {m.status === "missing" ? <span className="text-red-600">（缺）</span> : null}
              </label>
            ))}
            <label className="flex items-center gap-1">
              补齐日期{missing.length ? <span className="text-red-600">*</span> : null}
              <Input
                id={name("commitmentOn")}
                name="commitmentOn"
                type="date"
                min={today}
                required={hydrated && type === "accept" && missing.length > 0}
                className="w-36 py-0.5 text-xs"
                aria-label="容缺材料补齐日期"
              />
            </label>
            {refused?.fields?.deferredMaterials ? <p className="text-red-600">{refused.fields.deferredMaterials}</p> : null}
            {refused?.fields?.commitmentOn ? <p className="text-red-600">{refused.fields.commitmentOn}</p> : null}
          </fieldset>
        ) : null}
        {correcting ? (
          <fieldset className="space-y-1" disabled={hydrated && type !== "request_correction"} data-testid="queue-correction-materials">
            <legend className="text-slate-500">要求补正：勾选需补正的材料</legend>
            {row.materials.map((m) => (
              <label key={m.name} className="flex items-center gap-1">
                <input type="checkbox" name="missingMaterials" value={m.name} />
                {m.name}
              </label>
            ))}
          </fieldset>
        ) : null}
        {refused && !refused.fields?.deferredMaterials && !refused.fields?.commitmentOn ? <Alert tone="red">{refused.message}</Alert> : null}
        <Button type="submit" className="w-full py-1 text-xs" data-testid="queue-event-submit">
          记录
        </Button>
      </Form>
    </details>
  );
}
