import { and, asc, eq, gte, inArray, isNull, lte, sql } from "drizzle-orm";
import { z } from "zod";
import { agendaItems, departments, escalations, items, meetings, notifications, projectProxies, projects, users } from "../../db/schema";
import { decide, type Actor } from "~/domain/access/policy";
import { formatDay, parseDate, shanghaiDay, type DayNum, type WorkingCalendar } from "~/domain/calendar";
import { isFinished, type ItemStatus } from "~/domain/clock";
import {
  audienceOf,
  deliveryInstant,
  LEVEL_LABELS,
  planItemEscalations,
  planStallEscalation,
  type EscalationLevel,
  type EscalationPolicy,
  type ItemEscalationOverrides,
  type PlannedEscalation,
} from "~/domain/escalation/policy";
import { zhFieldErrorMap } from "~/domain/validation/zh-error-map";
import type { Db } from "~/utils/db.server";
import { scheduleWakeups } from "~/utils/queue.server";
import type { Wakeup } from "~/domain/escalation/wakeup";
import { writeAudit } from "./audit.server";
import { getCalendar } from "./time-rules.server";
import type { ServiceContext } from "./context.server";
import { AppError, invalidInput, notFound } from "./errors.server";
import { loadProjectFor } from "./project-aggregate.server";
import { getPolicy } from "./time-rules.server";

/**
 * Escalation timers (DESIGN §4, §8). SQLite holds every planned moment as an
 * unfired `escalations` row; Bull only wakes the worker. Planning happens in
 * the same transaction as the change that moves a due date, so a crash can
 * lose a wake-up but never a timer: the sweep finds every unfired row whose
 * moment has passed.
 */

export type { Wakeup };

type ItemRow = typeof items.$inferSelect;

/** The item's own offsets: its yellow lead (template or administrator) and any per-item ladder overrides. */
export function itemOverrides(row: Pick<ItemRow, "yellowLead" | "escalationOverrides">): ItemEscalationOverrides {
  const extra = row.escalationOverrides ? (JSON.parse(row.escalationOverrides) as ItemEscalationOverrides) : {};
  return row.yellowLead === null ? extra : { ...extra, yellowLead: row.yellowLead };
}

function desiredForItem(row: ItemRow, cal: WorkingCalendar, policy: EscalationPolicy): PlannedEscalation[] {
  if (row.status !== "running" || !row.dueOn || !row.acceptedOn) return [];
  return planItemEscalations(row.id, parseDate(row.dueOn)!, parseDate(row.acceptedOn)!, cal, policy, itemOverrides(row));
}

const itemSettingsSchema = z
  .object({
    yellowLead: z.coerce.number().int("应为整数").min(0, "不能为负数").max(10, "不超过 10 个工作日").nullable(),
    redAfter: z.coerce.number().int("应为整数").min(1, "超期提醒至少在到期后 1 个工作日").max(10, "不超过 10 个工作日").nullable(),
    superviseAfter: z.coerce.number().int("应为整数").min(0, "不能为负数").max(30, "不超过 30 个工作日").nullable(),
    leaderAfter: z.coerce.number().int("应为整数").min(0, "不能为负数").max(60, "不超过 60 个工作日").nullable(),
  })
  .partial();

/**
 * Per-item thresholds set by an administrator (an item the city treats as
 * urgent escalates sooner). Empty fields fall back to the deployment's ladder;
 * the item's unfired timers are re-planned in the same transaction.
 */
