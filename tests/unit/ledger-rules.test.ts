import { describe, expect, it } from "vitest";
import { createWorkingCalendar, formatDay, officialCalendarData, toDay } from "~/domain/calendar";
import { creditCodeCheckChar } from "~/domain/enterprise/credit-code";
import { validateTemplate } from "~/domain/graph/template";
import { readDate, readNumber, splitNames } from "~/domain/ledger/cells";
import { LEDGER_CITY_ITEM_HEADERS, LEDGER_ITEM_HEADERS, LEDGER_PROJECT_HEADERS, locateHeaders, normalizeHeader, REQUIRED_PROJECT_HEADERS } from "~/domain/ledger/columns";
import { leaseExpired, leaseText, IMPORT_LEASE_MS, rowProblems } from "~/domain/ledger/job";
import { analyzeLedger, type ItemRowInput, type LedgerLookups, type ProjectRowInput } from "~/domain/ledger/rows";
import { ACCEPTED_STATUS_TEXT, ledgerItemEvents, readOutcome, type EventContext } from "~/domain/ledger/status";

const cal = createWorkingCalendar(officialCalendarData());
const D = toDay;
const TODAY = D("2026-06-01");

// filing (发改, promised 3 WD) → permit (住建, promised 5 WD) → 开工; a survey done by an intermediary.
const template = (() => {
  const r = validateTemplate(
    {
      key: "ledger-test",
      version: 2,
      name: "台账测试模板",
      items: [
        { key: "filing", name: "企业投资项目备案", kind: "approval", department: "发改", stage: 1, statutoryLimit: 5, promisedLimit: 3, materials: ["备案申请表"] },
        { key: "survey", name: "地质勘察", kind: "intermediary", stage: 1, plannedDuration: 10 },
        { key: "permit", name: "施工许可", kind: "approval", department: "住建", stage: 3, statutoryLimit: 7, promisedLimit: 5 },
        { key: "start", name: "开工", kind: "milestone", stage: 3 },
      ],
      dependencies: [
        { from: "filing", to: "permit" },
        { from: "survey", to: "permit" },
        { from: "permit", to: "start" },
      ],
    },
    { file: "test", departments: ["发改", "住建"] },
  );
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.template;
})();

const CREDIT = "91330100MA2H3K5L7" + creditCodeCheckChar("91330100MA2H3K5L7");
/** CREDIT with another check character. */
const BAD_CHECKSUM = CREDIT.slice(0, 17) + (CREDIT[17] === "0" ? "1" : "0");
const CREDIT2 = "91330100MA2J8P2N4" + creditCodeCheckChar("91330100MA2J8P2N4");

function lookups(over: Partial<LedgerLookups> = {}): LedgerLookups {
  return {
    today: TODAY,
    calendar: cal,
    templates: [
      { key: template.key, name: template.name, template },
      { key: "broken", name: "缺部门的模板", template: null, problem: "模板「broken」暂不能使用：items[0].department: 未知部门「人防」" },
    ],
    departments: [
      { code: "发改", name: "市发展和改革委员会", active: true },
      { code: "住建", name: "市住房和城乡建设局", active: true },
      { code: "审批局", name: "市行政审批服务局", active: true },
      { code: "人防", name: "市人民防空办公室", active: false },
    ],
    proxies: [
      { id: 7, login: "wangmin", displayName: "王敏" },
      { id: 8, login: "liqiang", displayName: "李强" },
      { id: 9, login: "liqiang2", displayName: "李强" },
    ],
    enterpriseNames: new Map([[CREDIT2, "江城新能源材料股份有限公司"]]),
    existingCodes: new Set(["2026-330100-34-03-000999"]),
    ...over,
  };
}

let rowNo = 1;
function projectRow(over: Partial<ProjectRowInput["values"]> = {}, row = ++rowNo): ProjectRowInput {
  return {
    row,
    values: {
      项目代码: `2026-330100-34-03-${String(100 + row).padStart(6, "0")}`,
      项目名称: "智能装备产业园一期",
      建设单位: "江城智能装备有限公司",
      统一社会信用代码: CREDIT,
      "投资额（万元）": 120000,
      所属行业: "装备制造",
      建设地点: "高新区科创大道 88 号",
      项目级别: "省重点",
      模板: "ledger-test",
      签约日期: new Date(Date.UTC(2026, 2, 2)),
      计划开工日期: "2026-09-30",
      代办员: "王敏",
      ...over,
    },
  };
}

function itemRow(code: string, over: Partial<ItemRowInput["values"]>, row: number): ItemRowInput {
  return { row, values: { 项目代码: code, ...over } };
}

