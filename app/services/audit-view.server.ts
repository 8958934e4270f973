import { and, count, desc, eq, gte, isNull, lt, sql, type SQL } from "drizzle-orm";
import { auditLog, projects, users } from "../../db/schema";
import { decide, type Actor } from "~/domain/access/policy";
import { auditFilterQuery, auditTimeRange, parseAuditFilters, SYSTEM_ACTOR, type AuditFilter, type AuditFilterField } from "~/domain/audit/filters";
import { AUDIT_ACTION_LABELS, AUDIT_ENTITY_LABELS, auditActionLabel, auditEntityLabel } from "~/domain/audit/labels";
import { auditTime, formatAuditDetail, toCsv } from "~/domain/audit/present";
import type { ServiceContext } from "./context.server";
import { forbidden } from "./errors.server";

/**
 * The administrators' audit viewer (issue 14): the append-only audit_log, newest
 * first, filtered. Read-only by construction: nothing here writes, and the
 * database refuses UPDATE and DELETE on the table (migration 0010's triggers).
 */

export const AUDIT_PAGE_SIZE = 100;
/** An export larger than this is cut (and says so): narrow the filters instead. */
export const AUDIT_EXPORT_MAX = 20_000;
/** How many of the newest rows the filter choices are read from (besides the known actions). */
const OPTIONS_FROM_NEWEST = 20_000;

export interface AuditRowView {
  id: number;
  at: number;
  time: string;
  actor: { id: number; login: string; displayName: string } | null;
  action: string;
  actionLabel: string;
  entityType: string;
  entityLabel: string;
  entityId: number | null;
  project: { id: number; name: string } | null;
  detail: { text: string; truncated: boolean } | null;
}

export interface AuditOption {
  value: string;
  label: string;
}

export interface AuditLogPage {
  values: Record<AuditFilterField, string>;
  errors: Partial<Record<AuditFilterField, string>>;
  rows: AuditRowView[];
  total: number;
  page: number;
  pageSize: number;
  actionOptions: AuditOption[];
  entityOptions: AuditOption[];
  /** Query string of the current filters, without the page: for the pager and the export link. */
  query: string;
}

function requireAuditAccess(actor: Actor): void {
  if (!decide(actor, "admin.manage").allowed) throw forbidden("只有系统管理员可以查看审计日志");
}

/** `%`, `_` and `\` typed by a person are literal characters, not LIKE wildcards. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function whereOf(filter: AuditFilter): SQL | undefined {
  const { fromMs, toMs } = auditTimeRange(filter);
  const conds: (SQL | undefined)[] = [];
  if (fromMs !== null) conds.push(gte(auditLog.at, fromMs));
  if (toMs !== null) conds.push(lt(auditLog.at, toMs));
  if (filter.actor === SYSTEM_ACTOR) conds.push(isNull(auditLog.actorUserId));
  else if (filter.actor) {
    conds.push(
      sql`${auditLog.actorUserId} in (select ${users.id} from ${users} where lower(${users.login}) = lower(${filter.actor}) or ${users.displayName} like ${containsPattern(filter.actor)} escape '\\')`,
    );
  }
  if (filter.action) conds.push(eq(auditLog.action, filter.action));
  if (filter.entityType) conds.push(eq(auditLog.entityType, filter.entityType));
  if (filter.entityId !== null) conds.push(eq(auditLog.entityId, filter.entityId));
  if (filter.project && "id" in filter.project) conds.push(eq(auditLog.projectId, filter.project.id));
  else if (filter.project) {
    conds.push(sql`${auditLog.projectId} in (select ${projects.id} from ${projects} where ${projects.name} like ${containsPattern(filter.project.name)} escape '\\')`);
  }
  return conds.length ? and(...conds) : undefined;
}

const ROW_FIELDS = {
  id: auditLog.id,
  at: auditLog.at,
  actorUserId: auditLog.actorUserId,
  login: users.login,
  displayName: users.displayName,
  action: auditLog.action,
  entityType: auditLog.entityType,
  entityId: auditLog.entityId,
  projectId: auditLog.projectId,
  projectName: projects.name,
  detail: auditLog.detail,
};

type RawRow = ReturnType<typeof selectRows>[number];

function selectRows(ctx: ServiceContext, filter: AuditFilter, limit: number, offset: number) {
  return (
    ctx.db
      .select(ROW_FIELDS)
      .from(auditLog)
      .leftJoin(users, eq(users.id, auditLog.actorUserId))
      .leftJoin(projects, eq(projects.id, auditLog.projectId))
      .where(whereOf(filter))
      // Newest first in the order recorded: the log is append-only, so the id is that order, and walking
      // the primary key backwards stops after one page (ordering by `at` sorted the whole table: 4.5 s at 500,000 rows).
      .orderBy(desc(auditLog.id))
      .limit(limit)
      .offset(offset)
      .all()
  );
}

function countRows(ctx: ServiceContext, filter: AuditFilter): number {
  return ctx.db
    .select({ n: count() })
    .from(auditLog)
    .where(whereOf(filter))
    .get()!.n;
}

function toView(r: RawRow, detailChars?: number): AuditRowView {
  return {
    id: r.id,
    at: r.at,
    time: auditTime(r.at),
    actor: r.actorUserId !== null ? { id: r.actorUserId, login: r.login ?? `#${r.actorUserId}`, displayName: r.displayName ?? "" } : null,
    action: r.action,
    actionLabel: auditActionLabel(r.action),
    entityType: r.entityType,
    entityLabel: auditEntityLabel(r.entityType),
    entityId: r.entityId,
    // A row may name a project that no longer exists (a failed import's project is rolled back, its audit row is not).
    project: r.projectId !== null ? { id: r.projectId, name: r.projectName ?? `#${r.projectId}` } : null,
    detail: formatAuditDetail(r.detail, detailChars),
  };
}

/** The select's choices: every action (object type) that occurs, plus the known ones, labelled; unknown keys as themselves. */
function options(present: string[], known: Readonly<Record<string, string>>, label: (k: string) => string): AuditOption[] {
  const all = new Set([...present, ...Object.keys(known)]);
  return [...all].map((value) => ({ value, label: label(value) })).sort((a, b) => a.label.localeCompare(b.label, "zh-CN") || a.value.localeCompare(b.value));
}

