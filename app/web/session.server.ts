import { createCookie, redirect } from "@remix-run/node";
import { decide, type Action, type AccessContext } from "~/domain/access/policy";
import { authenticateApiToken, type SessionUser } from "~/services/auth.server";
import { AppError } from "~/services/errors.server";
import { endSession, readSession, SESSION_MAX_MS, startSession } from "~/services/sessions.server";
import { sessionSecret } from "~/utils/config.server";
import { getDb } from "~/utils/db.server";

/** The session cookie's name; the CSRF guard (app/web/csrf.server.ts) binds its tokens to this cookie's value. */
export const SESSION_COOKIE = "gc_session";

const g = globalThis as unknown as { __gcSessionCookie?: ReturnType<typeof createCookie> };

function sessionCookie() {
  // Signed, so a guessed or altered value is refused before the database is asked;
  // the value is a random token whose hash is a row in `sessions`.
  return (g.__gcSessionCookie ??= createCookie(SESSION_COOKIE, {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secure: process.env.COOKIE_SECURE === "true",
    secrets: [sessionSecret()],
    maxAge: SESSION_MAX_MS / 1000,
  }));
}

async function sessionToken(request: Request): Promise<string | null> {
  const value: unknown = await sessionCookie().parse(request.headers.get("Cookie"));
  return typeof value === "string" && value.length > 0 ? value : null;
}

/** The signed-in user behind the request's session cookie, or null (no cookie, expired, revoked, deactivated). */
export async function getOptionalUser(request: Request): Promise<SessionUser | null> {
  const token = await sessionToken(request);
  if (!token) return null;
  const s = readSession(getDb(), token, new Date());
  return s ? { ...s.user, sessionId: s.sessionId } : null;
}

/** The client address as the proxy in front reports it (see README: deployment), else the socket's. */
export function clientIp(request: Request): string | null {
  return request.headers.get("X-Client-Ip");
}

/** Where a user holding a one-time password is sent until they choose their own. */
export const PASSWORD_CHANGE_PATH = "/account/password";

/**
 * Loader/action guard: the signed-in user, or a redirect to /login that returns
 * here afterwards. A user who signed in with a one-time password is sent to
 * /account/password from every page and action until they have chosen a new one;
 * only that page passes `allowPasswordChange` to get such a user back.
 */
export async function requireUser(request: Request, opts: { allowPasswordChange?: boolean } = {}): Promise<SessionUser> {
  const user = await getOptionalUser(request);
  if (!user) {
    const url = new URL(request.url);
    const back = url.pathname + url.search;
    throw redirect(`/login?redirectTo=${encodeURIComponent(back)}`);
  }
  if (user.mustChangePassword && !opts.allowPasswordChange) throw redirect(PASSWORD_CHANGE_PATH);
  return user;
}

/** Page-level gate for role pages (/admin, /dashboard …); data-level checks stay in services. */
export async function requirePermission(request: Request, action: Action, ctx?: AccessContext): Promise<SessionUser> {
  const user = await requireUser(request);
  const d = decide(user, action, ctx);
  if (!d.allowed) throw new Response("没有访问此页面的权限", { status: 403 });
  return user;
}

/**
 * Signs the user in: a new session (never the one the browser came with, so a
 * session id planted before sign-in is worthless) and its cookie.
 */
export async function createUserSession(userId: number, redirectTo: string, request?: Request): Promise<Response> {
  const token = startSession(getDb(), userId, { ip: request ? clientIp(request) : null, userAgent: request?.headers.get("User-Agent") ?? null }, new Date());
  return redirect(redirectTo, { headers: { "Set-Cookie": await sessionCookie().serialize(token) } });
}

/** Sign-out: the session ends on the server, not only in this browser. */
export async function destroyUserSession(request: Request): Promise<Response> {
  const token = await sessionToken(request);
  if (token) endSession(getDb(), token, "signOut", new Date());
  return redirect("/login", { headers: { "Set-Cookie": await sessionCookie().serialize("", { maxAge: 0, expires: new Date(0) }) } });
}

/** JSON API guard: `Authorization: Bearer <token>`. */
export function requireApiUser(request: Request): SessionUser {
  const header = request.headers.get("Authorization") ?? "";
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  if (!m) throw new AppError("unauthorized", "缺少或无效的访问令牌（Authorization: Bearer <token>）");
  const user = authenticateApiToken(getDb(), m[1]);
  if (!user) throw new AppError("unauthorized", "访问令牌无效或已吊销");
  return user;
}

/** Only same-site relative paths, so a crafted ?redirectTo cannot send a user elsewhere. */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback: string): string {
  if (!to || typeof to !== "string" || !to.startsWith("/") || to.startsWith("//")) return fallback;
  return to;
}
