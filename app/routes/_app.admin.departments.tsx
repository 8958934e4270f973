import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { Form } from "~/components/form";
import { z } from "zod";
import { Alert, Badge, Button, ButtonLink, Card, Field, Input, PageHeader, Select, Table, Td, Th } from "~/components/ui";
import { DEPARTMENT_LEVEL_LABELS, DEPARTMENT_LEVELS } from "~/domain/catalog/departments";
import { parseId } from "~/domain/validation/id";
import { serviceContext } from "~/services/context.server";
import { createDepartment, listDepartments, setDepartmentActive, updateDepartment } from "~/services/directory.server";
import { dispatchIntent, readFormValues } from "~/web/intent.server";
import { requirePermission } from "~/web/session.server";

export const meta: MetaFunction = () => [{ title: "部门 · 系统管理 · 绿色通道" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "admin.manage");
  const editId = parseId(new URL(request.url).searchParams.get("edit"));
  return { departments: listDepartments(serviceContext(), user), editId };
}

const id = z.string();
const intents = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("create") }).passthrough(),
  z.object({ intent: z.literal("update"), id }).passthrough(),
  z.object({ intent: z.literal("deactivate"), id }),
  z.object({ intent: z.literal("reactivate"), id }),
]);

/** An id from a hidden field; a forged one reads as 0, which no row has (404 from the service). */
const rowId = (raw: string) => parseId(raw) ?? 0;

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "admin.manage");
  const ctx = serviceContext();
  // Echoed back on a refusal so the form keeps what was typed (the page also works without JavaScript).
  const values = await readFormValues(request.clone());
  const answer = await dispatchIntent(request, intents, (input) => {
    switch (input.intent) {
      case "create": {
        const d = createDepartment(ctx, user, input);
        return { message: `已新增部门「${d.code}」`, itemKey: "create" };
      }
      case "update":
        updateDepartment(ctx, user, rowId(input.id), input);
        return { message: "已保存部门信息" };
      case "deactivate": {
        const d = setDepartmentActive(ctx, user, rowId(input.id), false);
        return { message: `已停用部门「${d.code}」：不再分配给新用户；引用它的模板在重新启用前不能用于新建项目` };
      }
      case "reactivate": {
        const d = setDepartmentActive(ctx, user, rowId(input.id), true);
        return { message: `已重新启用部门「${d.code}」` };
      }
    }
  });
  return data({ ...answer.data, values: answer.data.ok ? null : values }, answer.init ?? undefined);
}

type Values = Record<string, string | string[]> | null | undefined;
const val = (values: Values, name: string, fallback: string | null = "") => {
  const v = values?.[name];
  return typeof v === "string" ? v : (fallback ?? "");
};

