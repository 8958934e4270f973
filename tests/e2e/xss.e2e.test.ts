/**
 * Issue 14, XSS: script payloads typed into every kind of user-entered text stay text.
 *
 * The payloads are planted through the app's own input paths (the JSON API with bearer tokens,
 * the admin's forms, the meeting's minutes form, the 代办日志 form, a real file upload, a
 * template import), then every page that shows them is opened in Chromium as each role that
 * sees it. A payload that ran would set `window.__xss` (to the tag of its field, so a failure
 * names the field), open a dialog, leave an `<img src=x>`, an element with an `on…` handler
 * or a `<script>` of its own in the DOM, render a `javascript:` link, or make the browser
 * report a CSP violation; none may happen. Each page must also show the payload as text, so a
 * page that silently dropped the field would not pass for safe.
 */
import Database from "better-sqlite3";
import { spawn } from "node:child_process";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { creditCodeCheckChar } from "../../app/domain/enterprise/credit-code";
import { screenshot, shanghaiToday, signIn, useAppAndBrowser } from "./harness";

const env = useAppAndBrowser();

// --- payloads -------------------------------------------------------------------------------
// Each sets window.__xss to its field's tag, so a failure says which field executed.
const script = (t: string) => `<script>window.__xss="${t}"</script>`;
const img = (t: string) => `<img src=x onerror="window.__xss='${t}'">`;
const svg = (t: string) => `<svg onload="window.__xss='${t}'">`;
const attrBreak = (t: string) => `"><script>window.__xss="${t}"</script>`;
const jsUrl = (t: string) => `javascript:window.__xss='${t}'`;
// Remix serialises loader data into an inline <script>; this would end it early if unescaped.
const scriptBreak = (t: string) => `</script><script>window.__xss="${t}"</script>`;
const template = (t: string) => `{{constructor.constructor('window.__xss="${t}"')()}}`;
/** Every payload at once, for the long free-text fields (notes, messages, minutes). */
const all = (label: string, t: string) => [label, script(t), img(t), svg(t), attrBreak(t), jsUrl(t), scriptBreak(t), template(t)].join(" ");

/** What goes into which field (each within the field's length limit). */
const X = {
  projectName: `项目甲${scriptBreak("pn")}${img("pn")}`,
  projectB: `项目乙${attrBreak("pb")}${template("pb")}`,
  enterprise: `企业${img("en")}${scriptBreak("en")}`,
  templateName: `模板${script("tn")}${jsUrl("tn")}`,
  itemName: `审查${img("it")}${attrBreak("it")}`,
  materialName: `材料${svg("ma")}`,
  // No "/": a path part is cut off by the upload rule. "=" and ";" are in, as browsers send them.
  fileName: "<img src=x onerror=window.__xss=9><script>window.__xss++ <b>附件;v=2.pdf",
  logNote: all("日志", "lg"),
  eventNote: all("事项备注", "ev"),
  enterpriseMessage: all("企业留言", "me"),
  proxyMessage: all("代办回复", "mp"),
  rating: all("评价", "ra"),
  supervision: `督办${img("su")} ${jsUrl("su")} ${scriptBreak("su")}`,
  meetingTitle: `会议${attrBreak("mt")}${svg("mt")}`,
  place: `会场${img("pl")}`,
  agendaNote: all("议题备注", "an"),
  discussion: all("讨论", "di"),
  decision: all("议定", "de"),
  taskTitle: `任务${img("tt")}${scriptBreak("tt")}`,
  apiTaskTitle: `接口任务${svg("at")}${template("at")}`,
  closeNote: all("办结说明", "cl"),
  preamble: all("概述", "pr"),
  departmentName: `市自然资源和规划局${svg("dn")}`,
  userName: `王敏${img("un")}`,
};

// --- planting -------------------------------------------------------------------------------

interface Planted {
  projectA: number;
  projectB: number;
  meetingId: number;
  taskId: number;
  apiTaskId: number;
  ratingTaskId: number;
  supervisionTaskId: number;
}

