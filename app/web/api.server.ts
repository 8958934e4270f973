import { parseId } from "~/domain/validation/id";
import { AppError } from "~/services/errors.server";
import { auditApiCall, type SessionUser } from "~/services/auth.server";
import { getDb } from "~/utils/db.server";
import { rejectUnsafeText } from "./input-text.server";
import { requireApiUser } from "./session.server";

/**
 * Every API route goes through here: bearer authentication, then the handler,
 * with service errors mapped to `{"error": {"code", "message"}}` and their
 * status. Anything unexpected is logged and answered without internals. A call
 * by an integration account is audited with its outcome (DESIGN §3).
 */
export async function apiHandler(request: Request, handler: (user: SessionUser) => unknown | Promise<unknown>, status = 200): Promise<Response> {
  let user: SessionUser | null = null;
  let response: Response;
  try {
    user = requireApiUser(request);
    response = Response.json(await handler(user), { status });
  } catch (e) {
    if (e instanceof AppError) {
      response = Response.json({ error: { code: e.code, message: e.message, ...(e.fields ? { fields: e.fields } : {}) } }, { status: e.status });
    } else {
      console.error("api: unexpected error", e);
      response = Response.json({ error: { code: "internal", message: "服务器内部错误，请稍后重试" } }, { status: 500 });
    }
  }
  if (user?.role === "integration") {
    try {
      auditApiCall(getDb(), user, { method: request.method, path: new URL(request.url).pathname, status: response.status });
    } catch (e) {
      // The call itself has been answered (and committed, if it wrote); a failed audit write must not turn it into an error.
      console.error("api: audit of an integration call failed", e);
    }
  }
  return response;
}

export async function readJsonBody(request: Request): Promise<unknown> {
  const type = request.headers.get("Content-Type") ?? "";
  if (!type.includes("application/json")) throw new AppError("bad_request", "请求体应为 JSON（Content-Type: application/json）");
  const text = await request.text();
  if (text.length > 1_000_000) throw new AppError("bad_request", "请求体过大（上限 1 MB）");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AppError("bad_request", "请求体不是有效的 JSON");
  }
  rejectUnsafeText(body);
  return body;
}

export function methodNotAllowed(allowed: string): Response {
  return Response.json({ error: { code: "method_not_allowed", message: `该地址只支持 ${allowed} 请求` } }, { status: 405, headers: { Allow: allowed } });
}

/** A path id for the JSON API: the shared parser, with the API's 404 error shape. */
export function idParam(raw: string | undefined, what = "项目"): number {
  const id = parseId(raw);
  if (id === null) throw new AppError("not_found", `${what}不存在或无权查看`);
  return id;
}
