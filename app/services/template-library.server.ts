/**
 * The template library (DESIGN §5): the shipped templates (`templates/*.json`,
 * read-only, 「内置」) and the versions administrators import (`template_versions`).
 *
 * Versioning rule. For each key the available versions are the shipped file's
 * version and every imported version; the newest applies to new projects. A
 * project keeps the key and version it was created from: its items were
 * instantiated at creation, so importing a new version changes nothing about an
 * existing project. An import is stored as max(existing versions of the key,
 * shipped file included) + 1, whatever the file says, unless the file's own
 * version is higher (then that is kept) — so a version number is never reused and
 * exports of one city's library can be imported by another without collisions
 * going unnoticed. Should a later release ship a file whose version an import
 * already took, the imported one stands (it is what the administrator chose, and
 * what projects with that number were most likely created from).
 */
import { eq, sql } from "drizzle-orm";
import { departments, projects, templateVersions, users } from "../../db/schema";
import { decide, type Actor } from "~/domain/access/policy";
import { GRAPH_NODE_SIZE, layoutGraph } from "~/domain/graph/layout";
import {
  parseTemplateText,
  TemplateError,
  validateTemplate,
  type Template,
  type TemplateProblem,
} from "~/domain/graph/template";
import { ITEM_KIND_LABELS, LIMIT_UNIT_LABELS, stageLabel, type ItemKind } from "~/domain/item/vocabulary";
import type { Db } from "~/utils/db.server";
import { writeAudit } from "./audit.server";
import type { ServiceContext } from "./context.server";
import { AppError, forbidden } from "./errors.server";
import { transaction } from "./transaction.server";
import { getShippedTemplates } from "./template-registry.server";

/** A template file is a few dozen items; anything near this is not one (and is not read into memory). */
export const MAX_TEMPLATE_BYTES = 1024 * 1024;

import type { TemplateSource } from "~/domain/graph/template";

/** Codes of the departments new work may be given to. */
export function activeDepartmentCodes(db: Db): string[] {
  return db.select({ code: departments.code }).from(departments).where(eq(departments.active, true)).all().map((d) => d.code);
}

// ---------------------------------------------------------------------------
// Reading the versions

interface StoredVersion {
  key: string;
  version: number;
  source: TemplateSource;
  template: Template;
  /** Imported versions only: when and by whom. */
  createdAt: number | null;
  createdBy: string | null;
}

/** The shipped templates; a broken file (a release bug) is a 422 naming it rather than a 500 page. */
function shipped(): Map<string, { template: Template; file: string }> {
  try {
    return getShippedTemplates();
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    const shown = e.problems.slice(0, 3).map((p) => `${p.file}: ${p.path}: ${p.message}`).join("；");
    throw new AppError("invalid", `内置模板文件有误：${shown}`);
  }
}

/** A stored body was validated when it was imported; reading it back applies the same schema (defaults, milestone stages). */
function parseStored(row: { id: number; key: string; version: number; body: string }): Template {
  const json: unknown = JSON.parse(row.body);
  const named = ((json as { items?: { department?: unknown }[] }).items ?? []).flatMap((i) => (typeof i.department === "string" ? [i.department] : []));
  const result = validateTemplate(json, { file: `template_versions#${row.id}`, departments: named });
  if (!result.ok) throw new TemplateError(result.problems);
  return { ...result.template, key: row.key, version: row.version };
}

