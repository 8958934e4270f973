import { and, asc, eq, isNull, lte, sql } from "drizzle-orm";
import { departments, escalations, projectProxies, projects, users } from "../../db/schema";
import { ACTION_SOURCE_LABELS } from "~/domain/meeting/vocabulary";
import { parseDate, shanghaiDay, type WorkingCalendar } from "~/domain/calendar";
import { escalationMessage } from "~/domain/escalation/messages";
import { audienceOf, deliveryInstant, type EscalationLevel, type EscalationPolicy } from "~/domain/escalation/policy";
import type { Db } from "~/utils/db.server";
import { placeOnNextMeeting } from "./escalation-agenda.server";
import { getCalendar, getPolicy } from "./time-rules.server";
import { transaction } from "./transaction.server";
import { refreshStatsAfter } from "./stats.server";

/**
 * Firing escalation timers (DESIGN §4, §8): each row fires exactly once. The
 * row is re-read and claimed with a conditional update, and its notifications,
 * its 督办 agenda entry and its audit row are written in the claiming
 * transaction, so Bull's at-least-once delivery and racing workers change nothing.
 */

type Recipient = { id: number; email: string | null };

/** The item facts a message and its recipients need. */
interface FireItem {
  id: number;
  name: string;
  departmentId: number | null;
  handlerUserId: number | null;
}

function recipientsFor(tx: Db, level: EscalationLevel, projectId: number | null, item: FireItem | null): Recipient[] {
  const out = new Map<number, Recipient>();
  const add = (rows: Recipient[]) => rows.forEach((r) => out.set(r.id, r));
  const active = eq(users.active, true);
  for (const who of audienceOf(level)) {
    switch (who) {
      case "handler":
        if (item?.handlerUserId) add(tx.select({ id: users.id, email: users.email }).from(users).where(and(eq(users.id, item.handlerUserId), active)).all());
        break;
      case "departmentStaff":
        if (item?.departmentId)
          add(tx.select({ id: users.id, email: users.email }).from(users).where(and(eq(users.departmentId, item.departmentId), eq(users.isDepartmentLeader, false), eq(users.role, "dept"), active)).all());
        break;
      case "departmentLeader":
        if (item?.departmentId)
          add(tx.select({ id: users.id, email: users.email }).from(users).where(and(eq(users.departmentId, item.departmentId), eq(users.isDepartmentLeader, true), active)).all());
        break;
      case "proxy":
        if (projectId === null) break;
        add(
          tx
            .select({ id: users.id, email: users.email })
            .from(projectProxies)
            .innerJoin(users, eq(users.id, projectProxies.userId))
            .where(and(eq(projectProxies.projectId, projectId), active))
            .all(),
        );
        break;
      case "coordinator":
      case "leader":
        add(tx.select({ id: users.id, email: users.email }).from(users).where(and(eq(users.role, who), active)).all());
        break;
    }
  }
  return [...out.values()];
}

export type FireOutcome = "fired" | "already" | "missing" | "early";

/**
 * What firing needs besides the row, loaded once per batch, and the hot
 * statements prepared once per connection: a burst of thousands of timers due
 * at 09:00 must fire in well under a second, and building and preparing each
 * query anew cost ten times the work itself.
 */
interface FireContext {
  cal: WorkingCalendar;
  policy: EscalationPolicy;
  projectNames: Map<number, string>;
  recipients: Map<string, Recipient[]>;
  deptNames: Map<number, string | null>;
}

interface RawEscalation {
  id: number;
  project_id: number | null;
  item_id: number | null;
  action_item_id: number | null;
  level: EscalationLevel;
  due_on: string;
  fire_at: number;
  fired_at: number | null;
}

type FireStatements = ReturnType<typeof prepareFireStatements>;

const statements = new WeakMap<object, FireStatements>();

