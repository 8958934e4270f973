import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useRouteError } from "@remix-run/react";
import { ErrorPanel } from "~/components/error-panel";
import { MessageThread } from "~/components/messages/thread";
import { loadThread, postToThread } from "~/web/message-thread.server";
import { routeId } from "~/web/params.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `留言 · ${data?.project.name ?? "项目"} · 绿色通道` }];

/** The portal's view of the thread (phone-first): the enterprise contact and its project's officers; another enterprise 404. */
export const loader = ({ request, params }: LoaderFunctionArgs) => loadThread(request, routeId(params.id));

export const action = ({ request, params }: ActionFunctionArgs) => postToThread(request, routeId(params.id));

export default function PortalMessagesPage() {
  const { project, canWrite, messages } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  return (
    <div className="mx-auto max-w-3xl">
      <div className="mb-2 text-sm">
        <Link to={`/portal/projects/${project.id}`} className="text-brand-700 hover:underline">
          ← {project.name}
        </Link>
      </div>
      <h1 className="mb-1 text-xl font-semibold text-slate-900">留言</h1>
      <p className="mb-4 text-sm text-slate-500">与本项目代办员的往来留言。代办员回复后，顶部「消息」会提醒您。</p>
      <MessageThread messages={messages} canWrite={canWrite} answer={answer} />
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPanel error={useRouteError()} />;
}
