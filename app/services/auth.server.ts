import { createHash, randomBytes, randomInt } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { zhFieldErrorMap } from "~/domain/validation/zh-error-map";
import { apiTokens, users } from "../../db/schema";
import type { Actor, Role } from "~/domain/access/policy";
import type { Db } from "~/utils/db.server";
import { writeAudit } from "./audit.server";
import type { ServiceContext } from "./context.server";
import { AppError, invalidInput } from "./errors.server";
import { hashPassword, verifyPassword } from "./passwords.server";
import { transaction } from "./transaction.server";
import { checkPassword } from "~/domain/access/password-policy";
import { revokeUserSessions } from "./sessions.server";
import { checkSignIn, clearSignInFailures, recordSignInFailure } from "./sign-in-throttle.server";

export interface SessionUser extends Actor {
  login: string;
  displayName: string;
  /** An administrator issued a one-time password: every page sends the user to /account/password until they choose one. */
  mustChangePassword: boolean;
  /** The page session this user came with (absent for API calls). */
  sessionId?: number;
}

type UserRow = typeof users.$inferSelect;

export function toSessionUser(u: UserRow): SessionUser {
  return {
    id: u.id,
    login: u.login,
    displayName: u.displayName,
    role: u.role as Role,
    departmentId: u.departmentId,
    enterpriseId: u.enterpriseId,
    mustChangePassword: u.mustChangePassword,
  };
}

const signInSchema = z.object({
  login: z.string({ required_error: "请输入用户名" }).trim().min(1, "请输入用户名").max(64, "用户名过长"),
  password: z.string({ required_error: "请输入密码" }).min(1, "请输入密码").max(256, "密码过长"),
});

// A fixed hash to compare against when the login is unknown, so that response
// time does not reveal which logins exist.
let dummyHash: Promise<string> | undefined;

export const INTEGRATION_SIGN_IN_REFUSED = "系统对接账号只能通过 API 令牌访问";

export async function signIn(db: Db, input: unknown): Promise<SessionUser> {
  const parsed = signInSchema.safeParse(input, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  const { login, password } = parsed.data;
  const row = db.select().from(users).where(eq(users.login, login)).get();
  if (!row || !row.active) {
    await verifyPassword(password, await (dummyHash ??= hashPassword("not-a-user")));
    throw new AppError("unauthorized", "用户名或密码不正确");
  }
  if (row.role === "integration") {
    // Its stored hash matches no password; hash anyway so this answer takes as long as any other.
    await verifyPassword(password, await (dummyHash ??= hashPassword("not-a-user")));
    throw new AppError("unauthorized", INTEGRATION_SIGN_IN_REFUSED);
  }
  if (!(await verifyPassword(password, row.passwordHash))) {
    throw new AppError("unauthorized", "用户名或密码不正确");
  }
  return toSessionUser(row);
}

/**
 * A sign-in from the login form: refused while the account or the address is
 * locked out after repeated failures (429, with the wait), counted when the
 * credentials are wrong, and on record either way (issue 14). A malformed form
 * (empty login) is neither a failure nor audited.
 */
export async function attemptSignIn(db: Db, input: { login: unknown; password: unknown }, origin: { ip: string | null }, now = new Date()): Promise<SessionUser> {
  const login = typeof input.login === "string" ? input.login.trim().slice(0, 64) : "";
  const ip = origin.ip ?? "";
  const gate = await checkSignIn(login, ip, now);
  // Refusals while locked are not audited one by one (the failure that started the lock is),
  // so hammering a locked account cannot grow the append-only log without bound.
  if (!gate.allowed) throw new AppError("rate_limited", gate.message);
  try {
    const user = await signIn(db, input);
    await clearSignInFailures(login, ip);
    return user;
  } catch (e) {
    if (e instanceof AppError && e.code === "unauthorized") {
      const after = await recordSignInFailure(login, ip, now);
      const known = db.select({ id: users.id }).from(users).where(eq(users.login, login)).get();
      writeAudit(db, { actorUserId: null, action: "auth.signInFailed", entityType: "user", entityId: known?.id ?? null, detail: { login, ip, reason: e.message } }, now);
      if (!after.allowed) writeAudit(db, { actorUserId: null, action: "auth.signInLocked", entityType: "user", entityId: known?.id ?? null, detail: { login, ip, retryAfterSeconds: after.retryAfterSeconds } }, now);
    }
    throw e;
  }
}

// No 0/O, 1/l/I: the password is read off a screen and typed or dictated once.
const OTP_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/** A one-time password an administrator hands over: 16 characters (≈ 93 bits) in groups of four. */
export function generateOneTimePassword(): string {
  const chars = Array.from({ length: 16 }, () => OTP_ALPHABET[randomInt(OTP_ALPHABET.length)]);
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join("")).join("-");
}

