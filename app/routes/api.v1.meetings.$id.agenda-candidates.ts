import type { LoaderFunctionArgs } from "@remix-run/node";
import { serviceContext } from "~/services/context.server";
import { agendaCandidateDocuments } from "~/services/meetings.server";
import { apiHandler, idParam, methodNotAllowed } from "~/web/api.server";

/** DESIGN §6 v1.1: `[{projectId, itemKey, reason, severity}]` most severe first (coordinators), plus actionItemId and summary. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  return apiHandler(request, (user) => agendaCandidateDocuments(serviceContext(), user, idParam(params.id, "会议")));
}

export async function action() {
  return methodNotAllowed("GET");
}