export function setItemEscalationSettings(ctx: ServiceContext, actor: Actor, projectId: number, itemKey: string, raw: Record<string, unknown>) {
  if (!decide(actor, "admin.manage").allowed) throw new AppError("forbidden", "只有系统管理员可以设置事项的升级规则");
  const agg = loadProjectFor(ctx.db, actor, projectId, getCalendar(ctx.db));
  const item = agg.items.find((i) => i.row.key === itemKey);
  if (!item) throw notFound(`事项「${itemKey}」`);
  const blankToNull = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v === "" || v === undefined ? null : v]));
  const parsed = itemSettingsSchema.safeParse(blankToNull, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  const policy = getPolicy(ctx.db);
  const { yellowLead = null, ...ladder } = parsed.data;
  const effective = { ...policy, ...Object.fromEntries(Object.entries(ladder).filter(([, v]) => v !== null)) };
  if (!(effective.redAfter <= effective.superviseAfter && effective.superviseAfter <= effective.leaderAfter)) {
    throw new AppError("invalid", "升级顺序应为：超期 ≤ 督办 ≤ 领导督办");
  }
  const overrides = Object.fromEntries(Object.entries(ladder).filter(([, v]) => v !== null));
  const wakeups = ctx.db.transaction((tx) => {
    const t = tx as unknown as Db;
    const row = t
      .update(items)
      .set({ yellowLead, escalationOverrides: Object.keys(overrides).length ? JSON.stringify(overrides) : null, version: sql`${items.version} + 1`, updatedAt: ctx.now.getTime() })
      .where(eq(items.id, item.row.id))
      .returning()
      .get();
    writeAudit(t, { actorUserId: actor.id, action: "item.escalationSettings", entityType: "item", entityId: item.row.id, projectId, detail: { yellowLead, ...overrides } }, ctx.now);
    return planItemTimers(t, row, getCalendar(t), policy);
  });
  void scheduleWakeups(wakeups).catch((e) => console.warn("wake-ups not scheduled (the worker's sweep will):", e));
}

/**
 * Brings one item's unfired rows in line with its clock: rows no longer wanted
 * (approved, paused, due date moved) are deleted, new ones inserted. Fired rows
 * are history and stay. Call inside the transaction that changed the item.
 */
export function planItemTimers(tx: Db, row: ItemRow, cal: WorkingCalendar, policy: EscalationPolicy): Wakeup[] {
  return syncRows(tx, { projectId: row.projectId, itemId: row.id }, desiredForItem(row, cal, policy));
}

function desiredForProject(tx: Db, projectId: number, cal: WorkingCalendar, policy: EscalationPolicy): PlannedEscalation[] {
  const p = tx.select().from(projects).where(eq(projects.id, projectId)).get();
  if (!p || p.status !== "active" || !p.lastProgressOn) return [];
  const unfinished = tx.all<{ status: string }>(sql`select status from items where project_id = ${projectId}`).some((i) => !isFinished(i.status as ItemStatus));
  if (!unfinished) return [];
  return [planStallEscalation(projectId, parseDate(p.lastProgressOn)!, cal, policy)];
}

/** The stall timer of a project: re-armed whenever progress moves its last progress date. */
export function planProjectTimers(tx: Db, projectId: number, cal: WorkingCalendar, policy: EscalationPolicy): Wakeup[] {
  return syncRows(tx, { projectId, itemId: null }, desiredForProject(tx, projectId, cal, policy));
}

function syncRows(tx: Db, owner: { projectId: number; itemId: number | null }, desired: PlannedEscalation[]): Wakeup[] {
  const ownerCond =
    owner.itemId === null
      ? and(eq(escalations.projectId, owner.projectId), isNull(escalations.itemId))
      : eq(escalations.itemId, owner.itemId);
  const existing = tx.select().from(escalations).where(and(ownerCond, isNull(escalations.firedAt))).all();
  const wanted = new Set(desired.map((d) => d.dedupeKey));
  const stale = existing.filter((e) => !wanted.has(e.dedupeKey)).map((e) => e.id);
  if (stale.length) tx.delete(escalations).where(inArray(escalations.id, stale)).run();
  const moment = new Map(desired.map((d) => [d.dedupeKey, d.fireAt]));
  const wakeups: Wakeup[] = [];
  for (const e of existing) {
    if (!wanted.has(e.dedupeKey)) continue;
    // Same item, level and due date but new offsets (per-item or policy change): move the moment.
    const fireAt = moment.get(e.dedupeKey)!;
    if (fireAt !== e.fireAt) tx.update(escalations).set({ fireAt }).where(eq(escalations.id, e.id)).run();
    wakeups.push({ id: e.id, fireAt });
  }
  const have = new Set(existing.map((e) => e.dedupeKey));
  for (const d of desired) {
    if (have.has(d.dedupeKey)) continue;
    // A key that already fired (same item, level and due date) conflicts and is skipped: once is once.
    const row = tx
      .insert(escalations)
      .values({ projectId: owner.projectId, itemId: owner.itemId, level: d.level, dueOn: formatDay(d.dueOn), dedupeKey: d.dedupeKey, fireAt: d.fireAt })
      .onConflictDoNothing()
      .returning({ id: escalations.id, fireAt: escalations.fireAt })
      .get();
    if (row) wakeups.push(row);
  }
  return wakeups;
}


