import type { LoaderFunctionArgs } from "@remix-run/node";
import { serviceContext } from "~/services/context.server";
import { dashboardDocument } from "~/services/dashboard.server";
import { apiHandler, methodNotAllowed } from "~/web/api.server";

/** GET /api/v1/dashboard (DESIGN §6 v1.1): leaders, coordinators and administrators. */
export async function loader({ request }: LoaderFunctionArgs) {
  return apiHandler(request, (user) => dashboardDocument(serviceContext(), user));
}

export async function action() {
  return methodNotAllowed("GET");
}
