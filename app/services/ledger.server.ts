import ExcelJS from "exceljs";
import { and, asc, eq, inArray } from "drizzle-orm";
import { items, projects, users } from "../../db/schema";
import type { Actor } from "~/domain/access/policy";
import { parseDate, shanghaiToday } from "~/domain/calendar";
import { itemStatusLabel } from "~/domain/clock";
import { PROJECT_LEVEL_LABELS } from "~/domain/project/types";
import { ITEM_KIND_LABELS, stageLabel } from "~/domain/item/vocabulary";
import type { ServiceContext } from "./context.server";
import { getProjectView, projectViewOf, type ItemView } from "./project-view.server";
import { loadProjectContext } from "./project-context.server";
import { isStartMilestone } from "~/domain/graph/milestone";
import {
  ITEM_SHEET,
  LEDGER_CITY_ITEM_HEADERS,
  LEDGER_DATE_HEADERS,
  LEDGER_ITEM_HEADERS,
  LEDGER_PROJECT_HEADERS,
  PROJECT_SHEET,
  type LedgerItemHeader,
  type LedgerProjectHeader,
} from "~/domain/ledger/columns";

/**
 * The 代办台账 as an Excel workbook: the spreadsheet officers kept by hand
 * before this tool, now generated from the same data as the project page so
 * the two never disagree.
 */

// Defined once in the domain, shared with the city-wide export and the import parser.
export { LEDGER_ITEM_HEADERS };

const WIDTHS = [18, 44, 10, 16, 10, 10, 16, 12, 12, 12, 12, 10, 12, 10, 10];
const DATE_COLUMNS = new Set(["受理日期", "到期日", "办结日期"]);

const FILL_RED: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFFFC7CE" } };
const FILL_YELLOW: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFFFEB9C" } };
const FILL_HEADER: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFE2E8F0" } };

/** A business date as an Excel date cell (UTC midnight, so no time-zone shift), sortable and filterable in Excel. */
function excelDate(text: string | null): Date | null {
  const d = text ? parseDate(text) : null;
  return d === null ? null : new Date(d * 86_400_000);
}

function statusText(i: ItemView): string {
  return itemStatusLabel(i.status, i.kind);
}

function warningText(i: ItemView): string {
  if (i.paused) return "暂停中";
  if (i.warning === "red") return "超期";
  if (i.warning === "yellow") return "临期";
  return "";
}

/** Limits for approvals; for intermediary and owner tasks the planned duration stands in, labelled as such. */
function limitsOf(i: ItemView): { statutory: number | null; promised: number | null; unit: string } {
  if (i.kind === "approval") {
    return { statutory: i.statutoryLimit, promised: i.promisedLimit, unit: i.limitUnit === "calendarDays" ? "自然日" : "工作日" };
  }
  if (i.plannedDuration !== null) return { statutory: null, promised: i.plannedDuration, unit: "工作日（计划工期）" };
  return { statutory: null, promised: null, unit: "" };
}

/** One item's cells under LEDGER_ITEM_HEADERS: the per-project and the city-wide export write the same. */
function itemRowValues(i: ItemView): Record<LedgerItemHeader, ExcelJS.CellValue> {
  const lim = limitsOf(i);
  return {
    阶段: `${i.stage} ${stageLabel(i.stage)}`.trim(),
    事项: i.name,
    类型: ITEM_KIND_LABELS[i.kind],
    部门: i.departmentName ?? "",
    法定时限: lim.statutory,
    承诺时限: lim.promised,
    单位: lim.unit,
    状态: statusText(i),
    受理日期: excelDate(i.acceptedOn),
    到期日: excelDate(i.dueOn),
    剩余工作日: i.remainingWorkingDays,
    预警: warningText(i),
    办结日期: excelDate(i.decidedOn),
    总时差: i.slack,
    关键路径: i.critical ? "是" : "",
  };
}

