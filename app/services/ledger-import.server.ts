import { createHash, randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import {
  auditLog,
  clockEvents,
  departments,
  enterprises,
  importJobs,
  items,
  projects,
  users,
} from "../../db/schema";
import { decide, type Actor } from "~/domain/access/policy";
import { shanghaiDay, type WorkingCalendar } from "~/domain/calendar";
import type { EscalationPolicy } from "~/domain/escalation/policy";
import { findStartKey } from "~/domain/graph/milestone";
import { cellText, type LedgerCell } from "~/domain/ledger/cells";
import {
  ITEM_SHEET,
  LEDGER_PROJECT_HEADERS,
  PROJECT_SHEET,
  READ_ITEM_HEADERS,
  REQUIRED_ITEM_HEADERS,
  REQUIRED_PROJECT_HEADERS,
  locateHeaders,
} from "~/domain/ledger/columns";
import {
  emptyReport,
  IMPORT_STATUS_LABELS,
  leaseExpired,
  leaseText,
  readLease,
  rowProblems,
  type ImportStatus,
  type LedgerImportReport,
  type LedgerPreview,
} from "~/domain/ledger/job";
import { analyzeLedger, type ItemRowInput, type LedgerAnalysis, type LedgerLookups, type LedgerProjectPlan, type ProjectRowInput, type TemplateChoice } from "~/domain/ledger/rows";
import { loadConfig } from "~/utils/config.server";
import type { Db } from "~/utils/db.server";
import { enqueueLedgerImport } from "~/utils/queue.server";
import { writeAudit } from "./audit.server";
import type { ServiceContext } from "./context.server";
import { AppError, forbidden, notFound } from "./errors.server";
import { planItemTimers, planProjectTimers } from "./escalation-timers.server";
import { refreshStatsAfter } from "./stats.server";
import { storedColumns } from "./project-aggregate.server";
import { findOrCreateEnterprise, insertProjectRows } from "./project-creation.server";
import { listTemplates, templateForNewProject } from "./template-library.server";
import { getCalendar, getPolicy } from "./time-rules.server";
import { transaction, transactThenWake } from "./transaction.server";
import { blobPath, storeBlob } from "./upload-storage.server";
import { checkFileContent } from "~/domain/material/file-type";

/**
 * Excel import of an office's 代办台账 (README "Excel ledger import"): the upload is
 * checked and previewed in the web request, row by row, and stored under its sha256;
 * once an administrator confirms, the worker re-reads the stored file and creates each
 * valid project, with its items' recorded states, in a transaction of its own.
 * Rows are matched by 项目代码: a code that exists is skipped, so importing a file
 * twice, or a job delivered twice, creates nothing twice (DESIGN §8).
 */

export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;
const MAX_PROJECT_ROWS = 5_000;
const MAX_ITEM_ROWS = 200_000;
/** The note on every clock event an import records: the timeline says where the date came from. */
export const IMPORT_EVENT_NOTE = "台账导入";

const importDir = () => join(loadConfig().uploadDir, "imports");

function requireAdmin(actor: Actor) {
  if (!decide(actor, "admin.manage").allowed) throw forbidden("只有系统管理员可以导入台账");
}

const invalid = (message: string) => new AppError("invalid", message, { file: message });

// ---------------------------------------------------------------- reading the workbook

/** An exceljs value as a plain cell: rich text joined, formulas by their cached result, links by their text. */
function plainCell(value: ExcelJS.CellValue): LedgerCell {
  if (value === null || value === undefined) return null;
  if (value instanceof Date || typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "object") {
    if ("richText" in value) return value.richText.map((r) => r.text).join("");
    if ("formula" in value || "sharedFormula" in value) {
      const result = (value as ExcelJS.CellFormulaValue).result;
      return result === undefined || (typeof result === "object" && result !== null && !(result instanceof Date)) ? null : (result as LedgerCell);
    }
    if ("hyperlink" in value) return plainCell((value as ExcelJS.CellHyperlinkValue).text as ExcelJS.CellValue);
    if ("error" in value) return String((value as ExcelJS.CellErrorValue).error);
  }
  return null;
}

function findSheet(wb: ExcelJS.Workbook, name: string): ExcelJS.Worksheet | undefined {
  return wb.worksheets.find((ws) => ws.name.trim() === name);
}

/** Hand-kept ledgers often put a title line (「2026 年重点项目代办台账」) above the headers: look this far down for them. */
const HEADER_SEARCH_ROWS = 5;

function headerTexts(ws: ExcelJS.Worksheet, n: number): string[] {
  const row = ws.getRow(n);
  const out: string[] = [];
  for (let c = 1; c <= Math.max(ws.columnCount, row.cellCount); c++) out.push(cellText(plainCell(row.getCell(c).value)));
  return out;
}

function readRows<H extends string>(ws: ExcelJS.Worksheet, wanted: readonly H[], required: readonly H[], limit: number): { row: number; values: Partial<Record<H, LedgerCell>> }[] {
  // The header row is the first of the top rows that holds the key column (项目代码); failing that, row 1 names what is missing.
  let headerRow = 1;
  let located = locateHeaders(headerTexts(ws, 1), wanted, required);
  for (let n = 1; n <= HEADER_SEARCH_ROWS; n++) {
    const here = locateHeaders(headerTexts(ws, n), wanted, required);
    if (here.columns.has("项目代码" as H)) {
      headerRow = n;
      located = here;
      break;
    }
  }
  const { columns, missing } = located;
  if (missing.length) throw invalid(`「${ws.name.trim()}」工作表缺少列：${missing.join("、")}（表头应在前 ${HEADER_SEARCH_ROWS} 行内）`);
  if (ws.actualRowCount - headerRow > limit) throw invalid(`「${ws.name.trim()}」工作表超过 ${limit} 行，请拆分后分批导入`);
  const out: { row: number; values: Partial<Record<H, LedgerCell>> }[] = [];
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    if (rowNumber <= headerRow) return;
    const values: Partial<Record<H, LedgerCell>> = {};
    let blank = true;
    for (const [h, at] of columns) {
      const v = plainCell(row.getCell(at + 1).value);
      values[h] = v;
      if (cellText(v) !== "") blank = false;
    }
    // A row with nothing in the columns read (a total line, a formatted but empty row) is not data.
    if (!blank) out.push({ row: rowNumber, values });
  });
  return out;
}

