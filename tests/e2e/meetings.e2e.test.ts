/**
 * Issue 11 in Chromium: a coordinator plans a joint meeting for the demo city,
 * builds its agenda from what is stuck, records a decision with a task for
 * 市自然资源和规划局; the `dept` user finds the task in the queue and closes it with
 * a note; the minutes print and the .docx downloads and reads back.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { docxText } from "../support/docx";
import { screenshot, signIn, useAppAndBrowser } from "./harness";

const env = useAppAndBrowser();

describe("a joint meeting, prepared, held and followed up in the tool", () => {
  it("agenda from the stuck items, a decision with a task for 自然资源, closed by the department, minutes printed and downloaded", async () => {
    const { baseUrl } = env.app;
    const page = await env.browser.ctx.newPage();
    await signIn(page, baseUrl, "coordinator");

    // A meeting today: the 46th meeting's unsettled 用地预审 is carried over, the rest is offered as candidates.
    await page.goto(`${baseUrl}/meetings`);
    await page.click('a[href="/meetings/new"]');
    const form = page.locator('form[aria-label="新建会议"]');
    await form.locator("input[name=title]").fill("重点项目协调推进联席会议（第 48 次）");
    await form.locator("input[name=place]").fill("市政务服务中心 3 楼会议室");
    await form.locator("input[name=chair]").fill("常务副市长");
    await form.locator('input[name=departments][value="自然资源"]').check();
    await Promise.all([page.waitForURL(/\/meetings\/\d+/), form.getByRole("button", { name: "创建会议" }).click()]);
    const meetingPath = new URL(page.url()).pathname;
    await expect.poll(() => page.locator("li[data-agenda-item]").count()).toBeGreaterThan(0);
    await expect.poll(() => page.getByText("上次会议转入").count()).toBeGreaterThan(0);

    // The most severe candidate joins the agenda.
    const candidates = page.locator("tr[data-candidate]");
    expect(await candidates.count()).toBeGreaterThan(0);
    const before = await page.locator("li[data-agenda-item]").count();
    await candidates.first().getByRole("button", { name: /加入议程/ }).click();
    await expect.poll(() => page.locator("li[data-agenda-item]").count()).toBe(before + 1);
    await screenshot(page, "meeting-agenda");

    // Minutes of the carried-over 用地预审: a decision and a task for 自然资源, 3 working days.
    const carried = page.locator("li[data-agenda-item]").filter({ hasText: "上次会议转入" }).first();
    const minutes = carried.locator('form[aria-label^="纪要："]');
    await minutes.locator("textarea[name=discussion]").fill("林地占用已由林业部门复核，可先行出具预审意见。");
    await minutes.locator("textarea[name=decisionText]").fill("由市自然资源和规划局牵头，3 个工作日内出具用地预审意见");
    await minutes.locator('input[name="actionItems.0.title"]').fill("出具用地预审与选址意见书");
    await minutes.locator('select[name="actionItems.0.leadDepartment"]').selectOption("自然资源");
    await minutes.locator('input[name="actionItems.0.owner"]').fill("钱国栋");
    await minutes.locator('input[name="actionItems.0.dueInWorkingDays"]').fill("3");
    await minutes.locator("input[name=resolved]").check();
    await minutes.getByRole("button", { name: "保存纪要" }).click();
    await expect.poll(() => page.getByText(/1 项任务已交办/).count()).toBeGreaterThan(0);
    const task = page.locator("tr[data-action-item]").filter({ hasText: "出具用地预审与选址意见书" }).first();
    const taskId = await task.getAttribute("data-action-item");
    expect(taskId).toMatch(/^\d+$/);
    await page.getByRole("button", { name: "印发纪要" }).click();
    await expect.poll(() => page.getByRole("button", { name: "印发纪要" }).count()).toBe(0);

    // The minutes as a printable 纪要, and as a .docx that opens.
    await page.goto(`${baseUrl}${meetingPath}/minutes`);
    await expect.poll(() => page.getByTestId("minutes").count()).toBe(1);
    expect(await page.getByTestId("minutes-heading").textContent()).toContain("纪要");
    expect(await page.locator('[data-testid="minutes-task"] [data-field=lead]').allTextContents()).toContain("市自然资源和规划局");
    await page.emulateMedia({ media: "print" });
    expect(await page.getByTestId("print-minutes").isVisible()).toBe(false);
    expect(await page.locator("nav[aria-label='主导航']").isVisible()).toBe(false);
    await screenshot(page, "meeting-minutes-print");
    await page.emulateMedia({ media: "screen" });
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-minutes-docx").click()]);
    expect(download.suggestedFilename()).toMatch(/^会议纪要-.*\.docx$/);
    const text = docxText(readFileSync((await download.path())!));
    expect(text).toContain("重点项目协调推进联席会议（第 48 次）");
    expect(text).toContain("由市自然资源和规划局牵头，3 个工作日内出具用地预审意见");
    expect(text).toContain("市自然资源和规划局");
    // Sign-out is a form post sent after the click returns: wait for it to land on /login before the
    // cookies go, or it leaves without its session cookie and its CSRF token is (rightly) refused.
    await Promise.all([page.waitForURL(/\/login/), page.getByRole("button", { name: "退出" }).click()]).catch(() => page.goto(`${baseUrl}/login`));
    await env.browser.ctx.clearCookies();

    // The department finds the task in its queue and closes it with a note.
    await signIn(page, baseUrl, "dept");
    await page.goto(`${baseUrl}/queue`);
    const row = page.locator(`tr[data-testid="queue-action-item"][data-action-item="${taskId}"]`);
    await expect.poll(() => row.count()).toBe(1);
    await row.locator("a").first().click();
    await page.waitForURL(new RegExp(`/meetings/actions/${taskId}$`));
    const close = page.getByTestId("close-action-item");
    await close.locator('textarea[name="note"]').fill("已出具用地预审与选址意见书（江自然资预〔2026〕18 号）。");
    await close.getByTestId("close-action-submit").click();
    await expect.poll(() => page.getByTestId("action-item-status").getAttribute("data-status")).toBe("closed");
    expect(await page.getByTestId("action-item-closed").textContent()).toContain("江自然资预〔2026〕18 号");
    await screenshot(page, "action-item-closed");
    await page.goto(`${baseUrl}/queue`);
    expect(await page.locator(`tr[data-testid="queue-action-item"][data-action-item="${taskId}"]`).count()).toBe(0);
  });
});
