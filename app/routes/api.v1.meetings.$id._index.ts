import type { LoaderFunctionArgs } from "@remix-run/node";
import { serviceContext } from "~/services/context.server";
import { getMeetingDocument } from "~/services/meetings.server";
import { apiHandler, idParam, methodNotAllowed } from "~/web/api.server";

/** DESIGN §6 v1.1: the meeting with `agenda` and `decisions` (staff). */
export async function loader({ request, params }: LoaderFunctionArgs) {
  return apiHandler(request, (user) => getMeetingDocument(serviceContext(), user, idParam(params.id, "会议")));
}

export async function action() {
  return methodNotAllowed("GET");
}