export interface LedgerWorkbook {
  projects: ProjectRowInput[];
  /** null: the workbook has no sheet 审批事项. */
  items: ItemRowInput[] | null;
}

/** Parses an uploaded ledger; a file we cannot read as the documented workbook is a 422 saying why. */
export async function readLedgerWorkbook(bytes: Uint8Array): Promise<LedgerWorkbook> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ArrayBuffer);
  } catch {
    throw invalid("文件不是有效的 Excel 工作簿（.xlsx），请用 Excel 或 WPS 另存为 .xlsx 后重新上传");
  }
  const projectSheet = findSheet(wb, PROJECT_SHEET);
  if (!projectSheet) {
    const names = wb.worksheets.map((ws) => `「${ws.name}」`).join("、") || "无";
    throw invalid(`工作簿中没有「${PROJECT_SHEET}」工作表（现有工作表：${names}）`);
  }
  const projectRows = readRows(projectSheet, LEDGER_PROJECT_HEADERS, REQUIRED_PROJECT_HEADERS, MAX_PROJECT_ROWS);
  if (projectRows.length === 0) throw invalid(`「${PROJECT_SHEET}」工作表没有数据行`);
  const itemSheet = findSheet(wb, ITEM_SHEET);
  const itemRows = itemSheet ? readRows(itemSheet, READ_ITEM_HEADERS, REQUIRED_ITEM_HEADERS, MAX_ITEM_ROWS) : null;
  return { projects: projectRows, items: itemRows };
}

/**
 * What may be uploaded: an .xlsx name, at most MAX_IMPORT_BYTES, and the bytes of a zip
 * (an .xlsx is one: PK\x03\x04), whatever the browser claims the type is.
 */
