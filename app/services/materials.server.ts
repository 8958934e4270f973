import { createHash, randomUUID } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { itemMaterials, items, materials, projectProxies, projects, uploads, users } from "../../db/schema";
import { decide, type Actor, type ProjectFacts } from "~/domain/access/policy";
import { shanghaiDay, shanghaiToday, type DayNum, type WorkingCalendar } from "~/domain/calendar";
import { isFinished, itemStatusLabel, type ItemStatus } from "~/domain/clock";
import { zhFieldErrorMap } from "~/domain/validation/zh-error-map";
import type { Schedule } from "~/domain/schedule";
import { loadConfig } from "~/utils/config.server";
import type { Db } from "~/utils/db.server";
import { writeAudit } from "./audit.server";
import { getCalendar } from "./time-rules.server";
import type { ServiceContext } from "./context.server";
import { AppError, invalidInput, notFound } from "./errors.server";
import { loadProjectFor, type EventDetail, type ProjectAggregate } from "./project-aggregate.server";
import { planOf } from "./projects.server";

/**
 * The project's materials checklist (DESIGN §3: deduplicated per project, one
 * upload serves every item that needs it), uploads stored under their sha256
 * (DESIGN §8), the officer's verification, and the 一次性告知书.
 */

export type MaterialStatus = (typeof materials.$inferSelect)["status"];

export const MATERIAL_STATUS_LABELS: Record<MaterialStatus, string> = {
  missing: "待提交",
  received: "已提交待核验",
  verified: "已核验",
};

export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

/**
 * Allowed extensions with their canonical MIME type and the MIME types browsers
 * and office suites (incl. WPS) actually send for them. The stored type is the
 * canonical one, so what we serve later never comes from the client.
 */
const FILE_TYPES: Record<string, { mime: string; accepts: string[] }> = {
  pdf: { mime: "application/pdf", accepts: ["application/pdf", "application/x-pdf"] },
  jpg: { mime: "image/jpeg", accepts: ["image/jpeg", "image/pjpeg", "image/jpg"] },
  jpeg: { mime: "image/jpeg", accepts: ["image/jpeg", "image/pjpeg", "image/jpg"] },
  png: { mime: "image/png", accepts: ["image/png", "image/x-png"] },
  doc: { mime: "application/msword", accepts: ["application/msword", "application/wps-office.doc", "application/kswps"] },
  docx: {
    mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    accepts: ["application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/wps-office.docx"],
  },
  xls: {
    mime: "application/vnd.ms-excel",
    accepts: ["application/vnd.ms-excel", "application/x-excel", "application/x-msexcel", "application/wps-office.xls", "application/kset"],
  },
  xlsx: {
    mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    accepts: ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/wps-office.xlsx"],
  },
  zip: { mime: "application/zip", accepts: ["application/zip", "application/x-zip-compressed", "application/x-zip", "multipart/x-zip"] },
  ofd: { mime: "application/ofd", accepts: ["application/ofd", "application/x-ofd"] },
};

/** Sent when the client does not know the type (common for .ofd and some office files); the extension decides then. */
const GENERIC_MIME = new Set(["", "application/octet-stream", "binary/octet-stream"]);

export const ALLOWED_EXTENSIONS = Object.keys(FILE_TYPES);
/** For `<input accept>`: a hint to the browser only; the service re-checks. */
export const UPLOAD_ACCEPT = ALLOWED_EXTENSIONS.map((e) => `.${e}`).join(",");
const TYPES_TEXT = "PDF、JPG、PNG、Word（doc/docx）、Excel（xls/xlsx）、ZIP、OFD";

export interface UploadFile {
  name: string;
  type: string;
  bytes: Uint8Array;
}

// ---------------------------------------------------------------- list

export interface MaterialItemRef {
  key: string;
  name: string;
  status: ItemStatus;
  statusLabel: string;
}

export interface MaterialView {
  id: number;
  name: string;
  status: MaterialStatus;
  statusLabel: string;
  /** Manually set due date, if any (the column exists for officers' overrides). */
  neededBy: string | null;
  /** Earliest date it is needed: the planned start of the earliest not-yet-accepted item that needs it. */
  deadlineOn: string | null;
  note: string | null;
  /** Sent back by the officer: missing again, with the reason in `note`. */
  rejected: boolean;
  /** False when every item needing it is finished (办结/免办): nothing is asked of the enterprise any more. */
  stillNeeded: boolean;
  items: MaterialItemRef[];
  upload: { id: number; originalName: string; size: number; createdAt: number } | null;
}

