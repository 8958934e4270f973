/**
 * Excel import of a 代办台账 (issue 10): preview in the web request, the import in
 * the worker (started here as the other worker tests do, on the real Redis with this
 * test's own queue prefix), idempotency, and the city-wide export read back into a
 * fresh database. Every workbook is built in the test with exceljs.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { and, asc, eq, sql } from "drizzle-orm";
import ExcelJS from "exceljs";
import { afterEach, describe, expect, it } from "vitest";
import { auditLog, clockEvents, departments, enterprises, escalations, importJobs, items, projectProxies, projects } from "../../db/schema";
import { toDay } from "~/domain/calendar";
import { LEDGER_CITY_ITEM_HEADERS, LEDGER_PROJECT_HEADERS } from "~/domain/ledger/columns";
import { leaseText } from "~/domain/ledger/job";
import { AppError } from "~/services/errors.server";
import { recordItemEvent } from "~/services/items.server";
import { confirmLedgerImport, getLedgerImport, IMPORT_EVENT_NOTE, ledgerImportProgress, previewLedgerImport, runLedgerImport } from "~/services/ledger-import.server";
import { exportCityLedgerFile } from "~/services/ledger.server";
import { loadProject } from "~/services/project-aggregate.server";
import { getCalendar } from "~/services/time-rules.server";
import { loadConfig } from "~/utils/config.server";
import { getDb } from "~/utils/db.server";
import { action as loginAction } from "~/routes/login";
import { action as uploadAction } from "~/routes/_app.admin.import._index";
import { action as confirmAction } from "~/routes/_app.admin.import.$jobId";
import { loader as statusLoader } from "~/routes/admin.import.$jobId.status";
import { loader as cityLedgerLoader } from "~/routes/projects.ledger[.xlsx]";
import { getQueue, importJobId } from "../../jobs/queues";
import { startWorker, type WorkerHandle } from "../../jobs/worker-core";
import { creditCode, ctxAt, insertEnterprise, insertProject, insertUser, receiveMaterials, shanghai, TEST_PASSWORD, uniqueCredit17, type TestUser } from "../factories";
import { freshDatabase } from "../setup/db";
import { waitFor } from "./reliability-helpers";

const TODAY = "2026-06-01";
const db = () => getDb();
const ctx = () => ctxAt(TODAY);
const clock = () => shanghai(TODAY, "10:00");

type Cells = Record<string, ExcelJS.CellValue>;

/** A workbook with the given sheets, each a header row and its data rows. */
async function xlsx(sheets: Record<string, { headers: readonly string[]; rows: Cells[] }>): Promise<Uint8Array<ArrayBuffer>> {
  const wb = new ExcelJS.Workbook();
  for (const [name, s] of Object.entries(sheets)) {
    const ws = wb.addWorksheet(name);
    ws.addRow([...s.headers]);
    for (const r of s.rows) ws.addRow(s.headers.map((h) => r[h] ?? null));
  }
  return new Uint8Array(await wb.xlsx.writeBuffer()) as Uint8Array<ArrayBuffer>;
}

const ledger = (projectRows: Cells[], itemRows: Cells[]) =>
  xlsx({ 项目台账: { headers: LEDGER_PROJECT_HEADERS, rows: projectRows }, 审批事项: { headers: LEDGER_CITY_ITEM_HEADERS, rows: itemRows } });

/** An Excel date cell for a business date, as Excel itself stores one (UTC midnight of the day). */
const xday = (d: string) => new Date(`${d}T00:00:00Z`);

let seq = 0;
function projectCells(over: Cells = {}): Cells {
  const n = ++seq;
  return {
    项目代码: `2026-330100-34-03-${String(500 + n).padStart(6, "0")}`,
    项目名称: `台账导入项目${n}`,
    建设单位: `台账导入企业${n}有限公司`,
    统一社会信用代码: creditCode(uniqueCredit17()),
    "投资额（万元）": 1000 * n,
    所属行业: "装备制造",
    建设地点: `高新区 ${n} 号`,
    项目级别: "市重点",
    模板: "general-industrial",
    签约日期: xday("2026-03-02"),
    计划开工日期: "2026-12-31",
    ...over,
  };
}

interface World {
  admin: TestUser;
  proxy: TestUser;
  codes: { a: string; b: string; c: string; d: string };
  bytes: Uint8Array;
  badCredit: string;
}

