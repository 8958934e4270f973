import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { Form } from "~/components/form";
import { z } from "zod";
import { Alert, Badge, Button, ButtonLink, Card, EmptyState, Field, Input, PageHeader, Select, Table, Td, Th } from "~/components/ui";
import { parseId } from "~/domain/validation/id";
import { serviceContext } from "~/services/context.server";
import { createUser, listUsers, resetPassword, setUserActive, updateUser, userFormChoices, type UserView } from "~/services/directory.server";
import { dispatchIntent, readFormValues } from "~/web/intent.server";
import { requirePermission } from "~/web/session.server";

export const meta: MetaFunction = () => [{ title: "用户 · 系统管理 · 绿色通道" }];

// A document answer may show a one-time password: no browser or proxy keeps any version of this page.
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "admin.manage");
  const ctx = serviceContext();
  const q = new URL(request.url).searchParams;
  const { users, filter } = listUsers(ctx, user, { role: q.get("role"), active: q.get("active"), q: q.get("q") });
  const editing = users.find((u) => u.id === parseId(q.get("edit"))) ?? null;
  const choices = userFormChoices(ctx, user, q.get("eq") ?? "", editing?.enterpriseId ? [editing.enterpriseId] : []);
  return { users, filter, editing, choices, self: user.id };
}

const id = z.string();
const intents = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("create") }).passthrough(),
  z.object({ intent: z.literal("update"), id }).passthrough(),
  z.object({ intent: z.literal("resetPassword"), id }),
  z.object({ intent: z.literal("deactivate"), id }),
  z.object({ intent: z.literal("reactivate"), id }),
]);

/** An id from a hidden field; a forged one reads as 0, which no row has (404 from the service). */
const rowId = (raw: string) => parseId(raw) ?? 0;

/** A one-time password, in the one answer that shows it. */
interface Secret {
  login: string;
  password: string;
  created: boolean;
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "admin.manage");
  const ctx = serviceContext();
  const values = await readFormValues(request.clone());
  let secret: Secret | null = null;
  const answer = await dispatchIntent(request, intents, async (input) => {
    switch (input.intent) {
      case "create": {
        const u = await createUser(ctx, user, input);
        secret = { login: u.login, password: u.oneTimePassword, created: true };
        return { message: `已创建用户「${u.login}」`, itemKey: "create" };
      }
      case "update":
        updateUser(ctx, user, rowId(input.id), input);
        return { message: "已保存用户信息" };
      case "resetPassword": {
        const r = await resetPassword(ctx, user, rowId(input.id));
        secret = { login: r.login, password: r.oneTimePassword, created: false };
        return { message: `已重置「${r.login}」的密码` };
      }
      case "deactivate": {
        const r = setUserActive(ctx, user, rowId(input.id), false);
        return { message: `已停用「${r.login}」：不能再登录，其 API 令牌同时失效` };
      }
      case "reactivate": {
        const r = setUserActive(ctx, user, rowId(input.id), true);
        return { message: `已重新启用「${r.login}」` };
      }
    }
  });
  const init = answer.init ?? {};
  // The one-time password is in this answer only: no browser or proxy may keep a copy.
  return data({ ...answer.data, secret: secret as Secret | null, values: answer.data.ok ? null : values }, { ...init, headers: { "Cache-Control": "no-store" } });
}

type Values = Record<string, string | string[]> | null | undefined;
const val = (values: Values, name: string, fallback: string | number | null = "") => {
  const v = values?.[name];
  return typeof v === "string" ? v : fallback === null ? "" : String(fallback);
};

