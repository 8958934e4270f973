import { afterAll, beforeAll } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const ARTIFACTS = resolve("test-results");
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
    srv.on("error", rej);
  });
}

export interface App {
  baseUrl: string;
  dataDir: string;
  proc: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts the app exactly as a user does (`npm start` → scripts/start.ts: build
 * if needed, migrate, seed demo data, web + worker) on a free port with its own
 * database, and waits until the login page answers.
 */
export async function startApp(): Promise<App> {
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
 * One app and one browser for a test file: started before its tests, stopped after,
 * with the app's output printed when a page logged an error.
 */
export function useAppAndBrowser(): { app: App; browser: Browser } {
  const env = {} as { app: App; browser: Browser };
  beforeAll(async () => {
    env.app = await startApp();
    env.browser = await openBrowser();
  });
  afterAll(async () => {
    if (env.browser?.problems.length) console.log(env.app.output());
    await env.browser?.close();
    await env.app?.stop();
  });
  return env;
}
