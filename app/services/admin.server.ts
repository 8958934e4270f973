import { and, asc, count, eq, inArray, isNotNull } from "drizzle-orm";
import { departments, enterprises, items, users } from "../../db/schema";
import { decide, ROLE_LABELS, type Actor, type Role } from "~/domain/access/policy";
import { ACTIVE_STATUSES } from "~/domain/clock";
import type { ServiceContext } from "./context.server";
import { forbidden } from "./errors.server";
import { readWorkerHeartbeat } from "./worker-status.server";

function requireAdmin(actor: Actor) {
  if (!decide(actor, "admin.manage").allowed) throw forbidden("只有系统管理员可以访问");
}

/** Counts per department id from a grouped query; departments with none are absent (read as 0). */
function countsByDepartment(rows: { departmentId: number | null; n: number }[]): Map<number, number> {
  return new Map(rows.filter((r) => r.departmentId !== null).map((r) => [r.departmentId!, r.n]));
}

export function getAdminOverview(ctx: ServiceContext, actor: Actor) {
  requireAdmin(actor);
  const { db } = ctx;
  // Grouped queries rather than correlated subqueries in the select list: drizzle writes a
  // single-table select's columns unqualified, so `users.department_id = departments.id` inside
  // the subquery compared the user's department with the user's own id (0 staff everywhere), and
  // the item count compared items.department_id with items.id.
  const staff = countsByDepartment(
    db
      .select({ departmentId: users.departmentId, n: count() })
      .from(users)
      .where(and(eq(users.role, "dept"), eq(users.active, true), isNotNull(users.departmentId)))
      .groupBy(users.departmentId)
      .all(),
  );
  // 在办 = the clock is live (running or paused), as the department's own work queue counts it.
  const open = countsByDepartment(
    db
      .select({ departmentId: items.departmentId, n: count() })
      .from(items)
      .where(and(inArray(items.status, [...ACTIVE_STATUSES]), isNotNull(items.departmentId)))
      .groupBy(items.departmentId)
      .all(),
  );
  const depts = db
    .select()
    .from(departments)
    .orderBy(asc(departments.id))
    .all()
    .map((d) => ({ ...d, staff: staff.get(d.id) ?? 0, items: open.get(d.id) ?? 0 }));
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
  return { departments: depts, users: people, workerHeartbeat: readWorkerHeartbeat(db) };
}
