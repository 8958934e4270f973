import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { z } from "zod";
import { useActionData, useLoaderData } from "@remix-run/react";
import { Form } from "~/components/form";
import { Alert, Badge, Button, ButtonLink, Card, Field, Input, PageHeader } from "~/components/ui";
import { getAdminOverview } from "~/services/admin.server";
import { serviceContext } from "~/services/context.server";
import { dispatchIntent } from "~/web/intent.server";
import { savePolicy } from "~/services/settings.server";
import { getPolicy } from "~/services/time-rules.server";
import { isQueueReachable } from "~/services/system-status.server";
import { requirePermission } from "~/web/session.server";
import { shanghaiDateTime } from "~/domain/calendar";

export const meta: MetaFunction = () => [{ title: "系统管理 · 绿色通道" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "admin.manage");
  const ctx = serviceContext();
  return { ...getAdminOverview(ctx, user), policy: getPolicy(ctx.db), redis: await isQueueReachable(), now: ctx.now.getTime() };
}

const intents = z.discriminatedUnion("intent", [z.object({ intent: z.literal("policy") }).passthrough()]);

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "admin.manage");
  return dispatchIntent(request, intents, (input) => {
    savePolicy(serviceContext(), user, input);
    return { message: "升级规则已保存，所有未触发的提醒已按新规则重新排定" };
  });
}

const POLICY_FIELDS = [
  { name: "yellowLead", label: "预警：到期前（工作日）" },
  { name: "redAfter", label: "超期提醒：到期后（工作日）" },
  { name: "superviseAfter", label: "督办：到期后（工作日）" },
  { name: "leaderAfter", label: "领导督办：到期后（工作日）" },
  { name: "stallAfter", label: "停滞：无进展（工作日）" },
] as const;

export default function AdminPage() {
  const { departments, summary, workerHeartbeat, redis, now, policy } = useLoaderData<typeof loader>();
  const busiest = departments.filter((d) => d.items > 0).sort((a, b) => b.items - a.items).slice(0, 3);
  const result = useActionData<typeof action>();
  const workerFresh = workerHeartbeat !== null && now - workerHeartbeat < 90_000;
  return (
    <>
      <PageHeader
        title="系统管理"
        subtitle="运行状态、升级规则与各项设置"
        actions={
          <>
            <ButtonLink to="/admin/departments">部门</ButtonLink>
            <ButtonLink to="/admin/users">用户</ButtonLink>
            <ButtonLink to="/admin/templates">模板库</ButtonLink>
            <ButtonLink to="/admin/import">台账导入</ButtonLink>
            <ButtonLink to="/admin/integrations">系统对接</ButtonLink>
            <ButtonLink to="/admin/calendar">工作日历</ButtonLink>
            <ButtonLink to="/admin/status">运行状态</ButtonLink>
            <ButtonLink to="/admin/audit">审计日志</ButtonLink>
            <a href="/admin/queues" className="inline-flex items-center rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50">
              任务队列面板
            </a>
          </>
        }
      />
      <div className="mb-6 grid gap-3 md:grid-cols-2">
        <Card title="运行状态">
          <dl className="grid grid-cols-2 gap-y-2 text-sm">
            <dt className="text-slate-500">Redis（预警派发）</dt>
            <dd>{redis ? <Badge tone="green">正常</Badge> : <Badge tone="red">无法连接</Badge>}</dd>
            <dt className="text-slate-500">后台任务进程</dt>
            <dd>
              {workerFresh ? <Badge tone="green">运行中</Badge> : <Badge tone="yellow">无心跳</Badge>}
              {workerHeartbeat ? <span className="ml-2 text-xs text-slate-500">最近心跳 {shanghaiDateTime(workerHeartbeat)}</span> : null}
            </dd>
          </dl>
        </Card>
        <Card title="升级规则（全市默认；事项可单独设置预警提前量）">
          <Form method="post" className="space-y-3">
            <input type="hidden" name="intent" value="policy" />
            {result ? <Alert tone={result.ok ? "green" : "red"}>{result.message}</Alert> : null}
            <div className="grid grid-cols-2 gap-3 lg:grid-cols-3">
              {POLICY_FIELDS.map((f) => (
                <Field key={f.name} label={f.label} name={f.name}>
                  <Input name={f.name} type="number" min={0} defaultValue={policy[f.name]} required />
                </Field>
              ))}
            </div>
            <p className="text-xs text-slate-500">每级在所指工作日 09:00 触发；消息只在工作日 08:30–18:00 送达，其余时间顺延到下一个工作日早上。</p>
            <Button type="submit">保存规则</Button>
          </Form>
        </Card>
      </div>
      <div className="grid gap-3 md:grid-cols-3">
        <Card title="部门" actions={<ButtonLink to="/admin/departments">管理部门</ButtonLink>}>
          <p className="text-sm text-slate-700">
            启用 <strong className="tabular-nums">{summary.departments.active}</strong> 个
            {summary.departments.inactive ? <span className="text-slate-500">，停用 {summary.departments.inactive} 个</span> : null}
          </p>
          <p className="mt-1 text-xs text-slate-500">
            在办事项最多：
            {busiest.length ? busiest.map((d) => `${d.code} ${d.items}`).join("、") : "暂无"}
          </p>
        </Card>
        <Card title="用户" actions={<ButtonLink to="/admin/users">管理用户</ButtonLink>}>
          <p className="text-sm text-slate-700">
            启用 <strong className="tabular-nums">{summary.users.active}</strong> 人
            {summary.users.inactive ? <span className="text-slate-500">，停用 {summary.users.inactive} 人</span> : null}
          </p>
          <p className="mt-1 text-xs text-slate-500">
            {summary.users.byRole
              .filter((r) => r.n > 0)
              .map((r) => `${r.label} ${r.n}`)
              .join("、") || "暂无"}
          </p>
        </Card>
        <Card title="系统对接" actions={<ButtonLink to="/admin/integrations">管理对接账号</ButtonLink>}>
          <p className="text-sm text-slate-700">
            启用的对接账号 <strong className="tabular-nums">{summary.integrations}</strong> 个
          </p>
          <p className="mt-1 text-xs text-slate-500">对接账号只能通过 API 令牌访问，每次调用都记入审计日志。</p>
        </Card>
      </div>
    </>
  );
}
