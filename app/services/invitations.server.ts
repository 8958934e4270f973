import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, isNull, or } from "drizzle-orm";
import QRCode from "qrcode";
import { z } from "zod";
import { enterpriseInvitations, enterprises, projects, users } from "../../db/schema";
import { type Actor } from "~/domain/access/policy";
import { zhFieldErrorMap } from "~/domain/validation/zh-error-map";
import type { Db } from "~/utils/db.server";
import { writeAudit } from "./audit.server";
import type { SessionUser } from "./auth.server";
import type { ServiceContext } from "./context.server";
import { AppError, invalidInput } from "./errors.server";
import { hashPassword } from "./passwords.server";
import { checkPassword } from "~/domain/access/password-policy";
import { requireProjectAccess } from "./project-access.server";
import { transaction } from "./transaction.server";

/**
 * Invitations of enterprise contacts (issue 12): the project's officer (or an
 * administrator) creates a one-time link for a named person; the person opens it,
 * chooses a password and becomes an `enterprise` user of the project's enterprise.
 * The link is a bearer secret, so only its sha256 is kept and it is shown once;
 * it lasts 7 days, works once, and a new invitation for the same phone or e-mail
 * voids the older ones (a resent link must be the only one that works).
 */

export const INVITATION_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

const inviteSchema = z
  .object({
    name: z.string({ required_error: "请填写联系人姓名" }).trim().min(1, "请填写联系人姓名").max(40, "姓名不超过 40 个字"),
    phone: z.preprocess(blankToUndefined, z.string().trim().regex(/^1[3-9]\d{9}$/, "请填写 11 位手机号码").optional()),
    email: z.preprocess(blankToUndefined, z.string().trim().toLowerCase().email("电子邮箱格式不正确").max(64, "电子邮箱过长").optional()),
  })
  .refine((v) => v.phone !== undefined || v.email !== undefined, { message: "请填写手机号码或电子邮箱（作为登录名）", path: ["phone"] });

export interface CreatedInvitation {
  id: number;
  /** The secret part of the link; returned once, never stored. */
  token: string;
  path: string;
  name: string;
  login: string;
  expiresAt: number;
  /** Older links for the same person that this one replaced. */
  voided: number;
}

/** The login a contact will sign in with: the phone when given (what people remember on a phone), else the e-mail. */
function loginOf(v: { phone?: string | null; email?: string | null }): string {
  return (v.phone ?? v.email)!;
}

/**
 * Creates (or resends) an invitation for a contact of the project's enterprise.
 * 404 for a project the actor cannot see, 403 unless the actor is its assigned
 * officer or an administrator, 409 when the login already belongs to a user.
 */
export function createInvitation(ctx: ServiceContext, actor: Actor, projectId: number, raw: unknown): CreatedInvitation {
  const { db, now } = ctx;
  const { project } = requireProjectAccess(db, actor, projectId, "project.edit", "只有本项目的代办员或系统管理员可以邀请企业联系人");
  const parsed = inviteSchema.safeParse(raw, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  const input = parsed.data;
  const login = loginOf(input);
  const field = input.phone !== undefined ? "phone" : "email";
  const token = randomBytes(24).toString("base64url");
  const expiresAt = now.getTime() + INVITATION_DAYS * DAY_MS;

  return transaction(db, (tx) => {
    if (tx.select({ id: users.id }).from(users).where(eq(users.login, login)).get()) {
      throw new AppError("conflict", `「${login}」已是系统用户，请让其直接登录`, { [field]: "该手机号码或邮箱已注册" });
    }
    const samePerson = [
      ...(input.phone ? [eq(enterpriseInvitations.phone, input.phone)] : []),
      ...(input.email ? [eq(enterpriseInvitations.email, input.email)] : []),
    ];
    const voided = tx
      .update(enterpriseInvitations)
      .set({ voidedAt: now.getTime() })
      .where(
        and(
          eq(enterpriseInvitations.enterpriseId, project.enterpriseId),
          isNull(enterpriseInvitations.usedAt),
          isNull(enterpriseInvitations.voidedAt),
          gt(enterpriseInvitations.expiresAt, now.getTime()),
          or(...samePerson),
        ),
      )
      .run().changes;
    const row = tx
      .insert(enterpriseInvitations)
      .values({
        enterpriseId: project.enterpriseId,
        projectId,
        name: input.name,
        phone: input.phone ?? null,
        email: input.email ?? null,
        tokenHash: hashToken(token),
        expiresAt,
        createdByUserId: actor.id,
        createdAt: now.getTime(),
      })
      .returning({ id: enterpriseInvitations.id })
      .get();
    // The token is a password-equivalent: the audit row names the person, never the link.
    writeAudit(tx, { actorUserId: actor.id, action: "invitation.create", entityType: "invitation", entityId: row.id, projectId, detail: { name: input.name, login, voided } }, now);
    return { id: row.id, token, path: `/invite/${token}`, name: input.name, login, expiresAt, voided };
  });
}

/** The link as a QR code (SVG markup), to be scanned from the officer's screen in person. */
export function invitationQrSvg(url: string): Promise<string> {
  return QRCode.toString(url, { type: "svg", margin: 1, errorCorrectionLevel: "M" });
}

export type InvitationState =
  | { state: "valid"; name: string; login: string; enterpriseName: string; expiresAt: number }
  | { state: "unknown" | "expired" | "used" | "voided" };

function findByToken(db: Db, token: string) {
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(token)) return undefined;
  return db
    .select({ inv: enterpriseInvitations, enterpriseName: enterprises.name })
    .from(enterpriseInvitations)
    .innerJoin(enterprises, eq(enterprises.id, enterpriseInvitations.enterpriseId))
    .where(eq(enterpriseInvitations.tokenHash, hashToken(token)))
    .get();
}

