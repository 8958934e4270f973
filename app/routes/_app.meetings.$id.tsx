import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Form } from "~/components/form";
import type { ReactNode } from "react";
import { z } from "zod";
import { Countdown } from "~/components/status";
import { MeetingFields } from "~/components/meeting/meeting-fields";
import { Alert, Badge, Button, ButtonLink, Card, EmptyState, Field, Input, PageHeader, Select, Table, Td, Textarea, Th, cx, type Tone } from "~/components/ui";
import { AGENDA_REASON_LABELS, type AgendaReason, type MeetingStatus } from "~/domain/meeting/vocabulary";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import {
  addAgendaItem,
  closeMeeting,
  issueMinutes,
  loadMeetingPage,
  markMeetingHeld,
  moveAgendaItem,
  recordAgendaMinutes,
  removeAgendaItem,
  setAgendaNote,
  setMinutesPreamble,
  updateMeeting,
} from "~/services/meetings.server";
import { formList, formText } from "~/web/form-fields";
import { dispatchIntent, readFormValues } from "~/web/intent.server";
import { routeId } from "~/web/params.server";
import { requirePermission } from "~/web/session.server";
import { shanghaiDateTime } from "~/domain/calendar";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.meeting.title ?? "会议"} · 联席会议 · 绿色通道` }];

/** Task rows a minutes form offers without JavaScript; `?rows=N` asks for more (blank rows are ignored). */
const DEFAULT_TASK_ROWS = 2;
const MAX_TASK_ROWS = 10;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "meeting.view");
  const id = routeId(params.id, "会议");
  const url = new URL(request.url);
  try {
    const page = loadMeetingPage(serviceContext(), user, id);
    const rows = Math.min(MAX_TASK_ROWS, Math.max(DEFAULT_TASK_ROWS, Number(url.searchParams.get("rows")) || 0));
    const created = url.searchParams.get("created") === "1" ? { carried: Number(url.searchParams.get("carried")) || 0, supervised: Number(url.searchParams.get("supervised")) || 0 } : null;
    return { ...page, editing: url.searchParams.get("edit") === "1" && page.can.edit, rows, created };
  } catch (e) {
    if (e instanceof AppError) throw new Response(e.message, { status: e.status });
    throw e;
  }
}

const agendaItemId = z.string();
const intents = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("update"), departments: formList() }).passthrough(),
  z.object({ intent: z.literal("addCandidate"), projectId: formText(), itemKey: formText(), actionItemId: formText() }),
  z.object({ intent: z.literal("addFree"), summary: formText(), projectId: formText(), note: formText() }),
  z.object({ intent: z.literal("remove"), agendaItemId }),
  z.object({ intent: z.literal("move"), agendaItemId, direction: z.enum(["up", "down"]) }),
  z.object({ intent: z.literal("note"), agendaItemId, note: formText() }),
  z.object({ intent: z.literal("minutes"), agendaItemId, discussion: formText(), resolved: formText(), decisionText: formText() }).passthrough(),
  z.object({ intent: z.literal("preamble"), minutes: formText() }),
  z.object({ intent: z.literal("held") }),
  z.object({ intent: z.literal("issue") }),
  z.object({ intent: z.literal("close") }),
]);

const TASK_FIELDS = ["title", "leadDepartment", "owner", "dueInWorkingDays", "dueOn", "projectId", "itemKey"] as const;

/**
 * The task rows a minutes form sent (`actionItems.<i>.<field>`), without the blank
 * ones; `index` is each row's place on the form, so problems go back beside it. A
 * row counts as filled once it has a title, a person, a deadline or a co-unit (a
 * preselected lead unit or linked item alone is not a task).
 */
function taskRows(fields: Record<string, unknown>): { index: number; row: Record<string, unknown> }[] {
  const out: { index: number; row: Record<string, unknown> }[] = [];
  for (let i = 0; i < MAX_TASK_ROWS; i++) {
    const one = (f: string) => {
      const v = fields[`actionItems.${i}.${f}`];
      return Array.isArray(v) ? v[0] : typeof v === "string" ? v : undefined;
    };
    const co = fields[`actionItems.${i}.coDepartments`];
    const coDepartments = (co === undefined ? [] : Array.isArray(co) ? co : [co]).filter((c): c is string => typeof c === "string" && c !== "");
    const row: Record<string, unknown> = Object.fromEntries(TASK_FIELDS.map((f) => [f, one(f)]));
    row.coDepartments = coDepartments;
    const filled = ["title", "owner", "dueInWorkingDays", "dueOn"].some((f) => typeof row[f] === "string" && (row[f] as string).trim() !== "") || coDepartments.length > 0;
    if (filled) out.push({ index: i, row });
  }
  return out;
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, "meeting.view");
  const id = routeId(params.id, "会议");
  const ctx = serviceContext();
  // Echoed back on a refusal so the form keeps what was typed (the page works without JavaScript).
  const values = await readFormValues(request.clone());
  const answer = await dispatchIntent(request, intents, (input) => {
    switch (input.intent) {
      case "update":
        updateMeeting(ctx, user, id, input);
        return { message: "已保存会议信息", itemKey: "meeting" };
      case "addCandidate": {
        const e = addAgendaItem(ctx, user, id, input);
        return { message: `已加入议程（${AGENDA_REASON_LABELS[e.reason]}）`, itemKey: "candidates" };
      }
      case "addFree":
        addAgendaItem(ctx, user, id, input);
        return { message: "已添加议题", itemKey: "free" };
      case "remove":
        removeAgendaItem(ctx, user, id, Number(input.agendaItemId));
        return { message: "已移出议程", itemKey: "agenda" };
      case "move":
        moveAgendaItem(ctx, user, id, Number(input.agendaItemId), input.direction);
        return { message: input.direction === "up" ? "已上移" : "已下移", itemKey: `agenda-${input.agendaItemId}` };
      case "note":
        setAgendaNote(ctx, user, id, Number(input.agendaItemId), input);
        return { message: "已保存备注", itemKey: `agenda-${input.agendaItemId}` };
      case "minutes": {
        const rows = taskRows(input);
        try {
          const r = recordAgendaMinutes(ctx, user, id, Number(input.agendaItemId), {
            discussion: input.discussion,
            resolved: input.resolved,
            decisionText: input.decisionText,
            actionItems: rows.map((r) => r.row),
          });
          const tasks = r.actionItems.length ? `，${r.actionItems.length} 项任务已交办（完成时限 ${r.actionItems.map((a) => a.dueOn).join("、")}）` : "";
          return { message: `已保存纪要${r.decisionId ? "和议定事项" : ""}${tasks}`, itemKey: `agenda-${input.agendaItemId}` };
        } catch (e) {
          // The service numbers the filled rows 0..n; the form numbers every row it showed.
          if (e instanceof AppError && e.fields) {
            const fields = Object.fromEntries(Object.entries(e.fields).map(([k, v]) => [k.replace(/^actionItems\.(\d+)\./, (_, j) => `actionItems.${rows[Number(j)]?.index ?? j}.`), v]));
            throw new AppError(e.code, e.message, fields);
          }
          throw e;
        }
      }
      case "preamble":
        setMinutesPreamble(ctx, user, id, input);
        return { message: "已保存会议概述", itemKey: "preamble" };
      case "held":
        markMeetingHeld(ctx, user, id);
        return { message: "会议已标记为已召开", itemKey: "meeting" };
      case "issue": {
        const r = issueMinutes(ctx, user, id);
        return { message: `纪要已印发，已通知 ${r.notified} 人${r.carriedTo ? "；未议结事项已转入下次会议" : ""}`, itemKey: "meeting" };
      }
      case "close":
        closeMeeting(ctx, user, id);
        return { message: "会议已闭环", itemKey: "meeting" };
    }
  });
  if (answer.data.ok && answer.data.intent === "update") throw redirect(`/meetings/${id}`);
  return data({ ...answer.data, values: answer.data.ok ? null : values }, answer.init ?? undefined);
}

type Loaded = ReturnType<typeof useLoaderData<typeof loader>>;
type AgendaView = Loaded["agenda"][number];
type DecisionView = AgendaView["decisions"][number];
type CandidateView = Loaded["candidates"][number];
type FormValues = Record<string, string | string[]> | null;
type Answer = { ok: boolean; message: string; itemKey: string; intent: string; fields?: Record<string, string>; values: FormValues } | undefined;

const STATUS_TONES: Record<MeetingStatus, Tone> = { planned: "blue", held: "yellow", closed: "green" };
const REASON_TONES: Record<AgendaReason, Tone> = { supervise: "red", late_action: "red", red: "red", stall: "yellow", at_risk: "yellow", manual: "gray" };

const str = (values: Record<string, string | string[]> | null | undefined, name: string): string | undefined => {
  const v = values?.[name];
  return typeof v === "string" ? v : Array.isArray(v) ? v[0] : undefined;
};
const list = (values: Record<string, string | string[]> | null | undefined, name: string): string[] => {
  const v = values?.[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};

export default function MeetingPage() {
  const page = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>() as Answer;
  const { meeting, agenda, candidates, can, created } = page;
  const at = (key: string) => (answer && answer.itemKey === key ? answer : undefined);
  const flash = at("meeting") ?? at("agenda");
  return (
    <>
      <PageHeader
        title={meeting.title}
        subtitle={`${meeting.typeLabel} · ${meeting.heldOn}${meeting.startsAt ? ` ${meeting.startsAt}` : ""}${meeting.place ? ` · ${meeting.place}` : ""}`}
        actions={
          <>
            <a href={`/meetings/${meeting.id}/minutes`} className="inline-flex items-center rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50">
              打印纪要
            </a>
            <a href={`/meetings/${meeting.id}/minutes.docx`} className="inline-flex items-center rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50">
              下载纪要（.docx）
            </a>
            <ButtonLink to="/meetings">返回会议列表</ButtonLink>
          </>
        }
      />
      <div className="space-y-4">
        {created ? (
          <Alert tone="green">
            会议已创建。
            {created.carried ? `上次会议未议结的 ${created.carried} 项已转入本次议程。` : ""}
            {created.supervised ? `${created.supervised} 项待上会的督办已列入议程。` : ""}
          </Alert>
        ) : null}
        {flash ? <Alert tone={flash.ok ? "green" : "red"}>{flash.message}</Alert> : null}
        <MeetingFacts page={page} />
        {page.editing ? <EditMeeting page={page} answer={answer?.intent === "update" ? answer : undefined} /> : null}

        <Card title={`议程（${agenda.length}）`}>
          {agenda.length === 0 ? (
            <EmptyState title="议程还是空的">{can.editAgenda ? "从下方「议程候选」中加入卡住的事项，或添加自由议题。" : null}</EmptyState>
          ) : (
            <ol className="space-y-4" aria-label="议程">
              {agenda.map((item, i) => (
                <AgendaItem key={item.id} item={item} first={i === 0} last={i === agenda.length - 1} page={page} answer={at(`agenda-${item.id}`)} />
              ))}
            </ol>
          )}
        </Card>

        {/* A refused candidate's answer carries the item's key, not the card's: placed by its intent. */}
        {can.editAgenda ? <Candidates candidates={candidates} answer={answer?.intent === "addCandidate" ? answer : undefined} /> : null}
        {can.editAgenda ? <FreeItem page={page} answer={at("free")} /> : null}
        {page.otherDecisions.length ? (
          <Card title="其他议定事项">
            <Decisions decisions={page.otherDecisions} />
          </Card>
        ) : null}
        {can.recordMinutes || meeting.minutes ? <Preamble page={page} answer={at("preamble")} /> : null}
      </div>
    </>
  );
}

function MeetingFacts({ page }: { page: Loaded }) {
  const { meeting, can, openTasks } = page;
  const row = (label: string, value: ReactNode) => (
    <div className="flex gap-3 py-1">
      <dt className="w-20 shrink-0 text-slate-500">{label}</dt>
      <dd className="text-slate-800">{value}</dd>
    </div>
  );
  return (
    <Card
      title="会议信息"
      actions={
        <>
          <Badge tone={STATUS_TONES[meeting.status]}>{meeting.statusLabel}</Badge>
          {meeting.minutesIssuedAt ? <Badge tone="green">纪要已印发</Badge> : null}
        </>
      }
    >
      <div className="grid gap-4 lg:grid-cols-3">
        <dl className="text-sm lg:col-span-2">
          {row("类型", meeting.typeLabel)}
          {row("时间", `${meeting.heldOn}${meeting.startsAt ? ` ${meeting.startsAt}` : ""}`)}
          {row("地点", meeting.place || "—")}
          {row("主持", meeting.chair ?? "—")}
          {row("出席", <span className="whitespace-pre-line">{meeting.attendees || "—"}</span>)}
          {row("参会部门", meeting.departments.length ? meeting.departments.map((d) => d.name).join("、") : "—")}
          {row("协调人", meeting.coordinator ?? "—")}
          {row("纪要", meeting.minutesIssuedAt ? `已于 ${shanghaiDateTime(Date.parse(meeting.minutesIssuedAt))} 印发` : "未印发")}
        </dl>
        {can.manage ? (
          <div className="space-y-2 text-sm">
            {can.edit && !page.editing ? (
              <ButtonLink to="?edit=1" className="w-full">
                编辑会议信息
              </ButtonLink>
            ) : null}
            {can.markHeld ? (
              <StepForm intent="held" label="标记为已召开" variant="secondary" />
            ) : meeting.status === "planned" ? (
              <p className="text-xs text-slate-500">会议日期到来后可标记为已召开并记录纪要。</p>
            ) : null}
            {can.issue ? <StepForm intent="issue" label="印发纪要" hint="印发后议程和纪要不能再修改；责任单位会收到各自的任务" /> : null}
            {can.close ? (
              <>
                <StepForm intent="close" label="闭环" variant="secondary" disabled={openTasks > 0} />
                {openTasks > 0 ? <p className="text-xs text-slate-500">还有 {openTasks} 项会议任务未办结，办结后可闭环。</p> : null}
              </>
            ) : null}
          </div>
        ) : null}
      </div>
    </Card>
  );
}

function StepForm({ intent, label, hint, variant = "primary", disabled = false }: { intent: string; label: string; hint?: string; variant?: "primary" | "secondary"; disabled?: boolean }) {
  const busy = useNavigation().state === "submitting";
  return (
    <Form method="post">
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="itemKey" value="meeting" />
      <Button type="submit" variant={variant} className="w-full" disabled={busy || disabled}>
        {label}
      </Button>
      {hint ? <p className="mt-1 text-xs text-slate-500">{hint}</p> : null}
    </Form>
  );
}

function EditMeeting({ page, answer }: { page: Loaded; answer: Answer }) {
  const { meeting } = page;
  const values = answer && !answer.ok ? answer.values : null;
  const fields = answer && !answer.ok ? answer.fields : undefined;
  const val = (name: string, fallback: string | null) => str(values, name) ?? fallback ?? "";
  const invited = values ? list(values, "departments") : meeting.departments.map((d) => d.code);
  return (
    <Card title="编辑会议信息" actions={<ButtonLink to=".">取消</ButtonLink>}>
      <Form method="post" className="space-y-3" aria-label="编辑会议信息">
        <input type="hidden" name="intent" value="update" />
        <input type="hidden" name="itemKey" value="meeting" />
        {answer && !answer.ok ? <Alert>{answer.message}</Alert> : null}
        <MeetingFields
          values={{
            type: val("type", meeting.type),
            title: val("title", meeting.title),
            heldOn: val("heldOn", meeting.heldOn),
            startsAt: val("startsAt", meeting.startsAt),
            place: val("place", meeting.place),
            chair: val("chair", meeting.chair),
            attendees: val("attendees", meeting.attendees),
            departments: invited,
          }}
          fields={fields}
          departments={page.choices.departments}
          departmentsLegend="参会部门（新增的部门和改动的时间地点会重新通知）"
        />
        <Button type="submit">保存</Button>
      </Form>
    </Card>
  );
}

function AgendaItem({ item, first, last, page, answer }: { item: AgendaView; first: boolean; last: boolean; page: Loaded; answer: Answer }) {
  const { can } = page;
  const small = "py-0.5 text-xs";
  return (
    <li className="rounded-md border border-slate-200 p-3" id={`agenda-${item.id}`} data-agenda-item={item.id}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0 space-y-1">
          <div className="flex flex-wrap items-center gap-2">
            <span className="font-semibold tabular-nums text-slate-500">{item.number}.</span>
            <Badge tone={REASON_TONES[item.reason]}>{item.reasonLabel}</Badge>
            {item.carriedFrom ? (
              <Badge tone="purple">
                <span title={item.carriedFrom.title ? `${item.carriedFrom.title}（${item.carriedFrom.heldOn ?? ""}）` : undefined}>上次会议转入</span>
              </Badge>
            ) : null}
            {item.resolved ? <Badge tone="green">已议结</Badge> : null}
            <span className="font-medium text-slate-900">{item.summary}</span>
          </div>
          <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-slate-600">
            {item.projectId ? (
              <Link to={`/projects/${item.projectId}${item.itemKey ? `?item=${encodeURIComponent(item.itemKey)}` : ""}`} className="text-brand-700 hover:underline">
                {item.projectName}
                {item.itemName ? ` · ${item.itemName}` : ""}
              </Link>
            ) : (
              <span className="text-slate-400">自由议题</span>
            )}
            {item.departmentName ? <span>{item.departmentName}</span> : null}
            {item.clock ? <Countdown remaining={item.clock.remainingWorkingDays} warning={item.clock.warning} paused={item.clock.paused} /> : null}
            {item.clock?.dueOn ? <span className="tabular-nums text-xs text-slate-500">到期 {item.clock.dueOn}</span> : null}
            {item.actionItem ? (
              <Link to={`/meetings/actions/${item.actionItem.id}`} className="text-brand-700 hover:underline">
                会议任务「{item.actionItem.title}」期限 {item.actionItem.dueOn}
              </Link>
            ) : null}
            {item.carriedFrom?.id ? (
              <Link to={`/meetings/${item.carriedFrom.id}`} className="text-xs text-slate-500 hover:underline">
                来自 {item.carriedFrom.title}
              </Link>
            ) : null}
          </div>
          {item.note && !can.editAgenda ? <p className="text-sm text-slate-600">备注：{item.note}</p> : null}
        </div>
        {can.editAgenda ? (
          <div className="flex shrink-0 gap-1">
            <AgendaButton item={item} intent="move" extra={{ direction: "up" }} label="上移" disabled={first} className={small} />
            <AgendaButton item={item} intent="move" extra={{ direction: "down" }} label="下移" disabled={last} className={small} />
            <AgendaButton item={item} intent="remove" label="移出" variant="danger" className={small} disabled={item.decisions.length > 0} />
          </div>
        ) : null}
      </div>
      {answer ? (
        <div className="mt-2">
          <Alert tone={answer.ok ? "green" : "red"}>{answer.message}</Alert>
        </div>
      ) : null}
      {can.editAgenda ? (
        <Form method="post" className="mt-2 flex items-center gap-2" aria-label={`备注：${item.summary}`}>
          <input type="hidden" name="intent" value="note" />
          <input type="hidden" name="itemKey" value={`agenda-${item.id}`} />
          <input type="hidden" name="agendaItemId" value={item.id} />
          <Input name="note" id={`note-${item.id}`} aria-label="备注" maxLength={1000} placeholder="备注（如：请自然资源局汇报进展）" defaultValue={item.note ?? ""} className="max-w-xl" />
          <Button type="submit" variant="secondary" className={small}>
            保存备注
          </Button>
        </Form>
      ) : null}
      {item.discussion && !can.recordMinutes ? <p className="mt-2 whitespace-pre-line text-sm text-slate-700">讨论情况：{item.discussion}</p> : null}
      {item.decisions.length ? (
        <div className="mt-3">
          <Decisions decisions={item.decisions} />
        </div>
      ) : null}
      {can.recordMinutes ? <MinutesForm item={item} page={page} answer={answer?.intent === "minutes" ? answer : undefined} /> : null}
    </li>
  );
}

function AgendaButton({
  item,
  intent,
  label,
  extra = {},
  variant = "secondary",
  disabled = false,
  className,
}: {
  item: AgendaView;
  intent: string;
  label: string;
  extra?: Record<string, string>;
  variant?: "secondary" | "danger";
  disabled?: boolean;
  className?: string;
}) {
  return (
    <Form method="post" preventScrollReset>
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="itemKey" value={intent === "remove" ? "agenda" : `agenda-${item.id}`} />
      <input type="hidden" name="agendaItemId" value={item.id} />
      {Object.entries(extra).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <Button type="submit" variant={variant} className={className} disabled={disabled} aria-label={`${label}：${item.summary}`}>
        {label}
      </Button>
    </Form>
  );
}

function Decisions({ decisions }: { decisions: DecisionView[] }) {
  return (
    <div className="space-y-3">
      {decisions.map((d, i) => (
        <div key={d.id} className="rounded border border-slate-100 bg-slate-50 p-2" data-decision={d.id}>
          <p className="text-sm text-slate-800">
            <span className="font-medium">议定事项{decisions.length > 1 ? ` ${i + 1}` : ""}：</span>
            {d.text}
          </p>
          {d.actionItems.length ? (
            <Table className="mt-2">
              <thead>
                <tr>
                  <Th>任务</Th>
                  <Th>责任单位</Th>
                  <Th>配合单位</Th>
                  <Th>责任人</Th>
                  <Th>完成时限</Th>
                  <Th>状态</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {d.actionItems.map((a) => (
                  <tr key={a.id} data-action-item={a.id}>
                    <Td className="whitespace-normal">
                      <Link to={`/meetings/actions/${a.id}`} className="text-brand-700 hover:underline">
                        {a.title}
                      </Link>
                      {a.itemName ? <div className="text-xs text-slate-500">{a.projectName ? `${a.projectName} · ` : ""}{a.itemName}</div> : null}
                    </Td>
                    <Td>{a.leadDepartment?.name ?? "—"}</Td>
                    <Td className="whitespace-normal">{a.coDepartments.length ? a.coDepartments.map((c) => c.name).join("、") : "—"}</Td>
                    <Td>{a.owner ?? "—"}</Td>
                    <Td className="tabular-nums">
                      {a.dueOn}
                      {a.dueInWorkingDays ? <span className="ml-1 text-xs text-slate-500">（{a.dueInWorkingDays} 个工作日内）</span> : null}
                    </Td>
                    <Td>
                      {a.status === "open" ? (
                        <Countdown remaining={a.remainingWorkingDays} warning={a.warning} paused={false} />
                      ) : (
                        <Badge tone={a.status === "closed" ? "green" : "gray"}>{a.status === "closed" ? `已办结 ${a.closedOn ?? ""}` : "已撤销"}</Badge>
                      )}
                    </Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          ) : null}
        </div>
      ))}
    </div>
  );
}

function MinutesForm({ item, page, answer }: { item: AgendaView; page: Loaded; answer: Answer }) {
  const busy = useNavigation().state === "submitting";
  const values = answer && !answer.ok ? answer.values : null;
  const fields = answer && !answer.ok ? answer.fields : undefined;
  const filledRows = values ? Object.keys(values).map((k) => /^actionItems\.(\d+)\./.exec(k)?.[1]).filter((x): x is string => x !== undefined).map(Number) : [];
  const rows = Math.min(MAX_TASK_ROWS, Math.max(page.rows, filledRows.length ? Math.max(...filledRows) + 2 : 0));
  const id = (f: string) => `m${item.id}-${f}`;
  const err = (f: string) => fields?.[f];
  return (
    // Remounted once a decision is added, so its task rows come back empty.
    <Form method="post" preventScrollReset className="mt-3 space-y-3 border-t border-slate-100 pt-3" id={`minutes-${item.id}`} aria-label={`纪要：${item.summary}`} key={`${item.id}-${item.decisions.length}`}>
      <input type="hidden" name="intent" value="minutes" />
      <input type="hidden" name="itemKey" value={`agenda-${item.id}`} />
      <input type="hidden" name="agendaItemId" value={item.id} />
      <h3 className="text-sm font-semibold text-slate-700">会议纪要</h3>
      <Field label="讨论情况" name={id("discussion")} error={err("discussion")}>
        <Textarea id={id("discussion")} name="discussion" rows={2} maxLength={5000} defaultValue={str(values, "discussion") ?? item.discussion ?? ""} />
      </Field>
      <Field label="议定事项（新增一项决定；已记录的见上方）" name={id("decisionText")} error={err("decisionText")}>
        <Textarea id={id("decisionText")} name="decisionText" rows={2} maxLength={2000} placeholder="例如：由市自然资源和规划局牵头，5 个工作日内出具用地预审意见" defaultValue={str(values, "decisionText") ?? ""} />
      </Field>
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium text-slate-700">交办任务（每行一项，空行不计；完成时限填「工作日数」或「完成日期」之一，从会议日期 {page.meeting.heldOn} 起算）</legend>
        {Array.from({ length: rows }, (_, i) => (
          <TaskRow key={i} index={i} item={item} page={page} values={values} fields={fields} />
        ))}
        {rows < MAX_TASK_ROWS ? (
          <Link to={`?rows=${Math.min(MAX_TASK_ROWS, rows + 3)}#agenda-${item.id}`} className="text-xs text-brand-700 hover:underline">
            更多任务行
          </Link>
        ) : null}
      </fieldset>
      <label className="flex items-center gap-2 text-sm text-slate-700">
        <input type="checkbox" name="resolved" defaultChecked={values ? str(values, "resolved") === "on" : item.resolved} />
        本议题已议结（未议结的议题转入下次会议）
      </label>
      <Button type="submit" disabled={busy}>
        保存纪要
      </Button>
    </Form>
  );
}

