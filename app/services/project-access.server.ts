import { eq } from "drizzle-orm";
import { items, projectProxies, projects } from "../../db/schema";
import { decide, type Action, type Actor, type ProjectFacts } from "~/domain/access/policy";
import { parseId } from "~/domain/validation/id";
import type { Db } from "~/utils/db.server";
import { notFound, forbidden } from "./errors.server";

/** Only what access decisions need, without replaying clocks: for cheap checks (downloads, polling, uploads). */
export function loadProjectFacts(db: Db, projectId: number): { project: typeof projects.$inferSelect; facts: ProjectFacts } | null {
  const project = db.select().from(projects).where(eq(projects.id, projectId)).get();
  if (!project) return null;
  const proxyUserIds = db.select({ id: projectProxies.userId }).from(projectProxies).where(eq(projectProxies.projectId, projectId)).all().map((r) => r.id);
  const departmentIds = db
    .selectDistinct({ id: items.departmentId })
    .from(items)
    .where(eq(items.projectId, projectId))
    .all()
    .map((r) => r.id)
    .filter((d): d is number => d !== null);
  return { project, facts: { enterpriseId: project.enterpriseId, proxyUserIds, departmentIds } };
}

/**
 * The one answer to "may this actor do this to this project": a project the actor
 * may not even see, or that does not exist, is reported as missing (404, existence
 * is not revealed); a visible project without the right is 403 with `denied`.
 */
export function assertProjectAccess(
  actor: Actor,
  action: Action,
  facts: ProjectFacts | null | undefined,
  denied = "没有执行此操作的权限",
  item?: { departmentId: number | null },
): asserts facts is ProjectFacts {
  if (!facts) throw notFound("项目");
  const d = decide(actor, action, { project: facts, ...(item ? { item } : {}) });
  if (!d.allowed) throw d.reason === "not_found" ? notFound("项目") : forbidden(denied);
}

/** Loads the project's access facts and checks `action`; returns the project row and facts. */
export function requireProjectAccess(db: Db, actor: Actor, rawProjectId: unknown, action: Action = "project.view", denied?: string) {
  const id = parseId(rawProjectId);
  const loaded = id === null ? null : loadProjectFacts(db, id);
  assertProjectAccess(actor, action, loaded?.facts, denied);
  return loaded!;
}
