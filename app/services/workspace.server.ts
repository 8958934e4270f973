import { and, asc, eq, inArray } from "drizzle-orm";
import { itemMaterials, materials, users } from "../../db/schema";
import { decide } from "~/domain/access/policy";
import { EVENT_LABELS, type ClockEventType } from "~/domain/clock";
import { parseDate } from "~/domain/calendar";
import { nextActions, type NextAction } from "~/domain/workspace/next-actions";
import { GRAPH_NODE_SIZE, layoutGraph, type GraphLayout } from "~/domain/graph/layout";
import { itemOverrides } from "~/domain/escalation/policy";
import type { EventDetail } from "./project-aggregate.server";
import type { ProjectContext } from "./project-context.server";
import { projectViewOf, type ItemView } from "./project-view.server";
import { listProjectActionItems } from "./action-items.server";

const layouts = new Map<string, GraphLayout>();
const MAX_CACHED_LAYOUTS = 500;

/**
 * The layout depends only on the graph's shape (keys, stages, edges), which rarely
 * changes, while laying out costs more than the rest of the page's data together;
 * so it is computed once per shape and reused (oldest shapes dropped first).
 */
function cachedLayout(items: { key: string; stage: number }[], edges: { from: string; to: string }[]): GraphLayout {
  const shape = JSON.stringify([items.map((i) => [i.key, i.stage]), edges.map((e) => [e.from, e.to])]);
  const hit = layouts.get(shape);
  if (hit) return hit;
  const laid = layoutGraph(items, edges, { nodeWidth: GRAPH_NODE_SIZE.width, nodeHeight: GRAPH_NODE_SIZE.height });
  if (layouts.size >= MAX_CACHED_LAYOUTS) layouts.delete(layouts.keys().next().value!);
  layouts.set(shape, laid);
  return laid;
}

export interface GraphNodeView {
  key: string;
  x: number;
  y: number;
  item: ItemView & { earliestStart: string; earliestFinish: string; latestStart: string | null; latestFinish: string | null };
}

export interface GraphEdgeView {
  from: string;
  to: string;
  lag: number;
  critical: boolean;
}

/**
 * Everything the proxy officer's workspace shows, from one load of the
 * project: the numbers, the laid-out graph, the next actions and, when an
 * item is selected, its facts and history.
 */
export function getWorkspace(pc: ProjectContext, selectedKey: string | null) {
  const { calendar: cal, aggregate: agg, schedule: plan, today, actor, policy } = pc;
  const ctx = pc;
  const view = projectViewOf(pc);
  const keyOf = new Map(agg.items.map((i) => [i.row.id, i.row.key]));
  const edges = agg.edges.map((e) => ({ from: keyOf.get(e.fromItemId)!, to: keyOf.get(e.toItemId)!, lag: e.lagWorkingDays }));
  const planned = new Map(plan.items.map((p) => [p.key, p]));
  const fmt = (d: number | null) => (d === null ? null : cal.format(d));

  const layout = cachedLayout(
    view.items.map((i) => ({ key: i.key, stage: i.stage })),
    edges,
  );
  const pos = new Map(layout.nodes.map((n) => [n.key, n]));
  const nodes: GraphNodeView[] = view.items.map((i) => {
    const p = planned.get(i.key)!;
    return {
      key: i.key,
      x: pos.get(i.key)!.x,
      y: pos.get(i.key)!.y,
      item: { ...i, earliestStart: cal.format(p.earliestStart), earliestFinish: cal.format(p.earliestFinish), latestStart: fmt(p.latestStart), latestFinish: fmt(p.latestFinish) },
    };
  });
  const critical = new Set(plan.criticalPath);
  const graphEdges: GraphEdgeView[] = edges.map((e) => ({ ...e, critical: critical.has(e.from) && critical.has(e.to) }));

  const byKey = new Map(view.items.map((i) => [i.key, i]));
  // 下一步: what the officer should do now.
  const next = nextOf(pc, view.items);

  let selected = null;
  const rec = selectedKey ? agg.items.find((i) => i.row.key === selectedKey) : undefined;
  if (rec) {
    const names = new Map(
      rec.events.length
        ? ctx.db
            .select({ id: users.id, name: users.displayName })
            .from(users)
            .where(inArray(users.id, rec.events.map((e) => e.actorUserId ?? -1)))
            .all()
            .map((u) => [u.id, u.name])
        : [],
    );
    const mats = ctx.db
      .select({ name: materials.name, status: materials.status })
      .from(itemMaterials)
      .innerJoin(materials, eq(materials.id, itemMaterials.materialId))
      .where(eq(itemMaterials.itemId, rec.row.id))
      .orderBy(asc(materials.id))
      .all();
    selected = {
      ...nodes.find((n) => n.key === rec.row.key)!.item,
      escalation: {
        own: itemOverrides(rec.row),
        defaults: { yellowLead: policy.yellowLead, redAfter: policy.redAfter, superviseAfter: policy.superviseAfter, leaderAfter: policy.leaderAfter },
        canConfigure: decide(actor, "admin.manage").allowed,
      },
      note: rec.row.note,
      correctionRestartsClock: rec.row.correctionRestartsClock,
      materials: mats,
      predecessors: edges.filter((e) => e.to === rec.row.key).map((e) => ({ key: e.from, name: byKey.get(e.from)?.name ?? e.from, lag: e.lag })),
      successors: edges.filter((e) => e.from === rec.row.key).map((e) => ({ key: e.to, name: byKey.get(e.to)?.name ?? e.to })),
      history: rec.events
        .map((e) => {
          const detail: EventDetail = e.detail ? JSON.parse(e.detail) : {};
          return {
            id: e.id,
            on: e.on,
            label: EVENT_LABELS[e.type as ClockEventType] ?? e.type,
            actor: e.actorUserId ? names.get(e.actorUserId) ?? "" : "",
            note: e.note,
            materials: detail.missingMaterials ?? detail.deferredMaterials ?? [],
          };
        })
        .reverse(),
    };
  }

  return {
    view,
    graph: { nodes, edges: graphEdges, lanes: layout.lanes, width: layout.width, height: layout.height },
    next,
    selected,
    today: cal.format(today),
  };
}