const NOT_ACCEPTED: ReadonlySet<string> = new Set(["pending", "rejected", "withdrawn"]);
const STATUS_ORDER: Record<MaterialStatus, number> = { missing: 0, received: 1, verified: 2 };


/** Builds the checklist from an already loaded aggregate and schedule, so callers that have them pay no second load. */
export function materialViews(db: Db, agg: ProjectAggregate, plan: Schedule, cal: WorkingCalendar): MaterialView[] {
  const projectId = agg.project.id;
  const rows = db
    .select({ m: materials, u: { id: uploads.id, originalName: uploads.originalName, size: uploads.size, createdAt: uploads.createdAt } })
    .from(materials)
    .leftJoin(uploads, eq(uploads.id, materials.uploadId))
    .where(eq(materials.projectId, projectId))
    .all();
  const links = db
    .select({ itemId: itemMaterials.itemId, materialId: itemMaterials.materialId })
    .from(itemMaterials)
    .innerJoin(items, eq(items.id, itemMaterials.itemId))
    .where(eq(items.projectId, projectId))
    .all();
  const itemById = new Map(agg.items.map((i, idx) => [i.row.id, { rec: i, idx }]));
  const esByKey = new Map(plan.items.map((s) => [s.key, s.earliestStart]));
  const byMaterial = new Map<number, { rec: ProjectAggregate["items"][number]; idx: number }[]>();
  for (const l of links) {
    const it = itemById.get(l.itemId);
    if (!it) continue;
    const list = byMaterial.get(l.materialId);
    if (list) list.push(it);
    else byMaterial.set(l.materialId, [it]);
  }

  const views = rows.map(({ m, u }) => {
    const needing = (byMaterial.get(m.id) ?? []).sort((a, b) => a.idx - b.idx).map((x) => x.rec);
    let deadline: DayNum | null = null;
    for (const i of needing) {
      if (!NOT_ACCEPTED.has(i.state.status)) continue;
      const es = esByKey.get(i.row.key);
      if (es !== undefined && (deadline === null || es < deadline)) deadline = es;
    }
    return {
      id: m.id,
      name: m.name,
      status: m.status,
      statusLabel: MATERIAL_STATUS_LABELS[m.status],
      neededBy: m.neededBy,
      deadlineOn: deadline === null ? null : cal.format(deadline),
      note: m.note,
      rejected: m.status === "missing" && m.note !== null,
      stillNeeded: needing.length === 0 || needing.some((i) => !isFinished(i.state.status)),
      items: needing.map((i) => ({ key: i.row.key, name: i.row.name, status: i.state.status, statusLabel: itemStatusLabel(i.state.status, i.row.kind) })),
      upload: u && u.id !== null ? { id: u.id, originalName: u.originalName, size: u.size, createdAt: u.createdAt } : null,
    } satisfies MaterialView;
  });
  // What the enterprise still owes comes first, the most urgent at the top.
  return views.sort(
    (a, b) =>
      STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
      (a.deadlineOn ?? "9999").localeCompare(b.deadlineOn ?? "9999") ||
      a.id - b.id,
  );
}

export function listMaterials(ctx: ServiceContext, actor: Actor, projectId: number): MaterialView[] {
  const cal = getCalendar(ctx.db);
  const agg = loadProjectFor(ctx.db, actor, projectId, cal);
  return materialViews(ctx.db, agg, planOf(agg, ctx, shanghaiDay(ctx.now)), cal);
}

// ---------------------------------------------------------------- upload

/** Access facts without replaying any clock: enough for a download or an upload check. */
export function projectFactsOf(db: Db, projectId: number): ProjectFacts | null {
  const p = db.select({ enterpriseId: projects.enterpriseId }).from(projects).where(eq(projects.id, projectId)).get();
  if (!p) return null;
  const proxyUserIds = db.select({ id: projectProxies.userId }).from(projectProxies).where(eq(projectProxies.projectId, projectId)).all().map((r) => r.id);
  const departmentIds = db
    .selectDistinct({ id: items.departmentId })
    .from(items)
    .where(and(eq(items.projectId, projectId), sql`${items.departmentId} is not null`))
    .all()
    .map((r) => r.id as number);
  return { enterpriseId: p.enterpriseId, proxyUserIds, departmentIds };
}

