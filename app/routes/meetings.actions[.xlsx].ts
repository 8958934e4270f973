import type { LoaderFunctionArgs } from "@remix-run/node";
import { exportActionItemsFile } from "~/services/action-items.server";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import { contentDisposition } from "~/web/panel-response.server";
import { requireUser } from "~/web/session.server";

/**
 * GET /meetings/actions.xlsx — the 督办台账 as an Excel workbook, with the page's filters
 * (`status`, `department`, `source`). Staff only: the service refuses enterprise contacts (403).
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const params = new URL(request.url).searchParams;
  try {
    const { buffer, fileName } = await exportActionItemsFile(serviceContext(), user, {
      status: params.get("status") ?? "",
      department: params.get("department") ?? "",
      source: params.get("source") ?? "",
    });
    return new Response(new Uint8Array(buffer), {
      headers: {
        "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Content-Length": String(buffer.byteLength),
        "Content-Disposition": contentDisposition(fileName, "action-items.xlsx"),
        "Cache-Control": "private, no-store",
      },
    });
  } catch (e) {
    if (e instanceof AppError) throw new Response(e.message, { status: e.status });
    throw e;
  }
}
