import type { LoaderFunctionArgs } from "@remix-run/node";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import { exportCityLedgerFile } from "~/services/ledger.server";
import { contentDisposition } from "~/web/panel-response.server";
import { requireUser } from "~/web/session.server";

/**
 * GET /projects/ledger.xlsx — the city-wide 代办台账 of every project the user may see
 * (an enterprise contact: their own). The same workbook /admin/import reads.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    const { buffer, fileName } = await exportCityLedgerFile(serviceContext(), user);
    return new Response(new Uint8Array(buffer), {
      headers: {
        "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Content-Length": String(buffer.byteLength),
        "Content-Disposition": contentDisposition(fileName, "ledger.xlsx"),
        "Cache-Control": "private, no-store",
      },
    });
  } catch (e) {
    if (e instanceof AppError) throw new Response(e.message, { status: e.status });
    throw e;
  }
}
