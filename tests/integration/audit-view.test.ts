import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeAudit, type AuditEntry } from "~/services/audit.server";
import { AUDIT_PAGE_SIZE, exportAuditLog, listAuditLog } from "~/services/audit-view.server";
import { AppError } from "~/services/errors.server";
import { getDb } from "~/utils/db.server";
import { ctxAt, insertProject, insertUser } from "../factories";

/*
 * The administrators' audit viewer over a real database: what a row shows, each
 * filter, paging, bad filter input, the export, and that the log cannot be changed.
 */

/** A Shanghai wall-clock instant, to the second. */
const instant = (date: string, time: string) => new Date(`${date}T${time.length === 5 ? `${time}:00` : time}+08:00`);
const write = (entry: AuditEntry, date: string, time: string) => writeAudit(getDb(), entry, instant(date, time));
const list = (query: string) => listAuditLog(ctxAt("2026-03-20"), admin, new URLSearchParams(query));
let admin: Awaited<ReturnType<typeof insertUser>>;

async function scene() {
  admin = await insertUser({ role: "admin", login: "root-admin" });
  const proxy = await insertUser({ role: "proxy", login: "wangfang" });
  const projectId = insertProject(proxy, { name: "城东污水处理厂（一期）" });
  // insertProject wrote its own project.create row on 2026-03-02.
  write({ actorUserId: null, action: "auth.signInFailed", entityType: "user", detail: { login: "wangfang", ip: "10.0.0.7" } }, "2026-03-09", "08:59");
  write({ actorUserId: proxy.id, action: "auth.signIn", entityType: "user", entityId: proxy.id, detail: { ip: "10.0.0.7" } }, "2026-03-09", "09:00");
  write({ actorUserId: proxy.id, action: "item.accept", entityType: "item", entityId: 31, projectId, detail: { on: "2026-03-09" } }, "2026-03-09", "23:59:59");
  write({ actorUserId: admin.id, action: "custom.thing", entityType: "spaceship", entityId: 4, detail: "plain text" }, "2026-03-10", "00:00");
  return { proxy, projectId };
}

const actions = (rows: { action: string }[]) => rows.map((r) => r.action);

