import express from "express";
import Database from "better-sqlite3";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { dataGeneration } from "../../db/client";
import { projects } from "../../db/schema";
import { createPageCache } from "~/web/page-cache.server";
import { getDb } from "~/utils/db.server";
import { insertProject, insertUser } from "../factories";

/*
 * The page cache in front of Remix (server.ts), with the real data generation of
 * the test's SQLite file. The page here renders the project's name from the
 * database, so a stale answer would show the old name.
 */

let server: Server | undefined;
afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

async function start(opts: { today?: () => string; setCookie?: boolean } = {}) {
  const db = getDb();
  const renders = { count: 0 };
  const cache = createPageCache({
    maxBytes: 1024 * 1024,
    generation: dataGeneration(db),
    today: opts.today ?? (() => "2026-12-02"),
    cacheableViewer: async (req) => !String(req.headers.cookie).includes("admin"),
  });
  const app = express();
  app.use(cache.middleware);
  app.all("/projects/:id", (req, res) => {
    renders.count++;
    const p = db.select().from(projects).where(eq(projects.id, Number(req.params.id))).get();
    if (opts.setCookie) res.setHeader("Set-Cookie", "x=1");
    res.type("text/html").send(`<h1>${p?.name ?? "无"}</h1>`);
  });
  await new Promise<void>((ok) => (server = app.listen(0, "127.0.0.1", () => ok())));
  const base = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
  const get = async (path: string, cookie = "gc_session=a", method = "GET") => {
    const r = await fetch(base + path, { method, headers: { Cookie: cookie } });
    return { status: r.status, cache: r.headers.get("x-page-cache"), body: await r.text() };
  };
  return { get, renders, db };
}

async function project() {
  const proxy = await insertUser({ role: "proxy" });
  return insertProject(proxy, { name: "缓存测试项目" });
}

describe("page cache", () => {
  it("serves a repeated page from memory, and renders again after any write in this process", async () => {
    const id = await project();
    const { get, renders, db } = await start();
    expect(await get(`/projects/${id}`)).toMatchObject({ cache: "miss", body: "<h1>缓存测试项目</h1>" });
    expect(await get(`/projects/${id}`)).toMatchObject({ cache: "hit", body: "<h1>缓存测试项目</h1>" });
    expect(renders.count).toBe(1);

    db.update(projects).set({ name: "改名后的项目" }).where(eq(projects.id, id)).run();
    expect(await get(`/projects/${id}`)).toMatchObject({ cache: "miss", body: "<h1>改名后的项目</h1>" });
    expect(renders.count).toBe(2);
  });

  it("renders again after a write committed by another process's connection (the worker)", async () => {
    const id = await project();
    const { get } = await start();
    await get(`/projects/${id}`);
    expect((await get(`/projects/${id}`)).cache).toBe("hit");

    const other = new Database(process.env.DATABASE_PATH!);
    other.prepare("update projects set name = ? where id = ?").run("工人进程改的名", id);
    other.close();
    expect(await get(`/projects/${id}`)).toMatchObject({ cache: "miss", body: "<h1>工人进程改的名</h1>" });
  });

  it("keeps viewers apart, renders again on a new day, and never caches administrators, posts or responses that set cookies", async () => {
    const id = await project();
    let today = "2026-12-02";
    const { get, renders } = await start({ today: () => today });
    await get(`/projects/${id}`, "gc_session=a");
    expect((await get(`/projects/${id}`, "gc_session=b")).cache).toBe("miss");
    expect((await get(`/projects/${id}`, "gc_session=a")).cache).toBe("hit");

    today = "2026-12-03";
    expect((await get(`/projects/${id}`, "gc_session=a")).cache).toBe("miss");

    const before = renders.count;
    await get(`/projects/${id}`, "gc_session=admin");
    await get(`/projects/${id}`, "gc_session=admin");
    await get(`/projects/${id}`, "gc_session=a", "POST");
    await get(`/projects/${id}`, "gc_session=a", "POST");
    expect(renders.count).toBe(before + 4);
  });

  it("does not keep a response that sets a cookie", async () => {
    const id = await project();
    const { get, renders } = await start({ setCookie: true });
    await get(`/projects/${id}`);
    await get(`/projects/${id}`);
    expect(renders.count).toBe(2);
  });
});
