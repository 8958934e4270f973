import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { clockEvents, items, projectProxies, projects, timetableChanges, users } from "../../db/schema";
import type { Actor } from "~/domain/access/policy";
import { parseDate, shanghaiDay } from "~/domain/calendar";
import { allowedEvents, applyClockEvent } from "~/domain/clock";
import { isClosedProject, PROJECT_CLOSE_LABELS, PROJECT_CLOSE_OUTCOMES } from "~/domain/project/types";
import { zhFieldErrorMap } from "~/domain/validation/zh-error-map";
import type { Db } from "~/utils/db.server";
import { writeAudit } from "./audit.server";
import type { ServiceContext } from "./context.server";
import { AppError, invalidInput } from "./errors.server";
import { planItemTimers, planProjectTimers } from "./escalation-timers.server";
import { refreshStatsAfter } from "./stats.server";
import { requireProjectAccess } from "./project-access.server";
import { loadProject, storedColumns } from "./project-aggregate.server";
import { getCalendar, getPolicy } from "./time-rules.server";
import { transactThenWake } from "./transaction.server";

/**
 * A project's life after intake: who runs it (proxy officers), when it should
 * start (the 开工 target, changed only with a reason — DESIGN §4) and how it
 * ends (开工 recorded or withdrawn). Only the assigned officers and
 * administrators may do these ("project.edit"); each change is audited and so
 * shows in the project's 代办日志 timeline.
 */

const dateField = (label: string) =>
  z
    .string({ required_error: `请填写${label}`, invalid_type_error: `${label}应为日期字符串` })
    .refine((s) => parseDate(s) !== null, { message: `${label}不是有效日期（格式 YYYY-MM-DD）` });

const reasonField = (what: string) =>
  z
    .string({ required_error: `请填写${what}`, invalid_type_error: `${what}应为文字` })
    .trim()
    .min(2, `请填写${what}（至少 2 个字）`)
    .max(500, `${what}不超过 500 字`);

const rescheduleSchema = z.object({
  targetStartOn: dateField("新的计划开工日期"),
  reason: reasonField("调整原因"),
});

const proxiesSchema = z.object({
  proxyUserIds: z
    .array(z.number({ invalid_type_error: "代办员选择无效" }).int().positive("代办员选择无效"), {
      required_error: "请至少选择一名代办员",
      invalid_type_error: "代办员应为用户编号列表",
    })
    .min(1, "请至少选择一名代办员")
    .max(10, "代办员最多 10 名"),
});

const closeSchema = z.object({
  outcome: z.enum(PROJECT_CLOSE_OUTCOMES, { errorMap: () => ({ message: "请选择关闭方式（已开工或项目撤销）" }) }),
  on: dateField("日期"),
  reason: reasonField("说明"),
});

function openProject(db: Db, actor: Actor, projectId: unknown, denied: string) {
  const { project } = requireProjectAccess(db, actor, projectId, "project.edit", denied);
  if (isClosedProject(project.status)) throw new AppError("conflict", `项目已关闭（${project.closedOn ?? ""} ${project.status === "withdrawn" ? "撤销" : "开工"}），不能再修改`);
  return project;
}