function stateOf(inv: typeof enterpriseInvitations.$inferSelect, now: Date): "valid" | "expired" | "used" | "voided" {
  if (inv.usedAt !== null) return "used";
  if (inv.voidedAt !== null) return "voided";
  if (inv.expiresAt <= now.getTime()) return "expired";
  return "valid";
}

/** What the invitation page shows for a token, without revealing anything for an unknown one. */
export function inspectInvitation(ctx: ServiceContext, token: string): InvitationState {
  const row = findByToken(ctx.db, token);
  if (!row) return { state: "unknown" };
  const s = stateOf(row.inv, ctx.now);
  if (s !== "valid") return { state: s };
  return { state: "valid", name: row.inv.name, login: loginOf(row.inv), enterpriseName: row.enterpriseName, expiresAt: row.inv.expiresAt };
}

/** Why a link no longer works, as the contact reads it. */
export const INVITATION_STATE_MESSAGES: Record<Exclude<InvitationState["state"], "valid">, string> = {
  unknown: "邀请链接无效，请核对链接是否完整，或联系代办员重新发送。",
  expired: "邀请链接已过期（有效期 7 天），请联系代办员重新发送。",
  used: "邀请链接已使用过。如已设置密码，请直接登录；忘记密码请联系代办员。",
  voided: "该邀请链接已作废（代办员已重新发送），请使用最新收到的链接。",
};

const acceptSchema = z
  .object({
    // Length, classes and common passwords: domain/access/password-policy, checked after parsing.
    password: z.string({ required_error: "请设置密码" }).min(1, "请设置密码").max(256, "密码不超过 256 位"),
    confirm: z.string({ required_error: "请再次输入密码" }),
  })
  .refine((v) => v.password === v.confirm, { message: "两次输入的密码不一致", path: ["confirm"] });

/**
 * The contact accepts: creates their `enterprise` user with the chosen password
 * and uses the link up. The use is a conditional update, so two tabs submitting
 * the same link create one account; the loser gets 409 with the reason.
 */
export async function acceptInvitation(ctx: ServiceContext, token: string, raw: unknown): Promise<{ user: Pick<SessionUser, "id" | "login">; projectId: number | null }> {
  const { db, now } = ctx;
  const found = findByToken(db, token);
  if (!found) throw new AppError("not_found", INVITATION_STATE_MESSAGES.unknown);
  const s = stateOf(found.inv, now);
  if (s !== "valid") throw new AppError(s === "expired" ? "invalid" : "conflict", INVITATION_STATE_MESSAGES[s]);
  const parsed = acceptSchema.safeParse(raw, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  const inv = found.inv;
  const login = loginOf(inv);
  const weak = checkPassword(parsed.data.password, { login, displayName: inv.name });
  if (weak.length) throw new AppError("invalid", weak.join("；"), { password: weak.join("；") });
  const hash = await hashPassword(parsed.data.password);

  return transaction(db, (tx) => {
    if (tx.select({ id: users.id }).from(users).where(eq(users.login, login)).get()) {
      throw new AppError("conflict", `「${login}」已注册，请直接登录`);
    }
    const user = tx
      .insert(users)
      .values({ login, displayName: inv.name, passwordHash: hash, role: "enterprise", enterpriseId: inv.enterpriseId, phone: inv.phone, email: inv.email, createdAt: now.getTime() })
      .returning({ id: users.id, login: users.login })
      .get();
    const used = tx
      .update(enterpriseInvitations)
      .set({ usedAt: now.getTime(), userId: user.id })
      .where(and(eq(enterpriseInvitations.id, inv.id), isNull(enterpriseInvitations.usedAt), isNull(enterpriseInvitations.voidedAt), gt(enterpriseInvitations.expiresAt, now.getTime())))
      .run();
    // Thrown inside the transaction, so the user insert rolls back with it.
    if (used.changes !== 1) throw new AppError("conflict", INVITATION_STATE_MESSAGES.used);
    writeAudit(tx, { actorUserId: user.id, action: "invitation.accept", entityType: "user", entityId: user.id, projectId: inv.projectId, detail: { invitationId: inv.id, login } }, now);
    const projectId = inv.projectId !== null && tx.select({ id: projects.id }).from(projects).where(eq(projects.id, inv.projectId)).get() ? inv.projectId : null;
    return { user, projectId };
  });
}