/** Every version of `key` (or of every key), newest first per key; an import shadows a shipped file of the same version. */
function storedVersions(db: Db, key?: string): Map<string, StoredVersion[]> {
  const byKey = new Map<string, Map<number, StoredVersion>>();
  const put = (v: StoredVersion) => {
    const versions = byKey.get(v.key) ?? new Map<number, StoredVersion>();
    byKey.set(v.key, versions);
    if (versions.get(v.version)?.source === "imported" && v.source === "shipped") return;
    versions.set(v.version, v);
  };
  for (const [k, s] of shipped()) {
    if (key === undefined || k === key) put({ key: k, version: s.template.version, source: "shipped", template: s.template, createdAt: null, createdBy: null });
  }
  const rows = db
    .select({
      id: templateVersions.id,
      key: templateVersions.key,
      version: templateVersions.version,
      body: templateVersions.body,
      createdAt: templateVersions.createdAt,
      createdBy: users.displayName,
    })
    .from(templateVersions)
    .leftJoin(users, eq(users.id, templateVersions.createdByUserId))
    .where(key === undefined ? undefined : eq(templateVersions.key, key))
    .all();
  for (const r of rows) put({ key: r.key, version: r.version, source: "imported", template: parseStored(r), createdAt: r.createdAt, createdBy: r.createdBy });
  return new Map([...byKey].map(([k, vs]) => [k, [...vs.values()].sort((a, b) => b.version - a.version)]));
}

function projectCounts(db: Db, key?: string): Map<string, number> {
  const rows = db
    .select({ key: projects.templateKey, version: projects.templateVersion, n: sql<number>`count(*)` })
    .from(projects)
    .where(key === undefined ? undefined : eq(projects.templateKey, key))
    .groupBy(projects.templateKey, projects.templateVersion)
    .all();
  return new Map(rows.map((r) => [`${r.key}@${r.version}`, r.n]));
}

// ---------------------------------------------------------------------------
// Departments: the one check that depends on the deployment

/**
 * Problems of a template's departments against the ones that may get new work now:
 * a code the deployment lacks is 未知部门, a deactivated one says so (the fix differs).
 */
function departmentProblems(db: Db, template: Template, file: string): TemplateProblem[] {
  const known = new Map(db.select({ code: departments.code, active: departments.active }).from(departments).all().map((d) => [d.code, d.active]));
  const out: TemplateProblem[] = [];
  template.items.forEach((item, i) => {
    if (!item.department) return;
    const active = known.get(item.department);
    if (active === true) return;
    out.push({ file, path: `items[${i}].department`, message: active === false ? `部门「${item.department}」已停用` : `未知部门「${item.department}」` });
  });
  return out;
}

/** The validator says 未知部门 for any code not offered; say 已停用 where that is the reason. */
function explainDeactivated(db: Db, problems: TemplateProblem[]): TemplateProblem[] {
  const inactive = new Set(db.select({ code: departments.code }).from(departments).where(eq(departments.active, false)).all().map((d) => d.code));
  return problems.map((p) => {
    const m = /^未知部门「(.+)」$/.exec(p.message);
    return m && inactive.has(m[1]) ? { ...p, message: `部门「${m[1]}」已停用` } : p;
  });
}

// ---------------------------------------------------------------------------
// Listing and reading

export interface TemplateVersionSummary {
  version: number;
  source: TemplateSource;
  name: string;
  itemCount: number;
  /** Imported versions: ms since epoch; shipped ones ship with the app (null). */
  createdAt: number | null;
  /** The importing administrator's name; null for shipped versions. */
  createdBy: string | null;
  /** Projects created from this version. */
  projectCount: number;
}

export interface TemplateSummary {
  key: string;
  /** The newest version's name. */
  name: string;
  description: string | null;
  latestVersion: number;
  /** The newest version's items. */
  itemCount: number;
  /** Projects created from any version of this key. */
  projectCount: number;
  /** Newest first. */
  versions: TemplateVersionSummary[];
  /** Why a new project cannot be created from the newest version now (a department missing or deactivated), else null. */
  unusableReason: string | null;
}

function summarise(db: Db, key: string, versions: StoredVersion[], counts: Map<string, number>): TemplateSummary {
  const newest = versions[0];
  const vs = versions.map((v) => ({
    version: v.version,
    source: v.source,
    name: v.template.name,
    itemCount: v.template.items.length,
    createdAt: v.createdAt,
    createdBy: v.createdBy,
    projectCount: counts.get(`${key}@${v.version}`) ?? 0,
  }));
  const problems = departmentProblems(db, newest.template, key);
  return {
    key,
    name: newest.template.name,
    description: newest.template.description ?? null,
    latestVersion: newest.version,
    itemCount: newest.template.items.length,
    projectCount: [...counts].filter(([k]) => k.startsWith(`${key}@`)).reduce((s, [, n]) => s + n, 0),
    versions: vs,
    unusableReason: problems.length ? problems.map((p) => `${p.path}: ${p.message}`).join("；") : null,
  };
}

