/**
 * Validation of an imported 代办台账 (README "Excel ledger import"): every project row
 * of sheet 项目台账 and every item row of sheet 审批事项 is checked against what the
 * deployment has (templates, departments, proxy officers, registered enterprises), and
 * each problem is reported on its own row in Chinese. A row without problems comes
 * with the plan to create it: its fields, its template, and per item the department
 * and the dated clock events that reproduce the ledger's state.
 *
 * Pure: the service reads the workbook and the database and passes plain values in;
 * the web preview and the worker's import run this same function, so what the preview
 * promised is what the worker does (re-checked against the database of that moment).
 */
import { formatDay, type DayNum, type WorkingCalendar } from "~/domain/calendar";
import { applyClockEvent, initialClockState, type ClockEvent, type ClockSpec, type ClockState } from "~/domain/clock";
import { checkCreditCode, CREDIT_CODE_MESSAGES, normalizeCreditCode } from "~/domain/enterprise/credit-code";
import type { Template, TemplateItem } from "~/domain/graph/template";
import { checkProjectCode, normalizeProjectCode, PROJECT_CODE_MESSAGES } from "~/domain/project/code";
import { PROJECT_LEVEL_LABELS, PROJECT_LEVELS } from "~/domain/project/types";
import { unsafeTextProblem } from "~/domain/validation/text";
import { cellText, readDate, readNumber, splitNames, type LedgerCell } from "./cells";
import type { LedgerProjectHeader, READ_ITEM_HEADERS } from "./columns";
import { ledgerItemEvents, type LedgerOutcome } from "./status";

export type ProjectLevel = (typeof PROJECT_LEVELS)[number];
type ItemColumn = (typeof READ_ITEM_HEADERS)[number];

/** One data row of sheet 项目台账: its Excel row number and its cells by header. */
export interface ProjectRowInput {
  row: number;
  values: Partial<Record<LedgerProjectHeader, LedgerCell>>;
}

/** One data row of sheet 审批事项. */
export interface ItemRowInput {
  row: number;
  values: Partial<Record<ItemColumn, LedgerCell>>;
}

/** A template a row may name: usable (with its definition) or known but unusable now, with why. */
export interface TemplateChoice {
  key: string;
  name: string;
  template: Template | null;
  problem?: string;
}

export interface LedgerLookups {
  /** The business date of the check (Asia/Shanghai): no event may lie after it. */
  today: DayNum;
  calendar: WorkingCalendar;
  templates: readonly TemplateChoice[];
  departments: readonly { code: string; name: string; active: boolean }[];
  /** Active proxy officers. */
  proxies: readonly { id: number; login: string; displayName: string }[];
  /** Registered enterprises: normalized credit code → name. */
  enterpriseNames: ReadonlyMap<string, string>;
  /** Project codes already in the database. */
  existingCodes: ReadonlySet<string>;
}

export type LedgerAction = "create" | "skip_existing" | "invalid";

export interface ItemProblem {
  /** Row number in sheet 审批事项. */
  row: number;
  item: string;
  problems: string[];
}

/** One project row as the preview shows it (stored as JSON on the import job). */
export interface LedgerRowReport {
  /** Row number in sheet 项目台账. */
  row: number;
  code: string;
  name: string;
  /** The template as the row named it, or its name once recognised. */
  template: string;
  problems: string[];
  itemProblems: ItemProblem[];
  /** Item rows with a state (events to record) for this project. */
  items: number;
  action: LedgerAction;
}

/** An item row whose 项目代码 matches no project row: reported apart, it cannot block a project. */
export interface OrphanItemRow {
  row: number;
  code: string;
  item: string;
  problems: string[];
}

export interface LedgerItemPlan {
  row: number;
  key: string;
  /** The department to assign when the ledger names another than the template's; undefined keeps the template's. */
  departmentCode?: string;
  outcome: LedgerOutcome;
  events: ClockEvent[];
  state: ClockState;
}

