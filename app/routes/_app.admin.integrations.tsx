import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { Form } from "~/components/form";
import { z } from "zod";
import { Alert, Badge, Button, ButtonLink, Card, EmptyState, Field, Input, PageHeader, Table, Td, Th } from "~/components/ui";
import { parseId } from "~/domain/validation/id";
import { serviceContext } from "~/services/context.server";
import {
  createIntegrationAccount,
  issueIntegrationToken,
  listIntegrationAccounts,
  revokeIntegrationToken,
  setIntegrationAccountActive,
} from "~/services/directory.server";
import { dispatchIntent, readFormValues } from "~/web/intent.server";
import { requirePermission } from "~/web/session.server";
import { shanghaiDateTime } from "~/domain/calendar";

export const meta: MetaFunction = () => [{ title: "系统对接 · 系统管理 · 绿色通道" }];

// A document answer may show a new token: no browser or proxy keeps any version of this page.
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "admin.manage");
  return { accounts: listIntegrationAccounts(serviceContext(), user) };
}

const id = z.string();
const intents = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("create") }).passthrough(),
  z.object({ intent: z.literal("issueToken"), id }).passthrough(),
  z.object({ intent: z.literal("revokeToken"), tokenId: z.string() }),
  z.object({ intent: z.literal("deactivate"), id }),
  z.object({ intent: z.literal("reactivate"), id }),
]);

/** An id from a hidden field; a forged one reads as 0, which no row has (404 from the service). */
const rowId = (raw: string) => parseId(raw) ?? 0;

interface IssuedToken {
  login: string;
  label: string;
  token: string;
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "admin.manage");
  const ctx = serviceContext();
  const values = await readFormValues(request.clone());
  let issued: IssuedToken | null = null;
  const answer = await dispatchIntent(request, intents, (input) => {
    switch (input.intent) {
      case "create": {
        const a = createIntegrationAccount(ctx, user, input);
        return { message: `已创建系统对接账号「${a.login}」，请为其签发令牌`, itemKey: "create" };
      }
      case "issueToken": {
        const t = issueIntegrationToken(ctx, user, rowId(input.id), input);
        issued = { login: t.login, label: String(input.label ?? "").trim(), token: t.token };
        return { message: `已为「${t.login}」签发令牌` };
      }
      case "revokeToken": {
        const t = revokeIntegrationToken(ctx, user, rowId(input.tokenId));
        return { message: `已吊销令牌「${t.label}」：使用它的调用将被拒绝（401）` };
      }
      case "deactivate": {
        const a = setIntegrationAccountActive(ctx, user, rowId(input.id), false);
        return { message: `已停用「${a.login}」：其全部令牌随即失效` };
      }
      case "reactivate": {
        const a = setIntegrationAccountActive(ctx, user, rowId(input.id), true);
        return { message: `已重新启用「${a.login}」：未吊销的令牌恢复可用` };
      }
    }
  });
  const init = answer.init ?? {};
  // The token is in this answer only: no browser or proxy may keep a copy.
  return data({ ...answer.data, issued: issued as IssuedToken | null, values: answer.data.ok ? null : values }, { ...init, headers: { "Cache-Control": "no-store" } });
}

const when = (ms: number | null) => (ms === null ? "—" : shanghaiDateTime(ms));

