/**
 * The queue board (/admin/queues) sits behind the app session: administrators
 * only, and — like every page — not before a one-time password is exchanged.
 */
import express from "express";
import type { Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { mountQueueBoard, type BoardViewer } from "../../jobs/board";
import { freePort } from "../support/free-port";

let server: Server | undefined;
afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

async function boardAs(viewer: Awaited<ReturnType<BoardViewer>>): Promise<Response> {
  const app = express();
  mountQueueBoard(app, async () => viewer);
  const port = await freePort();
  await new Promise<void>((ready) => (server = app.listen(port, "127.0.0.1", () => ready())));
  return fetch(`http://127.0.0.1:${port}/admin/queues`, { redirect: "manual" });
}

describe("the queue board", () => {
  it("sends a signed-out visitor to sign in", async () => {
    const res = await boardAs(null);
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/login?redirectTo=%2Fadmin%2Fqueues");
  });

  it("sends an administrator still holding a one-time password to choose their own first", async () => {
    const res = await boardAs({ role: "admin", mustChangePassword: true });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/account/password");
  });

  it("refuses everyone but administrators", async () => {
    const res = await boardAs({ role: "coordinator", mustChangePassword: false });
    expect(res.status).toBe(403);
    expect(await res.text()).toBe("仅系统管理员可访问任务队列面板");
  });

  it("opens for an administrator", async () => {
    const res = await boardAs({ role: "admin", mustChangePassword: false });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("<html");
  });
});
