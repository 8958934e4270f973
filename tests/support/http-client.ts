/*
 * A browser's requests without the browser, for HTTP-level tests: a cookie jar,
 * manual redirects (a test sees where it was sent), the page's CSRF token read
 * from <meta name="csrf-token"> and posted back as the forms' hidden `_csrf`
 * field, and optionally a bearer token (as a platform calls the API).
 */

import { CookieJar } from "./web-client";

export type Fields = Record<string, string | string[]>;

export interface UploadFile {
  field: string;
  name: string;
  type: string;
  bytes: Uint8Array;
}

export class HttpClient {
  private cookies = new CookieJar();
  private token = "";

  constructor(
    readonly baseUrl: string,
    private readonly bearer?: string,
  ) {}

  csrfToken(): string {
    return this.token;
  }

  async signIn(login: string, password = "demo1234"): Promise<void> {
    await this.get("/login");
    const r = await this.post("/login", { login, password });
    const to = r.headers.get("Location");
    if (r.status < 300 || r.status >= 400 || !to || to.startsWith("/login")) throw new Error(`sign-in as ${login} failed: ${r.status} ${to ?? ""} ${(await r.text()).slice(0, 300)}`);
    // The session (and so its token) is new after sign-in: read it from the landing page.
    await this.get(to);
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.raw("GET", path, { headers });
  }

  /** A form post as a browser sends it (urlencoded, or multipart when the form has a file input), with `_csrf` unless told not to. */
  async post(path: string, fields: Fields, opts: { csrf?: boolean; multipart?: boolean; file?: UploadFile; headers?: Record<string, string> } = {}): Promise<Response> {
    const all: Fields = opts.csrf === false || !this.token ? { ...fields } : { ...fields, _csrf: this.token };
    if (opts.multipart || opts.file) {
      const form = new FormData();
      for (const [k, v] of Object.entries(all)) for (const one of Array.isArray(v) ? v : [v]) form.append(k, one);
      if (opts.file) form.append(opts.file.field, new Blob([opts.file.bytes as Uint8Array<ArrayBuffer>], { type: opts.file.type }), opts.file.name);
      else form.append("file", new Blob([], { type: "application/octet-stream" }), "");
      return this.raw("POST", path, { body: form, headers: opts.headers });
    }
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(all)) for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
    return this.raw("POST", path, { body: params, headers: opts.headers });
  }

  /** A JSON call (the API's way); answers status and parsed body. */
  async json(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const r = await this.raw(method, path, body === undefined ? {} : { json: body });
    const text = await r.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: the text itself
    }
    return { status: r.status, body: parsed };
  }

  async raw(method: string, path: string, opts: { body?: BodyInit; json?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { ...opts.headers };
    if (this.cookies.size) headers.Cookie = this.cookies.header();
    if (this.bearer) headers.Authorization = `Bearer ${this.bearer}`;
    let body = opts.body;
    if (opts.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(opts.json);
    }
    const send = () => fetch(new URL(path, this.baseUrl), { method, headers, body, redirect: "manual" });
    let r: Response;
    try {
      r = await send();
    } catch (e) {
      // A kept-alive connection the server closed while this process was blocked (e.g. in spawnSync):
      // the request never reached the server, so sending it again is safe.
      if ((e as { cause?: { code?: string } }).cause?.code !== "UND_ERR_SOCKET") throw e;
      r = await send();
    }
    this.cookies.remember(r);
    if ((r.headers.get("Content-Type") ?? "").includes("text/html")) {
      const html = await r.clone().text();
      const token = /<meta\s+name="csrf-token"\s+content="([^"]*)"/.exec(html)?.[1];
      if (token) this.token = token;
    }
    return r;
  }
}