/**
 * Seven project rows: A and B are good (A with a department reassigned, B started);
 * then an unknown template, an impossible date, a bad credit code, an item with an
 * unknown department (C) and an unknown item (D).
 */
async function world(): Promise<World> {
  const admin = await insertUser({ role: "admin" });
  const proxy = await insertUser({ role: "proxy" });
  const good = creditCode(uniqueCredit17());
  const badCredit = good.slice(0, 17) + (good[17] === "0" ? "1" : "0");
  const a = projectCells({ 项目级别: "省重点", 代办员: proxy.login });
  const b = projectCells({ 模板: "标准地工业项目（承诺制，拿地即开工）", 代办员: `测试${proxy.login}`, 签约日期: "2026-03-09", 计划开工日期: xday("2026-06-30") });
  const unknownTemplate = projectCells({ 模板: "no-such-template" });
  const badDate = projectCells({ 签约日期: "2026-02-30" });
  const badCode = projectCells({ 统一社会信用代码: badCredit });
  const c = projectCells();
  const d = projectCells();
  const code = (r: Cells) => String(r["项目代码"]);
  const bytes = await ledger(
    [a, b, unknownTemplate, badDate, badCode, c, d],
    [
      { 项目代码: code(a), 阶段: "1 立项用地规划许可", 事项: "企业投资项目备案", 部门: "市发展和改革委员会", 状态: "已办结", 受理日期: xday("2026-03-02"), 办结日期: "2026-03-03" },
      { 项目代码: code(a), 事项: "land-contract", 状态: "办理中", 受理日期: "2026-03-04" },
      { 项目代码: code(a), 事项: "建设项目环境影响报告表审批", 部门: "市行政审批服务局", 状态: "办理中", 受理日期: xday("2026-05-06") },
      { 项目代码: code(a), 事项: "开工", 状态: "待办理" },
      { 项目代码: code(b), 事项: "企业投资项目备案", 状态: "已办结", 受理日期: "2026-03-10", 办结日期: "2026-03-10" },
      { 项目代码: code(b), 事项: "节能审查（区域能评＋承诺备案）", 状态: "免办" },
      { 项目代码: code(b), 事项: "开工", 状态: "已完成", 办结日期: "2026-05-20" },
      { 项目代码: code(c), 事项: "企业投资项目备案", 部门: "交通运输局", 状态: "办理中", 受理日期: "2026-03-02" },
      { 项目代码: code(d), 事项: "环评审批（不存在）", 状态: "办理中", 受理日期: "2026-03-02" },
    ],
  );
  return { admin, proxy, codes: { a: code(a), b: code(b), c: code(c), d: code(d) }, bytes, badCredit };
}

const handles: WorkerHandle[] = [];
afterEach(async () => {
  for (const h of handles.splice(0)) await h.close();
});

async function worker(): Promise<WorkerHandle> {
  const h = await startWorker({ clock, sweepEveryMs: 60_000, log: () => {} });
  handles.push(h);
  return h;
}

async function untilFinished(id: number) {
  return waitFor(`import ${id} to finish`, () => {
    const job = db().select().from(importJobs).where(eq(importJobs.id, id)).get()!;
    return job.status === "done" || job.status === "failed" ? job : null;
  }, 20_000, 50);
}

const projectByCode = (code: string) => db().select().from(projects).where(eq(projects.code, code)).get();

function itemOf(projectId: number, key: string) {
  return db().select().from(items).where(and(eq(items.projectId, projectId), eq(items.key, key))).get()!;
}

function eventsOf(itemId: number) {
  return db().select().from(clockEvents).where(eq(clockEvents.itemId, itemId)).orderBy(asc(clockEvents.id)).all();
}

const count = (table: string) => db().get<{ n: number }>(sql.raw(`select count(*) as n from ${table}`)).n;