export interface LedgerProjectPlan {
  row: number;
  code: string;
  name: string;
  enterprise: { name: string; creditCode: string };
  investment: number;
  industry: string;
  location: string;
  level: ProjectLevel;
  template: Template;
  signedOn: string;
  targetStartOn: string;
  proxyIds: number[];
  items: LedgerItemPlan[];
}

export interface LedgerCounts {
  create: number;
  skip_existing: number;
  invalid: number;
}

export interface LedgerAnalysis {
  rows: LedgerRowReport[];
  orphanItems: OrphanItemRow[];
  counts: LedgerCounts;
  /** Plans of the rows without problems, by row number (whether or not the code exists already). */
  plans: Map<number, LedgerProjectPlan>;
}

/** 项目代码 as officers paste it (full-width digits, long dashes, spaces) read as the platform's code. */
function codeOf(cell: LedgerCell): string {
  return normalizeProjectCode(cellText(cell));
}

function lengthProblem(value: string, label: string, min: number, max: number): string | null {
  if (value.length === 0) return `缺少${label}`;
  if (value.length < min) return `${label}至少 ${min} 个字`;
  if (value.length > max) return `${label}过长（最多 ${max} 个字）`;
  return null;
}

const LEVEL_BY_TEXT = new Map<string, ProjectLevel>(
  PROJECT_LEVELS.flatMap((l) => [
    [PROJECT_LEVEL_LABELS[l], l],
    [l, l],
  ]),
);

/** 省重点 / 市重点 / 县重点 (or the stored key); blank is 市重点, the default of a new project. */
export function readLevel(cell: LedgerCell): { ok: true; level: ProjectLevel } | { ok: false; message: string } {
  const text = cellText(cell).replace(/\s+/g, "");
  if (text === "") return { ok: true, level: "city" };
  const level = LEVEL_BY_TEXT.get(text);
  if (level) return { ok: true, level };
  return { ok: false, message: `项目级别「${text}」无法识别，可填：${PROJECT_LEVELS.map((l) => PROJECT_LEVEL_LABELS[l]).join("、")}` };
}

/** The template a cell names, by key or by its Chinese name. */
export function findTemplate(cell: LedgerCell, templates: readonly TemplateChoice[]): { ok: true; choice: TemplateChoice } | { ok: false; message: string } {
  const text = cellText(cell);
  if (text === "") return { ok: false, message: "缺少模板" };
  const choice = templates.find((t) => t.key === text) ?? templates.find((t) => t.name === text);
  if (choice) return { ok: true, choice };
  const offered = templates.map((t) => `${t.key}（${t.name}）`).join("、");
  return { ok: false, message: `未知模板「${text}」${offered ? `，可填：${offered}` : "：系统中还没有可用的模板"}` };
}

/** The item of a template a cell names: by key first, then by name (which must then be unique). */
export function findTemplateItem(text: string, template: Template): { ok: true; item: TemplateItem } | { ok: false; message: string } {
  const byKey = template.items.find((i) => i.key === text);
  if (byKey) return { ok: true, item: byKey };
  const byName = template.items.filter((i) => i.name === text);
  if (byName.length === 1) return { ok: true, item: byName[0] };
  if (byName.length > 1) return { ok: false, message: `模板「${template.name}」中有多个名为「${text}」的事项，请填写事项代码（${byName.map((i) => i.key).join("、")}）` };
  return { ok: false, message: `模板「${template.name}」中没有事项「${text}」` };
}

/** A department by code (简称) or by full name; deactivated ones are refused for new work. */
export function findDepartment(text: string, departments: LedgerLookups["departments"]): { ok: true; code: string } | { ok: false; message: string } {
  const byCode = departments.find((d) => d.code === text);
  const byName = byCode ? [byCode] : departments.filter((d) => d.name === text);
  if (byName.length === 0) return { ok: false, message: `未知部门「${text}」（请填写系统中的部门名称或简称）` };
  if (byName.length > 1) return { ok: false, message: `部门名称「${text}」对应多个部门，请填写部门简称（${byName.map((d) => d.code).join("、")}）` };
  if (!byName[0].active) return { ok: false, message: `部门「${text}」已停用，不能分配新的事项` };
  return { ok: true, code: byName[0].code };
}

