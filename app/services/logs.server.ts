import { desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { auditLog, clockEvents, contactLogs, items, projects, users } from "../../db/schema";
import { type Actor } from "~/domain/access/policy";
import { parseDate, shanghaiDay, shanghaiToday } from "~/domain/calendar";
import { CLOCK_EVENT_TYPES, clockEventLabel } from "~/domain/clock";
import { zhFieldErrorMap } from "~/domain/validation/zh-error-map";
import { writeAudit } from "./audit.server";
import { transactThenWake } from "./transaction.server";
import { refreshStatsAfter } from "./stats.server";
import { getCalendar } from "./time-rules.server";
import type { ServiceContext } from "./context.server";
import { AppError, invalidInput } from "./errors.server";
import { planProjectTimers } from "./escalation-timers.server";
import { requireProjectAccess } from "./project-access.server";
import type { EventDetail } from "./project-aggregate.server";
import { getPolicy } from "./time-rules.server";
import { AUDIT_ACTION_LABELS } from "~/domain/audit/labels";

/**
 * 代办日志 and the project timeline: what the officer did (contacts, visits,
 * coordination), what happened to each item (clock events) and every other
 * recorded change (audit rows), as one list.
 */

export const LOG_KINDS = ["contact", "visit", "coordination", "note"] as const;
export type LogKind = (typeof LOG_KINDS)[number];

export const LOG_KIND_LABELS: Record<LogKind, string> = {
  contact: "联系企业/部门",
  visit: "上门走访",
  coordination: "协调推进",
  note: "备注",
};

const logSchema = z.object({
  on: z
    .string({ required_error: "请填写日期", invalid_type_error: "日期应为字符串" })
    .refine((s) => parseDate(s) !== null, { message: "日期无效（格式 YYYY-MM-DD）" }),
  kind: z.enum(LOG_KINDS, { errorMap: () => ({ message: "请选择日志类型（联系、走访、协调或备注）" }) }),
  note: z
    .string({ required_error: "请填写日志内容", invalid_type_error: "日志内容应为文字" })
    .trim()
    .min(1, "请填写日志内容")
    .max(2000, "日志内容不超过 2000 字"),
});

export type ContactLogInput = z.input<typeof logSchema>;

/**
 * Records one 代办日志 entry. A contact, visit or coordination is progress
 * (DESIGN §4 stall rule: "no progress event"), so it moves the project's last
 * progress date and re-arms the stall timer in the same transaction; an
 * internal note is not progress.
 */
export function addContactLog(ctx: ServiceContext, actor: Actor, projectId: number, raw: unknown) {
  const { db, now } = ctx;
  requireProjectAccess(db, actor, projectId, "log.write", "只有本项目的代办员可以记录代办日志");
  const parsed = logSchema.safeParse(raw, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  const input = parsed.data;
  if (parseDate(input.on)! > shanghaiDay(now)) throw new AppError("invalid", "日志日期不能晚于今天", { on: "日志日期不能晚于今天" });

  const cal = getCalendar(db);
  const policy = getPolicy(db);
  const id = transactThenWake(db, (tx, wake) => {
    const row = tx
      .insert(contactLogs)
      .values({ projectId, authorUserId: actor.id, on: input.on, kind: input.kind, note: input.note, createdAt: now.getTime() })
      .returning({ id: contactLogs.id })
      .get();
    const progress = input.kind !== "note";
    tx.update(projects)
      .set({
        version: sql`${projects.version} + 1`,
        updatedAt: now.getTime(),
        ...(progress ? { lastProgressOn: sql`max(coalesce(${projects.lastProgressOn}, ''), ${input.on})` } : {}),
      })
      .where(eq(projects.id, projectId))
      .run();
    writeAudit(
      tx,
      { actorUserId: actor.id, action: "log.create", entityType: "contact_log", entityId: row.id, projectId, detail: { on: input.on, kind: input.kind } },
      now,
    );
    if (progress) wake(planProjectTimers(tx, projectId, cal, policy));
    // A contact or visit is progress and a 跑动 of the project's figures (issue 13).
    refreshStatsAfter(tx, now, { projectId, departmentIds: [] });
    return row.id;
  });
  return { id, message: "已记录代办日志" };
}

// ---------------------------------------------------------------- timeline

export interface TimelineEntry {
  /** Unique across the three sources, for list keys. */
  id: string;
  /** Instant recorded (ms since epoch, UTC). */
  at: number;
  /** Business date (YYYY-MM-DD): the date of the contact or event, or the audit row's Shanghai date. */
  on: string;
  kind: "log" | "event" | "audit";
  title: string;
  detail: string;
  actorName: string;
}

const CLOCK_AUDIT_ACTIONS = new Set(CLOCK_EVENT_TYPES.map((t) => `item.${t}`));


function parseJson(text: string | null): Record<string, unknown> {
  if (!text) return {};
  try {
    const v = JSON.parse(text);
    return v && typeof v === "object" ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const str = (v: unknown) => (typeof v === "string" || typeof v === "number" ? String(v) : "");

function auditDetail(action: string, d: Record<string, unknown>): string {
  switch (action) {
    case "material.upload":
      return `${str(d.name)}：${str(d.originalName)}`;
    case "material.verify":
    case "material.reject":
      return [str(d.name), str(d.note)].filter(Boolean).join("：");
    case "graph.addDependency":
    case "graph.removeDependency":
      return `${str(d.from)} → ${str(d.to)}`;
    case "escalation.acknowledge":
      return str(d.note);
    case "project.create":
      return d.template ? `模板 ${str(d.template)}${d.version ? ` 第 ${str(d.version)} 版` : ""}` : "";
    case "project.timetable":
      return `${str(d.from)} → ${str(d.to)}：${str(d.reason)}`;
    case "project.proxies": {
      const names = (v: unknown) => (Array.isArray(v) ? v.map(str).join("、") : "");
      return [names(d.added) && `新增 ${names(d.added)}`, names(d.removed) && `移出 ${names(d.removed)}`].filter(Boolean).join("；");
    }
    case "project.close":
      return `${str(d.label)}（${str(d.on)}）：${str(d.reason)}`;
    default:
      return "";
  }
}

function eventDetail(note: string | null, detailText: string | null): string {
  const d = parseJson(detailText) as EventDetail;
  const parts: string[] = [];
  if (note) parts.push(note);
  if (d.missingMaterials?.length) parts.push(`需补正材料：${d.missingMaterials.join("、")}`);
  if (d.deferredMaterials?.length) parts.push(`容缺材料：${d.deferredMaterials.join("、")}${d.commitmentOn ? `（承诺 ${d.commitmentOn} 前补齐）` : ""}`);
  return parts.join("；");
}

/**
 * One timeline for the project, newest first by business date and then by
 * the moment it was recorded (a contact logged today about yesterday sorts
 * under yesterday). Audit rows that merely shadow a clock event or a log
 * entry are left out, so nothing appears twice.
 */
export function projectTimeline(ctx: ServiceContext, actor: Actor, projectId: number, limit = 500): TimelineEntry[] {
  const { db } = ctx;
  requireProjectAccess(db, actor, projectId, "project.view");
  const out: TimelineEntry[] = [];

  const logs = db
    .select({ l: contactLogs, name: users.displayName })
    .from(contactLogs)
    .leftJoin(users, eq(users.id, contactLogs.authorUserId))
    .where(eq(contactLogs.projectId, projectId))
    .all();
  for (const { l, name } of logs) {
    out.push({
      id: `log-${l.id}`,
      at: l.createdAt,
      on: l.on,
      kind: "log",
      title: LOG_KIND_LABELS[l.kind as LogKind] ?? l.kind,
      detail: l.note,
      actorName: name ?? "系统",
    });
  }

  const events = db
    .select({ e: clockEvents, itemName: items.name, name: users.displayName })
    .from(clockEvents)
    .innerJoin(items, eq(items.id, clockEvents.itemId))
    .leftJoin(users, eq(users.id, clockEvents.actorUserId))
    .where(eq(items.projectId, projectId))
    .all();
  for (const { e, itemName, name } of events) {
    out.push({
      id: `event-${e.id}`,
      at: e.createdAt,
      on: e.on,
      kind: "event",
      title: `${itemName} · ${clockEventLabel(e.type, parseJson(e.detail).deemed === true)}`,
      detail: eventDetail(e.note, e.detail),
      actorName: name ?? "系统",
    });
  }

  const audits = db
    .select({ a: auditLog, name: users.displayName })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorUserId))
    .where(eq(auditLog.projectId, projectId))
    .orderBy(desc(auditLog.id))
    .all();
  for (const { a, name } of audits) {
    if (CLOCK_AUDIT_ACTIONS.has(a.action) || a.action.startsWith("log.")) continue;
    out.push({
      id: `audit-${a.id}`,
      at: a.at,
      on: shanghaiToday(new Date(a.at)),
      kind: "audit",
      // One set of Chinese labels for audit actions, shared with the administrators' audit viewer.
      title: AUDIT_ACTION_LABELS[a.action] ?? `系统记录（${a.action}）`,
      detail: auditDetail(a.action, parseJson(a.detail)),
      actorName: name ?? "系统",
    });
  }

  out.sort((x, y) => (x.on < y.on ? 1 : x.on > y.on ? -1 : y.at - x.at || y.id.localeCompare(x.id, "en", { numeric: true })));
  return out.slice(0, limit);
}