describe("ledger import: preview", () => {
  it("shows each problem on its row and writes nothing but the job and its stored file", async () => {
    const w = await world();
    const { id } = await previewLedgerImport(ctx(), w.admin, { name: "江城代办台账.xlsx", bytes: w.bytes });
    const job = getLedgerImport(ctx(), w.admin, id);
    expect(job).toMatchObject({ status: "previewed", statusLabel: "待确认", total: 7, processed: 0, fileName: "江城代办台账.xlsx" });
    expect(job.preview.counts).toEqual({ create: 2, skip_existing: 0, invalid: 5 });
    const byRow = new Map(job.preview.rows.map((r) => [r.row, r]));
    expect(byRow.get(2)).toMatchObject({ code: w.codes.a, template: "一般社会投资工业项目（备案类）", action: "create", items: 3, problems: [], itemProblems: [] });
    expect(byRow.get(3)).toMatchObject({ code: w.codes.b, template: "标准地工业项目（承诺制，拿地即开工）", action: "create", items: 3 });
    expect(byRow.get(4)!.action).toBe("invalid");
    expect(byRow.get(4)!.problems).toEqual([expect.stringMatching(/^未知模板「no-such-template」，可填：.*general-industrial（一般社会投资工业项目（备案类））/)]);
    expect(byRow.get(5)!.problems).toEqual(["签约日期「2026-02-30」不是有效日期（应为 Excel 日期或 YYYY-MM-DD 文本）"]);
    expect(byRow.get(6)!.problems).toEqual([`统一社会信用代码校验位不正确，请核对（${w.badCredit}）`]);
    // Item problems carry their row of sheet 审批事项.
    expect(byRow.get(7)).toMatchObject({ action: "invalid", problems: [], itemProblems: [{ row: 9, item: "企业投资项目备案", problems: ["未知部门「交通运输局」（请填写系统中的部门名称或简称）"] }] });
    expect(byRow.get(8)).toMatchObject({
      action: "invalid",
      problems: [],
      itemProblems: [{ row: 10, item: "环评审批（不存在）", problems: ["模板「一般社会投资工业项目（备案类）」中没有事项「环评审批（不存在）」"] }],
    });

    expect(count("projects")).toBe(0);
    expect(count("enterprises")).toBe(0);
    const row = db().select().from(importJobs).where(eq(importJobs.id, id)).get()!;
    expect(row.createdByUserId).toBe(w.admin.id);
    expect(existsSync(join(loadConfig().uploadDir, "imports", row.sha256.slice(0, 2), row.sha256))).toBe(true);
  });

  it("refuses a file that is not the documented workbook with a 422 naming what is missing, writing nothing", async () => {
    const admin = await insertUser({ role: "admin" });
    const refuse = async (name: string, bytes: Uint8Array) => {
      try {
        await previewLedgerImport(ctx(), admin, { name, bytes });
      } catch (e) {
        expect(e).toBeInstanceOf(AppError);
        expect((e as AppError).status).toBe(422);
        return (e as AppError).message;
      }
      throw new Error("accepted");
    };
    const zipButNotExcel = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5]);
    expect(await refuse("台账.xlsx", zipButNotExcel)).toBe("文件内容不是 Excel 工作簿（.xlsx），请确认没有只改扩展名");
    expect(await refuse("台账.xlsx", new TextEncoder().encode("项目代码,项目名称\n"))).toBe("文件内容不是 Excel 工作簿（.xlsx），请确认没有只改扩展名");
    expect(await refuse("台账.xls", await ledger([projectCells()], []))).toBe("只能导入 Excel 工作簿（.xlsx）；.xls 请先另存为 .xlsx");
    expect(await refuse("台账.xlsx", await xlsx({ Sheet1: { headers: ["项目代码"], rows: [] } }))).toBe("工作簿中没有「项目台账」工作表（现有工作表：「Sheet1」）");
    const missing = await xlsx({ 项目台账: { headers: ["项目代码", "项目名称", "模板"], rows: [{ 项目代码: "x" }] } });
    expect(await refuse("台账.xlsx", missing)).toBe("「项目台账」工作表缺少列：建设单位、统一社会信用代码、签约日期、计划开工日期（表头应在前 5 行内）");
    const itemHeaders = await xlsx({ 项目台账: { headers: LEDGER_PROJECT_HEADERS, rows: [projectCells()] }, 审批事项: { headers: ["项目代码", "事项"], rows: [] } });
    expect(await refuse("台账.xlsx", itemHeaders)).toBe("「审批事项」工作表缺少列：状态（表头应在前 5 行内）");
    expect(count("import_jobs")).toBe(0);
    expect(count("projects")).toBe(0);
  });

  it("finds the headers below a title line, and counts rows as Excel shows them", async () => {
    const admin = await insertUser({ role: "admin" });
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("项目台账");
    ws.addRow(["2026 年重点项目代办台账"]);
    ws.addRow([]);
    ws.addRow([...LEDGER_PROJECT_HEADERS]);
    const cells = projectCells({ 签约日期: "2026-02-30" });
    ws.addRow(LEDGER_PROJECT_HEADERS.map((h) => cells[h] ?? null));
    const { id } = await previewLedgerImport(ctx(), admin, { name: "台账.xlsx", bytes: new Uint8Array(await wb.xlsx.writeBuffer()) });
    const preview = getLedgerImport(ctx(), admin, id).preview;
    expect(preview.itemSheet).toBe(false);
    expect(preview.rows.map((r) => [r.row, r.code, r.problems])).toEqual([[4, cells["项目代码"], ["签约日期「2026-02-30」不是有效日期（应为 Excel 日期或 YYYY-MM-DD 文本）"]]]);
  });

  it("names the template library's reason when a template cannot be used now", async () => {
    const admin = await insertUser({ role: "admin" });
    // general-industrial gives 电力接入 to 供电; with 供电 deactivated no new project can use it.
    db().update(departments).set({ active: false }).where(eq(departments.code, "供电")).run();
    const { id } = await previewLedgerImport(ctx(), admin, { name: "台账.xlsx", bytes: await ledger([projectCells()], []) });
    const [row] = getLedgerImport(ctx(), admin, id).preview.rows;
    expect(row.action).toBe("invalid");
    expect(row.problems).toEqual([expect.stringMatching(/^模板「general-industrial」暂不能使用：.*供电/)]);
  });

  it("is for administrators only", async () => {
    const proxy = await insertUser({ role: "proxy" });
    await expect(previewLedgerImport(ctx(), proxy, { name: "a.xlsx", bytes: await ledger([projectCells()], []) })).rejects.toMatchObject({ status: 403 });
  });
});

