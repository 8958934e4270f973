import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useActionData, useLoaderData, useRouteError } from "@remix-run/react";
import { Form } from "~/components/form";
import { z } from "zod";
import { ErrorPanel } from "~/components/error-panel";
import { Alert, Badge, Button, Card, PageHeader } from "~/components/ui";
import { calendarFeedStatus, calendarFeedUrl, issueCalendarToken, revokeCalendarToken } from "~/services/calendar-feed.server";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import { dispatchIntent } from "~/web/intent.server";
import { requireUser } from "~/web/session.server";

/**
 * 日历订阅 (/account/calendar): a staff member creates, replaces or revokes the
 * token of their calendar feed (/calendar.ics?token=…). The subscription URL is
 * shown once, in the answer to "create"; the server keeps only its hash.
 */

export const meta: MetaFunction = () => [{ title: "日历订阅 · 绿色通道" }];

// The action's answer carries a credential: no browser or proxy keeps any version of this page.
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    return { ...calendarFeedStatus(serviceContext(), user), role: user.role };
  } catch (e) {
    if (e instanceof AppError) throw new Response(e.message, { status: e.status });
    throw e;
  }
}

const intents = z.discriminatedUnion("intent", [z.object({ intent: z.literal("issue") }), z.object({ intent: z.literal("revoke") })]);

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const ctx = serviceContext();
  const origin = new URL(request.url).origin;
  let feedUrl: string | null = null;
  const answer = await dispatchIntent(request, intents, (input) => {
    if (input.intent === "issue") {
      const { token, replaced } = issueCalendarToken(ctx, user);
      feedUrl = calendarFeedUrl(origin, token);
      return { message: replaced ? "已生成新的订阅链接，原链接已失效" : "已生成订阅链接" };
    }
    const { revoked } = revokeCalendarToken(ctx, user);
    return { message: revoked ? "已撤销订阅链接：日历应用将无法再更新" : "当前没有有效的订阅链接" };
  });
  const init = answer.init ?? {};
  return data({ ...answer.data, feedUrl: feedUrl as string | null }, { ...init, headers: { "Cache-Control": "no-store" } });
}

export default function CalendarFeedPage() {
  const { active, role } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const webcal = answer?.feedUrl ? answer.feedUrl.replace(/^https?:/, "webcal:") : null;
  const covers =
    role === "dept"
      ? "本部门受邀参加的会议，以及本部门作为责任单位或配合单位、尚未办结的督办事项的完成时限。"
      : role === "coordinator" || role === "admin"
        ? "全部会议，以及全部尚未办结的督办事项的完成时限。"
        : "全部会议。";
  return (
    <div className="max-w-3xl">
      <PageHeader title="日历订阅" subtitle="在 Outlook、苹果日历、手机日历等应用中订阅，会议和督办时限会自动同步（约每小时更新一次）。" />
      {answer?.feedUrl ? (
        <div className="mb-4 rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900" role="status">
          <p className="font-medium">{answer.message}。订阅链接只显示这一次，系统只保存其摘要，离开本页后无法再次查看：</p>
          <p className="mt-2 break-all">
            <code className="select-all rounded bg-white px-2 py-1 font-mono text-sm text-slate-900" data-testid="calendar-feed-url">
              {answer.feedUrl}
            </code>
          </p>
          {webcal ? (
            <p className="mt-2">
              <a href={webcal} className="font-medium text-brand-700 hover:underline">
                在本机日历应用中打开订阅
              </a>
            </p>
          ) : null}
          <p className="mt-2 text-xs">链接本身就是访问凭据：请勿转发他人。如链接泄露，请撤销或重新生成。</p>
        </div>
      ) : answer ? (
        <div className="mb-4">
          <Alert tone={answer.ok ? "green" : "red"}>{answer.message}</Alert>
        </div>
      ) : null}
      <Card
        title={
          <span className="flex items-center gap-2">
            订阅链接
            {active ? <Badge tone="green">有效</Badge> : <Badge>未生成</Badge>}
          </span>
        }
      >
        <p className="mb-3 text-sm text-slate-600">订阅内容：{covers}</p>
        <div className="flex flex-wrap items-center gap-2">
          <Form method="post">
            <input type="hidden" name="intent" value="issue" />
            <Button type="submit" data-testid="issue-calendar-token">
              {active ? "重新生成订阅链接" : "生成订阅链接"}
            </Button>
          </Form>
          {active ? (
            <Form method="post">
              <input type="hidden" name="intent" value="revoke" />
              <Button type="submit" variant="danger" data-testid="revoke-calendar-token">
                撤销订阅链接
              </Button>
            </Form>
          ) : null}
        </div>
        {active ? <p className="mt-3 text-xs text-slate-500">重新生成后，原链接立即失效，需要在日历应用中改用新链接。</p> : null}
      </Card>
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPanel error={useRouteError()} />;
}
