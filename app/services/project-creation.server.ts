import { and, eq, inArray, sql } from "drizzle-orm";
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
  users,
} from "../../db/schema";
import { checkProjectCode, normalizeProjectCode, PROJECT_CODE_MESSAGES, provisionalProjectCode } from "~/domain/project/code";
import { PROJECT_LEVELS } from "~/domain/project/types";
import { decide, type Actor } from "~/domain/access/policy";
import { parseDate } from "~/domain/calendar";
import { checkCreditCode, CREDIT_CODE_MESSAGES, normalizeCreditCode } from "~/domain/enterprise/credit-code";
import { validateTemplate, type Template } from "~/domain/graph/template";
import type { Db } from "~/utils/db.server";
import { writeAudit } from "./audit.server";
import type { ServiceContext } from "./context.server";
import { AppError, invalidInput, forbidden } from "./errors.server";
import { activeDepartmentCodes, templateForNewProject } from "./template-library.server";
import { transaction } from "./transaction.server";
import { refreshStatsAfter } from "./stats.server";

const dateText = (label: string) =>
  z
    .string({ required_error: `请填写${label}`, invalid_type_error: `${label}应为日期字符串` })
    .refine((s) => parseDate(s) !== null, { message: `${label}不是有效日期（格式 YYYY-MM-DD）` });

/** Blank form fields arrive as "": treat them as absent. */
const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

const enterpriseSchema = z.union(
  [
    z.object({ id: z.number({ invalid_type_error: "所选企业无效" }).int().positive("所选企业无效") }).strict(),
    z.object({
      name: z.string({ required_error: "请填写企业名称" }).trim().min(2, "企业名称至少 2 个字").max(100, "企业名称过长"),
      creditCode: z.preprocess(
        blankToUndefined,
        z
          .string({ invalid_type_error: "统一社会信用代码应为文字" })
          .superRefine((v, c) => {
            const problem = checkCreditCode(v);
            if (problem) c.addIssue({ code: "custom", message: CREDIT_CODE_MESSAGES[problem] });
          })
          .optional(),
      ),
    }),
  ],
  { errorMap: () => ({ message: "请填写企业名称与统一社会信用代码，或选择已登记的企业" }) },
);

const createSchema = z
  .object({
    name: z.string({ required_error: "请填写项目名称" }).trim().min(2, "项目名称至少 2 个字").max(100, "项目名称过长"),
    code: z.preprocess(
      (v) => (typeof v === "string" ? blankToUndefined(normalizeProjectCode(v)) : v),
      z
        .string({ invalid_type_error: "项目代码应为文字" })
        .superRefine((v, c) => {
          const problem = checkProjectCode(v);
          if (problem) c.addIssue({ code: "custom", message: PROJECT_CODE_MESSAGES[problem] });
        })
        .optional(),
    ),
    enterprise: z.unknown(),
    templateKey: z.preprocess(blankToUndefined, z.string({ invalid_type_error: "模板应为文字" }).optional()),
    template: z.unknown().optional(),
    signedOn: dateText("签约日期"),
    targetStartOn: dateText("计划开工日期"),
    investment: z.preprocess(
      (v) => (typeof v === "string" ? (v.trim() === "" ? undefined : Number(v.trim())) : v),
      z
        .number({ invalid_type_error: "投资额应为数字（万元）" })
        .finite("投资额应为数字（万元）")
        .nonnegative("投资额不能为负")
        .max(1e9, "投资额过大（单位为万元）")
        .optional(),
    ),
    industry: z.preprocess(blankToUndefined, z.string({ invalid_type_error: "所属行业应为文字" }).trim().max(50, "所属行业不超过 50 字").optional()),
    location: z.preprocess(blankToUndefined, z.string({ invalid_type_error: "建设地点应为文字" }).trim().max(100, "建设地点不超过 100 字").optional()),
    level: z.preprocess(blankToUndefined, z.enum(PROJECT_LEVELS, { errorMap: () => ({ message: "项目级别应为省重点、市重点或县重点" }) }).optional()),
    /** Proxy officers to assign; a proxy creating a project is assigned when none is named. */
    proxyUserIds: z
      .array(z.number({ invalid_type_error: "代办员选择无效" }).int().positive("代办员选择无效"), { invalid_type_error: "代办员应为用户编号列表" })
      .min(1, "请至少选择一名代办员")
      .max(10, "代办员最多 10 名")
      .optional(),
  })
  .refine((v) => (v.templateKey ? 1 : 0) + (v.template !== undefined ? 1 : 0) === 1, {
    message: "请选择模板（templateKey 或内联 template，二选一）",
    path: ["templateKey"],
  })
  .refine((v) => parseDate(v.targetStartOn)! >= parseDate(v.signedOn)!, {
    message: "计划开工日期不能早于签约日期",
    path: ["targetStartOn"],
  });

