import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { materials, projects, uploads } from "../../db/schema";
import { type Actor } from "~/domain/access/policy";
import { zhFieldErrorMap } from "~/domain/validation/zh-error-map";
import { loadConfig } from "~/utils/config.server";
import type { Db } from "~/utils/db.server";
import { writeAudit } from "./audit.server";
import type { ServiceContext } from "./context.server";
import { AppError, invalidInput, notFound } from "./errors.server";
import { requireProjectAccess } from "./project-access.server";
import { checkUpload, type UploadFile } from "~/domain/material/upload-rules";
import { blobPath, storeBlob } from "./upload-storage.server";
import type { MaterialStatus } from "~/domain/material/vocabulary";

/**
 * The officer's and the enterprise's actions on a project's materials: upload
 * (stored by content hash), verify or send back, and download.
 */

/** Validates an upload by the domain's rule; a refusal is a 4xx with the reason next to the file field. */
export function checkUploadFile(file: UploadFile): { name: string; mime: string } {
  const r = checkUpload(file);
  if (!r.ok) throw new AppError("invalid", r.message, { file: r.message });
  return r;
}

function materialOf(db: Db, projectId: number, materialId: number) {
  const m = Number.isInteger(materialId) && materialId > 0
    ? db.select().from(materials).where(and(eq(materials.id, materialId), eq(materials.projectId, projectId))).get()
    : undefined;
  if (!m) throw notFound("材料");
  return m;
}

export async function uploadMaterial(ctx: ServiceContext, actor: Actor, projectId: number, materialId: number, file: UploadFile) {
  const { db, now } = ctx;
  requireProjectAccess(db, actor, projectId, "material.upload", "只有本项目的代办员或企业联系人可以上传材料");
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
  requireProjectAccess(db, actor, projectId, "material.verify", "只有本项目的代办员可以核验材料");
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
  try {
    requireProjectAccess(db, actor, up.projectId, "material.download", "没有下载此文件的权限");
  } catch (e) {
    // Not the project but the file is what the asker looked for: report the file missing.
    if (e instanceof AppError && e.code === "not_found") throw notFound("文件");
    throw e;
  }
  const path = blobPath(loadConfig().uploadDir, up.sha256);
  if (!existsSync(path) || statSync(path).size !== up.size) {
    throw new AppError("not_found", "文件内容已丢失，请重新上传");
  }
  return { path, originalName: up.originalName, mimeType: up.mimeType, size: up.size };
}
