import { describe, expect, it } from "vitest";
import { generateOneTimePassword, unusablePasswordHash } from "~/services/auth.server";
import { verifyPassword } from "~/services/passwords.server";

describe("one-time passwords", () => {
  it("are 16 characters from an alphabet without look-alikes, in groups of four, and do not repeat", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const p = generateOneTimePassword();
      expect(p).toMatch(/^[a-km-np-zA-HJ-NP-Z2-9]{4}(?:-[a-km-np-zA-HJ-NP-Z2-9]{4}){3}$/);
      seen.add(p);
    }
    expect(seen.size).toBe(2_000);
  });

  it("an integration account's hash matches no password, and no two are alike", async () => {
    const a = unusablePasswordHash();
    expect(a).not.toBe(unusablePasswordHash());
    for (const guess of ["", a, a.split("$")[1]]) expect(await verifyPassword(guess, a)).toBe(false);
  });
});