export type CreateProjectInput = z.input<typeof createSchema>;

function departmentIdsByCode(db: Db): Map<string, number> {
  return new Map(db.select({ id: departments.id, code: departments.code }).from(departments).all().map((d) => [d.code, d.id]));
}

function resolveTemplate(db: Db, input: { templateKey?: string; template?: unknown }): Template {
  if (input.templateKey) return templateForNewProject(db, input.templateKey);
  const result = validateTemplate(input.template, { file: "template", departments: activeDepartmentCodes(db) });
  if (!result.ok) {
    const msg = result.problems.map((p) => `${p.path}: ${p.message}`).join("；");
    throw new AppError("invalid", `模板无效：${msg}`, { template: msg });
  }
  return result.template;
}

/** The enterprise named by the input: an existing one by id or credit code, else one to create. */
function resolveEnterprise(db: Db, e: z.output<typeof enterpriseSchema>): { id: number } | { create: { name: string; creditCode: string } } {
  if ("id" in e) {
    const row = db.select({ id: enterprises.id }).from(enterprises).where(eq(enterprises.id, e.id)).get();
    if (!row) throw new AppError("invalid", "所选企业不存在", { "enterprise.id": "所选企业不存在" });
    return row;
  }
  if (e.creditCode) {
    const creditCode = normalizeCreditCode(e.creditCode);
    const row = db.select().from(enterprises).where(eq(enterprises.creditCode, creditCode)).get();
    if (!row) return { create: { name: e.name, creditCode } };
    if (row.name !== e.name) {
      const msg = `统一社会信用代码 ${creditCode} 已登记为「${row.name}」，与填写的企业名称不一致`;
      throw new AppError("conflict", msg, { "enterprise.creditCode": msg });
    }
    return { id: row.id };
  }
  // No code: only an enterprise already registered under exactly this name will do.
  const byName = db.select({ id: enterprises.id }).from(enterprises).where(eq(enterprises.name, e.name)).all();
  if (byName.length === 1) return byName[0];
  const msg = byName.length ? "同名企业不止一家，请填写统一社会信用代码" : "新企业请填写统一社会信用代码";
  throw new AppError("invalid", msg, { "enterprise.creditCode": msg });
}

/** Proxy officers to assign: each must be an active proxy account. */
function resolveProxies(db: Db, ids: readonly number[]): number[] {
  const unique = [...new Set(ids)];
  if (!unique.length) return [];
  const found = db
    .select({ id: users.id })
    .from(users)
    .where(and(inArray(users.id, unique), eq(users.role, "proxy"), eq(users.active, true)))
    .all();
  if (found.length !== unique.length) throw new AppError("invalid", "所选代办员不存在或已停用", { proxyUserIds: "所选代办员不存在或已停用" });
  return unique;
}

/**
 * Creates a project from a template: enterprise (chosen, found by credit code or
 * created), items, dependencies, the deduplicated materials list and the assigned
 * proxy officers, in one transaction with its audit row.
 */
