import { parseDate } from "../calendar/dates";
import { instantOf } from "../escalation/policy";
import { parseId } from "../validation/id";

/**
 * The audit viewer's filters, as they arrive in the page's query string, checked
 * once here. A bad value is answered with a Chinese message naming the field and
 * the list is not shown: silently dropping a filter would show an administrator
 * rows they did not ask for and let them believe otherwise.
 */
export const AUDIT_FILTER_FIELDS = ["from", "to", "actor", "action", "entityType", "entityId", "project"] as const;
export type AuditFilterField = (typeof AUDIT_FILTER_FIELDS)[number];

/** Who wrote a row when no person did (the worker, a timer): typed into 操作人 it finds those rows. */
export const SYSTEM_ACTOR = "系统";

const MAX_TEXT = 64;
const MAX_PROJECT = 100;
const ACTION_RE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const ENTITY_TYPE_RE = /^[a-z][a-z_]{0,39}$/;

export interface AuditFilter {
  /** Asia/Shanghai business dates, both ends included. */
  from: string | null;
  to: string | null;
  /** A login (exact, any case), part of a display name, or SYSTEM_ACTOR. */
  actor: string | null;
  action: string | null;
  entityType: string | null;
  entityId: number | null;
  /** A project id, or part of a project's name. */
  project: { id: number } | { name: string } | null;
  page: number;
}

export interface ParsedAuditFilter {
  filter: AuditFilter;
  /** What was typed, echoed into the form whether or not it was valid. */
  values: Record<AuditFilterField, string>;
  errors: Partial<Record<AuditFilterField, string>>;
}

type Params = Pick<URLSearchParams, "get">;

// Zero-width characters and direction marks pasted along with a name would make it match nothing.
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF]/g;

function clean(raw: string | null): string {
  return (raw ?? "").replace(INVISIBLE, "").trim();
}

/**
 * @example parseAuditFilters(new URLSearchParams("from=2026-03-01&action=auth.signInFailed")).filter
 *          // → { from: "2026-03-01", to: null, actor: null, action: "auth.signInFailed", …, page: 1 }
 * @example parseAuditFilters(new URLSearchParams("from=2026-02-30")).errors // → { from: "开始日期无效，应为 YYYY-MM-DD 格式的日期" }
 */
export function parseAuditFilters(params: Params): ParsedAuditFilter {
  const values = Object.fromEntries(AUDIT_FILTER_FIELDS.map((f) => [f, clean(params.get(f))])) as Record<AuditFilterField, string>;
  const errors: Partial<Record<AuditFilterField, string>> = {};
  const filter: AuditFilter = { from: null, to: null, actor: null, action: null, entityType: null, entityId: null, project: null, page: 1 };

  for (const [field, label] of [
    ["from", "开始日期"],
    ["to", "结束日期"],
  ] as const) {
    const v = values[field];
    if (!v) continue;
    if (parseDate(v) === null) errors[field] = `${label}无效，应为 YYYY-MM-DD 格式的日期`;
    else filter[field] = v;
  }
  if (filter.from && filter.to && filter.from > filter.to) errors.to = "结束日期不能早于开始日期";

  if (values.actor) {
    if ([...values.actor].length > MAX_TEXT) errors.actor = `操作人过长（最多 ${MAX_TEXT} 个字符）`;
    else filter.actor = values.actor;
  }
  if (values.action) {
    if (!ACTION_RE.test(values.action)) errors.action = "操作类型无效";
    else filter.action = values.action;
  }
  if (values.entityType) {
    if (!ENTITY_TYPE_RE.test(values.entityType)) errors.entityType = "对象类型无效";
    else filter.entityType = values.entityType;
  }
  if (values.entityId) {
    const id = parseId(values.entityId);
    if (id === null) errors.entityId = "对象编号应为正整数";
    else filter.entityId = id;
  }
  if (values.project) {
    if (/^\d+$/.test(values.project)) {
      const id = parseId(values.project);
      if (id === null) errors.project = "项目编号无效";
      else filter.project = { id };
    } else if ([...values.project].length > MAX_PROJECT) {
      errors.project = `项目名称过长（最多 ${MAX_PROJECT} 个字符）`;
    } else {
      filter.project = { name: values.project };
    }
  }
  // A page number is only ever followed from the pager: anything odd is page 1, not an error.
  filter.page = parseId(params.get("page")) ?? 1;
  return { filter, values, errors };
}

/**
 * The instants [fromMs, toMs) a filter's dates cover: Shanghai midnight of `from`
 * up to Shanghai midnight after `to`.
 *
 * @example auditTimeRange({ from: "2026-03-09", to: "2026-03-09" })
 *          // → { fromMs: Date.UTC(2026, 2, 8, 16), toMs: Date.UTC(2026, 2, 9, 16) }
 */
export function auditTimeRange(filter: Pick<AuditFilter, "from" | "to">): { fromMs: number | null; toMs: number | null } {
  const midnight = (text: string, plusDays: number) => instantOf(parseDate(text)! + plusDays, { hour: 0, minute: 0 });
  return { fromMs: filter.from ? midnight(filter.from, 0) : null, toMs: filter.to ? midnight(filter.to, 1) : null };
}

/**
 * The query string for the same filters (for the pager and the export link); empty fields left out.
 *
 * @example auditFilterQuery({ from: "2026-03-01", actor: "admin" }, { page: 2 }) // → "from=2026-03-01&actor=admin&page=2"
 */
export function auditFilterQuery(values: Partial<Record<AuditFilterField, string>>, extra: Record<string, string | number | null> = {}): string {
  const q = new URLSearchParams();
  for (const f of AUDIT_FILTER_FIELDS) if (values[f]) q.set(f, values[f]!);
  for (const [k, v] of Object.entries(extra)) if (v !== null && v !== "") q.set(k, String(v));
  return q.toString();
}