function prepareFireStatements(db: Db) {
  const c = db.$client;
  return {
    get: c.prepare<[number], RawEscalation>("select id, project_id, item_id, action_item_id, level, due_on, fire_at, fired_at from escalations where id = ?"),
    claim: c.prepare<[number, number]>("update escalations set fired_at = ? where id = ? and fired_at is null"),
    notify: c.prepare(
      "insert into notifications (user_id, kind, title, body, link, escalation_id, dedupe_key, deliver_after, email_status, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (dedupe_key) do nothing",
    ),
    item: c.prepare<[number], FireItem>("select id, name, department_id as departmentId, handler_user_id as handlerUserId from items where id = ?"),
    // An action item read as an item: its lead unit handles it, its responsible person is the handler.
    action: c.prepare<[number], FireItem & { source: keyof typeof ACTION_SOURCE_LABELS; createdAt: number }>(
      "select id, title as name, owner_department_id as departmentId, owner_user_id as handlerUserId, source, created_at as createdAt from action_items where id = ?",
    ),
    audit: c.prepare("insert into audit_log (at, actor_user_id, action, entity_type, entity_id, project_id, detail) values (?, null, ?, 'escalation', ?, ?, ?)"),
  };
}

/** Statements belong to the connection (`$client`), which a transaction object does not expose: take them from the database. */
function fireStatements(db: Db): FireStatements {
  let st = statements.get(db.$client);
  if (!st) statements.set(db.$client, (st = prepareFireStatements(db)));
  return st;
}

function fireContext(db: Db): FireContext {
  return { cal: getCalendar(db), policy: getPolicy(db), projectNames: new Map(), recipients: new Map(), deptNames: new Map() };
}

/** When a timer row is due and whether it has fired: what a wake-up checks before it fires anything. */
export function readEscalationTimer(db: Db, id: number): { fireAt: number; firedAt: number | null } | undefined {
  const row = fireStatements(db).get.get(id);
  return row ? { fireAt: row.fire_at, firedAt: row.fired_at } : undefined;
}

/**
 * Fires one escalation exactly once. Safe to call any number of times, from
 * any number of processes.
 */
export function fireEscalation(db: Db, id: number, now: Date): FireOutcome {
  const st = fireStatements(db);
  // transaction() is IMMEDIATE: read the row, then claim it (see db/client.ts for why not deferred).
  return transaction(db, (tx) => fireIn(tx, st, id, now, fireContext(tx)));
}

