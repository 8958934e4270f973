import { describe, expect, it } from "vitest";
import { checkCreditCode, creditCodeCheckChar } from "~/domain/enterprise/credit-code";

describe("统一社会信用代码 (GB 32100-2015)", () => {
  it("computes the check character by the weighted mod-31 rule", () => {
    // 91350100M000100Y4 → weights 1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28:
    // 9·1+1·3+3·9+5·27+0·19+1·26+0·16+0·17+M(21)·20+0·29+0·25+0·13+1·8+0·24+0·10+Y(30)·30+4·28
    // = 9+3+27+135+0+26+0+0+420+0+0+0+8+0+0+900+112 = 1640; 1640 mod 31 = 28; 31−28 = 3 → "3"
    expect(creditCodeCheckChar("91350100M000100Y4")).toBe("3");
    expect(checkCreditCode("91350100M000100Y43")).toBeNull();
  });

  it("accepts lower case and surrounding spaces", () => {
    expect(checkCreditCode(" 91350100m000100y43 ")).toBeNull();
  });

  it("rejects a wrong check character", () => {
    expect(checkCreditCode("91350100M000100Y44")).toBe("checksum");
  });

  it("rejects the wrong length", () => {
    expect(checkCreditCode("91350100M000100Y4")).toBe("length");
    expect(checkCreditCode("")).toBe("length");
  });

  it("rejects letters outside the alphabet (I, O, Z, S, V)", () => {
    expect(checkCreditCode("91350100I000100Y43")).toBe("charset");
    expect(checkCreditCode("9135010OM000100Y43")).toBe("charset");
  });
});