/** DESIGN §4: a new 开工 target, with the old one, the reason, who and when kept for good. */
export function changeTargetStart(ctx: ServiceContext, actor: Actor, projectId: number, raw: unknown) {
  const { db, now } = ctx;
  const project = openProject(db, actor, projectId, "只有本项目的代办员或管理员可以调整计划开工日期");
  const parsed = rescheduleSchema.safeParse(raw ?? {}, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  const { targetStartOn, reason } = parsed.data;
  if (targetStartOn === project.targetStartOn) {
    throw new AppError("invalid", "新日期与当前计划开工日期相同", { targetStartOn: "新日期与当前计划开工日期相同" });
  }
  if (targetStartOn < project.signedOn) {
    throw new AppError("invalid", `计划开工日期不能早于签约日期 ${project.signedOn}`, { targetStartOn: `不能早于签约日期 ${project.signedOn}` });
  }
  transactThenWake(db, (tx) => {
    tx.insert(timetableChanges).values({ projectId, fromOn: project.targetStartOn, toOn: targetStartOn, reason, byUserId: actor.id, at: now.getTime() }).run();
    tx.update(projects)
      .set({ targetStartOn, version: sql`${projects.version} + 1`, updatedAt: now.getTime() })
      .where(eq(projects.id, projectId))
      .run();
    writeAudit(tx, { actorUserId: actor.id, action: "project.timetable", entityType: "project", entityId: projectId, projectId, detail: { from: project.targetStartOn, to: targetStartOn, reason } }, now);
    // A new target moves the forecast's slack and the at-risk flag the dashboard reads.
    refreshStatsAfter(tx, now, { projectId, departmentIds: [] });
  });
  return { from: project.targetStartOn, to: targetStartOn };
}

/** The plan's history, oldest first: what the project page and the API show. */
export function listTimetableChanges(db: Db, projectId: number) {
  return db
    .select({ id: timetableChanges.id, from: timetableChanges.fromOn, to: timetableChanges.toOn, reason: timetableChanges.reason, by: users.displayName, at: timetableChanges.at })
    .from(timetableChanges)
    .leftJoin(users, eq(users.id, timetableChanges.byUserId))
    .where(eq(timetableChanges.projectId, projectId))
    .orderBy(asc(timetableChanges.id))
    .all()
    .map((c) => ({ ...c, by: c.by ?? "系统" }));
}

/** Active proxy officers an assignment may name. */
export function listProxyOfficers(db: Db) {
  return db
    .select({ id: users.id, login: users.login, displayName: users.displayName })
    .from(users)
    .where(and(eq(users.role, "proxy"), eq(users.active, true)))
    .orderBy(asc(users.displayName))
    .all();
}

/** Replaces the project's proxy officers (at least one stays assigned). */
export function assignProxies(ctx: ServiceContext, actor: Actor, projectId: number, raw: unknown) {
  const { db, now } = ctx;
  openProject(db, actor, projectId, "只有本项目的代办员或管理员可以调整代办员");
  const parsed = proxiesSchema.safeParse(raw ?? {}, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  const wanted = [...new Set(parsed.data.proxyUserIds)];
  const found = db
    .select({ id: users.id, name: users.displayName })
    .from(users)
    .where(and(inArray(users.id, wanted), eq(users.role, "proxy"), eq(users.active, true)))
    .all();
  if (found.length !== wanted.length) throw new AppError("invalid", "所选代办员不存在或已停用", { proxyUserIds: "所选代办员不存在或已停用" });
  const current = db
    .select({ id: projectProxies.userId, name: users.displayName })
    .from(projectProxies)
    .innerJoin(users, eq(users.id, projectProxies.userId))
    .where(eq(projectProxies.projectId, projectId))
    .all();
  const added = found.filter((u) => !current.some((c) => c.id === u.id));
  const removed = current.filter((c) => !wanted.includes(c.id));
  if (!added.length && !removed.length) return { added: [], removed: [] };
  transactThenWake(db, (tx) => {
    if (removed.length) tx.delete(projectProxies).where(and(eq(projectProxies.projectId, projectId), inArray(projectProxies.userId, removed.map((r) => r.id)))).run();
    for (const u of added) tx.insert(projectProxies).values({ projectId, userId: u.id }).run();
    // The dashboard's 代办员 filter reads project_proxies directly; nothing stored to refresh.
    tx.update(projects).set({ version: sql`${projects.version} + 1`, updatedAt: now.getTime() }).where(eq(projects.id, projectId)).run();
    writeAudit(
      tx,
      { actorUserId: actor.id, action: "project.proxies", entityType: "project", entityId: projectId, projectId, detail: { added: added.map((u) => u.name), removed: removed.map((u) => u.name) } },
      now,
    );
  });
  return { added: added.map((u) => u.name), removed: removed.map((u) => u.name) };
}

/**
 * Closes a project: 开工 recorded (status started), or withdrawn. A withdrawn
 * project's live clocks end with a `withdraw` event each, so no warning or 督办
 * fires for work nobody will do; a started project's remaining items (after-开工
 * approvals) keep their clocks. Either way the project leaves the active lists
 * and its stall timer, and stays searchable.
 */
export function closeProject(ctx: ServiceContext, actor: Actor, projectId: number, raw: unknown) {
  const { db, now } = ctx;
  const project = openProject(db, actor, projectId, "只有本项目的代办员或管理员可以关闭项目");
  const parsed = closeSchema.safeParse(raw ?? {}, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  const { outcome, on, reason } = parsed.data;
  if (parseDate(on)! > shanghaiDay(now)) throw new AppError("invalid", "日期不能晚于今天", { on: "日期不能晚于今天" });
  if (on < project.signedOn) throw new AppError("invalid", `日期不能早于签约日期 ${project.signedOn}`, { on: `不能早于签约日期 ${project.signedOn}` });

  const cal = getCalendar(db);
  const policy = getPolicy(db);
  const agg = loadProject(db, projectId, cal)!;
  transactThenWake(db, (tx, wake) => {
    if (outcome === "withdrawn") {
      for (const item of agg.items) {
        if (!allowedEvents(item.state, item.spec).includes("withdraw")) continue;
        const result = applyClockEvent(item.state, { type: "withdraw", on: parseDate(on)! }, item.spec, cal);
        if (!result.ok) continue;
        tx.update(items)
          .set({ ...storedColumns(result.state, (x) => cal.format(x)), version: item.row.version + 1, updatedAt: now.getTime() })
          .where(eq(items.id, item.row.id))
          .run();
        tx.insert(clockEvents).values({ itemId: item.row.id, type: "withdraw", on, actorUserId: actor.id, note: `项目撤销：${reason}`, createdAt: now.getTime() }).run();
        wake(planItemTimers(tx, tx.select().from(items).where(eq(items.id, item.row.id)).get()!, cal, policy));
      }
    }
    tx.update(projects)
      .set({ status: outcome, closedOn: on, closeReason: reason, version: sql`${projects.version} + 1`, updatedAt: now.getTime() })
      .where(eq(projects.id, projectId))
      .run();
    wake(planProjectTimers(tx, projectId, cal, policy));
    // Withdrawn items leave their departments' queues; a started project joins the 开工 figures.
    refreshStatsAfter(tx, now, { projectId, dates: [on] });
    writeAudit(tx, { actorUserId: actor.id, action: "project.close", entityType: "project", entityId: projectId, projectId, detail: { outcome, label: PROJECT_CLOSE_LABELS[outcome], on, reason } }, now);
  });
  return { status: outcome };
}
