import type { LoaderFunctionArgs } from "@remix-run/node";
import { serviceContext } from "~/services/context.server";
import { getProjectSchedule } from "~/services/project-document.server";
import { apiHandler, idParam } from "~/web/api.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const asOf = new URL(request.url).searchParams.get("asOf");
  return apiHandler(request, (user) => getProjectSchedule(serviceContext(), user, idParam(params.id), asOf));
}
