import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { ARTIFACTS, projectHref, signIn, useAppAndBrowser } from "./harness";

/**
 * The proxy officer's project page at first sight, on a 1440 × 900 screen: the whole approval
 * graph in view with every name legible, the drawer, selection moving the view, the view kept
 * in the address, and no table hiding its actions sideways at 1280 pixels.
 */
const env = useAppAndBrowser();

const DEMO = [
  "智能装备产业园一期",
  "新能源电池材料项目",
  "冷链物流配送中心",
  "生物医药中试基地",
  "高端纺织智能工厂",
  "半导体封装测试项目",
  "城市算力数据中心",
  "汽车零部件扩产项目",
  "光伏组件智能制造项目",
  "食品精深加工项目",
];

/** Names render at least this many pixels after the graph's zoom. */
const LEGIBLE_PX = 10;

/** What the screen shows (not the whole page): the first sight is the point. */
async function screenshot(page: Page, name: string) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

type Rect = { left: number; top: number; right: number; bottom: number };

async function proxyPage(width = 1440, height = 900): Promise<Page> {
  const page = await env.browser.ctx.newPage();
  await page.setViewportSize({ width, height });
  await signIn(page, env.app.baseUrl, "proxy");
  return page;
}

/** Opens a project page and waits until the graph has set its view for this screen. */
async function openGraph(page: Page, path: string) {
  await page.goto(`${env.app.baseUrl}${path}`);
  await page.waitForSelector("[data-testid=approval-graph][data-view-ready=true]");
}

/** The canvas, the zoom read from the viewport's transform, and every item node's box and rendered name size. */
async function graphFacts(page: Page) {
  return page.evaluate(() => {
    const rect = (el: Element) => {
      const r = el.getBoundingClientRect();
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    };
    const viewport = document.querySelector(".react-flow__viewport") as HTMLElement;
    const zoom = new DOMMatrixReadOnly(getComputedStyle(viewport).transform).a;
    const drawer = document.querySelector("[data-testid=item-drawer]");
    return {
      box: rect(document.querySelector("[data-testid=approval-graph]")!),
      canvas: rect(document.querySelector("[data-testid=approval-graph] .react-flow")!),
      drawer: drawer ? rect(drawer) : null,
      zoom,
      mode: document.querySelector("[data-testid=approval-graph]")!.getAttribute("data-view-mode"),
      nodes: [...document.querySelectorAll<HTMLElement>("[data-node]")].map((el) => {
        const name = el.querySelector("[data-node-name]")!;
        return { key: el.dataset.node!, name: name.textContent!, box: rect(el), namePx: parseFloat(getComputedStyle(name).fontSize) * zoom };
      }),
    };
  });
}

const inside = (inner: Rect, outer: Rect, slack = 1) =>
  inner.left >= outer.left - slack && inner.top >= outer.top - slack && inner.right <= outer.right + slack && inner.bottom <= outer.bottom + slack;

/** Every table's wrapper on the page: [scrollWidth, clientWidth, where]. */
async function tableWidths(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll("main table")].map((t) => {
      const wrapper = t.parentElement!;
      const where = t.closest("section[aria-label]")?.getAttribute("aria-label") ?? t.closest("section")?.querySelector("h2")?.textContent ?? "";
      return { scroll: wrapper.scrollWidth, client: wrapper.clientWidth, where };
    }),
  );
}

describe("the project page at first sight (1440 × 900)", () => {
  it.each(DEMO.map((name, i) => [i + 1, name]))("project %i %s: the whole graph in view, every name ≥ 10 px, no table scrolls sideways at 1280 px", async (n, name) => {
    const path = await projectHref(env.browser, env.app.baseUrl, name as string);
    const page = await proxyPage();
    await openGraph(page, path);
    const g = await graphFacts(page);
    expect(g.mode).toBe("all");
    expect(g.nodes.length).toBeGreaterThanOrEqual(15);
    expect(g.box.bottom, "the graph ends above the fold").toBeLessThanOrEqual(900);
    for (const node of g.nodes) {
      expect(inside(node.box, g.canvas), `${node.name} is inside the graph`).toBe(true);
      expect(node.namePx, `${node.name} renders at ${node.namePx.toFixed(1)} px`).toBeGreaterThanOrEqual(LEGIBLE_PX);
    }
    await screenshot(page, `workspace-project-${n}`);

    // Every table on the page fits its container at 1280 pixels, with every collapsible part open.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.evaluate(() => document.querySelectorAll("main details").forEach((d) => ((d as HTMLDetailsElement).open = true)));
    const tables = await tableWidths(page);
    expect(tables.length).toBeGreaterThanOrEqual(3);
    for (const t of tables) expect(t.scroll, `a table in «${t.where}» scrolls sideways`).toBeLessThanOrEqual(t.client);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    await page.close();
  });
});

