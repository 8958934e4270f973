import type { ActionFunctionArgs } from "@remix-run/node";
import { closeActionItem, getActionItemDocument } from "~/services/action-items.server";
import { serviceContext } from "~/services/context.server";
import { apiHandler, idParam, methodNotAllowed, readJsonBody } from "~/web/api.server";

export async function loader() {
  return methodNotAllowed("POST");
}

/**
 * POST /api/v1/action-items/:id/close `{note}` (DESIGN §6 v1.1): the lead department's
 * staff or a coordinator; 200 with the closed item; 422 without a note, 409 when already closed.
 */
export async function action({ request, params }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed("POST");
  return apiHandler(request, async (user) => {
    const ctx = serviceContext();
    const id = idParam(params.id, "督办事项");
    closeActionItem(ctx, user, id, await readJsonBody(request));
    return getActionItemDocument(ctx, user, id);
  });
}
