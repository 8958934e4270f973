/**
 * The deployment's directory: departments, people and integration accounts
 * (issue 10, "administration"). Every change is an administrator's, checked here,
 * validated with Chinese messages per field, and written with its audit row in
 * one transaction. Nothing is ever deleted: items, events and audit rows refer
 * to departments and users, so they are deactivated instead.
 */
import { and, asc, count, desc, eq, inArray, isNotNull, ne, or, sql } from "drizzle-orm";
import { z } from "zod";
import { apiTokens, departments, enterprises, items, users } from "../../db/schema";
import { decide, PAGE_ROLES, ROLE_LABELS, type Actor, type Role } from "~/domain/access/policy";
import { DEPARTMENT_LEVEL_LABELS, DEPARTMENT_LEVELS, type DepartmentLevel } from "~/domain/catalog/departments";
import { ACTIVE_STATUSES } from "~/domain/clock";
import { parseId } from "~/domain/validation/id";
import { zhFieldErrorMap } from "~/domain/validation/zh-error-map";
import type { Db } from "~/utils/db.server";
import { writeAudit } from "./audit.server";
import { createApiTokenForUser, generateOneTimePassword, unusablePasswordHash } from "./auth.server";
import type { ServiceContext } from "./context.server";
import { AppError, forbidden, invalidInput, notFound } from "./errors.server";
import { hashPassword } from "./passwords.server";
import { revokeUserSessions } from "./sessions.server";
import { transaction } from "./transaction.server";

function requireAdmin(actor: Actor) {
  if (!decide(actor, "admin.manage").allowed) throw forbidden("只有系统管理员可以管理部门、用户和系统对接账号");
}

function parse<T extends z.ZodTypeAny>(schema: T, raw: unknown): z.output<T> {
  const parsed = schema.safeParse(raw, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  return parsed.data;
}

/** A refusal of one field's value, shown next to that field. */
const fieldError = (field: string, message: string) => new AppError("invalid", message, { [field]: message });

// ---------------------------------------------------------------- form values

/** Required text: trimmed, not blank, bounded. */
const text = (label: string, max: number) =>
  z
    .string({ required_error: `请填写${label}`, invalid_type_error: `请填写${label}` })
    .trim()
    .min(1, `请填写${label}`)
    .max(max, `${label}不超过 ${max} 个字`);

/** Optional text: absent or blank → null. */
const optionalText = (label: string, max: number) =>
  z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    z.string({ invalid_type_error: `${label}格式不正确` }).trim().max(max, `${label}不超过 ${max} 个字`).optional(),
  ).transform((v) => v ?? null);

const phone = () =>
  z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    z
      .string({ invalid_type_error: "联系电话格式不正确" })
      .trim()
      .regex(/^[0-9+\-() ]{5,30}$/, "联系电话格式不正确（数字，可含 +、-、括号和空格）")
      .optional(),
  ).transform((v) => v ?? null);

/** An HTML checkbox: sent as "on" when ticked, absent when not; JSON callers may send a boolean. */
const checkbox = () => z.preprocess((v) => v === true || v === "on" || v === "true" || v === "1", z.boolean());

/** An optional id from a <select>: blank → null, anything but a positive integer is refused. */
const optionalId = (message: string) =>
  z.unknown().transform((v, c): number | null => {
    if (v === undefined || v === null || v === "") return null;
    const id = parseId(v);
    if (id === null) {
      c.addIssue({ code: "custom", message });
      return z.NEVER;
    }
    return id;
  });

function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

// ---------------------------------------------------------------- departments

export interface DepartmentPerson {
  id: number;
  displayName: string;
  login: string;
  phone: string | null;
  email: string | null;
}

