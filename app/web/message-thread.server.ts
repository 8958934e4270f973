import { data } from "@remix-run/node";
import type { ThreadAnswer } from "~/domain/message/rules";
import { shanghaiDateTime } from "~/domain/calendar";
import { MAX_UPLOAD_BYTES } from "~/domain/material/upload-rules";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import { listMessages, postMessage } from "~/services/messages.server";
import { readUploadForm } from "./multipart.server";
import { requireUser } from "./session.server";

/*
 * The loader and action of a project's message thread, shared by the officers' page
 * (/projects/:id/messages) and the portal's (/portal/projects/:id/messages): the same
 * service answers both sides, and who may read or write is decided there.
 */


export async function loadThread(request: Request, projectId: number) {
  const user = await requireUser(request);
  try {
    const t = listMessages(serviceContext(), user, projectId);
    return { project: t.project, canWrite: t.canWrite, messages: t.messages.map((m) => ({ ...m, atText: shanghaiDateTime(Date.parse(m.at)) })) };
  } catch (e) {
    if (e instanceof AppError) throw new Response(e.message, { status: e.status });
    throw e;
  }
}

const TOO_LARGE = `文件过大：单个文件不超过 ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`;

/** 发送: the text and an optional file, multipart so it works without JavaScript; a refusal hands the text back. */
export async function postToThread(request: Request, projectId: number) {
  const user = await requireUser(request);
  let body = "";
  try {
    const form = await readUploadForm(request, MAX_UPLOAD_BYTES, TOO_LARGE);
    body = typeof form.get("body") === "string" ? (form.get("body") as string) : "";
    if (form.get("intent") !== "message") throw new AppError("bad_request", "未知的操作，请刷新页面后重试");
    const file = form.get("file");
    // An empty file input still sends a part (no name, no bytes): that is "no file".
    const chosen = file !== null && typeof file !== "string" && (file.name !== "" || file.size > 0);
    await postMessage(serviceContext(), user, projectId, { body }, chosen ? { name: file.name, type: file.type, bytes: new Uint8Array(await file.arrayBuffer()) } : null);
    return data<ThreadAnswer>({ ok: true, message: "已发送" });
  } catch (e) {
    if (e instanceof AppError) return data<ThreadAnswer>({ ok: false, message: e.message, body, ...(e.fields ? { fields: e.fields } : {}) }, { status: e.status });
    throw e;
  }
}
