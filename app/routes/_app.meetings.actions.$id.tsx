import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation, useRouteError } from "@remix-run/react";
import { Form } from "~/components/form";
import type { ReactNode } from "react";
import { ErrorPanel } from "~/components/error-panel";
import { Countdown } from "~/components/status";
import { Alert, Badge, Button, Card, Field, Input, Textarea, type Tone } from "~/components/ui";
import { LEVEL_LABELS } from "~/domain/escalation/policy";
import { MAX_UPLOAD_BYTES, UPLOAD_ACCEPT } from "~/domain/material/upload-rules";
import { ACTION_SOURCE_LABELS, ACTION_STATUS_LABELS, MEETING_TYPE_LABELS } from "~/domain/meeting/vocabulary";
import { closeActionItemWithFile, getActionItem } from "~/services/action-items.server";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import type { ActionAnswer } from "~/web/intent.server";
import { routeId } from "~/web/params.server";
import { requirePermission, requireUser } from "~/web/session.server";
import { readUploadForm } from "~/web/multipart.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.item.title ?? "督办事项"} · 督办台账 · 绿色通道` }];

/** An instant as Shanghai wall-clock time, formatted on the server so the page hydrates with the same text. */
function wallClock(iso: string | null): string | null {
  if (iso === null) return null;
  return new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace("T", " ");
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "actionItem.view");
  const id = routeId(params.id, "督办事项");
  try {
    const item = getActionItem(serviceContext(), user, id);
    return {
      item,
      fired: item.escalations.map((e) => ({ ...e, firedAtText: wallClock(e.firedAt)! })),
      upcoming: item.upcomingEscalations.map((e) => ({ ...e, fireAtText: wallClock(e.fireAt)! })),
      closedAtText: wallClock(item.closedBy?.at ?? null),
    };
  } catch (e) {
    if (e instanceof AppError) throw new Response(e.message, { status: e.status });
    throw e;
  }
}

// The multipart envelope (boundaries, the note) adds a little to the file itself.
const TOO_LARGE = "文件超过 20 MB 上限，请压缩或拆分后再上传";

const readForm = (request: Request) => readUploadForm(request, MAX_UPLOAD_BYTES, TOO_LARGE);

/** 办结: the note (required) and an optional file, posted as multipart so it works without JavaScript. */
export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const id = routeId(params.id, "督办事项");
  // A refusal hands the note back, so a page without JavaScript does not lose what was typed.
  let note = "";
  const answer = (ok: boolean, message: string, status: number, fields?: Record<string, string>) =>
    data<ActionAnswer & { note: string }>({ ok, message, itemKey: "", intent: "close", note: ok ? "" : note, ...(fields ? { fields } : {}) }, { status });
  try {
    const form = await readForm(request);
    note = typeof form.get("note") === "string" ? (form.get("note") as string) : "";
    if (form.get("intent") !== "close") throw new AppError("bad_request", "未知的操作，请刷新页面后重试");
    const file = form.get("file");
    // An empty file input still sends a part (no name, no bytes): that is "no file".
    const chosen = file !== null && typeof file !== "string" && (file.name !== "" || file.size > 0);
    const closed = await closeActionItemWithFile(serviceContext(), user, id, {
      note: form.get("note") ?? undefined,
      file: chosen ? { name: file.name, type: file.type, bytes: new Uint8Array(await file.arrayBuffer()) } : null,
    });
    return answer(true, closed.onTime ? "已办结（按期）" : "已办结（逾期办结）", 200);
  } catch (e) {
    if (e instanceof AppError) return answer(false, e.message, e.status, e.fields);
    throw e;
  }
}

const LEVEL_TONES: Record<string, Tone> = { yellow: "yellow", red: "red", supervise: "purple", leader: "red", stall: "gray" };

