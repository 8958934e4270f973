import { and, desc, eq, inArray, or, sql } from "drizzle-orm";
import { z } from "zod";
import { zhFieldErrorMap } from "~/domain/validation/zh-error-map";
import {
  departments,
  dependencies,
  enterprises,
  itemMaterials,
  items,
  materials,
  projectProxies,
  projects,
} from "../../db/schema";
import { PROJECT_STATUSES, PROJECT_STATUS_LABELS } from "~/domain/project/types";
import { canViewProject, decide, type Actor } from "~/domain/access/policy";
import { parseDate, shanghaiDay, type DayNum } from "~/domain/calendar";
import { allowedEvents, isFinished, readClock, type ClockEventType, type ItemKind, type ItemStatus } from "~/domain/clock";
import { checkCreditCode, CREDIT_CODE_MESSAGES, normalizeCreditCode } from "~/domain/enterprise/credit-code";
import { validateTemplate, type Template } from "~/domain/graph/template";
import { computeSchedule, serializeSchedule, type Schedule, type SerializedSchedule } from "~/domain/schedule";
import type { Db } from "~/utils/db.server";
import { writeAudit } from "./audit.server";
import { getCalendar } from "./time-rules.server";
import type { ServiceContext } from "./context.server";
import { AppError, invalidInput } from "./errors.server";
import { loadProjectFor, readStoredClock, scheduleInputOf, type ProjectAggregate } from "./project-aggregate.server";
import { getTemplateCatalog } from "./template-registry.server";
import { getPolicy } from "./time-rules.server";


// ---------------------------------------------------------------- list

/** "临期": due within this many working days (the officer's next-actions horizon). */
export const DUE_SOON_WORKING_DAYS = 2;

const listSchema = z.object({
  q: z.string().trim().max(100).optional().default(""),
  status: z.enum(["", ...PROJECT_STATUSES]).optional().default(""),
});

export interface ProjectListRow {
  id: number;
  code: string;
  name: string;
  enterpriseName: string;
  status: (typeof PROJECT_STATUSES)[number];
  statusLabel: string;
  signedOn: string;
  targetStartOn: string;
  investment: number;
  itemsTotal: number;
  itemsDone: number;
  overdue: number;
  dueSoon: number;
}

/**
 * Projects the actor may see, filtered. Counts come from the stored clock
 * columns (dueOn is exact for running items), so the list never replays events.
 */
export function listProjects(ctx: ServiceContext, actor: Actor, rawFilter: unknown): ProjectListRow[] {
  const parsed = listSchema.safeParse(rawFilter ?? {}, { errorMap: zhFieldErrorMap });
  const filter = parsed.success ? parsed.data : { q: "", status: "" as const };
  const { db } = ctx;
  const conds = [];
  if (filter.q) {
    const pat = `%${filter.q.replace(/[%_]/g, (c) => `\\${c}`)}%`;
    conds.push(
      or(sql`${projects.name} like ${pat} escape '\\'`, sql`${projects.code} like ${pat} escape '\\'`, sql`${enterprises.name} like ${pat} escape '\\'`),
    );
  }
  if (filter.status) conds.push(eq(projects.status, filter.status));
  if (actor.role === "enterprise") conds.push(eq(projects.enterpriseId, actor.enterpriseId ?? -1));
  if (actor.role === "dept") {
    conds.push(
      inArray(
        projects.id,
        db.select({ id: items.projectId }).from(items).where(eq(items.departmentId, actor.departmentId ?? -1)),
      ),
    );
  }
  const rows = db
    .select({ p: projects, enterpriseName: enterprises.name })
    .from(projects)
    .innerJoin(enterprises, eq(enterprises.id, projects.enterpriseId))
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(projects.id))
    .limit(500)
    .all();
  if (!rows.length) return [];
  const cal = getCalendar(db);
  const today = shanghaiDay(ctx.now);
  const itemRows = db
    .select()
    .from(items)
    .where(inArray(items.projectId, rows.map((r) => r.p.id)))
    .all();
  const lead = defaultYellowLead(db);
  const stats = new Map<number, { total: number; done: number; overdue: number; soon: number }>();
  for (const it of itemRows) {
    const s = stats.get(it.projectId) ?? { total: 0, done: 0, overdue: 0, soon: 0 };
    s.total++;
    if (isFinished(it.status)) s.done++;
    const r = readStoredClock(it, cal, today, lead);
    if (r.warning === "red") s.overdue++;
    else if (r.remainingWorkingDays !== null && r.remainingWorkingDays <= DUE_SOON_WORKING_DAYS) s.soon++;
    stats.set(it.projectId, s);
  }
  return rows.map(({ p, enterpriseName }) => {
    const s = stats.get(p.id) ?? { total: 0, done: 0, overdue: 0, soon: 0 };
    return {
      id: p.id,
      code: p.code,
      name: p.name,
      enterpriseName,
      status: p.status,
      statusLabel: PROJECT_STATUS_LABELS[p.status],
      signedOn: p.signedOn,
      targetStartOn: p.targetStartOn,
      investment: p.investment,
      itemsTotal: s.total,
      itemsDone: s.done,
      overdue: s.overdue,
      dueSoon: s.soon,
    };
  });
}

