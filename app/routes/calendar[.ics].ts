import type { LoaderFunctionArgs } from "@remix-run/node";
import { calendarFeed } from "~/services/calendar-feed.server";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";

/**
 * GET /calendar.ics?token=… — a user's meetings and action-item deadlines for a
 * calendar app to subscribe to. No session: calendar apps fetch it unattended,
 * so the token (issued at /account/calendar) authenticates. Refusals are plain
 * text, which is what a calendar app shows, if anything.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  try {
    const ics = calendarFeed(serviceContext(), url.searchParams.get("token"), url.origin);
    return new Response(ics, {
      headers: {
        "Content-Type": "text/calendar; charset=utf-8",
        "Content-Disposition": 'inline; filename="calendar.ics"',
        // The URL carries a credential and the body personal deadlines: no shared cache may keep either.
        "Cache-Control": "private, no-store",
        "Referrer-Policy": "no-referrer",
      },
    });
  } catch (e) {
    if (e instanceof AppError) {
      return new Response(e.message, { status: e.status, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
    }
    throw e;
  }
}
