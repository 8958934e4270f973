/**
 * Issue 12 in Chromium: the officer invites an enterprise contact, who accepts on a
 * phone, finds the correction in 需要您提供, uploads the material and leaves a
 * message; the officer confirms the correction in one click; the department accepts
 * and approves an item from its queue; the enterprise rates it 2 and the
 * coordinator finds the 差评整改 follow-up.
 */
import { describe, expect, it } from "vitest";
import { apiToken, createProject, handInMaterials, screenshot, shanghaiToday, signIn, useAppAndBrowser, FILING_MATERIALS } from "./harness";

const env = useAppAndBrowser();

const PERMIT_MATERIALS = ["建设用地规划许可申请表", "营业执照", "项目备案证明", "国有建设用地使用权出让合同", "宗地红线图", "授权委托书"];

async function event(projectPath: string, key: string, body: Record<string, unknown>) {
  const { app } = env;
  const res = await fetch(`${app.baseUrl}/api/v1${projectPath}/items/${key}/events`, {
    method: "POST",
    headers: { Authorization: `Bearer ${apiToken(app, "proxy")}`, "Content-Type": "application/json" },
    body: JSON.stringify({ on: shanghaiToday(), ...body }),
  });
  if (res.status !== 200) throw new Error(`${key} ${String(body.type)}: ${res.status} ${await res.text()}`);
}

describe("the enterprise and the department do their part from their own pages", () => {
  it("invite → phone sign-up → correction uploaded and messaged → officer confirms → queue accepts and approves → 差评 → coordinator's follow-up", async () => {
    const { baseUrl } = env.app;
    const projectPath = await createProject(env.app, "门户联调项目");
    const projectId = projectPath.split("/").pop()!;

    // The officer hands in the filing papers, 受理 is recorded, then 要求补正 for the business licence.
    const officer = await env.browser.ctx.newPage();
    await signIn(officer, baseUrl, "proxy");
    await handInMaterials(officer, baseUrl, projectPath, [...FILING_MATERIALS, ...PERMIT_MATERIALS.filter((m) => !FILING_MATERIALS.includes(m))]);
    await event(projectPath, "filing", { type: "accept" });
    await event(projectPath, "filing", { type: "request_correction", missingMaterials: ["营业执照"], note: "营业执照副本已过期，请提供最新副本" });

    // Invitation from the project page: a one-time link (and its QR code).
    await officer.goto(`${baseUrl}${projectPath}`);
    await officer.getByTestId("invite-name").fill("周敏");
    await officer.getByTestId("invite-phone").fill("13912345678");
    await officer.getByTestId("invite-submit").click();
    await expect.poll(() => officer.getByTestId("invite-link").count()).toBe(1);
    const link = await officer.getByTestId("invite-link").inputValue();
    expect(await officer.getByTestId("invite-qr").locator("svg").count()).toBe(1);

    // The contact accepts on a 390 × 844 phone and lands on the project in the portal.
    const phoneCtx = await env.browser.ctx.browser()!.newContext({ viewport: { width: 390, height: 844 }, locale: "zh-CN" });
    try {
      const phone = await phoneCtx.newPage();
      phone.on("pageerror", (e) => env.browser.problems.push(`pageerror: ${e.message}`));
      await phone.goto(link);
      await phone.fill("input[name=password]", "zhoumin-pass-1");
      await phone.fill("input[name=confirm]", "zhoumin-pass-1");
      await Promise.all([phone.waitForURL(new RegExp(`/portal/projects/${projectId}$`)), phone.click("button[type=submit]")]);
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBe(390);

      // 需要您提供: the correction with its material, reason and an upload button.
      const correction = phone.getByTestId("portal-correction-filing");
      await expect.poll(() => correction.count()).toBe(1);
      expect(await correction.textContent()).toContain("营业执照");
      expect(await correction.textContent()).toContain("营业执照副本已过期");
      await screenshot(phone, "portal-phone-needs");
      await correction.locator("input[type=file]").first().setInputFiles({ name: "营业执照副本.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n% 营业执照\n%%EOF\n") });
      await correction.locator("button[type=submit]").first().click();
      await expect.poll(() => phone.getByTestId("portal-upload-answer").textContent()).toContain("已通知代办员确认补正材料");

      // A message to the officer.
      await phone.getByTestId("portal-messages-link").click();
      await phone.waitForURL(/\/messages$/);
      await phone.getByTestId("message-form").locator("textarea[name=body]").fill("营业执照新副本已上传，请查收。");
      await phone.getByTestId("message-send").click();
      await expect.poll(() => phone.getByTestId("message").count()).toBe(1);
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBe(390);

      // The officer confirms the correction in one click, and sees the message.
      await officer.goto(`${baseUrl}${projectPath}`);
      await officer.getByTestId("receive-correction").getByRole("button", { name: "补正材料已收到" }).click();
      await expect.poll(() => officer.getByTestId("action-result").textContent()).toContain("已记录");
      await officer.goto(`${baseUrl}${projectPath}/messages`);
      expect(await officer.getByTestId("message-thread").textContent()).toContain("营业执照新副本已上传");

      // The department accepts and approves 建设用地规划许可证 from its queue.
      await event(projectPath, "land-use-planning-permit", { type: "submit" });
      const dept = await env.browser.ctx.browser()!.newContext({ viewport: { width: 1440, height: 900 }, locale: "zh-CN" });
      try {
        const clerk = await dept.newPage();
        await signIn(clerk, baseUrl, "dept");
        await clerk.goto(`${baseUrl}/queue`);
        const row = () => clerk.locator(`[data-testid=queue-item][data-item="${projectId}/land-use-planning-permit"]`);
        await expect.poll(() => row().count()).toBe(1);
        await row().locator("summary").click();
        await row().getByTestId("queue-event-type").selectOption("accept");
        await row().getByTestId("queue-event-submit").click();
        await expect.poll(() => row().getByTestId("queue-row-answer").textContent()).toContain("办理中");
        await row().locator("summary").click();
        await row().getByTestId("queue-event-type").selectOption("approve");
        await row().getByTestId("queue-event-submit").click();
        await expect.poll(() => clerk.getByTestId("queue-answer").textContent()).toContain("已办结");
        await screenshot(clerk, "queue-after-approval");
      } finally {
        await dept.close();
      }

      // The enterprise rates the finished approval 2 (不满意) with a comment.
      await phone.goto(`${baseUrl}/portal/projects/${projectId}`);
      const form = phone.getByTestId("rate-form-land-use-planning-permit");
      await form.getByTestId("rate-land-use-planning-permit-2").check();
      await form.locator("textarea").fill("材料要求前后不一致，往返两次");
      await form.getByTestId("rate-submit-land-use-planning-permit").click();
      await expect.poll(() => phone.getByTestId("rating-land-use-planning-permit").textContent()).toContain("2 分");
    } finally {
      await phoneCtx.close();
    }

    // The coordinator finds the 差评整改 follow-up in 督办台账.
    const coordinator = await env.browser.ctx.newPage();
    await env.browser.ctx.clearCookies();
    await signIn(coordinator, baseUrl, "coordinator");
    await coordinator.goto(`${baseUrl}/meetings/actions?source=rating`);
    await expect.poll(() => coordinator.getByTestId("action-items").textContent()).toContain("差评整改：建设用地规划许可证");
  });
});
