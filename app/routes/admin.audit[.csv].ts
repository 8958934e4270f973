import type { LoaderFunctionArgs } from "@remix-run/node";
import { shanghaiToday } from "~/domain/calendar";
import { exportAuditLog } from "~/services/audit-view.server";
import { serviceContext } from "~/services/context.server";
import { requirePermission } from "~/web/session.server";

/**
 * GET /admin/audit.csv?<the viewer's filters> — the filtered audit rows as CSV
 * (UTF-8 with BOM, so Excel and WPS open it as such), detail in full.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "admin.manage");
  const ctx = serviceContext();
  const result = exportAuditLog(ctx, user, new URL(request.url).searchParams);
  if (!result.ok) throw new Response(Object.values(result.errors).join("；"), { status: 400 });
  return new Response(result.csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="audit-log-${shanghaiToday(ctx.now)}.csv"`,
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
