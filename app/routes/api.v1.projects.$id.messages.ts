import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { serviceContext } from "~/services/context.server";
import { listMessages, postMessage, threadDocument } from "~/services/messages.server";
import { apiHandler, idParam, methodNotAllowed, readJsonBody } from "~/web/api.server";

/**
 * GET /api/v1/projects/:id/messages (DESIGN §6 v1.1): the project's thread
 * `[{id, from, role, body, at}]`, oldest first, for its enterprise contacts and proxy
 * officers (administrators may read); other staff 403, another enterprise 404.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  return apiHandler(request, (user) => threadDocument(listMessages(serviceContext(), user, idParam(params.id)).messages));
}

/** POST `{body}` → 201 with the message as the thread lists it. */
export async function action({ request, params }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed("GET, POST");
  return apiHandler(
    request,
    async (user) => {
      const id = idParam(params.id);
      const m = await postMessage(serviceContext(), user, id, await readJsonBody(request));
      return threadDocument([m])[0];
    },
    201,
  );
}
