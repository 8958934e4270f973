import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Form } from "~/components/form";
import { Button, EmptyState, PageHeader, cx } from "~/components/ui";
import { serviceContext } from "~/services/context.server";
import { listInbox, markAllRead } from "~/services/inbox.server";
import { requireUser } from "~/web/session.server";

export const meta: MetaFunction = () => [{ title: "消息 · 绿色通道" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return { messages: listInbox(serviceContext(), user) };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  markAllRead(serviceContext(), user);
  return { ok: true };
}

export default function Inbox() {
  const { messages } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader
        title="消息"
        actions={
          messages.some((m) => !m.readAt) ? (
            <Form method="post">
              <Button variant="secondary" type="submit">
                全部标为已读
              </Button>
            </Form>
          ) : null
        }
      />
      {messages.length === 0 ? (
        <EmptyState title="暂无消息">预警、超期和督办提醒会出现在这里。</EmptyState>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white">
          {messages.map((m) => (
            <li key={m.id} className={cx("px-4 py-3", !m.readAt && "bg-brand-50/40")}>
              <div className="flex items-center justify-between">
                <a href={m.link ?? "#"} className="font-medium text-slate-800 hover:underline">
                  {m.title}
                </a>
                <span className="text-xs text-slate-400">{new Date(m.createdAt).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai" })}</span>
              </div>
              {m.body ? <p className="mt-1 text-sm text-slate-600">{m.body}</p> : null}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
