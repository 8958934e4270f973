/**
 * Issue 13 in Chromium: a leader opens the dashboard, finds the most stuck demo
 * project first (新能源电池材料项目: no progress for weeks and its 用地预审 overdue at
 * 市自然资源和规划局), drills from a count to the list and into the blocking item,
 * presses the unit with a 督办 from the dashboard row, and the department's clerk
 * (`dept`, 自然资源) finds it in the queue. The charts load lazily and their tables
 * hold the same figures; the 红黑榜 sorts and explains a bad period.
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { ARTIFACTS, screenshot, signIn, useAppAndBrowser } from "./harness";

const env = useAppAndBrowser();

// The demo project the service ranks first: stalled (idle longest) and with the one overdue item.
const MOST_STUCK = "新能源电池材料项目";
const BLOCKING_ITEM = "建设项目用地预审与选址意见书";
const BLOCKING_DEPARTMENT = "市自然资源和规划局";

describe("the leaders' dashboard", () => {
  it("most stuck first, a count drills to its list and the blocking item, a 督办 from the row reaches the department's queue", async () => {
    const { baseUrl } = env.app;
    const page = await env.browser.ctx.newPage();
    await signIn(page, baseUrl, "leader");
    expect(new URL(page.url()).pathname).toBe("/dashboard");

    // Click 0: the first row is the stalled project, with its blocking item, department and reasons.
    const first = page.locator('[data-testid="attention"] tr[data-project]').first();
    expect(await first.getAttribute("data-tier")).toBe("stalled");
    expect(await first.getByTestId("attention-project").textContent()).toBe(MOST_STUCK);
    expect(await first.getByTestId("blocking-item").textContent()).toBe(BLOCKING_ITEM);
    expect(await first.textContent()).toContain(BLOCKING_DEPARTMENT);
    expect(await first.textContent()).toContain("个工作日无进展");
    await screenshot(page, "leader-dashboard-most-stuck");

    // Click 1: the 停滞项目 count opens its list, as long as the count says, the same project first.
    const stalled = Number(await page.getByTestId("count-stalled").locator("div.text-2xl").textContent());
    expect(stalled).toBeGreaterThan(0);
    await Promise.all([page.waitForURL(/\/dashboard\/list\?list=stalled/), page.getByTestId("count-stalled").click()]);
    // The URL changes before the new page has rendered: wait for its heading.
    await expect.poll(() => page.locator("h1").textContent()).toBe("停滞项目");
    const rows = page.locator('[data-testid="list-projects"] tr[data-project]');
    expect(await rows.count()).toBe(stalled);
    expect(await rows.first().getByTestId("attention-project").textContent()).toBe(MOST_STUCK);
    await screenshot(page, "leader-list-stalled");

    // Click 2: into the blocking item on the project's page (read-only for a leader: no 办理 column).
    await Promise.all([page.waitForURL(/\/projects\/\d+\?item=/), rows.first().getByTestId("blocking-item").click()]);
    const projectPath = new URL(page.url()).pathname;
    await expect.poll(() => page.locator("h1").first().textContent()).toBe(MOST_STUCK);
    await expect.poll(() => page.getByText(BLOCKING_ITEM).count()).toBeGreaterThan(0);
    expect(await page.locator('form[aria-label^="办理 "]').count()).toBe(0);
    expect(await page.getByTestId("project-figures").textContent()).toContain("审批环节");

    // 督办 from the dashboard row: a refused note comes back in Chinese beside its field, values kept.
    await page.goto(`${baseUrl}/dashboard`);
    const row = page.locator('[data-testid="attention"] tr[data-project]').first();
    const projectId = await row.getAttribute("data-project");
    expect(`/projects/${projectId}`).toBe(projectPath);
    await row.getByTestId("supervise-toggle").click();
    const form = page.locator(`tr[data-supervise-form="${projectId}"] form`);
    await form.waitFor();
    await form.locator("textarea[name=note]").fill("催");
    await form.locator("input[name=dueInWorkingDays]").fill("3");
    await form.getByRole("button", { name: "发出督办" }).click();
    await expect.poll(() => form.locator('[role="alert"]').first().textContent()).toContain("至少 2 个字");
    expect(await form.locator("input[name=dueInWorkingDays]").inputValue()).toBe("3");
    // The refusal is a 422, which the browser logs as a failed resource: provoked here on purpose.
    await expect.poll(() => env.browser.problems.findIndex((p) => p.includes("422"))).toBeGreaterThanOrEqual(0);
    env.browser.problems.splice(env.browser.problems.findIndex((p) => p.includes("422")), 1);
    await screenshot(page, "leader-supervise-refused");
    const note = "请于 3 个工作日内出具用地预审意见，并在系统中填写办理情况";
    await form.locator("textarea[name=note]").fill(note);
    await form.getByRole("button", { name: "发出督办" }).click();
    await expect.poll(() => form.getByTestId("supervision-result").getAttribute("data-ok")).toBe("true");
    expect(await form.getByTestId("supervision-result").textContent()).toMatch(/^已督办，办结时限 \d{4}-\d{2}-\d{2}$/);
    await screenshot(page, "leader-supervised");

    // The project shows the 督办 among its action items.
    await page.goto(`${baseUrl}${projectPath}`);
    await expect.poll(() => page.getByTestId("project-action-items").textContent()).toContain(note);

    // The department's clerk finds it in the queue.
    await env.browser.ctx.clearCookies();
    await signIn(page, baseUrl, "dept");
    await page.goto(`${baseUrl}/queue`);
    const task = page.locator('tr[data-testid="queue-action-item"]').filter({ hasText: note });
    await expect.poll(() => task.count()).toBe(1);
    expect(await task.textContent()).toContain("【督办】");
    await screenshot(page, "dept-queue-supervision");
  });

  it("charts load lazily with tables of the same figures; ECharts is not in the first load", async () => {
    const { baseUrl } = env.app;
    const page = await env.browser.ctx.newPage();
    await signIn(page, baseUrl, "leader");
    // The server's HTML names no ECharts module: it comes with the chart, after the page is up.
    const html = await (await page.request.get(`${baseUrl}/dashboard`)).text();
    expect(html).not.toMatch(/echarts/i);
    await page.goto(`${baseUrl}/dashboard`);
    for (const id of ["chart-overdue-weeks", "chart-on-time", "chart-stages", "chart-start-days"]) {
      await page.locator(`[data-testid="${id}"] svg`).first().waitFor({ timeout: 20_000 });
    }
    const charts = (await (await page.request.get(`${baseUrl}/dashboard/charts`)).json()) as {
      overdueByWeek: { weekOf: string; overdue: number }[];
      signedToStart: { buckets: { label: string; projects: number }[] };
    };
    const weeks = page.locator('[data-testid="table-overdue-weeks"] tr');
    expect(await weeks.count()).toBe(12);
    const cells = await weeks.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)));
    expect(cells).toEqual(charts.overdueByWeek.map((w) => [w.weekOf, String(w.overdue)]));
    const buckets = await page.locator('[data-testid="table-start-days"] tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)));
    expect(buckets).toEqual(charts.signedToStart.buckets.map((b) => [b.label, String(b.projects)]));
    await page.getByTestId("dashboard-charts").screenshot({ path: join(ARTIFACTS, "leader-dashboard-charts.png") });
  });

  it("a department's number opens that department's list, as long as the number says", async () => {
    const { baseUrl } = env.app;
    const page = await env.browser.ctx.newPage();
    await signIn(page, baseUrl, "leader");
    const dept = page.locator('[data-testid="departments"] tr').filter({ hasText: BLOCKING_DEPARTMENT });
    const active = dept.locator("td").nth(1).locator("a");
    const n = Number(await active.textContent());
    expect(n).toBeGreaterThan(0);
    expect(await active.getAttribute("href")).toMatch(/^\/dashboard\/list\?list=activeItems&department=\d+$/);
    await Promise.all([page.waitForURL(/list=activeItems/), active.click()]);
    await expect.poll(() => page.locator("h1").textContent()).toBe(`${BLOCKING_DEPARTMENT} · 在办事项`);
    const items = page.locator('[data-testid="list-items"] tr[data-item]');
    expect(await items.count()).toBe(n);
    expect(await items.filter({ hasText: BLOCKING_ITEM }).count()).toBeGreaterThan(0);
    await screenshot(page, "leader-list-department-items");
  });

  it("红黑榜: ranks, sorts by a clicked column, turns into the 黑榜, and says when a period is wrong", async () => {
    const { baseUrl } = env.app;
    const page = await env.browser.ctx.newPage();
    await signIn(page, baseUrl, "leader");
    await page.goto(`${baseUrl}/dashboard/ranking`);
    const ranks = () => page.locator('[data-testid="ranking"] tr').evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute("data-rank"))));
    const red = await ranks();
    expect(red.length).toBeGreaterThan(0);
    expect(red[0]).toBe(1);
    expect([...red].sort((a, b) => a - b)).toEqual(red);
    await screenshot(page, "leader-ranking");

    await Promise.all([page.waitForURL(/sort=handled/), page.getByRole("link", { name: "办结件数" }).click()]);
    await expect.poll(() => page.getByText(/^按办结件数排名/).count()).toBe(1);
    const handled = (await page.locator('[data-testid="ranking"] tr td:nth-child(3)').allTextContents()).map(Number);
    expect(handled).toEqual([...handled].sort((a, b) => b - a));

    await Promise.all([page.waitForURL(/order=asc/), page.getByRole("link", { name: /^黑榜/ }).click()]);
    await expect.poll(() => page.locator("h1").textContent()).toContain("黑榜");
    const black = await ranks();
    expect([...black].sort((a, b) => b - a)).toEqual(black);

    await page.goto(`${baseUrl}/dashboard/ranking?from=2026-13&to=2026-01`);
    await expect.poll(() => page.getByText("统计期间应为“年-月”").count()).toBe(1);
  });

  it("the 督办 form on the project page: a coordinator presses one item's department", async () => {
    const { baseUrl } = env.app;
    const page = await env.browser.ctx.newPage();
    await signIn(page, baseUrl, "coordinator");
    await page.goto(`${baseUrl}/dashboard`);
    const href = await page.locator('[data-testid="attention"] tr[data-project]').first().getByTestId("attention-project").getAttribute("href");
    await page.goto(`${baseUrl}${href}`);
    const form = page.getByTestId("project-supervision");
    await form.locator("select[name=itemKey]").selectOption({ label: `${BLOCKING_ITEM}（${BLOCKING_DEPARTMENT}）` });
    const note = "请加快用地预审审查进度（协调人督办）";
    await form.locator("textarea[name=note]").fill(note);
    await form.locator("input[name=dueInWorkingDays]").fill("4");
    await form.getByRole("button", { name: "发出督办" }).click();
    await expect.poll(() => form.getByTestId("supervision-result").textContent()).toMatch(/^已督办，办结时限 \d{4}-\d{2}-\d{2}$/);
    await expect.poll(() => page.getByTestId("project-action-items").textContent()).toContain(note);
    // The page is long (graph, lists): a picture of the two cards, to look at.
    await page.locator("#supervise").locator("..").screenshot({ path: join(ARTIFACTS, "coordinator-project-supervision.png") });
  });
});
