import type { ActionFunctionArgs } from "@remix-run/node";
import { serviceContext } from "~/services/context.server";
import { addAgendaItem } from "~/services/meetings.server";
import { apiHandler, idParam, methodNotAllowed, readJsonBody } from "~/web/api.server";

export async function loader() {
  return methodNotAllowed("POST");
}

/** DESIGN §6 v1.1: `{projectId, itemKey?, note?}` → 201 with the agenda entry `{id, projectId, itemKey, reason, carriedOver}` (coordinators). */
export async function action({ request, params }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed("POST");
  return apiHandler(request, async (user) => addAgendaItem(serviceContext(), user, idParam(params.id, "会议"), await readJsonBody(request)), 201);
}