/** Re-plans every open item and every active project: at worker start, after a policy or calendar change. */
export function replanAll(db: Db): Wakeup[] {
  // IMMEDIATE: this transaction reads before it writes; a deferred one would fail with
  // SQLITE_BUSY_SNAPSHOT (ignoring busy_timeout) whenever the web process commits in between.
  return db.transaction((tx) => replanAllIn(tx as unknown as Db, getCalendar(tx as unknown as Db), getPolicy(tx as unknown as Db)), { behavior: "immediate" });
}

/** replanAll inside a caller's transaction (a calendar edit). */
export function replanAllIn(t: Db, cal: WorkingCalendar, policy: EscalationPolicy): Wakeup[] {
  const wake: Wakeup[] = [];
  // Items that may hold unfired rows as well as running ones: a row for an item approved meanwhile must go.
  const rows = t
    .select()
    .from(items)
    .where(sql`${items.status} = 'running' or ${items.id} in (select item_id from escalations where fired_at is null and item_id is not null)`)
    .all();
  for (const row of rows) wake.push(...planItemTimers(t, row, cal, policy));
  for (const p of t.select({ id: projects.id }).from(projects).all()) wake.push(...planProjectTimers(t, p.id, cal, policy));
  return wake;
}

// ---------------------------------------------------------------- firing

type Recipient = { id: number; email: string | null };

