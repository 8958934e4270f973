import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomInt } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { creditCodeCheckChar } from "../../app/domain/enterprise/credit-code";
import { freePort } from "../support/free-port";

export const ARTIFACTS = resolve("test-results");
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";


export interface App {
  baseUrl: string;
  dataDir: string;
  /** The app's SQLite file. */
  databasePath: string;
  proc: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts the app exactly as a user does (`npm start` → scripts/start.ts: build
 * if needed, migrate, seed demo data, web + worker) on a free port with its own
 * database, and waits until the login page answers.
 */
export async function startApp(opts: { env?: Record<string, string> } = {}): Promise<App> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "gc-e2e-"));
  let log = "";
  const proc = spawn(resolve("node_modules/.bin/tsx"), ["scripts/start.ts"], {
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_PATH: join(dataDir, "app.db"),
      UPLOAD_DIR: join(dataDir, "uploads"),
      QUEUE_PREFIX: `gce2e${port}`,
      NODE_ENV: "production",
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  proc.stdout!.on("data", (d) => (log += d));
  proc.stderr!.on("data", (d) => (log += d));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 150_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`app exited early:\n${log}`);
    try {
      const r = await fetch(`${baseUrl}/login`);
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`app did not answer in time:\n${log}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    baseUrl,
    dataDir,
    databasePath: opts.env?.DATABASE_PATH ?? join(dataDir, "app.db"),
    proc,
    output: () => log,
    stop: async () => {
      if (proc.exitCode === null) {
        process.kill(-proc.pid!, "SIGTERM");
        await new Promise((r) => proc.once("exit", r));
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Browser {
  ctx: BrowserContext;
  problems: string[];
  close: () => Promise<void>;
}

/** Debian's Chromium through playwright-core; collects console errors, page errors and failed responses. */
export async function openBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "gc-chromium-"));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    locale: "zh-CN",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const problems: string[] = [];
  ctx.on("page", (page) => watch(page, problems));
  for (const p of ctx.pages()) watch(p, problems);
  return {
    ctx,
    problems,
    close: async () => {
      await ctx.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

function watch(page: Page, problems: string[]) {
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
}

export async function signIn(page: Page, baseUrl: string, login: string, password = "demo1234") {
  await page.goto(`${baseUrl}/login`);
  await page.fill("input[name=login]", login);
  await page.fill("input[name=password]", password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.click("button[type=submit]")]);
  // The URL changes before the signed-in layout has rendered; wait for it.
  await page.waitForSelector("nav[aria-label='主导航']");
  await page.waitForLoadState("networkidle");
}

export async function screenshot(page: Page, name: string) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/**
 * One app and one browser for a test file: started before its tests, stopped
 * after. That is infrastructure; state is not shared: every test starts signed
 * out (no cookies), opens its own pages (closed after it) and makes whatever
 * it needs on the seeded demo city itself, so the tests pass in any order.
 *
 * After each test its pages must have logged no browser error; a test that
 * provokes one on purpose takes it out of `browser.problems` and checks it.
 * The app's output is printed when a page logged an error.
 */
export function useAppAndBrowser(): { app: App; browser: Browser } {
  const env = {} as { app: App; browser: Browser };
  let pagesBefore = new Set<Page>();
  let printOutput = false;
  beforeAll(async () => {
    env.app = await startApp();
    env.browser = await openBrowser();
  });
  beforeEach(async () => {
    await env.browser.ctx.clearCookies();
    env.browser.problems.splice(0);
    pagesBefore = new Set(env.browser.ctx.pages());
  });
  afterEach(async () => {
    for (const page of env.browser.ctx.pages()) if (!pagesBefore.has(page)) await page.close();
    const problems = env.browser.problems.splice(0);
    if (problems.length) printOutput = true;
    expect(problems, "browser errors on this test's pages").toEqual([]);
  });
  afterAll(async () => {
    if (printOutput) console.log(env.app.output());
    await env.browser?.close();
    await env.app?.stop();
  });
  return env;
}

/** The href of the project called `name` among the proxy officer's projects, read in a page of its own (signed in as `proxy`, signed out after). */
export async function projectHref(browser: Browser, baseUrl: string, name: string): Promise<string> {
  const page = await browser.ctx.newPage();
  await signIn(page, baseUrl, "proxy");
  // Every project, not only the working list: a started (closed) project leaves that list.
  await page.goto(`${baseUrl}/projects?status=all`);
  const href = await page.getByRole("link", { name, exact: true }).first().getAttribute("href");
  await page.close();
  await browser.ctx.clearCookies();
  if (!href) throw new Error(`no project called ${name}`);
  return href;
}

const apiTokens = new Map<string, string>();

/** A bearer token for a demo user of this app, issued with `npm run api-token` as an administrator would. */
export function apiToken(app: App, login: string): string {
  const key = `${app.databasePath} ${login}`;
  let token = apiTokens.get(key);
  if (!token) {
    const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/api-token.ts", login], {
      env: { ...process.env, DATABASE_PATH: app.databasePath },
      encoding: "utf8",
    });
    token = r.stdout.trim().split("\n").pop();
    if (r.status !== 0 || !token?.startsWith("gc_")) throw new Error(`api-token ${login} failed:\n${r.stderr}`);
    apiTokens.set(key, token);
  }
  return token;
}

/** Today in Shanghai, YYYY-MM-DD: the app's business day. */
export function shanghaiToday(): string {
  return new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/**
 * A new general-industrial project of the demo proxy officer, created through the JSON API
 * (DESIGN §6) the way a provincial platform does, signed today for a start a year on; its
 * 备案 (key "filing") is ready to file. For tests that need a project no other test touches.
 * Returns its path, /projects/<id>.
 */
export async function createProject(app: App, name: string): Promise<string> {
  const first17 = `91330100MA2E${String(randomInt(100_000)).padStart(5, "0")}`;
  const today = shanghaiToday();
  const res = await fetch(`${app.baseUrl}/api/v1/projects`, {
    method: "POST",
    headers: { Authorization: `Bearer ${apiToken(app, "proxy")}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      name,
      enterprise: { name: `${name}有限公司`, creditCode: first17 + creditCodeCheckChar(first17) },
      templateKey: "general-industrial",
      signedOn: today,
      targetStartOn: `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`.replace("-02-29", "-02-28"),
    }),
  });
  const body = (await res.json()) as { id?: number };
  if (res.status !== 201 || !body.id) throw new Error(`creating ${name} failed: ${res.status} ${JSON.stringify(body)}`);
  return `/projects/${body.id}`;
}