describe("selecting items", () => {
  it("clicking the first and the last node opens each one's drawer; ✕ closes it", async () => {
    const path = await projectHref(env.browser, env.app.baseUrl, "新能源电池材料项目");
    const page = await proxyPage();
    const nodes = page.locator("[data-node]");
    for (const which of ["first", "last"] as const) {
      await openGraph(page, path);
      const node = which === "first" ? nodes.first() : nodes.last();
      const key = (await node.getAttribute("data-node"))!;
      const name = (await node.locator("[data-node-name]").textContent())!;
      await node.click();
      await page.waitForURL((u) => u.searchParams.get("item") === key);
      const drawer = page.getByTestId("item-drawer");
      await expect(drawer.getByTestId("item-panel-title").textContent()).resolves.toBe(name);
      // The selected item is shown, not hidden under its own drawer.
      await page.waitForTimeout(450);
      const g = await graphFacts(page);
      const box = g.nodes.find((x) => x.key === key)!.box;
      expect(inside(box, g.canvas)).toBe(true);
      expect(box.right).toBeLessThanOrEqual(g.drawer!.left + 1);
      if (which === "last") await screenshot(page, "workspace-drawer");
      await drawer.getByRole("link", { name: "关闭事项面板" }).click();
      await page.waitForURL((u) => !u.searchParams.has("item"));
      await drawer.waitFor({ state: "detached" });
    }
    await page.close();
  });

  it("?item= on an off-centre item opens with that item in view beside the drawer", async () => {
    const path = await projectHref(env.browser, env.app.baseUrl, "智能装备产业园一期");
    const page = await proxyPage();
    await openGraph(page, path);
    // The item farthest right on the opening view: under where the drawer will be.
    const opening = await graphFacts(page);
    const far = opening.nodes.reduce((a, b) => (b.box.right > a.box.right || (b.box.right === a.box.right && b.box.bottom > a.box.bottom) ? b : a));
    await openGraph(page, `${path}?item=${far.key}`);
    const g = await graphFacts(page);
    const box = g.nodes.find((x) => x.key === far.key)!;
    expect(inside(box.box, g.canvas)).toBe(true);
    expect(box.box.right).toBeLessThanOrEqual(g.drawer!.left + 1);
    expect(box.namePx).toBeGreaterThanOrEqual(LEGIBLE_PX);
    await expect(page.getByTestId("item-panel-title").textContent()).resolves.toBe(far.name);
    await page.close();
  });

  it("choosing an item elsewhere on the page (the item list) moves the graph to it", async () => {
    const path = await projectHref(env.browser, env.app.baseUrl, "光伏组件智能制造项目");
    const page = await proxyPage();
    await openGraph(page, `${path}?item=filing`);
    // The last item of the list, opened from its row in 事项清单 (open it: a selected item folds the list).
    const lastRow = page.locator("tr[data-item]").last();
    const key = (await lastRow.getAttribute("data-item"))!;
    await page.locator("main details > summary", { hasText: "事项清单" }).click();
    await lastRow.locator(`a[href$="?item=${key}"]`).click();
    await page.waitForURL((u) => u.searchParams.get("item") === key);
    await page.waitForTimeout(450);
    const g = await graphFacts(page);
    const box = g.nodes.find((x) => x.key === key)!.box;
    expect(inside(box, g.canvas)).toBe(true);
    expect(box.right).toBeLessThanOrEqual(g.drawer!.left + 1);
    await page.close();
  });
});

