import { createHash } from "node:crypto";
import { and, asc, eq, gt, inArray, ne, sql } from "drizzle-orm";
import { z } from "zod";
import { messageReads, projectMessages, projectProxies, projects, uploads, users } from "../../db/schema";
import { canViewProject, type Actor, type ProjectFacts, type Role } from "~/domain/access/policy";
import type { UploadFile } from "~/domain/material/upload-rules";
import { MESSAGE_BODY_MAX } from "~/domain/message/rules";
import { zhFieldErrorMap } from "~/domain/validation/zh-error-map";
import { loadConfig } from "~/utils/config.server";
import type { Db } from "~/utils/db.server";
import { writeAudit } from "./audit.server";
import type { ServiceContext } from "./context.server";
import { forbidden, invalidInput, notFound } from "./errors.server";
import { checkUploadFile } from "./materials.server";
import { loadProjectFacts } from "./project-access.server";
import { sendToUsers } from "./outbox.server";
import { transaction } from "./transaction.server";
import { storeBlob } from "./upload-storage.server";

/**
 * 留言 (issue 12): one thread per project between the enterprise's contacts and the
 * project's proxy officers — the seed's complaint that applicants cannot talk to the
 * approvers online. Department staff, leaders and coordinators are not party to it
 * (403); administrators may read it; another enterprise's project is 404.
 */

type Access = "write" | "read";

/**
 * Who may use a project's thread. Decided here rather than in the access policy
 * because the thread has its own parties: visibility is the policy's
 * (`canViewProject`), taking part is the enterprise's contacts and the assigned proxies.
 */
function threadAccess(actor: Actor, facts: ProjectFacts): Access | null {
  if (actor.role === "enterprise") return actor.enterpriseId === facts.enterpriseId ? "write" : null;
  if (actor.role === "proxy" && facts.proxyUserIds.includes(actor.id)) return "write";
  if (actor.role === "admin") return "read";
  return null;
}

function requireThread(db: Db, actor: Actor, projectId: number, need: Access) {
  const loaded = Number.isInteger(projectId) && projectId > 0 ? loadProjectFacts(db, projectId) : null;
  if (!loaded || !canViewProject(actor, loaded.facts)) throw notFound("项目");
  const access = threadAccess(actor, loaded.facts);
  if (access === null) throw forbidden("留言只在企业联系人与本项目代办员之间进行");
  if (need === "write" && access !== "write") throw forbidden("只有企业联系人和本项目代办员可以留言");
  return loaded;
}

export interface ThreadMessage {
  id: number;
  /** The author's display name. */
  from: string;
  role: Role;
  body: string;
  /** ISO instant (UTC). */
  at: string;
  mine: boolean;
  attachment: { id: number; name: string; size: number } | null;
}

function readThread(db: Db, actor: Actor, projectId: number): ThreadMessage[] {
  return db
    .select({ m: projectMessages, from: users.displayName, role: users.role, upName: uploads.originalName, upSize: uploads.size })
    .from(projectMessages)
    .innerJoin(users, eq(users.id, projectMessages.authorUserId))
    .leftJoin(uploads, eq(uploads.id, projectMessages.uploadId))
    .where(eq(projectMessages.projectId, projectId))
    .orderBy(asc(projectMessages.id))
    .all()
    .map((r) => ({
      id: r.m.id,
      from: r.from,
      role: r.role,
      body: r.m.body,
      at: new Date(r.m.createdAt).toISOString(),
      mine: r.m.authorUserId === actor.id,
      attachment: r.m.uploadId !== null && r.upName !== null ? { id: r.m.uploadId, name: r.upName, size: r.upSize ?? 0 } : null,
    }));
}

/** Records that `userId` has read the thread up to `messageId` (never moves backwards). */
function markRead(db: Db, projectId: number, userId: number, messageId: number): void {
  db.insert(messageReads)
    .values({ projectId, userId, lastReadMessageId: messageId })
    .onConflictDoUpdate({
      target: [messageReads.projectId, messageReads.userId],
      set: { lastReadMessageId: sql`max(${messageReads.lastReadMessageId}, ${messageId})` },
    })
    .run();
}

/**
 * The thread, oldest first; reading it marks it read for a participant (an
 * administrator's look does not, so it never hides anything from the parties).
 */
export function listMessages(ctx: ServiceContext, actor: Actor, projectId: number) {
  const { project, facts } = requireThread(ctx.db, actor, projectId, "read");
  const messages = readThread(ctx.db, actor, projectId);
  const canWrite = threadAccess(actor, facts) === "write";
  const last = messages.at(-1);
  if (canWrite && last) markRead(ctx.db, projectId, actor.id, last.id);
  return { project: { id: project.id, name: project.name, code: project.code }, messages, canWrite };
}

/** The API's shape (DESIGN §6 v1.1): `[{id, from, role, body, at}]` exactly. */
export function threadDocument(messages: readonly ThreadMessage[]) {
  return messages.map((m) => ({ id: m.id, from: m.from, role: m.role, body: m.body, at: m.at }));
}

const bodySchema = z.object({
  body: z
    .string({ required_error: "请填写留言内容", invalid_type_error: "留言内容应为文字" })
    .trim()
    .min(1, "请填写留言内容")
    .max(MESSAGE_BODY_MAX, `留言不超过 ${MESSAGE_BODY_MAX} 字`),
});