/** What 备案 (key "filing") of a general-industrial project needs before it can be accepted (受理). */
export const FILING_MATERIALS = ["项目备案申请表", "营业执照", "授权委托书"];

/**
 * The enterprise's papers for `names` handed in through the project's materials form, in the
 * session of the signed-in `page` (a proxy officer may upload for the enterprise): the materials
 * are then received (已收), so an item needing them can be accepted without 容缺.
 */
export async function handInMaterials(page: Page, baseUrl: string, projectPath: string, names: string[]): Promise<void> {
  await page.goto(`${baseUrl}${projectPath}`);
  // Posted outside the page's own forms, so it carries the page's CSRF token the way a script would.
  const csrf = (await page.locator('meta[name="csrf-token"]').getAttribute("content")) ?? "";
  for (const name of names) {
    const materialId = await page.locator(`section#materials tr[data-material="${name}"] input[name=materialId]`).first().getAttribute("value");
    if (!materialId) throw new Error(`no upload form for ${name}`);
    const res = await page.request.post(`${baseUrl}${projectPath}/materials`, {
      headers: { Accept: "application/json", "X-CSRF-Token": csrf },
      multipart: { intent: "upload", materialId, file: { name: `${name}.pdf`, mimeType: "application/pdf", buffer: Buffer.from(`%PDF-1.4\n% ${name}\n%%EOF\n`) } },
    });
    if (res.status() !== 200) throw new Error(`uploading ${name}: ${res.status()} ${await res.text()}`);
  }
}
