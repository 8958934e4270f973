import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Actor } from "~/domain/access/policy";
import { recordItemEvent } from "~/services/items.server";
import { loadProjectPage } from "~/services/project-page.server";
import { getDb } from "~/utils/db.server";
import { ctxAt } from "../factories";
import { useDemoCity } from "../setup/db";

/*
 * 下一步 on the demo city (scripts/demo-seed.ts, seeded Fri 2026-11-27), as the
 * proxy officer 王敏 sees it that day.
 */
useDemoCity();

const ctx = () => ctxAt("2026-11-27");

function user(login: string): Actor {
  return getDb().get<Actor>(sql`select id, role, department_id as departmentId, enterprise_id as enterpriseId from users where login = ${login}`)!;
}

function projectId(name: string): number {
  return getDb().get<{ id: number }>(sql`select id from projects where name = ${name}`)!.id;
}

/** As the project's own officer sees it (王敏 `proxy`; 李强 `proxy2` runs 半导体 and 光伏). */
const next = (name: string, login = "proxy") => loadProjectPage(ctx(), user(login), projectId(name), null).next;

describe("下一步 on the demo city", () => {
  it("project 1: 施工许可证 is on the list — next in line behind four running items, its materials to be asked for", () => {
    const permit = next("智能装备产业园一期").find((a) => a.key === "construction-permit");
    expect(permit).toMatchObject({ kind: "prepare", title: "建筑工程施工许可证（含质量安全监督手续）", action: { label: "一次性告知企业备齐材料", event: null } });
    // The 规划许可证 was issued on 11-02 (engineering-planning-permit 已办结): not asked for.
    expect(permit!.reason).toMatch(/^前置事项办理中（.*施工图设计文件联合审查.*），尚缺 7 项材料：/);
    expect(permit!.reason).not.toContain("建设工程规划许可证");
  });

  it("project 1: once its predecessors are done, 施工许可证 is ready and the step is to file it", () => {
    const id = projectId("智能装备产业园一期");
    for (const key of ["joint-drawing-review", "fire-design-review", "civil-defense-review", "contractor-selection"]) {
      recordItemEvent(ctx(), user("proxy"), id, key, { type: "approve", on: "2026-11-27" });
    }
    const permit = next("智能装备产业园一期").find((a) => a.key === "construction-permit")!;
    expect(permit).toMatchObject({ kind: "ready", tone: "blue" });
    expect(["submit", "accept"]).toContain(permit.action.event);
    expect(["申报", "受理"]).toContain(permit.action.label);
    expect(permit.reason).toMatch(/^前置事项已办结，尚缺 \d+ 项材料/);
  });

  it("the overdue 用地预审 comes first, with 催办; the joint meeting's task and the project's stall follow", () => {
    const list = next("新能源电池材料项目");
    expect(list[0]).toMatchObject({ kind: "overdue", key: "site-preapproval", tone: "red", action: { label: "催办" }, reason: expect.stringMatching(/^超期 3 个工作日/) });
    expect(list.find((a) => a.kind === "meetingTask")).toMatchObject({ title: "完成用地预审与选址意见书审查并出具意见", action: { label: "跟进落实" } });
    // Nothing has moved since the 预审 was filed on 11-02.
    expect(list.find((a) => a.kind === "stalled")).toMatchObject({ reason: "19 个工作日无进展（最近进展 2026-11-02）" });
  });

  it("the correction, the special procedure and the stalled project each with their step", () => {
    expect(next("半导体封装测试项目", "proxy2").find((a) => a.key === "eia-approval")).toMatchObject({ kind: "correction", action: { label: "补正收到", event: "receive_correction" } });
    expect(next("光伏组件智能制造项目", "proxy2").find((a) => a.key === "scheme-review")).toMatchObject({ kind: "waiting", action: { label: "特别程序结束", event: "end_special" } });
    expect(next("生物医药中试基地").find((a) => a.kind === "stalled")).toMatchObject({ tone: "red", action: { label: "记录代办日志" }, reason: "14 个工作日无进展（最近进展 2026-11-09）" });
  });

  it("a department clerk sees the same list, with the steps only their own department may record", () => {
    const id = projectId("光伏组件智能制造项目");
    const clerk = loadProjectPage(ctx(), user("dept"), id, null).next.find((a) => a.key === "scheme-review");
    expect(clerk).toMatchObject({ action: { label: "特别程序结束", event: "end_special" } }); // 自然资源 runs the 方案审查
    const other = loadProjectPage(ctx(), user("dept-zj"), id, null).next.find((a) => a.key === "scheme-review");
    expect(other).toMatchObject({ action: { label: "特别程序结束", event: null } });
    // Another project's officer may look but not act.
    expect(next("半导体封装测试项目").find((a) => a.key === "eia-approval")).toMatchObject({ action: { label: "补正收到", event: null } });
  });
});
