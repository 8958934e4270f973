import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { Alert, Button, ButtonLink, Card, Field, Input, PageHeader, Select, Textarea } from "~/components/ui";
import { MEETING_TYPE_LABELS, MEETING_TYPES } from "~/domain/meeting/vocabulary";
import { serviceContext } from "~/services/context.server";
import { createMeeting, meetingFormChoices } from "~/services/meetings.server";
import { formFields, formList } from "~/web/form-fields";
import { dispatchIntent } from "~/web/intent.server";
import { requirePermission } from "~/web/session.server";

export const meta: MetaFunction = () => [{ title: "新建会议 · 联席会议 · 绿色通道" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "meeting.manage");
  return meetingFormChoices(serviceContext(), user);
}

const intents = z.discriminatedUnion("intent", [z.object({ intent: z.literal("create"), departments: formList() }).passthrough()]);

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "meeting.manage");
  // Echoed back on a refusal so the form keeps what was typed (the page works without JavaScript).
  const values = formFields(await request.clone().formData());
  const answer = await dispatchIntent(request, intents, (input) => {
    const { id, carriedOver, supervised } = createMeeting(serviceContext(), user, input);
    // Post/redirect/get: the meeting's page says what creating it brought along.
    throw redirect(`/meetings/${id}?created=1&carried=${carriedOver}&supervised=${supervised}`);
  });
  return data({ ...answer.data, values: answer.data.ok ? null : values }, answer.init ?? undefined);
}

export default function NewMeeting() {
  const { today, departments } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const values = answer?.values ?? null;
  const fields = answer?.fields;
  const val = (name: string, fallback = "") => {
    const v = values?.[name];
    return typeof v === "string" ? v : fallback;
  };
  const invited = values ? [values.departments ?? []].flat() : [];
  return (
    <>
      <PageHeader title="新建会议" subtitle="会议日期可以是过去的日期（会后补记纪要）；待召开的会议会通知参会部门，并自动列入待上会的督办事项" actions={<ButtonLink to="/meetings">返回会议列表</ButtonLink>} />
      <div className="max-w-3xl">
        <Card>
          <Form method="post" className="space-y-4" aria-label="新建会议">
            <input type="hidden" name="intent" value="create" />
            {answer && !answer.ok ? <Alert>{answer.message}</Alert> : null}
            <div className="grid gap-3 sm:grid-cols-2">
              <Field label="会议类型" name="type" error={fields?.type}>
                <Select name="type" defaultValue={val("type", "joint")}>
                  {MEETING_TYPES.map((t) => (
                    <option key={t} value={t}>
                      {MEETING_TYPE_LABELS[t]}
                    </option>
                  ))}
                </Select>
              </Field>
              <Field label="会议名称" name="title" error={fields?.title}>
                <Input name="title" maxLength={100} required placeholder="例如：重点项目协调推进联席会议（第 48 次）" defaultValue={val("title")} />
              </Field>
              <Field label="会议日期" name="heldOn" error={fields?.heldOn}>
                <Input name="heldOn" type="date" required defaultValue={val("heldOn", today)} />
              </Field>
              <Field label="开始时间（可选）" name="startsAt" error={fields?.startsAt} hint="如 09:30">
                <Input name="startsAt" type="time" defaultValue={val("startsAt")} />
              </Field>
              <Field label="会议地点" name="place" error={fields?.place}>
                <Input name="place" maxLength={100} placeholder="例如：市政务服务中心 3 楼会议室" defaultValue={val("place")} />
              </Field>
              <Field label="召集 / 主持" name="chair" error={fields?.chair}>
                <Input name="chair" maxLength={50} placeholder="例如：常务副市长" defaultValue={val("chair")} />
              </Field>
            </div>
            <Field label="出席人员（纪要中的「出席」）" name="attendees" error={fields?.attendees}>
              <Textarea name="attendees" rows={2} maxLength={2000} defaultValue={val("attendees")} />
            </Field>
            <fieldset>
              <legend className="text-sm font-medium text-slate-700">参会部门（会收到会议通知）</legend>
              <div className="mt-1 grid grid-cols-2 gap-1 sm:grid-cols-3">
                {departments.map((d) => (
                  <label key={d.code} className="flex items-center gap-2 text-sm text-slate-700">
                    <input type="checkbox" name="departments" value={d.code} defaultChecked={invited.includes(d.code)} />
                    {d.name}
                  </label>
                ))}
              </div>
              {fields?.departments ? (
                <p className="mt-1 text-xs text-red-600" role="alert">
                  {fields.departments}
                </p>
              ) : null}
            </fieldset>
            <Button type="submit" disabled={busy}>
              创建会议
            </Button>
          </Form>
        </Card>
      </div>
    </>
  );
}
