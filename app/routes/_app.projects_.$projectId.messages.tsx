import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useRouteError } from "@remix-run/react";
import { ErrorPanel } from "~/components/error-panel";
import { MessageThread } from "~/components/messages/thread";
import { loadThread, postToThread } from "~/web/message-thread.server";
import { routeId } from "~/web/params.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `留言 · ${data?.project.name ?? "项目"} · 绿色通道` }];

/** The project's thread for its proxy officers (administrators read it); others get the service's 403/404. */
export const loader = ({ request, params }: LoaderFunctionArgs) => loadThread(request, routeId(params.projectId));

export const action = ({ request, params }: ActionFunctionArgs) => postToThread(request, routeId(params.projectId));

export default function ProjectMessagesPage() {
  const { project, canWrite, messages } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  return (
    <div className="mx-auto max-w-3xl">
      <div className="mb-2 text-sm">
        <Link to={`/projects/${project.id}`} className="text-brand-700 hover:underline">
          ← {project.name}
        </Link>
      </div>
      <h1 className="mb-1 text-xl font-semibold text-slate-900">留言</h1>
      <p className="mb-4 text-sm text-slate-500">与企业联系人的往来留言。对方发来的新留言会出现在顶部「消息」和这里。</p>
      <MessageThread messages={messages} canWrite={canWrite} answer={answer} />
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPanel error={useRouteError()} />;
}
