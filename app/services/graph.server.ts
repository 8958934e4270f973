import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { dependencies, projects } from "../../db/schema";
import { decide, type Actor } from "~/domain/access/policy";
import { findCycle } from "~/domain/graph/graph";
import { zhFieldErrorMap } from "~/domain/validation/zh-error-map";
import { writeAudit } from "./audit.server";
import { getCalendar } from "./time-rules.server";
import type { ServiceContext } from "./context.server";
import { AppError, invalidInput, forbidden } from "./errors.server";
import { loadProjectFor, type ProjectAggregate } from "./project-aggregate.server";
import { requireProjectAccess } from "./project-access.server";

const edgeSchema = z.object({
  from: z.string({ required_error: "请选择前置事项" }).min(1, "请选择前置事项"),
  to: z.string({ required_error: "请选择后续事项" }).min(1, "请选择后续事项"),
  lagWorkingDays: z.coerce.number().int("间隔应为整数").min(0, "间隔不能为负").max(250, "间隔不超过 250 个工作日").optional(),
});

function editable(ctx: ServiceContext, actor: Actor, projectId: number): ProjectAggregate {
  const agg = loadProjectFor(ctx.db, actor, projectId, getCalendar(ctx.db));
  if (!decide(actor, "graph.edit", { project: agg.facts }).allowed) throw forbidden("只有本项目的代办员可以调整事项依赖");
  return agg;
}

function parseEdge(agg: ProjectAggregate, raw: unknown) {
  const parsed = edgeSchema.safeParse(raw, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  const byKey = new Map(agg.items.map((i) => [i.row.key, i]));
  const from = byKey.get(parsed.data.from);
  const to = byKey.get(parsed.data.to);
  if (!from || !to) throw new AppError("not_found", "事项不存在");
  if (from === to) throw new AppError("invalid", "事项不能依赖自身");
  return { from, to, lag: parsed.data.lagWorkingDays ?? 0 };
}

/** Adds a finish-to-start dependency; a dependency that would close a loop is refused, naming the loop. */
export function addDependency(ctx: ServiceContext, actor: Actor, projectId: number, raw: unknown) {
  const agg = editable(ctx, actor, projectId);
  const { from, to, lag } = parseEdge(agg, raw);
  const keyOf = new Map(agg.items.map((i) => [i.row.id, i.row.key]));
  const edges = agg.edges.map((e) => ({ from: keyOf.get(e.fromItemId)!, to: keyOf.get(e.toItemId)! }));
  if (edges.some((e) => e.from === from.row.key && e.to === to.row.key)) throw new AppError("conflict", `「${from.row.name}」已是「${to.row.name}」的前置事项`);
  const cycle = findCycle(agg.items.map((i) => i.row.key), [...edges, { from: from.row.key, to: to.row.key }]);
  if (cycle) {
    // Tell it starting with the dependency being added: "开工 → 备案 → … → 开工".
    const loop = cycle.slice(0, -1);
    const at = loop.findIndex((k, i) => k === from.row.key && loop[(i + 1) % loop.length] === to.row.key);
    const ordered = at >= 0 ? [...loop.slice(at), ...loop.slice(0, at)] : loop;
    const names = new Map(agg.items.map((i) => [i.row.key, i.row.name]));
    throw new AppError("conflict", `不能添加：会形成循环依赖 ${[...ordered, ordered[0]].map((k) => names.get(k) ?? k).join(" → ")}`);
  }
  ctx.db.transaction((tx) => {
    tx.insert(dependencies).values({ projectId, fromItemId: from.row.id, toItemId: to.row.id, lagWorkingDays: lag }).run();
    tx.update(projects).set({ version: sql`${projects.version} + 1`, updatedAt: ctx.now.getTime() }).where(eq(projects.id, projectId)).run();
    writeAudit(tx, { actorUserId: actor.id, action: "graph.addDependency", entityType: "project", entityId: projectId, projectId, detail: { from: from.row.key, to: to.row.key, lag } }, ctx.now);
  });
}

export function removeDependency(ctx: ServiceContext, actor: Actor, projectId: number, raw: unknown) {
  const agg = editable(ctx, actor, projectId);
  const { from, to } = parseEdge(agg, raw);
  ctx.db.transaction((tx) => {
    const r = tx
      .delete(dependencies)
      .where(and(eq(dependencies.projectId, projectId), eq(dependencies.fromItemId, from.row.id), eq(dependencies.toItemId, to.row.id)))
      .run();
    if (r.changes !== 1) throw new AppError("not_found", "该依赖关系不存在");
    tx.update(projects).set({ version: sql`${projects.version} + 1`, updatedAt: ctx.now.getTime() }).where(eq(projects.id, projectId)).run();
    writeAudit(tx, { actorUserId: actor.id, action: "graph.removeDependency", entityType: "project", entityId: projectId, projectId, detail: { from: from.row.key, to: to.row.key } }, ctx.now);
  });
}

/** A cheap change counter for live updates: the page polls it and reloads only when it moved. */
export function projectVersion(ctx: ServiceContext, actor: Actor, projectId: number): number {
  return requireProjectAccess(ctx.db, actor, projectId).project.version;
}
