import type { LoaderFunctionArgs } from "@remix-run/node";
import { exportBriefingFile } from "~/services/briefings.server";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import { contentDisposition } from "~/web/panel-response.server";
import { routeId } from "~/web/params.server";
import { requirePermission } from "~/web/session.server";

/**
 * GET /dashboard/briefings/:id.xlsx — a stored 通报 as an Excel workbook (概况, 部门排名,
 * 超期事项, 新开工项目, 督办事项), the same content as its printable page.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "dashboard.view");
  const id = routeId(params.id, "通报");
  try {
    const { buffer, fileName } = await exportBriefingFile(serviceContext(), user, id);
    return new Response(new Uint8Array(buffer), {
      headers: {
        "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Content-Length": String(buffer.byteLength),
        "Content-Disposition": contentDisposition(fileName, `briefing-${id}.xlsx`),
        "Cache-Control": "private, no-store",
      },
    });
  } catch (e) {
    if (e instanceof AppError) throw new Response(e.message, { status: e.status });
    throw e;
  }
}
