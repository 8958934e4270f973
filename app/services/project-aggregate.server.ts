import { asc, eq, inArray } from "drizzle-orm";
import {
  clockEvents,
  departments,
  dependencies,
  enterprises,
  items,
  projectProxies,
  projects,
  users,
} from "../../db/schema";
import type { Action, Actor, ProjectFacts } from "~/domain/access/policy";
import { toDay, type WorkingCalendar } from "~/domain/calendar";
import { initialClockState, isPaused, readClock, replayClock, type ClockEvent, type ClockReading, type ClockSpec, type ClockState } from "~/domain/clock";
import { parseDate, type DayNum } from "~/domain/calendar";
import type { ScheduleInput } from "~/domain/schedule";
import type { Db } from "~/utils/db.server";
import { parseId } from "~/domain/validation/id";
import { assertProjectAccess } from "./project-access.server";

/**
 * A project as the rules need it: rows plus each item's clock state replayed
 * from its events. Loaded in a handful of queries, whatever the item count.
 */
export interface ItemRecord {
  row: typeof items.$inferSelect;
  departmentCode: string | null;
  departmentName: string | null;
  /** 首问负责人: the department clerk who first acted on the item (items.handlerUserId), by name. */
  handlerName: string | null;
  spec: ClockSpec;
  events: (typeof clockEvents.$inferSelect)[];
  state: ClockState;
}

export interface ProjectAggregate {
  project: typeof projects.$inferSelect;
  enterprise: typeof enterprises.$inferSelect;
  proxies: { id: number; displayName: string }[];
  items: ItemRecord[];
  edges: (typeof dependencies.$inferSelect)[];
  facts: ProjectFacts;
}

export function specOf(row: typeof items.$inferSelect): ClockSpec {
  return {
    kind: row.kind,
    statutoryLimit: row.statutoryLimit,
    promisedLimit: row.promisedLimit,
    limitUnit: row.limitUnit,
    plannedDuration: row.plannedDuration,
    correctionRestartsClock: row.correctionRestartsClock,
    yellowLead: row.yellowLead,
  };
}

export interface EventDetail {
  deferredMaterials?: string[];
  commitmentOn?: string | null;
  missingMaterials?: string[];
}

export function toClockEvent(e: typeof clockEvents.$inferSelect): ClockEvent {
  const detail: EventDetail = e.detail ? JSON.parse(e.detail) : {};
  return {
    type: e.type as ClockEvent["type"],
    on: toDay(e.on),
    deferredMaterials: detail.deferredMaterials,
    commitmentOn: detail.commitmentOn ? toDay(detail.commitmentOn) : null,
  };
}

export function loadProject(db: Db, projectId: number, cal: WorkingCalendar): ProjectAggregate | null {
  const project = db.select().from(projects).where(eq(projects.id, projectId)).get();
  if (!project) return null;
  const enterprise = db.select().from(enterprises).where(eq(enterprises.id, project.enterpriseId)).get()!;
  const proxies = db
    .select({ id: users.id, displayName: users.displayName })
    .from(projectProxies)
    .innerJoin(users, eq(users.id, projectProxies.userId))
    .where(eq(projectProxies.projectId, projectId))
    .all();
  const rows = db
    .select({ item: items, code: departments.code, deptName: departments.name, handlerName: users.displayName })
    .from(items)
    .leftJoin(departments, eq(departments.id, items.departmentId))
    .leftJoin(users, eq(users.id, items.handlerUserId))
    .where(eq(items.projectId, projectId))
    .orderBy(asc(items.id))
    .all();
  const ids = rows.map((r) => r.item.id);
  const events = ids.length
    ? db.select().from(clockEvents).where(inArray(clockEvents.itemId, ids)).orderBy(asc(clockEvents.id)).all()
    : [];
  const byItem = new Map<number, (typeof clockEvents.$inferSelect)[]>();
  for (const e of events) {
    const list = byItem.get(e.itemId);
    if (list) list.push(e);
    else byItem.set(e.itemId, [e]);
  }
  const itemRecords: ItemRecord[] = rows.map((r) => {
    const spec = specOf(r.item);
    const evs = byItem.get(r.item.id) ?? [];
    return {
      row: r.item,
      departmentCode: r.code,
      departmentName: r.deptName,
      handlerName: r.handlerName,
      spec,
      events: evs,
      state: replayClock(evs.map(toClockEvent), spec, cal),
    };
  });
  const edges = db.select().from(dependencies).where(eq(dependencies.projectId, projectId)).all();
  const departmentIds = [...new Set(itemRecords.map((i) => i.row.departmentId).filter((d): d is number => d !== null))];
  return {
    project,
    enterprise,
    proxies,
    items: itemRecords,
    edges,
    facts: { enterpriseId: project.enterpriseId, proxyUserIds: proxies.map((p) => p.id), departmentIds },
  };
}

/** Loads and checks access in one step; a project the actor may not see is reported as missing. */
export function loadProjectFor(
  db: Db,
  actor: Actor,
  projectId: number,
  cal: WorkingCalendar,
  action: Action = "project.view",
): ProjectAggregate {
  const id = parseId(projectId);
  const agg = id === null ? null : loadProject(db, id, cal);
  assertProjectAccess(actor, action, agg?.facts);
  return agg!;
}

export function scheduleInputOf(agg: ProjectAggregate): ScheduleInput {
  const keyById = new Map(agg.items.map((i) => [i.row.id, i.row.key]));
  return {
    items: agg.items.map((i) => ({
      key: i.row.key,
      name: i.row.name,
      department: i.departmentCode,
      kind: i.spec.kind,
      stage: i.row.stage,
      spec: i.spec,
      state: i.state,
    })),
    edges: agg.edges.map((e) => ({ from: keyById.get(e.fromItemId)!, to: keyById.get(e.toItemId)!, lagWorkingDays: e.lagWorkingDays })),
    targetStartOn: toDay(agg.project.targetStartOn),
  };
}

/**
 * The clock reading from an item's stored columns, without replaying events:
 * exact for running items (their stored dueOn is the replayed one). Paused
 * items read as paused with no remaining count, which lists can show as 暂停中.
 */
export function readStoredClock(row: typeof items.$inferSelect, cal: WorkingCalendar, asOf: DayNum, defaultYellowLead: number): ClockReading {
  const status = row.status;
  // A submitted item's stored dueOn is its acceptance deadline (行政许可法 §32), counted like a running clock.
  if (status !== "running" && status !== "submitted") {
    return { dueOn: null, remainingWorkingDays: null, overdueWorkingDays: 0, warning: "none", paused: isPaused(status), commitmentWarning: "none" };
  }
  const state: ClockState = { ...initialClockState(), status, dueOn: row.dueOn ? parseDate(row.dueOn) : null, acceptedOn: row.acceptedOn ? parseDate(row.acceptedOn) : null };
  state.baseOn = state.acceptedOn;
  return readClock(state, specOf(row), cal, asOf, defaultYellowLead);
}

/** The clock columns kept on the item row so queues and sweeps are indexed queries. */
export function storedColumns(state: ClockState, fmt: (d: number) => string) {
  const f = (d: number | null) => (d === null ? null : fmt(d));
  return {
    status: state.status,
    acceptedOn: f(state.acceptedOn),
    dueOn: f(state.dueOn),
    pausedOn: f(state.pausedOn),
    pauseKind: state.pauseKind,
    decidedOn: f(state.decidedOn),
    commitmentOn: f(state.commitmentOn),
    commitmentMetOn: f(state.commitmentMetOn),
  };
}