/** The other side of the thread: the enterprise's active contacts ↔ the project's proxy officers. */
function recipients(db: Db, actor: Actor, project: { id: number; enterpriseId: number }): number[] {
  const rows =
    actor.role === "enterprise"
      ? db
          .select({ id: users.id })
          .from(projectProxies)
          .innerJoin(users, eq(users.id, projectProxies.userId))
          .where(and(eq(projectProxies.projectId, project.id), eq(users.active, true)))
          .all()
      : db
          .select({ id: users.id })
          .from(users)
          .where(and(eq(users.enterpriseId, project.enterpriseId), eq(users.role, "enterprise"), eq(users.active, true)))
          .all();
  return rows.map((r) => r.id).filter((id) => id !== actor.id);
}

/**
 * Posts a message (text 1–2000 characters, optionally a file stored as a project
 * upload under the material upload checks) and tells the other side through the
 * outbox, delivered in working hours like every notification (DESIGN §4).
 */
export async function postMessage(ctx: ServiceContext, actor: Actor, projectId: number, raw: unknown, file: UploadFile | null = null): Promise<ThreadMessage> {
  const { db, now } = ctx;
  const { project } = requireThread(db, actor, projectId, "write");
  const parsed = bodySchema.safeParse(raw ?? {}, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  let stored: { sha256: string; name: string; mime: string; size: number } | null = null;
  if (file && file.bytes.byteLength > 0) {
    const { name, mime } = checkUploadFile(file);
    const sha256 = createHash("sha256").update(file.bytes).digest("hex");
    // The blob goes first: content-addressed, so a failed transaction leaves at most an unreferenced file.
    await storeBlob(loadConfig().uploadDir, sha256, file.bytes);
    stored = { sha256, name, mime, size: file.bytes.byteLength };
  }
  const id = transaction(db, (tx) => {
    const uploadId = stored
      ? tx
          .insert(uploads)
          .values({ projectId, sha256: stored.sha256, originalName: stored.name, mimeType: stored.mime, size: stored.size, uploadedByUserId: actor.id, createdAt: now.getTime() })
          .returning({ id: uploads.id })
          .get().id
      : null;
    const m = tx.insert(projectMessages).values({ projectId, authorUserId: actor.id, body: parsed.data.body, uploadId, createdAt: now.getTime() }).returning().get();
    // Writing is reading: one's own message never counts as unread.
    markRead(tx, projectId, actor.id, m.id);
    writeAudit(tx, { actorUserId: actor.id, action: "message.post", entityType: "project_message", entityId: m.id, projectId, detail: { length: m.body.length, uploadId } }, now);
    const author = tx.select({ name: users.displayName }).from(users).where(eq(users.id, actor.id)).get()?.name ?? "";
    const toEnterprise = actor.role !== "enterprise";
    const excerpt = m.body.length > 80 ? `${m.body.slice(0, 80)}…` : m.body;
    sendToUsers(
      tx,
      recipients(tx, actor, project),
      {
        kind: "message",
        title: `【留言】${project.name}`,
        body: `${author}：${excerpt}${uploadId ? "（附件）" : ""}`,
        link: toEnterprise ? `/portal/projects/${projectId}/messages` : `/projects/${projectId}/messages`,
        dedupeKey: `message-${m.id}`,
      },
      now,
    );
    return m.id;
  });
  return readThread(db, actor, projectId).find((m) => m.id === id)!;
}

/**
 * Unread messages per project for this user: messages by the other side (the
 * enterprise ↔ the proxy officers) after the last one they read. Only the thread's
 * parties have unread messages.
 */
export function unreadMessagesByProject(db: Db, user: Actor): Map<number, number> {
  let projectIds: number[];
  if (user.role === "enterprise") {
    projectIds = db.select({ id: projects.id }).from(projects).where(eq(projects.enterpriseId, user.enterpriseId ?? -1)).all().map((p) => p.id);
  } else if (user.role === "proxy") {
    projectIds = db.select({ id: projectProxies.projectId }).from(projectProxies).where(eq(projectProxies.userId, user.id)).all().map((p) => p.id);
  } else return new Map();
  if (!projectIds.length) return new Map();
  const rows = db
    .select({ projectId: projectMessages.projectId, n: sql<number>`count(*)` })
    .from(projectMessages)
    .innerJoin(users, eq(users.id, projectMessages.authorUserId))
    .leftJoin(messageReads, and(eq(messageReads.projectId, projectMessages.projectId), eq(messageReads.userId, user.id)))
    .where(
      and(
        inArray(projectMessages.projectId, projectIds),
        // What the other side wrote: a colleague's message on one's own side was not addressed to one.
        ne(users.role, user.role),
        gt(projectMessages.id, sql`coalesce(${messageReads.lastReadMessageId}, 0)`),
      ),
    )
    .groupBy(projectMessages.projectId)
    .all();
  return new Map(rows.map((r) => [r.projectId, r.n]));
}

/** All unread thread messages of this user, for the header's 留言 badge. */
export function unreadMessages(db: Db, user: Actor): number {
  let n = 0;
  for (const c of unreadMessagesByProject(db, user).values()) n += c;
  return n;
}
