import type { Request as ExpressRequest } from "express";

/** A Fetch Request carrying the cookies of an Express request, for reusing the session helpers. */
export function createRequest(req: ExpressRequest): Request {
  const headers = new Headers();
  if (req.headers.cookie) headers.set("Cookie", req.headers.cookie);
  return new Request(`http://localhost${req.originalUrl}`, { headers });
}
