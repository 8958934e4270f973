import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { serviceContext } from "~/services/context.server";
import { getProjectDocument } from "~/services/project-document.server";
import { changeTargetStart } from "~/services/project-lifecycle.server";
import { apiHandler, idParam, methodNotAllowed, readJsonBody } from "~/web/api.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  return apiHandler(request, (user) => getProjectDocument(serviceContext(), user, idParam(params.id)));
}

/** PATCH (DESIGN §6 v1.1): a new 开工 target with its reason; answers the updated project document. */
export async function action({ request, params }: ActionFunctionArgs) {
  if (request.method !== "PATCH") return methodNotAllowed("GET, PATCH");
  return apiHandler(request, async (user) => {
    const ctx = serviceContext();
    const id = idParam(params.id);
    changeTargetStart(ctx, user, id, await readJsonBody(request));
    return getProjectDocument(ctx, user, id);
  });
}