export default function DepartmentsAdmin() {
  const { departments, editId } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const editing = departments.find((d) => d.id === editId) ?? null;
  const createAnswer = answer?.itemKey === "create" ? answer : null;
  const rowAnswer = answer && answer.itemKey !== "create" ? answer : null;
  const inactive = departments.filter((d) => !d.active);
  return (
    <>
      <PageHeader
        title="部门"
        subtitle="审批部门、负责人与联系人。部门简称被模板和台账引用，创建后不能修改；部门不能删除，只能停用。"
        actions={<ButtonLink to="/admin">返回系统管理</ButtonLink>}
      />
      {rowAnswer ? (
        <div className="mb-4">
          <Alert tone={rowAnswer.ok ? "green" : "red"}>{rowAnswer.message}</Alert>
        </div>
      ) : null}
      {inactive.length ? (
        <div className="mb-4">
          <Alert tone="yellow">
            已停用：{inactive.map((d) => d.code).join("、")}。停用的部门不再分配给新用户；引用这些部门的模板在重新启用前不能用于新建项目，已有项目和事项不受影响。
          </Alert>
        </div>
      ) : null}
      {editing ? <EditDepartment key={editing.id} department={editing} answer={rowAnswer} /> : null}
      <Table>
        <thead>
          <tr>
            <Th>简称</Th>
            <Th>名称</Th>
            <Th>层级</Th>
            <Th>垂直管理</Th>
            <Th>状态</Th>
            <Th>负责人</Th>
            <Th>联系人 / 电话</Th>
            <Th>经办人员</Th>
            <Th>在办事项</Th>
            <Th />
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {departments.map((d) => (
            <tr key={d.id} className={d.active ? undefined : "bg-slate-50 text-slate-400"}>
              <Td className="font-medium">{d.code}</Td>
              <Td>{d.name}</Td>
              <Td>{d.levelLabel}</Td>
              <Td>{d.vertical ? <Badge tone="purple">垂直</Badge> : "—"}</Td>
              <Td>{d.active ? <Badge tone="green">启用</Badge> : <Badge>停用</Badge>}</Td>
              <Td>{d.leader ? d.leader.displayName : <span className="text-slate-400">未指定</span>}</Td>
              <Td>
                {d.contactName || d.contactPhone ? `${d.contactName ?? ""} ${d.contactPhone ?? ""}`.trim() : "—"}
                {d.contacts.length ? <div className="text-xs text-slate-500">经办：{d.contacts.map((c) => c.displayName).join("、")}</div> : null}
              </Td>
              <Td className="tabular-nums">{d.staff}</Td>
              <Td className="tabular-nums">{d.openItems}</Td>
              <Td>
                <div className="flex justify-end gap-2">
                  <Link to={`?edit=${d.id}`} className="text-sm text-brand-700 hover:underline">
                    编辑
                  </Link>
                  <Form method="post">
                    <input type="hidden" name="intent" value={d.active ? "deactivate" : "reactivate"} />
                    <input type="hidden" name="id" value={d.id} />
                    <input type="hidden" name="itemKey" value={`dept-${d.id}`} />
                    <Button type="submit" variant={d.active ? "danger" : "secondary"} className="py-0.5 text-xs">
                      {d.active ? "停用" : "重新启用"}
                    </Button>
                  </Form>
                </div>
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>
      <div className="mt-6 max-w-2xl">
        <Card title="新增部门">
          <Form method="post" className="space-y-3" key={createAnswer?.ok ? createAnswer.message : "create"}>
            <input type="hidden" name="intent" value="create" />
            <input type="hidden" name="itemKey" value="create" />
            {createAnswer ? <Alert tone={createAnswer.ok ? "green" : "red"}>{createAnswer.message}</Alert> : null}
            <div className="grid grid-cols-2 gap-3">
              <Field label="部门简称（模板中引用的代码，创建后不能修改）" name="code" error={createAnswer?.fields?.code}>
                <Input name="code" maxLength={20} placeholder="例如：交通" defaultValue={val(createAnswer?.values, "code")} required />
              </Field>
              <Field label="部门全称" name="name" error={createAnswer?.fields?.name}>
                <Input name="name" maxLength={100} placeholder="例如：市交通运输局" defaultValue={val(createAnswer?.values, "name")} required />
              </Field>
              <DepartmentDetails values={createAnswer?.values} fields={createAnswer?.fields} defaults={{ level: "city", vertical: false, contactName: null, contactPhone: null }} />
            </div>
            <Button type="submit">新增部门</Button>
          </Form>
        </Card>
      </div>
    </>
  );
}

type Answer = { ok: boolean; message: string; fields?: Record<string, string>; values: Values } | null;

function DepartmentDetails({
  values,
  fields,
  defaults,
}: {
  values: Values;
  fields?: Record<string, string>;
  defaults: { level: string; vertical: boolean; contactName: string | null; contactPhone: string | null };
}) {
  return (
    <>
      <Field label="层级" name="level" error={fields?.level}>
        <Select name="level" defaultValue={val(values, "level", defaults.level)}>
          {DEPARTMENT_LEVELS.map((l) => (
            <option key={l} value={l}>
              {DEPARTMENT_LEVEL_LABELS[l]}
            </option>
          ))}
        </Select>
      </Field>
      <div className="flex items-end pb-2">
        <label className="flex items-center gap-2 text-sm text-slate-700">
          <input type="checkbox" name="vertical" defaultChecked={values ? values.vertical === "on" : defaults.vertical} />
          垂直管理（条线管理，不隶属本级政府）
        </label>
      </div>
      <Field label="联系人" name="contactName" error={fields?.contactName}>
        <Input name="contactName" maxLength={50} defaultValue={val(values, "contactName", defaults.contactName)} />
      </Field>
      <Field label="联系电话" name="contactPhone" error={fields?.contactPhone}>
        <Input name="contactPhone" maxLength={30} defaultValue={val(values, "contactPhone", defaults.contactPhone)} />
      </Field>
    </>
  );
}

function EditDepartment({ department: d, answer }: { department: ReturnType<typeof useLoaderData<typeof loader>>["departments"][number]; answer: Answer }) {
  const values = answer && !answer.ok ? answer.values : null;
  const fields = answer && !answer.ok ? answer.fields : undefined;
  return (
    <div className="mb-6 max-w-2xl" id="edit">
      <Card title={`编辑部门「${d.code}」`} actions={<ButtonLink to=".">关闭</ButtonLink>}>
        <Form method="post" className="space-y-3">
          <input type="hidden" name="intent" value="update" />
          <input type="hidden" name="id" value={d.id} />
          <input type="hidden" name="itemKey" value={`dept-${d.id}`} />
          <p className="text-sm text-slate-500">
            简称 <strong className="text-slate-800">{d.code}</strong> 被模板和台账引用，不能修改。
            {d.active ? null : " 本部门已停用：引用它的模板在重新启用前不能用于新建项目。"}
          </p>
          <div className="grid grid-cols-2 gap-3">
            <Field label="部门全称" name="name" error={fields?.name}>
              <Input name="name" maxLength={100} defaultValue={val(values, "name", d.name)} required />
            </Field>
            <DepartmentDetails values={values} fields={fields} defaults={{ level: d.level, vertical: d.vertical, contactName: d.contactName, contactPhone: d.contactPhone }} />
            <Field
              label="部门负责人（接收超期、督办和领导督办提醒）"
              name="leaderUserId"
              error={fields?.leaderUserId}
              hint={d.clerks.length ? undefined : "本部门还没有启用的经办人员：请先在「用户」中创建"}
            >
              <Select name="leaderUserId" defaultValue={val(values, "leaderUserId", d.leader ? String(d.leader.id) : "")}>
                <option value="">未指定</option>
                {d.clerks.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.displayName}（{c.login}）
                  </option>
                ))}
              </Select>
            </Field>
            <div className="text-sm">
              <div className="font-medium text-slate-700">联系人员（接收预警提醒）</div>
              {d.contacts.length ? (
                <ul className="mt-1 space-y-0.5 text-slate-600">
                  {d.contacts.map((c) => (
                    <li key={c.id}>
                      {c.displayName} <span className="text-xs text-slate-400">{[c.phone, c.email].filter(Boolean).join(" · ")}</span>
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="mt-1 text-slate-400">无（负责人以外的本部门经办人员）</p>
              )}
            </div>
          </div>
          <Button type="submit">保存</Button>
        </Form>
      </Card>
    </div>
  );
}
