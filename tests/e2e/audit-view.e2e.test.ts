/**
 * Issue 14, the audit log viewer on the app as started by `npm start`: an
 * administrator opens it in Chromium, filters it, and a detail holding markup
 * stays text; bad filters answer 400 with a Chinese message; other roles are
 * refused; the export carries the filtered rows.
 */
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebClient } from "../support/web-client";
import { openBrowser, screenshot, signIn, startApp, type App, type Browser } from "./harness";

let app: App;
let browser: Browser;

const PAYLOAD = `<img src=x onerror="window.__auditXss=1"><script>window.__auditXss=2</script>`;

beforeAll(async () => {
  app = await startApp();
  browser = await openBrowser();
  // A row as a service would write it, its detail holding what someone typed into a project's name.
  const db = new Database(app.databasePath);
  try {
    db.prepare("insert into audit_log (at, actor_user_id, action, entity_type, entity_id, project_id, detail) values (?, (select id from users where login = 'proxy'), 'project.update', 'project', 1, 1, ?)").run(
      Date.now(),
      JSON.stringify({ name: PAYLOAD }),
    );
  } finally {
    db.close();
  }
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe("the audit log viewer", () => {
  it("shows administrators the log, filters it, and keeps markup in details inert", async () => {
    const page = await browser.ctx.newPage();
    await signIn(page, app.baseUrl, "admin");
    const res = await page.goto(`${app.baseUrl}/admin/audit`);
    expect(res?.status()).toBe(200);
    await page.waitForLoadState("networkidle");
    await expect.poll(() => page.getByRole("heading", { name: "审计日志" }).count()).toBe(1);
    // The demo seed's own rows are there, newest first.
    const times = await page.locator("[data-testid=audit-rows] tr td:first-child").allTextContents();
    expect(times.length).toBeGreaterThan(1);
    expect([...times].sort().reverse()).toEqual(times);

    await page.selectOption("select[name=action]", "project.update");
    await Promise.all([page.waitForURL(/action=project\.update/), page.click("[data-testid=audit-filters] button[type=submit]")]);
    await page.waitForLoadState("networkidle");
    const rows = page.locator("[data-testid=audit-rows] tr");
    await expect.poll(() => rows.count()).toBe(1);
    await expect.poll(() => rows.first().textContent()).toContain("修改项目信息");
    // The payload reads as text; no element came from it and none of its script ran.
    expect(await rows.first().locator("pre").textContent()).toContain(PAYLOAD.replace(/"/g, '\\"'));
    expect(await page.locator("[data-testid=audit-rows] img, [data-testid=audit-rows] script").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __auditXss?: number }).__auditXss)).toBeUndefined();
    await screenshot(page, "audit-log-filtered");
    expect(browser.problems).toEqual([]);
    await page.close();
  });

  it("answers bad filters with 400 and a Chinese message, refuses other roles, and exports the filtered rows", async () => {
    const admin = new WebClient(app.baseUrl);
    await admin.signIn("admin");
    const bad = await admin.get("/admin/audit?from=2026-02-30&entityId=abc");
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain("开始日期无效，应为 YYYY-MM-DD 格式的日期");
    expect(html).toContain("对象编号应为正整数");

    const csv = await admin.get("/admin/audit.csv?action=project.update");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(csv.headers.get("content-disposition")).toMatch(/^attachment; filename="audit-log-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = (await csv.text()).split("\r\n").filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain("修改项目信息");
    expect(lines[1]).toContain("window.__auditXss=2");
    expect((await admin.get("/admin/audit.csv?to=2026-13-01")).status).toBe(400);

    for (const login of ["proxy", "leader", "coordinator", "dept", "enterprise"]) {
      const c = new WebClient(app.baseUrl);
      await c.signIn(login);
      expect((await c.get("/admin/audit")).status, login).toBe(403);
      expect((await c.get("/admin/audit.csv")).status, login).toBe(403);
    }
    const anonymous = await new WebClient(app.baseUrl).get("/admin/audit.csv");
    expect([302, 303]).toContain(anonymous.status);
  });
});