export interface DepartmentView {
  id: number;
  code: string;
  name: string;
  level: DepartmentLevel;
  levelLabel: string;
  vertical: boolean;
  active: boolean;
  contactName: string | null;
  contactPhone: string | null;
  /** Receives the department's red and leader-level escalations (users.isDepartmentLeader). */
  leader: DepartmentPerson | null;
  /** Active non-leader department staff: they receive the department's warnings. */
  contacts: DepartmentPerson[];
  /** Active clerks (role dept), leader included: whom the leader may be chosen from. */
  clerks: DepartmentPerson[];
  /** Active clerks (role dept). */
  staff: number;
  /** Items whose clock is live (running or paused), as the department's own queue counts them. */
  openItems: number;
}

/** Counts per department id from a grouped query; departments with none are absent (read as 0). */
function countsByDepartment(rows: { departmentId: number | null; n: number }[]): Map<number, number> {
  return new Map(rows.filter((r) => r.departmentId !== null).map((r) => [r.departmentId!, r.n]));
}

/** Every department, active or not, with its people and workload; in id order (the shipped catalogue first). */
export function listDepartments(ctx: ServiceContext, actor: Actor): DepartmentView[] {
  requireAdmin(actor);
  const { db } = ctx;
  // Grouped queries rather than correlated subqueries in the select list: drizzle writes a
  // single-table select's columns unqualified, so a correlated `users.department_id =
  // departments.id` would compare the user's department with the user's own id.
  const staff = countsByDepartment(
    db
      .select({ departmentId: users.departmentId, n: count() })
      .from(users)
      .where(and(eq(users.role, "dept"), eq(users.active, true), isNotNull(users.departmentId)))
      .groupBy(users.departmentId)
      .all(),
  );
  const open = countsByDepartment(
    db
      .select({ departmentId: items.departmentId, n: count() })
      .from(items)
      .where(and(inArray(items.status, [...ACTIVE_STATUSES]), isNotNull(items.departmentId)))
      .groupBy(items.departmentId)
      .all(),
  );
  const people = db
    .select()
    .from(users)
    .where(and(eq(users.active, true), isNotNull(users.departmentId)))
    .orderBy(asc(users.id))
    .all();
  const person = (u: (typeof people)[number]): DepartmentPerson => ({ id: u.id, displayName: u.displayName, login: u.login, phone: u.phone, email: u.email });
  return db
    .select()
    .from(departments)
    .orderBy(asc(departments.id))
    .all()
    .map((d) => {
      const mine = people.filter((u) => u.departmentId === d.id);
      const leader = mine.find((u) => u.isDepartmentLeader);
      return {
        id: d.id,
        code: d.code,
        name: d.name,
        level: d.level,
        levelLabel: DEPARTMENT_LEVEL_LABELS[d.level],
        vertical: d.vertical,
        active: d.active,
        contactName: d.contactName,
        contactPhone: d.contactPhone,
        leader: leader ? person(leader) : null,
        contacts: mine.filter((u) => u.role === "dept" && !u.isDepartmentLeader).map(person),
        clerks: mine.filter((u) => u.role === "dept").map(person),
        staff: staff.get(d.id) ?? 0,
        openItems: open.get(d.id) ?? 0,
      };
    });
}

/** The department a user or a template may name, in any state; 404 when absent. */
function departmentRow(db: Db, id: number) {
  const row = db.select().from(departments).where(eq(departments.id, id)).get();
  if (!row) throw notFound("部门");
  return row;
}

const departmentFields = {
  name: text("部门名称", 100),
  level: z.enum(DEPARTMENT_LEVELS, { errorMap: () => ({ message: "请选择部门层级" }) }),
  vertical: checkbox(),
  contactName: optionalText("联系人", 50),
  contactPhone: phone(),
};

const createDepartmentSchema = z.object({
  code: text("部门简称", 20).refine((c) => !/\s/.test(c), "部门简称不能包含空格"),
  ...departmentFields,
});

const updateDepartmentSchema = z.object({
  ...departmentFields,
  // Sent only to be refused when it differs: templates name departments by code.
  code: z.string().trim().optional(),
  leaderUserId: optionalId("请选择本部门的经办人员作为负责人"),
});

