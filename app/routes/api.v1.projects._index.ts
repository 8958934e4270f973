import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { serviceContext } from "~/services/context.server";
import { createProject } from "~/services/project-creation.server";
import { listProjectsWithOutlook } from "~/services/project-list.server";
import { apiHandler, methodNotAllowed, readJsonBody } from "~/web/api.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const q = new URL(request.url).searchParams;
  return apiHandler(request, (user) => listProjectsWithOutlook(serviceContext(), user, { q: q.get("q") ?? "", status: q.get("status") ?? "all" }));
}

export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed("GET, POST");
  return apiHandler(request, async (user) => createProject(serviceContext(), user, await readJsonBody(request)), 201);
}
