import { describe, expect, it } from "vitest";
import { isCacheableViewer } from "~/web/page-cache.server";

describe("who may be served a cached page", () => {
  it("a signed-in non-administrator, unless they hold a one-time password", () => {
    expect(isCacheableViewer({ role: "proxy", mustChangePassword: false })).toBe(true);
    expect(isCacheableViewer({ role: "dept", mustChangePassword: false })).toBe(true);
    // Every page of theirs must be the redirect to /account/password, rendered afresh.
    expect(isCacheableViewer({ role: "proxy", mustChangePassword: true })).toBe(false);
    expect(isCacheableViewer({ role: "admin", mustChangePassword: false })).toBe(false);
    expect(isCacheableViewer(null)).toBe(false);
  });
});
