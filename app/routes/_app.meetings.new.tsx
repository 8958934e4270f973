import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Form } from "~/components/form";
import { z } from "zod";
import { MeetingFields } from "~/components/meeting/meeting-fields";
import { Alert, Button, ButtonLink, Card, PageHeader } from "~/components/ui";
import { serviceContext } from "~/services/context.server";
import { createMeeting, meetingFormChoices } from "~/services/meetings.server";
import { formList } from "~/web/form-fields";
import { dispatchIntent, readFormValues } from "~/web/intent.server";
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
  const values = await readFormValues(request.clone());
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
            <MeetingFields
              values={{ type: val("type", "joint"), title: val("title"), heldOn: val("heldOn", today), startsAt: val("startsAt"), place: val("place"), chair: val("chair"), attendees: val("attendees"), departments: invited }}
              fields={fields}
              departments={departments}
              departmentsLegend="参会部门（会收到会议通知）"
            />
            <Button type="submit" disabled={busy}>
              创建会议
            </Button>
          </Form>
        </Card>
      </div>
    </>
  );
}