export function createDepartment(ctx: ServiceContext, actor: Actor, raw: unknown): { id: number; code: string } {
  requireAdmin(actor);
  const input = parse(createDepartmentSchema, raw);
  return transaction(ctx.db, (tx) => {
    if (tx.select({ id: departments.id }).from(departments).where(eq(departments.code, input.code)).get()) {
      throw fieldError("code", `部门简称「${input.code}」已存在`);
    }
    const row = tx.insert(departments).values(input).returning({ id: departments.id }).get();
    writeAudit(tx, { actorUserId: actor.id, action: "department.create", entityType: "department", entityId: row.id, detail: input }, ctx.now);
    return { id: row.id, code: input.code };
  });
}

/**
 * Name, level, 垂直管理, contact and leader. The code never changes: templates and
 * imported ledgers refer to departments by it. The leader is one of the
 * department's active clerks; choosing one makes every other member of the
 * department a non-leader (the escalation code reads the flag).
 */
export function updateDepartment(ctx: ServiceContext, actor: Actor, departmentId: number, raw: unknown): void {
  requireAdmin(actor);
  const input = parse(updateDepartmentSchema, raw);
  transaction(ctx.db, (tx) => {
    const before = departmentRow(tx, departmentId);
    if (input.code !== undefined && input.code !== before.code) {
      throw fieldError("code", "部门简称创建后不能修改（模板和台账按简称引用部门）");
    }
    const currentLeader = tx
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.departmentId, departmentId), eq(users.isDepartmentLeader, true), eq(users.active, true)))
      .get();
    if (input.leaderUserId !== null) {
      const candidate = tx.select().from(users).where(eq(users.id, input.leaderUserId)).get();
      if (!candidate || candidate.departmentId !== departmentId || candidate.role !== "dept" || !candidate.active) {
        throw fieldError("leaderUserId", "负责人须为本部门启用的部门经办人");
      }
    }
    const { leaderUserId, name, level, vertical, contactName, contactPhone } = input;
    const fields = { name, level, vertical, contactName, contactPhone };
    tx.update(departments).set(fields).where(eq(departments.id, departmentId)).run();
    tx.update(users).set({ isDepartmentLeader: false }).where(and(eq(users.departmentId, departmentId), eq(users.isDepartmentLeader, true))).run();
    if (leaderUserId !== null) tx.update(users).set({ isDepartmentLeader: true }).where(eq(users.id, leaderUserId)).run();
    writeAudit(
      tx,
      {
        actorUserId: actor.id,
        action: "department.update",
        entityType: "department",
        entityId: departmentId,
        detail: {
          before: { name: before.name, level: before.level, vertical: before.vertical, contactName: before.contactName, contactPhone: before.contactPhone, leaderUserId: currentLeader?.id ?? null },
          after: { ...fields, leaderUserId },
        },
      },
      ctx.now,
    );
  });
}

/**
 * Deactivating keeps the department and everything that refers to it; it is then
 * offered for no new user, and templates naming it cannot start new projects
 * (template-library.server.ts reads `active`) until it is reactivated.
 */
export function setDepartmentActive(ctx: ServiceContext, actor: Actor, departmentId: number, active: boolean): { code: string } {
  requireAdmin(actor);
  return transaction(ctx.db, (tx) => {
    const before = departmentRow(tx, departmentId);
    if (before.active === active) throw new AppError("conflict", active ? `部门「${before.code}」已是启用状态` : `部门「${before.code}」已停用`);
    tx.update(departments).set({ active }).where(eq(departments.id, departmentId)).run();
    writeAudit(tx, { actorUserId: actor.id, action: active ? "department.reactivate" : "department.deactivate", entityType: "department", entityId: departmentId, detail: { code: before.code } }, ctx.now);
    return { code: before.code };
  });
}

/** GET /api/v1/departments (DESIGN §6 v1.1): the active departments, for any staff role. */
export function listActiveDepartments(ctx: ServiceContext, actor: Actor): { code: string; name: string; level: DepartmentLevel }[] {
  // Enterprise contacts see their own projects only; the department directory is for staff and platforms.
  if (actor.role === "enterprise") throw forbidden("部门目录只对工作人员开放");
  return ctx.db
    .select({ code: departments.code, name: departments.name, level: departments.level })
    .from(departments)
    .where(eq(departments.active, true))
    .orderBy(asc(departments.id))
    .all();
}