const tokens = new Map<string, string>();

/** Bearer tokens issued with `npm run api-token` as an administrator would, all at once (each run starts tsx). */
async function issueTokens(logins: string[]) {
  await Promise.all(
    logins.map(
      (login) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(process.execPath, ["--import", "tsx", "scripts/api-token.ts", login], { env: { ...process.env, DATABASE_PATH: env.app.databasePath } });
          let out = "";
          let err = "";
          child.stdout.on("data", (d) => (out += d));
          child.stderr.on("data", (d) => (err += d));
          child.on("exit", (code) => {
            const token = out.trim().split("\n").pop();
            if (code !== 0 || !token?.startsWith("gc_")) reject(new Error(`api-token ${login} failed:\n${err}`));
            else resolve(void tokens.set(login, token));
          });
        })
    )
  );
}

async function api<T = { id: number }>(login: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${env.app.baseUrl}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${tokens.get(login)}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${login} ${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

function db() {
  return new Database(env.app.databasePath, { readonly: true, fileMustExist: true });
}

function one<T>(sql: string, ...args: unknown[]): T {
  const d = db();
  try {
    const row = d.prepare(sql).get(...args) as T | undefined;
    if (row === undefined) throw new Error(`no row: ${sql} ${JSON.stringify(args)}`);
    return row;
  } finally {
    d.close();
  }
}

/** Submits `form` (a locator) after filling the named fields, as a person does, and waits for the answer. */
async function submit(page: Page, form: ReturnType<Page["locator"]>, fields: Record<string, string>, button?: string) {
  for (const [name, value] of Object.entries(fields)) {
    const field = form.locator(`[name="${name}"]`).first();
    if ((await field.evaluate((e) => e.tagName)) === "SELECT") await field.selectOption(value);
    else await field.fill(value);
  }
  const submitButton = button ? form.getByRole("button", { name: button }) : form.locator("button[type=submit]").first();
  // The write is done when the POST answers; callers check it in the database.
  await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), submitButton.click()]);
}

async function csrfToken(page: Page): Promise<string | null> {
  return page
    .locator('meta[name="csrf-token"]')
    .getAttribute("content", { timeout: 1000 })
    .catch(() => null);
}