/** The body of fireEscalation; the caller holds the transaction (one per call, or one per batch). */
function fireIn(tx: Db, st: FireStatements, id: number, now: Date, fc: FireContext): FireOutcome {
  const row = st.get.get(id);
  if (!row) return "missing";
  if (row.fired_at !== null) return "already";
  if (row.fire_at > now.getTime()) return "early";
  const { cal, policy } = fc;
  const today = shanghaiDay(now);
  const at = now.getTime();
  if (st.claim.run(at, id).changes !== 1) return "already";
  let projectName = row.project_id === null ? "联席会议督办事项" : fc.projectNames.get(row.project_id);
  if (projectName === undefined && row.project_id !== null) {
    projectName = tx.select({ name: projects.name }).from(projects).where(eq(projects.id, row.project_id)).get()!.name;
    fc.projectNames.set(row.project_id, projectName);
  }
  const action = row.action_item_id ? (st.action.get(row.action_item_id) ?? null) : null;
  const item = action ? { ...action, name: `${ACTION_SOURCE_LABELS[action.source]}事项「${action.name}」` } : row.item_id ? (st.item.get(row.item_id) ?? null) : null;
  const deptId = item?.departmentId ?? null;
  if (deptId !== null && !fc.deptNames.has(deptId)) {
    fc.deptNames.set(deptId, tx.select({ n: departments.name }).from(departments).where(eq(departments.id, deptId)).get()?.n ?? null);
  }
  // 督办 first: the message says which meeting took the item, or that it waits for one.
  // (A late action item is not placed here: the agenda builder offers it as a late_action candidate.)
  const agendaMeetingOn =
    row.level === "supervise" && item && !action && row.project_id !== null
      ? placeOnNextMeeting(tx, { escalationId: row.id, projectId: row.project_id, itemId: item.id, itemName: item.name, dueOn: row.due_on }, today, cal)
      : null;
  const { title, body } = escalationMessage(
    {
      level: row.level,
      projectName: projectName!,
      itemName: item?.name ?? null,
      departmentName: deptId === null ? null : fc.deptNames.get(deptId)!,
      dueOn: parseDate(row.due_on)!,
      // Counted for the level's own moment, so a backlog fired late still reads 预警 → 超期 → 督办 in order.
      firesOn: shanghaiDay(new Date(row.fire_at)),
      // An action item recorded after a level's moment (minutes written up late) is not a backlog the system owes an apology for.
      writtenOn: action && action.createdAt > row.fire_at ? shanghaiDay(new Date(row.fire_at)) : today,
      agendaMeetingOn,
    },
    cal,
  );
  const deliverAfter = deliveryInstant(at, cal, policy);
  const rkey = `${row.level}-${row.project_id ?? "none"}-${deptId}-${item?.handlerUserId ?? ""}`;
  let people = fc.recipients.get(rkey);
  if (!people) fc.recipients.set(rkey, (people = recipientsFor(tx, row.level, row.project_id, item)));
  const link = action ? `/meetings/actions/${action.id}` : `/projects/${row.project_id}`;
  for (const r of people) {
    st.notify.run(r.id, `escalation.${row.level}`, title, body, link, row.id, `esc-${row.id}-u${r.id}`, deliverAfter, r.email ? "pending" : "none", at);
  }
  st.audit.run(at, `escalation.${row.level}`, row.id, row.project_id, JSON.stringify({ itemId: row.item_id, actionItemId: row.action_item_id, dueOn: row.due_on }));
  return "fired";
}

/**
 * Fires everything whose moment has passed and is still unfired, in one
 * transaction (the sweep, the start-up reconcile and every wake-up use it).
 */
/**
 * A fired 督办 or 领导督办 puts its item under 督办: the project's and the department's
 * figures (and the month's 督办 count) move in the firing transaction.
 */
function refreshSupervisedStats(tx: Db, firedIds: number[], now: Date) {
  if (!firedIds.length) return;
  const rows = tx.all<{ projectId: number | null; departmentId: number | null }>(sql`
    select distinct e.project_id as projectId, coalesce(i.department_id, a.owner_department_id) as departmentId
    from escalations e left join items i on i.id = e.item_id left join action_items a on a.id = e.action_item_id
    where e.id in (${sql.join(firedIds.map((id) => sql`${id}`), sql`, `)}) and e.level in ('supervise', 'leader')`);
  const byProject = new Map<number | null, (number | null)[]>();
  for (const r of rows) byProject.set(r.projectId, [...(byProject.get(r.projectId) ?? []), r.departmentId]);
  for (const [projectId, departmentIds] of byProject) refreshStatsAfter(tx, now, { projectId, departmentIds });
}

export function fireDue(db: Db, now: Date, limit = 5_000): { fired: number; ids: number[] } {
  const due = db
    .select({ id: escalations.id })
    .from(escalations)
    .where(and(isNull(escalations.firedAt), lte(escalations.fireAt, now.getTime())))
    .orderBy(asc(escalations.fireAt))
    .limit(limit)
    .all();
  if (!due.length) return { fired: 0, ids: [] };
  const st = fireStatements(db);
  return transaction(db, (tx) => {
    const fc = fireContext(tx);
    let fired = 0;
    const firedIds: number[] = [];
    for (const { id } of due) {
      if (fireIn(tx, st, id, now, fc) === "fired") {
        fired++;
        firedIds.push(id);
      }
    }
    refreshSupervisedStats(tx, firedIds, now);
    return { fired, ids: due.map((d) => d.id) };
  });
}
