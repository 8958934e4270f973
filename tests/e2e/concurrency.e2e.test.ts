/**
 * Concurrency against the built app (issue 14): two people changing the same
 * item at once — one wins, the other is told clearly, nothing is lost or
 * doubled — and 200 writers storming the server: every acknowledged write is
 * in the database afterwards and SQLite finds the file intact.
 *
 * STORM_SECONDS (default 30) sets the storm's length.
 */
import Database from "better-sqlite3";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiToken, createProject, shanghaiToday, startApp, type App } from "./harness";
import { checkDurability, describeStorm, startStorm, type StormWrite } from "../support/storm";
import { WebClient } from "../support/web-client";

const STORM_SECONDS = Number(process.env.STORM_SECONDS ?? 30);
const WRITERS = 200;
/** What the loser of a race is told (app/services/items.server.ts). */
const CONFLICT = "该事项已被他人更新，请刷新页面后再操作";
/** An approval of 自然资源 (the demo clerk `dept`'s department) in every general-industrial project. */
const ITEM = "land-use-planning-permit";
const ITEM_MATERIALS: string[] = (
  JSON.parse(readFileSync("templates/general-industrial.json", "utf8")) as { items: { key: string; materials: string[] }[] }
).items.find((i) => i.key === ITEM)!.materials;

let app: App;

beforeAll(async () => {
  app = await startApp();
  // Issued before any request: issuing runs a script synchronously, long enough for the server
  // to close an idle keep-alive connection that fetch would then reuse for a POST.
  for (const login of ["proxy", "dept"]) apiToken(app, login);
});

afterAll(async () => {
  await app?.stop();
});

const idOf = (path: string) => Number(path.split("/").pop());

