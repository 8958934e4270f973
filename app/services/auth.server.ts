import { createHash, randomBytes } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { zhFieldErrorMap } from "~/domain/validation/zh-error-map";
import { apiTokens, users } from "../../db/schema";
import type { Actor, Role } from "~/domain/access/policy";
import type { Db } from "~/utils/db.server";
import { AppError, invalidInput } from "./errors.server";
import { hashPassword, verifyPassword } from "./passwords.server";

export interface SessionUser extends Actor {
  login: string;
  displayName: string;
}

type UserRow = typeof users.$inferSelect;

function toSessionUser(u: UserRow): SessionUser {
  return {
    id: u.id,
    login: u.login,
    displayName: u.displayName,
    role: u.role as Role,
    departmentId: u.departmentId,
    enterpriseId: u.enterpriseId,
  };
}

const signInSchema = z.object({
  login: z.string({ required_error: "请输入用户名" }).trim().min(1, "请输入用户名").max(64, "用户名过长"),
  password: z.string({ required_error: "请输入密码" }).min(1, "请输入密码").max(256, "密码过长"),
});

// A fixed hash to compare against when the login is unknown, so that response
// time does not reveal which logins exist.
let dummyHash: Promise<string> | undefined;

export async function signIn(db: Db, input: unknown): Promise<SessionUser> {
  const parsed = signInSchema.safeParse(input, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  const { login, password } = parsed.data;
  const row = db.select().from(users).where(eq(users.login, login)).get();
  if (!row || !row.active) {
    await verifyPassword(password, await (dummyHash ??= hashPassword("not-a-user")));
    throw new AppError("unauthorized", "用户名或密码不正确");
  }
  if (!(await verifyPassword(password, row.passwordHash))) {
    throw new AppError("unauthorized", "用户名或密码不正确");
  }
  return toSessionUser(row);
}

export function getSessionUser(db: Db, userId: number): SessionUser | null {
  const row = db.select().from(users).where(eq(users.id, userId)).get();
  return row && row.active ? toSessionUser(row) : null;
}

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Issues a bearer token for the API; only its hash is stored. */
export function createApiToken(db: Db, login: string, label = "cli", now = new Date()): string {
  const user = db.select().from(users).where(eq(users.login, login)).get();
  if (!user || !user.active) throw new AppError("not_found", `用户「${login}」不存在或已停用`);
  const token = `gc_${randomBytes(24).toString("base64url")}`;
  db.insert(apiTokens).values({ userId: user.id, tokenHash: hashToken(token), label, createdAt: now.getTime() }).run();
  return token;
}

export function authenticateApiToken(db: Db, token: string, now = new Date()): SessionUser | null {
  const row = db
    .select({ user: users, tokenId: apiTokens.id })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt)))
    .get();
  if (!row || !row.user.active) return null;
  db.update(apiTokens).set({ lastUsedAt: now.getTime() }).where(eq(apiTokens.id, row.tokenId)).run();
  return toSessionUser(row.user);
}
