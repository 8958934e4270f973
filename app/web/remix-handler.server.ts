import { createReadableStreamFromReadable, createRequestHandler, writeReadableStreamToWritable, type ServerBuild } from "@remix-run/node";
import type { NextFunction, Request as ExpressRequest, Response as ExpressResponse } from "express";

declare module "@remix-run/node" {
  interface AppLoadContext {
    requestId?: string;
    cspNonce?: string;
    csrfToken?: string | null;
  }
}

function toFetchRequest(req: ExpressRequest, res: ExpressResponse): Request {
  const headers = new Headers();
  for (const [key, values] of Object.entries(req.headers)) {
    if (values === undefined) continue;
    for (const v of Array.isArray(values) ? values : [values]) headers.append(key, v);
  }
  // req.hostname honours "trust proxy"; the port, if any, comes from the Host header.
  const port = /:(\d+)$/.exec(req.get("X-Forwarded-Host") ?? req.get("Host") ?? "")?.[1];
  const url = new URL(`${req.protocol}://${req.hostname}${port ? `:${port}` : ""}${req.originalUrl}`);
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  const init: RequestInit & { duplex?: "half" } = { method: req.method, headers, signal: controller.signal };
  if (req.method !== "GET" && req.method !== "HEAD") {
    if (res.locals.rawBody) init.body = new Uint8Array(res.locals.rawBody);
    else {
      init.body = createReadableStreamFromReadable(req);
      init.duplex = "half";
    }
  }
  return new Request(url.href, init);
}

/**
 * @remix-run/express's handler, except that a body the CSRF check already read
 * (res.locals.rawBody) is handed to Remix from memory instead of the consumed
 * stream, and the pipeline's request id, nonce and token reach the app as its
 * load context.
 */
export function remixHandler(build: ServerBuild, mode?: string) {
  const handle = createRequestHandler(build, mode);
  return async (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    try {
      const response = await handle(toFetchRequest(req, res), { requestId: res.locals.requestId, cspNonce: res.locals.cspNonce, csrfToken: res.locals.csrfToken });
      res.statusMessage = response.statusText;
      res.status(response.status);
      for (const [key, value] of response.headers.entries()) res.append(key, value);
      if (response.body) await writeReadableStreamToWritable(response.body, res);
      else res.end();
    } catch (e) {
      next(e);
    }
  };
}
