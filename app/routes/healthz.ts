import { checkHealth } from "~/services/health.server";

/**
 * For load balancers and monitoring: no sign-in, no secrets. 200 while the database answers
 * (a Redis outage reads "degraded": pages and countdowns keep working from the database),
 * 503 when it does not.
 */
export async function loader() {
  const report = await checkHealth();
  return Response.json(report, { status: report.status === "down" ? 503 : 200, headers: { "Cache-Control": "no-store" } });
}