export function checkImportFile(file: { name: string; bytes: Uint8Array }): void {
  if (!file.name || file.bytes.byteLength === 0) throw invalid("请选择要导入的台账文件（.xlsx）");
  if (!/\.xlsx$/i.test(file.name.trim())) throw invalid("只能导入 Excel 工作簿（.xlsx）；.xls 请先另存为 .xlsx");
  if (file.bytes.byteLength > MAX_IMPORT_BYTES) throw invalid(`文件超过 ${MAX_IMPORT_BYTES / 1024 / 1024} MB 上限，请拆分后分批导入`);
  if (!checkFileContent("xlsx", file.bytes).ok) throw invalid("文件内容不是 Excel 工作簿（.xlsx），请确认没有只改扩展名");
}

// ---------------------------------------------------------------- what the deployment has

/**
 * Templates a row may name: every key of the template library (shipped and imported),
 * each resolved as a new project would be (its newest version), so one that names a
 * missing or deactivated department is reported with the library's reason, not as unknown.
 */
function templateChoices(db: Db): TemplateChoice[] {
  return listTemplates(db).map(({ key, name }) => {
    try {
      const template = templateForNewProject(db, key);
      return { key, name: template.name, template };
    } catch (e) {
      if (e instanceof AppError) return { key, name, template: null, problem: e.message };
      throw e;
    }
  });
}

function ledgerLookups(db: Db, now: Date): LedgerLookups {
  return {
    today: shanghaiDay(now),
    calendar: getCalendar(db),
    templates: templateChoices(db),
    departments: db.select({ code: departments.code, name: departments.name, active: departments.active }).from(departments).all(),
    proxies: db
      .select({ id: users.id, login: users.login, displayName: users.displayName })
      .from(users)
      .where(and(eq(users.role, "proxy"), eq(users.active, true)))
      .all(),
    enterpriseNames: new Map(db.select({ code: enterprises.creditCode, name: enterprises.name }).from(enterprises).all().map((e) => [e.code, e.name])),
    existingCodes: new Set(db.select({ code: projects.code }).from(projects).all().map((p) => p.code)),
  };
}

function analyze(db: Db, now: Date, workbook: LedgerWorkbook): LedgerAnalysis {
  return analyzeLedger(workbook.projects, workbook.items, ledgerLookups(db, now));
}

// ---------------------------------------------------------------- preview and confirm (web)

/**
 * Upload → preview: checks the file, stores it under its sha256 in UPLOAD_DIR/imports,
 * checks every row and records the import job as `previewed` with the preview. Nothing
 * else is written; a file we cannot read is a 422 and writes nothing at all.
 */
export async function previewLedgerImport(ctx: ServiceContext, actor: Actor, file: { name: string; bytes: Uint8Array }): Promise<{ id: number }> {
  requireAdmin(actor);
  checkImportFile(file);
  const workbook = await readLedgerWorkbook(file.bytes);
  const { db, now } = ctx;
  const analysis = analyze(db, now, workbook);
  const sha256 = createHash("sha256").update(file.bytes).digest("hex");
  // Before the row: a failed insert leaves an unreferenced content-addressed blob, harmless.
  await storeBlob(importDir(), sha256, file.bytes);
  const preview: LedgerPreview = { rows: analysis.rows, orphanItems: analysis.orphanItems, counts: analysis.counts, itemSheet: workbook.items !== null };
  const fileName = file.name.split(/[\\/]/).pop()!.trim().slice(0, 200);
  return transaction(db, (tx) => {
    const row = tx
      .insert(importJobs)
      .values({ fileName, sha256, status: "previewed", total: analysis.rows.length, preview: JSON.stringify(preview), createdByUserId: actor.id, createdAt: now.getTime() })
      .returning({ id: importJobs.id })
      .get();
    writeAudit(tx, { actorUserId: actor.id, action: "import.preview", entityType: "import_job", entityId: row.id, detail: { fileName, sha256, ...analysis.counts } }, now);
    return row;
  });
}

