import { Link, useActionData } from "@remix-run/react";
import { Form } from "~/components/form";
import { useEffect, useState } from "react";
import { Countdown, ItemStatusBadge } from "~/components/status";
import { ITEM_KIND_LABELS } from "~/domain/item/vocabulary";
import { Alert, Badge, Button, Card, Input, Select, Textarea } from "~/components/ui";
import { EVENT_LABELS, type ClockEventType } from "~/domain/clock";
import type { Workspace } from "~/services/workspace.server";

type Selected = NonNullable<Workspace["selected"]>;

const MATERIAL_STATUS: Record<string, { label: string; tone: "red" | "yellow" | "green" }> = {
  missing: { label: "缺", tone: "red" },
  received: { label: "已收", tone: "yellow" },
  verified: { label: "已核验", tone: "green" },
};

/** The side panel for one item: facts, materials, dependencies, history and the actions this user may take. */
export function ItemPanel({
  item,
  today,
  canEditGraph,
  allItems,
}: {
  item: Selected;
  today: string;
  canEditGraph: boolean;
  allItems: { key: string; name: string }[];
}) {
  const limits =
    item.kind === "approval"
      ? `承诺 ${item.promisedLimit ?? "—"} / 法定 ${item.statutoryLimit ?? "—"} ${item.limitUnit === "calendarDays" ? "日" : "个工作日"}`
      : item.plannedDuration !== null
        ? `计划 ${item.plannedDuration} 个工作日`
        : "—";
  const allowed = item.allowed as ClockEventType[];
  return (
    <Card
      title={<span data-testid="item-panel-title">{item.name}</span>}
      actions={
        <Link to="." preventScrollReset className="text-xs text-slate-500 hover:text-slate-800" aria-label="关闭事项面板">
          关闭 ✕
        </Link>
      }
    >
      <div className="space-y-4 text-sm" data-testid="item-panel">
        <div className="flex flex-wrap items-center gap-2">
          <ItemStatusBadge status={item.status} kind={item.kind} />
          <Countdown remaining={item.remainingWorkingDays} warning={item.warning} paused={item.paused} />
          {item.critical ? <Badge tone="red">关键路径</Badge> : null}
          {item.ready ? <Badge tone="blue">可申报</Badge> : null}
        </div>
        <dl className="grid grid-cols-[6.5rem_1fr] gap-x-2 gap-y-1 text-xs">
          <dt className="text-slate-500">类型</dt>
          <dd>{ITEM_KIND_LABELS[item.kind]}</dd>
          <dt className="text-slate-500">承办部门</dt>
          <dd>{item.departmentName ?? "—"}{item.handlerName ? `（首问负责人：${item.handlerName}）` : ""}</dd>
          <dt className="text-slate-500">时限</dt>
          <dd>
            {limits}
            {item.correctionRestartsClock ? "（补正后重新计时）" : ""}
          </dd>
          <dt className="text-slate-500">受理 / 到期</dt>
          <dd className="tabular-nums">
            {item.acceptedOn ?? "—"} / {item.dueOn ?? "—"}
          </dd>
          {item.commitmentOn ? (
            <>
              <dt className="text-slate-500">容缺补齐期限</dt>
              <dd className="tabular-nums">{item.commitmentOn}</dd>
            </>
          ) : null}
          <dt className="text-slate-500">最早开始 → 完成</dt>
          <dd className="tabular-nums">
            {item.earliestStart} → {item.earliestFinish}
          </dd>
          <dt className="text-slate-500">最迟开始 → 完成</dt>
          <dd className="tabular-nums">
            {item.latestStart ?? "—"} → {item.latestFinish ?? "—"}
          </dd>
          <dt className="text-slate-500">总时差</dt>
          <dd className="tabular-nums">{item.slack === null ? "—" : `${item.slack} 个工作日`}</dd>
        </dl>
        {item.note ? <p className="rounded bg-slate-50 px-2 py-1 text-xs text-slate-600">{item.note}</p> : null}

        {item.materials.length ? (
          <div>
            <h3 className="mb-1 text-xs font-semibold text-slate-700">申报材料</h3>
            <ul className="space-y-0.5 text-xs">
              {item.materials.map((m) => (
                <li key={m.name} className="flex items-center justify-between gap-2">
                  <span>{m.name}</span>
                  <Badge tone={MATERIAL_STATUS[m.status]?.tone ?? "red"}>{MATERIAL_STATUS[m.status]?.label ?? m.status}</Badge>
                </li>
              ))}
            </ul>
          </div>
        ) : null}

        {allowed.length ? <EventForm item={item} today={today} /> : null}

        <div>
          <h3 className="mb-1 text-xs font-semibold text-slate-700">前置事项</h3>
          {item.predecessors.length ? (
            <ul className="space-y-0.5 text-xs">
              {item.predecessors.map((p) => (
                <li key={p.key} className="flex items-center justify-between gap-2">
                  <Link to={`?item=${encodeURIComponent(p.key)}`} preventScrollReset className="text-brand-700 hover:underline">
                    {p.name}
                    {p.lag ? `（间隔 ${p.lag} 个工作日）` : ""}
                  </Link>
                  {canEditGraph ? (
                    <Form method="post" preventScrollReset>
                      <input type="hidden" name="intent" value="removeDependency" />
                      <input type="hidden" name="from" value={p.key} />
                      <input type="hidden" name="to" value={item.key} />
                      <button className="text-slate-400 hover:text-red-600" aria-label={`移除前置事项 ${p.name}`}>
                        移除
                      </button>
                    </Form>
                  ) : null}
                </li>
              ))}
            </ul>
          ) : (
            <p className="text-xs text-slate-400">无</p>
          )}
          {canEditGraph ? (
            <Form method="post" preventScrollReset className="mt-2 flex gap-1">
              <input type="hidden" name="intent" value="addDependency" />
              <input type="hidden" name="to" value={item.key} />
              <Select name="from" aria-label="添加前置事项" className="py-1 text-xs">
                {allItems
                  .filter((o) => o.key !== item.key && !item.predecessors.some((p) => p.key === o.key))
                  .map((o) => (
                    <option key={o.key} value={o.key}>
                      {o.name}
                    </option>
                  ))}
              </Select>
              <Button type="submit" variant="secondary" className="py-1 text-xs">
                添加前置
              </Button>
            </Form>
          ) : null}
        </div>

        {item.escalation.canConfigure ? (
          <Form method="post" preventScrollReset className="space-y-2 rounded-md border border-slate-200 p-3 text-xs" aria-label="本事项升级规则">
            <h3 className="font-semibold text-slate-700">本事项升级规则（留空则用全市默认）</h3>
            <input type="hidden" name="intent" value="escalationSettings" />
            <input type="hidden" name="itemKey" value={item.key} />
            <div className="grid grid-cols-2 gap-2">
              {(
                [
                  ["yellowLead", "预警：到期前"],
                  ["redAfter", "超期：到期后"],
                  ["superviseAfter", "督办：到期后"],
                  ["leaderAfter", "领导督办：到期后"],
                ] as const
              ).map(([name, label]) => (
                <label key={name} className="flex flex-col gap-0.5">
                  <span className="text-slate-500">{label}（工作日）</span>
                  <Input name={name} type="number" min={0} defaultValue={item.escalation.own[name] ?? ""} placeholder={`默认 ${item.escalation.defaults[name]}`} className="py-0.5 text-xs" />
                </label>
              ))}
            </div>
            <Button type="submit" variant="secondary" className="py-1 text-xs">
              保存本事项规则
            </Button>
          </Form>
        ) : null}

        <div>
          <h3 className="mb-1 text-xs font-semibold text-slate-700">办理记录</h3>
          {item.history.length ? (
            <ol className="space-y-1 text-xs" data-testid="item-history">
              {item.history.map((h) => (
                <li key={h.id} className="border-l-2 border-slate-200 pl-2">
                  <span className="tabular-nums text-slate-500">{h.on}</span> <span className="font-medium">{h.label}</span>
                  {h.actor ? <span className="text-slate-500"> · {h.actor}</span> : null}
                  {h.materials.length ? <div className="text-slate-500">材料：{h.materials.join("、")}</div> : null}
                  {h.note ? <div className="text-slate-600">{h.note}</div> : null}
                </li>
              ))}
            </ol>
          ) : (
            <p className="text-xs text-slate-400">尚未办理</p>
          )}
        </div>
      </div>
    </Card>
  );
}