// ---------------------------------------------------------------- users

export const LOGIN_PATTERN = /^[A-Za-z0-9._-]{2,64}$/;

export interface UserView {
  id: number;
  login: string;
  displayName: string;
  role: Role;
  roleLabel: string;
  departmentId: number | null;
  departmentName: string | null;
  enterpriseId: number | null;
  enterpriseName: string | null;
  isDepartmentLeader: boolean;
  email: string | null;
  phone: string | null;
  active: boolean;
  mustChangePassword: boolean;
  createdAt: number;
}

const userFilterSchema = z.object({
  role: z.enum(PAGE_ROLES as unknown as [Role, ...Role[]]).optional().catch(undefined),
  active: z.enum(["1", "0"]).optional().catch(undefined),
  q: z.string().trim().max(64).optional().catch(undefined),
});

export type UserFilter = z.infer<typeof userFilterSchema>;

/**
 * The people who sign in on pages, filtered by role, state and a search in login
 * and name. Integration accounts are listed on /admin/integrations instead. An
 * unknown filter value is ignored rather than refused: it comes from a URL.
 */
export function listUsers(ctx: ServiceContext, actor: Actor, rawFilter: Record<string, unknown> = {}): { users: UserView[]; filter: UserFilter } {
  requireAdmin(actor);
  const filter = userFilterSchema.parse(Object.fromEntries(Object.entries(rawFilter).filter(([, v]) => v !== "" && v !== null)));
  const conds = [ne(users.role, "integration")];
  if (filter.role) conds.push(eq(users.role, filter.role));
  if (filter.active) conds.push(eq(users.active, filter.active === "1"));
  if (filter.q) {
    const pat = likePattern(filter.q);
    conds.push(or(sql`${users.login} like ${pat} escape '\\'`, sql`${users.displayName} like ${pat} escape '\\'`)!);
  }
  const rows = ctx.db
    .select({ u: users, dept: departments.name, ent: enterprises.name })
    .from(users)
    .leftJoin(departments, eq(departments.id, users.departmentId))
    .leftJoin(enterprises, eq(enterprises.id, users.enterpriseId))
    .where(and(...conds))
    .orderBy(asc(users.id))
    .all();
  return { users: rows.map((r) => userView(r.u, r.dept, r.ent)), filter };
}

function userView(u: typeof users.$inferSelect, departmentName: string | null, enterpriseName: string | null): UserView {
  return {
    id: u.id,
    login: u.login,
    displayName: u.displayName,
    role: u.role,
    roleLabel: ROLE_LABELS[u.role],
    departmentId: u.departmentId,
    departmentName,
    enterpriseId: u.enterpriseId,
    enterpriseName,
    isDepartmentLeader: u.isDepartmentLeader,
    email: u.email,
    phone: u.phone,
    active: u.active,
    mustChangePassword: u.mustChangePassword,
    createdAt: u.createdAt,
  };
}

export interface EnterpriseChoice {
  id: number;
  name: string;
  creditCode: string;
}

/**
 * What the user form offers: the active departments, and enterprises matching a
 * search by name or 统一社会信用代码 (the first 50; a city has many). `keep` adds
 * the enterprise a user already belongs to, so editing them never loses it.
 */
