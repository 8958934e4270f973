/**
 * A browser's worth of HTTP for tests against the running app: a cookie jar,
 * manual redirects, and the page's CSRF token added to every form it posts, the
 * way a real form carries it.
 */
/** A browser's cookie store, as far as these tests need one: Set-Cookie in, Cookie out. */
export class CookieJar extends Map<string, string> {
  header(): string {
    return [...this].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  remember(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split("=")[1]) < Date.now()));
      if (expired || value === "") this.delete(name);
      else this.set(name, value);
    }
  }
}

export class WebClient {
  readonly cookies = new CookieJar();
  private token: { forCookies: string; value: string } | null = null;

  constructor(readonly baseUrl: string) {}

  private cookieHeader(): string {
    return this.cookies.header();
  }

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size && !headers.has("Cookie")) headers.set("Cookie", this.cookieHeader());
    const res = await fetch(new URL(path, this.baseUrl), { ...init, headers, redirect: "manual" });
    this.cookies.remember(res);
    return res;
  }

  get(path: string, init: RequestInit = {}): Promise<Response> {
    return this.fetch(path, { ...init, method: "GET", headers: { Accept: "text/html", ...(init.headers as Record<string, string> | undefined) } });
  }

  /** The CSRF token of the current cookies, read from a page's `<meta name="csrf-token">` (fetched again after the cookies change). */
  async csrfToken(): Promise<string> {
    const key = this.cookieHeader();
    if (this.token && this.token.forCookies === key) return this.token.value;
    for (const path of ["/login", "/inbox", "/account/password"]) {
      const res = await this.get(path);
      const html = res.status === 200 ? await res.text() : "";
      const m = /<meta name="csrf-token" content="([^"]+)"/.exec(html);
      if (m) {
        this.token = { forCookies: this.cookieHeader(), value: m[1] };
        return m[1];
      }
    }
    throw new Error("no page carried a csrf-token meta tag");
  }

  /** Posts a form as a browser would (urlencoded, or multipart for FormData), with the page's token unless `csrf: false`. */
  async postForm(path: string, fields: Record<string, string> | FormData, opts: { csrf?: boolean; headers?: Record<string, string> } = {}): Promise<Response> {
    const body = fields instanceof FormData ? fields : new URLSearchParams(fields);
    if (opts.csrf !== false) {
      const token = await this.csrfToken();
      if (body instanceof FormData) body.set("_csrf", token);
      else body.set("_csrf", token);
    }
    return this.fetch(path, { method: "POST", body, headers: { Accept: "text/html", ...opts.headers } });
  }

  /** Signs in through the login form; throws unless the app answers with the redirect of a successful sign-in. */
  async signIn(login: string, password = "demo1234"): Promise<void> {
    const res = await this.postForm("/login", { login, password });
    if (res.status !== 302 && res.status !== 303) throw new Error(`sign-in as ${login} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  }
}
