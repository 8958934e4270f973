import { and, asc, eq, inArray, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { actionItems, departments, escalations, items, projects } from "../../db/schema";
import { decide, type Actor } from "~/domain/access/policy";
import { parseDate, shanghaiDay, type DayNum, type WorkingCalendar } from "~/domain/calendar";
import { actionItemDueOn, readActionClock } from "~/domain/meeting/action-items";
import { ACTION_SOURCES, type ActionSource } from "~/domain/meeting/vocabulary";
import type { Wakeup } from "~/domain/escalation/wakeup";
import { zhFieldErrorMap } from "~/domain/validation/zh-error-map";
import type { Db } from "~/utils/db.server";
import { writeAudit } from "./audit.server";
import type { ServiceContext } from "./context.server";
import { AppError, forbidden, invalidInput, notFound } from "./errors.server";
import { planActionItemTimers } from "./escalation-timers.server";
import { loadProjectFacts } from "./project-access.server";
import { getCalendar, getPolicy } from "./time-rules.server";
import { transactThenWake } from "./transaction.server";

/**
 * Action items (DESIGN §4): a meeting decision's task, a leader's 督办 or a 差评
 * follow-up, each a clock on the approvals' escalation ladder. Created inside the
 * transaction of what sets them (a decision, a supervision, a rating), closed with
 * a note of what was done.
 */

const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

/** One action item as a decision, a 督办 or a follow-up sets it (the API's shape, DESIGN §6 v1.1). */
export const actionItemInputSchema = z
  .object({
    title: z.string({ required_error: "请填写任务内容", invalid_type_error: "任务内容应为文字" }).trim().min(2, "任务内容至少 2 个字").max(200, "任务内容不超过 200 字"),
    leadDepartment: z.string({ required_error: "请选择责任单位", invalid_type_error: "责任单位应为部门代码" }).trim().min(1, "请选择责任单位"),
    coDepartments: z.array(z.string({ invalid_type_error: "配合单位应为部门代码" }).trim().min(1), { invalid_type_error: "配合单位应为部门代码列表" }).max(20, "配合单位最多 20 个").optional(),
    owner: z.preprocess(blank, z.string({ invalid_type_error: "责任人应为文字" }).trim().max(50, "责任人不超过 50 字").optional()),
    dueInWorkingDays: z.preprocess(
      (v) => (typeof v === "string" ? (v.trim() === "" ? undefined : Number(v)) : v),
      z.number({ invalid_type_error: "完成时限应为工作日数" }).optional(),
    ),
    dueOn: z.preprocess(
      blank,
      z
        .string({ invalid_type_error: "完成日期应为日期" })
        .refine((s) => parseDate(s) !== null, { message: "完成日期无效（格式 YYYY-MM-DD）" })
        .optional(),
    ),
    projectId: z.preprocess(
      (v) => (typeof v === "string" ? (v.trim() === "" ? undefined : Number(v)) : v),
      z.number({ invalid_type_error: "关联项目无效" }).int("关联项目无效").positive("关联项目无效").optional(),
    ),
    itemKey: z.preprocess(blank, z.string({ invalid_type_error: "关联事项无效" }).trim().max(100).optional()),
  })
  .superRefine((v, c) => {
    const given = (v.dueInWorkingDays !== undefined ? 1 : 0) + (v.dueOn !== undefined ? 1 : 0);
    if (given !== 1) c.addIssue({ code: "custom", path: ["dueInWorkingDays"], message: "请填写完成时限：n 个工作日内，或一个完成日期（二选一）" });
    if (v.itemKey !== undefined && v.projectId === undefined) c.addIssue({ code: "custom", path: ["itemKey"], message: "关联事项须同时选择所属项目" });
  });

export type ActionItemInput = z.input<typeof actionItemInputSchema>;

interface ResolvedActionItem {
  title: string;
  ownerDepartmentId: number;
  coDepartmentIds: number[];
  ownerName: string | null;
  dueInWorkingDays: number | null;
  dueOn: DayNum;
  projectId: number | null;
  itemId: number | null;
}

/**
 * Checks every action item before anything is written: the deadline against the
 * calendar (n ≥ 1 working days, or a date after the start), the departments
 * (known and active), the project (visible to the actor) and its item. Problems
 * are keyed `actionItems.<i>.<field>` so a form shows each beside its input.
 */
export function resolveActionItems(db: Db, actor: Actor, raw: unknown, startOn: DayNum, cal: WorkingCalendar): ResolvedActionItem[] {
  const list = z.array(z.unknown(), { invalid_type_error: "actionItems 应为数组" }).max(50, "一项决定最多 50 个任务").safeParse(raw ?? []);
  if (!list.success) throw invalidInput(list.error.issues.map((i) => ({ ...i, path: ["actionItems", ...i.path] })));
  const depts = new Map(db.select({ id: departments.id, code: departments.code, active: departments.active }).from(departments).all().map((d) => [d.code, d]));
  const issues: { path: (string | number)[]; message: string }[] = [];
  const out: ResolvedActionItem[] = [];
  list.data.forEach((entry, i) => {
    const at = (field: string, message: string) => issues.push({ path: ["actionItems", i, field], message });
    const parsed = actionItemInputSchema.safeParse(entry ?? {}, { errorMap: zhFieldErrorMap });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) issues.push({ path: ["actionItems", i, ...issue.path], message: issue.message });
      return;
    }
    const v = parsed.data;
    const dept = (code: string, field: string) => {
      const d = depts.get(code);
      if (!d) at(field, `未知部门「${code}」`);
      else if (!d.active) at(field, `部门「${code}」已停用`);
      return d?.active ? d.id : null;
    };
    const lead = dept(v.leadDepartment, "leadDepartment");
    const co = (v.coDepartments ?? []).map((c) => dept(c, "coDepartments")).filter((d): d is number => d !== null);
    const deadline = v.dueInWorkingDays !== undefined ? { dueInWorkingDays: v.dueInWorkingDays } : { dueOn: parseDate(v.dueOn!)! };
    const due = actionItemDueOn(startOn, deadline, cal);
    if ("problem" in due) at(due.problem.field, due.problem.message);
    let itemId: number | null = null;
    if (v.projectId !== undefined) {
      const facts = loadProjectFacts(db, v.projectId);
      if (!facts || !decide(actor, "project.view", { project: facts.facts }).allowed) at("projectId", "关联项目不存在或无权查看");
      else if (v.itemKey !== undefined) {
        const row = db.select({ id: items.id }).from(items).where(and(eq(items.projectId, v.projectId), eq(items.key, v.itemKey))).get();
        if (!row) at("itemKey", `事项「${v.itemKey}」不属于所选项目`);
        else itemId = row.id;
      }
    }
    if (lead === null || "problem" in due) return;
    out.push({
      title: v.title,
      ownerDepartmentId: lead,
      coDepartmentIds: [...new Set(co.filter((d) => d !== lead))],
      ownerName: v.owner ?? null,
      dueInWorkingDays: v.dueInWorkingDays ?? null,
      dueOn: due.dueOn,
      projectId: v.projectId ?? null,
      itemId,
    });
  });
  if (issues.length) throw invalidInput(issues);
  return out;
}

