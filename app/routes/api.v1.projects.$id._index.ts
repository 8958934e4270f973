import type { LoaderFunctionArgs } from "@remix-run/node";
import { serviceContext } from "~/services/context.server";
import { getProjectDocument } from "~/services/project-document.server";
import { apiHandler, idParam, methodNotAllowed } from "~/web/api.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  return apiHandler(request, (user) => getProjectDocument(serviceContext(), user, idParam(params.id)));
}

export async function action() {
  return methodNotAllowed("GET");
}
