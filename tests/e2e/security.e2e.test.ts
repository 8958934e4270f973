import { randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type App } from "./harness";
import { WebClient } from "../support/web-client";

/*
 * The security pipeline of issue 14 against the real app, over HTTP as a browser
 * (or an attacker's page) talks to it: CSRF and Origin refusals on sign-in,
 * server-side sessions (rotation, sign-out, 登录设备, deactivation), the sign-in
 * lockout and its audit trail, the API refusing cookies, the request log and the
 * audit of refused pages. One app for the file; every test makes its own
 * clients and, where it changes an account, its own fresh user.
 */

const REFUSED = "页面已过期或请求来源不明";

let app: App;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.stop();
});

function db(): Database.Database {
  return new Database(app.databasePath, { readonly: true, fileMustExist: true });
}

function query<T>(sql: string, ...params: unknown[]): T[] {
  const d = db();
  try {
    return d.prepare(sql).all(...params) as T[];
  } finally {
    d.close();
  }
}

/** A client that presents itself as a given browser (the 登录设备 page names devices by it). */
class Browser extends WebClient {
  constructor(
    baseUrl: string,
    private readonly ua: string,
  ) {
    super(baseUrl);
  }
  override fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set("User-Agent", this.ua);
    return super.fetch(path, { ...init, headers });
  }
}

/** A new user made by an administrator on /admin/users; returns its login and the one-time password shown once. */
async function createUser(role = "coordinator"): Promise<{ login: string; password: string; id: number }> {
  const admin = new WebClient(app.baseUrl);
  await admin.signIn("admin");
  const login = `sec-${randomBytes(4).toString("hex")}`;
  const res = await admin.postForm("/admin/users", { intent: "create", itemKey: "create", login, displayName: `安全测试${login.slice(4)}`, role, departmentId: "", enterpriseId: "", email: "", phone: "" });
  const html = await res.text();
  expect(res.status, html.slice(0, 500)).toBe(200);
  const password = /data-testid="one-time-password"[^>]*>([^<]+)</.exec(html)?.[1];
  if (!password) throw new Error(`no one-time password shown for ${login}`);
  const [row] = query<{ id: number }>("SELECT id FROM users WHERE login = ?", login);
  return { login, password, id: row.id };
}

/** Signs in with a one-time password and chooses a real one, as a new user does first. */
async function signInNewUser(c: WebClient, u: { login: string; password: string }): Promise<void> {
  await c.signIn(u.login, u.password);
  const res = await c.postForm("/account/password", { intent: "change", password: "Grün-Tor#2026-sicher", confirm: "Grün-Tor#2026-sicher" });
  expect(res.status, await res.clone().text()).toBe(302);
}

/** Where a signed-in-only page sends this client: 200 (signed in) or the redirect target. */
async function landing(c: WebClient, path = "/account/sessions"): Promise<string> {
  const res = await c.get(path);
  if (res.status === 200) return "200";
  if (res.status === 302 || res.status === 303) return new URL(res.headers.get("Location")!, app.baseUrl).pathname;
  return String(res.status);
}

function sessionRows(html: string): string[] {
  const body = /<tbody[^>]*>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  return body.split("<tr").slice(1);
}

describe("CSRF on sign-in", () => {
  it("a cross-origin form post to /login is refused with 403 and the Chinese message, never a 500, and signs no one in", async () => {
    // What another site's form sends: no cookies (SameSite=Lax keeps them home), its own Origin.
    const bare = await fetch(`${app.baseUrl}/login`, {
      method: "POST",
      body: new URLSearchParams({ login: "admin", password: "demo1234" }),
      headers: { Origin: "http://evil.example", Accept: "text/html" },
      redirect: "manual",
    });
    expect(bare.status).toBe(403);
    expect(await bare.text()).toContain(REFUSED);
    expect(bare.headers.getSetCookie().some((l) => l.startsWith("gc_session="))).toBe(false);
    // Even holding a valid token and cookie (say, a stolen page), another origin is refused.
    const c = new WebClient(app.baseUrl);
    const res = await c.postForm("/login", { login: "admin", password: "demo1234" }, { headers: { Origin: "http://evil.example" } });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain(REFUSED);
    expect(c.cookies.has("gc_session")).toBe(false);
  });

  it("a sign-in form posted without its token is refused with 403; with it the same form signs in", async () => {
    const c = new WebClient(app.baseUrl);
    await c.get("/login");
    expect(c.cookies.has("gc_csrf")).toBe(true);
    const res = await c.postForm("/login", { login: "proxy", password: "demo1234" }, { csrf: false });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain(REFUSED);
    expect(c.cookies.has("gc_session")).toBe(false);
    await c.signIn("proxy");
    expect(c.cookies.has("gc_session")).toBe(true);
  });
});

