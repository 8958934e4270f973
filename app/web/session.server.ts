import { createCookieSessionStorage, redirect } from "@remix-run/node";
import { decide, type Action, type AccessContext } from "~/domain/access/policy";
import { authenticateApiToken, getSessionUser, type SessionUser } from "~/services/auth.server";
import { AppError } from "~/services/errors.server";
import { sessionSecret } from "~/utils/config.server";
import { getDb } from "~/utils/db.server";

type SessionData = { userId: number };
const g = globalThis as unknown as { __gcSessions?: ReturnType<typeof createCookieSessionStorage<SessionData>> };

function storage() {
  // A signed cookie: a tampered value fails verification and reads as an empty session.
  return (g.__gcSessions ??= createCookieSessionStorage<SessionData>({
    cookie: {
      name: "gc_session",
      httpOnly: true,
      sameSite: "lax",
      path: "/",
      secure: process.env.NODE_ENV === "production" && process.env.COOKIE_SECURE === "true",
      secrets: [sessionSecret()],
      maxAge: 60 * 60 * 12,
    },
  }));
}

export async function getUserId(request: Request): Promise<number | null> {
  const session = await storage().getSession(request.headers.get("Cookie"));
  const id = session.get("userId");
  return typeof id === "number" ? id : null;
}

export async function getOptionalUser(request: Request): Promise<SessionUser | null> {
  const id = await getUserId(request);
  return id === null ? null : getSessionUser(getDb(), id);
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

export async function createUserSession(userId: number, redirectTo: string): Promise<Response> {
  const session = await storage().getSession();
  session.set("userId", userId);
  return redirect(redirectTo, { headers: { "Set-Cookie": await storage().commitSession(session) } });
}

export async function destroyUserSession(request: Request): Promise<Response> {
  const session = await storage().getSession(request.headers.get("Cookie"));
  return redirect("/login", { headers: { "Set-Cookie": await storage().destroySession(session) } });
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