/** Proxy officers named in one cell, by login or by display name (which must then be unique). */
export function findProxies(cell: LedgerCell, proxies: LedgerLookups["proxies"]): { ids: number[]; problems: string[] } {
  const ids: number[] = [];
  const problems: string[] = [];
  for (const name of splitNames(cell)) {
    const byLogin = proxies.find((p) => p.login === name);
    const matches = byLogin ? [byLogin] : proxies.filter((p) => p.displayName === name);
    if (matches.length === 0) problems.push(`代办员「${name}」不是系统中启用的代办员（请填写登录名或姓名）`);
    else if (matches.length > 1) problems.push(`姓名「${name}」对应多名代办员，请改填登录名（${matches.map((p) => p.login).join("、")}）`);
    else if (!ids.includes(matches[0].id)) ids.push(matches[0].id);
  }
  return { ids, problems };
}

function specOf(item: TemplateItem): ClockSpec {
  return {
    kind: item.kind,
    statutoryLimit: item.statutoryLimit ?? null,
    promisedLimit: item.promisedLimit ?? null,
    limitUnit: item.limitUnit,
    plannedDuration: item.plannedDuration ?? null,
    correctionRestartsClock: item.correctionRestartsClock ?? false,
    yellowLead: item.yellowLead ?? null,
  };
}

/** Plays the events on the clock, as recording them one by one would: the clock's own refusal is the problem. */
function replay(events: readonly ClockEvent[], spec: ClockSpec, cal: WorkingCalendar): { ok: true; state: ClockState } | { ok: false; message: string } {
  let state = initialClockState();
  for (const ev of events) {
    const r = applyClockEvent(state, ev, spec, cal);
    if (!r.ok) return { ok: false, message: r.message };
    state = r.state;
  }
  return { ok: true, state };
}

interface ProjectCheck {
  report: LedgerRowReport;
  plan: Omit<LedgerProjectPlan, "items"> | null;
  template: Template | null;
  signedOn: DayNum | null;
}

/** Each text cell of a row with characters no field may hold (app/domain/validation/text.ts), named by its column. */
function unsafeCells(values: Record<string, LedgerCell | undefined>): string[] {
  return Object.entries(values).flatMap(([header, cell]) => {
    const problem = typeof cell === "string" ? unsafeTextProblem(cell) : null;
    return problem ? [`${header}${problem}`] : [];
  });
}

