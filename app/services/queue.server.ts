import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { clockEvents, departments, itemMaterials, items, materials, projects, users } from "../../db/schema";
import type { Actor } from "~/domain/access/policy";
import { parseDate, shanghaiDay } from "~/domain/calendar";
import {
  ACTIVE_STATUSES,
  allowedEvents,
  initialClockState,
  readClock,
  replayClock,
  type ClockEventType,
  type ItemKind,
  type ItemStatus,
  type Warning,
} from "~/domain/clock";
import { STAGES, stageLabel } from "~/domain/item/vocabulary";
import type { ActionSource } from "~/domain/meeting/vocabulary";
import { openActionItemsOfDepartment } from "./action-items.server";
import { getCalendar } from "./time-rules.server";
import type { ServiceContext } from "./context.server";
import { forbidden } from "./errors.server";
import { readStoredClock, specOf, toClockEvent } from "./project-aggregate.server";
import { getPolicy } from "./time-rules.server";

export interface QueueRow {
  projectId: number;
  projectName: string;
  key: string;
  name: string;
  /** The item's kind (`kind` tells a queue entry's two shapes apart). */
  itemKind: ItemKind;
  stage: number;
  status: ItemStatus;
  /** The item's version when read: the row's action form sends it back, so a stale form answers a conflict. */
  version: number;
  /** What the department may record on it now, from the queue (see DEPARTMENT_EVENTS). */
  allowed: ClockEventType[];
  /** The item's required materials with their ledger status: 受理 offers the missing ones as 容缺, 要求补正 lists them all. */
  materials: { name: string; status: string }[];
  /** 首问负责人: the clerk who first acted on the item, null until someone has. */
  handlerName: string | null;
  /** 待受理 only: the day the application (or its complete correction) was received. */
  submittedOn: string | null;
  /** 待受理 only: the §32 deadline to accept or ask for corrections (also `dueOn`, which the countdown counts to). */
  acceptanceDueOn: string | null;
  acceptedOn: string | null;
  dueOn: string | null;
  remainingWorkingDays: number | null;
  warning: Warning;
  paused: boolean;
}

/** An open action item (会议纪要 task, 督办, 差评整改) the department leads: a clock like an approval (DESIGN §4). */
export interface ActionQueueRow {
  id: number;
  title: string;
  source: ActionSource;
  /** The meeting whose decision set it, when it comes from one. */
  meeting: { id: number; title: string; heldOn: string } | null;
  projectId: number | null;
  projectName: string | null;
  /** Whether this viewer may open the linked project (it has an item of their department). */
  projectOpenable: boolean;
  itemKey: string | null;
  itemName: string | null;
  dueOn: string;
  remainingWorkingDays: number | null;
  warning: Warning;
  /** Action items have no pauses; the field lets both kinds rank by one rule. */
  paused: false;
}

/** One line of the queue: an approval item or an action item, told apart by `kind`. */
export type QueueEntry = ({ kind: "item" } & QueueRow) | ({ kind: "action" } & ActionQueueRow);

/**
 * The events a department records from its queue: its own decisions on the application.
 * 申报, 撤回 and 免办 are the applicant's (or the proxy officer's) acts and stay on the project page.
 */
const DEPARTMENT_EVENTS: readonly ClockEventType[] = [
  "accept",
  "request_correction",
  "receive_correction",
  "supply_deferred",
  "start_special",
  "end_special",
  "suspend",
  "resume",
  "approve",
  "reject",
];

/** The queue's GET filters; blank (or a value the queue does not know) means all. */
export interface QueueFilter {
  project?: string | null;
  stage?: string | null;
  status?: string | null;
}

export interface QueueFilterOptions {
  projects: { id: number; name: string }[];
  stages: { value: number; label: string }[];
  statuses: ItemStatus[];
}

/**
 * A department's open items, most urgent first: applications awaiting acceptance (待受理,
 * counting down the five working days of 行政许可法 §32) and items under way. Reads the
 * stored clock columns (exact for running items; for submitted ones due_on is the
 * acceptance deadline), so it stays one indexed query however many projects the city has.
 * `rows` are the approval items; `actionItems` the open action items the department
 * leads (责任单位); `entries` is both in one most-urgent-first list, as the page shows it.
 * Each row also carries what the queue's action form needs (version, allowed events,
 * materials) and its 首问负责人. `filter` narrows all three lists; `options` are the
 * filter's choices, taken from the unfiltered queue so a filter never hides its own way back.
 */
