import type { LoaderFunctionArgs } from "@remix-run/node";
import { serviceContext } from "~/services/context.server";
import { getDashboardCharts, parseDashboardFilter } from "~/services/dashboard.server";
import { requirePermission } from "~/web/session.server";

/**
 * GET /dashboard/charts?<dashboard filters>: the four charts' figures as JSON,
 * fetched by the dashboard page after it is up (a resource route of the signed-in
 * pages: session cookie, not an API token). Leaders, coordinators, administrators.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "dashboard.view");
  const charts = getDashboardCharts(serviceContext(), user, parseDashboardFilter(new URL(request.url).searchParams));
  // The figures change with every clock event; a cached copy would contradict the counts above it.
  return Response.json(charts, { headers: { "Cache-Control": "no-store" } });
}
