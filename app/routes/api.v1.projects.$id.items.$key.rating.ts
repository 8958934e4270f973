import type { ActionFunctionArgs } from "@remix-run/node";
import { serviceContext } from "~/services/context.server";
import { rateItem } from "~/services/ratings.server";
import { apiHandler, idParam, methodNotAllowed, readJsonBody } from "~/web/api.server";

export async function loader() {
  return methodNotAllowed("POST");
}

/**
 * POST /api/v1/projects/:id/items/:key/rating `{score: 1..5, comment?}` (DESIGN §6 v1.1):
 * the project's enterprise contact rates a finished item → 201 `{id, followUpActionItemId}`
 * (null unless score ≤ 2); 409 unfinished or already rated; 422 a bad score; another
 * enterprise's project or item 404.
 */
export async function action({ request, params }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed("POST");
  return apiHandler(
    request,
    async (user) => {
      const id = idParam(params.id);
      return rateItem(serviceContext(), user, id, params.key ?? "", await readJsonBody(request));
    },
    201,
  );
}
