import type { LoaderFunctionArgs } from "@remix-run/node";
import { serviceContext } from "~/services/context.server";
import { listProjectEscalations } from "~/services/escalation-records.server";
import { apiHandler, idParam } from "~/web/api.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  return apiHandler(request, (user) => listProjectEscalations(serviceContext(), user, idParam(params.id)));
}
