import { createHash } from "node:crypto";
import ExcelJS from "exceljs";
import { and, asc, eq, inArray, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { z } from "zod";
import { actionItems, decisions, departments, escalations, items, meetings, projects, uploads, users } from "../../db/schema";
import { decide, type Actor } from "~/domain/access/policy";
import { parseDate, shanghaiDay, shanghaiToday, type DayNum, type WorkingCalendar } from "~/domain/calendar";
import type { UploadFile } from "~/domain/material/upload-rules";
import { actionItemDueOn, readActionClock } from "~/domain/meeting/action-items";
import { ACTION_SOURCE_LABELS, ACTION_SOURCES, ACTION_STATUS_LABELS, type ActionSource } from "~/domain/meeting/vocabulary";
import type { Wakeup } from "~/domain/escalation/wakeup";
import { zhFieldErrorMap } from "~/domain/validation/zh-error-map";
import { loadConfig } from "~/utils/config.server";
import type { Db } from "~/utils/db.server";
import { writeAudit } from "./audit.server";
import type { ServiceContext } from "./context.server";
import { AppError, forbidden, invalidInput, notFound } from "./errors.server";
import { planActionItemTimers } from "./escalation-timers.server";
import { checkUploadFile } from "./materials.server";
import { loadProjectFacts } from "./project-access.server";
import { getCalendar, getPolicy } from "./time-rules.server";
import { transactThenWake } from "./transaction.server";
import { refreshStatsAfter } from "./stats.server";
import { storeBlob } from "./upload-storage.server";

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
    // Open action items and 督办 count on the project and the lead department's figures.
    refreshStatsAfter(tx, origin.now, { projectId: row.projectId, departmentIds: [row.ownerDepartmentId], dates: [row.startOn, row.dueOn] });
    created.push({ id: row.id, dueOn: row.dueOn });
  }
  return { created, wakeups };
}

// ---------------------------------------------------------------- reading

type Selected = ReturnType<typeof selectActionItems>[number];

const ownerUser = alias(users, "owner_user");

/**
 * Which action items an actor sees (issue 11: "staff see meetings and their
 * department's action items"): department staff those their department leads or
 * supports (配合单位); coordinators, leaders, proxy officers and administrators all.
 */
function visibleTo(actor: Actor | null): SQL | undefined {
  if (!actor || actor.role !== "dept") return undefined;
  const dept = actor.departmentId ?? -1;
  return or(eq(actionItems.ownerDepartmentId, dept), sql`exists (select 1 from json_each(${actionItems.coDepartmentIds}) where value = ${dept})`);
}

function selectActionItems(db: Db, where: SQL | undefined) {
  return db
    .select({
      a: actionItems,
      lead: departments.code,
      leadName: departments.name,
      projectName: projects.name,
      itemKey: items.key,
      itemName: items.name,
      decisionText: decisions.text,
      meetingId: meetings.id,
      meetingTitle: meetings.title,
      meetingHeldOn: meetings.heldOn,
      meetingType: meetings.type,
      ownerUserName: ownerUser.displayName,
    })
    .from(actionItems)
    .leftJoin(departments, eq(departments.id, actionItems.ownerDepartmentId))
    .leftJoin(projects, eq(projects.id, actionItems.projectId))
    .leftJoin(items, eq(items.id, actionItems.itemId))
    .leftJoin(decisions, eq(decisions.id, actionItems.decisionId))
    .leftJoin(meetings, eq(meetings.id, decisions.meetingId))
    .leftJoin(ownerUser, eq(ownerUser.id, actionItems.ownerUserId))
    .where(where)
    .orderBy(asc(actionItems.dueOn), asc(actionItems.id))
    .all();
}

/**
 * Projects a department's staff may open (DESIGN §8: those with an item of their
 * department). Everyone else who sees action items may open any project. Used only to
 * decide whether a project is shown as a link: the 纪要 names the project either way.
 */
function projectOpener(db: Db, actor: Actor | null): (projectId: number) => boolean {
  if (actor === null || actor.role !== "dept") return () => true;
  if (actor.departmentId === null) return () => false;
  const departmentId = actor.departmentId;
  // Asked per project shown (a project's ~25 items), not by listing every project the department
  // has items in: a province's department has tens of thousands.
  const known = new Map<number, boolean>();
  return (id) => {
    let open = known.get(id);
    if (open === undefined) {
      open = db.get<{ x: number }>(sql`select 1 as x from items where project_id = ${id} and department_id = ${departmentId} limit 1`) !== undefined;
      known.set(id, open);
    }
    return open;
  };
}