function jobRow(db: Db, id: number) {
  const row = Number.isInteger(id) && id > 0 ? db.select().from(importJobs).where(eq(importJobs.id, id)).get() : undefined;
  if (!row) throw notFound("导入记录");
  return row;
}

/**
 * The administrator confirms a preview: the job becomes `queued` (once: a second
 * confirmation is a 409) and the worker is asked to run it after the commit.
 */
export async function confirmLedgerImport(ctx: ServiceContext, actor: Actor, id: number): Promise<{ queued: boolean }> {
  requireAdmin(actor);
  const { db, now } = ctx;
  const job = jobRow(db, id);
  if (job.status !== "previewed") throw new AppError("conflict", `该导入已${IMPORT_STATUS_LABELS[job.status as ImportStatus]}，不能重复确认`);
  const preview = JSON.parse(job.preview ?? "null") as LedgerPreview | null;
  if (!preview || preview.counts.create === 0) throw new AppError("conflict", "没有可导入的项目：请修正表中的错误后重新上传");
  transaction(db, (tx) => {
    const upd = tx.update(importJobs).set({ status: "queued" }).where(and(eq(importJobs.id, id), eq(importJobs.status, "previewed"))).run();
    if (upd.changes !== 1) throw new AppError("conflict", "该导入已被确认，请刷新页面");
    writeAudit(tx, { actorUserId: actor.id, action: "import.confirm", entityType: "import_job", entityId: id, detail: { fileName: job.fileName, create: preview.counts.create } }, now);
  });
  // After the commit, best effort: the worker's sweep picks up a queued import Redis did not take.
  const queued = await enqueueLedgerImport(id).catch((e) => {
    console.warn(`import ${id}: not handed to the queue (the worker's sweep will):`, e);
    return false;
  });
  return { queued };
}

export interface ImportProgress {
  id: number;
  status: ImportStatus;
  statusLabel: string;
  total: number;
  processed: number;
  error: string | null;
}

function progressOf(job: typeof importJobs.$inferSelect): ImportProgress {
  const status = job.status as ImportStatus;
  return { id: job.id, status, statusLabel: IMPORT_STATUS_LABELS[status], total: job.total, processed: job.processed, error: job.error };
}

/** What the progress bar polls. */
export function ledgerImportProgress(ctx: ServiceContext, actor: Actor, id: number): ImportProgress {
  requireAdmin(actor);
  return progressOf(jobRow(ctx.db, id));
}

/** The report once finished (done, or failed part-way: what was imported until then). */
function reportOf(job: typeof importJobs.$inferSelect): LedgerImportReport | null {
  if ((job.status !== "done" && job.status !== "failed") || !job.report) return null;
  const r = JSON.parse(job.report) as Partial<LedgerImportReport>;
  return Array.isArray(r.created) ? (r as LedgerImportReport) : null;
}

export interface ImportView extends ImportProgress {
  fileName: string;
  createdAt: number;
  createdBy: string | null;
  preview: LedgerPreview;
  report: LedgerImportReport | null;
}

export function getLedgerImport(ctx: ServiceContext, actor: Actor, id: number): ImportView {
  requireAdmin(actor);
  const job = jobRow(ctx.db, id);
  const by = job.createdByUserId ? ctx.db.select({ name: users.displayName }).from(users).where(eq(users.id, job.createdByUserId)).get() : undefined;
  return {
    ...progressOf(job),
    fileName: job.fileName,
    createdAt: job.createdAt,
    createdBy: by?.name ?? null,
    preview: JSON.parse(job.preview ?? "null") ?? { rows: [], orphanItems: [], counts: { create: 0, skip_existing: 0, invalid: 0 }, itemSheet: false },
    report: reportOf(job),
  };
}

export interface ImportListRow extends ImportProgress {
  fileName: string;
  createdAt: number;
  createdBy: string | null;
  counts: LedgerPreview["counts"] | null;
  created: number | null;
}