/**
 * A password hash no password verifies against (verifyPassword accepts only
 * `scrypt$…`), random so that no two accounts share one: for accounts that must
 * never sign in on a page (integration accounts).
 */
export function unusablePasswordHash(): string {
  return `!unusable$${randomBytes(24).toString("base64url")}`;
}

const passwordChangeSchema = (must: boolean) =>
  z
    .object({
      current: must ? z.string().optional() : z.string({ required_error: "请输入当前密码" }).min(1, "请输入当前密码").max(256, "密码过长"),
      // The policy itself (length, classes, common passwords) is domain/access/password-policy, checked after parsing.
      password: z.string({ required_error: "请输入新密码" }).min(1, "请输入新密码").max(256, "新密码不超过 256 位"),
      confirm: z.string({ required_error: "请再次输入新密码" }),
    })
    .refine((v) => v.password === v.confirm, { message: "两次输入的新密码不一致", path: ["confirm"] });

/**
 * The signed-in user chooses a new password. After a one-time password the user
 * just signed in with it, so the current one is not asked again; otherwise it is.
 * The new password may not be the one it replaces. Clears `mustChangePassword`.
 */
export async function changeOwnPassword(ctx: ServiceContext, user: SessionUser, raw: unknown): Promise<void> {
  const row = ctx.db.select().from(users).where(eq(users.id, user.id)).get();
  if (!row || !row.active) throw new AppError("unauthorized", "请重新登录");
  const parsed = passwordChangeSchema(row.mustChangePassword).safeParse(raw, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  const { current, password } = parsed.data;
  if (!row.mustChangePassword && !(await verifyPassword(current ?? "", row.passwordHash))) {
    throw new AppError("invalid", "当前密码不正确", { current: "当前密码不正确" });
  }
  const weak = checkPassword(password, { login: row.login, displayName: row.displayName });
  if (weak.length) throw new AppError("invalid", weak.join("；"), { password: weak.join("；") });
  if (await verifyPassword(password, row.passwordHash)) {
    const message = row.mustChangePassword ? "新密码不能与一次性密码相同" : "新密码不能与当前密码相同";
    throw new AppError("invalid", message, { password: message });
  }
  const hash = await hashPassword(password);
  transaction(ctx.db, (tx) => {
    tx.update(users).set({ passwordHash: hash, mustChangePassword: false }).where(eq(users.id, row.id)).run();
    // Other browsers signed in with the old password are signed out; this one stays.
    revokeUserSessions(tx, row.id, "passwordChanged", ctx.now, user.sessionId);
    writeAudit(tx, { actorUserId: row.id, action: "user.passwordChanged", entityType: "user", entityId: row.id, detail: { afterOneTimePassword: row.mustChangePassword } }, ctx.now);
  });
}

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** A new bearer token for this user; only its sha256 is stored, the token itself is returned once. Call inside the caller's transaction. */
export function createApiTokenForUser(db: Db, userId: number, label: string, now = new Date()): { id: number; token: string } {
  const token = `gc_${randomBytes(24).toString("base64url")}`;
  const row = db.insert(apiTokens).values({ userId, tokenHash: hashToken(token), label, createdAt: now.getTime() }).returning({ id: apiTokens.id }).get();
  return { id: row.id, token };
}

/** Issues a bearer token for the API (`npm run api-token`); only its hash is stored. */
export function createApiToken(db: Db, login: string, label = "cli", now = new Date()): string {
  const user = db.select().from(users).where(eq(users.login, login)).get();
  if (!user || !user.active) throw new AppError("not_found", `用户「${login}」不存在或已停用`);
  return createApiTokenForUser(db, user.id, label, now).token;
}

export function authenticateApiToken(db: Db, token: string, now = new Date()): SessionUser | null {
  const row = db
    .select({ user: users, tokenId: apiTokens.id, lastUsedAt: apiTokens.lastUsedAt })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt)))
    .get();
  if (!row || !row.user.active) return null;
  // "Last used" to the minute is enough for the integration page; a write on every call is not.
  if (row.lastUsedAt === null || now.getTime() - row.lastUsedAt > 60_000) {
    db.update(apiTokens).set({ lastUsedAt: now.getTime() }).where(eq(apiTokens.id, row.tokenId)).run();
  }
  return toSessionUser(row.user);
}

/**
 * DESIGN §3: every call by an integration account (a provincial platform) is
 * audited, whatever its outcome. Written after the handler, so a call that
 * changed data has its own audit row from the service as well.
 */
export function auditApiCall(db: Db, user: SessionUser, call: { method: string; path: string; status: number }, now = new Date()): void {
  if (user.role !== "integration") return;
  writeAudit(db, { actorUserId: user.id, action: "api.call", entityType: "user", entityId: user.id, detail: call }, now);
}
