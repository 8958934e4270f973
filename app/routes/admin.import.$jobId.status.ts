import type { LoaderFunctionArgs } from "@remix-run/node";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import { ledgerImportProgress } from "~/services/ledger-import.server";
import { routeId } from "~/web/params.server";
import { requireUser } from "~/web/session.server";

/** GET /admin/import/:id/status — polled each second by the import page's progress bar: {id, status, statusLabel, total, processed, error}. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    return Response.json(ledgerImportProgress(serviceContext(), user, routeId(params.jobId, "导入记录")), { headers: { "Cache-Control": "no-store" } });
  } catch (e) {
    if (e instanceof AppError) return Response.json({ error: { code: e.code, message: e.message } }, { status: e.status });
    throw e;
  }
}
