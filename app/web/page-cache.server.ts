import { createHash } from "node:crypto";
import type { NextFunction, Request, Response } from "express";

/**
 * A per-viewer cache of rendered pages for the pages people open all day. A page
 * is a function of who asks (the session cookie), the URL, the data and the date,
 * so the key is exactly those: the cookie's hash, the URL, a data generation that
 * changes with every committed write by any process, and today's date (countdowns
 * move with the calendar day). Nothing is ever served across a change: the next
 * write anywhere makes every key new, and old entries age out.
 */
export interface PageCacheOptions {
  /** Upper bound of the cached bodies, in bytes. */
  maxBytes: number;
  /** Changes whenever committed data may have changed, whoever wrote it. */
  generation: () => string;
  /** Today in Asia/Shanghai (YYYY-MM-DD). */
  today: () => string;
  /** Whether this request's viewer may be served from the cache (signed in, and not an administrator, whose pages also show live queue health). */
  cacheableViewer: (req: Request) => Promise<boolean>;
}

/**
 * Whose pages may come from the cache: a signed-in viewer, except administrators
 * (their pages show live queue health) and a user who holds a one-time password,
 * whose every page must be the redirect to /account/password, never a page
 * rendered for the same cookie before the password was reset.
 */
export function isCacheableViewer(user: { role: string; mustChangePassword: boolean } | null): boolean {
  return user !== null && user.role !== "admin" && !user.mustChangePassword;
}

interface Entry {
  status: number;
  headers: [string, string][];
  body: Buffer;
}

/** Paths never cached: sign-in and the password page, files and exports, the JSON API, live polling, administration. */
const UNCACHED = /^\/(?:login|logout|account\/|api\/|build\/|uploads\/|admin|healthz)|\/version$|\.xlsx$/;
const CACHED_TYPES = /^(?:text\/html|text\/x-script)/;
// The CSP goes with the body: a cached page's inline scripts carry the nonce of the response that rendered it.
const KEPT_HEADERS = ["content-security-policy", "content-type", "cache-control", "vary", "x-remix-response", "x-remix-redirect", "x-remix-status", "x-remix-reload-document"];

export function createPageCache(opts: PageCacheOptions) {
  const entries = new Map<string, Entry>();
  let bytes = 0;
  const stats = { hits: 0, misses: 0 };

  function remember(key: string, entry: Entry) {
    if (entry.body.byteLength > opts.maxBytes / 4) return;
    const old = entries.get(key);
    if (old) {
      bytes -= old.body.byteLength;
      entries.delete(key);
    }
    entries.set(key, entry);
    bytes += entry.body.byteLength;
    // Map keeps insertion order and hits re-insert, so the first key is the least recently used.
    while (bytes > opts.maxBytes) {
      const [k, e] = entries.entries().next().value!;
      entries.delete(k);
      bytes -= e.body.byteLength;
    }
  }

  async function middleware(req: Request, res: Response, next: NextFunction) {
    if (req.method !== "GET" || !req.headers.cookie || UNCACHED.test(req.path)) return next();
    try {
      if (!(await opts.cacheableViewer(req))) return next();
    } catch (e) {
      return next(e);
    }
    const key = [createHash("sha256").update(req.headers.cookie).digest("base64url"), req.originalUrl, opts.generation(), opts.today()].join("\n");
    const hit = entries.get(key);
    if (hit) {
      stats.hits++;
      entries.delete(key);
      entries.set(key, hit);
      res.status(hit.status);
      for (const [name, value] of hit.headers) res.setHeader(name, value);
      res.setHeader("X-Page-Cache", "hit");
      res.end(hit.body);
      return;
    }
    stats.misses++;
    res.setHeader("X-Page-Cache", "miss");
    const chunks: Buffer[] = [];
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    const collect = (chunk: unknown, encoding?: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === "function") return;
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8"));
    };
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      collect(chunk, rest[0]);
      return write(chunk, ...rest);
    }) as Response["write"];
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      collect(chunk, rest[0]);
      const type = String(res.getHeader("content-type") ?? "");
      if (res.statusCode === 200 && !res.getHeader("set-cookie") && CACHED_TYPES.test(type)) {
        const headers: [string, string][] = [];
        for (const name of KEPT_HEADERS) {
          const v = res.getHeader(name);
          if (v !== undefined) headers.push([name, String(v)]);
        }
        remember(key, { status: 200, headers, body: Buffer.concat(chunks) });
      }
      return end(chunk, ...rest);
    }) as Response["end"];
    next();
  }

  return { middleware, stats, size: () => ({ entries: entries.size, bytes }) };
}