/** Past imports, newest first. */
export function listLedgerImports(ctx: ServiceContext, actor: Actor): ImportListRow[] {
  requireAdmin(actor);
  return ctx.db
    .select({ job: importJobs, by: users.displayName })
    .from(importJobs)
    .leftJoin(users, eq(users.id, importJobs.createdByUserId))
    .orderBy(desc(importJobs.id))
    .limit(50)
    .all()
    .map(({ job, by }) => ({
      ...progressOf(job),
      fileName: job.fileName,
      createdAt: job.createdAt,
      createdBy: by,
      counts: (JSON.parse(job.preview ?? "null") as LedgerPreview | null)?.counts ?? null,
      created: reportOf(job)?.created.length ?? null,
    }));
}

// ---------------------------------------------------------------- the import (worker)

export type ImportRunResult = "missing" | "already" | "busy" | "done" | "failed";

/** Thrown inside a row's transaction when another runner has taken the job over: roll back, stop quietly. */
class LeaseLost extends Error {}

/**
 * Claims the job: queued → running, or running → running under a new owner when the
 * lease has expired (the previous runner died mid-way). Conditional updates, so of two
 * deliveries only one gets it. Returns the new lease owner, or why not.
 */
function claim(db: Db, id: number, now: number): { owner: string } | { result: ImportRunResult } {
  const owner = randomUUID();
  const lease = leaseText({ owner, at: now });
  const fresh = db
    .update(importJobs)
    .set({ status: "running", startedAt: now, report: lease, error: null })
    .where(and(eq(importJobs.id, id), eq(importJobs.status, "queued")))
    .run();
  if (fresh.changes === 1) return { owner };
  const job = db.select().from(importJobs).where(eq(importJobs.id, id)).get();
  if (!job) return { result: "missing" };
  if (job.status !== "running") return { result: "already" };
  if (!leaseExpired(job.report, now)) return { result: "busy" };
  const taken = db
    .update(importJobs)
    .set({ report: lease })
    .where(and(eq(importJobs.id, id), eq(importJobs.status, "running"), job.report === null ? sql`${importJobs.report} is null` : eq(importJobs.report, job.report)))
    .run();
  return taken.changes === 1 ? { owner } : { result: "busy" };
}

function assertOwner(tx: Db, id: number, owner: string) {
  const job = tx.select({ status: importJobs.status, report: importJobs.report }).from(importJobs).where(eq(importJobs.id, id)).get();
  if (!job || job.status !== "running" || readLease(job.report)?.owner !== owner) throw new LeaseLost();
}

/** Whether this job created the project (an earlier run of it that died before reporting), rather than someone else. */
function createdByJob(tx: Db, projectId: number, jobId: number): boolean {
  return (
    tx
      .select({ id: auditLog.id })
      .from(auditLog)
      .where(and(eq(auditLog.action, "project.import"), eq(auditLog.projectId, projectId), sql`json_extract(${auditLog.detail}, '$.importJob') = ${jobId}`))
      .get() !== undefined
  );
}

interface RowContext {
  jobId: number;
  actorId: number | null;
  now: Date;
  cal: WorkingCalendar;
  policy: EscalationPolicy;
  deptIds: Map<string, number>;
}

/**
 * One valid row, inside its transaction: the enterprise (found or created by credit
 * code), the project from its template, the proxy officers, each listed item's
 * department and dated clock events (the clock's stored columns, materials of accepted
 * items verified), the timers those clocks imply and the audit row. Mirrors
 * createProject and recordItemEvent, with the ledger's dates and no access check per
 * item: the administrator is importing history, not acting on the items.
 */
