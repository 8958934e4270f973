import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { mountQueueBoard } from "./jobs/board";
import { loadConfig } from "./app/utils/config.server";
import { getDb } from "./app/utils/db.server";
import { createRequest } from "./app/web/express-request";
import { getOptionalUser } from "./app/web/session.server";
import { createPageCache, isCacheableViewer } from "./app/web/page-cache.server";
import { shanghaiToday } from "./app/domain/calendar";
import { closeAllRedis } from "./jobs/connection";
import { dataGeneration } from "./db/client";

const config = loadConfig();
const buildPath = resolve("build/index.js");
if (!existsSync(buildPath)) {
  console.error("No build found at build/index.js: run `npm run build` (npm start does this for you).");
  process.exit(1);
}
const build = (await import(pathToFileURL(buildPath).href)) as ServerBuild;

// Open (and migrate) the database before taking traffic.
getDb();

const app = express();
app.disable("x-powered-by");
mountQueueBoard(app, (req) => getOptionalUser(createRequest(req)));
app.use("/build", express.static("public/build", { immutable: true, maxAge: "1y" }));
app.use(express.static("public", { maxAge: "1h" }));
if (process.env.PAGE_CACHE !== "off") {
  const pageCache = createPageCache({
    maxBytes: 64 * 1024 * 1024,
    generation: dataGeneration(getDb()),
    today: () => shanghaiToday(new Date()),
    cacheableViewer: async (req) => isCacheableViewer(await getOptionalUser(createRequest(req))),
  });
  app.use(pageCache.middleware);
}
app.all("*", createRequestHandler({ build, mode: process.env.NODE_ENV }));

const server = app.listen(config.port, () => {
  console.log(`web: http://localhost:${config.port}`);
  if (process.env.NODE_ENV === "development" && process.env.REMIX_DEV_ORIGIN) {
    import("@remix-run/node").then((m) => m.broadcastDevReady(build));
  }
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`web: ${signal}, closing`);
  server.close();
  await closeAllRedis();
  getDb().$client.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
