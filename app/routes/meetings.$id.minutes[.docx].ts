import type { LoaderFunctionArgs } from "@remix-run/node";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import { minutesDocx } from "~/services/minutes.server";
import { contentDisposition } from "~/web/panel-response.server";
import { routeId } from "~/web/params.server";
import { requireUser } from "~/web/session.server";

/** GET /meetings/:id/minutes.docx — the meeting's 会议纪要 as a Word document (the same text as /meetings/:id/minutes). */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const meetingId = routeId(params.id, "会议");
  try {
    const { buffer, fileName } = await minutesDocx(serviceContext(), user, meetingId);
    return new Response(new Uint8Array(buffer), {
      headers: {
        "Content-Type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Content-Length": String(buffer.byteLength),
        "Content-Disposition": contentDisposition(fileName, `meeting-${meetingId}-minutes.docx`),
        "Cache-Control": "private, no-store",
      },
    });
  } catch (e) {
    if (e instanceof AppError) throw new Response(e.message, { status: e.status });
    throw e;
  }
}
