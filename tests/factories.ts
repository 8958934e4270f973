import { eq } from "drizzle-orm";
import { departments, enterprises, users } from "../db/schema";
import { DEFAULT_DEPARTMENTS } from "../app/domain/catalog/departments";
import { creditCodeCheckChar } from "../app/domain/enterprise/credit-code";
import type { Actor, Role } from "../app/domain/access/policy";
import { hashPassword } from "../app/services/passwords.server";
import type { ServiceContext } from "../app/services/context.server";
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
// Hashing is deliberately slow; one hash serves every factory user.
let sharedHash: Promise<string> | undefined;
export const TEST_PASSWORD = "test-pass-1";

export async function insertUser(
  opts: { role: Role; login?: string; department?: string; enterpriseId?: number; password?: string },
  db: Db = getDb(),
): Promise<Actor & { login: string }> {
  const deptIds = ensureDepartments(db);
  const login = opts.login ?? `${opts.role}-${++counter}`;
  const passwordHash = opts.password ? await hashPassword(opts.password) : await (sharedHash ??= hashPassword(TEST_PASSWORD));
  const row = db
    .insert(users)
    .values({
      login,
      displayName: `测试${login}`,
      role: opts.role,
      passwordHash,
      departmentId: opts.department ? deptIds.get(opts.department)! : null,
      enterpriseId: opts.enterpriseId ?? null,
    })
    .returning()
    .get();
  return { id: row.id, role: opts.role, departmentId: row.departmentId, enterpriseId: row.enterpriseId, login };
}

export function insertEnterprise(name: string, first17: string, db: Db = getDb()): number {
  const code = creditCode(first17);
  const existing = db.select().from(enterprises).where(eq(enterprises.creditCode, code)).get();
  if (existing) return existing.id;
  return db.insert(enterprises).values({ name, creditCode: code }).returning().get().id;
}
