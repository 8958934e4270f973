import type { ActionFunctionArgs } from "@remix-run/node";
import { serviceContext } from "~/services/context.server";
import { recordItemEvent } from "~/services/items.server";
import { apiHandler, idParam, methodNotAllowed, readJsonBody } from "~/web/api.server";

export async function loader() {
  return methodNotAllowed("POST");
}

export async function action({ request, params }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed("POST");
  return apiHandler(request, async (user) => recordItemEvent(serviceContext(), user, idParam(params.id), params.key ?? "", await readJsonBody(request)));
}
