import { createHash, randomBytes } from "node:crypto";
import { request as httpRequest, type Server } from "node:http";
import express, { type Request } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "~/utils/log.server";
import { csrfGuard, requestLog, securityHeaders, type SecurityOptions } from "~/web/http-security.server";
import { freePort } from "../support/free-port";

/*
 * The request pipeline every page request passes before Remix (issue 14), on a
 * tiny Express app of its own: security headers, one log line per request, and
 * the CSRF guard, in front of a handler that echoes what reached it. No build,
 * no Remix: what is proven here is the pipeline's own contract.
 */

const SECRET = "http-security-test-secret";
const CAP = 1024 * 1024;
const REFUSED = "页面已过期或请求来源不明";

interface Echo {
  method: string;
  path: string;
  bodyBytes: number;
  fields: Record<string, string>;
  file: { name: string; size: number; sha256: string } | null;
  clientIp: string | undefined;
  csrfToken: string | null;
}

interface TestServer {
  base: string;
  host: string;
  /** Lines the app's logger wrote, parsed. */
  lines: Record<string, unknown>[];
  raw: string[];
  /** How many requests reached the final handler. */
  hits: () => number;
  close: () => Promise<void>;
}

function readStream(req: Request): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

async function start(opts: SecurityOptions): Promise<TestServer> {
  const raw: string[] = [];
  const log = createLogger({ write: (line: string) => void raw.push(line) });
  // The test environment logs warnings only; request lines are info.
  log.level = "info";
  let hits = 0;
  const app = express();
  app.use(securityHeaders(opts));
  app.use(requestLog(log));
  app.use(csrfGuard(opts));
  app.all("*", async (req, res) => {
    hits++;
    // What Remix would get: the body the guard already read, else the untouched stream.
    const body = res.locals.rawBody ?? (req.method === "GET" ? Buffer.alloc(0) : await readStream(req));
    const contentType = req.get("Content-Type") ?? "";
    const fields: Record<string, string> = {};
    let file: Echo["file"] = null;
    if (/form/.test(contentType)) {
      const form = await new Response(new Uint8Array(body), { headers: { "Content-Type": contentType } }).formData();
      for (const [k, v] of form) {
        if (k === "_csrf") continue;
        if (typeof v === "string") fields[k] = v;
        else file = { name: v.name, size: v.size, sha256: createHash("sha256").update(Buffer.from(await v.arrayBuffer())).digest("hex") };
      }
    }
    if (req.path === "/log-secrets") {
      log.info({ password: "pw-top-secret", cookie: "gc_session=cookie-secret", authorization: "Bearer bearer-secret", token: "token-secret", input: { password: "pw-nested-secret", token: "token-nested-secret" } }, "with secrets");
    }
    const echo: Echo = { method: req.method, path: req.path, bodyBytes: body.length, fields, file, clientIp: req.get("X-Client-Ip"), csrfToken: res.locals.csrfToken };
    res.json(echo);
  });
  const port = await freePort();
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(port, "127.0.0.1", () => resolve(s));
  });
  const host = `127.0.0.1:${port}`;
  return {
    base: `http://${host}`,
    host,
    raw,
    get lines() {
      return raw.map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    hits: () => hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let plain: TestServer;
let tls: TestServer;

beforeAll(async () => {
  plain = await start({ secret: SECRET, https: false, maxBodyBytes: CAP });
  tls = await start({ secret: SECRET, https: true });
});
afterAll(async () => {
  await plain?.close();
  await tls?.close();
});

/** `name=value` of a Set-Cookie line for `name`, and the whole line. */
function setCookie(res: Response, name: string): { value: string; line: string } | null {
  const line = res.headers.getSetCookie().find((l) => l.startsWith(`${name}=`));
  return line ? { value: line.slice(name.length + 1).split(";")[0], line } : null;
}

/** A browser's first visit: the pre-session cookie it is given and the token its page carries. */
async function firstVisit(s: TestServer = plain): Promise<{ cookie: string; token: string }> {
  const res = await fetch(`${s.base}/login`);
  const c = setCookie(res, "gc_csrf");
  const echo = (await res.json()) as Echo;
  if (!c || !echo.csrfToken) throw new Error("no pre-session cookie or token on a first visit");
  return { cookie: `gc_csrf=${c.value}`, token: echo.csrfToken };
}

/** The token a page shows to a browser holding `cookie`. */
async function tokenFor(cookie: string, s: TestServer = plain): Promise<string> {
  const echo = (await (await fetch(`${s.base}/inbox`, { headers: { Cookie: cookie } })).json()) as Echo;
  if (!echo.csrfToken) throw new Error("no token");
  return echo.csrfToken;
}

function post(path: string, init: { cookie?: string; body?: BodyInit; headers?: Record<string, string>; method?: string; s?: TestServer }) {
  const s = init.s ?? plain;
  return fetch(`${s.base}${path}`, {
    method: init.method ?? "POST",
    body: init.body,
    headers: { ...(init.cookie ? { Cookie: init.cookie } : {}), ...init.headers },
    redirect: "manual",
  });
}

async function waitForLine(s: TestServer, reqId: string): Promise<Record<string, unknown>[]> {
  for (let i = 0; i < 100; i++) {
    const found = s.lines.filter((l) => l.reqId === reqId);
    if (found.length) {
      // A second line would be written at the same moment; give it the chance to show.
      await new Promise((r) => setTimeout(r, 20));
      return s.lines.filter((l) => l.reqId === reqId);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return [];
}

describe("security headers", () => {
  it("every response carries a CSP with a fresh nonce and no inline scripts, no framing, nosniff and a referrer policy", async () => {
    const responses = [await fetch(`${plain.base}/login`), await fetch(`${plain.base}/login`), await post("/anything", {}), await fetch(`${plain.base}/api/v1/projects`)];
    const nonces = new Set<string>();
    for (const res of responses) {
      const csp = res.headers.get("Content-Security-Policy") ?? "";
      const scriptSrc = csp.split(";").map((d) => d.trim()).find((d) => d.startsWith("script-src")) ?? "";
      const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(scriptSrc)?.[1];
      expect(nonce, csp).toBeTruthy();
      nonces.add(nonce!);
      expect(scriptSrc).not.toContain("unsafe-inline");
      expect(scriptSrc).not.toContain("unsafe-eval");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(res.headers.get("X-Frame-Options")).toBe("DENY");
      expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
      expect(res.headers.get("Referrer-Policy")).toMatch(/^(same-origin|strict-origin|strict-origin-when-cross-origin|no-referrer)$/);
      expect(res.headers.get("Strict-Transport-Security")).toBeNull();
    }
    expect(nonces.size).toBe(responses.length);
  });

  it("HSTS and Secure cookies only when the site is served over TLS", async () => {
    const res = await fetch(`${tls.base}/login`);
    expect(res.headers.get("Strict-Transport-Security")).toMatch(/max-age=\d{7,}/);
    expect(setCookie(res, "gc_csrf")?.line).toMatch(/;\s*Secure/i);
    const http = await fetch(`${plain.base}/login`);
    expect(http.headers.get("Strict-Transport-Security")).toBeNull();
    expect(setCookie(http, "gc_csrf")?.line).not.toMatch(/;\s*Secure/i);
  });

  it("a sane X-Request-Id is kept and echoed; anything else is replaced by a fresh id", async () => {
    const kept = await fetch(`${plain.base}/login`, { headers: { "X-Request-Id": "proxy-req.0042_ab" } });
    expect(kept.headers.get("X-Request-Id")).toBe("proxy-req.0042_ab");
    for (const bad of ["short", "<script>alert(1)</script>", "a".repeat(65), "id with spaces 12345"]) {
      const res = await fetch(`${plain.base}/login`, { headers: { "X-Request-Id": bad } });
      const id = res.headers.get("X-Request-Id") ?? "";
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
    const a = (await fetch(`${plain.base}/login`)).headers.get("X-Request-Id");
    const b = (await fetch(`${plain.base}/login`)).headers.get("X-Request-Id");
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    expect(a).not.toBe(b);
  });

  it("the client address the app sees is the connection's, never what the client claims", async () => {
    const echo = (await (await fetch(`${plain.base}/login`, { headers: { "X-Client-Ip": "203.0.113.7" } })).json()) as Echo;
    expect(echo.clientIp).not.toBe("203.0.113.7");
    expect(echo.clientIp).toMatch(/127\.0\.0\.1$/);
  });
});

describe("CSRF guard", () => {
  it("a first visit without cookies gets an HttpOnly SameSite=Lax pre-session cookie and a token; a later visit keeps both", async () => {
    const res = await fetch(`${plain.base}/login`);
    const c = setCookie(res, "gc_csrf");
    expect(c?.value.length).toBeGreaterThanOrEqual(20);
    expect(c?.line).toMatch(/;\s*HttpOnly/i);
    expect(c?.line).toMatch(/;\s*SameSite=Lax/i);
    expect(c?.line).toMatch(/;\s*Path=\//i);
    const token = ((await res.json()) as Echo).csrfToken;
    expect(token).toBeTruthy();
    // The same browser coming back keeps its cookie and sees the same token.
    const again = await fetch(`${plain.base}/login`, { headers: { Cookie: `gc_csrf=${c!.value}` } });
    expect(setCookie(again, "gc_csrf")).toBeNull();
    expect(((await again.json()) as Echo).csrfToken).toBe(token);
    // Another browser gets another cookie and another token.
    const other = await firstVisit();
    expect(other.cookie).not.toBe(`gc_csrf=${c!.value}`);
    expect(other.token).not.toBe(token);
  });

  it("a form post without a token is refused with 403 and a Chinese message, and never reaches the app", async () => {
    const { cookie } = await firstVisit();
    const before = plain.hits();
    const html = await post("/login", { cookie, body: new URLSearchParams({ login: "admin", password: "x" }), headers: { Accept: "text/html" } });
    expect(html.status).toBe(403);
    expect(html.headers.get("Content-Type")).toMatch(/text\/html/);
    expect(await html.text()).toContain(REFUSED);
    const text = await post("/login", { cookie, body: new URLSearchParams({ login: "admin", _csrf: "" }) });
    expect(text.status).toBe(403);
    expect(await text.text()).toContain(REFUSED);
    // No cookie at all (a post straight from another site's script) and a wrong token: refused too.
    expect((await post("/login", { body: new URLSearchParams({ a: "1" }) })).status).toBe(403);
    expect((await post("/login", { cookie, body: new URLSearchParams({ _csrf: "forged-token" }) })).status).toBe(403);
    for (const method of ["PUT", "PATCH", "DELETE"]) expect((await post("/projects/1", { cookie, method })).status, method).toBe(403);
    expect(plain.hits()).toBe(before);
  });

  it("the token in a urlencoded field passes, and the app receives the whole form", async () => {
    const { cookie, token } = await firstVisit();
    const form = new URLSearchParams({ login: "张三", password: "p&ss=word", _csrf: token, note: "x".repeat(5000) });
    const res = await post("/login", { cookie, body: form });
    expect(res.status).toBe(200);
    const echo = (await res.json()) as Echo;
    expect(echo.method).toBe("POST");
    expect(echo.bodyBytes).toBe(Buffer.byteLength(form.toString()));
    expect(echo.fields).toEqual({ login: "张三", password: "p&ss=word", note: "x".repeat(5000) });
  });

  it("the token in a multipart field passes, and the uploaded file arrives byte for byte", async () => {
    const { cookie, token } = await firstVisit();
    const bytes = randomBytes(300 * 1024);
    const form = new FormData();
    form.set("intent", "upload");
    form.set("file", new Blob([bytes], { type: "application/pdf" }), "报价(v=2).pdf");
    // After the file: the guard reads the whole body, not only its start.
    form.set("_csrf", token);
    const encoded = new Response(form);
    const contentType = encoded.headers.get("Content-Type")!;
    const body = new Uint8Array(await encoded.arrayBuffer());
    const res = await post("/projects/1/materials", { cookie, body, headers: { "Content-Type": contentType } });
    expect(res.status).toBe(200);
    const echo = (await res.json()) as Echo;
    expect(echo.bodyBytes).toBe(body.length);
    expect(echo.fields).toEqual({ intent: "upload" });
    expect(echo.file).toEqual({ name: "报价(v=2).pdf", size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") });
  });

  it("the token in the X-CSRF-Token header passes, and the body stream reaches the app untouched", async () => {
    const { cookie, token } = await firstVisit();
    const json = JSON.stringify({ intent: "log", text: "y".repeat(20_000) });
    const res = await post("/projects/1", { cookie, body: json, headers: { "X-CSRF-Token": token, "Content-Type": "application/json" } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Echo).bodyBytes).toBe(Buffer.byteLength(json));
    const del = await post("/projects/1/files/3", { cookie, method: "DELETE", headers: { "X-CSRF-Token": token } });
    expect(del.status).toBe(200);
  });

  it("a token minted for another browser's cookie is refused", async () => {
    const mine = await firstVisit();
    const theirs = await firstVisit();
    expect((await post("/login", { cookie: mine.cookie, body: new URLSearchParams({ _csrf: theirs.token }) })).status).toBe(403);
    expect((await post("/login", { cookie: mine.cookie, body: "", headers: { "X-CSRF-Token": theirs.token } })).status).toBe(403);
    expect((await post("/login", { cookie: theirs.cookie, body: new URLSearchParams({ _csrf: theirs.token }) })).status).toBe(200);
  });

  it("once signed in the token is bound to the session cookie: the sign-in page's token and a rotated session's token stop working", async () => {
    const anon = await firstVisit();
    const signedIn = `${anon.cookie}; gc_session=session-one.signature`;
    const sessionToken = await tokenFor(signedIn);
    expect(sessionToken).not.toBe(anon.token);
    const ok = await post("/projects/1", { cookie: signedIn, body: new URLSearchParams({ intent: "log", _csrf: sessionToken }) });
    expect(ok.status).toBe(200);
    // The pre-session token no longer counts once a session cookie is there.
    expect((await post("/projects/1", { cookie: signedIn, body: new URLSearchParams({ _csrf: anon.token }) })).status).toBe(403);
    // A new sign-in rotates the session cookie: a page still open from before cannot post.
    const rotated = `${anon.cookie}; gc_session=session-two.signature`;
    expect((await post("/projects/1", { cookie: rotated, body: new URLSearchParams({ _csrf: sessionToken }) })).status).toBe(403);
    expect((await post("/projects/1", { cookie: rotated, body: new URLSearchParams({ _csrf: await tokenFor(rotated) }) })).status).toBe(200);
    // A signed-in browser is never handed a pre-session cookie.
    expect(setCookie(await fetch(`${plain.base}/inbox`, { headers: { Cookie: "gc_session=session-three.sig" } }), "gc_csrf")).toBeNull();
  });

  it("a post from another origin is refused even with a valid token; so is Origin: null", async () => {
    const { cookie, token } = await firstVisit();
    const form = () => new URLSearchParams({ login: "admin", _csrf: token });
    for (const origin of ["http://evil.example", `http://${plain.host}.evil.example`, "https://127.0.0.1", "null", "not a url"]) {
      const res = await post("/login", { cookie, body: form(), headers: { Origin: origin, Accept: "text/html" } });
      expect(res.status, origin).toBe(403);
      expect(await res.text()).toContain(REFUSED);
      const viaHeader = await post("/login", { cookie, headers: { Origin: origin, "X-CSRF-Token": token } });
      expect(viaHeader.status, origin).toBe(403);
    }
    expect((await post("/login", { cookie, body: form(), headers: { Origin: plain.base } })).status).toBe(200);
  });

  it("a body over the cap is answered 413 without reaching the app, and the server keeps serving", async () => {
    const { cookie, token } = await firstVisit();
    const before = plain.hits();
    const big = new URLSearchParams({ _csrf: token, blob: "z".repeat(CAP + 4096) });
    const res = await post("/login", { cookie, body: big, headers: { Accept: "text/html" } });
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(/提交的内容过大（上限 1 MB）/);
    // Without a Content-Length (a chunked stream) the cap holds too.
    const chunks = [Buffer.from(`_csrf=${token}&blob=`), Buffer.alloc(CAP, "q")];
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (const b of chunks) c.enqueue(new Uint8Array(b));
        c.close();
      },
    });
    const chunked = await fetch(`${plain.base}/login`, { method: "POST", body: stream, headers: { Cookie: cookie, "Content-Type": "application/x-www-form-urlencoded" }, duplex: "half" } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(plain.hits()).toBe(before);
    // Just under the cap passes.
    const fits = new URLSearchParams({ _csrf: token, blob: "z".repeat(CAP - 1024) });
    expect((await post("/login", { cookie, body: fits })).status).toBe(200);
  });

  it("the JSON API is not the guard's business (it takes bearer tokens only)", async () => {
    const res = await post("/api/v1/projects", { body: JSON.stringify({ name: "x" }), headers: { "Content-Type": "application/json", Authorization: "Bearer gc_x" } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Echo).path).toBe("/api/v1/projects");
  });

  it("a path that only looks like the API or the queue board (dot segments) is judged where it really leads", async () => {
    // fetch() resolves dot segments itself; a raw request keeps them, and Remix resolves them later.
    const raw = (path: string, headers: Record<string, string> = {}) =>
      new Promise<number>((resolve, reject) => {
        const body = "login=admin&password=demo1234";
        const r = httpRequest(
          { host: "127.0.0.1", port: Number(new URL(plain.base).port), path, method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": Buffer.byteLength(body), ...headers } },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode!));
          },
        );
        r.on("error", reject);
        r.end(body);
      });
    const before = plain.hits();
    for (const path of ["/api/../login", "/api/%2e%2e/login", "/api/v1/../../login", "/admin/queues/../../login"]) {
      expect(await raw(path, { Origin: plain.base }), path).toBe(403);
    }
    expect(plain.hits()).toBe(before);
    expect(await raw("/api/v1/./projects")).toBe(200);
  });

  it("a malformed address is answered 400 with a Chinese message, whatever the method", async () => {
    const raw = (method: string, path: string) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const r = httpRequest({ host: "127.0.0.1", port: Number(new URL(plain.base).port), path, method, headers: { Accept: "text/html" } }, (res) => {
          let text = "";
          res.on("data", (d) => (text += d));
          res.on("end", () => resolve({ status: res.statusCode!, text }));
        });
        r.on("error", reject);
        r.end();
      });
    const before = plain.hits();
    for (const [method, path] of [["GET", "/%"], ["GET", "/projects/%E0%A4%A"], ["POST", "/login/%zz"]]) {
      const res = await raw(method, path);
      expect(res.status, path).toBe(400);
      expect(res.text).toContain("请求地址格式不正确");
    }
    expect(plain.hits()).toBe(before);
    // Well-formed escapes are fine.
    expect((await raw("GET", "/projects/%E6%8A%A5%E4%BB%B7")).status).toBe(200);
  });

  it("the queue board's own calls need the same origin instead of a token", async () => {
    const { cookie } = await firstVisit();
    const path = "/admin/queues/api/queues/reminders/retry/failed";
    expect((await post(path, { cookie, method: "PUT", headers: { Origin: plain.base } })).status).toBe(200);
    expect((await post(path, { cookie, method: "PUT" })).status).toBe(403);
    expect((await post(path, { cookie, method: "PUT", headers: { Origin: "http://evil.example" } })).status).toBe(403);
    // Only the board's own paths: another admin page still needs its token.
    expect((await post("/admin/users", { cookie, headers: { Origin: plain.base } })).status).toBe(403);
  });
});

describe("request log", () => {
  it("writes one JSON line per request with its id, method, path without the query, status and time", async () => {
    const reqId = `log-test-${randomBytes(4).toString("hex")}`;
    const res = await fetch(`${plain.base}/feed/calendar.ics?token=secret-feed-token&x=1`, { headers: { "X-Request-Id": reqId } });
    expect(res.status).toBe(200);
    const lines = await waitForLine(plain, reqId);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ reqId, method: "GET", path: "/feed/calendar.ics", status: 200, msg: "request" });
    expect(typeof lines[0].ms).toBe("number");
    expect(lines[0].ms as number).toBeGreaterThanOrEqual(0);
    expect(plain.raw.join("")).not.toContain("secret-feed-token");

    // A refused request is logged with its status too.
    const refusedId = `log-refused-${randomBytes(4).toString("hex")}`;
    await post("/login?next=secret-next", { headers: { "X-Request-Id": refusedId } });
    const refused = await waitForLine(plain, refusedId);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ method: "POST", path: "/login", status: 403 });
    expect(plain.raw.join("")).not.toContain("secret-next");
  });

  it("an invitation link's token, the only credential of its account, is not logged", async () => {
    const reqId = `log-invite-${randomBytes(4).toString("hex")}`;
    const secret = `inv${randomBytes(12).toString("hex")}`;
    await fetch(`${plain.base}/invite/${secret}`, { headers: { "X-Request-Id": reqId } });
    const dataId = `${reqId}-data`;
    await post(`/invite/${secret}.data`, { headers: { "X-Request-Id": dataId } });
    expect((await waitForLine(plain, reqId))[0]).toMatchObject({ path: "/invite/[redacted]", status: 200 });
    expect((await waitForLine(plain, dataId))[0]).toMatchObject({ path: "/invite/[redacted]", status: 403 });
    expect(plain.raw.join("")).not.toContain(secret);
  });

  it("credentials, cookies, tokens and passwords in a logged object are redacted", async () => {
    const reqId = `log-secrets-${randomBytes(4).toString("hex")}`;
    await fetch(`${plain.base}/log-secrets`, { headers: { "X-Request-Id": reqId, Cookie: "gc_session=header-cookie-secret" } });
    await waitForLine(plain, reqId);
    const line = plain.lines.find((l) => l.msg === "with secrets");
    expect(line).toMatchObject({ password: "[redacted]", cookie: "[redacted]", authorization: "[redacted]", token: "[redacted]", input: { password: "[redacted]", token: "[redacted]" } });
    const all = plain.raw.join("");
    for (const secret of ["pw-top-secret", "cookie-secret", "bearer-secret", "token-secret", "pw-nested-secret", "token-nested-secret", "header-cookie-secret"]) {
      expect(all).not.toContain(secret);
    }
  });
});