/** The problems of the single project row in a one-row workbook. */
function problemsOf(over: Partial<ProjectRowInput["values"]>, lk = lookups()): string[] {
  const a = analyzeLedger([projectRow(over)], [], lk);
  expect(a.rows).toHaveLength(1);
  return a.rows[0].problems;
}

describe("ledger columns", () => {
  it("defines the city sheet's item columns as the project code followed by the per-project ones", () => {
    expect(LEDGER_CITY_ITEM_HEADERS).toEqual(["项目代码", ...LEDGER_ITEM_HEADERS]);
    expect(LEDGER_PROJECT_HEADERS.slice(0, 4)).toEqual(["项目代码", "项目名称", "建设单位", "统一社会信用代码"]);
  });

  it("finds headers whatever the spaces and parentheses, and names the missing required ones", () => {
    expect(normalizeHeader(" 投资额 (万元) ")).toBe("投资额（万元）");
    const { columns, missing } = locateHeaders(["项目 代码", "投资额(万元)", "模板"], LEDGER_PROJECT_HEADERS, REQUIRED_PROJECT_HEADERS);
    expect(columns.get("项目代码")).toBe(0);
    expect(columns.get("投资额（万元）")).toBe(1);
    expect(missing).toEqual(["项目名称", "建设单位", "统一社会信用代码", "签约日期", "计划开工日期"]);
  });
});

describe("ledger cells", () => {
  it("reads Excel dates, serial numbers and YYYY-MM-DD text as the day shown", () => {
    expect(readDate(new Date(Date.UTC(2026, 2, 2)), "签约日期")).toEqual({ ok: true, day: D("2026-03-02") });
    // 46083 is 2026-03-02 in Excel's serial days (a date cell that lost its format).
    expect(readDate(46083, "签约日期")).toEqual({ ok: true, day: D("2026-03-02") });
    expect(readDate(" 2026-03-02 ", "签约日期")).toEqual({ ok: true, day: D("2026-03-02") });
    expect(readDate(null, "签约日期")).toEqual({ ok: true, day: null });
  });

  it("refuses impossible and malformed dates, naming the column and the value", () => {
    expect(readDate("2026-02-30", "签约日期")).toEqual({ ok: false, message: "签约日期「2026-02-30」不是有效日期（应为 Excel 日期或 YYYY-MM-DD 文本）" });
    expect(readDate("2026年3月2日", "受理日期")).toMatchObject({ ok: false, message: expect.stringContaining("受理日期「2026年3月2日」不是有效日期") });
    expect(readDate("1999-12-31", "签约日期")).toEqual({ ok: false, message: "签约日期「1999-12-31」超出支持的年份范围（2000–2100）" });
  });

  it("reads numbers written with thousands separators, and lists separated by 、 or commas", () => {
    expect(readNumber("1,200.5", "投资额（万元）")).toEqual({ ok: true, value: 1200.5 });
    expect(readNumber("一千", "投资额（万元）")).toEqual({ ok: false, message: "投资额（万元）「一千」不是有效数字" });
    expect(splitNames("王敏、李强, liqiang2，")).toEqual(["王敏", "李强", "liqiang2"]);
  });
});