describe("ledger import: the worker", () => {
  it("imports the valid rows with their items' states and dates, and the progress reaches the total", async () => {
    const w = await world();
    const { id } = await previewLedgerImport(ctx(), w.admin, { name: "台账.xlsx", bytes: w.bytes });
    await confirmLedgerImport(ctx(), w.admin, id);
    expect(ledgerImportProgress(ctx(), w.admin, id)).toMatchObject({ status: "queued", total: 7, processed: 0 });
    await worker();
    const job = await untilFinished(id);
    expect(job).toMatchObject({ status: "done", total: 7, processed: 7, error: null });

    const a = projectByCode(w.codes.a)!;
    const b = projectByCode(w.codes.b)!;
    const view = getLedgerImport(ctx(), w.admin, id);
    expect(view.report).toEqual({
      created: [
        { code: w.codes.a, id: a.id, row: 2 },
        { code: w.codes.b, id: b.id, row: 3 },
      ],
      skipped: [],
      failed: [
        { code: expect.any(String), row: 4, problems: [expect.stringMatching(/^未知模板/)] },
        { code: expect.any(String), row: 5, problems: ["签约日期「2026-02-30」不是有效日期（应为 Excel 日期或 YYYY-MM-DD 文本）"] },
        { code: expect.any(String), row: 6, problems: [`统一社会信用代码校验位不正确，请核对（${w.badCredit}）`] },
        { code: w.codes.c, row: 7, problems: ["审批事项第 9 行（企业投资项目备案）：未知部门「交通运输局」（请填写系统中的部门名称或简称）"] },
        { code: w.codes.d, row: 8, problems: ["审批事项第 10 行（环评审批（不存在））：模板「一般社会投资工业项目（备案类）」中没有事项「环评审批（不存在）」"] },
      ],
    });
    expect(count("projects")).toBe(2);

    // Project A: its fields, its officer, and each listed item's state from dated events.
    expect(a).toMatchObject({ level: "province", templateKey: "general-industrial", signedOn: "2026-03-02", targetStartOn: "2026-12-31", status: "active", lastProgressOn: "2026-05-06" });
    expect(db().select().from(projectProxies).where(eq(projectProxies.projectId, a.id)).all().map((p) => p.userId)).toEqual([w.proxy.id]);
    const cal = getCalendar(db());
    const filing = itemOf(a.id, "filing");
    // Accepted Mon 03-02 with a promised limit of 1 working day: due 03-03, the clock's count; decided that day.
    expect(filing).toMatchObject({ status: "approved", acceptedOn: "2026-03-02", dueOn: "2026-03-03", decidedOn: "2026-03-03" });
    expect(eventsOf(filing.id).map((e) => [e.type, e.on, e.note, e.actorUserId])).toEqual([
      ["accept", "2026-03-02", IMPORT_EVENT_NOTE, w.admin.id],
      ["approve", "2026-03-03", IMPORT_EVENT_NOTE, w.admin.id],
    ]);
    const contract = itemOf(a.id, "land-contract");
    expect(contract).toMatchObject({ status: "running", acceptedOn: "2026-03-04", dueOn: cal.format(cal.addWorkingDays(toDay("2026-03-04"), 25)) });
    // 16 calendar days from 05-06, and given to 审批局 as the ledger says.
    const eia = itemOf(a.id, "eia-approval");
    const spj = db().select().from(departments).where(eq(departments.code, "审批局")).get()!;
    expect(eia).toMatchObject({ status: "running", acceptedOn: "2026-05-06", dueOn: "2026-05-22", departmentId: spj.id });
    expect(itemOf(a.id, "start")).toMatchObject({ status: "pending", acceptedOn: null });
    expect(itemOf(a.id, "energy-review")).toMatchObject({ status: "pending" });
    // What the department accepted was handed in: its materials are verified; others stay missing.
    const mats = db().all<{ status: string; item: string }>(
      sql`select m.status, i.key as item from materials m join item_materials im on im.material_id = m.id join items i on i.id = im.item_id where i.project_id = ${a.id}`,
    );
    expect(mats.filter((m) => m.item === "filing").every((m) => m.status === "verified")).toBe(true);
    expect(mats.some((m) => m.item === "construction-permit" && m.status === "missing")).toBe(true);
    // The stored history replays to the same clocks (nothing a later event would trip over).
    const agg = loadProject(db(), a.id, cal)!;
    expect(agg.items.find((i) => i.row.key === "eia-approval")!.state.dueOn).toBe(toDay("2026-05-22"));
    // Escalation timers for the running clocks (the overdue ones fire at the worker's next sweep).
    expect(db().select().from(escalations).where(eq(escalations.itemId, eia.id)).all().map((e) => e.level).sort()).toEqual(["leader", "red", "supervise", "yellow"]);
    expect(db().select().from(auditLog).where(and(eq(auditLog.action, "project.import"), eq(auditLog.projectId, a.id))).all()).toHaveLength(1);

    // Project B: found by the template's name and the officer's display name; its 开工 is recorded, so it has started.
    expect(b).toMatchObject({ templateKey: "standard-land", status: "started", lastProgressOn: "2026-05-20", level: "city" });
    expect(db().select().from(projectProxies).where(eq(projectProxies.projectId, b.id)).all().map((p) => p.userId)).toEqual([w.proxy.id]);
    expect(itemOf(b.id, "start")).toMatchObject({ status: "approved", decidedOn: "2026-05-20", acceptedOn: null });
    // 免办 without a date: recorded on the signing day.
    expect(itemOf(b.id, "energy-review")).toMatchObject({ status: "waived", decidedOn: "2026-03-09", dueOn: null });
    expect(db().select().from(enterprises).all()).toHaveLength(2);
  });

  it("creates nothing twice: the same file again previews as existing, and a second job run on it skips every row", async () => {
    const w = await world();
    const first = await previewLedgerImport(ctx(), w.admin, { name: "台账.xlsx", bytes: w.bytes });
    // Uploaded twice before either ran, and both confirmed: the second finds the codes taken.
    const second = await previewLedgerImport(ctx(), w.admin, { name: "台账（副本）.xlsx", bytes: w.bytes });
    await confirmLedgerImport(ctx(), w.admin, first.id);
    await worker();
    await untilFinished(first.id);
    await confirmLedgerImport(ctx(), w.admin, second.id);
    const done = await untilFinished(second.id);
    expect(done.status).toBe("done");
    const report = getLedgerImport(ctx(), w.admin, second.id).report!;
    expect(report.created).toEqual([]);
    expect(report.skipped).toEqual([
      { code: w.codes.a, reason: "项目代码已存在", row: 2 },
      { code: w.codes.b, reason: "项目代码已存在", row: 3 },
    ]);
    expect(count("projects")).toBe(2);

    // A third upload of the file: the preview says so, and there is nothing to confirm.
    const third = await previewLedgerImport(ctx(), w.admin, { name: "台账.xlsx", bytes: w.bytes });
    const preview = getLedgerImport(ctx(), w.admin, third.id).preview;
    expect(preview.counts).toEqual({ create: 0, skip_existing: 2, invalid: 5 });
    expect(preview.rows.filter((r) => r.action === "skip_existing").map((r) => r.code)).toEqual([w.codes.a, w.codes.b]);
    await expect(confirmLedgerImport(ctx(), w.admin, third.id)).rejects.toMatchObject({ status: 409, message: "没有可导入的项目：请修正表中的错误后重新上传" });
    // Confirming the same preview twice is refused too.
    await expect(confirmLedgerImport(ctx(), w.admin, first.id)).rejects.toMatchObject({ status: 409 });
  });

  it("a job delivered twice imports once, and a take-over after a runner died mid-way creates nothing twice", async () => {
    const w = await world();
    const { id } = await previewLedgerImport(ctx(), w.admin, { name: "台账.xlsx", bytes: w.bytes });
    await confirmLedgerImport(ctx(), w.admin, id);
    // Bull delivers at least once: the same import under a second job id, waiting beside the first.
    const q = getQueue("imports");
    expect(await q.getJob(importJobId(id))).not.toBeNull();
    await q.add("run", { id }, { jobId: `dup-import-${id}`, removeOnComplete: false });
    await worker();
    await untilFinished(id);
    await waitFor("both deliveries processed", async () => (await q.getJobCounts()).waiting + (await q.getJobCounts()).active === 0, 10_000, 50);
    expect(await (await q.getJob(`dup-import-${id}`))?.returnvalue).toMatch(/^(already|done)$/);
    expect(count("projects")).toBe(2);
    expect(db().select().from(auditLog).where(eq(auditLog.action, "project.import")).all()).toHaveLength(2);
    const a = projectByCode(w.codes.a)!;
    expect(eventsOf(itemOf(a.id, "filing").id)).toHaveLength(2);
    // A third delivery, long after: the job is done, nothing happens.
    expect(await runLedgerImport(db(), id, clock)).toBe("already");

    // The runner "died" after two rows: the job is still running under a lease nobody renews.
    const original = getLedgerImport(ctx(), w.admin, id).report;
    const stale = leaseText({ owner: "dead-runner", at: clock().getTime() - 10 * 60_000 });
    db().update(importJobs).set({ status: "running", processed: 2, report: stale, finishedAt: null }).where(eq(importJobs.id, id)).run();
    // A live lease is left alone…
    db().update(importJobs).set({ report: leaseText({ owner: "live-runner", at: clock().getTime() }) }).where(eq(importJobs.id, id)).run();
    expect(await runLedgerImport(db(), id, clock)).toBe("busy");
    // …an expired one is taken over: rows this job created are reported as created, nothing is created again.
    db().update(importJobs).set({ report: stale }).where(eq(importJobs.id, id)).run();
    expect(await runLedgerImport(db(), id, clock)).toBe("done");
    expect(getLedgerImport(ctx(), w.admin, id)).toMatchObject({ status: "done", processed: 7, report: original });
    expect(count("projects")).toBe(2);
    expect(eventsOf(itemOf(a.id, "filing").id)).toHaveLength(2);
  });

  it("the worker's sweep hands a queued import that Redis never received to the queue", async () => {
    const w = await world();
    const { id } = await previewLedgerImport(ctx(), w.admin, { name: "台账.xlsx", bytes: w.bytes });
    await confirmLedgerImport(ctx(), w.admin, id);
    // As if Redis had been down at confirmation: the job row is queued, Bull holds nothing.
    await (await getQueue("imports").getJob(importJobId(id)))!.remove();
    const h = await worker();
    await untilFinished(id);
    expect(count("projects")).toBe(2);
    expect((await h.sweep()).imports).toBe(0);
  });
});