// ---------------------------------------------------------------- detail

export interface ItemView {
  id: number;
  key: string;
  name: string;
  kind: ItemKind;
  department: string | null;
  departmentName: string | null;
  stage: number;
  status: ItemStatus;
  statutoryLimit: number | null;
  promisedLimit: number | null;
  limitUnit: string;
  plannedDuration: number | null;
  acceptedOn: string | null;
  dueOn: string | null;
  decidedOn: string | null;
  remainingWorkingDays: number | null;
  warning: "none" | "yellow" | "red";
  paused: boolean;
  commitmentOn: string | null;
  commitmentWarning: "none" | "yellow" | "red";
  version: number;
  /** Events the viewing user may record now (empty when they may not act on this item). */
  allowed: ClockEventType[];
  slack: number | null;
  critical: boolean;
  ready: boolean;
}

export interface ProjectView {
  project: ProjectAggregate["project"] & { statusLabel: string };
  enterprise: ProjectAggregate["enterprise"];
  proxies: ProjectAggregate["proxies"];
  items: ItemView[];
  schedule: SerializedSchedule;
  daysSinceSigning: number;
  can: { recordEvents: boolean; edit: boolean };
}

function itemViews(agg: ProjectAggregate, asOf: DayNum, ctx: ServiceContext, actor: Actor, schedule: Schedule): ItemView[] {
  const cal = getCalendar(ctx.db);
  const yellowLead = defaultYellowLead(ctx.db);
  const planned = new Map(schedule.items.map((s) => [s.key, s]));
  return agg.items.map((i) => {
    const mayAct = decide(actor, "item.recordEvent", { project: agg.facts, item: { departmentId: i.row.departmentId } }).allowed;
    const plan = planned.get(i.row.key);
    const r = readClock(i.state, i.spec, cal, asOf, yellowLead);
    const fmt = (d: DayNum | null) => (d === null ? null : cal.format(d));
    return {
      id: i.row.id,
      key: i.row.key,
      name: i.row.name,
      kind: i.row.kind,
      department: i.departmentCode,
      departmentName: i.departmentName,
      stage: i.row.stage,
      status: i.state.status,
      statutoryLimit: i.row.statutoryLimit,
      promisedLimit: i.row.promisedLimit,
      limitUnit: i.row.limitUnit,
      plannedDuration: i.row.plannedDuration,
      acceptedOn: fmt(i.state.acceptedOn),
      dueOn: fmt(r.dueOn),
      decidedOn: fmt(i.state.decidedOn),
      remainingWorkingDays: r.remainingWorkingDays,
      warning: r.warning,
      paused: r.paused,
      commitmentOn: fmt(i.state.commitmentOn),
      commitmentWarning: r.commitmentWarning,
      version: i.row.version,
      allowed: mayAct ? allowedEvents(i.state, i.spec) : [],
      slack: plan?.totalSlack ?? null,
      critical: plan?.critical ?? false,
      ready: plan?.ready ?? false,
    };
  });
}

/** Deployment-wide yellow lead in working days (DESIGN §4 default 1); per-item values override it. */
export function defaultYellowLead(db: Db): number {
  return getPolicy(db).yellowLead;
}

export function planOf(agg: ProjectAggregate, ctx: ServiceContext, asOf: DayNum): Schedule {
  return computeSchedule(scheduleInputOf(agg), getCalendar(ctx.db), asOf, defaultYellowLead(ctx.db));
}

export function getProjectView(ctx: ServiceContext, actor: Actor, projectId: number): ProjectView {
  const agg = loadProjectFor(ctx.db, actor, projectId, getCalendar(ctx.db));
  return projectViewOf(agg, ctx, actor, planOf(agg, ctx, shanghaiDay(ctx.now)));
}

/** The project page's numbers from an already loaded aggregate and plan (the workspace reuses both). */
export function projectViewOf(agg: ProjectAggregate, ctx: ServiceContext, actor: Actor, plan: Schedule): ProjectView {
  const cal = getCalendar(ctx.db);
  const today = shanghaiDay(ctx.now);
  return {
    project: { ...agg.project, statusLabel: PROJECT_STATUS_LABELS[agg.project.status] },
    enterprise: agg.enterprise,
    proxies: agg.proxies,
    items: itemViews(agg, today, ctx, actor, plan),
    schedule: serializeSchedule(plan, cal),
    daysSinceSigning: today - parseDate(agg.project.signedOn)!,
    can: {
      recordEvents: agg.items.some((i) => decide(actor, "item.recordEvent", { project: agg.facts, item: { departmentId: i.row.departmentId } }).allowed),
      edit: decide(actor, "project.edit", { project: agg.facts }).allowed,
    },
  };
}