export default function UsersAdmin() {
  const { users, filter, editing, choices, self } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const createAnswer = answer?.itemKey === "create" ? answer : null;
  const rowAnswer = answer && answer.itemKey !== "create" ? answer : null;
  const filterParams = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== ""));
  const editLink = (userId: number) => `?${new URLSearchParams([...filterParams, ["edit", String(userId)]])}`;
  return (
    <>
      <PageHeader
        title="用户"
        subtitle="创建账号时生成一次性密码，只显示一次；用户首次登录须自行设置新密码。系统对接账号在「系统对接」页面管理。"
        actions={<ButtonLink to="/admin">返回系统管理</ButtonLink>}
      />
      {answer?.secret ? <SecretNotice secret={answer.secret} /> : null}
      {rowAnswer && !answer?.secret ? (
        <div className="mb-4">
          <Alert tone={rowAnswer.ok ? "green" : "red"}>{rowAnswer.message}</Alert>
        </div>
      ) : null}
      {editing ? <EditUser key={editing.id} user={editing} choices={choices} answer={rowAnswer} /> : null}
      <Form method="get" className="mb-3 flex flex-wrap items-end gap-3" role="search">
        <Field label="角色" name="role">
          <Select name="role" defaultValue={filter.role ?? ""}>
            <option value="">全部角色</option>
            {choices.pageRoles.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="状态" name="active">
          <Select name="active" defaultValue={filter.active ?? ""}>
            <option value="">全部</option>
            <option value="1">启用</option>
            <option value="0">停用</option>
          </Select>
        </Field>
        <Field label="搜索登录名或姓名" name="q">
          <Input name="q" defaultValue={filter.q ?? ""} maxLength={64} />
        </Field>
        <Button type="submit" variant="secondary">
          筛选
        </Button>
      </Form>
      {users.length ? (
        <Table>
          <thead>
            <tr>
              <Th>登录名</Th>
              <Th>姓名</Th>
              <Th>角色</Th>
              <Th>所属单位</Th>
              <Th>联系方式</Th>
              <Th>状态</Th>
              <Th />
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {users.map((u) => (
              <tr key={u.id} className={u.active ? undefined : "bg-slate-50 text-slate-400"}>
                <Td className="font-mono text-xs">{u.login}</Td>
                <Td>
                  {u.displayName}
                  {u.id === self ? <Badge className="ml-1">本人</Badge> : null}
                  {u.isDepartmentLeader ? <Badge tone="blue" className="ml-1">部门负责人</Badge> : null}
                  {u.mustChangePassword ? <Badge tone="yellow" className="ml-1">待设置密码</Badge> : null}
                </Td>
                <Td>{u.roleLabel}</Td>
                <Td>{u.departmentName ?? u.enterpriseName ?? "—"}</Td>
                <Td className="text-xs">{[u.phone, u.email].filter(Boolean).join(" · ") || "—"}</Td>
                <Td>{u.active ? <Badge tone="green">启用</Badge> : <Badge>停用</Badge>}</Td>
                <Td>
                  <div className="flex justify-end gap-2">
                    <Link to={editLink(u.id)} className="text-sm text-brand-700 hover:underline">
                      编辑
                    </Link>
                    <RowButton userId={u.id} intent="resetPassword" label="重置密码" />
                    {u.active ? <RowButton userId={u.id} intent="deactivate" label="停用" danger /> : <RowButton userId={u.id} intent="reactivate" label="重新启用" />}
                  </div>
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      ) : (
        <EmptyState title="没有符合条件的用户" />
      )}
      <div className="mt-6 max-w-3xl">
        <Card title="新建用户">
          <EnterpriseSearch query={choices.enterpriseQuery} keep={filterParams} />
          <Form method="post" className="mt-3 space-y-3" key={createAnswer?.ok ? createAnswer.message : "create"}>
            <input type="hidden" name="intent" value="create" />
            <input type="hidden" name="itemKey" value="create" />
            {createAnswer && !createAnswer.ok ? <Alert tone="red">{createAnswer.message}</Alert> : null}
            <div className="grid grid-cols-2 gap-3">
              <Field label="登录名" name="login" error={createAnswer?.fields?.login} hint="2–64 位字母、数字、.、_、-">
                <Input name="login" maxLength={64} autoComplete="off" defaultValue={val(createAnswer?.values, "login")} required />
              </Field>
              <UserDetails values={createAnswer?.values} fields={createAnswer?.fields} choices={choices} current={null} />
            </div>
            <Button type="submit">创建用户并生成一次性密码</Button>
          </Form>
        </Card>
      </div>
    </>
  );
}

function SecretNotice({ secret }: { secret: Secret }) {
  return (
    <div className="mb-4 rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900" role="status">
      <p className="font-medium">
        {secret.created ? "已创建用户" : "已重置密码"}「{secret.login}」。一次性密码（只显示这一次，离开本页后无法再次查看）：
      </p>
      <p className="mt-2">
        <code className="select-all rounded bg-white px-2 py-1 font-mono text-base tracking-wider text-slate-900" data-testid="one-time-password">
          {secret.password}
        </code>
      </p>
      <p className="mt-2 text-xs">请当面或通过安全渠道交给本人。首次登录时系统会要求其设置新密码；原密码（如有）已失效。</p>
    </div>
  );
}

function RowButton({ userId, intent, label, danger }: { userId: number; intent: string; label: string; danger?: boolean }) {
  return (
    <Form method="post">
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="id" value={userId} />
      <input type="hidden" name="itemKey" value={`user-${userId}`} />
      <Button type="submit" variant={danger ? "danger" : "secondary"} className="py-0.5 text-xs">
        {label}
      </Button>
    </Form>
  );
}

/** Narrows the enterprise list by name or 统一社会信用代码 (a GET, so it works without JavaScript). */
function EnterpriseSearch({ query, keep }: { query: string; keep: URLSearchParams }) {
  return (
    <Form method="get" className="flex items-end gap-2" role="search">
      {[...keep].map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <Field label="查找企业（名称或统一社会信用代码，供企业联系人选择）" name="eq">
        <Input name="eq" defaultValue={query} maxLength={64} />
      </Field>
      <Button type="submit" variant="secondary">
        查找
      </Button>
    </Form>
  );
}

type Choices = ReturnType<typeof useLoaderData<typeof loader>>["choices"];

function UserDetails({ values, fields, choices, current }: { values: Values; fields?: Record<string, string>; choices: Choices; current: UserView | null }) {
  const inactiveCurrent = current?.departmentId ? choices.inactiveDepartments.find((d) => d.id === current.departmentId) : undefined;
  return (
    <>
      <Field label="姓名" name="displayName" error={fields?.displayName}>
        <Input name="displayName" maxLength={50} defaultValue={val(values, "displayName", current?.displayName ?? "")} required />
      </Field>
      <Field label="角色" name="role" error={fields?.role}>
        <Select name="role" defaultValue={val(values, "role", current?.role ?? "proxy")}>
          {choices.pageRoles.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="所属部门（部门经办人必选，其他角色留空）" name="departmentId" error={fields?.departmentId}>
        <Select name="departmentId" defaultValue={val(values, "departmentId", current?.departmentId ?? "")}>
          <option value="">—</option>
          {choices.departments.map((d) => (
            <option key={d.id} value={d.id}>
              {d.code} · {d.name}
            </option>
          ))}
          {inactiveCurrent ? (
            <option value={inactiveCurrent.id}>
              {inactiveCurrent.code} · {inactiveCurrent.name}（已停用）
            </option>
          ) : null}
        </Select>
      </Field>
      <Field
        label="所属企业（企业联系人必选，其他角色留空）"
        name="enterpriseId"
        error={fields?.enterpriseId}
        hint={choices.enterpriseQuery ? `按「${choices.enterpriseQuery}」查找到 ${choices.enterprises.length} 家` : "列表过长时请先用上方“查找企业”缩小范围"}
      >
        <Select name="enterpriseId" defaultValue={val(values, "enterpriseId", current?.enterpriseId ?? "")}>
          <option value="">—</option>
          {choices.enterprises.map((e) => (
            <option key={e.id} value={e.id}>
              {e.name}（{e.creditCode}）
            </option>
          ))}
        </Select>
      </Field>
      <Field label="邮箱" name="email" error={fields?.email}>
        <Input name="email" type="email" maxLength={120} defaultValue={val(values, "email", current?.email ?? "")} />
      </Field>
      <Field label="手机" name="phone" error={fields?.phone}>
        <Input name="phone" maxLength={30} defaultValue={val(values, "phone", current?.phone ?? "")} />
      </Field>
    </>
  );
}

type Answer = { ok: boolean; message: string; fields?: Record<string, string>; values: Values } | null;

function EditUser({ user: u, choices, answer }: { user: UserView; choices: Choices; answer: Answer }) {
  const values = answer && !answer.ok ? answer.values : null;
  const fields = answer && !answer.ok ? answer.fields : undefined;
  return (
    <div className="mb-6 max-w-3xl">
      <Card title={`编辑用户「${u.login}」`} actions={<ButtonLink to=".">关闭</ButtonLink>}>
        <Form method="post" className="space-y-3">
          <input type="hidden" name="intent" value="update" />
          <input type="hidden" name="id" value={u.id} />
          <input type="hidden" name="itemKey" value={`user-${u.id}`} />
          <div className="grid grid-cols-2 gap-3">
            <UserDetails values={values} fields={fields} choices={choices} current={u} />
          </div>
          <p className="text-xs text-slate-500">更改部门或角色后，原部门负责人身份随之取消。系统中至少保留一名启用的系统管理员。</p>
          <Button type="submit">保存</Button>
        </Form>
      </Card>
    </div>
  );
}