export function createProject(ctx: ServiceContext, actor: Actor, raw: unknown): { id: number } {
  if (!decide(actor, "project.create").allowed) throw forbidden("只有代办员或管理员可以创建项目");
  const parsed = createSchema.safeParse(raw, { errorMap: zhFieldErrorMap });
  // Every field's problem at once (the enterprise's too), so a form shows them all in one round.
  const enterpriseParsed = enterpriseSchema.safeParse((raw as { enterprise?: unknown } | null)?.enterprise ?? {}, { errorMap: zhFieldErrorMap });
  if (!parsed.success || !enterpriseParsed.success) {
    throw invalidInput([
      ...(parsed.success ? [] : parsed.error.issues),
      ...(enterpriseParsed.success ? [] : enterpriseParsed.error.issues.map((i) => ({ ...i, path: ["enterprise", ...i.path] }))),
    ]);
  }
  const input = parsed.data;
  const { db, now } = ctx;
  const enterprise = resolveEnterprise(db, enterpriseParsed.data);
  const proxies = resolveProxies(db, input.proxyUserIds ?? (actor.role === "proxy" ? [actor.id] : []));
  const deptIds = departmentIdsByCode(db);
  const template = resolveTemplate(db, input);
  const code = input.code ?? provisionalProjectCode(input.signedOn, db.get<{ n: number }>(sql`select count(*) as n from projects`).n + 1);
  if (db.select({ id: projects.id }).from(projects).where(eq(projects.code, code)).get()) {
    throw new AppError("conflict", `项目代码「${code}」已存在`, { code: `项目代码「${code}」已存在` });
  }

  return transaction(db, (tx) => {
    const enterpriseId = "id" in enterprise ? enterprise.id : tx.insert(enterprises).values(enterprise.create).returning({ id: enterprises.id }).get().id;
    const { id } = insertProjectRows(tx, {
      project: {
        code,
        name: input.name,
        enterpriseId,
        investment: input.investment ?? 0,
        industry: input.industry ?? "",
        location: input.location ?? "",
        level: input.level ?? "city",
        signedOn: input.signedOn,
        targetStartOn: input.targetStartOn,
        status: "active",
        lastProgressOn: input.signedOn,
      },
      template,
      deptIds,
      proxyIds: proxies,
      now,
    });
    writeAudit(
      tx,
      { actorUserId: actor.id, action: "project.create", entityType: "project", entityId: id, projectId: id, detail: { template: template.key, version: template.version, proxies } },
      now,
    );
    // A new project counts on the dashboard at once (nothing runs yet, so no department moves).
    refreshStatsAfter(tx, now, { projectId: id, departmentIds: [] });
    return { id };
  });
}

/** The enterprise with this credit code, or a new one; `conflict` names the one registered under another name. */
export function findOrCreateEnterprise(tx: Db, e: { name: string; creditCode: string }): { id: number } | { conflict: string } {
  const row = tx.select().from(enterprises).where(eq(enterprises.creditCode, e.creditCode)).get();
  if (row) return row.name === e.name ? { id: row.id } : { conflict: row.name };
  return { id: tx.insert(enterprises).values(e).returning({ id: enterprises.id }).get().id };
}

/**
 * The rows of a new project, in the caller's transaction: the project, its items,
 * edges and materials from the template, and its proxy officers. Shared by intake
 * (createProject) and the ledger import, which then add their own audit row (and,
 * for an import, the dated history).
 */
export function insertProjectRows(
  tx: Db,
  p: {
    project: Omit<typeof projects.$inferInsert, "templateKey" | "templateVersion" | "createdAt" | "updatedAt">;
    template: Template;
    deptIds: Map<string, number>;
    proxyIds: readonly number[];
    now: Date;
  },
): { id: number; itemIds: Map<string, number> } {
  const { id } = tx
    .insert(projects)
    .values({ ...p.project, templateKey: p.template.key, templateVersion: p.template.version, createdAt: p.now.getTime(), updatedAt: p.now.getTime() })
    .returning({ id: projects.id })
    .get();
  const itemIds = instantiateTemplate(tx, id, p.template, p.deptIds);
  for (const userId of p.proxyIds) tx.insert(projectProxies).values({ projectId: id, userId }).onConflictDoNothing().run();
  return { id, itemIds };
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