export function userFormChoices(ctx: ServiceContext, actor: Actor, enterpriseQuery = "", keep: number[] = []) {
  requireAdmin(actor);
  const q = enterpriseQuery.trim().slice(0, 64);
  const pat = likePattern(q);
  const match = q ? or(sql`${enterprises.name} like ${pat} escape '\\'`, sql`${enterprises.creditCode} like ${pat} escape '\\'`) : undefined;
  const found = ctx.db
    .select({ id: enterprises.id, name: enterprises.name, creditCode: enterprises.creditCode })
    .from(enterprises)
    .where(match)
    .orderBy(asc(enterprises.name))
    .limit(50)
    .all();
  const missing = keep.filter((id) => !found.some((e) => e.id === id));
  const kept = missing.length
    ? ctx.db.select({ id: enterprises.id, name: enterprises.name, creditCode: enterprises.creditCode }).from(enterprises).where(inArray(enterprises.id, missing)).all()
    : [];
  const allDepartments = ctx.db.select({ id: departments.id, code: departments.code, name: departments.name, active: departments.active }).from(departments).orderBy(asc(departments.id)).all();
  return {
    departments: allDepartments.filter((d) => d.active).map(({ id, code, name }) => ({ id, code, name })),
    /** Deactivated ones, named so a user still attached to one reads right. */
    inactiveDepartments: allDepartments.filter((d) => !d.active).map(({ id, code, name }) => ({ id, code, name })),
    enterprises: [...kept, ...found] as EnterpriseChoice[],
    enterpriseQuery: q,
    pageRoles: PAGE_ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] })),
  };
}

const pageRole = z
  .string({ required_error: "请选择角色", invalid_type_error: "请选择角色" })
  .superRefine((r, c) => {
    if (r === "integration") c.addIssue({ code: "custom", message: "系统对接账号请在「系统对接」页面创建" });
    else if (!(PAGE_ROLES as readonly string[]).includes(r)) c.addIssue({ code: "custom", message: "请选择角色" });
  })
  .transform((r) => r as Role);

const userFields = z.object({
  displayName: text("姓名", 50),
  role: pageRole,
  departmentId: optionalId("请选择所属部门"),
  enterpriseId: optionalId("请选择所属企业"),
  email: z
    .preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.string({ invalid_type_error: "邮箱格式不正确" }).trim().max(120, "邮箱不超过 120 个字").email("邮箱格式不正确").optional())
    .transform((v) => v ?? null),
  phone: phone(),
});

/** Department staff belong to a department, enterprise contacts to an enterprise, nobody else to either. */
function affiliationRule(u: { role: Role; departmentId: number | null; enterpriseId: number | null }, c: z.RefinementCtx) {
  if (u.role === "dept" && u.departmentId === null) c.addIssue({ code: "custom", path: ["departmentId"], message: "部门经办人须选择所属部门" });
  if (u.role !== "dept" && u.departmentId !== null) c.addIssue({ code: "custom", path: ["departmentId"], message: "只有部门经办人可以选择所属部门" });
  if (u.role === "enterprise" && u.enterpriseId === null) c.addIssue({ code: "custom", path: ["enterpriseId"], message: "企业联系人须选择所属企业" });
  if (u.role !== "enterprise" && u.enterpriseId !== null) c.addIssue({ code: "custom", path: ["enterpriseId"], message: "只有企业联系人可以选择所属企业" });
}

const createUserSchema = userFields
  .extend({
    login: z
      .string({ required_error: "请填写登录名", invalid_type_error: "请填写登录名" })
      .trim()
      .regex(LOGIN_PATTERN, "登录名为 2–64 位字母、数字、.、_、-"),
  })
  .superRefine(affiliationRule);

const updateUserSchema = userFields.superRefine(affiliationRule);

/** Checks the department and enterprise a user is being attached to. */
function checkAffiliation(tx: Db, input: { departmentId: number | null; enterpriseId: number | null }, current?: { departmentId: number | null }) {
  if (input.departmentId !== null) {
    const d = tx.select().from(departments).where(eq(departments.id, input.departmentId)).get();
    if (!d) throw fieldError("departmentId", "所选部门不存在");
    // Keeping a user in a department deactivated since is allowed; moving someone into one is not.
    if (!d.active && current?.departmentId !== d.id) throw fieldError("departmentId", `部门「${d.code}」已停用，不能再分配人员`);
  }
  if (input.enterpriseId !== null && !tx.select({ id: enterprises.id }).from(enterprises).where(eq(enterprises.id, input.enterpriseId)).get()) {
    throw fieldError("enterpriseId", "所选企业不存在");
  }
}