describe("the view", () => {
  it("a moved view is kept in the address and survives a reload", async () => {
    // The project's address first: projectHref signs in and out on a page of its own.
    const path = await projectHref(env.browser, env.app.baseUrl, "冷链物流配送中心");
    const page = await proxyPage();
    await openGraph(page, path);
    const canvas = (await graphFacts(page)).canvas;
    // Drag the empty board below the stage columns to the left, then zoom in a step.
    await page.mouse.move(canvas.left + 700, canvas.bottom - 20);
    await page.mouse.down();
    await page.mouse.move(canvas.left + 500, canvas.bottom - 60, { steps: 8 });
    await page.mouse.up();
    await page.locator(".react-flow__controls-zoomin").click();
    await page.waitForURL((u) => u.searchParams.has("view"), { timeout: 5_000 });
    await page.waitForTimeout(800); // the last move's debounce
    const transform = await page.locator(".react-flow__viewport").evaluate((el) => (el as HTMLElement).style.transform);
    const view = new URL(page.url()).searchParams.get("view")!;
    expect(view).toMatch(/^-?\d+,-?\d+,[\d.]+$/);
    await page.reload();
    await page.waitForSelector("[data-testid=approval-graph][data-view-ready=true]");
    const [x, y, zoom] = view.split(",").map(Number);
    const after = await page.locator(".react-flow__viewport").evaluate((el) => new DOMMatrixReadOnly(getComputedStyle(el).transform));
    expect(Math.abs(after.e - x)).toBeLessThanOrEqual(1);
    expect(Math.abs(after.f - y)).toBeLessThanOrEqual(1);
    expect(after.a).toBeCloseTo(zoom, 2);
    expect(transform).toContain("scale(");
    await page.close();
  });

  it("on a screen too small for the whole graph, opens legibly on the items in progress and says how to see the rest", async () => {
    const path = await projectHref(env.browser, env.app.baseUrl, "智能装备产业园一期");
    const page = await proxyPage(1024, 640);
    await openGraph(page, path);
    const g = await graphFacts(page);
    expect(g.mode).toBe("frontier");
    const note = page.getByTestId("frontier-note");
    await expect(note.textContent()).resolves.toMatch(/显示当前进展的 \d+ 项，共 29 项；缩小或\s*查看全部/);
    const visible = g.nodes.filter((x) => inside(x.box, g.canvas));
    expect(visible.length).toBeGreaterThan(0);
    for (const x of visible) expect(x.namePx).toBeGreaterThanOrEqual(LEGIBLE_PX);
    await screenshot(page, "workspace-frontier");
    await note.getByRole("button", { name: "查看全部" }).click();
    await page.waitForTimeout(500);
    const all = await graphFacts(page);
    for (const x of all.nodes) expect(inside(x.box, all.canvas), `${x.name} in view after 查看全部`).toBe(true);
    await page.close();
  });

  it("works before hydration: the server draws the graph in view and its nodes are links", async () => {
    const path = await projectHref(env.browser, env.app.baseUrl, "高端纺织智能工厂");
    const page = await proxyPage();
    // No scripts: what the server sent is all there is.
    await page.route("**/build/**/*.js", (route) => route.abort());
    await page.goto(`${env.app.baseUrl}${path}`);
    const g = await graphFacts(page);
    expect(g.nodes.length).toBe(29);
    for (const node of g.nodes) {
      expect(inside(node.box, g.canvas), `${node.name} is inside the server-drawn graph`).toBe(true);
      expect(node.namePx).toBeGreaterThanOrEqual(LEGIBLE_PX);
    }
    const first = page.locator("[data-node]").first();
    const key = (await first.getAttribute("data-node"))!;
    await Promise.all([page.waitForURL((u) => u.searchParams.get("item") === key), first.click()]);
    await page.getByTestId("item-drawer").getByTestId("item-panel").waitFor();
    // The aborted scripts are the only errors allowed here.
    env.browser.problems.splice(0, env.browser.problems.length, ...env.browser.problems.filter((p) => !p.includes("ERR_FAILED")));
    await page.close();
  });
});