/**
 * One page of the audit log for the filters in `params` (the page's query string).
 * Bad filters come back as `errors` with no rows, never as an exception.
 */
export function listAuditLog(ctx: ServiceContext, actor: Actor, params: URLSearchParams): AuditLogPage {
  requireAuditAccess(actor);
  const { filter, values, errors } = parseAuditFilters(params);
  // The choices come from the newest rows only: a distinct over the whole log is a full scan (0.3 s at
  // 500,000 rows) on every page view. Known actions are always offered, and the chosen one is kept.
  const present = (col: "action" | "entity_type", chosen: string) => [
    ...ctx.db.all<{ v: string }>(sql`select distinct ${sql.raw(col)} as v from (select ${sql.raw(col)} from audit_log order by id desc limit ${OPTIONS_FROM_NEWEST})`).map((r) => r.v),
    ...(chosen ? [chosen] : []),
  ];
  const common = {
    values,
    errors,
    pageSize: AUDIT_PAGE_SIZE,
    actionOptions: options(present("action", filter.action ?? ""), AUDIT_ACTION_LABELS, auditActionLabel),
    entityOptions: options(present("entity_type", filter.entityType ?? ""), AUDIT_ENTITY_LABELS, auditEntityLabel),
    query: auditFilterQuery(values),
  };
  if (Object.keys(errors).length) return { ...common, rows: [], total: 0, page: 1 };

  const total = countRows(ctx, filter);
  // A bookmark past the end (the log was filtered differently then) shows the last page.
  const page = Math.min(filter.page, Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE)));
  const rows = selectRows(ctx, filter, AUDIT_PAGE_SIZE, (page - 1) * AUDIT_PAGE_SIZE).map((r) => toView(r));
  return { ...common, rows, total, page };
}

export type AuditExport = { ok: true; csv: string; rows: number; cut: boolean } | { ok: false; errors: Partial<Record<AuditFilterField, string>> };

/** The filtered rows (all pages, up to AUDIT_EXPORT_MAX) as CSV, detail in full. */
export function exportAuditLog(ctx: ServiceContext, actor: Actor, params: URLSearchParams): AuditExport {
  requireAuditAccess(actor);
  const { filter, errors } = parseAuditFilters(params);
  if (Object.keys(errors).length) return { ok: false, errors };
  const raw = selectRows(ctx, filter, AUDIT_EXPORT_MAX + 1, 0);
  const cut = raw.length > AUDIT_EXPORT_MAX;
  const views = raw.slice(0, AUDIT_EXPORT_MAX).map((r) => toView(r, Number.POSITIVE_INFINITY));
  const lines: (string | number | null)[][] = [
    ["时间（北京时间）", "操作人账号", "操作人姓名", "操作类型", "操作代码", "对象类型", "对象编号", "项目编号", "项目名称", "详情"],
    ...views.map((v) => [
      v.time,
      v.actor?.login ?? SYSTEM_ACTOR,
      v.actor?.displayName ?? "",
      v.actionLabel,
      v.action,
      v.entityLabel,
      v.entityId,
      v.project?.id ?? null,
      v.project?.name ?? "",
      v.detail?.text ?? "",
    ]),
  ];
  if (cut) lines.push([`（仅导出最新的 ${AUDIT_EXPORT_MAX} 条，请缩小筛选范围后分批导出）`]);
  return { ok: true, csv: toCsv(lines), rows: views.length, cut };
}
