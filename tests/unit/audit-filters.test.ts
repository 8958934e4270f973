import { describe, expect, it } from "vitest";
import { auditFilterQuery, auditTimeRange, parseAuditFilters } from "~/domain/audit/filters";
import { auditActionLabel, auditEntityLabel } from "~/domain/audit/labels";
import { auditTime, csvField, formatAuditDetail, toCsv } from "~/domain/audit/present";

const parse = (q: string) => parseAuditFilters(new URLSearchParams(q));

describe("audit viewer filters", () => {
  it("reads every filter, trimmed, with page 1 by default", () => {
    const p = parse("from=2026-03-01&to=2026-03-31&actor=+Admin+&action=auth.signInFailed&entityType=project&entityId=12&project=7&unknown=x");
    expect(p.errors).toEqual({});
    expect(p.filter).toEqual({
      from: "2026-03-01",
      to: "2026-03-31",
      actor: "Admin",
      action: "auth.signInFailed",
      entityType: "project",
      entityId: 12,
      project: { id: 7 },
      page: 1,
    });
  });

  it("takes a project filter that is not a number as part of its name", () => {
    expect(parse("project=%E6%B5%8B%E8%AF%95%25_").filter.project).toEqual({ name: "测试%_" });
  });

  it("drops zero-width and direction characters pasted along with a name", () => {
    expect(parse("actor=%E2%80%8Bzhang%E2%80%AE").filter.actor).toBe("zhang");
  });

  it.each([
    ["from=2026-02-30", { from: "开始日期无效，应为 YYYY-MM-DD 格式的日期" }],
    ["to=2026%2F03%2F01", { to: "结束日期无效，应为 YYYY-MM-DD 格式的日期" }],
    ["from=2026-03-10&to=2026-03-09", { to: "结束日期不能早于开始日期" }],
    [`actor=${"长".repeat(65)}`, { actor: "操作人过长（最多 64 个字符）" }],
    ["action=drop%20table", { action: "操作类型无效" }],
    ["action=%3Cscript%3E", { action: "操作类型无效" }],
    ["entityType=Project;", { entityType: "对象类型无效" }],
    ["entityId=-3", { entityId: "对象编号应为正整数" }],
    ["entityId=1.5", { entityId: "对象编号应为正整数" }],
    ["project=99999999999999999999", { project: "项目编号无效" }],
    [`project=${"项".repeat(101)}`, { project: "项目名称过长（最多 100 个字符）" }],
  ])("refuses %s with a Chinese message naming the field", (q, errors) => {
    expect(parse(q).errors).toEqual(errors);
  });

  it("echoes what was typed, valid or not, for the form", () => {
    expect(parse("from=2026-02-30&actor=li").values).toMatchObject({ from: "2026-02-30", actor: "li", to: "" });
  });

  it("treats an odd page number as page 1 (only the pager writes it)", () => {
    expect(parse("page=abc").filter.page).toBe(1);
    expect(parse("page=0").filter.page).toBe(1);
    expect(parse("page=3").filter.page).toBe(3);
  });

  it("covers whole Shanghai days, midnight to midnight", () => {
    expect(auditTimeRange({ from: "2026-03-09", to: "2026-03-09" })).toEqual({ fromMs: Date.UTC(2026, 2, 8, 16), toMs: Date.UTC(2026, 2, 9, 16) });
    expect(auditTimeRange({ from: null, to: null })).toEqual({ fromMs: null, toMs: null });
  });

  it("writes the filters back as a query, leaving empty ones out", () => {
    expect(auditFilterQuery({ from: "2026-03-01", actor: "", action: "api.call" }, { page: 2 })).toBe("from=2026-03-01&action=api.call&page=2");
  });
});

describe("audit rows as people read them", () => {
  it("labels known actions and objects in Chinese and shows unknown ones raw", () => {
    expect(auditActionLabel("auth.signIn")).toBe("登录成功");
    expect(auditActionLabel("auth.signInFailed")).toBe("登录失败");
    expect(auditActionLabel("access.denied")).toBe("拒绝访问");
    expect(auditActionLabel("item.request_correction")).toBe("事项：要求补正");
    expect(auditActionLabel("escalation.supervise")).toBe("发出督办");
    expect(auditActionLabel("item.teleport")).toBe("item.teleport");
    expect(auditEntityLabel("action_item")).toBe("任务");
    expect(auditEntityLabel("spaceship")).toBe("spaceship");
  });

  it("shows times in Shanghai to the second", () => {
    expect(auditTime(Date.UTC(2026, 2, 9, 15, 59, 59))).toBe("2026-03-09 23:59:59");
  });

  it("pretty-prints JSON details, keeps other text as is, and cuts long ones", () => {
    expect(formatAuditDetail('{"login":"a","n":[1]}')).toEqual({ text: '{\n  "login": "a",\n  "n": [\n    1\n  ]\n}', truncated: false });
    expect(formatAuditDetail("<img src=x onerror=alert(1)>")).toEqual({ text: "<img src=x onerror=alert(1)>", truncated: false });
    expect(formatAuditDetail(JSON.stringify("长".repeat(50)), 10)).toEqual({ text: "长".repeat(10), truncated: true });
    expect(formatAuditDetail(JSON.stringify({ note: "长".repeat(50) }), 10)).toEqual({ text: '{\n  "note"', truncated: true });
    expect(formatAuditDetail(null)).toBeNull();
  });

  it("defuses spreadsheet formulas and quotes CSV fields", () => {
    expect(csvField("=HYPERLINK(\"http://x\")")).toBe("\"'=HYPERLINK(\"\"http://x\"\")\"");
    expect(csvField("-1+2")).toBe("\"'-1+2\"");
    expect(csvField(-3)).toBe("-3");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField("第一行\n第二行")).toBe('"第一行\n第二行"');
    expect(toCsv([["a", 1], [null, "b"]])).toBe("\uFEFFa,1\r\n,b\r\n");
  });
});