/** Access for a material action; an invisible project reads as missing (404), a visible one without the right as 403. */
function checkProjectAccess(db: Db, actor: Actor, projectId: number, action: "material.upload" | "material.verify", denied: string): void {
  const facts = Number.isInteger(projectId) && projectId > 0 ? projectFactsOf(db, projectId) : null;
  if (!facts) throw notFound("项目");
  const d = decide(actor, action, { project: facts });
  if (!d.allowed) throw d.reason === "not_found" ? notFound("项目") : new AppError("forbidden", denied);
}

function materialOf(db: Db, projectId: number, materialId: number) {
  const m = Number.isInteger(materialId) && materialId > 0
    ? db.select().from(materials).where(and(eq(materials.id, materialId), eq(materials.projectId, projectId))).get()
    : undefined;
  if (!m) throw notFound("材料");
  return m;
}

/** The name as shown and downloaded: no path parts, no control characters, bounded length, extension kept. */
export function cleanFileName(raw: string): string {
  const base = (raw.split(/[\\/]/).pop() ?? "").replace(/[\u0000-\u001f\u007f"]/g, "").trim();
  if (base.length <= 120) return base;
  const dot = base.lastIndexOf(".");
  const ext = dot > 0 && base.length - dot <= 10 ? base.slice(dot) : "";
  return base.slice(0, 120 - ext.length) + ext;
}

/** Validates name, type and size; returns the canonical MIME type to store. */
export function checkUploadFile(file: UploadFile): { name: string; mime: string } {
  const name = cleanFileName(file.name ?? "");
  if (!name) throw new AppError("invalid", "请选择要上传的文件", { file: "请选择要上传的文件" });
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
  const type = FILE_TYPES[ext];
  if (!type) {
    const msg = `不支持的文件类型${ext ? `「.${ext}」` : ""}，仅支持 ${TYPES_TEXT}`;
    throw new AppError("invalid", msg, { file: msg });
  }
  const sent = (file.type ?? "").split(";")[0].trim().toLowerCase();
  if (!GENERIC_MIME.has(sent) && !type.accepts.includes(sent)) {
    // A declared type that contradicts the extension is a disguised file (e.g. HTML named .pdf).
    const msg = `文件类型（${sent}）与扩展名「.${ext}」不符，请上传真实的 ${ext.toUpperCase()} 文件`;
    throw new AppError("invalid", msg, { file: msg });
  }
  if (file.bytes.byteLength === 0) throw new AppError("invalid", "文件内容为空，请重新选择", { file: "文件内容为空" });
  if (file.bytes.byteLength > MAX_UPLOAD_BYTES) {
    const msg = `文件大小 ${(file.bytes.byteLength / 1024 / 1024).toFixed(1)} MB，超过 20 MB 上限`;
    throw new AppError("invalid", msg, { file: msg });
  }
  return { name, mime: type.mime };
}

const SHA256_RE = /^[0-9a-f]{64}$/;

export function blobPath(uploadDir: string, sha256: string): string {
  if (!SHA256_RE.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
  return join(uploadDir, sha256.slice(0, 2), sha256);
}

/**
 * Content-addressed write: a temp file in the target directory, fsynced, then
 * renamed into place, so a reader never sees a half-written blob and two
 * concurrent uploads of the same bytes both end with one complete file.
 */
export async function storeBlob(uploadDir: string, sha256: string, bytes: Uint8Array): Promise<string> {
  const path = blobPath(uploadDir, sha256);
  const existing = await stat(path).catch(() => null);
  if (existing && existing.size === bytes.byteLength) return path;
  await mkdir(join(uploadDir, sha256.slice(0, 2)), { recursive: true });
  const tmp = `${path}.${randomUUID()}.tmp`;
  const fh = await open(tmp, "wx", 0o640);
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  await rename(tmp, path);
  return path;
}

/**
 * Stores an uploaded file for a material and marks the material received.
 * The blob is written before the transaction: if the transaction fails, the
 * file is an unreferenced content-addressed blob, harmless and reused by the
 * next upload of the same bytes.
 */
export async function uploadMaterial(ctx: ServiceContext, actor: Actor, projectId: number, materialId: number, file: UploadFile) {
  const { db, now } = ctx;
  checkProjectAccess(db, actor, projectId, "material.upload", "只有本项目的代办员或企业联系人可以上传材料");
  const material = materialOf(db, projectId, materialId);
  const { name, mime } = checkUploadFile(file);
  const sha256 = createHash("sha256").update(file.bytes).digest("hex");
  await storeBlob(loadConfig().uploadDir, sha256, file.bytes);

  return db.transaction((tx) => {
    const current = tx.select().from(materials).where(eq(materials.id, material.id)).get();
    if (!current) throw notFound("材料");
    const up = tx
      .insert(uploads)
      .values({ projectId, sha256, originalName: name, mimeType: mime, size: file.bytes.byteLength, uploadedByUserId: actor.id, createdAt: now.getTime() })
      .returning()
      .get();
    // A new file needs checking again, even if an earlier one was verified; a rejection note no longer applies.
    tx.update(materials).set({ uploadId: up.id, status: "received", note: null, updatedAt: now.getTime() }).where(eq(materials.id, material.id)).run();
    tx.update(projects).set({ version: sql`${projects.version} + 1`, updatedAt: now.getTime() }).where(eq(projects.id, projectId)).run();
    writeAudit(
      tx,
      {
        actorUserId: actor.id,
        action: "material.upload",
        entityType: "material",
        entityId: material.id,
        projectId,
        detail: { name: material.name, uploadId: up.id, originalName: name, size: up.size, sha256, from: current.status },
      },
      now,
    );
    return {
      materialId: material.id,
      status: "received" as const,
      upload: { id: up.id, sha256, originalName: name, mimeType: mime, size: up.size },
      message: `已上传「${material.name}」：${name}`,
    };
  });
}

// ---------------------------------------------------------------- verify

const verifySchema = z
  .object({
    verified: z.boolean({ required_error: "请选择核验结果", invalid_type_error: "核验结果格式不正确" }),
    note: z.string().trim().max(500, "说明不超过 500 字").optional(),
  })
  .refine((v) => v.verified || (v.note ?? "").length > 0, { message: "退回材料时请填写退回原因", path: ["note"] });

/**
 * The officer checks a received file: verified, or sent back (missing again,
 * with the reason the enterprise will see). A verified material can still be
 * sent back when a problem turns up later.
 */
export function verifyMaterial(ctx: ServiceContext, actor: Actor, projectId: number, materialId: number, raw: unknown) {
  const { db, now } = ctx;
  checkProjectAccess(db, actor, projectId, "material.verify", "只有本项目的代办员可以核验材料");
  const material = materialOf(db, projectId, materialId);
  const parsed = verifySchema.safeParse(raw, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  const { verified, note } = parsed.data;

  if (material.status === "missing") {
    throw new AppError("conflict", `「${material.name}」尚未提交，不能${verified ? "核验" : "退回"}`);
  }
  if (verified && material.status === "verified") throw new AppError("conflict", `「${material.name}」已核验，无需重复核验`);
  const to: MaterialStatus = verified ? "verified" : "missing";

  return db.transaction((tx) => {
    // Conditional on the status read above: a concurrent upload or check makes this match nothing.
    const upd = tx
      .update(materials)
      .set({ status: to, note: note || null, updatedAt: now.getTime() })
      .where(and(eq(materials.id, material.id), eq(materials.status, material.status)))
      .run();
    if (upd.changes !== 1) throw new AppError("conflict", "材料状态已被他人更新，请刷新页面后再操作");
    tx.update(projects).set({ version: sql`${projects.version} + 1`, updatedAt: now.getTime() }).where(eq(projects.id, projectId)).run();
    writeAudit(
      tx,
      {
        actorUserId: actor.id,
        action: verified ? "material.verify" : "material.reject",
        entityType: "material",
        entityId: material.id,
        projectId,
        detail: { name: material.name, from: material.status, to, note: note || null, uploadId: material.uploadId },
      },
      now,
    );
    return { materialId: material.id, status: to, message: verified ? `「${material.name}」已核验` : `「${material.name}」已退回，企业将看到退回原因` };
  });
}

// ---------------------------------------------------------------- download

export interface OpenedUpload {
  path: string;
  originalName: string;
  mimeType: string;
  size: number;
}

/** The stored file of an upload, after checking the actor may see its project (another enterprise gets 404). */
export function openUpload(ctx: ServiceContext, actor: Actor, uploadId: number): OpenedUpload {
  const { db } = ctx;
  const up = Number.isInteger(uploadId) && uploadId > 0 ? db.select().from(uploads).where(eq(uploads.id, uploadId)).get() : undefined;
  if (!up) throw notFound("文件");
  const facts = projectFactsOf(db, up.projectId);
  if (!facts) throw notFound("文件");
  const d = decide(actor, "material.download", { project: facts });
  if (!d.allowed) throw d.reason === "not_found" ? notFound("文件") : new AppError("forbidden", "没有下载此文件的权限");
  const path = blobPath(loadConfig().uploadDir, up.sha256);
  if (!existsSync(path) || statSync(path).size !== up.size) {
    throw new AppError("not_found", "文件内容已丢失，请重新上传");
  }
  return { path, originalName: up.originalName, mimeType: up.mimeType, size: up.size };
}

// ---------------------------------------------------------------- 一次性告知书

export interface NoticeData {
  project: { id: number; code: string; name: string; signedOn: string; targetStartOn: string };
  enterprise: { name: string; creditCode: string; contactName: string | null; contactPhone: string | null };
  proxies: { displayName: string; phone: string | null; email: string | null }[];
  today: string;
  /** Some deadline lies in a year without official holiday data: dates are estimates (DESIGN §4). */
  provisional: boolean;
  materials: {
    id: number;
    name: string;
    rejected: boolean;
    note: string | null;
    deadlineOn: string | null;
    items: { key: string; name: string }[];
  }[];
  corrections: {
    key: string;
    name: string;
    departmentName: string | null;
    requestedOn: string | null;
    missingMaterials: string[];
    note: string | null;
  }[];
}

/**
 * Everything still needed from the enterprise, in one printable notice
 * (一次性告知): missing or sent-back materials that an unfinished item still
 * needs, with the date each is needed by, and every open 补正 request with the
 * materials the department listed.
 */
export function noticeOf(ctx: ServiceContext, actor: Actor, projectId: number): NoticeData {
  const { db } = ctx;
  const cal = getCalendar(db);
  const agg = loadProjectFor(db, actor, projectId, cal);
  const plan = planOf(agg, ctx, shanghaiDay(ctx.now));
  const views = materialViews(db, agg, plan, cal);
  const proxies = agg.proxies.length
    ? db
        .select({ displayName: users.displayName, phone: users.phone, email: users.email })
        .from(users)
        .where(inArray(users.id, agg.proxies.map((p) => p.id)))
        .orderBy(asc(users.id))
        .all()
    : [];
  const corrections = agg.items
    .filter((i) => i.state.status === "correction")
    .map((i) => {
      const request = [...i.events].reverse().find((e) => e.type === "request_correction");
      const detail: EventDetail = request?.detail ? safeJson(request.detail) : {};
      return {
        key: i.row.key,
        name: i.row.name,
        departmentName: i.departmentName,
        requestedOn: request?.on ?? null,
        missingMaterials: detail.missingMaterials ?? [],
        note: request?.note ?? null,
      };
    });
  return {
    project: {
      id: agg.project.id,
      code: agg.project.code,
      name: agg.project.name,
      signedOn: agg.project.signedOn,
      targetStartOn: agg.project.targetStartOn,
    },
    enterprise: {
      name: agg.enterprise.name,
      creditCode: agg.enterprise.creditCode,
      contactName: agg.enterprise.contactName,
      contactPhone: agg.enterprise.contactPhone,
    },
    proxies,
    today: shanghaiToday(ctx.now),
    provisional: plan.provisional,
    materials: views
      .filter((m) => m.status === "missing" && m.stillNeeded)
      .map((m) => ({
        id: m.id,
        name: m.name,
        rejected: m.rejected,
        note: m.rejected ? m.note : null,
        deadlineOn: m.deadlineOn,
        items: m.items.filter((i) => !isFinished(i.status)).map((i) => ({ key: i.key, name: i.name })),
      })),
    corrections,
  };
}

function safeJson(text: string): EventDetail {
  try {
    return JSON.parse(text) as EventDetail;
  } catch {
    return {};
  }
}
