import type { ItemKind } from "~/domain/item/vocabulary";
import { and, asc, eq, inArray } from "drizzle-orm";
import { materials, projects, uploads, users } from "../../db/schema";
import { type Actor } from "~/domain/access/policy";
import { parseDate } from "~/domain/calendar";
import { hasOpenCommitment, isFinished, itemStatusLabel, type ItemStatus } from "~/domain/clock";
import { stageLabel } from "~/domain/item/vocabulary";
import { PROJECT_STATUS_LABELS, type ProjectStatus } from "~/domain/project/types";
import type { UploadFile } from "~/domain/material/upload-rules";
import type { ServiceContext } from "./context.server";
import { sendToUsers } from "./outbox.server";
import { AppError, forbidden, notFound } from "./errors.server";
import { uploadMaterial } from "./materials.server";
import { noticeOf } from "./notice.server";
import { loadProjectContext, type ProjectContext } from "./project-context.server";
import { transaction } from "./transaction.server";

/**
 * The enterprise contact's portal (issue 12). Everything here is built field by
 * field for the enterprise: project progress in plain words, the items by stage,
 * and 需要您提供 — what is still asked of them, by the 一次性告知书's rules
 * (noticeOf: open 补正 with reasons and return dates, missing and sent-back
 * materials) plus each open 容缺 commitment. Nothing is copied wholesale from a
 * staff view, so internal notes (代办日志), audit rows and escalation records
 * cannot leak in by a field added later elsewhere.
 */

function requireEnterprise(actor: Actor): asserts actor is Actor & { enterpriseId: number } {
  if (actor.role !== "enterprise" || actor.enterpriseId === null) throw forbidden("企业门户仅对企业联系人开放");
}

export interface PortalProjectCard {
  id: number;
  name: string;
  code: string;
  statusLabel: string;
  done: number;
  total: number;
  targetStartOn: string;
  forecastStartOn: string;
  atRisk: boolean;
  /** Entries of 需要您提供 that wait on the enterprise (corrections not yet answered + materials still missing). */
  needsCount: number;
}

export interface PortalMaterialRef {
  /** The ledger entry to upload to; null when the department asked for something the ledger does not list. */
  materialId: number | null;
  name: string;
  /** Handed in after the request (waiting for the officer to confirm); false while still owed. */
  submitted: boolean;
}

export interface PortalNeeds {
  corrections: {
    key: string;
    name: string;
    departmentName: string | null;
    requestedOn: string | null;
    /** The department's reason for the 补正. */
    reason: string | null;
    deadlineOn: string | null;
    late: boolean;
    materials: PortalMaterialRef[];
  }[];
  commitments: { key: string; name: string; on: string; materials: PortalMaterialRef[] }[];
  materials: {
    id: number;
    name: string;
    /** 已退回: the officer sent the file back; `reason` says why. */
    rejected: boolean;
    reason: string | null;
    deadlineOn: string | null;
    /** The date is the enterprise's own 容缺 promise. */
    committed: boolean;
    /** An approval of this project will issue it: nothing to upload, it comes from there. */
    issuedBy: string | null;
    items: string[];
  }[];
  count: number;
}

export interface PortalProject {
  project: { id: number; name: string; code: string; status: ProjectStatus; statusLabel: string; signedOn: string; targetStartOn: string };
  enterpriseName: string;
  proxies: { displayName: string; phone: string | null }[];
  progress: { done: number; total: number; forecastStartOn: string; atRisk: boolean; daysSinceSigning: number; provisional: boolean; asOf: string };
  stages: {
    stage: number;
    label: string;
    done: number;
    total: number;
    items: { key: string; name: string; kind: ItemKind; departmentName: string | null; status: ItemStatus; statusLabel: string; done: boolean; dueOn: string | null; decidedOn: string | null }[];
  }[];
  needs: PortalNeeds;
}