/** Every template key with its versions, by key. */
export function listTemplates(db: Db): TemplateSummary[] {
  const counts = projectCounts(db);
  return [...storedVersions(db)]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, versions]) => summarise(db, key, versions, counts));
}

export interface TemplateDetail {
  summary: TemplateSummary;
  /** The version shown. */
  version: TemplateVersionSummary;
  template: Template;
  /** The departments the template names, by code, as the deployment knows them (absent: unknown code). */
  departments: Record<string, { name: string; active: boolean }>;
}

/** One version of a template (the newest when `version` is omitted); 404 for an unknown key or version. */
export function getTemplate(db: Db, key: string, version?: number): TemplateDetail {
  const versions = storedVersions(db, key).get(key);
  if (!versions) throw new AppError("not_found", `模板「${key}」不存在`);
  const chosen = version === undefined ? versions[0] : versions.find((v) => v.version === version);
  if (!chosen) throw new AppError("not_found", `模板「${key}」没有第 ${version} 版`);
  const summary = summarise(db, key, versions, projectCounts(db, key));
  const named = new Set(chosen.template.items.flatMap((i) => (i.department ? [i.department] : [])));
  const known = db.select({ code: departments.code, name: departments.name, active: departments.active }).from(departments).all();
  return {
    summary,
    version: summary.versions.find((v) => v.version === chosen.version)!,
    template: chosen.template,
    departments: Object.fromEntries(known.filter((d) => named.has(d.code)).map((d) => [d.code, { name: d.name, active: d.active }])),
  };
}

/**
 * The template a new project is created from: the newest version of `key` (shipped
 * file or import), checked against the departments that exist now. A template that
 * names a department the deployment lacks (or has deactivated) is a configuration
 * problem the administrator can fix, so it is a 422 naming the department, never a 500.
 */
export function templateForNewProject(db: Db, key: string): Template {
  const newest = storedVersions(db, key).get(key)?.[0];
  if (!newest) throw new AppError("invalid", `未知模板「${key}」`, { templateKey: "未知模板" });
  const problems = departmentProblems(db, newest.template, key);
  if (problems.length) {
    const shown = problems.slice(0, 3).map((p) => `${p.path}: ${p.message}`).join("；");
    throw new AppError("invalid", `模板「${key}」暂不能使用：${shown}。请管理员在「系统管理 → 部门」中补齐或启用相应部门`, { templateKey: shown });
  }
  return newest.template;
}

// ---------------------------------------------------------------------------
// The file form: export, storage, comparison

/** A template in the DESIGN §5 file shape, defaults left out, keys in the documented order: what export writes and import reads. */
export function templateDocument(t: Template) {
  return {
    key: t.key,
    version: t.version,
    name: t.name,
    ...(t.description !== undefined ? { description: t.description } : {}),
    items: t.items.map((i) => {
      const limited = i.statutoryLimit !== undefined || i.promisedLimit !== undefined;
      return {
        key: i.key,
        name: i.name,
        kind: i.kind,
        ...(i.department !== undefined ? { department: i.department } : {}),
        stage: i.stage,
        ...(i.statutoryLimit !== undefined ? { statutoryLimit: i.statutoryLimit } : {}),
        ...(i.promisedLimit !== undefined ? { promisedLimit: i.promisedLimit } : {}),
        ...(limited ? { limitUnit: i.limitUnit } : {}),
        ...(i.plannedDuration !== undefined ? { plannedDuration: i.plannedDuration } : {}),
        ...(i.materials.length ? { materials: i.materials } : {}),
        ...(i.correctionRestartsClock ? { correctionRestartsClock: true } : {}),
        ...(i.yellowLead !== undefined ? { yellowLead: i.yellowLead } : {}),
        ...(i.note !== undefined ? { note: i.note } : {}),
      };
    }),
    dependencies: t.dependencies.map((d) => ({ from: d.from, to: d.to, lagWorkingDays: d.lagWorkingDays })),
  };
}