describe("malformed requests", () => {
  it("a malformed address answers 400 with a Chinese message, never a 500", async () => {
    const port = Number(new URL(app.baseUrl).port);
    // fetch() would re-encode these; a raw request sends them as a broken link or a scanner does.
    const raw = (path: string) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const r = httpRequest({ host: "127.0.0.1", port, path, headers: { Accept: "text/html" } }, (res) => {
          let text = "";
          res.on("data", (d) => (text += d));
          res.on("end", () => resolve({ status: res.statusCode!, text }));
        });
        r.on("error", reject);
        r.end();
      });
    for (const path of ["/%", "/projects/%E0%A4%A", "/admin/%zz"]) {
      const res = await raw(path);
      expect(res.status, path).toBe(400);
      expect(res.text).toContain("请求地址格式不正确");
    }
  });
});

describe("server-side sessions", () => {
  it("every sign-in gets a new session cookie; after sign-out a copied cookie is worthless", async () => {
    const first = new WebClient(app.baseUrl);
    await first.signIn("dept");
    const second = new WebClient(app.baseUrl);
    await second.signIn("dept");
    const a = first.cookies.get("gc_session");
    const b = second.cookies.get("gc_session");
    expect(a).toBeTruthy();
    expect(b).toBeTruthy();
    expect(a).not.toBe(b);
    // The same browser signing in again also gets a new one (rotation at sign-in).
    const before = first.cookies.get("gc_session")!;
    const again = await first.postForm("/login", { login: "dept", password: "demo1234" });
    // Already signed in: the login page sends a signed-in browser on, or signs it in anew — never keeps the old session.
    expect([302, 303]).toContain(again.status);
    expect(first.cookies.get("gc_session")).not.toBe(before);

    const stolen = first.cookies.get("gc_session")!;
    expect(await landing(first)).toBe("200");
    const out = await first.postForm("/logout", {});
    expect(out.status).toBe(302);
    expect(first.cookies.has("gc_session")).toBe(false);

    const thief = new WebClient(app.baseUrl);
    thief.cookies.set("gc_session", stolen);
    expect(await landing(thief)).toBe("/login");
    // The other browser's session is its own and lives on.
    expect(await landing(second)).toBe("200");
  });

  it("登录设备: a user sees both browsers and signs out the other one, which is sent to the login page", async () => {
    const a = new Browser(app.baseUrl, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36");
    const b = new Browser(app.baseUrl, "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0");
    await a.signIn("leader");
    await b.signIn("leader");
    const page = await a.get("/account/sessions");
    expect(page.status).toBe(200);
    const html = await page.text();
    const rows = sessionRows(html);
    expect(rows).toHaveLength(2);
    expect(rows.filter((r) => r.includes("本设备"))).toHaveLength(1);
    expect(rows.find((r) => r.includes("本设备"))).toContain("Chrome · Windows");
    expect(rows.find((r) => !r.includes("本设备"))).toContain("Firefox · Android");
    // Where each browser signed in from, as a person reads an address.
    for (const r of rows) expect(r).toContain(">127.0.0.1<");
    expect(html).toContain("退出其他所有设备");

    const res = await a.postForm("/account/sessions", { intent: "signOutElsewhere" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("已退出其他 1 个设备上的登录");

    expect(await landing(b)).toBe("/login");
    expect(await landing(b, "/")).toBe("/login");
    const after = await a.get("/account/sessions");
    expect(after.status).toBe(200);
    expect(sessionRows(await after.text())).toHaveLength(1);
    const [audit] = query<{ n: number }>("SELECT count(*) AS n FROM audit_log a JOIN users u ON u.id = a.actor_user_id WHERE u.login = 'leader' AND a.action = 'auth.signOutEverywhere'");
    expect(audit.n).toBe(1);
  });

  it("deactivating a signed-in user ends the session at once, and reactivation does not bring the old cookie back", async () => {
    const u = await createUser();
    const user = new WebClient(app.baseUrl);
    await signInNewUser(user, u);
    expect(await landing(user)).toBe("200");
    const oldCookie = user.cookies.get("gc_session")!;

    const admin = new WebClient(app.baseUrl);
    await admin.signIn("admin");
    const off = await admin.postForm("/admin/users", { intent: "deactivate", id: String(u.id), itemKey: `user-${u.id}` });
    expect(off.status).toBe(200);
    expect(await off.text()).toContain(`已停用「${u.login}」`);

    expect(await landing(user)).toBe("/login");
    const on = await admin.postForm("/admin/users", { intent: "reactivate", id: String(u.id), itemKey: `user-${u.id}` });
    expect(on.status).toBe(200);
    const replay = new WebClient(app.baseUrl);
    replay.cookies.set("gc_session", oldCookie);
    expect(await landing(replay)).toBe("/login");
    const [row] = query<{ revoked_reason: string }>("SELECT revoked_reason FROM sessions WHERE user_id = ? ORDER BY id DESC LIMIT 1", u.id);
    expect(row.revoked_reason).toBe("deactivated");
    // The account itself works again: a fresh sign-in gets a fresh session.
    const back = new WebClient(app.baseUrl);
    await back.signIn(u.login, "Grün-Tor#2026-sicher");
    expect(await landing(back)).toBe("200");
  });
});

describe("sign-in lockout", () => {
  it("five wrong passwords lock the account: the right one then gets 429 with a Chinese message and no session; the attempts are audited; another user from the same address still signs in", async () => {
    const u = await createUser();
    const c = new WebClient(app.baseUrl);
    for (let i = 0; i < 5; i++) {
      const res = await c.postForm("/login", { login: u.login, password: `wrong-${i}` });
      expect(res.status, `attempt ${i + 1}`).toBe(401);
      expect(await res.text()).toContain("用户名或密码不正确");
    }
    const locked = await c.postForm("/login", { login: u.login, password: u.password });
    expect(locked.status).toBe(429);
    const html = await locked.text();
    expect(html).toMatch(/登录失败次数过多，账号已临时锁定，请 \d+ ?分钟后再试/);
    expect(locked.headers.getSetCookie().some((l) => l.startsWith("gc_session="))).toBe(false);
    expect(c.cookies.has("gc_session")).toBe(false);

    const counts = query<{ action: string; n: number }>(
      "SELECT action, count(*) AS n FROM audit_log WHERE action LIKE 'auth.signIn%' AND (entity_id = ? OR json_extract(detail, '$.login') = ?) GROUP BY action ORDER BY action",
      u.id,
      u.login,
    );
    expect(counts).toEqual([
      { action: "auth.signInFailed", n: 5 },
      { action: "auth.signInLocked", n: 1 },
    ]);
    // The wrong passwords themselves are not kept in the audit trail.
    const details = query<{ detail: string }>("SELECT detail FROM audit_log WHERE entity_id = ?", u.id).map((r) => r.detail).join("\n");
    for (let i = 0; i < 5; i++) expect(details).not.toContain(`wrong-${i}`);

    const colleague = new WebClient(app.baseUrl);
    await colleague.signIn("coordinator");
    expect(await landing(colleague)).toBe("200");
  });
});

describe("API and cookies", () => {
  it("the JSON API does not accept a session cookie: 401 without a bearer token", async () => {
    const c = new WebClient(app.baseUrl);
    await c.signIn("proxy");
    expect(await landing(c)).toBe("200");
    for (const path of ["/api/v1/projects", "/api/v1/dashboard"]) {
      const res = await c.fetch(path, { headers: { Accept: "application/json" } });
      expect(res.status, path).toBe(401);
      const body = JSON.stringify(await res.json());
      expect(body).toMatch(/令牌/);
    }
    const post = await c.fetch("/api/v1/projects", { method: "POST", body: JSON.stringify({ name: "cookie-only" }), headers: { "Content-Type": "application/json", "X-CSRF-Token": await c.csrfToken() } });
    expect(post.status).toBe(401);
  });
});

describe("logs and audit", () => {
  it("the app logs one JSON line per request with its id and status, and never a password or a session cookie", async () => {
    const c = new WebClient(app.baseUrl);
    await c.postForm("/login", { login: "enterprise", password: "not-the-password-7x" });
    await c.signIn("enterprise");
    // An invitation link carries its account's only credential in the path
    // (asked before the request whose line is awaited below, so its own line is in by then).
    const invite = `inv${randomBytes(16).toString("hex")}`;
    expect((await new WebClient(app.baseUrl).get(`/invite/${invite}`)).status).toBeLessThan(500);
    const reqId = `sec-e2e-${randomBytes(6).toString("hex")}`;
    const res = await c.get("/account/sessions?token=feed-secret-in-query", { headers: { "X-Request-Id": reqId } });
    expect(res.status).toBe(200);
    expect(res.headers.get("X-Request-Id")).toBe(reqId);
    const cookie = c.cookies.get("gc_session")!;
    // The session token inside the signed cookie (base64 JSON, then the signature).
    const signed = decodeURIComponent(cookie);
    const token = JSON.parse(Buffer.from(signed.slice(0, signed.lastIndexOf(".")), "base64").toString()) as string;
    expect(token.length).toBeGreaterThan(20);

    let line: Record<string, unknown> | undefined;
    for (let i = 0; i < 50 && !line; i++) {
      line = app
        .output()
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.reqId === reqId);
      if (!line) await new Promise((r) => setTimeout(r, 100));
    }
    expect(line).toMatchObject({ reqId, method: "GET", path: "/account/sessions", status: 200 });
    const out = app.output();
    const requestLines = out.split("\n").filter((l) => l.includes('"msg":"request"'));
    expect(requestLines.length).toBeGreaterThan(3);
    for (const l of requestLines) expect(JSON.parse(l)).toHaveProperty("reqId");
    for (const secret of ["demo1234", "not-the-password-7x", "feed-secret-in-query", invite, cookie, signed, token, await c.csrfToken()]) {
      expect(out, secret).not.toContain(secret);
    }
  });

  it("a refused page leaves an access.denied record naming the user and the path", async () => {
    const c = new WebClient(app.baseUrl);
    await c.signIn("enterprise");
    const path = "/admin";
    const res = await c.get(`${path}?probe=${randomBytes(3).toString("hex")}`);
    expect(res.status).toBe(403);
    const [enterprise] = query<{ id: number }>("SELECT id FROM users WHERE login = 'enterprise'");
    let rows: { actor_user_id: number; detail: string }[] = [];
    for (let i = 0; i < 50 && rows.length === 0; i++) {
      rows = query("SELECT actor_user_id, detail FROM audit_log WHERE action = 'access.denied' AND actor_user_id = ? AND json_extract(detail, '$.path') = ?", enterprise.id, path);
      if (!rows.length) await new Promise((r) => setTimeout(r, 100));
    }
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0].detail)).toMatchObject({ method: "GET", path });

    // A refused post (no token, signed out) is on record too, without a user.
    const before = query<{ n: number }>("SELECT count(*) AS n FROM audit_log WHERE action = 'access.denied' AND actor_user_id IS NULL AND json_extract(detail, '$.path') = '/logout'")[0].n;
    const anon = await fetch(`${app.baseUrl}/logout`, { method: "POST", redirect: "manual" });
    expect(anon.status).toBe(403);
    let after = before;
    for (let i = 0; i < 50 && after === before; i++) {
      after = query<{ n: number }>("SELECT count(*) AS n FROM audit_log WHERE action = 'access.denied' AND actor_user_id IS NULL AND json_extract(detail, '$.path') = '/logout'")[0].n;
      if (after === before) await new Promise((r) => setTimeout(r, 100));
    }
    expect(after).toBe(before + 1);
  });
});