function createImportedProject(tx: Db, plan: LedgerProjectPlan, rc: RowContext, wake: (w: ReturnType<typeof planItemTimers>) => void): { id: number } | { problem: string } {
  const { now, cal } = rc;
  const enterprise = findOrCreateEnterprise(tx, plan.enterprise);
  if ("conflict" in enterprise) {
    return { problem: `统一社会信用代码 ${plan.enterprise.creditCode} 已登记为「${enterprise.conflict}」，与建设单位「${plan.enterprise.name}」不一致` };
  }
  let lastProgress = plan.signedOn;
  for (const i of plan.items) for (const ev of i.events) if (cal.format(ev.on) > lastProgress) lastProgress = cal.format(ev.on);
  const startKey = findStartKey(plan.template.items);
  const started = startKey !== null && plan.items.some((i) => i.key === startKey && i.state.status === "approved");
  const { id: projectId, itemIds } = insertProjectRows(tx, {
    project: {
      code: plan.code,
      name: plan.name,
      enterpriseId: enterprise.id,
      investment: plan.investment,
      industry: plan.industry,
      location: plan.location,
      level: plan.level,
      signedOn: plan.signedOn,
      targetStartOn: plan.targetStartOn,
      status: started ? "started" : "active",
      lastProgressOn: lastProgress,
    },
    template: plan.template,
    deptIds: rc.deptIds,
    proxyIds: plan.proxyIds,
    now,
  });
  const project = { id: projectId };

  for (const i of plan.items) {
    const itemId = itemIds.get(i.key)!;
    const set: Partial<typeof items.$inferInsert> = {};
    if (i.departmentCode !== undefined) set.departmentId = rc.deptIds.get(i.departmentCode) ?? null;
    if (i.events.length) {
      for (const ev of i.events) {
        tx.insert(clockEvents).values({ itemId, type: ev.type, on: cal.format(ev.on), actorUserId: rc.actorId, note: IMPORT_EVENT_NOTE, createdAt: now.getTime() }).run();
      }
      Object.assign(set, storedColumns(i.state, (d) => cal.format(d)));
      set.updatedAt = now.getTime();
    }
    if (Object.keys(set).length) tx.update(items).set(set).where(eq(items.id, itemId)).run();
    if (i.state.acceptedOn !== null) {
      // The department accepted the file, so what the item needed was handed in and checked.
      tx.run(sql`update materials set status = 'verified', updated_at = ${now.getTime()} where id in (select material_id from item_materials where item_id = ${itemId})`);
    }
  }
  // Timers for the imported clocks, planned in this transaction: an overdue item escalates as any other would.
  const rows = tx.select().from(items).where(inArray(items.id, plan.items.filter((i) => i.events.length).map((i) => itemIds.get(i.key)!))).all();
  for (const row of rows) wake(planItemTimers(tx, row, cal, rc.policy));
  wake(planProjectTimers(tx, project.id, cal, rc.policy));
  // An imported history lands in the departments' month figures of every date it carries.
  refreshStatsAfter(tx, now, { projectId: project.id, dates: rows.flatMap((r) => [r.decidedOn, r.dueOn]) });
  writeAudit(
    tx,
    {
      actorUserId: rc.actorId,
      action: "project.import",
      entityType: "project",
      entityId: project.id,
      projectId: project.id,
      detail: { importJob: rc.jobId, row: plan.row, template: plan.template.key, version: plan.template.version, proxies: plan.proxyIds, events: plan.items.reduce((n, i) => n + i.events.length, 0) },
    },
    now,
  );
  return { id: project.id };
}

const nextTick = () => new Promise<void>((r) => setImmediate(r));

/**
 * The worker's processor for one import job (DESIGN §8: at-least-once delivery changes
 * nothing twice). Claims the job, re-reads the stored file, re-checks every row against
 * the database of now, and gives each row a transaction of its own: skipped when its
 * code exists (this job's own earlier run included), reported as failed when invalid,
 * created otherwise; `processed` moves with each row. Rows already imported stay when
 * something unexpected stops the run (status failed, with the error in Chinese), and a
 * new import of the same file skips them.
 */
