import { describe, expect, it } from "vitest";
import { acceptanceChecksMaterials, acceptanceRefusal } from "~/domain/material/acceptance";

describe("受理 against the material ledger", () => {
  const ledger = [
    { name: "施工合同", status: "missing" as const },
    { name: "监理合同", status: "missing" as const },
    { name: "营业执照", status: "verified" as const },
    { name: "授权委托书", status: "received" as const },
  ];

  it("refuses while a missing material is not declared 容缺, naming each one", () => {
    const r = acceptanceRefusal(ledger, ["施工合同"], "2026-12-10")!;
    expect(r.undeclared).toEqual(["监理合同"]);
    expect(r.message).toBe("尚缺申报材料：监理合同。请勾选为容缺材料并填写补齐日期后受理，或收齐材料后再受理");
    expect(Object.keys(r.fields)).toEqual(["deferredMaterials"]);
    expect(acceptanceRefusal(ledger, [], null)!.message).toContain("施工合同、监理合同");
  });

  it("refuses 容缺 without a 补齐 date", () => {
    const r = acceptanceRefusal(ledger, ["施工合同", "监理合同"], undefined)!;
    expect(r.message).toBe("容缺受理须填写补齐日期（容缺材料：施工合同、监理合同）");
    expect(Object.keys(r.fields)).toEqual(["commitmentOn"]);
  });

  it("allows 容缺 with every missing material and a date, and any 受理 once nothing is missing", () => {
    expect(acceptanceRefusal(ledger, [" 施工合同", "监理合同", "营业执照"], "2026-12-10")).toBeNull();
    expect(acceptanceRefusal(ledger.filter((m) => m.status !== "missing"), [], null)).toBeNull();
    expect(acceptanceRefusal([], [], null)).toBeNull();
  });

  it("applies to proxy officers and department staff, pages and API alike", () => {
    expect(acceptanceChecksMaterials("proxy")).toBe(true);
    expect(acceptanceChecksMaterials("dept")).toBe(true);
    expect(acceptanceChecksMaterials("integration")).toBe(false);
  });
});
