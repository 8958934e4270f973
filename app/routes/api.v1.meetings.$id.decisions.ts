import type { ActionFunctionArgs } from "@remix-run/node";
import { serviceContext } from "~/services/context.server";
import { addDecision } from "~/services/meetings.server";
import { apiHandler, idParam, methodNotAllowed, readJsonBody } from "~/web/api.server";

export async function loader() {
  return methodNotAllowed("POST");
}

/** DESIGN §6 v1.1: `{text, actionItems: [...]}` → 201 `{id, actionItems: [{id, dueOn}]}` (coordinators). */
export async function action({ request, params }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed("POST");
  return apiHandler(request, async (user) => addDecision(serviceContext(), user, idParam(params.id, "会议"), await readJsonBody(request)), 201);
}
