import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { createProject, FILING_MATERIALS, handInMaterials, projectHref, screenshot, signIn, useAppAndBrowser } from "./harness";

// Each test signs in on a page of its own (the harness clears cookies and closes pages between tests).
const env = useAppAndBrowser();

const freshPage = (): Promise<Page> => env.browser.ctx.newPage();

describe("each role's main journey in Chromium", () => {
  it("rejects a wrong password with a clear message", async () => {
    const page = await freshPage();
    await page.goto(`${env.app.baseUrl}/login`);
    await page.fill("input[name=login]", "proxy");
    await page.fill("input[name=password]", "not-the-password");
    await page.click("button[type=submit]");
    await expect(page.getByRole("alert").textContent()).resolves.toContain("用户名或密码不正确");
    expect(new URL(page.url()).pathname).toBe("/login");
    // Chromium logs the deliberate 401 as a console error; it is the only one allowed.
    expect(env.browser.problems.splice(0)).toEqual(["console: Failed to load resource: the server responded with a status of 401 (Unauthorized)"]);
    await page.close();
  });

  it("proxy officer: finds a project, files a ready item, then asks for a correction", async () => {
    const page = await freshPage();
    await signIn(page, env.app.baseUrl, "proxy");
    expect(new URL(page.url()).pathname).toBe("/projects");
    await page.waitForSelector("table");
    const rows = await page.locator("tbody tr").count();
    expect(rows).toBeGreaterThanOrEqual(8);

    await page.fill("input[name=q]", "高端纺织");
    await Promise.all([page.waitForURL(/q=/), page.click("text=筛选")]);
    // The URL changes before the filtered list has rendered: wait for the one row.
    await expect.poll(() => page.locator("tbody tr").count(), { timeout: 10_000 }).toBe(1);
    await expect(page.locator("tbody").textContent()).resolves.toContain("高端纺织智能工厂");

    // A project of its own (created through the API, so no other test files its items), the papers for
    // its 备案 handed in: only 备案 is ready (可申报), and nothing it needs is missing.
    const project = await createProject(env.app, "代办员受理测试项目");
    await handInMaterials(page, env.app.baseUrl, project, FILING_MATERIALS);
    await page.goto(`${env.app.baseUrl}${project}`);
    await page.waitForLoadState("networkidle");
    const readyRows = page.locator("tr[data-item]", { has: page.locator("text=可申报") }).filter({ has: page.locator("select[name=type]") });
    await expect(readyRows.evaluateAll((rs) => rs.map((r) => r.getAttribute("data-item")))).resolves.toEqual(["filing"]);
    await screenshot(page, "proxy-project");

    // A ready item (可申报) offers 受理; recording it starts its clock.
    const row = page.locator(`tr[data-item="filing"]`);
    await row.locator("select[name=type]").selectOption("accept");
    await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), row.locator("button", { hasText: "记录" }).click()]);
    await page.getByTestId("action-result").getByText("已记录").waitFor();
    await row.getByText("办理中").waitFor();
    await expect(row.textContent()).resolves.toMatch(/剩余 \d+ 个工作日|今日到期/);

    await row.locator("select[name=type]").selectOption("request_correction");
    await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), row.locator("button", { hasText: "记录" }).click()]);
    await row.getByText("补正中").waitFor();
    await expect(row.textContent()).resolves.toContain("暂停中");
    await page.close();
  });

  it("enterprise contact: sees only their own projects and gets 404 for another enterprise's", async () => {
    // 新能源电池材料项目 belongs to another enterprise; the proxy officer's list gives its address.
    const foreign = await projectHref(env.browser, env.app.baseUrl, "新能源电池材料项目");
    const page = await freshPage();
    await signIn(page, env.app.baseUrl, "enterprise");
    expect(new URL(page.url()).pathname).toBe("/portal");
    const text = (await page.locator("main").textContent()) ?? "";
    expect(text).toContain("智能装备产业园一期");
    expect(text).not.toContain("新能源电池材料项目");
    await screenshot(page, "enterprise-portal");

    // Their own projects open in the portal; another enterprise's, in the portal or on the staff page, does not exist for them.
    const ownLinks = await page.locator("main a[href^='/portal/projects/']").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    expect(ownLinks.length).toBeGreaterThan(0);
    const foreignInPortal = foreign.replace("/projects/", "/portal/projects/");
    expect(ownLinks).not.toContain(foreignInPortal);
    for (const path of [foreignInPortal, foreign]) {
      const res = await page.request.get(`${env.app.baseUrl}${path}`);
      expect(res.status(), path).toBe(404);
      const body = await res.text();
      expect(body).toContain("页面或记录不存在");
      expect(body).not.toMatch(/at .*\.js:\d+/);
    }
  });

  it("department staff: the queue lists their department's open items, most urgent first", async () => {
    const page = await freshPage();
    await signIn(page, env.app.baseUrl, "dept");
    expect(new URL(page.url()).pathname).toBe("/queue");
    await expect(page.locator("h1").textContent()).resolves.toBe("待办队列");
    const rows = await page.locator("tbody tr").count();
    expect(rows).toBeGreaterThan(0);
    await expect(page.locator("tbody tr").first().textContent()).resolves.toMatch(/超期|剩余|今日到期|暂停中/);
    // A page full of Chinese arrives whole: no character broken into U+FFFD (React 18's streaming NULs, app/entry.server.tsx).
    expect(await page.content()).not.toContain("\uFFFD");
    await screenshot(page, "dept-queue");

    // The overdue 用地预审 item has escalated; its department acknowledges with a reason and a new date.
    await page.getByRole("link", { name: "新能源电池材料项目" }).first().click();
    await page.waitForURL(/\/projects\/\d+$/);
    const card = page.getByTestId("escalations");
    for (let i = 0; i < 40 && !(await card.isVisible()); i++) {
      await page.waitForTimeout(500); // the worker reconciles right after start
      await page.reload();
    }
    const red = card.locator("li", { hasText: "超期" }).filter({ has: page.locator("input[name=note]") }).first();
    await red.locator("input[name=note]").fill("涉及林地占用，已报林业部门会审，预计下周三办结");
    await red.getByRole("button", { name: "确认" }).click();
    await card.getByText("已确认：涉及林地占用，已报林业部门会审，预计下周三办结").waitFor();
    await screenshot(page, "dept-acknowledged");
    await page.close();
  });

  it("leader: the dashboard shows at-risk and overdue projects with reasons", async () => {
    const page = await freshPage();
    await signIn(page, env.app.baseUrl, "leader");
    expect(new URL(page.url()).pathname).toBe("/dashboard");
    const main = (await page.locator("main").textContent()) ?? "";
    expect(main).toContain("开工目标有风险");
    expect(main).toMatch(/超期（/);
    await screenshot(page, "leader-dashboard");
    await page.close();
  });

  it("coordinator: the meetings page lists the held and the planned joint meeting", async () => {
    const page = await freshPage();
    await signIn(page, env.app.baseUrl, "coordinator");
    expect(new URL(page.url()).pathname).toBe("/meetings");
    const main = (await page.locator("main").textContent()) ?? "";
    expect(main).toContain("第 46 次");
    expect(main).toContain("待召开");
    await page.close();
  });

  it("administrator: departments, users, the working calendar and the queue board", async () => {
    const page = await freshPage();
    await signIn(page, env.app.baseUrl, "admin");
    expect(new URL(page.url()).pathname).toBe("/admin");
    await screenshot(page, "admin");
    // The overview sums up; the departments and the people are on their own pages.
    await page.goto(`${env.app.baseUrl}/admin/departments`);
    expect((await page.locator("main").textContent()) ?? "").toContain("市住房和城乡建设局");
    await page.goto(`${env.app.baseUrl}/admin/users`);
    expect((await page.locator("main").textContent()) ?? "").toContain("coordinator");

    await page.goto(`${env.app.baseUrl}/admin/calendar?year=2026`);
    await expect(page.locator('[data-date="2026-02-14"]').getAttribute("data-kind")).resolves.toBe("makeup");
    await expect(page.locator('[data-date="2026-10-01"]').getAttribute("data-kind")).resolves.toBe("holiday");
    await screenshot(page, "admin-calendar");

    const board = await page.goto(`${env.app.baseUrl}/admin/queues`);
    expect(board?.status()).toBe(200);
    await page.waitForLoadState("networkidle");
    // bull-board's own UI links a Google web-font stylesheet, which our CSP refuses (no third-party
    // styles) and this offline machine could not fetch anyway; nothing else may fail.
    const boardProblems = env.browser.problems.splice(0);
    expect(boardProblems.filter((p) => !p.includes("ERR_NAME_NOT_RESOLVED") && !(p.includes("fonts.googleapis.com") && p.includes("Content Security Policy")))).toEqual([]);
    await page.close();
  });
});
