import { PassThrough, Transform } from "node:stream";
import type { AppLoadContext, EntryContext } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { NonceContext } from "./components/security";
import { logger } from "./web/log.server";

/*
 * Remix's default Node entry, with one change: React 18.3's streaming renderer
 * leaves NUL bytes in its output where a multi-byte character meets the end of
 * its 2 KB write buffer (facebook/react#31134, #24985). In our Chinese pages that
 * put a U+FFFD inside text and form values — a 容缺 material named
 * "营业执\0照" was sent back and refused. HTML never carries a NUL of its own (the
 * parser turns one into U+FFFD), so dropping every 0x00 byte restores the text.
 */

const ABORT_DELAY = 5_000;

/** Passes bytes through without the NULs React's renderer pads with. */
export function withoutNulBytes(): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (!chunk.includes(0)) return done(null, chunk);
      const out = Buffer.allocUnsafe(chunk.length);
      let n = 0;
      for (const byte of chunk) if (byte !== 0) out[n++] = byte;
      done(null, out.subarray(0, n));
    },
  });
}

/** Unexpected errors in loaders, actions and rendering: one structured log line with the request id, never shown to the user. */
export function handleError(error: unknown, { request, context }: { request: Request; context: AppLoadContext }) {
  if (request.signal.aborted) return;
  logger().error({ err: error, reqId: context.requestId, method: request.method, path: new URL(request.url).pathname }, "unexpected error");
}

export default function handleRequest(request: Request, responseStatusCode: number, responseHeaders: Headers, remixContext: EntryContext, loadContext: AppLoadContext) {
  // The CSP nonce of this response (server.ts sets the header): Remix's inline scripts carry it, nothing else runs inline.
  const nonce = loadContext.cspNonce;
  // Crawlers and SPA mode get the whole document at once; browsers get the shell as soon as it is ready.
  const whole = isbot(request.headers.get("user-agent") ?? "") || remixContext.isSpaMode;
  return new Promise((resolve, reject) => {
    let shellRendered = false;
    const ready = () => {
      shellRendered = true;
      const body = new PassThrough();
      const clean = withoutNulBytes();
      body.pipe(clean);
      responseHeaders.set("Content-Type", "text/html");
      resolve(new Response(createReadableStreamFromReadable(clean), { headers: responseHeaders, status: responseStatusCode }));
      pipe(body);
    };
    const { pipe, abort } = renderToPipeableStream(
      <NonceContext.Provider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
      </NonceContext.Provider>,
      {
      nonce,
      ...(whole ? { onAllReady: ready } : { onShellReady: ready }),
      onShellError(error: unknown) {
        reject(error);
      },
      onError(error: unknown) {
        responseStatusCode = 500;
        // Errors in the shell reject above and are logged by Remix; later ones only here.
        if (shellRendered) logger().error({ err: error, reqId: loadContext.requestId }, "render error after the shell");
      },
    });
    setTimeout(abort, ABORT_DELAY);
  });
}