describe("the audit log viewer", () => {
  it("lists rows newest first with time, actor, action, object, project and detail", async () => {
    const { proxy, projectId } = await scene();
    const page = list("");
    expect(page.errors).toEqual({});
    expect(actions(page.rows)).toEqual(["custom.thing", "item.accept", "auth.signIn", "auth.signInFailed", "project.create"]);
    const [custom, accept, signIn, failed] = page.rows;
    expect(accept).toMatchObject({
      time: "2026-03-09 23:59:59",
      actor: { id: proxy.id, login: "wangfang", displayName: "测试wangfang" },
      actionLabel: "事项：受理",
      entityLabel: "事项",
      entityId: 31,
      project: { id: projectId, name: "城东污水处理厂（一期）" },
      detail: { text: '{\n  "on": "2026-03-09"\n}', truncated: false },
    });
    expect(signIn).toMatchObject({ actionLabel: "登录成功", project: null });
    expect(failed).toMatchObject({ actor: null, actionLabel: "登录失败" });
    // Unknown action and object types are shown as stored, not dropped.
    expect(custom).toMatchObject({ actionLabel: "custom.thing", entityLabel: "spaceship", detail: { text: "plain text" } });
  });

  it("filters by Shanghai days, both ends included", async () => {
    await scene();
    expect(actions(list("from=2026-03-09&to=2026-03-09").rows)).toEqual(["item.accept", "auth.signIn", "auth.signInFailed"]);
    expect(actions(list("from=2026-03-10").rows)).toEqual(["custom.thing"]);
    expect(actions(list("to=2026-03-02").rows)).toEqual(["project.create"]);
  });

  it("filters by actor: a login in any case, part of a name, or 系统 for rows no person wrote", async () => {
    await scene();
    expect(actions(list("actor=WANGFANG").rows)).toEqual(["item.accept", "auth.signIn", "project.create"]);
    expect(actions(list("actor=%E6%B5%8B%E8%AF%95root").rows)).toEqual(["custom.thing"]); // 测试root
    expect(actions(list("actor=%E7%B3%BB%E7%BB%9F").rows)).toEqual(["auth.signInFailed"]); // 系统
    // A % typed by a person is a character, not a wildcard.
    expect(list("actor=%25").total).toBe(0);
  });

  it("filters by action, offering the actions present with Chinese labels and unknown ones raw", async () => {
    await scene();
    const page = list("action=auth.signIn");
    expect(actions(page.rows)).toEqual(["auth.signIn"]);
    expect(page.actionOptions).toContainEqual({ value: "auth.signInFailed", label: "登录失败" });
    expect(page.actionOptions).toContainEqual({ value: "item.accept", label: "事项：受理" });
    expect(page.actionOptions).toContainEqual({ value: "custom.thing", label: "custom.thing" });
    expect(page.entityOptions).toContainEqual({ value: "spaceship", label: "spaceship" });
    expect(list("action=never.written").total).toBe(0);
  });

  it("filters by object and by project (its number or part of its name)", async () => {
    const { proxy, projectId } = await scene();
    expect(actions(list(`entityType=user&entityId=${proxy.id}`).rows)).toEqual(["auth.signIn"]);
    expect(actions(list("entityType=user").rows)).toEqual(["auth.signIn", "auth.signInFailed"]);
    expect(actions(list(`project=${projectId}`).rows)).toEqual(["item.accept", "project.create"]);
    expect(actions(list(`project=${encodeURIComponent("污水处理")}`).rows)).toEqual(["item.accept", "project.create"]);
    expect(list(`project=${encodeURIComponent("不存在的项目")}`).total).toBe(0);
  });

  it("pages 100 rows at a time, and a page past the end shows the last one", async () => {
    admin = await insertUser({ role: "admin" });
    const db = getDb();
    db.transaction((tx) => {
      for (let i = 1; i <= 205; i++) writeAudit(tx, { actorUserId: admin.id, action: "api.call", entityType: "user", detail: { n: i } }, new Date(Date.UTC(2026, 2, 1) + i * 1_000));
    });
    const first = list("");
    expect({ total: first.total, page: first.page, rows: first.rows.length, pageSize: first.pageSize }).toEqual({ total: 205, page: 1, rows: AUDIT_PAGE_SIZE, pageSize: 100 });
    expect(first.rows[0].detail?.text).toContain('"n": 205');
    const third = list("page=3");
    expect(third.rows.map((r) => JSON.parse(r.detail!.text).n)).toEqual([5, 4, 3, 2, 1]);
    expect(list("page=9")).toMatchObject({ page: 3 });
  });

  it("answers bad filters with Chinese messages and no rows, never an exception", async () => {
    await scene();
    const page = list("from=2026-02-30&entityId=abc&action=%3Cscript%3E");
    expect(page.errors).toEqual({ from: "开始日期无效，应为 YYYY-MM-DD 格式的日期", entityId: "对象编号应为正整数", action: "操作类型无效" });
    expect(page.rows).toEqual([]);
    expect(page.values.action).toBe("<script>");
    expect(exportAuditLog(ctxAt("2026-03-20"), admin, new URLSearchParams("to=2026-13-01"))).toEqual({ ok: false, errors: { to: "结束日期无效，应为 YYYY-MM-DD 格式的日期" } });
  });

  it("is for administrators only", async () => {
    await scene();
    for (const role of ["proxy", "leader", "coordinator", "dept"] as const) {
      const someone = await insertUser({ role, department: role === "dept" ? "发改" : undefined });
      const attempt = () => listAuditLog(ctxAt("2026-03-20"), someone, new URLSearchParams());
      expect(attempt).toThrow(AppError);
      expect(attempt).toThrow("只有系统管理员可以查看审计日志");
      expect(() => exportAuditLog(ctxAt("2026-03-20"), someone, new URLSearchParams())).toThrow("只有系统管理员可以查看审计日志");
    }
  });

  it("keeps markup in details as text, cuts long details in the list, exports them whole with formulas defused", async () => {
    admin = await insertUser({ role: "admin" });
    const payload = `<img src=x onerror=alert(1)>${"长".repeat(3_000)}`;
    write({ actorUserId: admin.id, action: "project.update", entityType: "project", entityId: 1, detail: { name: payload } }, "2026-03-09", "10:00");
    write({ actorUserId: admin.id, action: "message.post", entityType: "project_message", entityId: 2, detail: "=HYPERLINK(\"http://evil\")" }, "2026-03-09", "11:00");
    const [formula, long] = list("").rows;
    expect(long.detail!.truncated).toBe(true);
    expect(long.detail!.text.startsWith('{\n  "name": "<img src=x onerror=alert(1)>')).toBe(true);
    expect([...long.detail!.text].length).toBe(1_200);
    expect(formula.detail).toEqual({ text: "=HYPERLINK(\"http://evil\")", truncated: false });

    const all = exportAuditLog(ctxAt("2026-03-20"), admin, new URLSearchParams(""));
    if (!all.ok) throw new Error("export refused");
    expect(all.rows).toBe(2);
    expect(all.csv.startsWith("\uFEFF时间（北京时间）,操作人账号")).toBe(true);
    expect(all.csv).toContain("长".repeat(3_000));
    expect(all.csv).toContain(`"'=HYPERLINK(""http://evil"")"`);
    const filtered = exportAuditLog(ctxAt("2026-03-20"), admin, new URLSearchParams("action=message.post"));
    expect(filtered.ok && filtered.csv.split("\r\n").filter(Boolean)).toHaveLength(2);
  });
});

describe("the audit log is append-only", () => {
  it("refuses UPDATE and DELETE in the database itself", async () => {
    admin = await insertUser({ role: "admin" });
    write({ actorUserId: admin.id, action: "user.create", entityType: "user", entityId: admin.id }, "2026-03-09", "10:00");
    // The driver itself, so the error seen is SQLite's (drizzle wraps it).
    const sqlite = getDb().$client;
    expect(() => sqlite.prepare("update audit_log set action = 'nothing.happened'").run()).toThrow("audit_log is append-only");
    expect(() => sqlite.prepare("delete from audit_log").run()).toThrow("audit_log is append-only");
    expect(sqlite.prepare("select action from audit_log").all()).toEqual([{ action: "user.create" }]);
  });

  it("has no code path that updates or deletes it", () => {
    const offenders: string[] = [];
    const patterns = [/\b(update|delete)\s*\(\s*auditLog\b/, /\bupdate\s+[`"]?audit_log\b/i, /\bdelete\s+from\s+[`"]?audit_log\b/i, /\bdrop\s+table\s+[`"]?audit_log\b/i];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.(ts|tsx|js|mjs)$/.test(name) && patterns.some((p) => p.test(readFileSync(path, "utf8")))) offenders.push(path);
      }
    };
    for (const dir of ["app", "jobs", "scripts", "db"]) walk(dir);
    expect(offenders).toEqual([]);
  });
});
