import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createWorkingCalendar, officialCalendarData, toDay } from "~/domain/calendar";
import type { ItemKind, ItemStatus } from "~/domain/clock";
import { certificateNames, issuedBy, issues, issuersOf, outstanding } from "~/domain/material/certificates";
import { correctionDeadline, enterpriseContact, noticeContents, type NoticeFacts, type NoticeItemFacts, type NoticeMaterialFacts } from "~/domain/material/notice";

const cal = createWorkingCalendar(officialCalendarData());
const D = toDay;

describe("certificates a project earns (how templates name them)", () => {
  it("an approval issues its name without the bracketed qualifier, or its document named by the tail", () => {
    expect(certificateNames("建设工程规划许可证（模拟审批转正式）")).toEqual(["建设工程规划许可证"]);
    expect(issues("不动产权证书（国有建设用地使用权首次登记）", "不动产权证书")).toBe(true);
    expect(issues("建设项目环境影响报告表审批", "环境影响报告表批复")).toBe(true);
    expect(issues("特殊建设工程消防设计审查", "特殊建设工程消防设计审查意见书")).toBe(true);
    expect(issues("企业投资项目核准", "项目核准批复文件")).toBe(true);
    expect(issues("企业投资项目备案", "项目备案证明")).toBe(true);
    expect(issues("建设项目用地预审与选址意见书", "用地预审与选址意见书")).toBe(true);
  });

  it("never the application forms, the reports handed in for it, or a generic tail", () => {
    expect(issues("建设用地规划许可证", "建设用地规划许可申请表")).toBe(false);
    expect(issues("建设项目环境影响报告表审批", "环境影响报告表")).toBe(false);
    expect(issues("排污许可证", "排污许可证申请表")).toBe(false);
    expect(issues("企业投资项目核准", "批复")).toBe(false);
    // 房屋所有权首次登记（不动产权证书）: the qualifier is not the name.
    expect(issues("房屋所有权首次登记（不动产权证书）", "不动产权证书")).toBe(false);
  });

  it("in every shipped template, each material tied to an approval is that approval's document", () => {
    const found: string[] = [];
    for (const file of readdirSync("templates").filter((f) => f.endsWith(".json"))) {
      const t = JSON.parse(readFileSync(`templates/${file}`, "utf8")) as { items: { key: string; name: string; kind: ItemKind; materials?: string[] }[] };
      const items = t.items.map((i) => ({ ...i, status: "approved" as ItemStatus }));
      for (const m of new Set(t.items.flatMap((i) => i.materials ?? []))) {
        for (const i of issuersOf(m, items)) found.push(`${m} ← ${i.name}`);
      }
    }
    expect([...new Set(found)].sort()).toEqual(
      [
        "项目备案证明 ← 企业投资项目备案",
        "建设用地规划许可证 ← 建设用地规划许可证",
        "不动产权证书 ← 不动产权证书（国有建设用地使用权首次登记）",
        "建设工程规划许可证 ← 建设工程规划许可证",
        "建设工程规划许可证 ← 建设工程规划许可证（模拟审批转正式）",
        "特殊建设工程消防设计审查意见书 ← 特殊建设工程消防设计审查",
        "环境影响报告表批复 ← 建设项目环境影响报告表审批",
        "用地预审与选址意见书 ← 建设项目用地预审与选址意见书",
        "项目核准批复文件 ← 企业投资项目核准",
        "环境影响报告书批复 ← 建设项目环境影响报告书审批",
      ].sort(),
    );
  });

  it("a certificate is issued only once its approval is 已办结 (免办 issues nothing; a 中介 report is no certificate)", () => {
    const permit = (status: ItemStatus, kind: ItemKind = "approval") => [{ key: "epp", name: "建设工程规划许可证", kind, status }];
    expect(issuedBy("建设工程规划许可证", permit("approved"))?.key).toBe("epp");
    for (const s of ["pending", "running", "correction", "waived"] as const) expect(issuedBy("建设工程规划许可证", permit(s))).toBeNull();
    expect(issuedBy("建设工程规划许可证", permit("approved", "intermediary"))).toBeNull();
    expect(outstanding(["施工合同", "建设工程规划许可证"], permit("approved"))).toEqual(["施工合同"]);
  });
});

