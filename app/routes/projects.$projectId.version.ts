import type { LoaderFunctionArgs } from "@remix-run/node";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import { projectVersion } from "~/services/graph.server";
import { routeId } from "~/web/params.server";
import { requireUser } from "~/web/session.server";

/** Polled by the open project page: a number that changes whenever anyone changes the project. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  // Polled only by the staff project page, which enterprise contacts do not have (they use the portal).
  if (user.role === "enterprise") return Response.json({ error: { code: "not_found", message: "页面不存在" } }, { status: 404 });
  try {
    return Response.json({ version: projectVersion(serviceContext(), user, routeId(params.projectId)) }, { headers: { "Cache-Control": "no-store" } });
  } catch (e) {
    if (e instanceof AppError) return Response.json({ error: { code: e.code, message: e.message } }, { status: e.status });
    throw e;
  }
}
