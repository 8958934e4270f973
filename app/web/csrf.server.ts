import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/*
 * CSRF tokens (issue 14), in addition to SameSite=Lax cookies. A token is an
 * HMAC of the cookie that identifies the browser: the session cookie once signed
 * in, before that a random pre-session cookie. So a token is bound to the session
 * (a new one at every sign-in), needs no storage, and a page and the post it makes
 * agree as long as the browser keeps its cookies. Another site can neither read
 * the page that carries the token nor compute it.
 */

export const CSRF_FIELD = "_csrf";
export const CSRF_HEADER = "x-csrf-token";
/** The pre-session cookie: what an anonymous page's token (the sign-in form's) is bound to. */
export const ANON_COOKIE = "gc_csrf";

export const CSRF_REFUSED = "页面已过期或请求来源不明，请刷新页面后重试";

export function newAnonValue(): string {
  return randomBytes(24).toString("base64url");
}

/** The token for a browser holding these cookie values (the raw, still-signed session cookie, or the pre-session one). */
export function csrfTokenFor(secret: string, cookies: { session?: string | null; anon?: string | null }): string | null {
  const basis = cookies.session ? `s:${cookies.session}` : cookies.anon ? `a:${cookies.anon}` : null;
  return basis === null ? null : createHmac("sha256", secret).update(`csrf\n${basis}`).digest("base64url");
}

export function tokensMatch(expected: string | null, given: string | null | undefined): boolean {
  if (!expected || !given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Cookie header → name/value pairs (first occurrence wins, as browsers send the most specific first). */
export function parseCookies(header: string | undefined | null): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || out.has(name)) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      out.set(name, decodeURIComponent(value));
    } catch {
      out.set(name, value);
    }
  }
  return out;
}

/** The `_csrf` field of a urlencoded or multipart body, or null. */
export async function csrfFieldOf(body: Buffer, contentType: string): Promise<string | null> {
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(contentType)) return null;
  try {
    const form = await new Response(new Uint8Array(body), { headers: { "Content-Type": contentType } }).formData();
    const v = form.get(CSRF_FIELD);
    return typeof v === "string" ? v : null;
  } catch {
    return null;
  }
}
