import { asc, eq, sql } from "drizzle-orm";
import { departments, enterprises, users } from "../../db/schema";
import { decide, ROLE_LABELS, type Actor, type Role } from "~/domain/access/policy";
import type { ServiceContext } from "./context.server";
import { AppError } from "./errors.server";

function requireAdmin(actor: Actor) {
  if (!decide(actor, "admin.manage").allowed) throw new AppError("forbidden", "只有系统管理员可以访问");
}

export function getAdminOverview(ctx: ServiceContext, actor: Actor) {
  requireAdmin(actor);
  const { db } = ctx;
  const depts = db
    .select({
      d: departments,
      staff: sql<number>`(select count(*) from ${users} where ${users.departmentId} = ${departments.id})`,
      items: sql<number>`(select count(*) from items where items.department_id = ${departments.id})`,
    })
    .from(departments)
    .orderBy(asc(departments.id))
    .all()
    .map((r) => ({ ...r.d, staff: r.staff, items: r.items }));
  const people = db
    .select({ u: users, dept: departments.name, ent: enterprises.name })
    .from(users)
    .leftJoin(departments, eq(departments.id, users.departmentId))
    .leftJoin(enterprises, eq(enterprises.id, users.enterpriseId))
    .orderBy(asc(users.id))
    .all()
    .map((r) => ({
      id: r.u.id,
      login: r.u.login,
      displayName: r.u.displayName,
      role: r.u.role as Role,
      roleLabel: ROLE_LABELS[r.u.role as Role],
      affiliation: r.dept ?? r.ent ?? "—",
      isDepartmentLeader: r.u.isDepartmentLeader,
      active: r.u.active,
    }));
  const heartbeat = db.get<{ value: string } | undefined>(sql`select value from settings where key = 'workerHeartbeat'`);
  return { departments: depts, users: people, workerHeartbeat: heartbeat ? Number(JSON.parse(heartbeat.value)) : null };
}
