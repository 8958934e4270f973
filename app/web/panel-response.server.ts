import { redirect } from "@remix-run/node";
import { ACTIVE_EXTENSIONS, downloadName } from "~/domain/material/upload-rules";
import { AppError } from "~/services/errors.server";

/**
 * Answers for the project page's panel forms (materials, 代办日志). They are
 * plain HTML posts, so they work before hydration: the answer is a redirect
 * back to the project page carrying the outcome in the query, which the panel
 * shows. Scripts that ask for JSON get `{ok, message}` with the real status.
 */
export type PanelName = "materials" | "timeline";

export function wantsJson(request: Request): boolean {
  return (request.headers.get("Accept") ?? "").includes("application/json");
}

export function panelResult(
  request: Request,
  projectId: number,
  panel: PanelName,
  outcome: { ok: boolean; message: string; status?: number; fields?: Record<string, string> },
): Response {
  const status = outcome.status ?? (outcome.ok ? 200 : 422);
  if (wantsJson(request)) {
    return Response.json({ ok: outcome.ok, message: outcome.message, ...(outcome.fields ? { fields: outcome.fields } : {}) }, { status });
  }
  const page = `/projects/${projectId}`;
  // Keep the page's own query (e.g. the selected item) when the post came from it.
  const q = new URLSearchParams();
  const referer = request.headers.get("Referer");
  if (referer) {
    try {
      const from = new URL(referer);
      if (from.host === new URL(request.url).host && from.pathname === page) from.searchParams.forEach((v, k) => q.set(k, v));
    } catch {
      // A malformed Referer only loses the page's query.
    }
  }
  q.set("flash", panel);
  q.set("ok", outcome.ok ? "1" : "0");
  q.set("msg", outcome.message.slice(0, 300));
  return redirect(`${page}?${q}#${panel}`, 303);
}

/** A service's refusal as a panel answer; anything else is a bug and propagates (logged by Remix). */
export function panelError(request: Request, projectId: number, panel: PanelName, e: unknown): Response {
  if (e instanceof AppError) return panelResult(request, projectId, panel, { ok: false, message: e.message, status: e.status, fields: e.fields });
  throw e;
}


/**
 * `Content-Disposition` that survives any file name: an ASCII fallback for old
 * clients and the real (Chinese) name as RFC 5987 `filename*`, so user text
 * never reaches the header unencoded. The name is cleaned first (no path
 * separators, CR/LF or other control characters, quotes or invisible marks; at
 * most 150 characters), and an active type (HTML, SVG, XML, script) is never
 * sent inline, whatever the caller asks.
 */
export function contentDisposition(name: string, asciiFallback: string, type: "attachment" | "inline" = "attachment"): string {
  const fallback = downloadName(asciiFallback).replace(/[^\x20-\x7e]|["\\;%]/g, "_") || "download";
  const clean = downloadName(name) || fallback;
  const encoded = encodeURIComponent(clean).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const disposition = type === "inline" && !ACTIVE_EXTENSIONS.test(clean) && !ACTIVE_EXTENSIONS.test(fallback) ? "inline" : "attachment";
  return `${disposition}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
