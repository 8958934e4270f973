import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { createProject, FILING_MATERIALS, handInMaterials, screenshot, signIn, useAppAndBrowser } from "./harness";

// Each test signs in on a page of its own and makes what it needs (the harness clears cookies and closes pages between tests).
const env = useAppAndBrowser();

async function signedInPage(): Promise<Page> {
  const page = await env.browser.ctx.newPage();
  await signIn(page, env.app.baseUrl, "proxy");
  return page;
}

async function openProject(page: Page, name: string): Promise<string> {
  await page.goto(`${env.app.baseUrl}/projects`);
  await page.getByRole("link", { name }).click();
  await page.waitForURL(/\/projects\/\d+$/);
  await page.waitForSelector(".react-flow__node-item");
  return page.url();
}

/**
 * A project of the test's own (created through the API, so no other test files its items), with
 * the materials of its 备案 handed in, opened in `page`; returns its address and the key of the
 * item ready to file (可申报) in its graph.
 */
async function openNewProjectWithReadyItem(page: Page, name: string): Promise<{ url: string; key: string }> {
  const path = await createProject(env.app, name);
  await handInMaterials(page, env.app.baseUrl, path, FILING_MATERIALS);
  await page.goto(`${env.app.baseUrl}${path}`);
  await page.waitForSelector(".react-flow__node-item");
  // Server-rendered nodes are on screen before React has hydrated them; edges join only after
  // hydration (approval-graph.tsx), so once they are there a click reaches the app.
  await page.waitForSelector(".react-flow__edge");
  await page.waitForLoadState("networkidle");
  const ready = page.locator("[data-node]", { hasText: "可申报" });
  expect(await ready.count(), "items ready to file in a new project").toBe(1);
  return { url: page.url(), key: (await ready.first().getAttribute("data-node"))! };
}

