import { Form } from "~/components/form";
import { isClosedProject, PROJECT_CLOSE_LABELS, PROJECT_CLOSE_OUTCOMES } from "~/domain/project/types";
import type { ProjectPage } from "~/services/project-page.server";
import { Alert, Button, Card, Field, Input, Textarea } from "~/components/ui";
import { shanghaiDateTime } from "~/domain/calendar";

type Answer = { ok: boolean; message: string; fields?: Record<string, string>; intent?: string } | undefined;

/**
 * 项目设置 under the board: who runs the project, the 开工 target and its history
 * (every change with its reason — DESIGN §4), and closing the project. Plain forms:
 * they work without JavaScript; a refusal comes back next to its field.
 */
export function ProjectSettings({ page, today, answer }: { page: Pick<ProjectPage, "view" | "setup">; today: string; answer: Answer }) {
  const { view, setup } = page;
  const { project } = view;
  const closed = isClosedProject(project.status);
  const mine = (intent: string) => (answer && !answer.ok && answer.intent === intent ? answer : undefined);
  const err = (intent: string, field: string) => mine(intent)?.fields?.[field];
  const assigned = new Set(view.proxies.map((p) => p.id));

  return (
    <Card title="项目设置：代办员、计划开工与关闭">
      <div className="grid gap-6 lg:grid-cols-3">
        <section aria-labelledby="proxies-title" className="space-y-3">
          <h3 id="proxies-title" className="text-sm font-semibold text-slate-700">
            代办员
          </h3>
          <p className="text-sm text-slate-600" data-testid="project-proxies">
            {view.proxies.map((p) => p.displayName).join("、") || "未分配"}
          </p>
          {view.can.edit && !closed ? (
            <Form method="post" className="space-y-2" aria-label="调整代办员">
              <input type="hidden" name="intent" value="proxies" />
              <fieldset className="max-h-48 space-y-1 overflow-y-auto rounded border border-slate-200 p-2">
                <legend className="sr-only">选择代办员</legend>
                {setup.proxyOfficers.map((p) => (
                  <label key={p.id} className="flex items-center gap-2 text-sm">
                    <input type="checkbox" name="proxyUserIds" value={p.id} defaultChecked={assigned.has(p.id)} />
                    {p.displayName}
                    <span className="text-xs text-slate-400">{p.login}</span>
                  </label>
                ))}
              </fieldset>
              {err("proxies", "proxyUserIds") ? (
                <p className="text-xs text-red-600" role="alert">
                  {err("proxies", "proxyUserIds")}
                </p>
              ) : null}
              <Button type="submit" variant="secondary">
                保存代办员
              </Button>
            </Form>
          ) : null}
        </section>

        <section aria-labelledby="timetable-title" className="space-y-3">
          <h3 id="timetable-title" className="text-sm font-semibold text-slate-700">
            计划开工日期：<span className="tabular-nums">{project.targetStartOn}</span>
          </h3>
          {setup.timetableChanges.length ? (
            <ol className="space-y-2 text-sm" data-testid="timetable-changes">
              {setup.timetableChanges.map((c) => (
                <li key={c.id} className="rounded border border-slate-200 px-3 py-2">
                  <div className="font-medium tabular-nums text-slate-800">
                    {c.from} → {c.to}
                  </div>
                  <div className="text-slate-700">{c.reason}</div>
                  <div className="text-xs text-slate-500">
                    {c.by} · {shanghaiDateTime(c.at)}
                  </div>
                </li>
              ))}
            </ol>
          ) : (
            <p className="text-xs text-slate-500">计划开工日期未调整过。</p>
          )}
          {view.can.edit && !closed ? (
            <Form method="post" className="space-y-2" aria-label="调整计划开工日期">
              <input type="hidden" name="intent" value="reschedule" />
              <Field label="新的计划开工日期" name="targetStartOn" error={err("reschedule", "targetStartOn")}>
                <Input name="targetStartOn" type="date" required min={project.signedOn} />
              </Field>
              <Field label="调整原因（必填，将记入代办日志）" name="reason" error={err("reschedule", "reason")}>
                <Textarea name="reason" rows={2} required maxLength={500} />
              </Field>
              <Button type="submit" variant="secondary">
                调整计划开工日期
              </Button>
            </Form>
          ) : null}
        </section>

        <section aria-labelledby="close-title" className="space-y-3">
          <h3 id="close-title" className="text-sm font-semibold text-slate-700">
            关闭项目
          </h3>
          {closed ? (
            <Alert tone={project.status === "withdrawn" ? "yellow" : "green"}>
              项目{project.statusLabel}
              {project.closedOn ? `（${project.closedOn}）` : ""}
              {project.closeReason ? `：${project.closeReason}` : ""}。已关闭的项目不在在办列表中，仍可搜索查看。
            </Alert>
          ) : view.can.edit ? (
            <Form method="post" className="space-y-2" aria-label="关闭项目">
              <input type="hidden" name="intent" value="close" />
              <fieldset className="flex gap-4 text-sm">
                <legend className="sr-only">关闭方式</legend>
                {PROJECT_CLOSE_OUTCOMES.map((o) => (
                  <label key={o} className="flex items-center gap-1.5">
                    <input type="radio" name="outcome" value={o} defaultChecked={o === "started"} />
                    {PROJECT_CLOSE_LABELS[o]}
                  </label>
                ))}
              </fieldset>
              <Field label="日期（开工日或撤销日）" name="closeOn" error={err("close", "on")}>
                <Input id="closeOn" name="on" type="date" defaultValue={today} max={today} required />
              </Field>
              <Field label="说明（必填）" name="closeReason" error={err("close", "reason")}>
                <Textarea id="closeReason" name="reason" rows={2} required maxLength={500} />
              </Field>
              <p className="text-xs text-slate-500">撤销项目会终止所有在办事项的计时，不再发出预警和督办。</p>
              <Button type="submit" variant="danger">
                关闭项目
              </Button>
            </Form>
          ) : (
            <p className="text-xs text-slate-500">项目在办中。</p>
          )}
        </section>
      </div>
    </Card>
  );
}