function api(login: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${app.baseUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${apiToken(app, login)}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Tomorrow's date: a 容缺 补齐 date after today's 受理 and inside the item's 5 working days. */
function tomorrow(): string {
  return new Date(Date.parse(`${shanghaiToday()}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** The item's recorded clock events, oldest first, and its stored status and version, read from the app's SQLite file. */
function itemHistory(projectId: number, key: string) {
  const db = new Database(app.databasePath, { readonly: true });
  try {
    const item = db.prepare<[number, string], { id: number; status: string; version: number }>("select id, status, version from items where project_id = ? and key = ?").get(projectId, key)!;
    const events = db
      .prepare<[number], { type: string; actor: string }>(
        "select e.type as type, u.login as actor from clock_events e join users u on u.id = e.actor_user_id where e.item_id = ? order by e.id",
      )
      .all(item.id);
    return { status: item.status, version: item.version, events };
  } finally {
    db.close();
  }
}

describe("two people change the same item at once", () => {
  it("through the project page: both load version N and post; one is recorded, the other gets 409 with a Chinese conflict message", async () => {
    const path = await createProject(app, "并发页面测试项目");
    const projectId = idOf(path);
    const submitted = await api("proxy", "POST", `/api/v1/projects/${projectId}/items/${ITEM}/events`, { type: "submit", on: shanghaiToday() });
    expect(submitted.status).toBe(200);

    // The proxy officer (who may withdraw the application) and the 自然资源 clerk (who may accept it)
    // both have the item open: each page's form carries the version it was rendered with.
    const proxy = new WebClient(app.baseUrl);
    const clerk = new WebClient(app.baseUrl);
    await proxy.signIn("proxy");
    await clerk.signIn("dept");
    const versionOnPage = async (c: WebClient) => {
      const page = await c.get(`${path}?item=${ITEM}`);
      expect(page.status).toBe(200);
      const html = await page.text();
      const m = html.match(new RegExp(`name="itemKey" value="${ITEM}"/><input type="hidden" name="version" value="(\\d+)"`));
      expect(m, "the item's event form carries its version").not.toBeNull();
      return { version: m![1], html };
    };
    const [proxyPage, clerkPage] = await Promise.all([versionOnPage(proxy), versionOnPage(clerk)]);
    expect(proxyPage.version).toBe(clerkPage.version);
    // What the clerk's 受理 form pre-checks as 容缺: every material still missing.
    const deferred = [...clerkPage.html.matchAll(/<input type="checkbox" name="deferredMaterials"[^>]*>/g)]
      .filter((m) => m[0].includes('checked=""'))
      .map((m) => /value="([^"]+)"/.exec(m[0])![1]);
    expect(deferred.length).toBeGreaterThan(0);

    // Posted where the page's form posts: the project page with the item selected.
    const formAction = `${path}?item=${ITEM}`;
    const acceptForm = new FormData();
    for (const [k, v] of Object.entries({ intent: "event", itemKey: ITEM, version: clerkPage.version, type: "accept", on: shanghaiToday(), note: "", commitmentOn: tomorrow() })) acceptForm.set(k, v);
    for (const m of deferred) acceptForm.append("deferredMaterials", m);
    const [accept, withdraw] = await Promise.all([
      clerk.postForm(formAction, acceptForm),
      proxy.postForm(formAction, { intent: "event", itemKey: ITEM, version: proxyPage.version, type: "withdraw", on: shanghaiToday(), note: "" }),
    ]);
    const answers = [
      { who: "accept", status: accept.status, html: await accept.text() },
      { who: "withdraw", status: withdraw.status, html: await withdraw.text() },
    ];
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const winner = answers.find((a) => a.status === 200)!;
    const loser = answers.find((a) => a.status === 409)!;
    expect(loser.html).toContain(CONFLICT);

    // Exactly the winner's change is in the item's log, after the 申报: no lost update, no double.
    const h = itemHistory(projectId, ITEM);
    expect(h.events.map((e) => e.type)).toEqual(["submit", winner.who]);
    expect(h.status).toBe(winner.who === "accept" ? "running" : "withdrawn");
    expect(h.version).toBe(Number(proxyPage.version) + 1);
    // The loser, reloading, sees the new version (and state) and can decide again.
    expect((await versionOnPage(loser.who === "accept" ? clerk : proxy)).version).toBe(String(h.version));
  });

  it("through the API: ten requests with the same expectedVersion at once — exactly one is recorded, nine get 409 conflict", async () => {
    const projectId = idOf(await createProject(app, "并发接口测试项目"));
    const events = `/api/v1/projects/${projectId}/items/${ITEM}/events`;
    const submitted = await api("proxy", "POST", events, { type: "submit", on: shanghaiToday() });
    expect(submitted.status).toBe(200);
    // The answer carries the item's new version, which a client sends back with its next change.
    const { version } = (await submitted.json()) as { version: number; status: string };
    expect(version).toBeGreaterThan(0);

    // Accepting and withdrawing are each allowed after the other, so only the version check can
    // keep one of them from silently overtaking the other.
    const contenders = Array.from({ length: 10 }, (_, i) =>
      i % 2 === 0
        ? { who: "accept", send: () => api("dept", "POST", events, { type: "accept", on: shanghaiToday(), expectedVersion: version, deferredMaterials: ITEM_MATERIALS, commitmentOn: tomorrow() }) }
        : { who: "withdraw", send: () => api("proxy", "POST", events, { type: "withdraw", on: shanghaiToday(), expectedVersion: version }) },
    );
    const answers = await Promise.all(
      contenders.map(async (c) => {
        const res = await c.send();
        return { who: c.who, status: res.status, body: (await res.json()) as { version?: number; error?: { code: string; message: string } } };
      }),
    );
    const won = answers.filter((a) => a.status === 200);
    const lost = answers.filter((a) => a.status !== 200);
    expect(won).toHaveLength(1);
    expect(won[0].body.version).toBe(version + 1);
    expect(lost.map((a) => a.status)).toEqual(Array(9).fill(409));
    expect(new Set(lost.map((a) => JSON.stringify(a.body.error)))).toEqual(new Set([JSON.stringify({ code: "conflict", message: CONFLICT })]));

    const h = itemHistory(projectId, ITEM);
    expect(h.events.map((e) => e.type)).toEqual(["submit", won[0].who]);
    expect(h.version).toBe(version + 1);

    // A stale version stays refused afterwards; the current one is accepted.
    const stale = await api("proxy", "POST", events, { type: won[0].who === "accept" ? "withdraw" : "accept", on: shanghaiToday(), expectedVersion: version, deferredMaterials: ITEM_MATERIALS, commitmentOn: tomorrow() });
    expect(stale.status).toBe(409);
    const fresh = await api("proxy", "POST", events, { type: won[0].who === "accept" ? "withdraw" : "accept", on: shanghaiToday(), expectedVersion: version + 1, deferredMaterials: ITEM_MATERIALS, commitmentOn: tomorrow() });
    expect(fresh.status).toBe(200);
    expect(itemHistory(projectId, ITEM).events).toHaveLength(3);
  });
});

describe(`${WRITERS} concurrent writers for ${STORM_SECONDS} s`, () => {
  it(
    "every acknowledged message and 代办日志 entry is in the database, no 5xx, integrity_check ok",
    async () => {
      const projects = await Promise.all(Array.from({ length: 8 }, (_, i) => createProject(app, `写入风暴项目${i + 1}`).then(idOf)));
      const prefix = `storm-${Date.now().toString(36)}-`;
      // A tenth of the writers post 代办日志 through the page's form (session, CSRF), the rest API messages.
      const officer = new WebClient(app.baseUrl);
      await officer.signIn("proxy");
      const write = (w: number, n: number): StormWrite => {
        const projectId = projects[w % projects.length];
        const marker = `${prefix}${w}-${n}`;
        if (w % 10 === 0) {
          return {
            kind: "log",
            marker,
            projectId,
            send: () => officer.postForm(`/projects/${projectId}/logs`, { on: shanghaiToday(), kind: n % 2 ? "contact" : "note", note: marker }),
          };
        }
        return { kind: "message", marker, projectId, send: () => api("proxy", "POST", `/api/v1/projects/${projectId}/messages`, { body: marker }) };
      };
      const storm = startStorm(WRITERS, write, (w, res) => (w.kind === "log" ? res.status === 303 && (res.headers.get("Location") ?? "").includes("ok=1") : res.status === 201));
      await new Promise((r) => setTimeout(r, STORM_SECONDS * 1000));
      const report = await storm.stop();
      console.log(`concurrency storm: ${describeStorm(report)}`);

      expect(report.serverErrors).toEqual([]);
      expect(report.unanswered).toBe(0);
      // Every request was acknowledged: the server neither refused nor lost any under load.
      expect(report.acks.length).toBe(report.answered);
      expect(report.acks.length).toBeGreaterThan(WRITERS);
      const d = checkDurability(app.databasePath, report.acks, prefix);
      expect(d).toMatchObject({ integrity: "ok", foreignKeyViolations: 0, missing: [], missingCount: 0, wrongId: [], unacknowledgedRows: 0 });
      expect(d.rows.message + d.rows.log).toBe(report.acks.length);
      expect(d.rows.log).toBeGreaterThan(0);
    },
    STORM_SECONDS * 1000 + 60_000,
  );
});