function activeAdminCount(tx: Db): number {
  return tx.select({ n: count() }).from(users).where(and(eq(users.role, "admin"), eq(users.active, true))).get()!.n;
}

const LAST_ADMIN = "系统中至少需要保留一名启用的系统管理员";

/** A page user (not an integration account) by id, inside the caller's transaction. */
function pageUserRow(tx: Db, userId: number) {
  const row = tx.select().from(users).where(eq(users.id, userId)).get();
  if (!row) throw notFound("用户");
  if (row.role === "integration") throw new AppError("conflict", "系统对接账号请在「系统对接」页面管理");
  return row;
}

/**
 * Creates a user who signs in on pages, with a one-time password returned to
 * show once: only its hash is stored, and the user must choose their own
 * password at the first sign-in.
 */
export async function createUser(ctx: ServiceContext, actor: Actor, raw: unknown): Promise<{ id: number; login: string; oneTimePassword: string }> {
  requireAdmin(actor);
  const input = parse(createUserSchema, raw);
  const oneTimePassword = generateOneTimePassword();
  // scrypt is slow and asynchronous: hash before the (synchronous) transaction, not inside it.
  const passwordHash = await hashPassword(oneTimePassword);
  return transaction(ctx.db, (tx) => {
    if (tx.select({ id: users.id }).from(users).where(eq(users.login, input.login)).get()) throw fieldError("login", `登录名「${input.login}」已被使用`);
    checkAffiliation(tx, input);
    const row = tx
      .insert(users)
      .values({ ...input, passwordHash, mustChangePassword: true, createdAt: ctx.now.getTime() })
      .returning({ id: users.id })
      .get();
    writeAudit(tx, { actorUserId: actor.id, action: "user.create", entityType: "user", entityId: row.id, detail: { ...input } }, ctx.now);
    return { id: row.id, login: input.login, oneTimePassword };
  });
}

/**
 * Name, contact, role and affiliation. The last active administrator keeps the
 * admin role (409). Leaving a department, or the dept role, ends leadership of it.
 */
export function updateUser(ctx: ServiceContext, actor: Actor, userId: number, raw: unknown): void {
  requireAdmin(actor);
  const input = parse(updateUserSchema, raw);
  transaction(ctx.db, (tx) => {
    const before = pageUserRow(tx, userId);
    checkAffiliation(tx, input, before);
    if (before.role === "admin" && before.active && input.role !== "admin" && activeAdminCount(tx) <= 1) {
      throw new AppError("conflict", `${LAST_ADMIN}，不能更改「${before.login}」的角色`, { role: `${LAST_ADMIN}，不能更改其角色` });
    }
    const keepsLeadership = before.isDepartmentLeader && input.role === "dept" && input.departmentId === before.departmentId;
    tx.update(users).set({ ...input, isDepartmentLeader: keepsLeadership }).where(eq(users.id, userId)).run();
    // A session carries what its user may do: a new role or affiliation starts from a fresh sign-in.
    if (input.role !== before.role || input.departmentId !== before.departmentId || input.enterpriseId !== before.enterpriseId) {
      revokeUserSessions(tx, userId, "roleChanged", ctx.now);
    }
    const { displayName, role, departmentId, enterpriseId, email, phone } = before;
    writeAudit(
      tx,
      { actorUserId: actor.id, action: "user.update", entityType: "user", entityId: userId, detail: { before: { displayName, role, departmentId, enterpriseId, email, phone }, after: input } },
      ctx.now,
    );
  });
}

/** A new one-time password for a page user; the old password stops working at once. */
export async function resetPassword(ctx: ServiceContext, actor: Actor, userId: number): Promise<{ login: string; oneTimePassword: string }> {
  requireAdmin(actor);
  const oneTimePassword = generateOneTimePassword();
  const passwordHash = await hashPassword(oneTimePassword);
  return transaction(ctx.db, (tx) => {
    const row = pageUserRow(tx, userId);
    tx.update(users).set({ passwordHash, mustChangePassword: true }).where(eq(users.id, userId)).run();
    // Whoever holds the old password's sessions is out too: a reset is usually a suspected leak.
    revokeUserSessions(tx, userId, "passwordReset", ctx.now);
    writeAudit(tx, { actorUserId: actor.id, action: "user.resetPassword", entityType: "user", entityId: userId, detail: { login: row.login } }, ctx.now);
    return { login: row.login, oneTimePassword };
  });
}