async function plant(): Promise<Planted> {
  const { baseUrl } = env.app;
  const today = shanghaiToday();
  const nextYear = `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`.replace("-02-29", "-02-28");
  const page = await env.browser.ctx.newPage();
  const issuing = issueTokens(["proxy", "enterprise", "leader", "coordinator", "dept"]);

  // The administrator: a template, a department's name and an officer's name, through the admin forms.
  await signIn(page, baseUrl, "admin");
  await page.goto(`${baseUrl}/admin/templates`);
  const tpl = {
    key: "xss-probe",
    version: 1,
    name: X.templateName,
    items: [
      { key: "filing", name: "企业投资项目备案", kind: "approval", department: "发改", stage: 1, statutoryLimit: 1, promisedLimit: 1, limitUnit: "workingDays", materials: [X.materialName] },
      { key: "review", name: X.itemName, kind: "approval", department: "自然资源", stage: 1, statutoryLimit: 20, promisedLimit: 10, limitUnit: "workingDays", note: X.itemName },
      { key: "start", name: "开工", kind: "milestone", stage: 2 },
    ],
    dependencies: [
      { from: "filing", to: "review", lagWorkingDays: 0 },
      { from: "review", to: "start", lagWorkingDays: 0 },
    ],
  };
  await page.setInputFiles("input[name=file]", { name: "xss-probe.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(tpl)) });
  await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.getByRole("button", { name: "校验并导入" }).click()]);
  await page.getByTestId("import-result").waitFor();
  expect(await page.getByTestId("import-result").textContent()).toContain("已导入新模板");

  const dept = one<{ id: number }>("SELECT id FROM departments WHERE code = ?", "自然资源");
  await page.goto(`${baseUrl}/admin/departments?edit=${dept.id}`);
  await submit(page, page.locator("form").filter({ has: page.locator("input[name=intent][value=update]") }), { name: X.departmentName });
  expect(one<{ name: string }>("SELECT name FROM departments WHERE id = ?", dept.id).name).toBe(X.departmentName);

  const proxyUser = one<{ id: number }>("SELECT id FROM users WHERE login = ?", "proxy");
  await page.goto(`${baseUrl}/admin/users?edit=${proxyUser.id}`);
  await submit(page, page.locator("form").filter({ has: page.locator("input[name=intent][value=update]") }), { displayName: X.userName });
  expect(one<{ display_name: string }>("SELECT display_name FROM users WHERE id = ?", proxyUser.id).display_name).toBe(X.userName);
  await env.browser.ctx.clearCookies();

  await issuing;
  // Two projects through the API as a provincial platform sends them: one of the demo enterprise
  // (so its contact sees it in the portal) on the imported template, one of a new enterprise.
  const jiangcheng = one<{ id: number }>("SELECT id FROM enterprises WHERE name = ?", "江城智能装备有限公司");
  const projectA: number = (await api("proxy", "POST", "/projects", { name: X.projectName, enterprise: { id: jiangcheng.id }, templateKey: "xss-probe", signedOn: today, targetStartOn: nextYear })).id;
  const first17 = `91330100MA2X${String(Date.now() % 100_000).padStart(5, "0")}`;
  const projectB: number = (
    await api("proxy", "POST", "/projects", {
      name: X.projectB,
      enterprise: { name: X.enterprise, creditCode: first17 + creditCodeCheckChar(first17) },
      templateKey: "general-industrial",
      signedOn: today,
      targetStartOn: nextYear,
    })
  ).id;

  // The proxy officer: a file whose name is a payload, and a 代办日志 entry, in the browser.
  await signIn(page, baseUrl, "proxy");
  await page.goto(`${baseUrl}/projects/${projectA}`);
  const material = one<{ id: number }>("SELECT id FROM materials WHERE project_id = ? AND name = ?", projectA, X.materialName);
  const token = await csrfToken(page);
  const upload = await page.request.post(`${baseUrl}/projects/${projectA}/materials`, {
    headers: { Accept: "application/json", ...(token ? { "X-CSRF-Token": token } : {}) },
    multipart: {
      intent: "upload",
      materialId: String(material.id),
      ...(token ? { _csrf: token } : {}),
      file: { name: X.fileName, mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n") },
    },
  });
  expect(upload.status(), await upload.text()).toBe(200);
  await submit(page, page.locator(`form[action="/projects/${projectA}/logs"]`), { note: X.logNote });
  expect(one<{ n: number }>("SELECT count(*) AS n FROM contact_logs WHERE project_id = ? AND note = ?", projectA, X.logNote).n).toBe(1);
  await env.browser.ctx.clearCookies();

  // 备案 filed, accepted and approved with notes; the enterprise writes, the officer answers, the enterprise rates it.
  for (const type of ["submit", "accept", "approve"])
    await api("proxy", "POST", `/projects/${projectA}/items/filing/events`, {
      type,
      on: today,
      note: X.eventNote,
    });
  await api("enterprise", "POST", `/projects/${projectA}/messages`, { body: X.enterpriseMessage });
  await api("proxy", "POST", `/projects/${projectA}/messages`, { body: X.proxyMessage });
  const rating = await api<{ followUpActionItemId: number }>("enterprise", "POST", `/projects/${projectA}/items/filing/rating`, { score: 1, comment: X.rating });
  expect(rating.followUpActionItemId).toBeTruthy();
  const supervision = await api<{ actionItemId: number }>("leader", "POST", `/projects/${projectA}/supervision`, { itemKey: "review", note: X.supervision, dueInWorkingDays: 5 });

  // A joint meeting today on project A's 审查: agenda note by the API, minutes in the meeting's own form.
  const meetingId: number = (await api("coordinator", "POST", "/meetings", { type: "joint", title: X.meetingTitle, heldOn: today, place: X.place, departments: ["自然资源"] })).id;
  const agenda = await api("coordinator", "POST", `/meetings/${meetingId}/agenda`, { projectId: projectA, itemKey: "review", note: X.agendaNote });
  const apiDecision = await api<{ actionItems: { id: number }[] }>("coordinator", "POST", `/meetings/${meetingId}/decisions`, {
    text: X.decision,
    actionItems: [{ title: X.apiTaskTitle, leadDepartment: "自然资源", dueInWorkingDays: 5, projectId: projectA, itemKey: "review" }],
  });
  const apiTaskId: number = apiDecision.actionItems[0].id;

  await signIn(page, baseUrl, "coordinator");
  await page.goto(`${baseUrl}/meetings/${meetingId}`);
  await submit(page, page.locator(`form#minutes-${agenda.id}`), {
    discussion: X.discussion,
    decisionText: X.decision,
    "actionItems.0.title": X.taskTitle,
    "actionItems.0.leadDepartment": "自然资源",
    "actionItems.0.dueInWorkingDays": "3",
  });
  await submit(page, page.locator('form[aria-label="会议概述"]'), { minutes: X.preamble });
  const task = one<{ id: number }>("SELECT id FROM action_items WHERE title = ?", X.taskTitle);
  expect(one<{ minutes: string }>("SELECT minutes FROM meetings WHERE id = ?", meetingId).minutes).toBe(X.preamble);
  await env.browser.ctx.clearCookies();

  // The department closes the API's task with a note.
  await api("dept", "POST", `/action-items/${apiTaskId}/close`, { note: X.closeNote });
  await page.close();
  return {
    projectA,
    projectB,
    meetingId,
    taskId: task.id,
    apiTaskId,
    ratingTaskId: rating.followUpActionItemId,
    supervisionTaskId: supervision.actionItemId,
  };
}

// --- checking a page --------------------------------------------------------------------------

const norm = (s: string) => s.replace(/\s+/g, " ");

/** A page of the role's own, watched for dialogs and CSP reports from the start. */
async function rolePage(login: string): Promise<{ page: Page; dialogs: string[]; csp: string[] }> {
  const page = await env.browser.ctx.newPage();
  const dialogs: string[] = [];
  const csp: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on("console", (m) => {
    if (/Content[- ]Security[- ]Policy/i.test(m.text())) csp.push(m.text());
  });
  await signIn(page, env.app.baseUrl, login);
  return { page, dialogs, csp };
}

/**
 * What a payload that got into the DOM leaves there. A string, evaluated in the page as is (a
 * function would be rewritten by the test's transpiler with helpers the page does not have).
 */
const INJECTED = `(() => {
  const found = [];
  if (window.__xss !== undefined) found.push("window.__xss = " + String(window.__xss));
  for (const el of document.querySelectorAll("*")) {
    const tag = el.tagName.toLowerCase();
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      if (name.startsWith("on") && a.value.includes("__xss")) found.push("<" + tag + " " + name + "=" + a.value + ">");
      // Browsers skip control characters and blanks before a URL's scheme.
      const url = a.value.replace(/[\\u0000-\\u0020]/g, "").toLowerCase();
      if (["href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"].includes(name) && url.startsWith("javascript:")) found.push("<" + tag + " " + name + "=" + a.value + ">");
    }
    if (tag === "img" && el.getAttribute("src") === "x") found.push("<img src=x>");
    // Remix's data scripts carry the payloads as JSON string values; a script of the payload's own starts with it.
    if (tag === "script" && /^\\s*window\\.__xss/.test(el.textContent || "")) found.push("<script>" + el.textContent + "</script>");
  }
  return found;
})()`;

interface Watched {
  page: Page;
  dialogs: string[];
  csp: string[];
}

/**
 * Nothing executed or injected on the page as it is now, each of `shows` is on it as text, and
 * each of `fills` is the value of one of its form fields (what the form shows for editing).
 */
async function inert(w: Watched, where: string, shows: string[], fills: string[] = []) {
  // An <img src=x> would have failed and fired its onerror by now; give it a moment anyway.
  await w.page.waitForTimeout(100);
  expect(await w.page.evaluate(INJECTED), `injected on ${where}`).toEqual([]);
  expect(w.dialogs, `dialogs on ${where}`).toEqual([]);
  expect(w.csp, `CSP reports on ${where}`).toEqual([]);
  const text = norm(await w.page.evaluate(() => document.body.innerText));
  for (const s of shows) expect(text, `${where} shows ${JSON.stringify(s)} as text`).toContain(norm(s));
  const values = await w.page.locator("input, textarea").evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
  for (const s of fills) expect(values, `${where} has a field holding ${JSON.stringify(s)}`).toContain(s);
}

/** Once React has hydrated the page (what a click or hover needs) and its first data is in. */
async function hydrated(page: Page) {
  await page.waitForFunction("window.__remixRouter !== undefined && window.__remixRouter.state.initialized && window.__remixRouter.state.navigation.state === 'idle'");
}

async function visit(w: Watched, path: string, shows: string[], fills: string[] = []) {
  const res = await w.page.goto(`${env.app.baseUrl}${path}`);
  expect(res?.status(), path).toBe(200);
  await hydrated(w.page);
  await inert(w, path, shows, fills);
}

// --- the pages ------------------------------------------------------------------------------

describe("script payloads in user-entered text stay inert text on every page (Chromium)", () => {
  // Planted once: the tests below only read, each as its own role in a page of its own.
  let p: Planted;
  beforeAll(async () => {
    p = await plant();
  });

  it("the checks catch a payload that does run (a page built from raw payloads)", async () => {
    const page = await env.browser.ctx.newPage();
    const w = { page, dialogs: [] as string[], csp: [] as string[] };
    page.on("dialog", (d) => {
      w.dialogs.push(d.message());
      void d.dismiss();
    });
    await page.setContent(`<p>${img("probe")}</p><a href=" java\tscript:alert(1)">x</a>${svg("probe")}<img src=y onerror="alert('probe')">`);
    await expect.poll(() => page.evaluate("window.__xss")).toBe("probe");
    const found = (await page.evaluate(INJECTED)) as string[];
    expect(found).toContain("window.__xss = probe");
    expect(found).toContain("<img src=x>");
    expect(found.some((f) => f.startsWith("<a href="))).toBe(true);
    expect(found.some((f) => f.startsWith("<svg onload="))).toBe(true);
    await expect.poll(() => w.dialogs).toEqual(["probe"]);
    // The broken images are this test's own doing.
    env.browser.problems.splice(0);
  });

  it("proxy officer: project list, workspace with graph, item drawer, logs, messages, 告知书, inbox", async () => {
    const w = await rolePage("proxy");
    await visit(w, "/projects?status=all", [X.projectName, X.projectB, X.enterprise]);
    await visit(w, `/projects/${p.projectA}`, [X.projectName, X.itemName, X.materialName, X.fileName, X.logNote, X.eventNote, X.userName, X.supervision, X.taskTitle, X.apiTaskTitle, X.departmentName]);
    // The graph's nodes: hover one, then open the payload-named item from the graph (client-side navigation).
    const node = w.page.locator('[data-node="review"]');
    // Edges join after hydration (approval-graph.tsx); only then does a click reach the app.
    await w.page.waitForSelector(".react-flow__edge", { state: "attached" });
    await node.hover();
    await inert(w, "project A, hovering the 审查 node", [X.itemName]);
    await node.click();
    await w.page.waitForURL((u) => u.searchParams.get("item") === "review");
    await hydrated(w.page);
    await inert(w, "project A, 审查 drawer opened from the graph", [X.itemName]);
    await screenshot(w.page, "xss-workspace");
    await visit(w, `/projects/${p.projectA}?item=filing`, [X.materialName, X.fileName, X.eventNote]);
    await visit(w, `/projects/${p.projectA}/messages`, [X.enterpriseMessage, X.proxyMessage, X.userName]);
    await visit(w, `/projects/${p.projectA}/notice`, [X.projectName, X.userName]);
    await visit(w, `/projects/${p.projectB}`, [X.projectB, X.enterprise, X.departmentName]);
    await visit(w, "/inbox", []);
  });

  it("enterprise contact: portal, the project, its messages", async () => {
    const w = await rolePage("enterprise");
    await visit(w, "/portal", [X.projectName]);
    await visit(w, `/portal/projects/${p.projectA}`, [X.projectName, X.itemName, X.userName, X.rating, X.departmentName]);
    await visit(w, `/portal/projects/${p.projectA}/messages`, [X.enterpriseMessage, X.proxyMessage]);
    await visit(w, "/inbox", []);
  });

  it("department clerk: queue and the tasks", async () => {
    const w = await rolePage("dept");
    await visit(w, "/queue", [X.projectName, X.itemName, X.taskTitle, X.supervision, X.meetingTitle, X.departmentName]);
    await visit(w, `/meetings/actions/${p.taskId}`, [X.taskTitle, X.decision, X.meetingTitle, X.projectName, X.itemName, X.departmentName]);
    await visit(w, `/meetings/actions/${p.apiTaskId}`, [X.apiTaskTitle, X.closeNote, X.decision, X.meetingTitle]);
    await visit(w, "/inbox", []);
  });

  it("coordinator: meetings, the meeting, printable minutes, tasks", async () => {
    const w = await rolePage("coordinator");
    await visit(w, "/meetings", [X.meetingTitle, X.place]);
    await visit(w, `/meetings/${p.meetingId}`, [X.meetingTitle, X.place, X.decision, X.taskTitle, X.apiTaskTitle, X.projectName, X.itemName, X.departmentName], [X.agendaNote, X.discussion, X.preamble]);
    await visit(w, `/meetings/${p.meetingId}/minutes`, [X.meetingTitle, X.place, X.discussion, X.decision, X.taskTitle, X.preamble, X.departmentName]);
    await screenshot(w.page, "xss-minutes");
    await visit(w, "/meetings/actions", [X.taskTitle, X.apiTaskTitle, X.supervision, X.meetingTitle, X.projectName, X.itemName]);
    await visit(w, `/meetings/actions/${p.ratingTaskId}`, [X.projectName]);
    await visit(w, `/meetings/actions/${p.supervisionTaskId}`, [X.supervision, X.projectName, X.itemName]);
    await visit(w, "/inbox", []);
  });

  it("leader: dashboard, lists, 红黑榜, 通报", async () => {
    const w = await rolePage("leader");
    await visit(w, "/dashboard", [X.departmentName]);
    await visit(w, "/dashboard/list?list=supervisedItems", [X.projectName, X.itemName]);
    await visit(w, "/dashboard/ranking", [X.departmentName]);
    // A 通报 generated now, as a leader can, lists what is under 督办 with its department.
    await visit(w, "/dashboard/briefings", []);
    await Promise.all([w.page.waitForURL(/\/dashboard\/briefings\/\d+$/), w.page.getByTestId("briefing-generate").getByRole("button", { name: "立即生成" }).click()]);
    await hydrated(w.page);
    await inert(w, "a 通报 generated now", [X.projectName, X.itemName, X.supervision, X.departmentName]);
    await visit(w, `/projects/${p.projectA}`, [X.projectName, X.supervision]);
  });

  it("administrator: directory, audit log, templates, a project", async () => {
    const w = await rolePage("admin");
    await visit(w, "/admin", []);
    await visit(w, "/admin/departments", [X.departmentName]);
    await visit(w, "/admin/users", [X.userName]);
    await visit(w, "/admin/audit", [X.projectName, X.fileName]);
    await visit(w, "/admin/templates", [X.templateName]);
    await visit(w, "/admin/templates/xss-probe", [X.templateName, X.itemName, X.materialName]);
    await visit(w, `/projects/${p.projectA}`, [X.projectName, X.userName]);
    await visit(w, "/inbox", []);
  });
});