export type Workspace = ReturnType<typeof getWorkspace>;

/**
 * 下一步 (`nextActions` in the domain) from the loaded project: each item's clock,
 * plan and the events this viewer may record, the materials the ledger shows as
 * missing, the project's last progress, and the open tasks of joint meetings.
 */
function nextOf(pc: ProjectContext, views: ItemView[]): NextAction[] {
  const { db, aggregate: agg, schedule: plan, calendar: cal, today, policy } = pc;
  const projectId = agg.project.id;
  const planned = new Map(plan.items.map((p) => [p.key, p]));
  const allowed = new Map(views.map((v) => [v.key, v.allowed]));
  const missing = new Map<number, string[]>();
  const rows = db
    .select({ itemId: itemMaterials.itemId, name: materials.name })
    .from(itemMaterials)
    .innerJoin(materials, eq(materials.id, itemMaterials.materialId))
    .where(and(eq(materials.projectId, projectId), eq(materials.status, "missing")))
    .orderBy(asc(materials.id))
    .all();
  for (const r of rows) {
    const list = missing.get(r.itemId);
    if (list) list.push(r.name);
    else missing.set(r.itemId, [r.name]);
  }
  // The action items this viewer may see (none for an enterprise contact; a department's own for its staff).
  const tasks = listProjectActionItems(pc, pc.actor, projectId)
    .filter((t) => t.status === "open")
    .map((t) => ({ id: t.id, title: t.title, deadlineOn: t.dueOn, department: t.leadDepartmentName }));
  const keyOf = new Map(agg.items.map((i) => [i.row.id, i.row.key]));
  return nextActions(
    {
      items: agg.items.map((i) => {
        const p = planned.get(i.row.key)!;
        return {
          key: i.row.key,
          name: i.row.name,
          kind: i.row.kind,
          departmentName: i.departmentName,
          spec: i.spec,
          state: i.state,
          ready: p.ready,
          critical: p.critical,
          earliestStart: p.earliestStart,
          latestStart: p.latestStart,
          totalSlack: p.totalSlack,
          allowed: allowed.get(i.row.key) ?? [],
          missingMaterials: missing.get(i.row.id) ?? [],
        };
      }),
      edges: agg.edges.map((e) => ({ from: keyOf.get(e.fromItemId)!, to: keyOf.get(e.toItemId)! })),
      project: { active: agg.project.status === "active", lastProgressOn: agg.project.lastProgressOn ? parseDate(agg.project.lastProgressOn) : null },
      meetingTasks: tasks.flatMap((t) => {
        const deadlineOn = parseDate(t.deadlineOn);
        return deadlineOn === null ? [] : [{ id: t.id, title: t.title, department: t.department, deadlineOn }];
      }),
    },
    today,
    cal,
    policy,
  );
}
