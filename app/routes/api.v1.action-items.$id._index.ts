import type { LoaderFunctionArgs } from "@remix-run/node";
import { getActionItemDocument } from "~/services/action-items.server";
import { serviceContext } from "~/services/context.server";
import { apiHandler, idParam, methodNotAllowed } from "~/web/api.server";

/** GET /api/v1/action-items/:id (DESIGN §6 v1.1): the list entry plus `escalations: [{level, dueOn, firedAt}]`. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  return apiHandler(request, (user) => getActionItemDocument(serviceContext(), user, idParam(params.id, "督办事项")));
}

export async function action() {
  return methodNotAllowed("GET");
}
