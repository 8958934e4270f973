import type { LoaderFunctionArgs } from "@remix-run/node";
import { parseId } from "~/domain/validation/id";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import { exportTemplate } from "~/services/template-library.server";
import { requirePermission } from "~/web/session.server";

/**
 * GET /admin/templates/:key.json[?version=N] — one version of a template (the newest
 * by default) as a JSON file in the DESIGN §5 shape, which imports back as is.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requirePermission(request, "admin.manage");
  const raw = new URL(request.url).searchParams.get("version");
  const version = raw ? parseId(raw) : undefined;
  if (version === null) throw new Response("没有这个版本", { status: 404 });
  try {
    const { json, fileName } = exportTemplate(serviceContext().db, params.key ?? "", version);
    return new Response(json, {
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        // Keys are kebab-case ASCII (the template schema says so): the plain form is enough.
        "Content-Disposition": `attachment; filename="${fileName}"`,
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
      },
    });
  } catch (e) {
    if (e instanceof AppError) throw new Response(e.message, { status: e.status });
    throw e;
  }
}