export function ledgerFileName(projectName: string): string {
  // Characters Windows forbids in file names would make the download fail to save.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this strips from user-supplied names
  const safe = projectName.replace(/[\\/:*?"<>|\u0000-\u001f]/g, "_").trim().slice(0, 80) || "项目";
  return `${safe}-代办台账.xlsx`;
}

/** The workbook and the name to download it as. */
export async function exportLedgerFile(ctx: ServiceContext, actor: Actor, projectId: number): Promise<{ buffer: Buffer; fileName: string }> {
  const view = getProjectView(ctx, actor, projectId);
  const { project, enterprise, schedule } = view;
  const wb = new ExcelJS.Workbook();
  wb.creator = "绿色通道";
  wb.created = ctx.now;

  // ---- sheet 1: project facts
  const info = wb.addWorksheet("项目信息");
  info.columns = [
    { header: "项目", key: "k", width: 22 },
    { header: "内容", key: "v", width: 60 },
  ];
  const start = view.items.find(isStartMilestone);
  const facts: [string, string | number][] = [
    ["项目名称", project.name],
    ["项目代码", project.code],
    ["建设单位", enterprise.name],
    ["统一社会信用代码", enterprise.creditCode],
    ["投资额（万元）", project.investment],
    ["所属行业", project.industry || "—"],
    ["建设地点", project.location || "—"],
    ["项目级别", PROJECT_LEVEL_LABELS[project.level] ?? project.level],
    ["项目状态", project.statusLabel],
    ["代办员", view.proxies.map((p) => p.displayName).join("、") || "未分配"],
    ["签约日期", project.signedOn],
    ["计划开工日期", project.targetStartOn],
    ["预计开工日期", schedule.forecastStartOn],
    ["开工总时差（工作日）", start?.slack ?? "—"],
    ["开工目标风险", schedule.atRisk ? "预计晚于计划开工日期" : "按计划推进"],
    ["签约至今（天）", view.daysSinceSigning],
    ["审批事项", `共 ${view.items.length} 项，已办结 ${view.items.filter((i) => i.status === "approved" || i.status === "waived").length} 项`],
    ["超期 / 临期事项", `${view.items.filter((i) => i.warning === "red").length} / ${view.items.filter((i) => i.warning === "yellow").length}`],
    ["统计日期", shanghaiToday(ctx.now)],
  ];
  if (schedule.provisional) facts.push(["说明", "计划涉及尚未公布节假日安排的年份，相关日期为暂估"]);
  for (const [k, v] of facts) info.addRow({ k, v });
  info.getRow(1).font = { bold: true };
  info.getRow(1).fill = FILL_HEADER;
  info.getColumn("k").font = { bold: true };
  info.views = [{ state: "frozen", ySplit: 1 }];

  // ---- sheet 2: one row per item, in stage order then template order
  const sheet = wb.addWorksheet("审批事项");
  sheet.columns = LEDGER_ITEM_HEADERS.map((h, i) => ({
    header: h,
    key: h,
    width: WIDTHS[i],
    style: DATE_COLUMNS.has(h) ? { numFmt: "yyyy-mm-dd" } : {},
  }));
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.fill = FILL_HEADER;
  header.alignment = { vertical: "middle" };
  sheet.views = [{ state: "frozen", ySplit: 1 }];
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: LEDGER_ITEM_HEADERS.length } };

  const ordered = view.items.map((i, idx) => ({ i, idx })).sort((a, b) => a.i.stage - b.i.stage || a.idx - b.idx).map((x) => x.i);
  for (const i of ordered) {
    const row = sheet.addRow(itemRowValues(i));
    const fill = i.warning === "red" ? FILL_RED : i.warning === "yellow" ? FILL_YELLOW : null;
    if (fill) row.eachCell({ includeEmpty: true }, (cell) => (cell.fill = fill));
  }

  const buffer = Buffer.from(await wb.xlsx.writeBuffer());
  return { buffer, fileName: ledgerFileName(project.name) };
}

export async function exportLedger(ctx: ServiceContext, actor: Actor, projectId: number): Promise<Buffer> {
  return (await exportLedgerFile(ctx, actor, projectId)).buffer;
}

// ---------------------------------------------------------------- the city-wide ledger

const PROJECT_WIDTHS: Record<LedgerProjectHeader, number> = {
  项目代码: 28,
  项目名称: 30,
  建设单位: 30,
  统一社会信用代码: 22,
  "投资额（万元）": 14,
  所属行业: 12,
  建设地点: 24,
  项目级别: 10,
  模板: 20,
  签约日期: 12,
  计划开工日期: 14,
  代办员: 16,
  项目状态: 12,
};

function styleHeader(sheet: ExcelJS.Worksheet, columns: number) {
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.fill = FILL_HEADER;
  header.alignment = { vertical: "middle" };
  sheet.views = [{ state: "frozen", ySplit: 1 }];
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns } };
}