describe("ledger status → clock events", () => {
  const ctx: EventContext = { kind: "approval", today: TODAY, waiveFallback: D("2026-03-02") };
  const ev = (status: string | null, acceptedOn: string | null = null, decidedOn: string | null = null, c = ctx) => ledgerItemEvents({ status, acceptedOn, decidedOn }, c);
  const on = (r: ReturnType<typeof ev>) => (r.ok ? r.events.map((e) => [e.type, formatDay(e.on)]) : r.problems);

  it("maps the clock's own labels and the usual synonyms", () => {
    expect(on(ev(null))).toEqual([]);
    for (const s of ["待办理", "待办", "未开始"]) expect(on(ev(s))).toEqual([]);
    for (const s of ["办理中", "已受理"]) expect(on(ev(s, "2026-03-02"))).toEqual([["accept", "2026-03-02"]]);
    for (const s of ["已办结", "已批准", "已完成"]) expect(on(ev(s, "2026-03-02", "2026-03-04"))).toEqual([["accept", "2026-03-02"], ["approve", "2026-03-04"]]);
    expect(on(ev("不予许可", "2026-03-02", "2026-03-04"))).toEqual([["accept", "2026-03-02"], ["reject", "2026-03-04"]]);
    expect(on(ev("已撤回", "2026-03-02", "2026-03-04"))).toEqual([["accept", "2026-03-02"], ["withdraw", "2026-03-04"]]);
    for (const s of ["免办", "豁免"]) expect(on(ev(s, null, "2026-03-05"))).toEqual([["waive", "2026-03-05"]]);
    // 免办 without a date is recorded on the signing day.
    expect(on(ev("免办"))).toEqual([["waive", "2026-03-02"]]);
  });

  it("completes a milestone on its 办结日期 only (已完成 as the clock labels it)", () => {
    const m: EventContext = { ...ctx, kind: "milestone" };
    expect(on(ev("已完成", null, "2026-05-06", m))).toEqual([["approve", "2026-05-06"]]);
    expect(on(ev("已办结", "2026-05-01", "2026-05-06", m))).toEqual([["approve", "2026-05-06"]]);
    expect(on(ev("办理中", "2026-05-01", null, m))).toEqual(["里程碑节点没有「办理中」状态：已完成请填「已完成」并填写办结日期"]);
    expect(on(ev("不予许可", "2026-05-01", "2026-05-06", m))).toEqual(["里程碑节点不能为「不予许可」"]);
  });

  it("names each missing or contradictory date", () => {
    expect(on(ev("办理中"))).toEqual(["状态为「办理中」时须填写受理日期"]);
    expect(on(ev("办理中", "2026-03-02", "2026-03-04"))).toEqual(["状态为「办理中」时不应填写办结日期（2026-03-04）"]);
    expect(on(ev("已办结", "2026-03-02"))).toEqual(["状态为「已办结」时须填写办结日期"]);
    expect(on(ev("已办结", null, "2026-03-04"))).toEqual(["状态为「已办结」时须填写受理日期"]);
    expect(on(ev(null, "2026-03-02"))).toEqual(["状态为「待办理」时不应填写受理日期（2026-03-02）"]);
    expect(on(ev("免办", "2026-03-02", "2026-03-04"))).toEqual(["状态为「免办」时不应填写受理日期（2026-03-02）"]);
    expect(on(ev("已办结", "2026-03-05", "2026-03-04"))).toEqual(["受理日期（2026-03-05）晚于办结日期（2026-03-04）"]);
    expect(on(ev("已办结", "2026-03-02", "2026-06-02"))).toEqual(["办结日期（2026-06-02）晚于今天（2026-06-01）"]);
    expect(on(ev("办理中", "2026-02-30"))).toEqual(["受理日期「2026-02-30」不是有效日期（应为 Excel 日期或 YYYY-MM-DD 文本）"]);
  });

  it("refuses a label it does not know, listing the accepted ones", () => {
    expect(readOutcome("进行中")).toEqual({ ok: false, message: `状态「进行中」无法识别，可填：${ACCEPTED_STATUS_TEXT}` });
    expect(ACCEPTED_STATUS_TEXT).toBe("待办理（或留空）、办理中/已受理、已办结/已完成/已批准、不予许可、免办/豁免、已撤回");
  });

  it("refuses the clock's states whose dates a ledger does not hold, saying what to do", () => {
    expect(readOutcome("补正中")).toMatchObject({ ok: false, message: expect.stringContaining("台账没有补正开始日期") });
    expect(readOutcome("待受理")).toMatchObject({ ok: false, message: expect.stringContaining("台账没有申报日期") });
    expect(readOutcome("特别程序")).toMatchObject({ ok: false });
    expect(readOutcome("中止")).toMatchObject({ ok: false });
  });
});