function TaskRow({ index: i, item, page, values, fields }: { index: number; item: AgendaView; page: Loaded; values: FormValues; fields?: Record<string, string> }) {
  const name = (f: string) => `actionItems.${i}.${f}`;
  const id = (f: string) => `m${item.id}-a${i}-${f}`;
  const err = (f: string) => fields?.[name(f)];
  const co = values ? list(values, name("coDepartments")) : [];
  // The first row proposes the department that holds the item discussed.
  const lead = str(values, name("leadDepartment")) ?? (i === 0 ? (item.departmentCode ?? "") : "");
  const errors = ["title", "leadDepartment", "coDepartments", "owner", "dueInWorkingDays", "dueOn", "projectId", "itemKey"].map(err).filter(Boolean);
  return (
    <div className={cx("rounded border p-2", errors.length ? "border-red-200 bg-red-50/40" : "border-slate-100")} data-task-row={i}>
      <div className="grid gap-2 md:grid-cols-12">
        <div className="md:col-span-4">
          <label htmlFor={id("title")} className="block text-xs text-slate-500">
            任务 {i + 1}
          </label>
          <Input id={id("title")} name={name("title")} maxLength={200} placeholder="例如：出具用地预审意见" defaultValue={str(values, name("title")) ?? ""} />
        </div>
        <div className="md:col-span-3">
          <label htmlFor={id("lead")} className="block text-xs text-slate-500">
            责任单位
          </label>
          <Select id={id("lead")} name={name("leadDepartment")} defaultValue={lead}>
            <option value="">请选择</option>
            {page.choices.departments.map((d) => (
              <option key={d.code} value={d.code}>
                {d.name}
              </option>
            ))}
          </Select>
        </div>
        <div className="md:col-span-2">
          <label htmlFor={id("owner")} className="block text-xs text-slate-500">
            责任人
          </label>
          <Input id={id("owner")} name={name("owner")} maxLength={50} defaultValue={str(values, name("owner")) ?? ""} />
        </div>
        <div className="md:col-span-1">
          <label htmlFor={id("days")} className="block text-xs text-slate-500">
            工作日数
          </label>
          <Input id={id("days")} name={name("dueInWorkingDays")} type="number" min={1} max={250} inputMode="numeric" defaultValue={str(values, name("dueInWorkingDays")) ?? ""} />
        </div>
        <div className="md:col-span-2">
          <label htmlFor={id("dueOn")} className="block text-xs text-slate-500">
            或完成日期
          </label>
          <Input id={id("dueOn")} name={name("dueOn")} type="date" defaultValue={str(values, name("dueOn")) ?? ""} />
        </div>
      </div>
      <div className="mt-2 flex flex-wrap items-start gap-3">
        <details className="text-sm" open={co.length > 0}>
          <summary className="cursor-pointer text-xs text-slate-600">配合单位{co.length ? `（${co.length}）` : ""}</summary>
          <div className="mt-1 grid grid-cols-2 gap-1 sm:grid-cols-4">
            {page.choices.departments.map((d) => (
              <label key={d.code} className="flex items-center gap-1 text-xs text-slate-700">
                <input type="checkbox" name={name("coDepartments")} value={d.code} defaultChecked={co.includes(d.code)} />
                {d.name}
              </label>
            ))}
          </div>
        </details>
        {item.projectId ? (
          <div className="flex items-center gap-2">
            <input type="hidden" name={name("projectId")} value={item.projectId} />
            <label htmlFor={id("item")} className="whitespace-nowrap text-xs text-slate-500">
              关联事项
            </label>
            <Select id={id("item")} name={name("itemKey")} defaultValue={str(values, name("itemKey")) ?? item.itemKey ?? ""} className="w-auto">
              <option value="">（不关联事项）</option>
              {item.projectItems.map((it) => (
                <option key={it.key} value={it.key}>
                  {it.name}
                </option>
              ))}
            </Select>
          </div>
        ) : null}
      </div>
      {errors.length ? (
        <ul className="mt-1 space-y-0.5 text-xs text-red-600" role="alert">
          {[...new Set(errors)].map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function factsLine(c: CandidateView): string {
  const f = c.facts;
  switch (c.reason) {
    case "supervise":
    case "red":
      return `超期 ${f.workingDaysOverdue ?? 0} 个工作日（到期日 ${f.dueOn ?? "—"}）`;
    case "late_action":
      return `「${f.actionTitle ?? ""}」逾期 ${f.workingDaysOverdue ?? 0} 个工作日（期限 ${f.dueOn ?? "—"}，${f.meetingTitle ?? "上次会议"}）`;
    case "stall":
      return `${f.idleWorkingDays ?? 0} 个工作日无进展（最近进展 ${f.lastProgressOn ?? "—"}）${f.slack !== null ? `；开工时差 ${f.slack} 个工作日` : ""}`;
    case "at_risk":
      return `预计开工 ${f.forecastStartOn ?? "—"}，目标 ${f.targetStartOn ?? "—"}，时差 ${f.slack ?? 0} 个工作日`;
  }
}

function Candidates({ candidates, answer }: { candidates: CandidateView[]; answer: Answer }) {
  const busy = useNavigation().state === "submitting";
  return (
    <Card title={`议程候选（${candidates.length}）`}>
      <p className="mb-3 text-xs text-slate-500">按严重程度排序：督办 ＞ 会议任务逾期 ＞ 超期 ＞ 停滞 ＞ 开工目标有风险，同类按超期（停滞、落后）的工作日数。已在议程中的不再列出。</p>
      {answer ? (
        <div className="mb-3">
          <Alert tone={answer.ok ? "green" : "red"}>{answer.message}</Alert>
        </div>
      ) : null}
      {candidates.length === 0 ? (
        <EmptyState title="没有卡住的事项" />
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>原因</Th>
              <Th>项目</Th>
              <Th>事项 / 任务</Th>
              <Th>部门</Th>
              <Th>情况</Th>
              <Th />
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {candidates.map((c) => (
              <tr key={c.key} data-candidate={c.key} data-reason={c.reason}>
                <Td>
                  <div className="flex flex-wrap gap-1">
                    <Badge tone={REASON_TONES[c.reason]}>{AGENDA_REASON_LABELS[c.reason]}</Badge>
                    {c.alsoReasons.map((r) => (
                      <Badge key={r} tone="gray">
                        {AGENDA_REASON_LABELS[r]}
                      </Badge>
                    ))}
                  </div>
                  <div className="mt-0.5 text-xs tabular-nums text-slate-400" title="严重度">
                    {c.severity}
                  </div>
                </Td>
                <Td className="whitespace-normal">
                  {c.projectId ? (
                    <Link to={`/projects/${c.projectId}${c.itemKey ? `?item=${encodeURIComponent(c.itemKey)}` : ""}`} className="text-brand-700 hover:underline">
                      {c.facts.projectName}
                    </Link>
                  ) : (
                    "—"
                  )}
                </Td>
                <Td className="whitespace-normal">{c.facts.itemName ?? (c.facts.actionTitle ? `会议任务「${c.facts.actionTitle}」` : "项目整体")}</Td>
                <Td>{c.facts.departmentName ?? "—"}</Td>
                <Td className="whitespace-normal text-xs">{factsLine(c)}</Td>
                <Td>
                  <Form method="post" preventScrollReset>
                    <input type="hidden" name="intent" value="addCandidate" />
                    {c.projectId ? <input type="hidden" name="projectId" value={c.projectId} /> : null}
                    {c.itemKey ? <input type="hidden" name="itemKey" value={c.itemKey} /> : null}
                    {c.actionItemId ? <input type="hidden" name="actionItemId" value={c.actionItemId} /> : null}
                    <Button type="submit" className="py-0.5 text-xs" disabled={busy} aria-label={`加入议程：${c.facts.projectName ?? ""}${c.facts.itemName ? ` ${c.facts.itemName}` : ""}`}>
                      加入议程
                    </Button>
                  </Form>
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Card>
  );
}

function FreeItem({ page, answer }: { page: Loaded; answer: Answer }) {
  const values = answer && !answer.ok ? answer.values : null;
  const fields = answer && !answer.ok ? answer.fields : undefined;
  return (
    <Card title="添加议题">
      <Form method="post" className="space-y-3" aria-label="添加议题" key={answer?.ok ? answer.message + page.agenda.length : "free"}>
        <input type="hidden" name="intent" value="addFree" />
        <input type="hidden" name="itemKey" value="free" />
        {answer ? <Alert tone={answer.ok ? "green" : "red"}>{answer.message}</Alert> : null}
        <div className="grid gap-3 md:grid-cols-2">
          <Field label="议题" name="free-summary" error={fields?.summary}>
            <Input id="free-summary" name="summary" maxLength={200} placeholder="例如：研究重点项目水电气报装联合验收" defaultValue={str(values, "summary") ?? ""} />
          </Field>
          <Field label="涉及项目（可选）" name="free-project" error={fields?.projectId}>
            <Select id="free-project" name="projectId" defaultValue={str(values, "projectId") ?? ""}>
              <option value="">（不涉及具体项目）</option>
              {page.choices.projects.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </Select>
          </Field>
        </div>
        <Field label="备注（可选）" name="free-note" error={fields?.note}>
          <Input id="free-note" name="note" maxLength={1000} defaultValue={str(values, "note") ?? ""} />
        </Field>
        <Button type="submit" variant="secondary">
          添加议题
        </Button>
      </Form>
    </Card>
  );
}

function Preamble({ page, answer }: { page: Loaded; answer: Answer }) {
  const { meeting, can } = page;
  if (!can.recordMinutes) {
    return (
      <Card title="会议概述">
        <p className="whitespace-pre-line text-sm text-slate-700">{meeting.minutes}</p>
      </Card>
    );
  }
  const values = answer && !answer.ok ? answer.values : null;
  return (
    <Card title="会议概述（纪要开头）">
      <Form method="post" className="space-y-2" aria-label="会议概述" preventScrollReset>
        <input type="hidden" name="intent" value="preamble" />
        <input type="hidden" name="itemKey" value="preamble" />
        {answer ? <Alert tone={answer.ok ? "green" : "red"}>{answer.message}</Alert> : null}
        <Field label="会议概述" name="preamble-minutes" error={answer?.fields?.minutes}>
          <Textarea id="preamble-minutes" name="minutes" rows={3} maxLength={5000} placeholder="例如：会议听取了重点项目审批推进情况汇报，研究了……" defaultValue={str(values, "minutes") ?? meeting.minutes ?? ""} />
        </Field>
        <Button type="submit" variant="secondary">
          保存概述
        </Button>
      </Form>
    </Card>
  );
}