export async function runLedgerImport(db: Db, id: number, clock: () => Date): Promise<ImportRunResult> {
  const claimed = claim(db, id, clock().getTime());
  if ("result" in claimed) return claimed.result;
  const { owner } = claimed;
  const job = db.select().from(importJobs).where(eq(importJobs.id, id)).get()!;
  const report = emptyReport();
  const finish = (status: "done" | "failed", error: string | null) =>
    transaction(db, (tx) => {
      assertOwner(tx, id, owner);
      const now = clock();
      tx.update(importJobs)
        .set({ status, report: JSON.stringify(report), error, finishedAt: now.getTime(), ...(status === "done" ? { processed: job.total } : {}) })
        .where(eq(importJobs.id, id))
        .run();
      writeAudit(tx, { actorUserId: job.createdByUserId, action: status === "done" ? "import.done" : "import.failed", entityType: "import_job", entityId: id, detail: { created: report.created.length, skipped: report.skipped.length, failed: report.failed.length, error } }, now);
    });

  try {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(blobPath(importDir(), job.sha256));
    } catch {
      finish("failed", "找不到已上传的台账文件（上传目录可能被清理），请重新上传");
      return "failed";
    }
    let workbook: LedgerWorkbook;
    try {
      workbook = await readLedgerWorkbook(bytes);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      finish("failed", e.message);
      return "failed";
    }
    const analysis = analyze(db, clock(), workbook);
    job.total = analysis.rows.length;
    db.update(importJobs).set({ total: job.total }).where(eq(importJobs.id, id)).run();
    const cal = getCalendar(db);
    const policy = getPolicy(db);
    const deptIds = new Map(db.select({ id: departments.id, code: departments.code }).from(departments).all().map((d) => [d.code, d.id]));

    for (const [index, row] of analysis.rows.entries()) {
      const now = clock();
      const rc: RowContext = { jobId: id, actorId: job.createdByUserId, now, cal, policy, deptIds };
      const plan = analysis.plans.get(row.row);
      transactThenWake(db, (tx, wake) => {
        assertOwner(tx, id, owner);
        const existing = row.code ? tx.select({ id: projects.id }).from(projects).where(eq(projects.code, row.code)).get() : undefined;
        if (existing) {
          if (createdByJob(tx, existing.id, id)) report.created.push({ code: row.code, id: existing.id, row: row.row });
          else report.skipped.push({ code: row.code, reason: "项目代码已存在", row: row.row });
        } else if (!plan) {
          report.failed.push({ code: row.code, problems: rowProblems(row), row: row.row });
        } else {
          const made = createImportedProject(tx, plan, rc, wake);
          if ("id" in made) report.created.push({ code: row.code, id: made.id, row: row.row });
          else report.failed.push({ code: row.code, problems: [made.problem], row: row.row });
        }
        tx.update(importJobs)
          .set({ processed: sql`max(${importJobs.processed}, ${index + 1})`, report: leaseText({ owner, at: now.getTime() }) })
          .where(eq(importJobs.id, id))
          .run();
      });
      // Let Bull renew its lock and other writers in between rows.
      await nextTick();
    }
    finish("done", null);
    return "done";
  } catch (e) {
    if (e instanceof LeaseLost) return "busy";
    const message = e instanceof Error ? e.message : String(e);
    console.error(`import ${id} failed:`, e);
    try {
      finish("failed", `导入意外中止：${message}。已导入的项目保留，重新导入同一文件会跳过它们`);
    } catch (inner) {
      if (inner instanceof LeaseLost) return "busy";
      throw inner;
    }
    return "failed";
  }
}

/**
 * For the worker's sweep: imports that should be running but have no live runner — queued
 * ones whose Bull job Redis lost, and running ones whose lease expired — are handed to
 * the queue again (deterministic job ids: one that is still there is not added twice).
 */
export async function requeueLedgerImports(db: Db, now: Date): Promise<number> {
  const jobs = db
    .select({ id: importJobs.id, status: importJobs.status, report: importJobs.report })
    .from(importJobs)
    .where(inArray(importJobs.status, ["queued", "running"]))
    .all()
    .filter((j) => j.status === "queued" || leaseExpired(j.report, now.getTime()));
  let added = 0;
  for (const j of jobs) if (await enqueueLedgerImport(j.id)) added++;
  return added;
}