/** Same content whatever the version number; dependencies are a set, so their order in the file does not count. */
function sameContent(a: Template, b: Template): boolean {
  const canon = (t: Template) => {
    const doc = templateDocument({ ...t, version: 1 });
    const edges = [...doc.dependencies].sort((x, y) => x.from.localeCompare(y.from) || x.to.localeCompare(y.to));
    return JSON.stringify({ ...doc, dependencies: edges });
  };
  return canon(a) === canon(b);
}

/** One version as a downloadable JSON file that imports back (DESIGN §5 shape, with its key and version). */
export function exportTemplate(db: Db, key: string, version?: number): { fileName: string; version: number; json: string } {
  const { template } = getTemplate(db, key, version);
  return { fileName: `${template.key}-v${template.version}.json`, version: template.version, json: `${JSON.stringify(templateDocument(template), null, 2)}\n` };
}

// ---------------------------------------------------------------------------
// Import

/** A refused import: every problem, each with its JSON path; `fields` maps path → message(s) for forms. */
export class TemplateImportError extends AppError {
  readonly problems: TemplateProblem[];
  constructor(fileName: string, problems: TemplateProblem[]) {
    const fields: Record<string, string> = {};
    for (const p of problems) fields[p.path] = fields[p.path] ? `${fields[p.path]}；${p.message}` : p.message;
    const listed = problems.slice(0, 10).map((p) => `${p.path}: ${p.message}`).join("；");
    const more = problems.length > 10 ? `……等 ${problems.length} 个问题` : "";
    super("invalid", `「${fileName}」未导入，有 ${problems.length} 个问题：${listed}${more}`, fields);
    this.name = "TemplateImportError";
    this.problems = problems;
  }
}

export interface ImportResult {
  key: string;
  version: number;
  name: string;
  itemCount: number;
  /** The version the file itself declared. */
  fileVersion: number;
  /** The newest version before this import; null for a new key. */
  previousVersion: number | null;
}

/**
 * Imports a template file as a new version (administrators only). Validated like a
 * shipped file, against the departments that may get new work now; any problem
 * refuses the whole file (422, each problem with its JSON path) and writes nothing.
 * A body identical to the newest version is refused (409): it would only add a
 * version number that changes nothing.
 */
export function importTemplate(ctx: ServiceContext, actor: Actor, jsonText: string, fileName: string): ImportResult {
  if (!decide(actor, "admin.manage").allowed) throw forbidden("只有管理员可以导入模板");
  const { db, now } = ctx;
  const file = fileName.trim() || "template.json";
  if (Buffer.byteLength(jsonText, "utf8") > MAX_TEMPLATE_BYTES) {
    throw new TemplateImportError(file, [{ file, path: "$", message: "文件超过 1 MB，不是模板文件" }]);
  }
  if (jsonText.trim() === "") throw new TemplateImportError(file, [{ file, path: "$", message: "文件为空" }]);
  const parsed = parseTemplateText(jsonText, { file, departments: activeDepartmentCodes(db) });
  if (!parsed.ok) throw new TemplateImportError(file, explainDeactivated(db, parsed.problems));
  const incoming = parsed.template;

  return transaction(db, (tx) => {
    const versions = storedVersions(tx, incoming.key).get(incoming.key) ?? [];
    const newest = versions[0];
    if (newest && sameContent(newest.template, incoming)) {
      throw new AppError("conflict", `与最新版本相同，未导入（模板「${incoming.key}」第 ${newest.version} 版）`);
    }
    // Every number the key has used (the shipped file's included) stays with its body.
    const version = Math.max(Math.max(0, ...versions.map((v) => v.version)) + 1, incoming.version);
    const stored: Template = { ...incoming, version };
    const row = tx
      .insert(templateVersions)
      .values({ key: stored.key, version, name: stored.name, body: JSON.stringify(templateDocument(stored)), createdByUserId: actor.id, createdAt: now.getTime() })
      .returning({ id: templateVersions.id })
      .get();
    writeAudit(
      tx,
      {
        actorUserId: actor.id,
        action: "template.import",
        entityType: "template",
        entityId: row.id,
        detail: { key: stored.key, version, fileVersion: incoming.version, fileName: file, items: stored.items.length, previousVersion: newest?.version ?? null },
      },
      now,
    );
    return { key: stored.key, version, name: stored.name, itemCount: stored.items.length, fileVersion: incoming.version, previousVersion: newest?.version ?? null };
  });
}