/**
 * Writes checked action items and plans their ladders, in the caller's transaction;
 * returns their ids and due dates, and the wake-ups to hand to the queue after commit.
 */
export function insertActionItems(
  tx: Db,
  resolved: readonly ResolvedActionItem[],
  origin: { source: ActionSource; decisionId?: number | null; startOn: DayNum; actorId: number; now: Date },
  cal: WorkingCalendar,
): { created: { id: number; dueOn: string }[]; wakeups: Wakeup[] } {
  const policy = getPolicy(tx);
  const created: { id: number; dueOn: string }[] = [];
  const wakeups: Wakeup[] = [];
  for (const r of resolved) {
    const row = tx
      .insert(actionItems)
      .values({
        source: origin.source,
        decisionId: origin.decisionId ?? null,
        projectId: r.projectId,
        itemId: r.itemId,
        ownerDepartmentId: r.ownerDepartmentId,
        coDepartmentIds: r.coDepartmentIds.length ? JSON.stringify(r.coDepartmentIds) : null,
        ownerName: r.ownerName,
        title: r.title,
        startOn: cal.format(origin.startOn),
        dueInWorkingDays: r.dueInWorkingDays,
        dueOn: cal.format(r.dueOn),
        status: "open",
        createdByUserId: origin.actorId,
        createdAt: origin.now.getTime(),
      })
      .returning()
      .get();
    writeAudit(tx, { actorUserId: origin.actorId, action: "actionItem.create", entityType: "action_item", entityId: row.id, projectId: row.projectId, detail: { source: origin.source, title: row.title, dueOn: row.dueOn } }, origin.now);
    wakeups.push(...planActionItemTimers(tx, row, cal, policy));
    created.push({ id: row.id, dueOn: row.dueOn });
  }
  return { created, wakeups };
}