function checkProjectRow(input: ProjectRowInput, lk: LedgerLookups): ProjectCheck {
  const v = input.values;
  const problems: string[] = unsafeCells(v);
  const add = (p: string | null) => p !== null && problems.push(p);

  const code = codeOf(v["项目代码"] ?? null);
  if (code === "") problems.push("缺少项目代码");
  else {
    // The platform's shape, as the intake form checks it: the code is the match key of every later import.
    const bad = checkProjectCode(code);
    if (bad) problems.push(`${PROJECT_CODE_MESSAGES[bad]}（${code}）`);
  }
  const name = cellText(v["项目名称"] ?? null);
  add(lengthProblem(name, "项目名称", 2, 100));
  const enterpriseName = cellText(v["建设单位"] ?? null);
  add(lengthProblem(enterpriseName, "建设单位", 2, 100));

  const rawCredit = cellText(v["统一社会信用代码"] ?? null);
  const creditCode = normalizeCreditCode(rawCredit);
  if (rawCredit === "") problems.push("缺少统一社会信用代码");
  else {
    const bad = checkCreditCode(rawCredit);
    if (bad) problems.push(`${CREDIT_CODE_MESSAGES[bad]}（${rawCredit}）`);
    else {
      const registered = lk.enterpriseNames.get(creditCode);
      if (registered !== undefined && enterpriseName !== "" && registered !== enterpriseName) {
        problems.push(`统一社会信用代码 ${creditCode} 已登记为「${registered}」，与建设单位「${enterpriseName}」不一致`);
      }
    }
  }

  const investment = readNumber(v["投资额（万元）"] ?? null, "投资额（万元）");
  if (!investment.ok) problems.push(investment.message);
  else if (investment.value !== null && investment.value < 0) problems.push("投资额（万元）不能为负");
  else if (investment.value !== null && investment.value > 1e9) problems.push("投资额（万元）过大");
  const industry = cellText(v["所属行业"] ?? null);
  if (industry.length > 50) problems.push("所属行业过长（最多 50 个字）");
  const location = cellText(v["建设地点"] ?? null);
  if (location.length > 100) problems.push("建设地点过长（最多 100 个字）");
  const level = readLevel(v["项目级别"] ?? null);
  if (!level.ok) problems.push(level.message);

  const templateCell = v["模板"] ?? null;
  const found = findTemplate(templateCell, lk.templates);
  let template: Template | null = null;
  if (!found.ok) problems.push(found.message);
  else if (!found.choice.template) problems.push(found.choice.problem ?? `模板「${found.choice.key}」暂不能使用`);
  else template = found.choice.template;

  const signed = readDate(v["签约日期"] ?? null, "签约日期");
  const target = readDate(v["计划开工日期"] ?? null, "计划开工日期");
  if (!signed.ok) problems.push(signed.message);
  else if (signed.day === null) problems.push("缺少签约日期");
  if (!target.ok) problems.push(target.message);
  else if (target.day === null) problems.push("缺少计划开工日期");
  const signedOn = signed.ok ? signed.day : null;
  const targetOn = target.ok ? target.day : null;
  if (signedOn !== null && targetOn !== null && targetOn < signedOn) {
    problems.push(`计划开工日期（${formatDay(targetOn)}）不能早于签约日期（${formatDay(signedOn)}）`);
  }

  const proxies = findProxies(v["代办员"] ?? null, lk.proxies);
  problems.push(...proxies.problems);

  const report: LedgerRowReport = {
    row: input.row,
    code,
    name,
    template: found.ok ? found.choice.name : cellText(templateCell),
    problems,
    itemProblems: [],
    items: 0,
    action: "invalid",
  };
  const plan =
    problems.length === 0
      ? {
          row: input.row,
          code,
          name,
          enterprise: { name: enterpriseName, creditCode },
          investment: investment.ok ? (investment.value ?? 0) : 0,
          industry,
          location,
          level: level.ok ? level.level : "city",
          template: template!,
          signedOn: formatDay(signedOn!),
          targetStartOn: formatDay(targetOn!),
          proxyIds: proxies.ids,
        }
      : null;
  return { report, plan, template, signedOn };
}

/**
 * Checks a whole workbook. `items` is null when the workbook has no sheet 审批事项
 * (every item then stays as instantiated, 待办理).
 */
