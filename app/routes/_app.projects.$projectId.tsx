import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { z } from "zod";
import { Link, useActionData, useFetcher, useLoaderData, useNavigation, useRouteError, useSearchParams } from "@remix-run/react";
import { Form } from "~/components/form";
import type { ReactNode } from "react";
import flowStyles from "@xyflow/react/dist/style.css";
import { ErrorPanel } from "~/components/error-panel";
import { ActionItemsCard } from "~/components/project/action-items-card";
import { ApprovalGraph } from "~/components/graph/approval-graph";
import { ItemPanel } from "~/components/project/item-panel";
import { MaterialsPanel } from "~/components/project/materials-panel";
import { NextActions } from "~/components/project/next-actions";
import { TimelinePanel } from "~/components/project/timeline-panel";
import { ProjectSettings } from "~/components/project/project-settings";
import { InviteContact } from "~/components/project/invite-contact";
import { SupervisionCard } from "~/components/project/supervision-card";
import { ProjectFiguresCard } from "~/components/dashboard/project-figures-card";
import { useLiveProject } from "~/components/use-live-project";
import { Countdown, ItemStatusBadge } from "~/components/status";
import { ITEM_KIND_LABELS, stageLabel } from "~/domain/item/vocabulary";
import { Alert, Badge, Button, Card, Input, Select, Table, Td, Th, cx } from "~/components/ui";
import { EVENT_LABELS, isFinished } from "~/domain/clock";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import { acknowledgeEscalation } from "~/services/escalation-records.server";
import { setItemEscalationSettings } from "~/services/escalation-settings.server";
import { recordItemEvent } from "~/services/items.server";
import { createInvitation, invitationQrSvg } from "~/services/invitations.server";
import { addDependency, removeDependency } from "~/services/graph.server";
import { assignProxies, changeTargetStart, closeProject } from "~/services/project-lifecycle.server";
import { loadProjectPage } from "~/services/project-page.server";
import { issueSupervision } from "~/services/supervision.server";
import { GRAPH_NODE_SIZE } from "~/domain/graph/layout";
import { formList, formText } from "~/web/form-fields";
import { dispatchIntent, readFormValues } from "~/web/intent.server";
import { routeId } from "~/web/params.server";
import { requireUser } from "~/web/session.server";
import { data } from "@remix-run/node";
import type { SessionUser } from "~/services/auth.server";
import type { ServiceContext } from "~/services/context.server";
import { isStartMilestone } from "~/domain/graph/milestone";
import { isClosedProject } from "~/domain/project/types";
import { CSRF_FIELD, useCsrfToken } from "~/components/security";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.view.project.name ?? "项目"} · 绿色通道` }];

// Linked as a URL: a side-effect CSS import builds silently with no styles under the classic compiler.
export const links: LinksFunction = () => [{ rel: "stylesheet", href: flowStyles }];

/** Enterprise contacts use the portal: the staff page (internal log, audit, 督办) does not exist for them. */
async function requireStaff(request: Request): Promise<SessionUser> {
  const user = await requireUser(request);
  if (user.role === "enterprise") throw new Response("页面不存在", { status: 404 });
  return user;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireStaff(request);
  const id = routeId(params.projectId);
  const selectedKey = new URL(request.url).searchParams.get("item");
  try {
    return loadProjectPage(serviceContext(), user, id, selectedKey);
  } catch (e) {
    if (e instanceof AppError) throw new Response(e.message, { status: e.status });
    throw e;
  }
}

const edge = { from: z.string(), to: z.string(), lagWorkingDays: formText() };
const intents = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("acknowledge"), escalationId: z.string(), note: z.string().optional() }),
  z.object({
    intent: z.literal("escalationSettings"),
    itemKey: z.string(),
    yellowLead: z.string().default(""),
    redAfter: z.string().default(""),
    superviseAfter: z.string().default(""),
    leaderAfter: z.string().default(""),
  }),
  z.object({ intent: z.literal("proxies"), proxyUserIds: formList() }),
  // Loose on purpose: the service checks note and working days and answers per field.
  z.object({ intent: z.literal("supervise"), itemKey: formText(), note: z.string().default(""), dueInWorkingDays: z.string().default("") }),
  z.object({ intent: z.literal("reschedule"), targetStartOn: formText(), reason: formText() }),
  z.object({ intent: z.literal("close"), outcome: formText(), on: formText(), reason: formText() }),
  z.object({ intent: z.literal("addDependency"), ...edge }),
  z.object({ intent: z.literal("removeDependency"), ...edge }),
  z.object({
    intent: z.literal("event"),
    itemKey: z.string(),
    type: z.string(),
    on: z.string().optional(),
    note: formText(),
    version: formText(),
    missingMaterials: formList(),
    deferredMaterials: formList(),
    commitmentOn: formText(),
  }),
]);

/** `invite` answers more than a message (the one-time link and its QR code), so it is handled beside dispatchIntent. */
async function invite(request: Request, ctx: ServiceContext, user: SessionUser, projectId: number) {
  const form = await request.formData();
  const text = (k: string) => (typeof form.get(k) === "string" ? (form.get(k) as string) : undefined);
  try {
    const inv = createInvitation(ctx, user, projectId, { name: text("name"), phone: text("phone"), email: text("email") });
    const url = new URL(inv.path, request.url).toString();
    const expiresOn = new Date(inv.expiresAt).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", dateStyle: "medium", timeStyle: "short" });
    const message = inv.voided ? `已重新生成邀请链接，旧链接已作废` : `已生成邀请链接`;
    return data({ ok: true, message, intent: "invite", itemKey: "", invitation: { url, qrSvg: await invitationQrSvg(url), name: inv.name, login: inv.login, expiresOn } });
  } catch (e) {
    if (e instanceof AppError) return data({ ok: false, message: e.message, intent: "invite", itemKey: "", fields: e.fields ?? {} }, { status: e.status });
    throw e;
  }
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireStaff(request);
  const projectId = routeId(params.projectId);
  const ctx = serviceContext();
  if ((await readFormValues(request.clone())).intent === "invite") return invite(request, ctx, user, projectId);
  return dispatchIntent(request, intents, (input) => {
    switch (input.intent) {
      case "acknowledge":
        acknowledgeEscalation(ctx, user, Number(input.escalationId), { note: input.note }, projectId);
        return { message: "已确认预警" };
      case "escalationSettings": {
        const { intent: _intent, itemKey, ...raw } = input;
        setItemEscalationSettings(ctx, user, projectId, itemKey, raw);
        return { message: "已保存本事项的升级规则，提醒已重新排定" };
      }
      case "proxies": {
        const { added, removed } = assignProxies(ctx, user, projectId, { proxyUserIds: input.proxyUserIds.map(Number) });
        return { message: added.length || removed.length ? `代办员已调整${added.length ? `，新增 ${added.join("、")}` : ""}${removed.length ? `，移出 ${removed.join("、")}` : ""}` : "代办员未变化" };
      }
      case "supervise": {
        const { dueOn } = issueSupervision(ctx, user, projectId, { itemKey: input.itemKey, note: input.note, dueInWorkingDays: input.dueInWorkingDays });
        // No itemKey in the answer: it is about the project, shown above the board and beside the form.
        return { message: `已督办，办结时限 ${dueOn}`, itemKey: "" };
      }
      case "reschedule": {
        const { from, to } = changeTargetStart(ctx, user, projectId, input);
        return { message: `计划开工日期已由 ${from} 调整为 ${to}，倒排计划已重新计算` };
      }
      case "close": {
        closeProject(ctx, user, projectId, input);
        return { message: input.outcome === "withdrawn" ? "项目已撤销，在办事项的计时已终止" : "已记录开工，项目已关闭" };
      }
      case "addDependency":
        addDependency(ctx, user, projectId, input);
        return { message: "已添加依赖关系，计划已重新计算" };
      case "removeDependency":
        removeDependency(ctx, user, projectId, input);
        return { message: "已移除依赖关系，计划已重新计算" };
      case "event": {
        const version = Number(input.version);
        recordItemEvent(ctx, user, projectId, input.itemKey, {
          type: input.type,
          on: input.on,
          note: input.note,
          expectedVersion: Number.isInteger(version) && version > 0 ? version : undefined,
          missingMaterials: input.missingMaterials.length ? input.missingMaterials : undefined,
          deferredMaterials: input.deferredMaterials.length ? input.deferredMaterials : undefined,
          commitmentOn: input.commitmentOn,
        });
        return { message: "已记录", itemKey: input.itemKey };
      }
    }
  });
}

export default function ProjectPage() {
  const { view, today, escalations, graph, next, selected, panels, setup, actionItems, figures, canSupervise } = useLoaderData<typeof loader>();
  const posted = useActionData<typeof action>();
  const graphEdit = useFetcher<typeof action>();
  const result = graphEdit.data ?? posted;
  const busy = useNavigation().state === "submitting";
  const [params] = useSearchParams();
  useLiveProject(view.project.id, view.project.version);
  const csrf = useCsrfToken();
  const editGraph = (intent: "addDependency" | "removeDependency") => (from: string, to: string) =>
    graphEdit.submit({ intent, from, to, [CSRF_FIELD]: csrf }, { method: "post", preventScrollReset: true });
  const { project, enterprise, schedule, items } = view;
  const start = schedule.items.find(isStartMilestone);
  const counts = {
    done: items.filter((i) => i.status === "approved" || i.status === "waived").length,
    red: items.filter((i) => i.warning === "red").length,
    yellow: items.filter((i) => i.warning === "yellow").length,
  };
  const stages = [1, 2, 3, 4].filter((s) => items.some((i) => i.stage === s));
  // What the last post did; shown in the drawer when it concerns the item open there (where the
  // officer acted, and without pushing the board down), else above the board.
  const resultAlert = result ? (
    <div data-testid="action-result">
      <Alert tone={result.ok ? "green" : "red"}>
        {result.ok && result.itemKey ? `「${items.find((i) => i.key === result.itemKey)?.name ?? result.itemKey}」${result.message}` : result.message}
      </Alert>
    </div>
  ) : null;
  const resultInDrawer = Boolean(selected && result && (!result.ok || !result.itemKey || result.itemKey === selected.key));
  // The 督办 form answers beside itself, far below the board (the post keeps the scroll position).
  const resultOnTop = Boolean(result && !resultInDrawer && result.intent !== "supervise");

  return (
    <>
      <header className="mb-3 flex flex-wrap items-end gap-x-6 gap-y-2">
        <div className="min-w-0">
          <div className="flex items-center gap-2">
            <h1 className="truncate text-lg font-semibold text-slate-900">{project.name}</h1>
            {isClosedProject(project.status) ? (
              <Badge tone={project.status === "withdrawn" ? "gray" : "green"}>
                {project.statusLabel}
                {project.closedOn ? ` ${project.closedOn}` : ""}
              </Badge>
            ) : (
              <Badge tone={schedule.atRisk ? "red" : "green"}>{schedule.atRisk ? "开工目标有风险" : "按计划推进"}</Badge>
            )}
            {schedule.provisional ? (
              <a href="#provisional" title="计划涉及尚未公布节假日安排的年份，相关日期为暂估">
                <Badge tone="yellow">含暂估日期</Badge>
              </a>
            ) : null}
          </div>
          <p className="truncate text-xs text-slate-500">
            {project.code} · {enterprise.name} · 代办员：{view.proxies.map((p) => p.displayName).join("、") || "未分配"} ·{" "}
            <a href="#settings" className="text-brand-700 hover:underline">
              项目设置
            </a>
            {view.can.edit ? (
              <>
                {" · "}
                <Link to={`/projects/${project.id}/messages`} className="text-brand-700 hover:underline">
                  与企业留言
                </Link>
              </>
            ) : null}
          </p>
        </div>
        <dl className="ml-auto flex flex-wrap gap-x-5 gap-y-1" data-testid="project-facts">
          <Fact label={setup.timetableChanges.length ? `计划开工（已调整 ${setup.timetableChanges.length} 次）` : "计划开工"}>{project.targetStartOn}</Fact>
          <Fact label="预计开工" tone={schedule.atRisk ? "red" : "green"}>
            {schedule.forecastStartOn}
          </Fact>
          <Fact label="总时差（工作日）" tone={(start?.totalSlack ?? 0) < 0 ? "red" : undefined}>
            {start?.totalSlack ?? "—"}
          </Fact>
          <Fact label="签约至今（天）">{view.daysSinceSigning}</Fact>
          <Fact label="已办结 / 全部">{`${counts.done}/${items.length}`}</Fact>
          <Fact label="超期 / 临期" tone={counts.red ? "red" : counts.yellow ? "yellow" : undefined}>{`${counts.red} / ${counts.yellow}`}</Fact>
        </dl>
      </header>
      {resultOnTop ? <div className="mb-3">{resultAlert}</div> : null}
      {/* The board takes the screen's full width (beyond the page column) and the height left under the header. */}
      <section aria-label="审批事项关系图" className="mb-6 ml-[calc(50%-50vw+1rem)] h-[calc(100vh-9rem)] min-h-[30rem] w-[calc(100vw-2rem)]">
        <ApprovalGraph
          // A new instance per project: its opening view and React Flow store belong to one graph.
          key={project.id}
          graph={graph}
          selectedKey={params.get("item")}
          canEdit={view.can.edit}
          onConnect={editGraph("addDependency")}
          onRemove={editGraph("removeDependency")}
          nodeWidth={GRAPH_NODE_SIZE.width}
          nodeHeight={GRAPH_NODE_SIZE.height}
          initialView={params.get("view")}
          drawer={
            selected ? (
              <div className="space-y-2">
                {resultInDrawer && result?.intent !== "supervise" ? resultAlert : null}
                <ItemPanel item={selected} today={today} canEditGraph={view.can.edit} allItems={view.items.map((i) => ({ key: i.key, name: i.name }))} />
              </div>
            ) : null
          }
          toolbarEnd={
            <a href="#next" className="whitespace-nowrap text-brand-700 hover:underline">
              下一步 ↓
            </a>
          }
        />
      </section>
      <div className="space-y-6">
        {/* Below the board, so that the board keeps the first screen; the header's 含暂估日期 links here. */}
        {schedule.provisional ? (
          <div id="provisional">
            <Alert tone="yellow">计划涉及尚未公布节假日安排的年份，相关日期为暂估（按周一至周五推算），公布后请管理员录入。</Alert>
          </div>
        ) : null}
        <div className={cx("grid gap-6", escalations.length ? "lg:grid-cols-2" : "")}>
          <div id="next" className="min-w-0">
            <NextActions next={next} today={view.can.recordEvents ? today : undefined} />
          </div>
          {escalations.length ? <EscalationsCard escalations={escalations} /> : null}
        </div>
        <div id="panel" className="space-y-6">
          <MaterialsPanel data={panels} />
          <TimelinePanel data={panels} />
          <ActionItemsCard items={actionItems} />
          <div className={cx("grid gap-6", canSupervise && "lg:grid-cols-2")}>
            <ProjectFiguresCard figures={figures} />
            {canSupervise ? (
              <div id="supervise">
                <SupervisionCard
                  items={items.filter((i) => !isFinished(i.status) && i.status !== "withdrawn" && i.kind !== "milestone").map((i) => ({ key: i.key, name: i.name, department: i.departmentName }))}
                  answer={result && result.intent === "supervise" ? result : null}
                  busy={busy}
                />
              </div>
            ) : null}
          </div>
        </div>
        <div id="settings">
          <ProjectSettings page={{ view, setup }} today={today} answer={result ?? undefined} />
          {view.can.edit && !isClosedProject(project.status) ? <InviteContact enterpriseName={enterprise.name} /> : null}
        </div>
        <details open={!selected} className="group">
          <summary className="mb-3 cursor-pointer text-sm font-semibold text-slate-700">事项清单（{items.length} 项，按阶段）</summary>
          <div className="space-y-6">
            {stages.map((stage) => (
              <Card key={stage} title={`第 ${stage} 阶段 · ${stageLabel(stage)}`}>
                <Table className="border-0">
                  <thead>
                    <tr>
                      <Th>事项 / 部门</Th>
                      <Th className="w-36">时限</Th>
                      <Th className="w-48">状态 / 倒计时</Th>
                      <Th className="w-28">受理 / 到期</Th>
                      <Th className="w-16">时差</Th>
                      {view.can.recordEvents ? <Th className="w-52">办理</Th> : null}
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100">
                    {items
                      .filter((i) => i.stage === stage)
                      .map((i) => (
                        <tr key={i.key} data-item={i.key} className={cx("align-top", i.critical && "bg-red-50/40")}>
                          <Td className="min-w-[12rem] whitespace-normal">
                            <Link to={`?item=${encodeURIComponent(i.key)}`} preventScrollReset className="font-medium text-slate-800 hover:text-brand-700 hover:underline">
                              {i.name}
                            </Link>
                            <div className="mt-0.5 flex flex-wrap items-center gap-1 text-xs text-slate-500">
                              <span>
                                {ITEM_KIND_LABELS[i.kind]} · {i.departmentName ?? "—"}
                              </span>
                              {i.critical ? <Badge tone="red">关键路径</Badge> : null}
                              {i.ready ? <Badge tone="blue">可申报</Badge> : null}
                            </div>
                          </Td>
                          <Td className="whitespace-normal text-xs">
                            {i.kind === "approval"
                              ? `承诺 ${i.promisedLimit ?? "—"} / 法定 ${i.statutoryLimit ?? "—"} ${i.limitUnit === "calendarDays" ? "日" : "工作日"}`
                              : i.plannedDuration !== null
                                ? `计划 ${i.plannedDuration} 工作日`
                                : "—"}
                          </Td>
                          <Td>
                            <div className="flex flex-col items-start gap-1">
                              <ItemStatusBadge status={i.status} kind={i.kind} />
                              <Countdown remaining={i.remainingWorkingDays} warning={i.warning} paused={i.paused} />
                              {i.commitmentOn && i.commitmentWarning !== "none" ? (
                                <Badge tone={i.commitmentWarning === "red" ? "red" : "yellow"}>容缺补齐 {i.commitmentOn}</Badge>
                              ) : null}
                            </div>
                          </Td>
                          <Td className="text-xs tabular-nums">
                            {i.acceptedOn ?? "—"}
                            <br />
                            {i.dueOn ?? "—"}
                          </Td>
                          <Td className={cx("tabular-nums", (i.slack ?? 0) < 0 && "text-red-600")}>{i.slack ?? "—"}</Td>
                          {view.can.recordEvents ? (
                            <Td>
                              {i.allowed.length ? (
                                // Stacked (operation, then date and 记录) so the whole form fits a narrow column.
                                <Form method="post" className="grid w-48 grid-cols-[minmax(0,1fr)_auto] gap-1" aria-label={`办理 ${i.name}`}>
                                  <input type="hidden" name="intent" value="event" />
                                  <input type="hidden" name="itemKey" value={i.key} />
                                  <input type="hidden" name="version" value={i.version} />
                                  <Select name="type" className="col-span-2 py-1 pl-2 text-xs" aria-label="操作">
                                    {i.allowed.map((t) => (
                                      <option key={t} value={t}>
                                        {EVENT_LABELS[t]}
                                      </option>
                                    ))}
                                  </Select>
                                  <Input name="on" type="date" defaultValue={today} max={today} className="min-w-0 px-1.5 py-1 text-xs" aria-label="日期" />
                                  <Button type="submit" variant="secondary" className="px-2 py-1 text-xs" disabled={busy}>
                                    记录
                                  </Button>
                                </Form>
                              ) : (
                                <span className="text-xs text-slate-400">—</span>
                              )}
                            </Td>
                          ) : null}
                        </tr>
                      ))}
                  </tbody>
                </Table>
              </Card>
            ))}
          </div>
        </details>
      </div>
    </>
  );
}

function Fact({ label, tone, children }: { label: string; tone?: "red" | "yellow" | "green"; children: ReactNode }) {
  const colour = tone === "red" ? "text-red-600" : tone === "yellow" ? "text-amber-600" : tone === "green" ? "text-emerald-600" : "text-slate-900";
  return (
    <div>
      <dt className="text-[11px] text-slate-500">{label}</dt>
      <dd className={cx("text-sm font-semibold tabular-nums", colour)}>{children}</dd>
    </div>
  );
}

const LEVEL_TONES: Record<string, "yellow" | "red" | "purple" | "gray"> = { yellow: "yellow", red: "red", supervise: "purple", leader: "red", stall: "gray" };

function EscalationsCard({ escalations }: { escalations: ReturnType<typeof useLoaderData<typeof loader>>["escalations"] }) {
  return (
    <Card title={`预警与督办（${escalations.filter((e) => !e.acknowledgedAt).length} 条待确认）`}>
      <ul className="divide-y divide-slate-100" data-testid="escalations">
        {escalations.map((e) => (
          <li key={e.id} className="flex flex-wrap items-center gap-3 py-2 text-sm">
            <Badge tone={LEVEL_TONES[e.level]}>{e.levelLabel}</Badge>
            <span className="font-medium text-slate-800">{e.itemName}</span>
            <span className="text-xs text-slate-500">
              {e.level === "stall" ? "最近进展" : "到期"} {e.dueOn} · 发出 {new Date(e.firedAt).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai" })}
            </span>
            {e.acknowledgedAt ? (
              <span className="text-xs text-emerald-700">已确认：{e.acknowledgeNote}</span>
            ) : e.canAcknowledge ? (
              <Form method="post" className="ml-auto flex items-center gap-1">
                <input type="hidden" name="intent" value="acknowledge" />
                <input type="hidden" name="escalationId" value={e.id} />
                <Input name="note" placeholder="原因与预计办结日期" className="w-64 py-1 text-xs" aria-label="确认说明" required />
                <Button type="submit" variant="secondary" className="py-1 text-xs">
                  确认
                </Button>
              </Form>
            ) : (
              <span className="ml-auto text-xs text-slate-400">待确认</span>
            )}
          </li>
        ))}
      </ul>
    </Card>
  );
}

export function ErrorBoundary() {
  return <ErrorPanel error={useRouteError()} />;
}
