import { auditLog } from "../../db/schema";
import type { Db } from "~/utils/db.server";

export interface AuditEntry {
  actorUserId: number | null;
  action: string;
  entityType: string;
  entityId?: number | null;
  projectId?: number | null;
  detail?: unknown;
}

type Tx = Pick<Db, "insert">;

/** Called inside the transaction that makes the change, so the change and its record commit together. */
export function writeAudit(tx: Tx, entry: AuditEntry, now: Date): void {
  tx.insert(auditLog)
    .values({
      at: now.getTime(),
      actorUserId: entry.actorUserId,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId ?? null,
      projectId: entry.projectId ?? null,
      detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
    })
    .run();
}

/** A request refused for lack of rights (any 403), outside any transaction: the refusal changed nothing else. */
export function recordAccessDenied(db: Tx, d: { userId: number | null; method: string; path: string; ip: string | null }, now: Date): void {
  writeAudit(db, { actorUserId: d.userId, action: "access.denied", entityType: "request", detail: { method: d.method, path: d.path, ip: d.ip } }, now);
}