/** The API's project document: the project and each item's clock state (DESIGN §6). */
export function getProjectDocument(ctx: ServiceContext, actor: Actor, projectId: number) {
  const view = getProjectView(ctx, actor, projectId);
  const { project, enterprise } = view;
  return {
    id: project.id,
    code: project.code,
    name: project.name,
    status: project.status,
    enterprise: { name: enterprise.name, creditCode: enterprise.creditCode },
    templateKey: project.templateKey,
    signedOn: project.signedOn,
    targetStartOn: project.targetStartOn,
    forecastStartOn: view.schedule.forecastStartOn,
    atRisk: view.schedule.atRisk,
    provisional: view.schedule.provisional,
    items: view.items.map((i) => ({
      key: i.key,
      name: i.name,
      kind: i.kind,
      department: i.department,
      stage: i.stage,
      status: i.status,
      statutoryLimit: i.statutoryLimit,
      promisedLimit: i.promisedLimit,
      limitUnit: i.limitUnit,
      acceptedOn: i.acceptedOn,
      dueOn: i.dueOn,
      decidedOn: i.decidedOn,
      remainingWorkingDays: i.remainingWorkingDays,
      warning: i.warning,
      paused: i.paused,
      commitmentOn: i.commitmentOn,
      commitmentWarning: i.commitmentWarning,
    })),
  };
}

export function getProjectSchedule(ctx: ServiceContext, actor: Actor, projectId: number, asOfText?: string | null) {
  let asOf = shanghaiDay(ctx.now);
  if (asOfText) {
    const d = parseDate(asOfText);
    if (d === null) throw new AppError("bad_request", `asOf 日期无效：${asOfText}（格式 YYYY-MM-DD）`);
    asOf = d;
  }
  const cal = getCalendar(ctx.db);
  const agg = loadProjectFor(ctx.db, actor, projectId, cal);
  return serializeSchedule(planOf(agg, ctx, asOf), cal);
}

// ---------------------------------------------------------------- create

const dateText = (label: string) =>
  z
    .string({ required_error: `请填写${label}`, invalid_type_error: `${label}应为日期字符串` })
    .refine((s) => parseDate(s) !== null, { message: `${label}不是有效日期（格式 YYYY-MM-DD）` });

const createSchema = z
  .object({
    name: z.string({ required_error: "请填写项目名称" }).trim().min(2, "项目名称至少 2 个字").max(100, "项目名称过长"),
    code: z.string().trim().max(40).optional(),
    enterprise: z.object(
      {
        name: z.string({ required_error: "请填写企业名称" }).trim().min(2, "企业名称至少 2 个字").max(100, "企业名称过长"),
        creditCode: z.string({ required_error: "请填写统一社会信用代码" }).superRefine((v, c) => {
          const problem = checkCreditCode(v);
          if (problem) c.addIssue({ code: "custom", message: CREDIT_CODE_MESSAGES[problem] });
        }),
      },
      { required_error: "请填写企业信息", invalid_type_error: "企业信息格式不正确" },
    ),
    templateKey: z.string().optional(),
    template: z.unknown().optional(),
    signedOn: dateText("签约日期"),
    targetStartOn: dateText("计划开工日期"),
    investment: z.number().nonnegative("投资额不能为负").max(1e9).optional(),
    industry: z.string().trim().max(50).optional(),
    location: z.string().trim().max(100).optional(),
    level: z.enum(["province", "city", "county"]).optional(),
  })
  .refine((v) => (v.templateKey ? 1 : 0) + (v.template !== undefined ? 1 : 0) === 1, {
    message: "请提供 templateKey 或内联 template（二选一）",
    path: ["templateKey"],
  })
  .refine((v) => parseDate(v.targetStartOn)! >= parseDate(v.signedOn)!, {
    message: "计划开工日期不能早于签约日期",
    path: ["targetStartOn"],
  });

function departmentIdsByCode(db: Db): Map<string, number> {
  return new Map(db.select({ id: departments.id, code: departments.code }).from(departments).all().map((d) => [d.code, d.id]));
}

function resolveTemplate(db: Db, input: { templateKey?: string; template?: unknown }, deptCodes: string[]): Template {
  if (input.templateKey) {
    const t = getTemplateCatalog(deptCodes).get(input.templateKey);
    if (!t) throw new AppError("invalid", `未知模板「${input.templateKey}」`, { templateKey: "未知模板" });
    return t;
  }
  const result = validateTemplate(input.template, { file: "template", departments: deptCodes });
  if (!result.ok) {
    const msg = result.problems.map((p) => `${p.path}: ${p.message}`).join("；");
    throw new AppError("invalid", `模板无效：${msg}`, { template: msg });
  }
  return result.template;
}

