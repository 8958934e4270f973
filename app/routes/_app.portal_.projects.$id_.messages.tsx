import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useRouteError } from "@remix-run/react";
import { ErrorPanel } from "~/components/error-panel";
import { MessageThread, type ThreadAnswer } from "~/components/messages/thread";
import { MAX_UPLOAD_BYTES } from "~/domain/material/upload-rules";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import { listMessages, postMessage } from "~/services/messages.server";
import { readUploadForm } from "~/web/multipart.server";
import { routeId } from "~/web/params.server";
import { requireUser } from "~/web/session.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `留言 · ${data?.project.name ?? "项目"} · 绿色通道` }];

/** An instant as Shanghai wall-clock time, formatted on the server so the page hydrates with the same text. */
function wallClock(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace("T", " ");
}

/** The portal's view of the thread (phone-first): the enterprise contact and its project's officers; another enterprise 404. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const id = routeId(params.id);
  try {
    const t = listMessages(serviceContext(), user, id);
    return { project: t.project, canWrite: t.canWrite, messages: t.messages.map((m) => ({ ...m, atText: wallClock(m.at) })) };
  } catch (e) {
    if (e instanceof AppError) throw new Response(e.message, { status: e.status });
    throw e;
  }
}

const TOO_LARGE = `文件过大：单个文件不超过 ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`;

/** 发送: the text and an optional file, multipart so it works without JavaScript; a refusal hands the text back. */
export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const id = routeId(params.id);
  let body = "";
  try {
    const form = await readUploadForm(request, MAX_UPLOAD_BYTES, TOO_LARGE);
    body = typeof form.get("body") === "string" ? (form.get("body") as string) : "";
    if (form.get("intent") !== "message") throw new AppError("bad_request", "未知的操作，请刷新页面后重试");
    const file = form.get("file");
    // An empty file input still sends a part (no name, no bytes): that is "no file".
    const chosen = file !== null && typeof file !== "string" && (file.name !== "" || file.size > 0);
    await postMessage(serviceContext(), user, id, { body }, chosen ? { name: file.name, type: file.type, bytes: new Uint8Array(await file.arrayBuffer()) } : null);
    return data<ThreadAnswer>({ ok: true, message: "已发送" });
  } catch (e) {
    if (e instanceof AppError) return data<ThreadAnswer>({ ok: false, message: e.message, body, ...(e.fields ? { fields: e.fields } : {}) }, { status: e.status });
    throw e;
  }
}

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
