import type { LoaderFunctionArgs } from "@remix-run/node";
import { listActionItemDocuments } from "~/services/action-items.server";
import { serviceContext } from "~/services/context.server";
import { apiHandler, methodNotAllowed } from "~/web/api.server";

/** GET /api/v1/action-items?status=open|closed&department=code (DESIGN §6 v1.1; also `source`, `projectId`). Staff only. */
export async function loader({ request }: LoaderFunctionArgs) {
  const params = new URL(request.url).searchParams;
  return apiHandler(request, (user) =>
    listActionItemDocuments(serviceContext(), user, {
      status: params.get("status") ?? undefined,
      department: params.get("department") ?? undefined,
      source: params.get("source") ?? undefined,
      projectId: params.get("projectId") ?? undefined,
    }),
  );
}

export async function action() {
  return methodNotAllowed("GET");
}