const closeSchema = z.object({
  note: z.string({ required_error: "请填写办理情况", invalid_type_error: "办理情况应为文字" }).trim().min(2, "请填写办理情况（做了什么、结果如何）").max(2000, "办理情况不超过 2000 字"),
  uploadId: z.number().int().positive().optional(),
});

/** Closes an open action item with a note of what was done (DESIGN §4); its unfired warnings go. */
export function closeActionItem(ctx: ServiceContext, actor: Actor, id: number, raw: unknown) {
  const { db, now } = ctx;
  if (!decide(actor, "actionItem.view").allowed) throw notFound("督办事项");
  const row = Number.isInteger(id) ? db.select().from(actionItems).where(eq(actionItems.id, id)).get() : undefined;
  if (!row) throw notFound("督办事项");
  if (!decide(actor, "actionItem.close", { actionItem: { departmentId: row.ownerDepartmentId } }).allowed) {
    throw forbidden("只有责任单位的经办人或联席会议协调人可以办结此事项");
  }
  const parsed = closeSchema.safeParse(raw ?? {}, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  if (row.status !== "open") throw new AppError("conflict", "该事项已办结，不能重复办结");
  const cal = getCalendar(db);
  const policy = getPolicy(db);
  const closedOn = cal.format(shanghaiDay(now));
  transactThenWake(db, (tx, wake) => {
    const upd = tx
      .update(actionItems)
      .set({ status: "closed", closedOn, closeNote: parsed.data.note, closeUploadId: parsed.data.uploadId ?? null, closedByUserId: actor.id, version: row.version + 1 })
      .where(and(eq(actionItems.id, id), eq(actionItems.status, "open")))
      .run();
    // Closed by someone else between our read and this write.
    if (upd.changes !== 1) throw new AppError("conflict", "该事项已办结，不能重复办结");
    writeAudit(tx, { actorUserId: actor.id, action: "actionItem.close", entityType: "action_item", entityId: id, projectId: row.projectId, detail: { note: parsed.data.note, closedOn } }, now);
    wake(planActionItemTimers(tx, tx.select().from(actionItems).where(eq(actionItems.id, id)).get()!, cal, policy));
  });
  return getActionItem(ctx, actor, id);
}

const listSchema = z.object({
  status: z.preprocess(blank, z.enum(["open", "closed"], { errorMap: () => ({ message: "status 应为 open 或 closed" }) }).optional()),
  department: z.preprocess(blank, z.string().trim().max(20).optional()),
  source: z.preprocess(blank, z.enum(ACTION_SOURCES, { errorMap: () => ({ message: `source 应为 ${ACTION_SOURCES.join("、")} 之一` }) }).optional()),
  projectId: z.preprocess((v) => (typeof v === "string" ? (v.trim() === "" ? undefined : Number(v)) : v), z.number().int().positive().optional()),
});

/** Action items the actor may see, most urgent first (open before closed, earliest due first). */
export function listActionItems(ctx: ServiceContext, actor: Actor, rawFilter: unknown = {}) {
  if (!decide(actor, "actionItem.view").allowed) throw forbidden("没有查看督办事项的权限");
  const parsed = listSchema.safeParse(rawFilter ?? {}, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw new AppError("bad_request", parsed.error.issues[0].message);
  const f = parsed.data;
  const conds: SQL[] = [];
  if (f.status) conds.push(eq(actionItems.status, f.status));
  if (f.source) conds.push(eq(actionItems.source, f.source));
  if (f.projectId) conds.push(eq(actionItems.projectId, f.projectId));
  if (f.department) {
    const d = ctx.db.select({ id: departments.id }).from(departments).where(eq(departments.code, f.department)).get();
    if (!d) throw new AppError("bad_request", `未知部门「${f.department}」`);
    conds.push(eq(actionItems.ownerDepartmentId, d.id));
  }
  const rows = selectActionItems(ctx.db, conds.length ? and(...conds) : undefined);
  return rows.map((r) => present(ctx, r)).sort((a, b) => (a.status === b.status ? a.dueOn.localeCompare(b.dueOn) || a.id - b.id : a.status === "open" ? -1 : 1));
}

/** One action item with its escalations (DESIGN §6 v1.1). */
export function getActionItem(ctx: ServiceContext, actor: Actor, id: number) {
  if (!decide(actor, "actionItem.view").allowed) throw notFound("督办事项");
  const [row] = Number.isInteger(id) ? selectActionItems(ctx.db, eq(actionItems.id, id)) : [];
  if (!row) throw notFound("督办事项");
  const ladder = ctx.db
    .select({ level: escalations.level, dueOn: escalations.dueOn, firedAt: escalations.firedAt })
    .from(escalations)
    .where(eq(escalations.actionItemId, id))
    .orderBy(asc(escalations.fireAt))
    .all();
  return {
    ...present(ctx, row),
    escalations: ladder.filter((e) => e.firedAt !== null).map((e) => ({ level: e.level, dueOn: e.dueOn, firedAt: new Date(e.firedAt!).toISOString() })),
    canClose: row.a.status === "open" && decide(actor, "actionItem.close", { actionItem: { departmentId: row.a.ownerDepartmentId } }).allowed,
  };
}

type Selected = ReturnType<typeof selectActionItems>[number];

function selectActionItems(db: Db, where: SQL | undefined) {
  return db
    .select({ a: actionItems, lead: departments.code, leadName: departments.name, projectName: projects.name, itemKey: items.key, itemName: items.name })
    .from(actionItems)
    .leftJoin(departments, eq(departments.id, actionItems.ownerDepartmentId))
    .leftJoin(projects, eq(projects.id, actionItems.projectId))
    .leftJoin(items, eq(items.id, actionItems.itemId))
    .where(where)
    .orderBy(asc(actionItems.dueOn), asc(actionItems.id))
    .all();
}

function coDepartments(db: Db, json: string | null): { code: string; name: string }[] {
  if (!json) return [];
  const ids = JSON.parse(json) as number[];
  return db.select({ code: departments.code, name: departments.name }).from(departments).where(inArray(departments.id, ids)).all();
}

function present(ctx: ServiceContext, r: Selected) {
  const cal = getCalendar(ctx.db);
  const lead = getPolicy(ctx.db).yellowLead;
  const a = r.a;
  const clock = readActionClock({ status: a.status, dueOn: parseDate(a.dueOn)!, closedOn: a.closedOn ? parseDate(a.closedOn) : null }, shanghaiDay(ctx.now), cal, lead);
  return {
    id: a.id,
    source: a.source,
    title: a.title,
    leadDepartment: r.lead,
    leadDepartmentName: r.leadName,
    coDepartments: coDepartments(ctx.db, a.coDepartmentIds),
    owner: a.ownerName,
    decisionId: a.decisionId,
    projectId: a.projectId,
    projectName: r.projectName,
    itemKey: r.itemKey,
    itemName: r.itemName,
    startOn: a.startOn,
    dueInWorkingDays: a.dueInWorkingDays,
    dueOn: a.dueOn,
    remainingWorkingDays: clock.remainingWorkingDays,
    warning: clock.warning,
    status: a.status,
    closedOn: a.closedOn,
    closeNote: a.closeNote,
    onTime: clock.onTime,
  };
}

export type ActionItemView = ReturnType<typeof present>;

/** Open action items of a department, for its queue. */
export function openActionItemsOfDepartment(ctx: ServiceContext, departmentId: number) {
  return selectActionItems(ctx.db, and(eq(actionItems.ownerDepartmentId, departmentId), eq(actionItems.status, "open"))).map((r) => present(ctx, r));
}

/** Counts of open action items by project (for lists that show them). */
export function openActionItemCounts(db: Db): Map<number, number> {
  return new Map(
    db
      .all<{ projectId: number; n: number }>(sql`select project_id as projectId, count(*) as n from action_items where status = 'open' and project_id is not null group by project_id`)
      .map((r) => [r.projectId, r.n]),
  );
}
