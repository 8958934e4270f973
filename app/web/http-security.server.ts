import { randomBytes, randomUUID } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { Logger } from "pino";
import { ANON_COOKIE, CSRF_FIELD, CSRF_HEADER, CSRF_REFUSED, csrfFieldOf, csrfTokenFor, newAnonValue, parseCookies, tokensMatch } from "./csrf.server";
import { SESSION_COOKIE } from "./session.server";

/*
 * What every request passes before Remix (issue 14): a request id and a CSP nonce,
 * the security headers, the CSRF check on state-changing page requests, and one
 * log line when the response is done. Kept in one place so that a new route cannot
 * opt out by forgetting something.
 */

declare module "express-serve-static-core" {
  interface Locals {
    requestId: string;
    cspNonce: string;
    csrfToken: string | null;
    /** The request body, read whole by the CSRF check; Remix gets it from here. */
    rawBody?: Buffer;
  }
}

/** Largest body a page request may carry (an upload of 20 MB plus the form around it). */
export const MAX_PAGE_BODY_BYTES = 25 * 1024 * 1024;

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The Content-Security-Policy of a page whose inline scripts carry `nonce`. */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    // React Flow and the charts position with style attributes; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export interface SecurityOptions {
  secret: string;
  /** HSTS and Secure cookies: only when the site is served over TLS (COOKIE_SECURE=true). */
  https: boolean;
  /** Largest body the CSRF check reads before it answers 413; MAX_PAGE_BODY_BYTES unless given (tests use a small one). */
  maxBodyBytes?: number;
}

/** Request id, nonce, the client address for the app (never the client's own claim), and the headers. */
export function securityHeaders(opts: SecurityOptions) {
  return (req: Request, res: Response, next: NextFunction) => {
    const given = req.get("X-Request-Id");
    res.locals.requestId = given && /^[\w.-]{8,64}$/.test(given) ? given : randomUUID();
    res.locals.cspNonce = randomBytes(16).toString("base64");
    // Whatever a client sends in this header is replaced: only Express's req.ip (trust proxy aware) counts.
    req.headers["x-client-ip"] = req.ip ?? "";
    res.setHeader("X-Request-Id", res.locals.requestId);
    res.setHeader("Content-Security-Policy", contentSecurityPolicy(res.locals.cspNonce));
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("Referrer-Policy", "same-origin");
    res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    res.setHeader("Cross-Origin-Resource-Policy", "same-origin");
    res.setHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
    if (opts.https) res.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    next();
  };
}

function refuse(res: Response, status: number, message: string) {
  res.status(status);
  if ((res.req.get("Accept") ?? "").includes("text/html")) {
    res.type("html").send(`<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>请求被拒绝</title><body style="font-family:sans-serif;padding:3rem"><h1 style="font-size:1.2rem">请求被拒绝</h1><p>${message}</p><p><a href="/">返回首页</a></p></body></html>`);
  } else {
    res.type("text/plain; charset=utf-8").send(message);
  }
}

function sizeLabel(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

function readBody(req: Request, limit: number): Promise<Buffer | "too_large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on("end", () => resolve(over ? "too_large" : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Same host in Origin (when the browser sends one) as in Host: a cross-site form post is refused outright. */
function crossOrigin(req: Request): boolean {
  const origin = req.get("Origin");
  if (!origin || origin === "null") return origin === "null";
  try {
    return new URL(origin).host !== req.get("Host");
  } catch {
    return true;
  }
}

const BAD_PATH = "请求地址格式不正确，请检查链接后重试";

function decodablePath(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The path as Remix will route it (remix-handler builds a WHATWG URL from originalUrl, which
 * resolves "..", "%2e%2e" and "\\"): the exemptions below must judge that path, or
 * "/api/../login" would pass as an API call and reach the sign-in action without a token.
 */
function routedPath(req: Request): string {
  try {
    return new URL(req.originalUrl, "http://localhost").pathname;
  } catch {
    return req.path;
  }
}

/**
 * CSRF: every page request that can change something (POST, PUT, PATCH, DELETE
 * outside /api/) must carry the page's token, in the `_csrf` field or the
 * X-CSRF-Token header, and must not come from another origin. The JSON API is
 * exempt because it never accepts cookies (bearer tokens only). Also hands the
 * token to the page (res.locals.csrfToken), minting the pre-session cookie for a
 * browser that has neither cookie yet.
 */
export function csrfGuard(opts: SecurityOptions) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      // Express decodes the path when it matches a route and answers a malformed one
      // ("/%", "/projects/%E0%A4%A") with a URIError that would end as a 500; refuse it here.
      if (!decodablePath(req.path)) return refuse(res, 400, BAD_PATH);
      const cookies = parseCookies(req.headers.cookie);
      let anon = cookies.get(ANON_COOKIE) ?? null;
      const session = cookies.get(SESSION_COOKIE) ?? null;
      if (!session && !anon && SAFE_METHODS.has(req.method)) {
        anon = newAnonValue();
        res.cookie(ANON_COOKIE, anon, { httpOnly: true, sameSite: "lax", secure: opts.https, path: "/" });
        req.headers.cookie = [req.headers.cookie, `${ANON_COOKIE}=${anon}`].filter(Boolean).join("; ");
      }
      const expected = csrfTokenFor(opts.secret, { session, anon });
      res.locals.csrfToken = expected;
      const path = routedPath(req);
      if (SAFE_METHODS.has(req.method) || path.startsWith("/api/")) return next();

      if (crossOrigin(req)) return refuse(res, 403, CSRF_REFUSED);
      // bull-board's own UI cannot carry our token; its calls are PUT/POST fetches, which
      // browsers always send with an Origin, so same-origin is required and enough there.
      if (path.startsWith("/admin/queues/")) return req.get("Origin") ? next() : refuse(res, 403, CSRF_REFUSED);
      if (tokensMatch(expected, req.get(CSRF_HEADER))) return next();
      const limit = opts.maxBodyBytes ?? MAX_PAGE_BODY_BYTES;
      const body = await readBody(req, limit);
      if (body === "too_large") return refuse(res, 413, `提交的内容过大（上限 ${sizeLabel(limit)}）`);
      res.locals.rawBody = body;
      if (!tokensMatch(expected, await csrfFieldOf(body, req.get("Content-Type") ?? ""))) return refuse(res, 403, CSRF_REFUSED);
      next();
    } catch (e) {
      next(e);
    }
  };
}

export { CSRF_FIELD };

/**
 * A request path as it may be logged: an invitation link's token is the only
 * credential of the account it sets up (routes/invite.$token.tsx), so whoever
 * reads the logs must not be able to use it. Remix's data requests
 * (`/invite/<token>.data`) are covered too.
 *
 * @example loggablePath("/invite/Qx7…") // → "/invite/[redacted]"
 */
export function loggablePath(path: string): string {
  return path.replace(/^\/invite\/[^/]+/i, "/invite/[redacted]");
}

/** One line per request when its response is done: id, method, path without query, status, time, size. */
export function requestLog(log: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const line = { reqId: res.locals.requestId, method: req.method, path: loggablePath(req.path), status: res.statusCode, ms: Math.round(ms * 10) / 10, bytes: Number(res.getHeader("Content-Length") ?? 0) || undefined, ip: req.ip };
      if (res.statusCode >= 500) log.error(line, "request failed");
      else log.info(line, "request");
    });
    next();
  };
}
