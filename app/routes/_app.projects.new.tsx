import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Form } from "~/components/form";
import { useState } from "react";
import { Alert, Button, Card, Field, Input, PageHeader, Select } from "~/components/ui";
import { TemplateGraphView, templateGraphStylesheet } from "~/components/graph/template-graph";
import { PROJECT_LEVELS, PROJECT_LEVEL_LABELS } from "~/domain/project/types";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import { createProject } from "~/services/project-creation.server";
import { loadIntakeForm } from "~/services/project-intake.server";
import { readFormValues } from "~/web/intent.server";
import { rejectUnsafeText } from "~/web/input-text.server";
import { requirePermission } from "~/web/session.server";

export const meta: MetaFunction = () => [{ title: "新建项目 · 绿色通道" }];
export const links: LinksFunction = () => [templateGraphStylesheet];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "project.create");
  return { ...loadIntakeForm(serviceContext(), user), me: user.role === "proxy" ? user.id : null };
}

type Values = Record<string, string | string[]>;
type Answer = { ok: false; message: string; fields: Record<string, string>; values: Values };

/** The form's flat fields as createProject's input (the API's body shape). */
function intakeInput(v: Values) {
  const text = (k: string) => (typeof v[k] === "string" ? (v[k] as string) : "");
  const list = (k: string) => (Array.isArray(v[k]) ? (v[k] as string[]) : typeof v[k] === "string" ? [v[k] as string] : []);
  return {
    name: text("name"),
    code: text("code"),
    enterprise: { name: text("enterprise.name"), creditCode: text("enterprise.creditCode") },
    investment: text("investment"),
    industry: text("industry"),
    location: text("location"),
    level: text("level"),
    templateKey: text("templateKey"),
    signedOn: text("signedOn"),
    targetStartOn: text("targetStartOn"),
    proxyUserIds: list("proxyUserIds").filter(Boolean).map(Number),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "project.create");
  const values = await readFormValues(request);
  try {
    rejectUnsafeText(values);
    const { id } = createProject(serviceContext(), user, intakeInput(values));
    return redirect(`/projects/${id}`);
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    return data<Answer>({ ok: false, message: e.message, fields: e.fields ?? {}, values }, { status: e.status });
  }
}