/**
 * Turns selected rows into views. The calendar, the policy and the department names
 * are read once per call, not once per row: the 台账 lists every action item of the city.
 */
function presenter(ctx: ServiceContext, actor: Actor | null) {
  const cal = getCalendar(ctx.db);
  const yellowLead = getPolicy(ctx.db).yellowLead;
  const today = shanghaiDay(ctx.now);
  const depts = new Map(ctx.db.select({ id: departments.id, code: departments.code, name: departments.name }).from(departments).all().map((d) => [d.id, d]));
  let opens: ((projectId: number) => boolean) | undefined;
  return (r: Selected) => {
    const a = r.a;
    const dueOn = parseDate(a.dueOn)!;
    const startOn = a.startOn ? parseDate(a.startOn) : null;
    const clock = readActionClock({ status: a.status, dueOn, closedOn: a.closedOn ? parseDate(a.closedOn) : null }, today, cal, yellowLead);
    const coIds = a.coDepartmentIds ? (JSON.parse(a.coDepartmentIds) as number[]) : [];
    return {
      id: a.id,
      source: a.source,
      title: a.title,
      leadDepartment: r.lead,
      leadDepartmentName: r.leadName,
      coDepartments: coIds.flatMap((id) => {
        const d = depts.get(id);
        return d ? [{ code: d.code, name: d.name }] : [];
      }),
      /** 责任人: as the minutes name them, else the user it was assigned to. */
      owner: a.ownerName ?? r.ownerUserName,
      decisionId: a.decisionId,
      decisionText: r.decisionText,
      meeting: r.meetingId === null ? null : { id: r.meetingId, title: r.meetingTitle!, heldOn: r.meetingHeldOn!, type: r.meetingType! },
      projectId: a.projectId,
      projectName: r.projectName,
      /** Whether this viewer may open the linked project (a department's staff: only projects with an item of theirs). */
      projectOpenable: a.projectId !== null && (opens ??= projectOpener(ctx.db, actor))(a.projectId),
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
      /** The deadline was counted across a year without official holiday data (DESIGN §4: shown as 暂估). */
      provisional: a.dueInWorkingDays !== null && startOn !== null && cal.isProvisional(startOn, dueOn),
    };
  };
}

export type ActionItemView = ReturnType<ReturnType<typeof presenter>>;

/** Open first, most urgent first (earliest due); then closed ones, latest closed first; cancelled last. */
function byUrgency(a: ActionItemView, b: ActionItemView): number {
  const rank = (v: ActionItemView) => (v.status === "open" ? 0 : v.status === "closed" ? 1 : 2);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (a.status === "closed") return (b.closedOn ?? "").localeCompare(a.closedOn ?? "") || b.id - a.id;
  return a.dueOn.localeCompare(b.dueOn) || a.id - b.id;
}

const listSchema = z.object({
  status: z.preprocess(blank, z.enum(["open", "closed"], { errorMap: () => ({ message: "status 应为 open 或 closed" }) }).optional()),
  department: z.preprocess(blank, z.string().trim().max(20).optional()),
  source: z.preprocess(blank, z.enum(ACTION_SOURCES, { errorMap: () => ({ message: `source 应为 ${ACTION_SOURCES.join("、")} 之一` }) }).optional()),
  projectId: z.preprocess(
    (v) => (typeof v === "string" ? (v.trim() === "" ? undefined : Number(v)) : v),
    z.number({ invalid_type_error: "projectId 应为项目编号" }).int("projectId 应为项目编号").positive("projectId 应为项目编号").optional(),
  ),
});

export type ActionItemFilter = z.output<typeof listSchema>;

