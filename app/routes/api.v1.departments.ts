import type { LoaderFunctionArgs } from "@remix-run/node";
import { serviceContext } from "~/services/context.server";
import { listActiveDepartments } from "~/services/directory.server";
import { apiHandler, methodNotAllowed } from "~/web/api.server";

export async function loader({ request }: LoaderFunctionArgs) {
  return apiHandler(request, (user) => listActiveDepartments(serviceContext(), user));
}

export async function action() {
  return methodNotAllowed("GET");
}