function generateProjectCode(db: Db, signedOn: string): string {
  const year = signedOn.slice(0, 4);
  const n = db.get<{ n: number }>(sql`select count(*) as n from projects`).n + 1;
  // 项目代码 shape: year-region-industry-type-serial (全国投资项目在线审批监管平台).
  return `${year}-330100-34-03-${String(n).padStart(6, "0")}`;
}

/**
 * Creates a project from a template: enterprise (found or created by credit
 * code), items, dependencies and the deduplicated materials list, in one
 * transaction with its audit row.
 */
export function createProject(ctx: ServiceContext, actor: Actor, raw: unknown): { id: number } {
  if (!decide(actor, "project.create").allowed) throw new AppError("forbidden", "只有代办员或管理员可以创建项目");
  const parsed = createSchema.safeParse(raw, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  const input = parsed.data;
  const { db, now } = ctx;
  const deptIds = departmentIdsByCode(db);
  const template = resolveTemplate(db, input, [...deptIds.keys()]);
  const creditCode = normalizeCreditCode(input.enterprise.creditCode);
  const code = input.code || generateProjectCode(db, input.signedOn);
  if (db.select({ id: projects.id }).from(projects).where(eq(projects.code, code)).get()) {
    throw new AppError("conflict", `项目代码「${code}」已存在`);
  }

  return db.transaction((tx) => {
    let enterprise = tx.select().from(enterprises).where(eq(enterprises.creditCode, creditCode)).get();
    if (!enterprise) {
      enterprise = tx.insert(enterprises).values({ name: input.enterprise.name, creditCode }).returning().get();
    } else if (enterprise.name !== input.enterprise.name) {
      throw new AppError("conflict", `统一社会信用代码 ${creditCode} 已登记为「${enterprise.name}」，与填写的企业名称不一致`);
    }
    const project = tx
      .insert(projects)
      .values({
        code,
        name: input.name,
        enterpriseId: enterprise.id,
        investment: input.investment ?? 0,
        industry: input.industry ?? "",
        location: input.location ?? "",
        templateKey: template.key,
        templateVersion: template.version,
        level: input.level ?? "city",
        signedOn: input.signedOn,
        targetStartOn: input.targetStartOn,
        status: "active",
        lastProgressOn: input.signedOn,
        createdAt: now.getTime(),
        updatedAt: now.getTime(),
      })
      .returning()
      .get();
    instantiateTemplate(tx as unknown as Db, project.id, template, deptIds);
    if (actor.role === "proxy") tx.insert(projectProxies).values({ projectId: project.id, userId: actor.id }).run();
    writeAudit(tx, { actorUserId: actor.id, action: "project.create", entityType: "project", entityId: project.id, projectId: project.id, detail: { template: template.key } }, now);
    return { id: project.id };
  });
}

/** Items, edges and the per-project materials list ("一次提交、多次复用"). Runs inside the caller's transaction. */
export function instantiateTemplate(tx: Db, projectId: number, template: Template, deptIds: Map<string, number>): Map<string, number> {
  const itemIds = new Map<string, number>();
  const materialIds = new Map<string, number>();
  for (const t of template.items) {
    const row = tx
      .insert(items)
      .values({
        projectId,
        key: t.key,
        name: t.name,
        kind: t.kind,
        departmentId: t.department ? deptIds.get(t.department) ?? null : null,
        stage: t.stage,
        statutoryLimit: t.statutoryLimit ?? null,
        promisedLimit: t.promisedLimit ?? null,
        limitUnit: t.limitUnit,
        plannedDuration: t.plannedDuration ?? null,
        correctionRestartsClock: t.correctionRestartsClock ?? false,
        yellowLead: t.yellowLead ?? null,
        note: t.note ?? null,
      })
      .returning({ id: items.id })
      .get();
    itemIds.set(t.key, row.id);
    for (const m of t.materials) {
      let mid = materialIds.get(m);
      if (mid === undefined) {
        mid = tx.insert(materials).values({ projectId, name: m }).returning({ id: materials.id }).get().id;
        materialIds.set(m, mid);
      }
      tx.insert(itemMaterials).values({ itemId: row.id, materialId: mid }).onConflictDoNothing().run();
    }
  }
  for (const d of template.dependencies) {
    tx.insert(dependencies)
      .values({ projectId, fromItemId: itemIds.get(d.from)!, toItemId: itemIds.get(d.to)!, lagWorkingDays: d.lagWorkingDays })
      .run();
  }
  return itemIds;
}

export { canViewProject };
