import { apiHandler } from "~/web/api.server";
import { AppError } from "~/services/errors.server";

// Unknown API paths answer in the API's JSON error shape, not with an HTML page.
const notFound = ({ request }: { request: Request }) =>
  apiHandler(request, () => {
    throw new AppError("not_found", "接口不存在");
  });

export const loader = notFound;
export const action = notFound;
