import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, gt, isNull, ne } from "drizzle-orm";
import { sessions, users } from "../../db/schema";
import type { Db } from "~/utils/db.server";
import { toSessionUser, type SessionUser } from "./auth.server";
import { writeAudit } from "./audit.server";
import { transaction } from "./transaction.server";

/*
 * Server-side sessions (issue 14): the cookie carries a random token, the table
 * keeps its sha256 with the user, when it was last used and when it ends. Unlike
 * a signed user id, a session can be rotated (a new one at every sign-in),
 * revoked one by one or all at once, and it stops the moment its user is
 * deactivated.
 */

/** A session unused this long ends. */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
/** No session outlives this, however busy. */
export const SESSION_MAX_MS = 7 * 24 * 60 * 60 * 1000;
/** Last-seen is written at most this often, so reading a page does not write on every request. */
const TOUCH_EVERY_MS = 5 * 60 * 1000;

export type SessionEndReason = "signOut" | "signOutEverywhere" | "roleChanged" | "deactivated" | "passwordChanged" | "passwordReset";

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export interface SessionOrigin {
  ip?: string | null;
  userAgent?: string | null;
}

/** Starts a session for the user; returns the token for the cookie (stored only as its hash). Call inside the caller's transaction. */
export function createSession(db: Db, userId: number, origin: SessionOrigin, now: Date): string {
  const token = randomBytes(32).toString("base64url");
  const t = now.getTime();
  db.insert(sessions)
    .values({
      tokenHash: hashToken(token),
      userId,
      createdAt: t,
      lastSeenAt: t,
      expiresAt: t + SESSION_IDLE_MS,
      maxExpiresAt: t + SESSION_MAX_MS,
      ip: origin.ip?.slice(0, 64) ?? null,
      userAgent: origin.userAgent?.slice(0, 300) ?? null,
    })
    .run();
  return token;
}

export interface ActiveSession {
  sessionId: number;
  user: SessionUser;
}

/**
 * The live session behind a cookie token, or null when it is unknown, expired,
 * revoked, or its user is deactivated or an integration account (which never
 * holds a page session). Pushes the idle expiry forward now and then.
 */
export function readSession(db: Db, token: string, now: Date): ActiveSession | null {
  const t = now.getTime();
  const row = db
    .select({ s: sessions, u: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, hashToken(token)), isNull(sessions.revokedAt), gt(sessions.expiresAt, t)))
    .get();
  if (!row || !row.u.active || row.u.role === "integration") return null;
  if (t - row.s.lastSeenAt > TOUCH_EVERY_MS) {
    db.update(sessions)
      .set({ lastSeenAt: t, expiresAt: Math.min(t + SESSION_IDLE_MS, row.s.maxExpiresAt) })
      .where(eq(sessions.id, row.s.id))
      .run();
  }
  return { sessionId: row.s.id, user: toSessionUser(row.u) };
}

/** Ends the session behind this token (sign-out). Unknown tokens are ignored. */
export function endSession(db: Db, token: string, reason: SessionEndReason, now: Date): void {
  db.update(sessions)
    .set({ revokedAt: now.getTime(), revokedReason: reason })
    .where(and(eq(sessions.tokenHash, hashToken(token)), isNull(sessions.revokedAt)))
    .run();
}

/**
 * Ends every live session of a user, except `keepSessionId` (the one asking to
 * sign out elsewhere). Call inside the transaction that makes the change that
 * requires it (deactivation, role change, a password reset). Returns how many ended.
 */
export function revokeUserSessions(db: Db, userId: number, reason: SessionEndReason, now: Date, keepSessionId?: number): number {
  const live = and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now.getTime()));
  return db
    .update(sessions)
    .set({ revokedAt: now.getTime(), revokedReason: reason })
    .where(keepSessionId === undefined ? live : and(live, ne(sessions.id, keepSessionId)))
    .run().changes;
}

export interface SessionListing {
  id: number;
  createdAt: number;
  lastSeenAt: number;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}

/** The user's live sessions, newest first, for the account page. */
export function listLiveSessions(db: Db, userId: number, currentSessionId: number | null, now: Date): SessionListing[] {
  return db
    .select({ id: sessions.id, createdAt: sessions.createdAt, lastSeenAt: sessions.lastSeenAt, ip: sessions.ip, userAgent: sessions.userAgent })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now.getTime())))
    .orderBy(desc(sessions.lastSeenAt))
    .all()
    .map((s) => ({ ...s, current: s.id === currentSessionId }));
}

/** "Sign out everywhere else": every other live session of the user ends, audited. */
export function signOutElsewhere(db: Db, user: SessionUser, currentSessionId: number, now: Date): number {
  return transaction(db, (tx) => {
    const n = revokeUserSessions(tx, user.id, "signOutEverywhere", now, currentSessionId);
    writeAudit(tx, { actorUserId: user.id, action: "auth.signOutEverywhere", entityType: "user", entityId: user.id, detail: { ended: n } }, now);
    return n;
  });
}

/** A new session for a user who just proved who they are, recorded as a sign-in. */
export function startSession(db: Db, userId: number, origin: SessionOrigin, now: Date): string {
  return transaction(db, (tx) => {
    const token = createSession(tx, userId, origin, now);
    writeAudit(tx, { actorUserId: userId, action: "auth.signIn", entityType: "user", entityId: userId, detail: { ip: origin.ip ?? null } }, now);
    return token;
  });
}