export default function IntegrationsAdmin() {
  const { accounts } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const createAnswer = answer?.itemKey === "create" ? answer : null;
  const rowAnswer = answer && answer.itemKey !== "create" ? answer : null;
  const values = createAnswer && !createAnswer.ok ? createAnswer.values : null;
  return (
    <>
      <PageHeader
        title="系统对接"
        subtitle="省级平台等外部系统的账号：只能通过 API 令牌访问，可创建项目、记录任一事项的办理节点；每次调用都记入审计日志。"
        actions={<ButtonLink to="/admin">返回系统管理</ButtonLink>}
      />
      {answer?.issued ? (
        <div className="mb-4 rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900" role="status">
          <p className="font-medium">
            已为「{answer.issued.login}」签发令牌「{answer.issued.label}」。令牌只显示这一次，系统只保存其摘要，离开本页后无法再次查看：
          </p>
          <p className="mt-2 break-all">
            <code className="select-all rounded bg-white px-2 py-1 font-mono text-sm text-slate-900" data-testid="api-token">
              {answer.issued.token}
            </code>
          </p>
          <p className="mt-2 text-xs">对方系统调用时在请求头中携带：Authorization: Bearer &lt;令牌&gt;。</p>
        </div>
      ) : rowAnswer ? (
        <div className="mb-4">
          <Alert tone={rowAnswer.ok ? "green" : "red"}>{rowAnswer.message}</Alert>
        </div>
      ) : null}
      <div className="space-y-4">
        {accounts.length ? (
          accounts.map((a) => (
            <Card
              key={a.id}
              title={
                <span className="flex items-center gap-2">
                  {a.displayName} <span className="font-mono text-xs text-slate-500">{a.login}</span>
                  {a.active ? <Badge tone="green">启用</Badge> : <Badge>停用</Badge>}
                </span>
              }
              actions={
                <Form method="post">
                  <input type="hidden" name="intent" value={a.active ? "deactivate" : "reactivate"} />
                  <input type="hidden" name="id" value={a.id} />
                  <input type="hidden" name="itemKey" value={`account-${a.id}`} />
                  <Button type="submit" variant={a.active ? "danger" : "secondary"} className="py-0.5 text-xs">
                    {a.active ? "停用账号" : "重新启用"}
                  </Button>
                </Form>
              }
            >
              {a.tokens.length ? (
                <Table className="mb-3">
                  <thead>
                    <tr>
                      <Th>令牌用途</Th>
                      <Th>签发时间</Th>
                      <Th>最近使用</Th>
                      <Th>状态</Th>
                      <Th />
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100">
                    {a.tokens.map((t) => (
                      <tr key={t.id}>
                        <Td>{t.label}</Td>
                        <Td>{when(t.createdAt)}</Td>
                        <Td>{when(t.lastUsedAt)}</Td>
                        <Td>{t.revokedAt ? <Badge>已吊销 {when(t.revokedAt)}</Badge> : <Badge tone="green">有效</Badge>}</Td>
                        <Td>
                          {t.revokedAt ? null : (
                            <Form method="post" className="flex justify-end">
                              <input type="hidden" name="intent" value="revokeToken" />
                              <input type="hidden" name="tokenId" value={t.id} />
                              <input type="hidden" name="itemKey" value={`account-${a.id}`} />
                              <Button type="submit" variant="danger" className="py-0.5 text-xs">
                                吊销
                              </Button>
                            </Form>
                          )}
                        </Td>
                      </tr>
                    ))}
                  </tbody>
                </Table>
              ) : (
                <p className="mb-3 text-sm text-slate-500">尚未签发令牌。</p>
              )}
              {a.active ? (
                <Form method="post" className="flex items-end gap-2">
                  <input type="hidden" name="intent" value="issueToken" />
                  <input type="hidden" name="id" value={a.id} />
                  <input type="hidden" name="itemKey" value={`account-${a.id}`} />
                  <Field label="新令牌用途" name={`label-${a.id}`} error={rowAnswer && !rowAnswer.ok && rowAnswer.itemKey === `account-${a.id}` ? rowAnswer.fields?.label : undefined}>
                    <Input id={`label-${a.id}`} name="label" maxLength={100} placeholder="例如：生产环境 2026" required />
                  </Field>
                  <Button type="submit">签发令牌</Button>
                </Form>
              ) : null}
            </Card>
          ))
        ) : (
          <EmptyState title="还没有系统对接账号">创建账号后为其签发令牌，交给对方系统的管理员。</EmptyState>
        )}
        <div className="max-w-2xl">
          <Card title="新建系统对接账号">
            <Form method="post" className="space-y-3" key={createAnswer?.ok ? createAnswer.message : "create"}>
              <input type="hidden" name="intent" value="create" />
              <input type="hidden" name="itemKey" value="create" />
              {createAnswer ? <Alert tone={createAnswer.ok ? "green" : "red"}>{createAnswer.message}</Alert> : null}
              <div className="grid grid-cols-2 gap-3">
                <Field label="登录名" name="login" error={createAnswer?.fields?.login} hint="2–64 位字母、数字、.、_、-">
                  <Input name="login" maxLength={64} autoComplete="off" placeholder="province-platform" defaultValue={typeof values?.login === "string" ? values.login : ""} required />
                </Field>
                <Field label="账号名称" name="displayName" error={createAnswer?.fields?.displayName}>
                  <Input name="displayName" maxLength={50} placeholder="省投资项目在线审批监管平台" defaultValue={typeof values?.displayName === "string" ? values.displayName : ""} required />
                </Field>
              </div>
              <p className="text-xs text-slate-500">对接账号没有可用的登录密码，不能登录页面。</p>
              <Button type="submit">创建账号</Button>
            </Form>
          </Card>
        </div>
      </div>
    </>
  );
}
