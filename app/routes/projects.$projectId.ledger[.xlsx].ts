import type { LoaderFunctionArgs } from "@remix-run/node";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import { exportLedgerFile } from "~/services/ledger.server";
import { contentDisposition } from "~/web/panel-response.server";
import { routeId } from "~/web/params.server";
import { requireUser } from "~/web/session.server";

/** GET /projects/:id/ledger.xlsx — the project's 代办台账 as an Excel download. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const projectId = routeId(params.projectId);
  try {
    const { buffer, fileName } = await exportLedgerFile(serviceContext(), user, projectId);
    return new Response(new Uint8Array(buffer), {
      headers: {
        "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Content-Length": String(buffer.byteLength),
        "Content-Disposition": contentDisposition(fileName, `project-${projectId}-ledger.xlsx`),
        "Cache-Control": "private, no-store",
      },
    });
  } catch (e) {
    if (e instanceof AppError) throw new Response(e.message, { status: e.status });
    throw e;
  }
}