// ---------------------------------------------------------------------------
// The read-only graph

/**
 * A template's graph laid out on the server (the same stage columns as a project's
 * graph, domain/graph/layout), as plain data: a loader can return it and the
 * component renders it without computing anything.
 */
export interface TemplateGraph {
  nodeWidth: number;
  nodeHeight: number;
  width: number;
  height: number;
  lanes: { stage: number; label: string; itemCount: number; x: number; y: number; width: number; height: number; titleHeight: number }[];
  nodes: {
    key: string;
    name: string;
    kind: ItemKind;
    kindLabel: string;
    /** Department code as the template names it; null for milestones (and owner items without one). */
    department: string | null;
    stage: number;
    /** The limit that runs the clock, e.g. 「5 工作日」, 「30 自然日」, 「计划 25 工作日」; null for milestones. */
    limit: string | null;
    /** Both limits in full, e.g. 「法定 20 工作日 · 承诺 5 工作日」. */
    limitDetail: string | null;
    x: number;
    y: number;
  }[];
  edges: { from: string; to: string; lag: number }[];
}

function limitsOf(i: Template["items"][number]): { limit: string | null; limitDetail: string | null } {
  const unit = LIMIT_UNIT_LABELS[i.limitUnit];
  if (i.kind === "approval") {
    const parts = [i.statutoryLimit !== undefined ? `法定 ${i.statutoryLimit} ${unit}` : null, i.promisedLimit !== undefined ? `承诺 ${i.promisedLimit} ${unit}` : null].filter(Boolean);
    const runs = i.promisedLimit ?? i.statutoryLimit;
    return { limit: runs === undefined ? null : `${runs} ${unit}`, limitDetail: parts.length ? parts.join(" · ") : null };
  }
  // Intermediary and owner items have a planned duration in working days (DESIGN §5), not a statutory clock.
  if (i.plannedDuration !== undefined) return { limit: `计划 ${i.plannedDuration} 工作日`, limitDetail: `计划工期 ${i.plannedDuration} 个工作日` };
  return { limit: null, limitDetail: null };
}

/**
 * The canvas the template graph is shown on (admin page and intake preview) is about
 * 1100 × 520 pixels, not a full screen: folding for it lets the shipped templates
 * open whole at zoom 0.73–0.98 instead of 0.65–0.73.
 */
const PREVIEW_FIT = { width: 1100, height: 520, zoom: 0.9 };

export function templateGraph(template: Template): TemplateGraph {
  const edges = template.dependencies.map((d) => ({ from: d.from, to: d.to, lag: d.lagWorkingDays }));
  const laid = layoutGraph(
    template.items.map((i) => ({ key: i.key, stage: i.stage })),
    edges,
    { nodeWidth: GRAPH_NODE_SIZE.width, nodeHeight: GRAPH_NODE_SIZE.height, fit: PREVIEW_FIT },
  );
  const at = new Map(laid.nodes.map((n) => [n.key, n]));
  return {
    nodeWidth: GRAPH_NODE_SIZE.width,
    nodeHeight: GRAPH_NODE_SIZE.height,
    width: laid.width,
    height: laid.height,
    lanes: laid.lanes.map((l) => ({ ...l, label: stageLabel(l.stage), itemCount: template.items.filter((i) => i.stage === l.stage).length })),
    nodes: template.items.map((i) => ({
      key: i.key,
      name: i.name,
      kind: i.kind,
      kindLabel: ITEM_KIND_LABELS[i.kind],
      department: i.department ?? null,
      stage: i.stage,
      ...limitsOf(i),
      x: at.get(i.key)!.x,
      y: at.get(i.key)!.y,
    })),
    edges,
  };
}