describe("ledger export → import", () => {
  it("round-trips the projects and their items' states into a fresh database", async () => {
    const admin = await insertUser({ role: "admin", login: "boss" });
    const proxy = await insertUser({ role: "proxy", login: "wangmin" });
    const enterpriseId = insertEnterprise("江城往返测试有限公司", "91330100MA2W1X2Y3");
    const credit = db().select().from(enterprises).where(eq(enterprises.id, enterpriseId)).get()!.creditCode;
    const p1 = insertProject(proxy, {
      code: "2026-330100-34-03-000771",
      name: "往返项目一",
      enterprise: { name: "江城往返测试有限公司", creditCode: credit },
      signedOn: "2026-03-02",
      targetStartOn: "2026-11-30",
      investment: 8800,
      industry: "新材料",
      location: "临港 3 号",
      level: "county",
    });
    const p2 = insertProject(proxy, { code: "2026-330100-34-03-000772", templateKey: "standard-land", signedOn: "2026-03-09", targetStartOn: "2026-06-30" });
    receiveMaterials(p1);
    receiveMaterials(p2);
    const ev = (pid: number, key: string, type: string, on: string) => recordItemEvent(ctxAt(on), proxy, pid, key, { type, on });
    ev(p1, "filing", "accept", "2026-03-02");
    ev(p1, "filing", "approve", "2026-03-03");
    ev(p1, "land-contract", "accept", "2026-03-04");
    ev(p1, "eia-report-drafting", "accept", "2026-03-05");
    ev(p1, "eia-report-drafting", "approve", "2026-04-01");
    ev(p1, "energy-review", "waive", "2026-03-06");
    ev(p1, "soil-water-plan-drafting", "accept", "2026-03-05");
    ev(p1, "soil-water-plan-drafting", "approve", "2026-03-20");
    ev(p1, "soil-water-approval", "accept", "2026-03-23");
    ev(p1, "soil-water-approval", "reject", "2026-04-08");
    ev(p2, "filing", "accept", "2026-03-10");
    ev(p2, "filing", "approve", "2026-03-10");
    ev(p2, "start", "approve", "2026-05-20");
    // An item given to another department on the project page: the export names it, the import re-assigns it.
    const spj = db().select().from(departments).where(eq(departments.code, "审批局")).get()!;
    db().update(items).set({ departmentId: spj.id }).where(and(eq(items.projectId, p1), eq(items.key, "land-use-planning-permit"))).run();

    const snapshot = (pid: number) => {
      const p = db().select().from(projects).where(eq(projects.id, pid)).get()!;
      const e = db().select().from(enterprises).where(eq(enterprises.id, p.enterpriseId)).get()!;
      const its = db()
        .select({ key: items.key, status: items.status, acceptedOn: items.acceptedOn, dueOn: items.dueOn, decidedOn: items.decidedOn, dept: departments.code })
        .from(items)
        .leftJoin(departments, eq(departments.id, items.departmentId))
        .where(eq(items.projectId, pid))
        .orderBy(asc(items.key))
        .all();
      const proxies = db().all<{ login: string }>(sql`select u.login from project_proxies pp join users u on u.id = pp.user_id where pp.project_id = ${pid}`).map((r) => r.login);
      const { code, name, investment, industry, location, level, templateKey, templateVersion, signedOn, targetStartOn, status, lastProgressOn } = p;
      return { code, name, investment, industry, location, level, templateKey, templateVersion, signedOn, targetStartOn, status, lastProgressOn, enterprise: [e.name, e.creditCode], proxies, items: its };
    };
    const before = [snapshot(p1), snapshot(p2)];
    expect(before[1].status).toBe("started");

    const { buffer } = await exportCityLedgerFile(ctx(), admin);

    // A new deployment: the same people (by login), no projects.
    await freshDatabase();
    const admin2 = await insertUser({ role: "admin", login: "boss" });
    await insertUser({ role: "proxy", login: "wangmin" });
    const { id } = await previewLedgerImport(ctx(), admin2, { name: "代办台账.xlsx", bytes: new Uint8Array(buffer) });
    const preview = getLedgerImport(ctx(), admin2, id).preview;
    expect(preview.rows.map((r) => [r.code, r.action, r.problems, r.itemProblems])).toEqual([
      ["2026-330100-34-03-000771", "create", [], []],
      ["2026-330100-34-03-000772", "create", [], []],
    ]);
    await confirmLedgerImport(ctx(), admin2, id);
    await worker();
    expect((await untilFinished(id)).status).toBe("done");
    const after = [snapshot(projectByCode("2026-330100-34-03-000771")!.id), snapshot(projectByCode("2026-330100-34-03-000772")!.id)];
    expect(after).toEqual(before);
  });

  it("gives an enterprise contact only their own projects", async () => {
    const proxy = await insertUser({ role: "proxy" });
    const mine = insertProject(proxy, { code: "2026-330100-34-03-000881" });
    insertProject(proxy, { code: "2026-330100-34-03-000882" });
    const owner = await insertUser({ role: "enterprise", enterpriseId: db().select().from(projects).where(eq(projects.id, mine)).get()!.enterpriseId });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await exportCityLedgerFile(ctx(), owner)).buffer as unknown as ArrayBuffer);
    const codes: string[] = [];
    wb.getWorksheet("项目台账")!.eachRow((row, n) => n > 1 && codes.push(String(row.getCell(1).value)));
    expect(codes).toEqual(["2026-330100-34-03-000881"]);
    const itemCodes = new Set<string>();
    wb.getWorksheet("审批事项")!.eachRow((row, n) => n > 1 && itemCodes.add(String(row.getCell(1).value)));
    expect([...itemCodes]).toEqual(["2026-330100-34-03-000881"]);
  });
});

