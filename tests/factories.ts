/**
 * Test data, built per test (STYLE §9): `buildX(overrides)` returns the input a
 * service takes, `insertX(…, overrides)` writes it to the test's own database
 * (tests/setup/db.ts gives every test a fresh copy). Defaults are valid and
 * unique within a test; a test states only what its assertions depend on.
 */
import { eq, sql } from "drizzle-orm";
import { departments, enterprises, users } from "../db/schema";
import { DEFAULT_DEPARTMENTS } from "../app/domain/catalog/departments";
import { creditCodeCheckChar } from "../app/domain/enterprise/credit-code";
import type { Actor, Role } from "../app/domain/access/policy";
import { hashPassword } from "../app/services/passwords.server";
import type { ServiceContext } from "../app/services/context.server";
import { createProject } from "../app/services/project-creation.server";
import { getDb, type Db } from "../app/utils/db.server";

/** A Date at a Shanghai wall-clock time: tests speak in the business time zone. */
export function shanghai(date: string, time = "10:00"): Date {
  return new Date(`${date}T${time}:00+08:00`);
}

export function ctxAt(date: string, time = "10:00"): ServiceContext {
  return { db: getDb(), now: shanghai(date, time) };
}

export function creditCode(first17: string): string {
  return first17 + creditCodeCheckChar(first17);
}

export function ensureDepartments(db: Db = getDb()): Map<string, number> {
  for (const d of DEFAULT_DEPARTMENTS) {
    db.insert(departments).values({ code: d.code, name: d.name, level: d.level, vertical: d.vertical }).onConflictDoNothing().run();
  }
  return new Map(db.select({ id: departments.id, code: departments.code }).from(departments).all().map((d) => [d.code, d.id]));
}

let counter = 0;
/** 1, 2, 3…: unique within the test file, so unique within a test's database too. */
const next = () => ++counter;

// Hashing is deliberately slow; one hash serves every factory user.
let sharedHash: Promise<string> | undefined;
export const TEST_PASSWORD = "test-pass-1";

export type TestUser = Actor & { login: string };

export interface UserOverrides {
  role: Role;
  login?: string;
  /** Department code (发改, 住建, …); departments are created on first use. */
  department?: string;
  /** The department's leader (dept role): receives red, supervise and leader escalations. */
  departmentLeader?: boolean;
  enterpriseId?: number;
  email?: string;
  password?: string;
}

export async function insertUser(opts: UserOverrides, db: Db = getDb()): Promise<TestUser> {
  const deptIds = ensureDepartments(db);
  const login = opts.login ?? `${opts.role}-${next()}`;
  const passwordHash = opts.password ? await hashPassword(opts.password) : await (sharedHash ??= hashPassword(TEST_PASSWORD));
  const row = db
    .insert(users)
    .values({
      login,
      displayName: `测试${login}`,
      role: opts.role,
      passwordHash,
      departmentId: opts.department ? deptIds.get(opts.department)! : null,
      isDepartmentLeader: opts.departmentLeader ?? false,
      enterpriseId: opts.enterpriseId ?? null,
      email: opts.email ?? null,
    })
    .returning()
    .get();
  return { id: row.id, role: opts.role, departmentId: row.departmentId, enterpriseId: row.enterpriseId, login };
}

/** The enterprise with this credit code (first 17 characters; the check character is computed), created if absent. */
export function insertEnterprise(name: string, first17: string, db: Db = getDb()): number {
  const code = creditCode(first17);
  const existing = db.select().from(enterprises).where(eq(enterprises.creditCode, code)).get();
  if (existing) return existing.id;
  return db.insert(enterprises).values({ name, creditCode: code }).returning().get().id;
}

/** A credit code's first 17 characters, different for every call. */
export function uniqueCredit17(): string {
  return `91330100MA2F${String(next()).padStart(5, "0")}`;
}

export interface ProjectInput {
  name: string;
  enterprise: { name: string; creditCode: string };
  templateKey?: string;
  template?: unknown;
  signedOn: string;
  targetStartOn: string;
  [field: string]: unknown;
}

/**
 * What the project form and the API send: a general-industrial project signed
 * Mon 2026-03-02 for a start on 2026-09-30, by an enterprise of its own.
 */
export function buildProject(overrides: Partial<ProjectInput> = {}): ProjectInput {
  const n = next();
  return {
    name: `测试项目${n}`,
    enterprise: { name: `测试企业${n}有限公司`, creditCode: creditCode(uniqueCredit17()) },
    templateKey: "general-industrial",
    signedOn: "2026-03-02",
    targetStartOn: "2026-09-30",
    ...overrides,
  };
}

/** Creates the project through the service (items, dependencies, materials, proxy assignment) on its signing day; returns its id. */
export function insertProject(proxy: Actor, overrides: Partial<ProjectInput> = {}): number {
  const input = buildProject(overrides);
  return createProject(ctxAt(input.signedOn), proxy, input).id;
}

/**
 * Marks every material of the project handed in and checked (verified), as the
 * officer does before 受理: 受理 is refused while a required material is missing
 * unless it is declared 容缺 with a 补齐 date (app/domain/material/acceptance.ts).
 */
export function receiveMaterials(projectId: number, db: Db = getDb()): void {
  db.run(sql`update materials set status = 'verified' where project_id = ${projectId}`);
}
