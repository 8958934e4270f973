import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Actor } from "~/domain/access/policy";
import { noticeOf } from "~/services/notice.server";
import { recordItemEvent } from "~/services/items.server";
import { getDb } from "~/utils/db.server";
import { ctxAt } from "../factories";
import { useDemoCity } from "../setup/db";

/*
 * The 一次性告知书 of the demo city (scripts/demo-seed.ts, seeded Fri 2026-11-27).
 * 智能装备产业园一期 is run by 王敏 (0571-87001101) for 江城智能装备有限公司, whose
 * contact in the system is 陈志远; its 建设工程规划许可证 was approved on 11-02.
 */
useDemoCity();

const ctx = () => ctxAt("2026-11-27");

function user(login: string): Actor {
  return getDb().get<Actor>(sql`select id, role, department_id as departmentId, enterprise_id as enterpriseId from users where login = ${login}`)!;
}

function projectId(name: string): number {
  return getDb().get<{ id: number }>(sql`select id from projects where name = ${name}`)!.id;
}

describe("一次性告知书 on the demo city", () => {
  it("project 1 names the officer with the phone and the enterprise's contact person", () => {
    const n = noticeOf(ctx(), user("proxy"), projectId("智能装备产业园一期"));
    expect(n.proxies).toEqual([{ displayName: "王敏", phone: "0571-87001101" }]);
    expect(n.enterprise.contactName).toBe("陈志远");
    expect(n.enterprise.contactName).not.toBe("项目负责人");
    expect(n.enterprise.contactPhone).toMatch(/^138\d{8}$/);
    // The enterprise contact sees the same notice.
    expect(noticeOf(ctx(), user("enterprise"), projectId("智能装备产业园一期")).enterprise.contactName).toBe("陈志远");
  });

  it("project 1 does not ask for the 建设工程规划许可证 it already holds, but still for what 施工许可 needs", () => {
    const id = projectId("智能装备产业园一期");
    const status = getDb().get<{ status: string }>(sql`select status from items where project_id = ${id} and key = 'engineering-planning-permit'`)!.status;
    expect(status).toBe("approved");
    const ledger = getDb().get<{ status: string }>(sql`select status from materials where project_id = ${id} and name = '建设工程规划许可证'`)!.status;
    expect(ledger).toBe("missing"); // the ledger alone would ask for it
    const names = noticeOf(ctx(), user("proxy"), id).materials.map((m) => m.name);
    expect(names).not.toContain("建设工程规划许可证");
    expect(names).toEqual(expect.arrayContaining(["施工合同", "监理合同", "建筑工程施工许可申请表"]));
    // Nothing only finished items need (备案申请表 served the 备案, 已办结).
    expect(names).not.toContain("项目备案申请表");
  });

  it("a certificate not yet issued is asked for with the item it comes from", () => {
    // 消防设计审查 is running on project 1: its 意见书 is still to come.
    const m = noticeOf(ctx(), user("proxy"), projectId("智能装备产业园一期")).materials.find((x) => x.name === "特殊建设工程消防设计审查意见书");
    expect(m?.issuedBy).toEqual({ key: "fire-design-review", name: "特殊建设工程消防设计审查" });
  });

  it("an enterprise without a user of its own is named as the enterprise's contact, never 项目负责人", () => {
    const n = noticeOf(ctx(), user("proxy"), projectId("新能源电池材料项目"));
    expect(n.enterprise.contactName).toBe("江城新能源材料股份有限公司联系人");
  });

  it("an open 补正 comes with the department's reason and the day it must be back by", () => {
    const n = noticeOf(ctx(), user("proxy2"), projectId("半导体封装测试项目"));
    expect(n.proxies).toEqual([{ displayName: "李强", phone: "0571-87001102" }]);
    expect(n.corrections).toHaveLength(1);
    expect(n.corrections[0]).toMatchObject({ key: "eia-approval", requestedOn: "2026-11-23", note: "环评报告书公众参与说明不完整，需补正" });
    expect(n.corrections[0].deadlineOn).toMatch(/^20\d\d-\d\d-\d\d$/);
  });

  it("once the last certificate-issuing approval is done, its certificate leaves the notice", () => {
    const id = projectId("智能装备产业园一期");
    const before = noticeOf(ctx(), user("proxy"), id).materials.map((m) => m.name);
    expect(before).toContain("特殊建设工程消防设计审查意见书");
    recordItemEvent(ctx(), user("proxy"), id, "fire-design-review", { type: "approve", on: "2026-11-27" });
    expect(noticeOf(ctx(), user("proxy"), id).materials.map((m) => m.name)).not.toContain("特殊建设工程消防设计审查意见书");
  });
});
