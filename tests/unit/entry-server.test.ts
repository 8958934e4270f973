import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { describe, expect, it } from "vitest";
import { withoutNulBytes } from "~/entry.server";

describe("the document stream (app/entry.server.tsx)", () => {
  it("drops the NUL bytes React 18's streaming renderer pads a split multi-byte character with", async () => {
    // What React wrote for 「营业执照」 at a buffer boundary: 执, a NUL gap, then 照 whole in the next chunk.
    const chunks = [Buffer.concat([Buffer.from('value="营业执'), Buffer.from([0])]), Buffer.from('照"/>剩'), Buffer.from([0, 0]), Buffer.from("余 2 个工作日")];
    const out = await text(Readable.from(chunks).pipe(withoutNulBytes()));
    expect(out).toBe('value="营业执照"/>剩余 2 个工作日');
    expect(out).not.toContain("\u0000");
  });

  it("passes clean chunks through untouched", async () => {
    const html = "<p>计划开工 2027-06-30</p>";
    expect(await text(Readable.from([Buffer.from(html)]).pipe(withoutNulBytes()))).toBe(html);
  });
});