describe("proxy officer runs a project from the workspace", () => {
  it("sees the whole graph in stage lanes with the critical path, and the React Flow styles applied", async () => {
    const page = await signedInPage();
    await openProject(page, "食品精深加工项目");
    const items = await page.locator(".react-flow__node-item").count();
    expect(items).toBe(15); // the standard-land template
    await expect(page.locator(".react-flow__node-lane").count()).resolves.toBeGreaterThanOrEqual(3);
    await page.waitForSelector(".react-flow__edge");
    await expect(page.locator(".react-flow__edge.critical-edge").count()).resolves.toBeGreaterThan(0);
    const position = await page.locator(".react-flow__renderer").evaluate((el) => getComputedStyle(el).position);
    expect(position).toBe("absolute");
    await screenshot(page, "workspace-graph");
    await page.close();
  });

  it("opens a ready item from the graph, files it, asks for a correction, and the node's badge follows", async () => {
    const page = await signedInPage();
    const { key } = await openNewProjectWithReadyItem(page, "工作台受理测试项目");
    await page.locator(`[data-node="${key}"]`).click();
    await page.waitForURL((u) => u.searchParams.get("item") === key);
    const panel = page.getByTestId("item-panel");
    await panel.waitFor();
    const node = page.locator(`[data-node="${key}"]`);

    await panel.locator("select[name=type]").selectOption("accept");
    await panel.getByRole("button", { name: "记录" }).click();
    await node.getByText(/剩余 \d+ 个工作日|今日到期/).waitFor();
    await expect(panel.getByTestId("item-history").textContent()).resolves.toContain("受理");

    await panel.locator("select[name=type]").selectOption("request_correction");
    const firstMaterial = panel.locator("input[name=missingMaterials]").first();
    const materialName = (await firstMaterial.evaluate((el) => el.parentElement?.textContent ?? "")).trim();
    await firstMaterial.check();
    await panel.locator("textarea[name=note]").fill("申请表缺少法人签字");
    await panel.getByRole("button", { name: "记录" }).click();
    await node.getByText("暂停中").waitFor();
    await expect(panel.getByTestId("item-history").textContent()).resolves.toContain(`材料：${materialName}`);
    await screenshot(page, "workspace-item-panel");
    await page.close();
  });

  it("refuses a dependency that would make a loop, naming it, and adds a valid one", async () => {
    const page = await signedInPage();
    const url = `${env.app.baseUrl}${await createProject(env.app, "依赖编辑测试项目")}`;
    await page.goto(`${url}?item=filing`);
    const panel = page.getByTestId("item-panel");
    await panel.locator("select[name=from]").selectOption({ label: "开工" });
    await panel.getByRole("button", { name: "添加前置" }).click();
    await page.getByText(/不能添加：会形成循环依赖 开工 → 企业投资项目备案 → .* → 开工/).waitFor();
    // The refusal is a 409, which Chromium logs; it is the only error allowed here.
    expect(env.browser.problems.splice(0)).toEqual(["console: Failed to load resource: the server responded with a status of 409 (Conflict)"]);

    await page.goto(`${url}?item=start`);
    await panel.locator("select[name=from]").selectOption({ label: "企业投资项目备案" });
    await panel.getByRole("button", { name: "添加前置" }).click();
    await page.getByText("已添加依赖关系，计划已重新计算").waitFor();
    await expect(panel.textContent()).resolves.toContain("企业投资项目备案");
    await page.close();
  });

  it("a change made in another window shows up on an open page within seconds, without reloading", async () => {
    // An item of its own in correction: filed and sent back from the panel, the quick way.
    const setup = await signedInPage();
    const { url, key } = await openNewProjectWithReadyItem(setup, "工作台实时刷新测试项目");
    await setup.goto(`${url}?item=${key}`);
    const setupPanel = setup.getByTestId("item-panel");
    await setupPanel.locator("select[name=type]").selectOption("accept");
    await setupPanel.getByRole("button", { name: "记录" }).click();
    await setupPanel.getByTestId("item-history").getByText("受理").waitFor();
    await setupPanel.locator("select[name=type]").selectOption("request_correction");
    await setupPanel.locator("input[name=missingMaterials]").first().check();
    await setupPanel.locator("textarea[name=note]").fill("缺少法人签字");
    await setupPanel.getByRole("button", { name: "记录" }).click();
    await setup.locator(`[data-node="${key}"]`).getByText("暂停中").waitFor();
    await setup.close();

    const watcher = await env.browser.ctx.newPage();
    await watcher.goto(url);
    const node = watcher.locator(`[data-node="${key}"]`);
    await node.getByText("暂停中").waitFor();
    const marker = await watcher.evaluate(() => ((window as unknown as { __stay: number }).__stay = Math.random()));

    const actor = await env.browser.ctx.newPage();
    await actor.goto(`${url}?item=${key}`);
    const panel = actor.getByTestId("item-panel");
    await panel.locator("select[name=type]").selectOption("receive_correction");
    await panel.getByRole("button", { name: "记录" }).click();
    await actor.locator(`[data-node="${key}"]`).getByText("办理中").waitFor();

    await node.getByText("办理中").waitFor({ timeout: 15_000 });
    // Same document: it was revalidated in place, not reloaded.
    await expect(watcher.evaluate(() => (window as unknown as { __stay: number }).__stay)).resolves.toBe(marker);
    await actor.close();
    await watcher.close();
  });

  it("uploads a missing material, sees it received everywhere it is needed, and exports the ledger", async () => {
    const page = await signedInPage();
    await page.goto(`${env.app.baseUrl}${await createProject(env.app, "材料上传测试项目")}`);
    await page.waitForSelector(".react-flow__node-item");
    const materials = page.locator("section#materials");
    const row = materials.locator('tr[data-status="missing"]', { has: page.locator("input[type=file]") }).first();
    const name = (await row.getAttribute("data-material"))!;
    const input = row.locator("input[type=file]");
    await row.locator("summary").click();
    await input.setInputFiles({ name: "营业执照.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n% demo upload\n%%EOF\n") });
    await row.getByRole("button", { name: "上传" }).click();
    await page.getByTestId("materials-result").waitFor();
    await expect(page.getByTestId("materials-result").textContent()).resolves.toContain(name);
    const updated = materials.locator(`tr[data-material="${name}"]`);
    await expect(updated.getAttribute("data-status")).resolves.toBe("received");
    const download = updated.locator("a[href^='/uploads/']").first();
    const res = await page.request.get(`${env.app.baseUrl}${await download.getAttribute("href")}`);
    expect(res.status()).toBe(200);
    expect((await res.body()).toString()).toContain("% demo upload");

    const [ledger] = await Promise.all([page.waitForEvent("download"), materials.getByRole("link", { name: /台账/ }).click()]);
    expect(ledger.suggestedFilename()).toMatch(/代办台账\.xlsx$/);
    const path = await ledger.path();
    const ExcelJS = (await import("exceljs")).default;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path!);
    expect(wb.worksheets.map((w) => w.name)).toEqual(["项目信息", "审批事项"]);
    expect(wb.getWorksheet("审批事项")!.rowCount).toBe(30); // header + 29 items
    await screenshot(page, "workspace-materials");
    // A file download is reported by Chromium as an aborted navigation; nothing else may fail.
    env.browser.problems.splice(0, env.browser.problems.length, ...env.browser.problems.filter((p) => !p.includes("ERR_ABORTED")));
    await page.close();
  });
});