function recipientsFor(tx: Db, level: EscalationLevel, projectId: number, item: FireItem | null): Recipient[] {
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

function messageFor(level: EscalationLevel, project: typeof projects.$inferSelect, item: FireItem | null, deptName: string | null, dueOn: string, cal: WorkingCalendar, today: DayNum) {
  const label = LEVEL_LABELS[level];
  if (level === "stall" || !item) {
    const idle = cal.workingDaysBetween(parseDate(dueOn)!, today);
    return {
      title: `【${label}】${project.name}`,
      body: `项目自 ${dueOn} 起已 ${idle} 个工作日无进展，请代办员跟进并在联席会议上说明。`,
    };
  }
  const due = parseDate(dueOn)!;
  const left = cal.workingDaysBetween(today, due);
  const when = left > 0 ? `剩余 ${left} 个工作日` : left === 0 ? "今日到期" : `已超期 ${-left} 个工作日`;
  const what = level === "supervise" ? "已列入督办并提交下次联席会议" : level === "leader" ? "已报请领导督办" : "请及时办理";
  return {
    title: `【${label}】${project.name} · ${item.name}`,
    body: `${deptName ?? ""}承办，到期日 ${dueOn}，${when}；${what}。`,
  };
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
  projects: Map<number, typeof projects.$inferSelect>;
  recipients: Map<string, Recipient[]>;
  deptNames: Map<number, string | null>;
}

interface RawEscalation {
  id: number;
  project_id: number;
  item_id: number | null;
  level: EscalationLevel;
  due_on: string;
  fire_at: number;
  fired_at: number | null;
}

/** The item facts a message and its recipients need. */
interface FireItem {
  id: number;
  name: string;
  departmentId: number | null;
  handlerUserId: number | null;
  dueOn: string | null;
}

const statements = new WeakMap<object, ReturnType<typeof prepareFireStatements>>();

function prepareFireStatements(db: Db) {
  const c = db.$client;
  return {
    get: c.prepare<[number], RawEscalation>("select id, project_id, item_id, level, due_on, fire_at, fired_at from escalations where id = ?"),
    claim: c.prepare<[number, number]>("update escalations set fired_at = ? where id = ? and fired_at is null"),
    notify: c.prepare(
      "insert into notifications (user_id, kind, title, body, link, escalation_id, dedupe_key, deliver_after, email_status, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (dedupe_key) do nothing",
    ),
    item: c.prepare<[number], FireItem>(
      "select id, name, department_id as departmentId, handler_user_id as handlerUserId, due_on as dueOn from items where id = ?",
    ),
    audit: c.prepare("insert into audit_log (at, actor_user_id, action, entity_type, entity_id, project_id, detail) values (?, null, ?, 'escalation', ?, ?, ?)"),
  };
}

function fireStatements(db: Db) {
  let st = statements.get(db.$client);
  if (!st) statements.set(db.$client, (st = prepareFireStatements(db)));
  return st;
}

function fireContext(db: Db): FireContext {
  return { cal: getCalendar(db), policy: getPolicy(db), projects: new Map(), recipients: new Map(), deptNames: new Map() };
}

/**
 * Fires one escalation exactly once: re-reads the row, claims it with a
 * conditional update, and writes the notifications, the 督办 agenda candidate
 * and the audit row in the same transaction. Safe to call any number of times,
 * from any number of processes.
 */
export function fireEscalation(db: Db, id: number, now: Date, fc: FireContext = fireContext(db)): FireOutcome {
  // IMMEDIATE for the same reason as replanAll: read the row, then claim it.
  return db.$client.transaction(() => fireIn(db, id, now, fc)).immediate();
}

/** The body of fireEscalation; the caller holds the transaction (one per call, or one per batch). */
function fireIn(db: Db, id: number, now: Date, fc: FireContext): FireOutcome {
  const st = fireStatements(db);
  const row = st.get.get(id);
  if (!row) return "missing";
  if (row.fired_at !== null) return "already";
  if (row.fire_at > now.getTime()) return "early";
  const { cal, policy } = fc;
  const today = shanghaiDay(now);
  const at = now.getTime();
  if (st.claim.run(at, id).changes !== 1) return "already";
  let project = fc.projects.get(row.project_id);
  if (!project) fc.projects.set(row.project_id, (project = db.select().from(projects).where(eq(projects.id, row.project_id)).get()!));
  const item = row.item_id ? st.item.get(row.item_id) ?? null : null;
  const deptId = item?.departmentId ?? null;
  if (deptId !== null && !fc.deptNames.has(deptId)) {
    fc.deptNames.set(deptId, db.select({ n: departments.name }).from(departments).where(eq(departments.id, deptId)).get()?.n ?? null);
  }
  const { title, body } = messageFor(row.level, project, item, deptId === null ? null : fc.deptNames.get(deptId)!, row.due_on, cal, today);
  const deliverAfter = deliveryInstant(at, cal, policy);
  const rkey = `${row.level}-${row.project_id}-${deptId}-${item?.handlerUserId ?? ""}`;
  let people = fc.recipients.get(rkey);
  if (!people) fc.recipients.set(rkey, (people = recipientsFor(db, row.level, row.project_id, item)));
  for (const r of people) {
    st.notify.run(r.id, `escalation.${row.level}`, title, body, `/projects/${row.project_id}`, row.id, `esc-${row.id}-u${r.id}`, deliverAfter, r.email ? "pending" : "none", at);
  }
  if (row.level === "supervise" && item) addToNextMeeting(db, row.project_id, item, today, cal);
  st.audit.run(at, `escalation.${row.level}`, row.id, row.project_id, JSON.stringify({ itemId: row.item_id, dueOn: row.due_on }));
  return "fired";
}

/** 督办: the overdue item joins the agenda of the next planned joint meeting, once. */
function addToNextMeeting(tx: Db, projectId: number, item: FireItem, today: DayNum, cal: WorkingCalendar) {
  const next = tx
    .select()
    .from(meetings)
    .where(and(eq(meetings.status, "planned"), gte(meetings.heldOn, cal.format(today))))
    .orderBy(asc(meetings.heldOn))
    .get();
  if (!next) return;
  const position = tx.get<{ n: number }>(sql`select coalesce(max(position), 0) + 1 as n from agenda_items where meeting_id = ${next.id}`).n;
  tx.insert(agendaItems)
    .values({ meetingId: next.id, projectId, itemId: item.id, reason: "supervise", summary: `${item.name}超期督办（到期日 ${item.dueOn}）`, position })
    .onConflictDoNothing()
    .run();
}

/**
 * Fires everything whose moment has passed and is still unfired, in one
 * transaction (the sweep, the start-up reconcile and every wake-up use it).
 */
export function fireDue(db: Db, now: Date, limit = 5_000): { fired: number; ids: number[] } {
  const due = db
    .select({ id: escalations.id })
    .from(escalations)
    .where(and(isNull(escalations.firedAt), lte(escalations.fireAt, now.getTime())))
    .orderBy(asc(escalations.fireAt))
    .limit(limit)
    .all();
  if (!due.length) return { fired: 0, ids: [] };
  return db.$client
    .transaction(() => {
      const fc = fireContext(db);
      let fired = 0;
      for (const { id } of due) if (fireIn(db, id, now, fc) === "fired") fired++;
      return { fired, ids: due.map((d) => d.id) };
    })
    .immediate();
}

/** Unfired rows due within the horizon: the wake-ups the sweep makes sure Bull holds. */
export function upcomingWakeups(db: Db, now: Date, horizonMs: number): Wakeup[] {
  return db
    .select({ id: escalations.id, fireAt: escalations.fireAt })
    .from(escalations)
    .where(and(isNull(escalations.firedAt), lte(escalations.fireAt, now.getTime() + horizonMs)))
    .all();
}

// ---------------------------------------------------------------- reading and acknowledging

/** DESIGN §6: `[{itemKey, level, dueOn, firedAt, acknowledgedAt}]` (fired ones), instants as ISO strings. */
export function listProjectEscalations(ctx: ServiceContext, actor: Actor, projectId: number) {
  loadProjectFor(ctx.db, actor, projectId, getCalendar(ctx.db));
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return ctx.db
    .select({ e: escalations, key: items.key })
    .from(escalations)
    .leftJoin(items, eq(items.id, escalations.itemId))
    .where(and(eq(escalations.projectId, projectId), sql`${escalations.firedAt} is not null`))
    .orderBy(asc(escalations.id))
    .all()
    .map(({ e, key }) => ({
      id: e.id,
      itemKey: key,
      level: e.level,
      dueOn: e.dueOn,
      firedAt: iso(e.firedAt),
      acknowledgedAt: iso(e.acknowledgedAt),
      acknowledgeNote: e.acknowledgeNote,
    }));
}

/** The project page's list: fired escalations with their item and whether this user may acknowledge them. */
export function listEscalationsForPage(ctx: ServiceContext, actor: Actor, projectId: number) {
  const agg = loadProjectFor(ctx.db, actor, projectId, getCalendar(ctx.db));
  const byId = new Map(agg.items.map((i) => [i.row.id, i]));
  return ctx.db
    .select()
    .from(escalations)
    .where(and(eq(escalations.projectId, projectId), sql`${escalations.firedAt} is not null`))
    .orderBy(sql`${escalations.firedAt} desc`)
    .all()
    .map((e) => {
      const item = e.itemId ? byId.get(e.itemId) : undefined;
      return {
        id: e.id,
        level: e.level,
        levelLabel: LEVEL_LABELS[e.level],
        itemName: item?.row.name ?? "项目整体",
        dueOn: e.dueOn,
        firedAt: e.firedAt!,
        acknowledgedAt: e.acknowledgedAt,
        acknowledgeNote: e.acknowledgeNote,
        canAcknowledge:
          e.acknowledgedAt === null &&
          decide(actor, "escalation.acknowledge", { project: agg.facts, item: { departmentId: item?.row.departmentId ?? null } }).allowed,
      };
    });
}

const ackSchema = z.object({
  note: z.string({ required_error: "请填写说明（原因与预计办结日期）" }).trim().min(2, "请填写说明（原因与预计办结日期）").max(500, "说明不超过 500 字"),
});

/** A recipient acknowledges a fired escalation with a note (reason, new expected date). */
export function acknowledgeEscalation(ctx: ServiceContext, actor: Actor, escalationId: number, raw: unknown) {
  const row = Number.isInteger(escalationId) ? ctx.db.select().from(escalations).where(eq(escalations.id, escalationId)).get() : undefined;
  if (!row || row.firedAt === null) throw notFound("预警记录");
  const agg = loadProjectFor(ctx.db, actor, row.projectId, getCalendar(ctx.db));
  const item = row.itemId ? agg.items.find((i) => i.row.id === row.itemId) : undefined;
  const d = decide(actor, "escalation.acknowledge", { project: agg.facts, item: { departmentId: item?.row.departmentId ?? null } });
  if (!d.allowed) throw new AppError("forbidden", "您无权确认此预警");
  const parsed = ackSchema.safeParse(raw, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  ctx.db.transaction((tx) => {
    const upd = tx
      .update(escalations)
      .set({ acknowledgedAt: ctx.now.getTime(), acknowledgedByUserId: actor.id, acknowledgeNote: parsed.data.note })
      .where(and(eq(escalations.id, escalationId), isNull(escalations.acknowledgedAt)))
      .run();
    if (upd.changes !== 1) throw new AppError("conflict", "该预警已被确认");
    writeAudit(tx, { actorUserId: actor.id, action: "escalation.acknowledge", entityType: "escalation", entityId: escalationId, projectId: row.projectId, detail: { note: parsed.data.note } }, ctx.now);
  });
}