describe("ledger import: routes", () => {
  async function cookieFor(user: TestUser): Promise<string> {
    const res = (await loginAction({ request: new Request("http://localhost/login", { method: "POST", body: new URLSearchParams({ login: user.login, password: TEST_PASSWORD }) }), params: {}, context: {} })) as Response;
    return (res.headers.get("Set-Cookie") ?? "").split(";")[0];
  }

  function upload(cookie: string, file: File) {
    const fd = new FormData();
    fd.set("file", file);
    return new Request("http://localhost/admin/import", { method: "POST", body: fd, headers: { Cookie: cookie } });
  }

  it("refuses a file that is not an .xlsx with a 422 and its reason, and writes nothing", async () => {
    const admin = await insertUser({ role: "admin" });
    const cookie = await cookieFor(admin);
    type Answer = { data: { ok: boolean; message: string }; init: { status: number } };
    const text = (await uploadAction({ request: upload(cookie, new File(["项目代码,项目名称\n"], "台账.csv", { type: "text/csv" })), params: {}, context: {} })) as unknown as Answer;
    expect(text.init.status).toBe(422);
    expect(text.data).toEqual({ ok: false, message: "只能导入 Excel 工作簿（.xlsx）；.xls 请先另存为 .xlsx" });
    // Named .xlsx and sent as one, but not a zip inside: the magic bytes decide.
    const disguised = (await uploadAction({
      request: upload(cookie, new File(["<html>not a workbook</html>"], "台账.xlsx", { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" })),
      params: {},
      context: {},
    })) as unknown as Answer;
    expect(disguised.init.status).toBe(422);
    expect(disguised.data.message).toBe("文件内容不是 Excel 工作簿（.xlsx），请确认没有只改扩展名");
    expect(count("import_jobs")).toBe(0);
    expect(existsSync(join(loadConfig().uploadDir, "imports"))).toBe(false);
  });

  it("previews an upload on its own page, confirms it once, and reports progress as JSON to administrators only", async () => {
    const admin = await insertUser({ role: "admin" });
    const proxy = await insertUser({ role: "proxy" });
    const cookie = await cookieFor(admin);
    const bytes = await ledger([projectCells()], []);
    const res = (await uploadAction({ request: upload(cookie, new File([bytes], "台账.xlsx")), params: {}, context: {} })) as Response;
    expect(res.status).toBe(302);
    const id = Number(/^\/admin\/import\/(\d+)$/.exec(res.headers.get("Location")!)![1]);
    const confirm = () =>
      confirmAction({ request: new Request(`http://localhost/admin/import/${id}`, { method: "POST", body: new URLSearchParams({ intent: "confirm" }), headers: { Cookie: cookie } }), params: { jobId: String(id) }, context: {} });
    expect(((await confirm()) as Response).status).toBe(302);
    expect(((await confirm()) as unknown as { init: { status: number } }).init.status).toBe(409);
    const status = (await statusLoader({ request: new Request(`http://localhost/admin/import/${id}/status`, { headers: { Cookie: cookie } }), params: { jobId: String(id) }, context: {} })) as Response;
    expect(await status.json()).toMatchObject({ id, status: "queued", statusLabel: "排队中", total: 1, processed: 0, error: null });
    const other = await cookieFor(proxy);
    const refused = (await statusLoader({ request: new Request(`http://localhost/admin/import/${id}/status`, { headers: { Cookie: other } }), params: { jobId: String(id) }, context: {} })) as Response;
    expect(refused.status).toBe(403);
    // The city-wide export is a download for any signed-in user.
    const file = (await cityLedgerLoader({ request: new Request("http://localhost/projects/ledger.xlsx", { headers: { Cookie: other } }), params: {}, context: {} })) as Response;
    expect(file.headers.get("Content-Type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(new Uint8Array(await file.arrayBuffer()).slice(0, 4)).toEqual(new Uint8Array([0x50, 0x4b, 0x03, 0x04]));
  });
});