/** Ids of the projects the actor may see, oldest first (the policy's rule, as the project list applies it). */
function visibleProjectIds(ctx: ServiceContext, actor: Actor): number[] {
  const { db } = ctx;
  const conds = [];
  if (actor.role === "enterprise") conds.push(eq(projects.enterpriseId, actor.enterpriseId ?? -1));
  if (actor.role === "dept") {
    conds.push(inArray(projects.id, db.select({ id: items.projectId }).from(items).where(eq(items.departmentId, actor.departmentId ?? -1))));
  }
  return db
    .select({ id: projects.id })
    .from(projects)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(asc(projects.id))
    .all()
    .map((r) => r.id);
}

/**
 * How a proxy officer is written in 代办员: the display name people know, or the login
 * where another proxy officer has the same name, so that the import finds exactly one.
 */
function proxyNamer(ctx: ServiceContext): (p: { id: number; displayName: string }) => string {
  const all = ctx.db.select({ id: users.id, login: users.login, displayName: users.displayName }).from(users).where(eq(users.role, "proxy")).all();
  const count = new Map<string, number>();
  for (const u of all) count.set(u.displayName, (count.get(u.displayName) ?? 0) + 1);
  const login = new Map(all.map((u) => [u.id, u.login]));
  return (p) => ((count.get(p.displayName) ?? 0) > 1 ? (login.get(p.id) ?? p.displayName) : p.displayName);
}

/**
 * The city-wide 代办台账: sheet 项目台账 (one row per project the actor may see) and
 * sheet 审批事项 (every item of those projects, with the project's code first). It is
 * exactly the workbook /admin/import reads (README "Excel ledger import"), so a
 * city's ledger moves between deployments as an export and an import.
 */
export async function exportCityLedgerFile(ctx: ServiceContext, actor: Actor): Promise<{ buffer: Buffer; fileName: string }> {
  const wb = new ExcelJS.Workbook();
  wb.creator = "绿色通道";
  wb.created = ctx.now;
  const projectSheet = wb.addWorksheet(PROJECT_SHEET);
  projectSheet.columns = LEDGER_PROJECT_HEADERS.map((h) => ({
    header: h,
    key: h,
    width: PROJECT_WIDTHS[h],
    style: LEDGER_DATE_HEADERS.has(h) ? { numFmt: "yyyy-mm-dd" } : {},
  }));
  styleHeader(projectSheet, LEDGER_PROJECT_HEADERS.length);
  const itemSheet = wb.addWorksheet(ITEM_SHEET);
  itemSheet.columns = LEDGER_CITY_ITEM_HEADERS.map((h) => ({
    header: h,
    key: h,
    width: h === "项目代码" ? 28 : WIDTHS[LEDGER_ITEM_HEADERS.indexOf(h as LedgerItemHeader)],
    style: LEDGER_DATE_HEADERS.has(h) ? { numFmt: "yyyy-mm-dd" } : {},
  }));
  styleHeader(itemSheet, LEDGER_CITY_ITEM_HEADERS.length);

  const nameOf = proxyNamer(ctx);
  for (const id of visibleProjectIds(ctx, actor)) {
    const view = projectViewOf(loadProjectContext(ctx, actor, id));
    const { project, enterprise } = view;
    const values: Record<LedgerProjectHeader, ExcelJS.CellValue> = {
      项目代码: project.code,
      项目名称: project.name,
      建设单位: enterprise.name,
      统一社会信用代码: enterprise.creditCode,
      "投资额（万元）": project.investment,
      所属行业: project.industry,
      建设地点: project.location,
      项目级别: PROJECT_LEVEL_LABELS[project.level] ?? project.level,
      模板: project.templateKey,
      签约日期: excelDate(project.signedOn),
      计划开工日期: excelDate(project.targetStartOn),
      代办员: view.proxies.map(nameOf).join("、"),
      项目状态: project.statusLabel,
    };
    projectSheet.addRow(values);
    const ordered = view.items.map((i, idx) => ({ i, idx })).sort((a, b) => a.i.stage - b.i.stage || a.idx - b.idx).map((x) => x.i);
    for (const i of ordered) {
      const row = itemSheet.addRow({ 项目代码: project.code, ...itemRowValues(i) });
      const fill = i.warning === "red" ? FILL_RED : i.warning === "yellow" ? FILL_YELLOW : null;
      if (fill) row.eachCell({ includeEmpty: true }, (cell) => (cell.fill = fill));
    }
  }

  const buffer = Buffer.from(await wb.xlsx.writeBuffer());
  return { buffer, fileName: `代办台账-${shanghaiToday(ctx.now)}.xlsx` };
}
