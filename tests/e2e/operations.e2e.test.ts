/**
 * Issue 14, operations, against the app started as a user starts it (web + worker):
 * /healthz answers, the administrators' status page opens cleanly in Chromium, a backup
 * taken while the app runs is whole, and `npm run restore` refuses until the app is stopped.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBrowser, screenshot, signIn, startApp, type App, type Browser } from "./harness";

const run = promisify(execFile);
let app: App;
let browser: Browser;

beforeAll(async () => {
  app = await startApp();
  browser = await openBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

/** The same files the running app uses; node with the tsx loader, as npm start runs scripts. */
function script(name: string, args: string[] = []) {
  const env = { ...process.env, DATABASE_PATH: app.databasePath, UPLOAD_DIR: join(app.dataDir, "uploads"), BACKUP_DIR: join(app.dataDir, "backups") };
  return run(process.execPath, ["--import", "tsx", `scripts/${name}.ts`, ...args], { env }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}

describe("operating the running app", () => {
  it("reports health, shows the status page, backs up while running and restores only once stopped", async () => {
    // The worker beats at start; until then the report may read degraded, never down.
    let health: { status: string; checks: Record<string, { ok?: boolean }> } | undefined;
    await expect
      .poll(
        async () => {
          const res = await fetch(`${app.baseUrl}/healthz`);
          expect(res.status).toBe(200);
          expect(res.headers.get("content-type")).toContain("application/json");
          health = await res.json();
          return health!.status;
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe("ok");
    expect(JSON.stringify(health)).not.toContain(app.dataDir);

    const page = await browser.ctx.newPage();
    await signIn(page, app.baseUrl, "admin");
    const res = await page.goto(`${app.baseUrl}/admin/status`);
    expect(res?.status()).toBe(200);
    await page.waitForLoadState("networkidle");
    for (const label of ["数据库", "队列服务 Redis", "后台任务 worker 心跳", "最早未触发的到期提醒", "队列积压", "没有备份"]) {
      await expect.poll(() => page.getByText(label, { exact: false }).count(), { message: label }).toBeGreaterThan(0);
    }
    expect(await page.getByText("一切正常").count()).toBe(1);

    const backup = await script("backup");
    expect(backup.code, backup.stderr).toBe(0);
    const [name] = readdirSync(join(app.dataDir, "backups")).filter((n) => n.startsWith("gc-"));
    await page.reload();
    await expect.poll(() => page.getByText(name).count()).toBe(1);
    await screenshot(page, "admin-status");
    expect(browser.problems).toEqual([]);
    await page.close();

    const refused = await script("restore", [name]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("后台任务进程");

    // Stopped as an operator stops it: the pid files go with the processes, and the restore proceeds.
    process.kill(-app.proc.pid!, "SIGTERM");
    await new Promise((r) => app.proc.once("exit", r));
    expect(readdirSync(app.dataDir).filter((f) => f.endsWith(".pid"))).toEqual([]);
    const restored = await script("restore", [name]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain(`已从备份「${name}」恢复数据库`);
    expect(existsSync(`${app.databasePath}-wal`)).toBe(false);
    rmSync(join(app.dataDir, "backups"), { recursive: true, force: true });
  });
});