/**
 * Deactivated users cannot sign in; their sessions are revoked in the same
 * transaction (a reactivated user signs in afresh), and their API tokens stop
 * working at once (auth.server.ts checks `active` on every call). The
 * last active administrator cannot be deactivated, not even by themselves.
 */
export function setUserActive(ctx: ServiceContext, actor: Actor, userId: number, active: boolean): { login: string } {
  requireAdmin(actor);
  return transaction(ctx.db, (tx) => changeActive(ctx, actor, tx, pageUserRow(tx, userId), active, "user"));
}

function changeActive(ctx: ServiceContext, actor: Actor, tx: Db, row: typeof users.$inferSelect, active: boolean, kind: "user" | "integration"): { login: string } {
  if (row.active === active) throw new AppError("conflict", active ? `「${row.login}」已是启用状态` : `「${row.login}」已停用`);
  if (!active && row.role === "admin" && activeAdminCount(tx) <= 1) throw new AppError("conflict", `${LAST_ADMIN}，不能停用「${row.login}」`);
  tx.update(users).set({ active }).where(eq(users.id, row.id)).run();
  // Sessions end for good; tokens are only suspended (every call checks `active`), so an
  // integration account comes back with its unrevoked tokens (DESIGN §3).
  if (!active) revokeUserSessions(tx, row.id, "deactivated", ctx.now);
  writeAudit(tx, { actorUserId: actor.id, action: `${kind}.${active ? "reactivate" : "deactivate"}`, entityType: "user", entityId: row.id, detail: { login: row.login } }, ctx.now);
  return { login: row.login };
}

// ---------------------------------------------------------------- integration accounts