export function analyzeLedger(projectRows: readonly ProjectRowInput[], itemRows: readonly ItemRowInput[] | null, lk: LedgerLookups): LedgerAnalysis {
  const checks = projectRows.map((r) => checkProjectRow(r, lk));

  // Codes and credit codes across rows: a code twice is ambiguous (which row is right?), so every copy is refused.
  const rowsByCode = new Map<string, number[]>();
  for (const c of checks) if (c.report.code) rowsByCode.set(c.report.code, [...(rowsByCode.get(c.report.code) ?? []), c.report.row]);
  const firstNameOfCredit = new Map<string, { name: string; row: number }>();
  projectRows.forEach((input, i) => {
    const c = checks[i];
    const others = (rowsByCode.get(c.report.code) ?? []).filter((r) => r !== c.report.row);
    if (others.length) c.report.problems.push(`项目代码「${c.report.code}」在第 ${others.join("、")} 行重复出现`);
    const raw = cellText(input.values["统一社会信用代码"] ?? null);
    const enterpriseName = cellText(input.values["建设单位"] ?? null);
    if (raw && !checkCreditCode(raw) && enterpriseName) {
      const credit = normalizeCreditCode(raw);
      const first = firstNameOfCredit.get(credit);
      if (!first) firstNameOfCredit.set(credit, { name: enterpriseName, row: input.row });
      else if (first.name !== enterpriseName) {
        c.report.problems.push(`统一社会信用代码 ${credit} 在第 ${first.row} 行的建设单位为「${first.name}」，与本行「${enterpriseName}」不一致`);
      }
    }
  });

  const byCode = new Map<string, ProjectCheck>();
  for (const c of checks) if (c.report.code && !byCode.has(c.report.code)) byCode.set(c.report.code, c);
  const itemPlans = new Map<ProjectCheck, LedgerItemPlan[]>();
  const seenItem = new Map<string, number>();
  const orphanItems: OrphanItemRow[] = [];

  for (const input of itemRows ?? []) {
    const v = input.values;
    const code = codeOf(v["项目代码"] ?? null);
    const itemText = cellText(v["事项"] ?? null);
    const owner = code ? byCode.get(code) : undefined;
    if (!owner) {
      orphanItems.push({ row: input.row, code, item: itemText, problems: [code ? `项目台账中没有项目代码「${code}」` : "缺少项目代码"] });
      continue;
    }
    const problems: string[] = unsafeCells(v);
    const template = owner.template;
    let item: TemplateItem | null = null;
    if (itemText === "") problems.push("缺少事项");
    else if (template) {
      const found = findTemplateItem(itemText, template);
      if (!found.ok) problems.push(found.message);
      else {
        item = found.item;
        const seenKey = `${code}\u0000${item.key}`;
        const earlier = seenItem.get(seenKey);
        if (earlier !== undefined) problems.push(`与第 ${earlier} 行是同一事项`);
        else seenItem.set(seenKey, input.row);
      }
    }

    let departmentCode: string | undefined;
    const deptText = cellText(v["部门"] ?? null);
    if (deptText) {
      const dept = findDepartment(deptText, lk.departments);
      if (!dept.ok) problems.push(dept.message);
      else if (item && dept.code !== (item.department ?? null)) departmentCode = dept.code;
    }

    if (item) {
      const reading = ledgerItemEvents(
        { status: v["状态"] ?? null, acceptedOn: v["受理日期"] ?? null, decidedOn: v["办结日期"] ?? null },
        { kind: item.kind, today: lk.today, waiveFallback: owner.signedOn },
      );
      if (!reading.ok) problems.push(...reading.problems);
      else {
        const played = replay(reading.events, specOf(item), lk.calendar);
        if (!played.ok) problems.push(played.message);
        else if (problems.length === 0) {
          const list = itemPlans.get(owner) ?? [];
          list.push({ row: input.row, key: item.key, departmentCode, outcome: reading.outcome, events: reading.events, state: played.state });
          itemPlans.set(owner, list);
        }
      }
    }
    if (problems.length) owner.report.itemProblems.push({ row: input.row, item: itemText, problems });
  }

  const plans = new Map<number, LedgerProjectPlan>();
  const counts: LedgerCounts = { create: 0, skip_existing: 0, invalid: 0 };
  for (const c of checks) {
    const items = itemPlans.get(c) ?? [];
    c.report.items = items.filter((i) => i.events.length > 0).length;
    const valid = c.plan !== null && c.report.problems.length === 0 && c.report.itemProblems.length === 0;
    // A code already in the database is skipped whatever the row says: the import never touches an existing project.
    c.report.action = c.report.code && lk.existingCodes.has(c.report.code) ? "skip_existing" : valid ? "create" : "invalid";
    counts[c.report.action]++;
    if (valid) plans.set(c.report.row, { ...c.plan!, items });
  }
  return { rows: checks.map((c) => c.report), orphanItems, counts, plans };
}