export function listDepartmentQueue(
  ctx: ServiceContext,
  actor: Actor,
  filter: QueueFilter = {},
  paging?: { page: number; pageSize: number },
): {
  department: string;
  rows: QueueRow[];
  actionItems: ActionQueueRow[];
  entries: QueueEntry[];
  totals: { items: number; actions: number; entries: number };
  filter: { project: string; stage: string; status: string };
  options: QueueFilterOptions;
} {
  if (actor.role !== "dept" || actor.departmentId === null) throw forbidden("只有部门经办人有待办队列");
  const { db } = ctx;
  const cal = getCalendar(db);
  const today = shanghaiDay(ctx.now);
  const lead = getPolicy(db).yellowLead;
  const dept = db.select().from(departments).where(eq(departments.id, actor.departmentId)).get();
  const found = db
    .select({
      item: items,
      projectName: projects.name,
      handlerName: users.displayName,
      // Awaiting acceptance, the last event is the one that opened the window (申报 or the complete 补正).
      submittedOn: sql<string | null>`case when ${items.status} = 'submitted' then (select e."on" from clock_events e where e.item_id = ${items.id} order by e.id desc limit 1) end`,
    })
    .from(items)
    .innerJoin(projects, eq(projects.id, items.projectId))
    .leftJoin(users, eq(users.id, items.handlerUserId))
    .where(and(eq(items.departmentId, actor.departmentId), inArray(items.status, [...ACTIVE_STATUSES])))
    .orderBy(asc(items.dueOn))
    .all();
  const itemById = new Map(found.map((f) => [f.item.id, f.item]));
  // Ranked on the stored clock columns first; the action form's details (replayed state,
  // materials) are filled in below only for the rows returned — a page of a long queue.
  const rows = found.map(({ item, projectName, handlerName, submittedOn }): QueueRow & { itemId: number } => {
    const submitted = item.status === "submitted";
    const r = submitted
      ? readClock({ ...initialClockState(), status: "submitted", submittedOn: submittedOn ? parseDate(submittedOn) : null, dueOn: item.dueOn ? parseDate(item.dueOn) : null }, specOf(item), cal, today, lead)
      : readStoredClock(item, cal, today, lead);
    return {
      itemId: item.id,
      projectId: item.projectId,
      projectName,
      key: item.key,
      name: item.name,
      itemKind: item.kind,
      stage: item.stage,
      status: item.status,
      version: item.version,
      allowed: [],
      materials: [],
      handlerName,
      submittedOn: submitted ? submittedOn : null,
      acceptanceDueOn: submitted ? item.dueOn : null,
      acceptedOn: item.acceptedOn,
      dueOn: item.dueOn,
      remainingWorkingDays: r.remainingWorkingDays,
      warning: r.warning,
      paused: r.paused,
    };
  });
  const rank = (r: { warning: Warning; paused: boolean }) => (r.warning === "red" ? 0 : r.warning === "yellow" ? 1 : r.paused ? 3 : 2);
  const urgency = (a: { warning: Warning; paused: boolean; remainingWorkingDays: number | null }, b: typeof a) =>
    rank(a) - rank(b) || (a.remainingWorkingDays ?? 1e9) - (b.remainingWorkingDays ?? 1e9);
  rows.sort(urgency);
  const actions = openActionItemsOfDepartment(ctx, actor.departmentId, actor).map(
    (v): ActionQueueRow => ({
      id: v.id,
      title: v.title,
      source: v.source,
      meeting: v.meeting ? { id: v.meeting.id, title: v.meeting.title, heldOn: v.meeting.heldOn } : null,
      projectId: v.projectId,
      projectName: v.projectName,
      projectOpenable: v.projectOpenable,
      itemKey: v.itemKey,
      itemName: v.itemName,
      dueOn: v.dueOn,
      remainingWorkingDays: v.remainingWorkingDays,
      warning: v.warning,
      paused: false,
    }),
  );

  const projectsSeen = new Map<number, string>();
  for (const r of rows) projectsSeen.set(r.projectId, r.projectName);
  for (const a of actions) if (a.projectId !== null && a.projectOpenable) projectsSeen.set(a.projectId, a.projectName ?? "");
  const options: QueueFilterOptions = {
    projects: [...projectsSeen].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name, "zh-CN") || a.id - b.id),
    stages: STAGES.map((value) => ({ value, label: stageLabel(value) })),
    statuses: [...ACTIVE_STATUSES],
  };
  // Unknown values are dropped rather than refused: a bookmarked filter for a finished project shows everything.
  const projectId = Number(filter.project);
  const chosen = {
    project: projectsSeen.has(projectId) ? String(projectId) : "",
    stage: STAGES.some((st) => String(st) === filter.stage) ? String(filter.stage) : "",
    status: (ACTIVE_STATUSES as readonly string[]).includes(filter.status ?? "") ? String(filter.status) : "",
  };
  const keptRows = rows.filter(
    (r) => (!chosen.project || r.projectId === projectId) && (!chosen.stage || String(r.stage) === chosen.stage) && (!chosen.status || r.status === chosen.status),
  );
  // An action item has neither stage nor status: it stays only while neither is filtered on.
  const keptActions = actions.filter((a) => !chosen.stage && !chosen.status && (!chosen.project || a.projectId === projectId));

  // One most-urgent-first list: an action item's clock is read by the approvals' rules, so it ranks
  // among them by the same warning and remaining days (the sort is stable: approvals first on a tie).
  type Ranked = { kind: "item"; row: (typeof rows)[number] } | { kind: "action"; row: ActionQueueRow };
  const ordered: Ranked[] = [
    ...keptRows.map((row) => ({ kind: "item" as const, row })),
    ...keptActions.map((row) => ({ kind: "action" as const, row })),
  ].sort((a, b) => urgency(a.row, b.row));
  const shown = paging ? ordered.slice((paging.page - 1) * paging.pageSize, paging.page * paging.pageSize) : ordered;
  const shownRows = shown.flatMap((e) => (e.kind === "item" ? [e.row] : []));
  fillActionDetails(db, shownRows, itemById, cal);
  const entries: QueueEntry[] = shown.map((e) => (e.kind === "item" ? { kind: "item" as const, ...withoutId(e.row) } : { kind: "action" as const, ...e.row }));
  return {
    department: dept?.name ?? "",
    rows: shownRows.map(withoutId),
    actionItems: shown.flatMap((e) => (e.kind === "action" ? [e.row] : [])),
    entries,
    totals: { items: keptRows.length, actions: keptActions.length, entries: ordered.length },
    filter: chosen,
    options,
  };
}

