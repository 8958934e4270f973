import type { Actor } from "~/domain/access/policy";
import type { ServiceContext } from "./context.server";
import { directorySummary, listDepartments } from "./directory.server";
import { forbidden } from "./errors.server";
import { decide } from "~/domain/access/policy";
import { readWorkerHeartbeat } from "./worker-status.server";

/**
 * The /admin overview: run state and short summaries of the directory, whose
 * pages (/admin/departments, /admin/users, /admin/integrations) hold the lists
 * and forms (directory.server.ts).
 */
export function getAdminOverview(ctx: ServiceContext, actor: Actor) {
  if (!decide(actor, "admin.manage").allowed) throw forbidden("只有系统管理员可以访问");
  // `items` is the department's open-item count under the name the overview has always used.
  const departments = listDepartments(ctx, actor).map((d) => ({ ...d, items: d.openItems }));
  return { departments, summary: directorySummary(ctx, actor), workerHeartbeat: readWorkerHeartbeat(ctx.db) };
}