describe("ledger rows", () => {
  it("plans a valid row: fields, proxies, item departments and the clock state each event leaves", () => {
    const p = projectRow({}, 2);
    const code = String(p.values["项目代码"]);
    const a = analyzeLedger(
      [p],
      [
        itemRow(code, { 事项: "企业投资项目备案", 状态: "已办结", 受理日期: "2026-03-02", 办结日期: "2026-03-04" }, 2),
        itemRow(code, { 事项: "permit", 部门: "审批局", 状态: "办理中", 受理日期: new Date(Date.UTC(2026, 4, 11)) }, 3),
        itemRow(code, { 事项: "地质勘察", 部门: "", 状态: "待办理" }, 4),
      ],
      lookups(),
    );
    expect(a.counts).toEqual({ create: 1, skip_existing: 0, invalid: 0 });
    expect(a.rows[0]).toMatchObject({ row: 2, code, template: "台账测试模板", problems: [], itemProblems: [], items: 2, action: "create" });
    const plan = a.plans.get(2)!;
    expect(plan).toMatchObject({ code, level: "province", investment: 120000, signedOn: "2026-03-02", targetStartOn: "2026-09-30", proxyIds: [7] });
    expect(plan.enterprise).toEqual({ name: "江城智能装备有限公司", creditCode: CREDIT });
    const [filing, permit, survey] = plan.items;
    expect(filing).toMatchObject({ key: "filing", departmentCode: undefined, outcome: "approved" });
    expect(filing.state.status).toBe("approved");
    // Accepted Mon 03-02 with a promised limit of 3 working days: due Thu 03-05, the clock's own count.
    expect(formatDay(filing.state.dueOn!)).toBe("2026-03-05");
    expect(formatDay(filing.state.decidedOn!)).toBe("2026-03-04");
    // 审批局 instead of the template's 住建: the item is given to 审批局.
    expect(permit).toMatchObject({ key: "permit", departmentCode: "审批局", outcome: "running" });
    expect(formatDay(permit.state.dueOn!)).toBe("2026-05-18");
    expect(survey).toMatchObject({ key: "survey", outcome: "pending", events: [] });
  });

  it("gives each bad field of a project row its own message", () => {
    expect(problemsOf({ 项目代码: "" })).toEqual(["缺少项目代码"]);
    expect(problemsOf({ 项目代码: "2026-3301-34-03-1" })).toEqual([
      "项目代码格式应为 年份-6 位行政区划-2 位行业-2 位类型-6 位序号，例如 2026-330100-34-03-000123（2026-3301-34-03-1）",
    ]);
    expect(problemsOf({ 项目名称: "园" })).toEqual(["项目名称至少 2 个字"]);
    expect(problemsOf({ 建设单位: null })).toEqual(["缺少建设单位"]);
    expect(problemsOf({ 统一社会信用代码: BAD_CHECKSUM })).toEqual([`统一社会信用代码校验位不正确，请核对（${BAD_CHECKSUM}）`]);
    expect(problemsOf({ 统一社会信用代码: "91330100MA2H3K5L" })).toEqual(["统一社会信用代码应为 18 位（91330100MA2H3K5L）"]);
    expect(problemsOf({ 统一社会信用代码: "91330100MA2H3K5LO1" })).toEqual(["统一社会信用代码含有无效字符（不使用 I、O、Z、S、V）（91330100MA2H3K5LO1）"]);
    expect(problemsOf({ 统一社会信用代码: CREDIT2 })).toEqual([`统一社会信用代码 ${CREDIT2} 已登记为「江城新能源材料股份有限公司」，与建设单位「江城智能装备有限公司」不一致`]);
    expect(problemsOf({ "投资额（万元）": -5 })).toEqual(["投资额（万元）不能为负"]);
    expect(problemsOf({ 项目级别: "国家重点" })).toEqual(["项目级别「国家重点」无法识别，可填：省重点、市重点、县重点"]);
    expect(problemsOf({ 模板: "unknown-template" })).toEqual(["未知模板「unknown-template」，可填：ledger-test（台账测试模板）、broken（缺部门的模板）"]);
    expect(problemsOf({ 模板: "缺部门的模板" })).toEqual(["模板「broken」暂不能使用：items[0].department: 未知部门「人防」"]);
    expect(problemsOf({ 签约日期: "2026-02-30" })).toEqual(["签约日期「2026-02-30」不是有效日期（应为 Excel 日期或 YYYY-MM-DD 文本）"]);
    expect(problemsOf({ 计划开工日期: null })).toEqual(["缺少计划开工日期"]);
    expect(problemsOf({ 计划开工日期: "2026-03-01" })).toEqual(["计划开工日期（2026-03-01）不能早于签约日期（2026-03-02）"]);
    expect(problemsOf({ 代办员: "张三" })).toEqual(["代办员「张三」不是系统中启用的代办员（请填写登录名或姓名）"]);
    expect(problemsOf({ 代办员: "李强" })).toEqual(["姓名「李强」对应多名代办员，请改填登录名（liqiang、liqiang2）"]);
    expect(problemsOf({ 代办员: "liqiang2, 王敏" })).toEqual([]);
  });

  it("accepts the template by its Chinese name, the level by its key, and blank optional fields", () => {
    const a = analyzeLedger([projectRow({ 模板: "台账测试模板", 项目级别: null, "投资额（万元）": null, 代办员: null, 所属行业: null })], null, lookups());
    expect(a.rows[0].problems).toEqual([]);
    expect(a.plans.get(a.rows[0].row)).toMatchObject({ level: "city", investment: 0, proxyIds: [], industry: "" });
  });

  it("refuses every copy of a code that appears twice, and one credit code under two names", () => {
    const a = analyzeLedger(
      [projectRow({ 项目代码: "2026-330100-34-03-000001" }, 2), projectRow({ 项目代码: "2026-330100-34-03-000001", 统一社会信用代码: CREDIT, 建设单位: "另一家公司" }, 3)],
      [],
      lookups(),
    );
    expect(a.rows.map((r) => r.action)).toEqual(["invalid", "invalid"]);
    expect(a.rows[0].problems).toEqual(["项目代码「2026-330100-34-03-000001」在第 3 行重复出现"]);
    expect(a.rows[1].problems).toEqual([
      "项目代码「2026-330100-34-03-000001」在第 2 行重复出现",
      `统一社会信用代码 ${CREDIT} 在第 2 行的建设单位为「江城智能装备有限公司」，与本行「另一家公司」不一致`,
    ]);
  });

  it("skips a code already in the database, whatever else the row says", () => {
    const a = analyzeLedger([projectRow({ 项目代码: "2026-330100-34-03-000999", 模板: "nope" })], [], lookups());
    expect(a.rows[0].action).toBe("skip_existing");
    expect(a.counts).toEqual({ create: 0, skip_existing: 1, invalid: 0 });
  });

  it("puts each item row's problem on that row, and makes the project invalid", () => {
    const p = projectRow({}, 2);
    const code = String(p.values["项目代码"]);
    const a = analyzeLedger(
      [p],
      [
        itemRow(code, { 事项: "环评审批", 状态: "办理中", 受理日期: "2026-03-02" }, 2),
        itemRow(code, { 事项: "filing", 部门: "交通局", 状态: "办理中", 受理日期: "2026-03-02" }, 3),
        itemRow(code, { 事项: "permit", 部门: "人防", 状态: "办理中", 受理日期: "2026-03-02" }, 4),
        itemRow(code, { 事项: "企业投资项目备案", 状态: "办理中", 受理日期: "2026-03-03" }, 5),
        itemRow(code, { 事项: "开工", 状态: "办理中", 受理日期: "2026-03-03" }, 6),
        itemRow(code, { 事项: "地质勘察", 状态: "已办结", 受理日期: "2026-13-01", 办结日期: "2026-03-05" }, 7),
        itemRow("2026-330100-34-03-777777", { 事项: "filing", 状态: "办理中" }, 8),
        itemRow("", { 事项: "filing" }, 9),
      ],
      lookups(),
    );
    expect(a.rows[0].action).toBe("invalid");
    expect(a.rows[0].problems).toEqual([]);
    expect(a.rows[0].itemProblems).toEqual([
      { row: 2, item: "环评审批", problems: ["模板「台账测试模板」中没有事项「环评审批」"] },
      { row: 3, item: "filing", problems: ["未知部门「交通局」（请填写系统中的部门名称或简称）"] },
      { row: 4, item: "permit", problems: ["部门「人防」已停用，不能分配新的事项"] },
      { row: 5, item: "企业投资项目备案", problems: ["与第 3 行是同一事项"] },
      { row: 6, item: "开工", problems: ["里程碑节点没有「办理中」状态：已完成请填「已完成」并填写办结日期"] },
      { row: 7, item: "地质勘察", problems: ["受理日期「2026-13-01」不是有效日期（应为 Excel 日期或 YYYY-MM-DD 文本）"] },
    ]);
    expect(a.orphanItems).toEqual([
      { row: 8, code: "2026-330100-34-03-777777", item: "filing", problems: ["项目台账中没有项目代码「2026-330100-34-03-777777」"] },
      { row: 9, code: "", item: "filing", problems: ["缺少项目代码"] },
    ]);
    expect(a.plans.size).toBe(0);
    expect(rowProblems(a.rows[0])[0]).toBe("审批事项第 2 行（环评审批）：模板「台账测试模板」中没有事项「环评审批」");
  });

  it("reads full-width digits in a code as the platform's code, on both sheets", () => {
    const p = projectRow({ 项目代码: "２０２６－330100-34-03-000321" }, 2);
    const a = analyzeLedger([p], [itemRow("2026-330100-34-03-000321", { 事项: "filing", 状态: "办理中", 受理日期: "2026-03-02" }, 2)], lookups());
    expect(a.rows[0]).toMatchObject({ code: "2026-330100-34-03-000321", action: "create", items: 1 });
  });
});

describe("the import lease", () => {
  it("expires after IMPORT_LEASE_MS without progress, and a missing lease counts as expired", () => {
    const text = leaseText({ owner: "a", at: 1_000 });
    expect(leaseExpired(text, 1_000 + IMPORT_LEASE_MS)).toBe(false);
    expect(leaseExpired(text, 1_001 + IMPORT_LEASE_MS)).toBe(true);
    expect(leaseExpired(null, 0)).toBe(true);
    expect(leaseExpired('{"created":[]}', 0)).toBe(true);
  });
});
