import { eq, sql } from "drizzle-orm";
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
import { decide, type Actor } from "~/domain/access/policy";
import { parseDate } from "~/domain/calendar";
import { checkCreditCode, CREDIT_CODE_MESSAGES, normalizeCreditCode } from "~/domain/enterprise/credit-code";
import { validateTemplate, type Template } from "~/domain/graph/template";
import type { Db } from "~/utils/db.server";
import { writeAudit } from "./audit.server";
import type { ServiceContext } from "./context.server";
import { AppError, invalidInput, forbidden } from "./errors.server";
import { activeDepartmentCodes, templateForNewProject } from "./template-library.server";

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

function resolveTemplate(db: Db, input: { templateKey?: string; template?: unknown }): Template {
  if (input.templateKey) return templateForNewProject(db, input.templateKey);
  const result = validateTemplate(input.template, { file: "template", departments: activeDepartmentCodes(db) });
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
  if (!decide(actor, "project.create").allowed) throw forbidden("只有代办员或管理员可以创建项目");
  const parsed = createSchema.safeParse(raw, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  const input = parsed.data;
  const { db, now } = ctx;
  const deptIds = departmentIdsByCode(db);
  const template = resolveTemplate(db, input);
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
