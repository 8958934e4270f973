import type { ServerBuild } from "@remix-run/node";
import express, { type NextFunction, type Request, type Response } from "express";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { mountQueueBoard } from "./jobs/board";
import { loadConfig, sessionSecret } from "./app/utils/config.server";
import { logger } from "./app/utils/log.server";
import { csrfGuard, loggablePath, requestLog, securityHeaders } from "./app/web/http-security.server";
import { remixHandler } from "./app/web/remix-handler.server";
import { recordAccessDenied } from "./app/services/audit.server";
import { closeSignInThrottle } from "./app/services/sign-in-throttle.server";
import { getDb } from "./app/utils/db.server";
import { registerProcess } from "./app/services/process-registry.server";
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
// `npm run restore` refuses while this pid file exists and this process lives.
registerProcess("web", config.databasePath);

const log = logger();
const security = { secret: sessionSecret(), https: process.env.COOKIE_SECURE === "true" };
const app = express();
app.disable("x-powered-by");
// Behind a TLS reverse proxy (README: deployment), TRUST_PROXY tells Express whose
// X-Forwarded-For/-Proto to believe, e.g. "loopback" or the number of proxies.
if (process.env.TRUST_PROXY) app.set("trust proxy", /^\d+$/.test(process.env.TRUST_PROXY) ? Number(process.env.TRUST_PROXY) : process.env.TRUST_PROXY);
app.use(securityHeaders(security));
app.use(requestLog(log));
app.use("/build", express.static("public/build", { immutable: true, maxAge: "1y" }));
app.use(express.static("public", { maxAge: "1h" }));
// Every refusal is on record (issue 14), the CSRF guard's included: who, what, where — written after
// the answer, never in its way; paths as logged (an invitation token is a credential).
app.use((req: Request, res: Response, next: NextFunction) => {
  res.on("finish", () => {
    if (res.statusCode !== 403) return;
    getOptionalUser(createRequest(req))
      .then((user) => recordAccessDenied(getDb(), { userId: user?.id ?? null, method: req.method, path: loggablePath(req.path), ip: req.ip ?? null }, new Date()))
      .catch((e) => log.warn({ err: e, reqId: res.locals.requestId }, "access denial not recorded"));
  });
  next();
});
app.use(csrfGuard(security));
mountQueueBoard(app, (req) => getOptionalUser(createRequest(req)));
if (process.env.PAGE_CACHE !== "off") {
  const pageCache = createPageCache({
    maxBytes: 64 * 1024 * 1024,
    generation: dataGeneration(getDb()),
    today: () => shanghaiToday(new Date()),
    cacheableViewer: async (req) => isCacheableViewer(await getOptionalUser(createRequest(req))),
  });
  app.use(pageCache.middleware);
}
app.all("*", remixHandler(build, process.env.NODE_ENV));
// Last resort: anything that escaped a route is logged with its request id and answered without internals.
app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
  const status = (err as { status?: unknown })?.status;
  // A client error raised below Remix (e.g. body-parser's 4xx) keeps its status and is not a server fault.
  if (typeof status === "number" && status >= 400 && status < 500) {
    log.warn({ reqId: res.locals.requestId, method: req.method, path: loggablePath(req.path), status }, "request refused");
    if (res.headersSent) return res.end();
    return res.status(status).type("text/plain; charset=utf-8").send("请求格式不正确，请刷新页面后重试");
  }
  log.error({ err, reqId: res.locals.requestId, method: req.method, path: loggablePath(req.path) }, "unhandled error");
  if (res.headersSent) return res.end();
  res.status(500).type("text/plain; charset=utf-8").send(`服务器内部错误，请稍后重试（请求编号 ${res.locals.requestId ?? "-"}）`);
});

const server = app.listen(config.port, () => {
  log.info({ port: config.port }, `web: http://localhost:${config.port}`);
  if (process.env.NODE_ENV === "development" && process.env.REMIX_DEV_ORIGIN) {
    import("@remix-run/node").then((m) => m.broadcastDevReady(build));
  }
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "web: closing");
  server.close();
  await closeAllRedis();
  await closeSignInThrottle();
  getDb().$client.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
