/**
 * Helpers for calling the JSON API v1 resource routes in-process: build a real
 * `Request`, call the route module's loader or action like Remix does, and read
 * back the status and the parsed JSON body.
 */
import { expect } from "vitest";

export const BASE = "http://localhost";

// Route handlers are called with Remix's args shape; the test only needs request + params.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type RouteFn = (args: any) => Response | Promise<Response>;

export interface CallOptions {
  method?: string;
  /** Bearer token; null or undefined sends no Authorization header. */
  token?: string | null;
  /** Raw Authorization header (overrides token). */
  authorization?: string;
  /** JSON-serialised as the body with Content-Type application/json. */
  json?: unknown;
  /** Body text sent as is (with `contentType`, default application/json). */
  rawBody?: string;
  contentType?: string | null;
  params?: Record<string, string>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read JSON bodies loosely; each assertion checks the shape it needs
export interface ApiResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export function apiRequest(path: string, opts: CallOptions = {}): Request {
  const headers = new Headers();
  if (opts.authorization !== undefined) headers.set("Authorization", opts.authorization);
  else if (opts.token) headers.set("Authorization", `Bearer ${opts.token}`);
  let body: string | undefined;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers.set("Content-Type", "application/json");
  } else if (opts.rawBody !== undefined) {
    body = opts.rawBody;
  }
  if (opts.contentType !== undefined) {
    if (opts.contentType === null) headers.delete("Content-Type");
    else headers.set("Content-Type", opts.contentType);
  } else if (opts.rawBody !== undefined) {
    headers.set("Content-Type", "application/json");
  }
  const method = opts.method ?? (body !== undefined ? "POST" : "GET");
  return new Request(BASE + path, { method, headers, body });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read JSON bodies loosely; each assertion checks the shape it needs
export async function call<T = any>(fn: RouteFn, path: string, opts: CallOptions = {}): Promise<ApiResult<T>> {
  const request = apiRequest(path, opts);
  const res = await fn({ request, params: opts.params ?? {}, context: {} });
  expect(res).toBeInstanceOf(Response);
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`response is not JSON (status ${res.status}): ${text.slice(0, 200)}`);
  }
  return { status: res.status, body: body as T, headers: res.headers };
}

const HAN = /[\u4e00-\u9fff]/;

/** The API error contract: `{"error": {"code", "message"}}` with a Chinese message and the given status. */
export function expectApiError(r: ApiResult, status: number, code: string, messageIncludes?: string | RegExp): string {
  expect({ status: r.status, code: r.body?.error?.code }).toEqual({ status, code });
  const message: unknown = r.body.error.message;
  expect(typeof message).toBe("string");
  expect(message as string).toMatch(HAN);
  if (messageIncludes !== undefined) {
    if (typeof messageIncludes === "string") expect(message as string).toContain(messageIncludes);
    else expect(message as string).toMatch(messageIncludes);
  }
  // Nothing but the error object at the top level.
  expect(Object.keys(r.body)).toEqual(["error"]);
  return message as string;
}
