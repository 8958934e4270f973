import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import { addContactLog } from "~/services/logs.server";
import { panelError, panelResult } from "~/web/panel-response.server";
import { routeId } from "~/web/params.server";
import { requireUser } from "~/web/session.server";

/** Adds a 代办日志 entry; posted by the timeline panel. */

export async function loader({ params }: LoaderFunctionArgs) {
  return redirect(`/projects/${routeId(params.projectId)}`);
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  // The 代办日志 is internal: for an enterprise contact this route does not exist.
  if (user.role === "enterprise") throw new Response("页面不存在", { status: 404 });
  const projectId = routeId(params.projectId);
  try {
    let form: FormData;
    try {
      form = await request.formData();
    } catch {
      throw new AppError("bad_request", "表单格式不正确，请刷新页面后重试");
    }
    const field = (k: string) => {
      const v = form.get(k);
      return typeof v === "string" ? v : undefined;
    };
    const result = addContactLog(serviceContext(), user, projectId, { on: field("on"), kind: field("kind"), note: field("note") });
    return panelResult(request, projectId, "timeline", { ok: true, message: result.message });
  } catch (e) {
    return panelError(request, projectId, "timeline", e);
  }
}
