import type { LoaderFunctionArgs } from "@remix-run/node";
import { calendarAdd } from "~/services/calendar.server";
import { serviceContext } from "~/services/context.server";
import { apiHandler } from "~/web/api.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const q = new URL(request.url).searchParams;
  return apiHandler(request, () => calendarAdd(serviceContext(), q.get("from"), q.get("days")));
}
