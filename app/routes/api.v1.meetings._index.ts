import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { serviceContext } from "~/services/context.server";
import { createMeeting, listMeetingDocuments } from "~/services/meetings.server";
import { apiHandler, methodNotAllowed, readJsonBody } from "~/web/api.server";

/** DESIGN §6 v1.1: every meeting with its agenda and decisions (staff). */
export async function loader({ request }: LoaderFunctionArgs) {
  return apiHandler(request, (user) => listMeetingDocuments(serviceContext(), user));
}

/** `{type, title, heldOn, place?, departments?: [code]}` → 201 `{id}` (coordinators). */
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed("GET, POST");
  return apiHandler(
    request,
    async (user) => {
      const { id } = createMeeting(serviceContext(), user, await readJsonBody(request));
      return { id };
    },
    201,
  );
}