describe("一次性告知书 contents", () => {
  const item = (key: string, name: string, status: ItemStatus, over: Partial<NoticeItemFacts> = {}): NoticeItemFacts => ({
    key,
    name,
    kind: "approval",
    status,
    departmentName: "住建",
    latestFinish: null,
    remainingAtPause: null,
    commitment: null,
    correction: null,
    ...over,
  });
  let nextId = 0;
  const material = (name: string, itemKeys: string[], over: Partial<NoticeMaterialFacts> = {}): NoticeMaterialFacts => ({
    id: ++nextId,
    name,
    status: "missing",
    rejected: false,
    note: null,
    deadlineOn: "2026-12-09",
    itemKeys,
    ...over,
  });
  function facts(over: Partial<NoticeFacts> = {}): NoticeFacts {
    return {
      asOf: D("2026-11-27"),
      project: { id: 1, code: "2026-330100-34-03-100201", name: "智能装备产业园一期", signedOn: "2026-08-19", targetStartOn: "2027-03-24" },
      enterprise: { name: "江城智能装备有限公司", creditCode: "91330100MA2H3K5L7X", contactPhone: "13812345678" },
      enterpriseUsers: [{ displayName: "陈志远", phone: null }],
      proxies: [{ displayName: "王敏", phone: "0571-87001101" }],
      provisional: false,
      items: [
        item("engineering-planning-permit", "建设工程规划许可证", "approved"),
        item("joint-drawing-review", "施工图设计文件联合审查", "running"),
        item("construction-permit", "建筑工程施工许可证（含质量安全监督手续）", "pending"),
        item("filing", "企业投资项目备案", "approved"),
      ],
      materials: [
        material("施工合同", ["construction-permit"]),
        material("建设工程规划许可证", ["construction-permit"]),
        material("项目备案申请表", ["filing"]),
        material("营业执照", ["filing", "construction-permit"], { status: "verified" }),
        material("授权委托书", ["construction-permit"], { rejected: true, note: "缺少法定代表人签字", deadlineOn: null }),
      ],
      ...over,
    };
  }

  it("names the officer with the phone, and the enterprise's own user as the contact", () => {
    const n = noticeContents(facts(), cal);
    expect(n.proxies).toEqual([{ displayName: "王敏", phone: "0571-87001101" }]);
    expect(n.enterprise).toMatchObject({ contactName: "陈志远", contactPhone: "13812345678" });
    expect(n.today).toBe("2026-11-27");
  });

  it("without an enterprise user the enterprise itself is the contact (never a role such as 项目负责人)", () => {
    expect(enterpriseContact({ name: "江城食品有限公司", creditCode: "x", contactPhone: null }, [])).toEqual({ name: "江城食品有限公司联系人", phone: null });
    expect(enterpriseContact({ name: "甲", creditCode: "x", contactPhone: "1" }, [{ displayName: "乙", phone: "2" }])).toEqual({ name: "乙", phone: "2" });
  });

  it("asks only for what is still missing: not what only finished items need, not an issued certificate", () => {
    const n = noticeContents(facts(), cal);
    expect(n.materials.map((m) => m.name)).toEqual(["施工合同", "授权委托书"]);
    expect(n.materials[0]).toMatchObject({ deadlineOn: "2026-12-09", committed: false, issuedBy: null, items: [{ key: "construction-permit", name: "建筑工程施工许可证（含质量安全监督手续）" }] });
    expect(n.materials[1]).toMatchObject({ rejected: true, note: "缺少法定代表人签字", deadlineOn: null });
  });

  it("a certificate still to be issued by the project is asked for with where it comes from", () => {
    const n = noticeContents(
      facts({ items: [item("engineering-planning-permit", "建设工程规划许可证", "running"), item("construction-permit", "建筑工程施工许可证", "pending")] }),
      cal,
    );
    expect(n.materials.find((m) => m.name === "建设工程规划许可证")?.issuedBy).toEqual({ key: "engineering-planning-permit", name: "建设工程规划许可证" });
  });

  it("a 容缺 material is due on the promised date when that comes first", () => {
    const n = noticeContents(
      facts({
        items: [item("joint-drawing-review", "施工图设计文件联合审查", "running", { commitment: { materials: ["施工合同"], on: D("2026-12-01") } }), item("construction-permit", "施工许可", "pending")],
      }),
      cal,
    );
    expect(n.materials.find((m) => m.name === "施工合同")).toMatchObject({ deadlineOn: "2026-12-01", committed: true });
  });

  it("each open 补正 with the department's reason and the day it must be back to keep the plan", () => {
    const correction = { requestedOn: "2026-11-23", missingMaterials: ["公众参与说明"], note: "环评报告书公众参与说明不完整，需补正" };
    const n = noticeContents(
      facts({
        items: [
          // 16 WD planned to finish by Fri 12-18 with 10 WD left at the pause: back by Fri 12-04.
          item("eia-approval", "建设项目环境影响报告书审批", "correction", { latestFinish: D("2026-12-18"), remainingAtPause: 10, correction }),
          // Already behind: back by 11-20, a week ago.
          item("energy-review", "节能审查", "correction", { latestFinish: D("2026-11-27"), remainingAtPause: 5, correction }),
        ],
        materials: [],
      }),
      cal,
    );
    expect(n.corrections).toEqual([
      { key: "eia-approval", name: "建设项目环境影响报告书审批", departmentName: "住建", ...correction, deadlineOn: "2026-12-04", late: false },
      { key: "energy-review", name: "节能审查", departmentName: "住建", ...correction, deadlineOn: "2026-11-20", late: true },
    ]);
    expect(correctionDeadline(D("2026-12-18"), 10, cal)).toBe(D("2026-12-04"));
  });
});