/** Reads a filter from a query string or a JSON object; a bad value is a 400 with its reason. */
export function parseActionItemFilter(raw: unknown): ActionItemFilter {
  const parsed = listSchema.safeParse(raw ?? {}, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw new AppError("bad_request", parsed.error.issues[0].message);
  return parsed.data;
}

/**
 * Action items the actor may see, most urgent first (open before closed, earliest due
 * first). `department` is the lead unit's code (责任单位), as in DESIGN §6 v1.1.
 */
export function listActionItems(ctx: ServiceContext, actor: Actor, rawFilter: unknown = {}): ActionItemView[] {
  if (!decide(actor, "actionItem.view").allowed) throw forbidden("没有查看督办事项的权限");
  const f = parseActionItemFilter(rawFilter);
  const conds: SQL[] = [];
  if (f.status) conds.push(eq(actionItems.status, f.status));
  if (f.source) conds.push(eq(actionItems.source, f.source));
  if (f.projectId) conds.push(eq(actionItems.projectId, f.projectId));
  if (f.department) {
    const d = ctx.db.select({ id: departments.id }).from(departments).where(eq(departments.code, f.department)).get();
    if (!d) throw new AppError("bad_request", `未知部门「${f.department}」`);
    conds.push(eq(actionItems.ownerDepartmentId, d.id));
  }
  const scope = visibleTo(actor);
  if (scope) conds.push(scope);
  const present = presenter(ctx, actor);
  return selectActionItems(ctx.db, conds.length ? and(...conds) : undefined)
    .map(present)
    .sort(byUrgency);
}

/** What the 督办台账's filters offer: every department that leads an action item or is active. */
export function actionItemFilterOptions(ctx: ServiceContext, actor: Actor) {
  if (!decide(actor, "actionItem.view").allowed) throw forbidden("没有查看督办事项的权限");
  const departmentsOffered = ctx.db
    .select({ code: departments.code, name: departments.name })
    .from(departments)
    .where(or(eq(departments.active, true), inArray(departments.id, ctx.db.select({ id: actionItems.ownerDepartmentId }).from(actionItems))))
    .orderBy(asc(departments.id))
    .all();
  return { departments: departmentsOffered };
}

/**
 * One action item as its page shows it: the facts, the meeting and decision it came
 * from, its ladder (fired rows, and the moments still to come while open), who closed
 * it with what, and whether this viewer may close it and attach a file.
 */
export function getActionItem(ctx: ServiceContext, actor: Actor, id: number) {
  if (!decide(actor, "actionItem.view").allowed) throw notFound("督办事项");
  const [row] = Number.isInteger(id) && id > 0 ? selectActionItems(ctx.db, and(eq(actionItems.id, id), visibleTo(actor))) : [];
  if (!row) throw notFound("督办事项");
  const ladder = ctx.db
    .select({ level: escalations.level, dueOn: escalations.dueOn, fireAt: escalations.fireAt, firedAt: escalations.firedAt })
    .from(escalations)
    .where(eq(escalations.actionItemId, id))
    .orderBy(asc(escalations.fireAt), asc(escalations.id))
    .all();
  const closedBy = row.a.closedByUserId
    ? (ctx.db.select({ displayName: users.displayName, departmentName: departments.name }).from(users).leftJoin(departments, eq(departments.id, users.departmentId)).where(eq(users.id, row.a.closedByUserId)).get() ?? null)
    : null;
  const closeUpload = row.a.closeUploadId
    ? (ctx.db.select({ id: uploads.id, originalName: uploads.originalName, size: uploads.size }).from(uploads).where(eq(uploads.id, row.a.closeUploadId)).get() ?? null)
    : null;
  const closedAt = row.a.status === "closed" ? ctx.db.get<{ at: number } | undefined>(sql`select at from audit_log where entity_type = 'action_item' and entity_id = ${id} and action = 'actionItem.close' order by id desc limit 1`)?.at ?? null : null;
  const view = presenter(ctx, actor)(row);
  return {
    ...view,
    /** DESIGN §6 v1.1: the fired levels; unfired rows are timers, not records. */
    escalations: ladder.filter((e) => e.firedAt !== null).map((e) => ({ level: e.level, dueOn: e.dueOn, firedAt: new Date(e.firedAt!).toISOString() })),
    /** Levels still to come (open items only: closing drops them). */
    upcomingEscalations: ladder.filter((e) => e.firedAt === null).map((e) => ({ level: e.level, dueOn: e.dueOn, fireAt: new Date(e.fireAt).toISOString() })),
    closedBy: closedBy ? { name: closedBy.displayName, departmentName: closedBy.departmentName, at: closedAt === null ? null : new Date(closedAt).toISOString() } : null,
    closeUpload,
    canClose: row.a.status === "open" && decide(actor, "actionItem.close", { actionItem: { departmentId: row.a.ownerDepartmentId } }).allowed,
    /** A file is stored as an upload of the linked project (content-addressed, checked as materials are); without a project there is nowhere to keep it. */
    canAttach: row.a.projectId !== null,
  };
}

export type ActionItemDetail = ReturnType<typeof getActionItem>;

/** DESIGN §6 v1.1's list entry, field for field, plus a few facts scripts ask for. */
export function actionItemDocument(v: ActionItemView) {
  return {
    id: v.id,
    source: v.source,
    title: v.title,
    leadDepartment: v.leadDepartment,
    dueOn: v.dueOn,
    remainingWorkingDays: v.remainingWorkingDays,
    warning: v.warning,
    status: v.status,
    closedOn: v.closedOn,
    // Beyond the contract:
    leadDepartmentName: v.leadDepartmentName,
    coDepartments: v.coDepartments.map((d) => d.code),
    owner: v.owner,
    meetingId: v.meeting?.id ?? null,
    decisionId: v.decisionId,
    projectId: v.projectId,
    itemKey: v.itemKey,
    startOn: v.startOn,
    dueInWorkingDays: v.dueInWorkingDays,
    closeNote: v.closeNote,
    onTime: v.onTime,
    provisional: v.provisional,
  };
}

/** GET /api/v1/action-items (DESIGN §6 v1.1). */
export function listActionItemDocuments(ctx: ServiceContext, actor: Actor, rawFilter: unknown) {
  return listActionItems(ctx, actor, rawFilter).map(actionItemDocument);
}

/** GET /api/v1/action-items/:id (DESIGN §6 v1.1): the list entry plus `escalations: [{level, dueOn, firedAt}]`. */
export function getActionItemDocument(ctx: ServiceContext, actor: Actor, id: number) {
  const d = getActionItem(ctx, actor, id);
  return { ...actionItemDocument(d), escalations: d.escalations };
}

/** Open action items of a department, for its queue; `viewer` decides which linked projects show as links. */
export function openActionItemsOfDepartment(ctx: ServiceContext, departmentId: number, viewer: Actor | null = null): ActionItemView[] {
  const present = presenter(ctx, viewer);
  return selectActionItems(ctx.db, and(eq(actionItems.ownerDepartmentId, departmentId), eq(actionItems.status, "open"))).map(present);
}

/**
 * The linked project's action items (open and closed) for its page; empty for those
 * who see no action items (enterprise contacts), so their page never shows the card.
 * The caller has already checked that the actor may see the project.
 */
export function listProjectActionItems(ctx: ServiceContext, actor: Actor, projectId: number): ActionItemView[] {
  if (!decide(actor, "actionItem.view").allowed) return [];
  const present = presenter(ctx, actor);
  return selectActionItems(ctx.db, and(eq(actionItems.projectId, projectId), visibleTo(actor))).map(present).sort(byUrgency);
}

/** Counts of open action items by project (for lists that show them). */
export function openActionItemCounts(db: Db): Map<number, number> {
  return new Map(
    db
      .all<{ projectId: number; n: number }>(sql`select project_id as projectId, count(*) as n from action_items where status = 'open' and project_id is not null group by project_id`)
      .map((r) => [r.projectId, r.n]),
  );
}

// ---------------------------------------------------------------- closing

const closeSchema = z.object({
  note: z.string({ required_error: "请填写办理情况", invalid_type_error: "办理情况应为文字" }).trim().min(2, "请填写办理情况（做了什么、结果如何）").max(2000, "办理情况不超过 2000 字"),
  uploadId: z.number({ invalid_type_error: "附件编号无效" }).int("附件编号无效").positive("附件编号无效").optional(),
});

type ActionItemRow = typeof actionItems.$inferSelect;

const ALREADY_CLOSED = "该事项已办结，不能重复办结";

/** The checks before anything is written, in the order a caller learns of them: 404, 403, 422, 409. */
function checkClose(ctx: ServiceContext, actor: Actor, id: number, raw: unknown): { row: ActionItemRow; note: string; uploadId: number | null } {
  const { db } = ctx;
  if (!decide(actor, "actionItem.view").allowed) throw notFound("督办事项");
  // One another department cannot see does not exist for it (404); a 配合单位 sees it but may not close it (403).
  const row = Number.isInteger(id) && id > 0 ? db.select().from(actionItems).where(and(eq(actionItems.id, id), visibleTo(actor))).get() : undefined;
  if (!row) throw notFound("督办事项");
  if (!decide(actor, "actionItem.close", { actionItem: { departmentId: row.ownerDepartmentId } }).allowed) {
    throw forbidden("只有责任单位的经办人或联席会议协调人可以办结此事项");
  }
  const parsed = closeSchema.safeParse(raw ?? {}, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  if (row.status !== "open") throw new AppError("conflict", row.status === "cancelled" ? "该事项已撤销，不能办结" : ALREADY_CLOSED);
  const uploadId = parsed.data.uploadId ?? null;
  if (uploadId !== null) {
    // Only a file of the linked project: an upload id is not a ticket to another project's files.
    const up = db.select({ projectId: uploads.projectId }).from(uploads).where(eq(uploads.id, uploadId)).get();
    if (!up || row.projectId === null || up.projectId !== row.projectId) throw new AppError("invalid", "附件不属于该事项关联的项目", { uploadId: "附件不属于该事项关联的项目" });
  }
  return { row, note: parsed.data.note, uploadId };
}

/** The close itself, in one transaction: claim (still open), the file's upload row if any, audit, the ladder's unfired rows dropped. */
function closeIn(
  ctx: ServiceContext,
  actor: Actor,
  row: ActionItemRow,
  note: string,
  attach: { uploadId: number } | { newUpload: { sha256: string; originalName: string; mimeType: string; size: number } } | null,
) {
  const { db, now } = ctx;
  const cal = getCalendar(db);
  const policy = getPolicy(db);
  const closedOn = cal.format(shanghaiDay(now));
  transactThenWake(db, (tx, wake) => {
    let uploadId: number | null = null;
    if (attach && "uploadId" in attach) uploadId = attach.uploadId;
    else if (attach) {
      uploadId = tx
        .insert(uploads)
        .values({ projectId: row.projectId!, ...attach.newUpload, uploadedByUserId: actor.id, createdAt: now.getTime() })
        .returning({ id: uploads.id })
        .get().id;
    }
    const upd = tx
      .update(actionItems)
      .set({ status: "closed", closedOn, closeNote: note, closeUploadId: uploadId, closedByUserId: actor.id, version: sql`${actionItems.version} + 1` })
      .where(and(eq(actionItems.id, row.id), eq(actionItems.status, "open")))
      .run();
    // Closed by someone else between our read and this write: the second closer gets a conflict and writes nothing.
    if (upd.changes !== 1) throw new AppError("conflict", ALREADY_CLOSED);
    if (row.projectId !== null) {
      // The project page shows the project's action items: open pages reload (use-live-project).
      tx.update(projects).set({ version: sql`${projects.version} + 1`, updatedAt: now.getTime() }).where(eq(projects.id, row.projectId)).run();
    }
    writeAudit(
      tx,
      { actorUserId: actor.id, action: "actionItem.close", entityType: "action_item", entityId: row.id, projectId: row.projectId, detail: { note, closedOn, uploadId, onTime: closedOn <= row.dueOn } },
      now,
    );
    wake(planActionItemTimers(tx, tx.select().from(actionItems).where(eq(actionItems.id, row.id)).get()!, cal, policy));
    refreshStatsAfter(tx, now, { projectId: row.projectId, departmentIds: [row.ownerDepartmentId] });
  });
  return getActionItem(ctx, actor, row.id);
}

/**
 * Closes an open action item with a note of what was done (DESIGN §4); its unfired
 * warnings go. `uploadId` (optional) must be a file of the linked project.
 * 404 unseen, 403 not the lead unit nor a coordinator, 422 without a note, 409 when not open.
 */
export function closeActionItem(ctx: ServiceContext, actor: Actor, id: number, raw: unknown) {
  const { row, note, uploadId } = checkClose(ctx, actor, id, raw);
  return closeIn(ctx, actor, row, note, uploadId === null ? null : { uploadId });
}

/**
 * The close form: the note and, optionally, a file stored as an upload of the linked
 * project with the same checks as a material (type, size, content hash). Everything
 * is checked before the file is written, so a refused close stores nothing.
 */
export async function closeActionItemWithFile(ctx: ServiceContext, actor: Actor, id: number, input: { note?: unknown; file?: UploadFile | null }) {
  const { row, note } = checkClose(ctx, actor, id, { note: input.note });
  if (!input.file) return closeIn(ctx, actor, row, note, null);
  if (row.projectId === null) throw new AppError("invalid", "该事项未关联项目，附件无处存放；请在办理情况中写明文件名称和文号", { file: "该事项未关联项目，不能上传附件" });
  const { name, mime } = checkUploadFile(input.file);
  const sha256 = createHash("sha256").update(input.file.bytes).digest("hex");
  await storeBlob(loadConfig().uploadDir, sha256, input.file.bytes);
  return closeIn(ctx, actor, row, note, { newUpload: { sha256, originalName: name, mimeType: mime, size: input.file.bytes.byteLength } });
}

// ---------------------------------------------------------------- Excel

const XLSX_HEADERS = [
  "序号",
  "督办事项",
  "来源",
  "会议 / 依据",
  "责任单位",
  "配合单位",
  "责任人",
  "关联项目",
  "关联审批事项",
  "起算日",
  "完成时限（工作日）",
  "到期日",
  "剩余工作日",
  "预警",
  "状态",
  "办结日期",
  "按期办结",
  "办理情况",
] as const;
type XlsxHeader = (typeof XLSX_HEADERS)[number];
const XLSX_WIDTHS: Record<XlsxHeader, number> = {
  序号: 6,
  督办事项: 44,
  来源: 10,
  "会议 / 依据": 30,
  责任单位: 22,
  配合单位: 26,
  责任人: 10,
  关联项目: 28,
  关联审批事项: 22,
  起算日: 12,
  "完成时限（工作日）": 10,
  到期日: 12,
  剩余工作日: 10,
  预警: 8,
  状态: 8,
  办结日期: 12,
  按期办结: 8,
  办理情况: 40,
};
const XLSX_DATES = new Set<XlsxHeader>(["起算日", "到期日", "办结日期"]);
// The ledger export's fills (ledger.server.ts), so the two workbooks read alike.
const FILL_RED: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFFFC7CE" } };
const FILL_YELLOW: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFFFEB9C" } };
const FILL_HEADER: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFE2E8F0" } };

/** A business date as an Excel date cell (UTC midnight, so no time-zone shift). */
function excelDate(text: string | null): Date | null {
  const d = text ? parseDate(text) : null;
  return d === null ? null : new Date(d * 86_400_000);
}

/**
 * The 督办台账 as an Excel workbook, with the page's filters: one row per action item,
 * most urgent first, overdue rows red and due-soon rows yellow as in the 代办台账 export.
 */
export async function exportActionItemsFile(ctx: ServiceContext, actor: Actor, rawFilter: unknown): Promise<{ buffer: Buffer; fileName: string }> {
  const rows = listActionItems(ctx, actor, rawFilter);
  const wb = new ExcelJS.Workbook();
  wb.creator = "绿色通道";
  wb.created = ctx.now;
  const sheet = wb.addWorksheet("督办台账");
  sheet.columns = XLSX_HEADERS.map((h) => ({ header: h, key: h, width: XLSX_WIDTHS[h], style: XLSX_DATES.has(h) ? { numFmt: "yyyy-mm-dd" } : {} }));
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.fill = FILL_HEADER;
  header.alignment = { vertical: "middle" };
  sheet.views = [{ state: "frozen", ySplit: 1 }];
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: XLSX_HEADERS.length } };
  rows.forEach((v, i) => {
    const values: Record<XlsxHeader, ExcelJS.CellValue> = {
      序号: i + 1,
      督办事项: v.title,
      来源: ACTION_SOURCE_LABELS[v.source],
      "会议 / 依据": v.meeting ? `${v.meeting.title}（${v.meeting.heldOn}）` : "",
      责任单位: v.leadDepartmentName ?? "",
      配合单位: v.coDepartments.map((d) => d.name).join("、"),
      责任人: v.owner ?? "",
      关联项目: v.projectName ?? "",
      关联审批事项: v.itemName ?? "",
      起算日: excelDate(v.startOn),
      "完成时限（工作日）": v.dueInWorkingDays,
      到期日: excelDate(v.dueOn),
      剩余工作日: v.remainingWorkingDays,
      预警: v.warning === "red" ? "超期" : v.warning === "yellow" ? "临期" : "",
      状态: ACTION_STATUS_LABELS[v.status],
      办结日期: excelDate(v.closedOn),
      按期办结: v.onTime === null ? "" : v.onTime ? "是" : "否",
      办理情况: v.closeNote ?? "",
    };
    const row = sheet.addRow(values);
    const fill = v.warning === "red" ? FILL_RED : v.warning === "yellow" ? FILL_YELLOW : null;
    if (fill) row.eachCell({ includeEmpty: true }, (cell) => (cell.fill = fill));
  });
  const buffer = Buffer.from(await wb.xlsx.writeBuffer());
  return { buffer, fileName: `督办台账-${shanghaiToday(ctx.now)}.xlsx` };
}
