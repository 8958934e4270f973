import { createReadStream } from "node:fs";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { servedMimeType } from "~/domain/material/upload-rules";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import { openUpload } from "~/services/materials.server";
import { contentDisposition } from "~/web/panel-response.server";
import { routeId } from "~/web/params.server";
import { requireUser } from "~/web/session.server";

/** Streams an uploaded material after the service's access check. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const id = routeId(params.uploadId, "文件");
  let file;
  try {
    file = openUpload(serviceContext(), user, id);
  } catch (e) {
    if (e instanceof AppError) throw new Response(e.message, { status: e.status });
    throw e;
  }
  const ext = file.originalName.includes(".") ? file.originalName.slice(file.originalName.lastIndexOf(".") + 1).toLowerCase() : "bin";
  return new Response(createReadableStreamFromReadable(createReadStream(file.path)), {
    headers: {
      "Content-Type": servedMimeType(file.mimeType),
      "Content-Length": String(file.size),
      // Always a download, never rendered in the app's origin; nosniff and a sandbox CSP as a second fence.
      "Content-Disposition": contentDisposition(file.originalName, `upload-${id}.${/^[a-z0-9]{1,5}$/.test(ext) ? ext : "bin"}`),
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": "default-src 'none'; sandbox",
      "Cache-Control": "private, no-store",
    },
  });
}