/** The enterprise's own projects, one summary card each. */
export function portalProjects(ctx: ServiceContext, actor: Actor): PortalProjectCard[] {
  requireEnterprise(actor);
  const rows = ctx.db.select({ id: projects.id }).from(projects).where(eq(projects.enterpriseId, actor.enterpriseId)).orderBy(asc(projects.id)).all();
  return rows.map(({ id }) => {
    const pc = loadProjectContext(ctx, actor, id);
    const { done, total } = progressOf(pc);
    const p = pc.aggregate.project;
    return {
      id,
      name: p.name,
      code: p.code,
      statusLabel: PROJECT_STATUS_LABELS[p.status],
      done,
      total,
      targetStartOn: p.targetStartOn,
      forecastStartOn: pc.calendar.format(pc.schedule.forecastStartOn),
      atRisk: pc.schedule.atRisk,
      needsCount: needsOf(ctx, actor, pc).count,
    };
  });
}

function progressOf(pc: ProjectContext) {
  const all = pc.aggregate.items;
  return { done: all.filter((i) => isFinished(i.state.status)).length, total: all.length };
}

/** One of the enterprise's projects; another enterprise's (or a missing one) is 404. */
export function portalProject(ctx: ServiceContext, actor: Actor, projectId: number): PortalProject {
  requireEnterprise(actor);
  const pc = loadProjectContext(ctx, actor, projectId);
  const { aggregate: agg, calendar: cal, schedule, today } = pc;
  const p = agg.project;
  const fmt = (d: number | null) => (d === null ? null : cal.format(d));
  const phones = agg.proxies.length
    ? ctx.db.select({ displayName: users.displayName, phone: users.phone }).from(users).where(inArray(users.id, agg.proxies.map((x) => x.id))).orderBy(asc(users.id)).all()
    : [];
  const planned = new Map(schedule.items.map((s) => [s.key, s]));
  const stageNos = [...new Set(agg.items.map((i) => i.row.stage))].sort((a, b) => a - b);
  return {
    project: { id: p.id, name: p.name, code: p.code, status: p.status, statusLabel: PROJECT_STATUS_LABELS[p.status], signedOn: p.signedOn, targetStartOn: p.targetStartOn },
    enterpriseName: agg.enterprise.name,
    proxies: phones,
    progress: {
      ...progressOf(pc),
      forecastStartOn: cal.format(schedule.forecastStartOn),
      atRisk: schedule.atRisk,
      daysSinceSigning: today - parseDate(p.signedOn)!,
      provisional: schedule.provisional,
      asOf: cal.format(today),
    },
    stages: stageNos.map((stage) => {
      const its = agg.items.filter((i) => i.row.stage === stage);
      return {
        stage,
        label: stageLabel(stage) || `第${stage}阶段`,
        done: its.filter((i) => isFinished(i.state.status)).length,
        total: its.length,
        items: its.map((i) => ({
          key: i.row.key,
          name: i.row.name,
          kind: i.row.kind,
          departmentName: i.departmentName,
          status: i.state.status,
          statusLabel: itemStatusLabel(i.state.status, i.row.kind),
          done: isFinished(i.state.status),
          dueOn: fmt(planned.get(i.row.key)?.dueOn ?? null),
          decidedOn: fmt(i.state.decidedOn),
        })),
      };
    }),
    needs: needsOf(ctx, actor, pc),
  };
}

/**
 * 需要您提供: the notice's corrections and missing materials (its rules decide
 * what is still asked and by when), each correction's and commitment's materials
 * resolved to ledger entries so each can be uploaded, and whether a file came in
 * after the request (then it waits on the officer, not on the enterprise).
 */
