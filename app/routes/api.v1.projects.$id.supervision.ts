import type { ActionFunctionArgs } from "@remix-run/node";
import { serviceContext } from "~/services/context.server";
import { issueSupervision } from "~/services/supervision.server";
import { apiHandler, idParam, methodNotAllowed, readJsonBody } from "~/web/api.server";

export async function loader() {
  return methodNotAllowed("POST");
}

/**
 * POST /api/v1/projects/:id/supervision `{itemKey?, note, dueInWorkingDays, leadDepartment?}` (DESIGN §6 v1.1):
 * leaders and coordinators; 201 `{actionItemId, dueOn}`, due n working days from today.
 */
export async function action({ request, params }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed("POST");
  return apiHandler(
    request,
    async (user) => issueSupervision(serviceContext(), user, idParam(params.id, "项目"), await readJsonBody(request)),
    201,
  );
}