const withoutId = ({ itemId: _id, ...r }: QueueRow & { itemId: number }): QueueRow => r;

/**
 * What a row's action form needs: the allowed department events from the replayed state
 * (an open 容缺 commitment blocks 办结) and the item's materials — two queries for the rows shown.
 */
function fillActionDetails(db: ServiceContext["db"], rows: (QueueRow & { itemId: number })[], itemById: Map<number, typeof items.$inferSelect>, cal: ReturnType<typeof getCalendar>) {
  const ids = rows.map((r) => r.itemId);
  if (!ids.length) return;
  const eventsOf = groupBy(db.select().from(clockEvents).where(inArray(clockEvents.itemId, ids)).orderBy(asc(clockEvents.id)).all(), (e) => e.itemId);
  const materialsOf = groupBy(
    db
      .select({ itemId: itemMaterials.itemId, name: materials.name, status: materials.status })
      .from(itemMaterials)
      .innerJoin(materials, eq(materials.id, itemMaterials.materialId))
      .where(inArray(itemMaterials.itemId, ids))
      .orderBy(asc(materials.id))
      .all(),
    (m) => m.itemId,
  );
  for (const r of rows) {
    const spec = specOf(itemById.get(r.itemId)!);
    const state = replayClock((eventsOf.get(r.itemId) ?? []).map(toClockEvent), spec, cal);
    r.allowed = allowedEvents(state, spec).filter((t) => DEPARTMENT_EVENTS.includes(t));
    r.materials = (materialsOf.get(r.itemId) ?? []).map((m) => ({ name: m.name, status: m.status }));
  }
}

function groupBy<T>(list: T[], keyOf: (t: T) => number): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const t of list) {
    const k = keyOf(t);
    const l = out.get(k);
    if (l) l.push(t);
    else out.set(k, [t]);
  }
  return out;
}