export interface ApiTokenView {
  id: number;
  label: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface IntegrationAccountView {
  id: number;
  login: string;
  displayName: string;
  active: boolean;
  createdAt: number;
  tokens: ApiTokenView[];
}

/** Integration accounts (provincial platforms) with their tokens, newest token first; never a token itself. */
export function listIntegrationAccounts(ctx: ServiceContext, actor: Actor): IntegrationAccountView[] {
  requireAdmin(actor);
  const accounts = ctx.db.select().from(users).where(eq(users.role, "integration")).orderBy(asc(users.id)).all();
  const tokens = accounts.length
    ? ctx.db
        .select({ id: apiTokens.id, userId: apiTokens.userId, label: apiTokens.label, createdAt: apiTokens.createdAt, lastUsedAt: apiTokens.lastUsedAt, revokedAt: apiTokens.revokedAt })
        .from(apiTokens)
        .where(inArray(apiTokens.userId, accounts.map((a) => a.id)))
        .orderBy(desc(apiTokens.id))
        .all()
    : [];
  return accounts.map((a) => ({
    id: a.id,
    login: a.login,
    displayName: a.displayName,
    active: a.active,
    createdAt: a.createdAt,
    tokens: tokens.filter((t) => t.userId === a.id).map(({ userId: _u, ...t }) => t),
  }));
}

const createIntegrationSchema = z.object({
  login: z
    .string({ required_error: "请填写登录名", invalid_type_error: "请填写登录名" })
    .trim()
    .regex(LOGIN_PATTERN, "登录名为 2–64 位字母、数字、.、_、-"),
  displayName: text("账号名称", 50),
});

/** An account for a platform: API tokens only. Its password hash matches no password, and sign-in refuses the role anyway. */
export function createIntegrationAccount(ctx: ServiceContext, actor: Actor, raw: unknown): { id: number; login: string } {
  requireAdmin(actor);
  const input = parse(createIntegrationSchema, raw);
  return transaction(ctx.db, (tx) => {
    if (tx.select({ id: users.id }).from(users).where(eq(users.login, input.login)).get()) throw fieldError("login", `登录名「${input.login}」已被使用`);
    const row = tx
      .insert(users)
      .values({ ...input, role: "integration", passwordHash: unusablePasswordHash(), createdAt: ctx.now.getTime() })
      .returning({ id: users.id })
      .get();
    writeAudit(tx, { actorUserId: actor.id, action: "integration.create", entityType: "user", entityId: row.id, detail: input }, ctx.now);
    return { id: row.id, login: input.login };
  });
}

function integrationRow(tx: Db, userId: number) {
  const row = tx.select().from(users).where(eq(users.id, userId)).get();
  if (!row || row.role !== "integration") throw notFound("系统对接账号");
  return row;
}

const tokenLabelSchema = z.object({ label: text("令牌用途", 100) });

/** A new API token for an active integration account: returned once, only its sha256 is kept. */
export function issueIntegrationToken(ctx: ServiceContext, actor: Actor, userId: number, raw: unknown): { id: number; token: string; login: string } {
  requireAdmin(actor);
  const { label } = parse(tokenLabelSchema, raw);
  return transaction(ctx.db, (tx) => {
    const account = integrationRow(tx, userId);
    if (!account.active) throw new AppError("conflict", `账号「${account.login}」已停用，不能签发令牌`);
    const { id, token } = createApiTokenForUser(tx, account.id, label, ctx.now);
    writeAudit(tx, { actorUserId: actor.id, action: "apiToken.issue", entityType: "apiToken", entityId: id, detail: { userId: account.id, login: account.login, label } }, ctx.now);
    return { id, token, login: account.login };
  });
}

/** Revoking is immediate: the next call with the token answers 401. */
export function revokeIntegrationToken(ctx: ServiceContext, actor: Actor, tokenId: number): { label: string } {
  requireAdmin(actor);
  return transaction(ctx.db, (tx) => {
    const token = tx.select().from(apiTokens).where(eq(apiTokens.id, tokenId)).get();
    if (!token) throw notFound("令牌");
    const account = integrationRow(tx, token.userId);
    if (token.revokedAt !== null) throw new AppError("conflict", `令牌「${token.label}」已吊销`);
    tx.update(apiTokens).set({ revokedAt: ctx.now.getTime() }).where(eq(apiTokens.id, tokenId)).run();
    writeAudit(tx, { actorUserId: actor.id, action: "apiToken.revoke", entityType: "apiToken", entityId: tokenId, detail: { userId: account.id, login: account.login, label: token.label } }, ctx.now);
    return { label: token.label };
  });
}

export function setIntegrationAccountActive(ctx: ServiceContext, actor: Actor, userId: number, active: boolean): { login: string } {
  requireAdmin(actor);
  return transaction(ctx.db, (tx) => changeActive(ctx, actor, tx, integrationRow(tx, userId), active, "integration"));
}

// ---------------------------------------------------------------- overview

/** The counts the /admin overview shows, linking to the pages above. */
export function directorySummary(ctx: ServiceContext, actor: Actor) {
  requireAdmin(actor);
  const { db } = ctx;
  const depts = db.select({ active: departments.active, n: count() }).from(departments).groupBy(departments.active).all();
  const people = db.select({ role: users.role, active: users.active, n: count() }).from(users).groupBy(users.role, users.active).all();
  const sum = (rows: { n: number }[]) => rows.reduce((s, r) => s + r.n, 0);
  return {
    departments: { active: sum(depts.filter((d) => d.active)), inactive: sum(depts.filter((d) => !d.active)) },
    users: {
      active: sum(people.filter((p) => p.active && p.role !== "integration")),
      inactive: sum(people.filter((p) => !p.active && p.role !== "integration")),
      byRole: PAGE_ROLES.map((r) => ({ role: r, label: ROLE_LABELS[r], n: sum(people.filter((p) => p.active && p.role === r)) })),
    },
    integrations: sum(people.filter((p) => p.active && p.role === "integration")),
  };
}