function needsOf(ctx: ServiceContext, actor: Actor, pc: ProjectContext): PortalNeeds {
  const notice = noticeOf(ctx, actor, pc.aggregate.project.id);
  const ledger = ctx.db
    .select({ id: materials.id, name: materials.name, status: materials.status, uploadedAt: uploads.createdAt })
    .from(materials)
    .leftJoin(uploads, eq(uploads.id, materials.uploadId))
    .where(eq(materials.projectId, pc.aggregate.project.id))
    .all();
  const byName = new Map(ledger.map((m) => [m.name, m]));
  const ref = (name: string, since: number): PortalMaterialRef => {
    const m = byName.get(name);
    return { materialId: m?.id ?? null, name, submitted: m !== undefined && m.status !== "missing" && (m.uploadedAt ?? 0) >= since };
  };
  const itemByKey = new Map(pc.aggregate.items.map((i) => [i.row.key, i]));

  const corrections = notice.corrections.map((c) => {
    const request = [...(itemByKey.get(c.key)?.events ?? [])].reverse().find((e) => e.type === "request_correction");
    const since = request?.createdAt ?? 0;
    return {
      key: c.key,
      name: c.name,
      departmentName: c.departmentName,
      requestedOn: c.requestedOn,
      reason: c.note,
      deadlineOn: c.deadlineOn,
      late: c.late,
      materials: c.missingMaterials.map((n) => ref(n, since)),
    };
  });
  const commitments = pc.aggregate.items
    .filter((i) => hasOpenCommitment(i.state))
    .map((i) => ({
      key: i.row.key,
      name: i.row.name,
      on: pc.calendar.format(i.state.commitmentOn!),
      // A deferred material counts as handed in once any file is in (the officer checks it).
      materials: i.state.deferredMaterials.map((n) => ref(n, 0)),
    }));
  const missing = notice.materials.map((m) => ({
    id: m.id,
    name: m.name,
    rejected: m.rejected,
    reason: m.note,
    deadlineOn: m.deadlineOn,
    committed: m.committed,
    issuedBy: m.issuedBy?.name ?? null,
    items: m.items.map((i) => i.name),
  }));
  const openCorrections = corrections.filter((c) => c.materials.length === 0 || c.materials.some((m) => !m.submitted)).length;
  return { corrections, commitments, materials: missing, count: openCorrections + missing.filter((m) => m.issuedBy === null).length };
}

/**
 * The enterprise uploads a material from the portal: the same checks and storage
 * as the materials checklist (uploadMaterial), then the project's officers are
 * told — and when the material answers an open 补正, told which, so they can
 * confirm 补正材料已收到. The message is written after the upload's own
 * transaction: an upload is never refused for a notification.
 */
export async function portalUpload(ctx: ServiceContext, actor: Actor, projectId: number, materialId: number, file: UploadFile) {
  requireEnterprise(actor);
  // 404 for another enterprise's project before anything is read or stored.
  const pc = loadProjectContext(ctx, actor, projectId);
  const result = await uploadMaterial(ctx, actor, projectId, materialId, file);
  const material = ctx.db.select({ name: materials.name }).from(materials).where(and(eq(materials.id, materialId), eq(materials.projectId, projectId))).get();
  if (!material) throw notFound("材料");
  const correcting = noticeOf(ctx, actor, projectId).corrections.filter((c) => c.missingMaterials.includes(material.name));
  const who = ctx.db.select({ displayName: users.displayName }).from(users).where(eq(users.id, actor.id)).get()?.displayName ?? "企业联系人";
  const p = pc.aggregate.project;
  const body = correcting.length
    ? `${who}上传了「${material.name}」，为「${correcting.map((c) => c.name).join("、")}」的补正材料。请核对后确认“补正材料已收到”。`
    : `${who}上传了「${material.name}」，请核验。`;
  try {
    transaction(ctx.db, (tx) =>
      sendToUsers(
        tx,
        pc.aggregate.proxies.map((x) => x.id),
        {
          kind: correcting.length ? "portal.correctionUpload" : "portal.upload",
          title: correcting.length ? `【补正材料已上传】${p.name}` : `【企业上传材料】${p.name}`,
          body,
          link: correcting.length ? `/projects/${projectId}?item=${encodeURIComponent(correcting[0].key)}` : `/projects/${projectId}`,
          dedupeKey: `portal-upload-${result.upload.id}`,
        },
        ctx.now,
      ),
    );
  } catch (e) {
    if (e instanceof AppError) throw e;
    console.warn("portal upload: officers not notified", e);
  }
  return { ...result, correction: correcting.map((c) => c.name) };
}