export default function NewProject() {
  const { templates, enterprises, proxies, industries, today, me } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const err = (k: string) => answer?.fields[k];
  const val = (k: string, fallback = "") => {
    const v = answer?.values[k];
    return typeof v === "string" ? v : fallback;
  };
  const chosenProxies = answer ? new Set([answer.values.proxyUserIds ?? []].flat()) : new Set(me ? [String(me)] : []);
  const [templateKey, setTemplateKey] = useState(val("templateKey", templates.find((t) => !t.unusableReason)?.key ?? ""));
  const template = templates.find((t) => t.key === templateKey);

  return (
    <>
      <PageHeader title="新建项目" subtitle="登记签约项目，按模板生成审批事项并倒排计划" actions={<Link to="/projects" className="text-sm text-brand-700 hover:underline">返回项目台账</Link>} />
      {answer ? (
        <div className="mb-4">
          <Alert tone="red">{Object.keys(answer.fields).length > 1 ? `有 ${Object.keys(answer.fields).length} 处需要修改，已在对应栏目下标出` : answer.message}</Alert>
        </div>
      ) : null}
      <Form method="post" className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]" noValidate>
        <div className="space-y-6">
          <Card title="项目">
            <div className="grid gap-4 md:grid-cols-2">
              <Field label="项目名称" name="name" error={err("name")}>
                <Input name="name" defaultValue={val("name")} required maxLength={100} aria-invalid={Boolean(err("name"))} />
              </Field>
              <Field label="项目代码" name="code" error={err("code")} hint="在线审批监管平台赋码，如 2026-330100-34-03-000123；暂未赋码可留空">
                <Input name="code" defaultValue={val("code")} placeholder="2026-330100-34-03-000123" aria-invalid={Boolean(err("code"))} />
              </Field>
              <Field label="投资额（万元）" name="investment" error={err("investment")}>
                <Input name="investment" inputMode="decimal" defaultValue={val("investment")} aria-invalid={Boolean(err("investment"))} />
              </Field>
              <Field label="所属行业" name="industry" error={err("industry")}>
                <Input name="industry" list="industry-options" defaultValue={val("industry")} />
                <datalist id="industry-options">
                  {industries.map((i) => (
                    <option key={i} value={i} />
                  ))}
                </datalist>
              </Field>
              <Field label="建设地点 / 所在区域" name="location" error={err("location")}>
                <Input name="location" defaultValue={val("location")} placeholder="如 高新区科创大道 88 号" />
              </Field>
              <Field label="项目级别" name="level" error={err("level")}>
                <Select name="level" defaultValue={val("level", "city")}>
                  {PROJECT_LEVELS.map((l) => (
                    <option key={l} value={l}>
                      {PROJECT_LEVEL_LABELS[l]}
                    </option>
                  ))}
                </Select>
              </Field>
            </div>
          </Card>
          <Card title="建设单位（企业）">
            <p className="mb-3 text-xs text-slate-500">输入企业名称或统一社会信用代码可从已登记企业中选择；新企业请填写 18 位统一社会信用代码（按 GB 32100-2015 校验）。</p>
            <div className="grid gap-4 md:grid-cols-2">
              <Field label="企业名称" name="enterprise.name" error={err("enterprise.name") ?? err("enterprise")}>
                <Input name="enterprise.name" list="enterprise-names" defaultValue={val("enterprise.name")} autoComplete="off" aria-invalid={Boolean(err("enterprise.name"))} />
                <datalist id="enterprise-names">
                  {enterprises.map((e) => (
                    <option key={e.id} value={e.name}>
                      {e.creditCode}
                    </option>
                  ))}
                </datalist>
              </Field>
              <Field label="统一社会信用代码" name="enterprise.creditCode" error={err("enterprise.creditCode")}>
                <Input
                  name="enterprise.creditCode"
                  list="enterprise-codes"
                  defaultValue={val("enterprise.creditCode")}
                  autoComplete="off"
                  className="font-mono uppercase"
                  maxLength={18}
                  aria-invalid={Boolean(err("enterprise.creditCode"))}
                />
                <datalist id="enterprise-codes">
                  {enterprises.map((e) => (
                    <option key={e.id} value={e.creditCode}>
                      {e.name}
                    </option>
                  ))}
                </datalist>
              </Field>
            </div>
          </Card>
          <Card title="审批模板与时间">
            <div className="grid gap-4 md:grid-cols-[minmax(0,2fr)_minmax(0,1fr)_minmax(0,1fr)]">
              <Field label="审批模板" name="templateKey" error={err("templateKey") ?? err("template")}>
                <Select name="templateKey" value={templateKey} onChange={(e) => setTemplateKey(e.target.value)}>
                  {templates.map((t) => (
                    <option key={t.key} value={t.key} disabled={Boolean(t.unusableReason)}>
                      {t.name}（第 {t.version} 版）{t.unusableReason ? "（暂不可用）" : ""}
                    </option>
                  ))}
                </Select>
              </Field>
              <Field label="签约日期" name="signedOn" error={err("signedOn")}>
                <Input name="signedOn" type="date" defaultValue={val("signedOn", today)} required />
              </Field>
              <Field label="计划开工日期" name="targetStartOn" error={err("targetStartOn")} hint="倒排计划的目标日">
                <Input name="targetStartOn" type="date" defaultValue={val("targetStartOn")} required />
              </Field>
            </div>
            {template ? (
              <div className="mt-3 space-y-2">
                <p className="text-xs text-slate-500" data-testid="template-summary">
                  「{template.name}」第 {template.version} 版：{template.items} 个审批与办理事项，涉及 {template.departments} 个部门。下图为该模板的审批关系（只读预览）。
                </p>
                {template.unusableReason ? <Alert tone="yellow">{template.unusableReason}</Alert> : null}
                <div data-testid="template-preview">
                  <TemplateGraphView key={template.key} graph={template.graph} height={420} />
                </div>
              </div>
            ) : null}
          </Card>
        </div>
        <div className="space-y-6">
          <Card title="代办员">
            <fieldset aria-describedby={err("proxyUserIds") ? "proxyUserIds-error" : undefined}>
              <legend className="mb-2 text-xs text-slate-500">负责本项目的代办员（可多选，之后可在项目页调整）</legend>
              <div className="max-h-64 space-y-1 overflow-y-auto">
                {proxies.map((p) => (
                  <label key={p.id} className="flex items-center gap-2 text-sm">
                    <input type="checkbox" name="proxyUserIds" value={p.id} defaultChecked={chosenProxies.has(String(p.id))} />
                    {p.displayName}
                    <span className="text-xs text-slate-400">{p.login}</span>
                  </label>
                ))}
                {proxies.length === 0 ? <p className="text-sm text-slate-500">尚无启用的代办员，请管理员在「系统管理 → 用户」中添加。</p> : null}
              </div>
              {err("proxyUserIds") ? (
                <p id="proxyUserIds-error" className="mt-1 text-xs text-red-600" role="alert">
                  {err("proxyUserIds")}
                </p>
              ) : null}
            </fieldset>
          </Card>
          <Button type="submit" className="w-full" disabled={busy}>
            {busy ? "正在创建…" : "创建项目并生成计划"}
          </Button>
          <p className="text-xs text-slate-500">保存后将按模板生成审批事项与依赖关系、计算倒排计划，并进入项目页。</p>
        </div>
      </Form>
    </>
  );
}