export default function ActionItemPage() {
  const { item, fired, upcoming, closedAtText } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <>
      <div className="mb-2 text-sm">
        <Link to="/meetings/actions" className="text-brand-700 hover:underline">
          ← 督办台账
        </Link>
      </div>
      <div className="mb-5 flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h1 className="text-xl font-semibold text-slate-900">{item.title}</h1>
          <p className="mt-1 text-sm text-slate-500">
            {ACTION_SOURCE_LABELS[item.source]} · 责任单位 {item.leadDepartmentName ?? "—"}
            {item.owner ? ` · 责任人 ${item.owner}` : ""}
          </p>
        </div>
        <div className="flex items-center gap-2" data-testid="action-item-status" data-status={item.status}>
          {item.status === "open" ? (
            <>
              <Badge tone="blue">{ACTION_STATUS_LABELS.open}</Badge>
              <Countdown remaining={item.remainingWorkingDays} warning={item.warning} paused={false} />
            </>
          ) : item.status === "closed" ? (
            <Badge tone={item.onTime ? "green" : "yellow"}>
              {item.onTime ? "按期办结" : "逾期办结"} {item.closedOn}
            </Badge>
          ) : (
            <Badge tone="gray">{ACTION_STATUS_LABELS[item.status]}</Badge>
          )}
        </div>
      </div>
      {answer ? (
        <div className="mb-4" data-testid="action-result">
          <Alert tone={answer.ok ? "green" : "red"}>{answer.message}</Alert>
        </div>
      ) : null}
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <Card title="事项信息">
            <dl className="grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-2" data-testid="action-item-facts">
              <Fact label="来源">
                {ACTION_SOURCE_LABELS[item.source]}
                {item.meeting ? (
                  <>
                    ：
                    <Link to={`/meetings/${item.meeting.id}`} className="text-brand-700 hover:underline">
                      {meetingName(item.meeting)}
                    </Link>
                    （{item.meeting.heldOn}）
                  </>
                ) : null}
              </Fact>
              {item.decisionText ? <Fact label="会议决定">{item.decisionText}</Fact> : null}
              <Fact label="责任单位">{item.leadDepartmentName ?? "—"}</Fact>
              <Fact label="配合单位">{item.coDepartments.length ? item.coDepartments.map((d) => d.name).join("、") : "—"}</Fact>
              <Fact label="责任人">{item.owner ?? "—"}</Fact>
              <Fact label="关联项目">
                {item.projectId === null ? (
                  "—"
                ) : item.projectOpenable ? (
                  <Link
                    to={item.itemKey ? `/projects/${item.projectId}?item=${encodeURIComponent(item.itemKey)}` : `/projects/${item.projectId}`}
                    className="text-brand-700 hover:underline"
                  >
                    {item.projectName}
                    {item.itemName ? ` · ${item.itemName}` : ""}
                  </Link>
                ) : (
                  `${item.projectName}${item.itemName ? ` · ${item.itemName}` : ""}`
                )}
              </Fact>
              <Fact label="起算日">{item.startOn ?? "—"}</Fact>
              <Fact label="完成时限">
                {item.dueInWorkingDays !== null ? `${item.dueInWorkingDays} 个工作日内，` : ""}
                {item.dueOn} 前{item.provisional ? "（暂估：涉及尚未公布节假日安排的年份）" : ""}
              </Fact>
            </dl>
          </Card>

          {item.status === "closed" ? (
            <Card title="办结情况">
              <div className="space-y-2 text-sm" data-testid="action-item-closed">
                <p className="text-slate-600">
                  {item.closedBy ? `${item.closedBy.name}${item.closedBy.departmentName ? `（${item.closedBy.departmentName}）` : ""}` : "—"} 于{" "}
                  {closedAtText ?? item.closedOn} 办结，{item.onTime ? "按期" : "逾期"}。
                </p>
                <p className="whitespace-pre-wrap rounded-md bg-slate-50 px-3 py-2 text-slate-800">{item.closeNote}</p>
                {item.closeUpload ? (
                  <p>
                    附件：
                    <a href={`/uploads/${item.closeUpload.id}`} className="text-brand-700 hover:underline" data-testid="action-item-file">
                      {item.closeUpload.originalName}
                    </a>
                  </p>
                ) : null}
              </div>
            </Card>
          ) : item.status === "open" && item.canClose ? (
            <Card title="办结">
              <Form method="post" encType="multipart/form-data" className="space-y-3" aria-label="办结督办事项" data-testid="close-action-item">
                <Field label="办理情况" name="note" error={answer && !answer.ok ? answer.fields?.note : undefined} hint="写明做了什么、结果如何（如出具的意见、文号），办结后不能修改。">
                  <Textarea key={answer?.note ?? ""} name="note" defaultValue={answer?.note ?? ""} rows={4} required minLength={2} maxLength={2000} placeholder="例：已于 X 月 X 日出具用地预审意见（文号 …），抄送项目代办员。" />
                </Field>
                {item.canAttach ? (
                  <Field label="附件（可选）" name="file" error={answer && !answer.ok ? answer.fields?.file : undefined} hint="PDF、图片、Word、Excel、ZIP 或 OFD，不超过 20 MB；存入关联项目的材料文件。">
                    <Input type="file" name="file" accept={UPLOAD_ACCEPT} className="py-1" />
                  </Field>
                ) : (
                  <p className="text-xs text-slate-500" data-testid="no-attachment">此事项未关联项目，附件无处存放，不能上传；请在办理情况中写明文件名称和文号。</p>
                )}
                <Button type="submit" name="intent" value="close" disabled={busy} data-testid="close-action-submit">
                  确认办结
                </Button>
              </Form>
            </Card>
          ) : item.status === "open" ? (
            <Alert tone="blue">由责任单位（{item.leadDepartmentName ?? "—"}）的经办人或联席会议协调人办结。</Alert>
          ) : null}
        </div>

        <Card title="预警与督办">
          {fired.length === 0 && upcoming.length === 0 ? (
            <p className="text-sm text-slate-500">暂无</p>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm" data-testid="action-item-escalations">
              {fired.map((e) => (
                <li key={`f-${e.level}-${e.dueOn}`} className="flex flex-wrap items-center gap-2 py-2" data-level={e.level} data-fired="true">
                  <Badge tone={LEVEL_TONES[e.level]}>{LEVEL_LABELS[e.level]}</Badge>
                  <span className="text-xs text-slate-500">
                    到期 {e.dueOn} · 已发出 {e.firedAtText}
                  </span>
                </li>
              ))}
              {upcoming.map((e) => (
                <li key={`u-${e.level}-${e.dueOn}`} className="flex flex-wrap items-center gap-2 py-2 text-slate-400" data-level={e.level} data-fired="false">
                  <Badge tone="gray">{LEVEL_LABELS[e.level]}</Badge>
                  <span className="text-xs">将于 {e.fireAtText} 发出</span>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </>
  );
}

/** The meeting as the minutes name it; its type only when the title does not already say it (most end in 联席会议). */
function meetingName(m: { title: string; type: keyof typeof MEETING_TYPE_LABELS }): string {
  const type = MEETING_TYPE_LABELS[m.type];
  return m.title.includes(type) ? m.title : `${type}「${m.title}」`;
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-slate-800">{children}</dd>
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPanel error={useRouteError()} />;
}
