import { z } from "zod";
import { describe, expect, it } from "vitest";
import { numberInput } from "~/domain/validation/number";
import { findUnsafeText, unsafeTextProblem } from "~/domain/validation/text";

describe("unsafeTextProblem", () => {
  it.each([
    ["NUL", "项目\u0000名称", "控制字符"],
    ["escape", "你好\u001b[31m", "控制字符"],
    ["DEL", "a\u007fb", "控制字符"],
    ["right-to-left override", "项目\u202Eexe.txt", "显示方向"],
    ["first strong isolate", "a\u2068b", "显示方向"],
    ["lone high surrogate", "a\uD800b", "字符编码"],
    ["lone low surrogate at the start", "\uDC00ab", "字符编码"],
    ["only zero-width spaces", "\u200B\u200B", "不可见字符"],
    ["zero-width joiner, BOM and spaces", " \u200D\uFEFF ", "不可见字符"],
  ])("refuses %s", (_, s, says) => {
    expect(unsafeTextProblem(s)).toContain(says);
  });

  it.each([
    ["Chinese with punctuation", "江城智能装备有限公司（一期）"],
    ["tabs and line breaks", "第一行\n第二行\r\n\t缩进"],
    ["an emoji sequence joined by ZWJ", "👨‍👩‍👧 家庭"],
    ["a surrogate pair", "𠀀字"],
    ["a zero-width space between visible characters", "ab\u200Bcd"],
    ["left-to-right and right-to-left marks", "שלום\u200F abc\u200E"],
    ["empty and blank text (the schemas decide about those)", "  "],
  ])("lets %s through", (_, s) => {
    expect(unsafeTextProblem(s)).toBeNull();
  });
});

describe("findUnsafeText", () => {
  it("names the path of the first unsafe string, keys included", () => {
    expect(findUnsafeText({ name: "ok", actionItems: [{ title: "ok" }, { title: "a\u0000" }] })).toEqual({ path: "actionItems.1.title", message: expect.stringContaining("控制字符") });
    expect(findUnsafeText({ a: { ["x\u202E"]: 1 } })).toEqual({ path: "a", message: expect.stringMatching(/^字段名/) });
    expect(findUnsafeText("\u200B")).toEqual({ path: "_", message: expect.stringContaining("不可见") });
    expect(findUnsafeText({ a: [1, null, true, { b: "正常" }] })).toBeNull();
  });
});

describe("numberInput", () => {
  const schema = z.preprocess(numberInput, z.number().int());
  it("reads form text and JSON numbers alike", () => {
    expect(schema.parse("5")).toBe(5);
    expect(schema.parse(" 12 ")).toBe(12);
    expect(schema.parse(7)).toBe(7);
  });
  it("does not turn other types into numbers", () => {
    for (const v of [true, [3], null, { n: 1 }]) expect(schema.safeParse(v).success).toBe(false);
    expect(numberInput("")).toBeUndefined();
    expect(schema.safeParse("abc").success).toBe(false);
  });
});