/** What the page action answered (app/web/intent.server.ts ActionAnswer), as far as this form reads it. */
interface PanelAnswer {
  ok: boolean;
  message: string;
  itemKey: string;
  fields?: Record<string, string>;
}

/** True once React runs in the browser: until then the form must work as plain HTML. */
function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}

/**
 * The form recording one clock event. For 受理 it lists the item's materials with
 * the missing ones pre-checked as 容缺 and asks for the 补齐 date: the service
 * refuses 受理 while a missing material is neither declared 容缺 nor dated, and
 * its message shows here beside the fields. Before hydration every section shows
 * and the service's answer is the check; after it, only the chosen event's.
 */
function EventForm({ item, today }: { item: Selected; today: string }) {
  const allowed = item.allowed as ClockEventType[];
  const [type, setType] = useState<string>(allowed[0] ?? "");
  const hydrated = useHydrated();
  const answer = useActionData<PanelAnswer>();
  const refused = answer && !answer.ok && answer.itemKey === item.key ? answer : null;
  const showing = (t: ClockEventType) => allowed.includes(t) && (!hydrated || type === t);
  const missing = item.materials.filter((m) => m.status === "missing");
  const accepting = showing("accept") && item.materials.length > 0;
  const correcting = showing("request_correction") && item.materials.length > 0;
  return (
    <Form method="post" preventScrollReset className="space-y-2 rounded-md border border-slate-200 p-3" aria-label="办理事项">
      <input type="hidden" name="intent" value="event" />
      <input type="hidden" name="itemKey" value={item.key} />
      <input type="hidden" name="version" value={item.version} />
      <div className="grid grid-cols-2 gap-2">
        <Select name="type" aria-label="操作" className="text-xs" value={type} onChange={(e) => setType(e.currentTarget.value)}>
          {allowed.map((t) => (
            <option key={t} value={t}>
              {EVENT_LABELS[t]}
            </option>
          ))}
        </Select>
        <Input name="on" type="date" defaultValue={today} max={today} aria-label="日期" className="text-xs" />
      </div>
      <Textarea name="note" rows={2} placeholder="备注（可选）" aria-label="备注" className="text-xs" />
      {accepting ? (
        <fieldset className="space-y-1 text-xs" disabled={hydrated && type !== "accept"} data-testid="accept-materials">
          {missing.length ? (
            <Alert tone="yellow">
              材料台账显示尚缺 {missing.length} 项申报材料。受理须将其列为容缺材料（已预先勾选）并填写补齐日期；本项目已办结事项出具的证照视为已收，可取消勾选。不同意容缺的，请勿受理，收齐材料后再办。
            </Alert>
          ) : (
            <legend className="mb-1 text-slate-500">材料已齐。如需容缺受理，勾选后补的材料并填写补齐日期。</legend>
          )}
          <div className="grid grid-cols-1 gap-0.5">
            {item.materials.map((m) => (
              <label key={m.name} className="flex items-center gap-1">
                <input type="checkbox" name="deferredMaterials" value={m.name} defaultChecked={m.status === "missing"} />
                {m.name}
                {m.status === "missing" ? <span className="text-red-600">（缺）</span> : null}
              </label>
            ))}
          </div>
          {refused?.fields?.deferredMaterials ? <p className="text-red-600">{refused.fields.deferredMaterials}</p> : null}
          <label className="flex items-center gap-1">
            补齐日期{missing.length ? <span className="text-red-600">*</span> : null}
            <Input
              name="commitmentOn"
              type="date"
              min={today}
              required={hydrated && type === "accept" && missing.length > 0}
              className="w-40 py-0.5 text-xs"
              aria-label="容缺材料补齐日期"
            />
          </label>
          {refused?.fields?.commitmentOn ? <p className="text-red-600">{refused.fields.commitmentOn}</p> : null}
        </fieldset>
      ) : null}
      {correcting ? (
        <fieldset className="text-xs" disabled={hydrated && type !== "request_correction"}>
          <legend className="mb-1 text-slate-500">要求补正时勾选缺少的材料</legend>
          <div className="grid grid-cols-1 gap-0.5">
            {item.materials.map((m) => (
              <label key={m.name} className="flex items-center gap-1">
                <input type="checkbox" name="missingMaterials" value={m.name} />
                {m.name}
              </label>
            ))}
          </div>
        </fieldset>
      ) : null}
      {refused && !refused.fields?.deferredMaterials && !refused.fields?.commitmentOn ? <p className="text-xs text-red-600">{refused.message}</p> : null}
      <Button type="submit" className="w-full">
        记录
      </Button>
    </Form>
  );
}
