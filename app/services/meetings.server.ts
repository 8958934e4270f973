import { and, asc, desc, eq, gt, inArray, notInArray, sql } from "drizzle-orm";
import { z } from "zod";
import { actionItems, agendaItems, decisions, departments, items, meetingDepartments, meetings, projects, users } from "../../db/schema";
import { decide, type Actor } from "~/domain/access/policy";
import { parseDate, shanghaiDay, type DayNum } from "~/domain/calendar";
import type { Wakeup } from "~/domain/escalation/wakeup";
import { subjectOf, type AgendaCandidate } from "~/domain/meeting/agenda";
import { readActionClock } from "~/domain/meeting/action-items";
import {
  AGENDA_REASON_LABELS,
  MEETING_STATUS_LABELS,
  MEETING_TYPE_LABELS,
  MEETING_TYPES,
  type AgendaReason,
  type MeetingStatus,
  type MeetingType,
} from "~/domain/meeting/vocabulary";
import { parseId } from "~/domain/validation/id";
import { zhFieldErrorMap } from "~/domain/validation/zh-error-map";
import type { Db } from "~/utils/db.server";
import { resolveActionItems, insertActionItems } from "./action-items.server";
import { agendaCandidatesFor } from "./agenda-candidates.server";
import { writeAudit } from "./audit.server";
import type { ServiceContext } from "./context.server";
import { AppError, forbidden, invalidInput, notFound } from "./errors.server";
import { claimSuperviseEscalation, releaseSuperviseEscalations, takeSuperviseCandidates } from "./escalation-agenda.server";
import { notifyMeetingInvitation, notifyMinutesIssued } from "./meeting-notifications.server";
import { readStoredClock } from "./project-aggregate.server";
import { getCalendar, getPolicy } from "./time-rules.server";
import { transactThenWake } from "./transaction.server";

/**
 * Joint meetings (issue 11): plan a meeting, build its agenda from what is stuck,
 * record the minutes (discussion, decisions and their action items), hold, issue
 * and close it. Coordinators and administrators manage (meeting.manage); staff
 * read (meeting.view); enterprises see none. Every change is one transaction with
 * its audit row; bad input is refused before anything is written.
 *
 * The life of a meeting: 待召开 (planned) → 已召开 (held) → minutes issued
 * (minutesIssuedAt; agenda and minutes are then final) → 已闭环 (closed, once every
 * task of its decisions is done). Minutes can be recorded from the meeting's day on,
 * also while it is still marked planned: an outside system records a past meeting
 * through the API, which has no "held" step.
 */

type MeetingRow = typeof meetings.$inferSelect;

const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optionalText = (max: number, what: string) => z.preprocess(blank, z.string({ invalid_type_error: `${what}应为文字` }).trim().max(max, `${what}不超过 ${max} 字`).optional());
const optionalId = (what: string) =>
  z.preprocess(
    (v) => (v === undefined || v === null || (typeof v === "string" && v.trim() === "") ? undefined : (parseId(v) ?? -1)),
    z.number().int().positive(`${what}无效`).optional(),
  );

// ---------------------------------------------------------------- guards

function canManage(actor: Actor): boolean {
  return decide(actor, "meeting.manage").allowed;
}

function requireView(actor: Actor): void {
  if (!decide(actor, "meeting.view").allowed) throw forbidden("没有查看联席会议的权限");
}

function requireManage(actor: Actor): void {
  requireView(actor);
  if (!canManage(actor)) throw forbidden("只有联席会议协调人或系统管理员可以管理会议");
}

function loadMeeting(db: Db, id: number): MeetingRow {
  const m = Number.isSafeInteger(id) && id > 0 ? db.select().from(meetings).where(eq(meetings.id, id)).get() : undefined;
  if (!m) throw notFound("会议");
  return m;
}

/** Agenda and minutes can change until the minutes are issued; a closed meeting is history. */
function assertOpen(m: MeetingRow): void {
  if (m.status === "closed") throw new AppError("conflict", "会议已闭环，不能再修改");
  if (m.minutesIssuedAt !== null) throw new AppError("conflict", "会议纪要已印发，议程和纪要不能再修改");
}

/** Minutes are what was said at the meeting: not before its day. */
function assertMinutesOpen(m: MeetingRow, today: DayNum, cal: ReturnType<typeof getCalendar>): void {
  assertOpen(m);
  if (m.heldOn > cal.format(today)) throw new AppError("conflict", `会议定于 ${m.heldOn} 召开，尚未召开，不能记录纪要`);
}

function audit(tx: Db, actor: Actor, action: string, meetingId: number, now: Date, detail?: unknown, projectId?: number | null): void {
  writeAudit(tx, { actorUserId: actor.id, action, entityType: "meeting", entityId: meetingId, projectId: projectId ?? null, detail }, now);
}

// ---------------------------------------------------------------- meeting create / edit

const meetingSchema = z.object({
  type: z.enum(MEETING_TYPES, { errorMap: () => ({ message: `请选择会议类型（${MEETING_TYPES.map((t) => `${t} ${MEETING_TYPE_LABELS[t]}`).join("、")}）` }) }),
  title: z.string({ required_error: "请填写会议名称", invalid_type_error: "会议名称应为文字" }).trim().min(2, "会议名称至少 2 个字").max(100, "会议名称不超过 100 字"),
  heldOn: z
    .string({ required_error: "请填写会议日期", invalid_type_error: "会议日期应为日期" })
    .trim()
    .refine((s) => parseDate(s) !== null, { message: "会议日期无效（格式 YYYY-MM-DD）" }),
  startsAt: z.preprocess(
    blank,
    z
      .string({ invalid_type_error: "开始时间应为 HH:MM" })
      .trim()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "开始时间格式为 HH:MM（如 09:30）")
      .optional(),
  ),
  place: optionalText(100, "会议地点"),
  chair: optionalText(50, "主持人"),
  attendees: optionalText(2000, "出席人员"),
  departments: z
    .preprocess((v) => (v === undefined || v === null ? [] : typeof v === "string" ? [v] : v), z.array(z.string({ invalid_type_error: "参会部门应为部门代码" }).trim().min(1, "参会部门应为部门代码"), { invalid_type_error: "参会部门应为部门代码列表" }).max(100, "参会部门最多 100 个"))
    .transform((a) => [...new Set(a)]),
});

export type MeetingInput = z.input<typeof meetingSchema>;

function parseMeeting(db: Db, raw: unknown): z.output<typeof meetingSchema> & { departmentIds: number[] } {
  const parsed = meetingSchema.safeParse(raw ?? {}, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  const codes = parsed.data.departments;
  const rows = codes.length ? db.select().from(departments).where(inArray(departments.code, codes)).all() : [];
  const byCode = new Map(rows.map((d) => [d.code, d]));
  const unknown = codes.filter((c) => !byCode.has(c));
  if (unknown.length) throw invalidInput([{ path: ["departments"], message: `未知部门「${unknown.join("、")}」` }]);
  const inactive = rows.filter((d) => !d.active).map((d) => d.code);
  if (inactive.length) throw invalidInput([{ path: ["departments"], message: `部门「${inactive.join("、")}」已停用` }]);
  return { ...parsed.data, departmentIds: codes.map((c) => byCode.get(c)!.id) };
}

/**
 * The most recent meeting before `heldOn` that has taken place (held or closed):
 * its unsettled agenda items continue at the next meeting. A planned meeting has
 * no minutes yet, so nothing of it is "unresolved".
 */
function previousHeldMeeting(tx: Db, heldOn: string, exceptId: number): MeetingRow | undefined {
  return tx
    .select()
    .from(meetings)
    .where(and(inArray(meetings.status, ["held", "closed"]), sql`${meetings.heldOn} < ${heldOn}`, sql`${meetings.id} <> ${exceptId}`))
    .orderBy(desc(meetings.heldOn), desc(meetings.id))
    .get();
}

/**
 * Copies the unsettled agenda items of meeting `from` onto meeting `to`, each
 * marked with the row it continues (shown as 上次会议转入). An item already carried
 * to some meeting is not carried again, and an item already on `to` stays once.
 */
function carryOver(tx: Db, from: number, to: number): number {
  const open = tx
    .select()
    .from(agendaItems)
    .where(and(eq(agendaItems.meetingId, from), eq(agendaItems.resolved, false)))
    .orderBy(asc(agendaItems.position), asc(agendaItems.id))
    .all();
  if (!open.length) return 0;
  const carried = new Set(
    tx
      .select({ id: agendaItems.carriedFromId })
      .from(agendaItems)
      .where(inArray(agendaItems.carriedFromId, open.map((r) => r.id)))
      .all()
      .map((r) => r.id),
  );
  let position = nextPosition(tx, to) - 1;
  let n = 0;
  for (const r of open) {
    if (carried.has(r.id)) continue;
    n += tx
      .insert(agendaItems)
      .values({ meetingId: to, projectId: r.projectId, itemId: r.itemId, actionItemId: r.actionItemId, reason: r.reason, summary: r.summary, position: ++position, carriedFromId: r.id })
      .onConflictDoNothing()
      .run().changes;
  }
  return n;
}

function nextPosition(tx: Db, meetingId: number): number {
  return tx.get<{ n: number }>(sql`select coalesce(max(position), 0) + 1 as n from agenda_items where meeting_id = ${meetingId}`).n;
}

/** A meeting yet to take place takes the pending 督办 and is worth an invitation; a past one recorded afterwards is neither. */
const isAhead = (m: { status: MeetingStatus; heldOn: string }, today: string) => m.status === "planned" && m.heldOn >= today;

/**
 * Plans (or records) a meeting. In the same transaction: the unsettled items of the
 * last meeting held before it are carried over, and — for a meeting yet to take
 * place — the pending 督办 join its agenda and the invited departments are invited.
 */
export function createMeeting(ctx: ServiceContext, actor: Actor, raw: unknown): { id: number; carriedOver: number; supervised: number } {
  const { db, now } = ctx;
  requireManage(actor);
  const input = parseMeeting(db, raw);
  const today = getCalendar(db).format(shanghaiDay(now));
  return transactThenWake(db, (tx) => {
    const m = tx
      .insert(meetings)
      .values({
        type: input.type,
        title: input.title,
        heldOn: input.heldOn,
        startsAt: input.startsAt ?? null,
        location: input.place ?? "",
        chairName: input.chair ?? null,
        attendees: input.attendees ?? null,
        status: "planned",
        coordinatorUserId: actor.id,
        createdAt: now.getTime(),
      })
      .returning()
      .get();
    for (const departmentId of input.departmentIds) tx.insert(meetingDepartments).values({ meetingId: m.id, departmentId }).run();
    const previous = previousHeldMeeting(tx, m.heldOn, m.id);
    const carriedOver = previous ? carryOver(tx, previous.id, m.id) : 0;
    const supervised = isAhead(m, today) ? takeSuperviseCandidates(tx, m.id).length : 0;
    if (isAhead(m, today)) notifyMeetingInvitation(tx, m.id, now);
    audit(tx, actor, "meeting.create", m.id, now, { type: m.type, title: m.title, heldOn: m.heldOn, departments: input.departments, carriedFrom: previous?.id ?? null, carriedOver, supervised });
    return { id: m.id, carriedOver, supervised };
  });
}

/** Edits the meeting's facts; a new date, time, place or invited department re-invites (each person once per version). */
export function updateMeeting(ctx: ServiceContext, actor: Actor, id: number, raw: unknown): void {
  const { db, now } = ctx;
  requireManage(actor);
  const m = loadMeeting(db, id);
  const input = parseMeeting(db, raw);
  assertOpen(m);
  const cal = getCalendar(db);
  const today = cal.format(shanghaiDay(now));
  if (input.heldOn !== m.heldOn) {
    const tasks = db.get<{ n: number }>(sql`select count(*) as n from action_items a join decisions d on d.id = a.decision_id where d.meeting_id = ${id}`).n;
    if (tasks > 0) throw new AppError("invalid", "已有议定任务按原会议日期计算完成时限，不能再修改会议日期", { heldOn: "已有议定任务按原会议日期计算完成时限，不能再修改会议日期" });
    if (m.status === "held" && input.heldOn > today) throw new AppError("invalid", "已召开的会议日期不能晚于今天", { heldOn: "已召开的会议日期不能晚于今天" });
  }
  const before = db.select({ id: meetingDepartments.departmentId }).from(meetingDepartments).where(eq(meetingDepartments.meetingId, id)).all().map((d) => d.id);
  const invitedChanged = before.length !== input.departmentIds.length || input.departmentIds.some((d) => !before.includes(d));
  const whenChanged = input.heldOn !== m.heldOn || (input.startsAt ?? null) !== m.startsAt || (input.place ?? "") !== m.location;
  transactThenWake(db, (tx) => {
    tx.update(meetings)
      .set({ type: input.type, title: input.title, heldOn: input.heldOn, startsAt: input.startsAt ?? null, location: input.place ?? "", chairName: input.chair ?? null, attendees: input.attendees ?? null })
      .where(eq(meetings.id, id))
      .run();
    if (invitedChanged) {
      tx.delete(meetingDepartments).where(eq(meetingDepartments.meetingId, id)).run();
      for (const departmentId of input.departmentIds) tx.insert(meetingDepartments).values({ meetingId: id, departmentId }).run();
    }
    const after = { status: m.status, heldOn: input.heldOn };
    if (isAhead(after, today)) {
      // Moved to a day ahead: it is now a meeting the pending 督办 can wait for.
      takeSuperviseCandidates(tx, id);
      if (invitedChanged || whenChanged) notifyMeetingInvitation(tx, id, now);
    }
    audit(tx, actor, "meeting.update", id, now, {
      from: { type: m.type, title: m.title, heldOn: m.heldOn, startsAt: m.startsAt, place: m.location, chair: m.chairName },
      to: { type: input.type, title: input.title, heldOn: input.heldOn, startsAt: input.startsAt ?? null, place: input.place ?? "", chair: input.chair ?? null },
      departments: invitedChanged ? input.departments : undefined,
    });
  });
}

// ---------------------------------------------------------------- agenda

const addAgendaSchema = z
  .object({
    projectId: optionalId("项目"),
    itemKey: z.preprocess(blank, z.string({ invalid_type_error: "事项应为事项代码" }).trim().max(100, "事项代码过长").optional()),
    actionItemId: optionalId("会议任务"),
    summary: optionalText(200, "议题"),
    note: optionalText(1000, "备注"),
  })
  .superRefine((v, c) => {
    if (v.itemKey !== undefined && v.projectId === undefined) c.addIssue({ code: "custom", path: ["itemKey"], message: "事项须同时指定所属项目" });
    if (v.projectId === undefined && v.actionItemId === undefined && v.summary === undefined) c.addIssue({ code: "custom", path: ["summary"], message: "请填写议题，或选择一个项目" });
  });

export interface AgendaEntryDocument {
  id: number;
  projectId: number | null;
  itemKey: string | null;
  reason: AgendaReason;
  carriedOver: boolean;
}

/**
 * Puts a subject on the agenda: a candidate (its reason and agenda line come from
 * the current ranking, and a pending 督办 counts as taken), any project or project
 * item (reason 协调人添加), or a free topic with its own text. The same item, task
 * or project twice is refused (409).
 */
export function addAgendaItem(ctx: ServiceContext, actor: Actor, meetingId: number, raw: unknown): AgendaEntryDocument {
  const { db, now } = ctx;
  requireManage(actor);
  const m = loadMeeting(db, meetingId);
  const parsed = addAgendaSchema.safeParse(raw ?? {}, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  const v = parsed.data;
  assertOpen(m);

  let projectId = v.projectId ?? null;
  let itemId: number | null = null;
  let itemKey: string | null = null;
  let defaultSummary: string | null = null;
  if (projectId !== null) {
    const p = db.select({ id: projects.id, name: projects.name }).from(projects).where(eq(projects.id, projectId)).get();
    if (!p) throw invalidInput([{ path: ["projectId"], message: "项目不存在" }]);
    defaultSummary = `${p.name}推进情况`;
    if (v.itemKey !== undefined) {
      const it = db.select({ id: items.id, key: items.key, name: items.name }).from(items).where(and(eq(items.projectId, projectId), eq(items.key, v.itemKey))).get();
      if (!it) throw invalidInput([{ path: ["itemKey"], message: `事项「${v.itemKey}」不属于该项目` }]);
      itemId = it.id;
      itemKey = it.key;
      defaultSummary = it.name;
    }
  }
  let actionItemId = v.actionItemId ?? null;
  if (actionItemId !== null) {
    const a = db.select().from(actionItems).where(eq(actionItems.id, actionItemId)).get();
    if (!a) throw invalidInput([{ path: ["actionItemId"], message: "会议任务不存在" }]);
    if (projectId !== null && a.projectId !== projectId) throw invalidInput([{ path: ["actionItemId"], message: "该任务不属于所选项目" }]);
    if (itemId !== null && a.itemId !== null && a.itemId !== itemId) throw invalidInput([{ path: ["actionItemId"], message: "该任务关联的是另一个事项" }]);
    projectId ??= a.projectId;
    if (itemId === null && a.itemId !== null) {
      itemId = a.itemId;
      itemKey = db.select({ key: items.key }).from(items).where(eq(items.id, a.itemId)).get()?.key ?? null;
    }
    defaultSummary = `会议任务「${a.title}」`;
  }

  const cal = getCalendar(db);
  const today = shanghaiDay(now);
  const subject = subjectOf({ projectId, itemId, actionItemId });
  const candidate: AgendaCandidate | undefined =
    subject === null ? undefined : agendaCandidatesFor(db, meetingId, today, cal, getPolicy(db)).find((c) => c.key === subject || (actionItemId !== null && c.actionItemId === actionItemId));
  // A candidate that is about a task brings the task along (the late action of that item).
  if (candidate && actionItemId === null) actionItemId = candidate.actionItemId;

  const existing = db.select().from(agendaItems).where(eq(agendaItems.meetingId, meetingId)).all();
  if (itemId !== null && existing.some((r) => r.itemId === itemId)) throw new AppError("conflict", "该事项已在本次会议议程中");
  if (actionItemId !== null && existing.some((r) => r.actionItemId === actionItemId)) throw new AppError("conflict", "该会议任务已在本次会议议程中");
  if (itemId === null && actionItemId === null && projectId !== null && v.summary === undefined && existing.some((r) => r.projectId === projectId && r.itemId === null && r.actionItemId === null)) {
    throw new AppError("conflict", "该项目已在本次会议议程中");
  }

  const reason: AgendaReason = candidate?.reason ?? "manual";
  const summary = v.summary ?? candidate?.summary ?? defaultSummary!;
  return transactThenWake(db, (tx) => {
    const row = tx
      .insert(agendaItems)
      .values({ meetingId, projectId, itemId, actionItemId, reason, summary, note: v.note ?? null, position: nextPosition(tx, meetingId), createdAt: now.getTime() })
      .returning()
      .get();
    if (candidate?.escalationId) claimSuperviseEscalation(tx, meetingId, candidate.escalationId);
    audit(tx, actor, "meeting.agenda.add", meetingId, now, { agendaItemId: row.id, reason, summary, itemKey, actionItemId, severity: candidate?.severity ?? null }, projectId);
    return { id: row.id, projectId, itemKey, reason, carriedOver: false };
  });
}

function loadAgendaRow(db: Db, meetingId: number, agendaItemId: number) {
  const row = Number.isSafeInteger(agendaItemId) && agendaItemId > 0 ? db.select().from(agendaItems).where(and(eq(agendaItems.id, agendaItemId), eq(agendaItems.meetingId, meetingId))).get() : undefined;
  if (!row) throw notFound("议程事项");
  return row;
}

/** Takes an item off the agenda; a 督办 it carried becomes a pending candidate again. An item with decisions stays. */
export function removeAgendaItem(ctx: ServiceContext, actor: Actor, meetingId: number, agendaItemId: number): void {
  const { db, now } = ctx;
  requireManage(actor);
  const m = loadMeeting(db, meetingId);
  const row = loadAgendaRow(db, meetingId, agendaItemId);
  assertOpen(m);
  const decided = db.get<{ n: number }>(sql`select count(*) as n from decisions where agenda_item_id = ${row.id}`).n;
  if (decided > 0) throw new AppError("conflict", "该议题已有议定事项，不能移出议程");
  transactThenWake(db, (tx) => {
    tx.delete(agendaItems).where(eq(agendaItems.id, row.id)).run();
    const released = row.itemId !== null ? releaseSuperviseEscalations(tx, meetingId, row.itemId) : 0;
    audit(tx, actor, "meeting.agenda.remove", meetingId, now, { agendaItemId: row.id, reason: row.reason, summary: row.summary, releasedSupervise: released }, row.projectId);
  });
}

/** Moves an item one place up or down (positions are renumbered 1..n, so old gaps and ties go away). */
export function moveAgendaItem(ctx: ServiceContext, actor: Actor, meetingId: number, agendaItemId: number, direction: unknown): void {
  const { db, now } = ctx;
  requireManage(actor);
  const m = loadMeeting(db, meetingId);
  const row = loadAgendaRow(db, meetingId, agendaItemId);
  if (direction !== "up" && direction !== "down") throw new AppError("bad_request", "移动方向应为 up 或 down");
  assertOpen(m);
  const order = db.select({ id: agendaItems.id }).from(agendaItems).where(eq(agendaItems.meetingId, meetingId)).orderBy(asc(agendaItems.position), asc(agendaItems.id)).all().map((r) => r.id);
  const at = order.indexOf(row.id);
  const to = direction === "up" ? at - 1 : at + 1;
  if (to < 0 || to >= order.length) return;
  [order[at], order[to]] = [order[to], order[at]];
  transactThenWake(db, (tx) => {
    order.forEach((id, i) => tx.update(agendaItems).set({ position: i + 1 }).where(eq(agendaItems.id, id)).run());
    audit(tx, actor, "meeting.agenda.move", meetingId, now, { agendaItemId: row.id, direction, position: to + 1 }, row.projectId);
  });
}

const noteSchema = z.object({ note: optionalText(1000, "备注") });

/** The coordinator's note on an agenda item (what to prepare, who reports). */
export function setAgendaNote(ctx: ServiceContext, actor: Actor, meetingId: number, agendaItemId: number, raw: unknown): void {
  const { db, now } = ctx;
  requireManage(actor);
  const m = loadMeeting(db, meetingId);
  const row = loadAgendaRow(db, meetingId, agendaItemId);
  const parsed = noteSchema.safeParse(raw ?? {}, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  assertOpen(m);
  transactThenWake(db, (tx) => {
    tx.update(agendaItems).set({ note: parsed.data.note ?? null }).where(eq(agendaItems.id, row.id)).run();
    audit(tx, actor, "meeting.agenda.note", meetingId, now, { agendaItemId: row.id, note: parsed.data.note ?? null }, row.projectId);
  });
}

// ---------------------------------------------------------------- minutes and decisions

const decisionTextSchema = z.object({
  text: z.string({ required_error: "请填写议定事项", invalid_type_error: "议定事项应为文字" }).trim().min(2, "议定事项至少 2 个字").max(2000, "议定事项不超过 2000 字"),
  agendaItemId: optionalId("议程事项"),
});

type PreparedDecision = { text: string; agendaItemId: number | null; resolved: ReturnType<typeof resolveActionItems> };

/**
 * Checks a decision and its action items together, so a form shows every problem
 * in one round (fields `text`, `agendaItemId`, `actionItems.<i>.<field>`). The
 * deadlines count from the meeting's day (DESIGN §4).
 */
function prepareDecision(db: Db, actor: Actor, m: MeetingRow, raw: unknown): PreparedDecision {
  const body = (raw ?? {}) as Record<string, unknown>;
  const issues: { path: (string | number)[]; message: string }[] = [];
  const parsed = decisionTextSchema.safeParse(body, { errorMap: zhFieldErrorMap });
  if (!parsed.success) issues.push(...parsed.error.issues);
  const agendaItemId = parsed.success ? (parsed.data.agendaItemId ?? null) : null;
  if (agendaItemId !== null && !db.select({ id: agendaItems.id }).from(agendaItems).where(and(eq(agendaItems.id, agendaItemId), eq(agendaItems.meetingId, m.id))).get()) {
    issues.push({ path: ["agendaItemId"], message: "议程事项不属于本次会议" });
  }
  let resolved: ReturnType<typeof resolveActionItems> = [];
  try {
    resolved = resolveActionItems(db, actor, body.actionItems, parseDate(m.heldOn)!, getCalendar(db));
  } catch (e) {
    if (!(e instanceof AppError) || !e.fields) throw e;
    for (const [key, message] of Object.entries(e.fields)) issues.push({ path: key.split("."), message });
  }
  if (issues.length) throw invalidInput(issues);
  return { text: parsed.success ? parsed.data.text : "", agendaItemId, resolved };
}

function writeDecision(tx: Db, wake: (w: readonly Wakeup[]) => void, actor: Actor, m: MeetingRow, d: PreparedDecision, now: Date) {
  const cal = getCalendar(tx);
  const decision = tx.insert(decisions).values({ meetingId: m.id, agendaItemId: d.agendaItemId, text: d.text, createdAt: now.getTime() }).returning().get();
  const { created, wakeups } = insertActionItems(tx, d.resolved, { source: "meeting", decisionId: decision.id, startOn: parseDate(m.heldOn)!, actorId: actor.id, now }, cal);
  wake(wakeups);
  audit(tx, actor, "meeting.decision", m.id, now, { decisionId: decision.id, agendaItemId: d.agendaItemId, text: d.text, actionItems: created });
  return { id: decision.id, actionItems: created };
}

/**
 * Records a decision (议定事项) with its action items (DESIGN §6 v1.1 `POST
 * /meetings/:id/decisions`): each task is a clock from the meeting's day, on the
 * approvals' escalation ladder.
 */
export function addDecision(ctx: ServiceContext, actor: Actor, meetingId: number, raw: unknown): { id: number; actionItems: { id: number; dueOn: string }[] } {
  const { db, now } = ctx;
  requireManage(actor);
  const m = loadMeeting(db, meetingId);
  const prepared = prepareDecision(db, actor, m, raw);
  assertMinutesOpen(m, shanghaiDay(now), getCalendar(db));
  return transactThenWake(db, (tx, wake) => writeDecision(tx, wake, actor, m, prepared, now));
}

const minutesSchema = z.object({
  discussion: optionalText(5000, "讨论情况"),
  resolved: z.preprocess((v) => v === true || v === "on" || v === "true" || v === "1", z.boolean()),
  decisionText: optionalText(2000, "议定事项"),
});

/**
 * The minutes of one agenda item in one go, as the meeting page's form sends them:
 * discussion, settled or not, and optionally a decision with its action items.
 * Action items without a decision text are refused (a task needs its decision).
 */
export function recordAgendaMinutes(
  ctx: ServiceContext,
  actor: Actor,
  meetingId: number,
  agendaItemId: number,
  raw: { discussion?: unknown; resolved?: unknown; decisionText?: unknown; actionItems?: unknown[] },
): { decisionId: number | null; actionItems: { id: number; dueOn: string }[] } {
  const { db, now } = ctx;
  requireManage(actor);
  const m = loadMeeting(db, meetingId);
  const row = loadAgendaRow(db, meetingId, agendaItemId);
  const parsed = minutesSchema.safeParse(raw, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  const tasks = raw.actionItems ?? [];
  let prepared: PreparedDecision | null = null;
  if (parsed.data.decisionText !== undefined || tasks.length) {
    try {
      prepared = prepareDecision(db, actor, m, { text: parsed.data.decisionText, agendaItemId: row.id, actionItems: tasks });
    } catch (e) {
      // The page names the decision's field decisionText.
      if (e instanceof AppError && e.fields?.text) {
        const { text, ...rest } = e.fields;
        const fields = { decisionText: tasks.length && parsed.data.decisionText === undefined ? "请填写议定事项：任务须属于一项决定" : text, ...rest };
        throw new AppError("invalid", Object.values(fields)[0], fields);
      }
      throw e;
    }
  }
  assertMinutesOpen(m, shanghaiDay(now), getCalendar(db));
  return transactThenWake(db, (tx, wake) => {
    tx.update(agendaItems).set({ discussion: parsed.data.discussion ?? null, resolved: parsed.data.resolved }).where(eq(agendaItems.id, row.id)).run();
    audit(tx, actor, "meeting.minutes", meetingId, now, { agendaItemId: row.id, discussion: parsed.data.discussion ?? null, resolved: parsed.data.resolved }, row.projectId);
    const d = prepared ? writeDecision(tx, wake, actor, m, prepared, now) : null;
    return { decisionId: d?.id ?? null, actionItems: d?.actionItems ?? [] };
  });
}

const preambleSchema = z.object({ minutes: optionalText(5000, "会议概述") });

/** The general part of the minutes (会议概述), above the numbered decisions. */
export function setMinutesPreamble(ctx: ServiceContext, actor: Actor, meetingId: number, raw: unknown): void {
  const { db, now } = ctx;
  requireManage(actor);
  const m = loadMeeting(db, meetingId);
  const parsed = preambleSchema.safeParse(raw ?? {}, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  assertMinutesOpen(m, shanghaiDay(now), getCalendar(db));
  transactThenWake(db, (tx) => {
    tx.update(meetings).set({ minutes: parsed.data.minutes ?? null }).where(eq(meetings.id, meetingId)).run();
    audit(tx, actor, "meeting.minutes.preamble", meetingId, now, { minutes: parsed.data.minutes ?? null });
  });
}

// ---------------------------------------------------------------- held, issued, closed

/** 标记为已召开: from its day on. */
export function markMeetingHeld(ctx: ServiceContext, actor: Actor, meetingId: number): void {
  const { db, now } = ctx;
  requireManage(actor);
  const m = loadMeeting(db, meetingId);
  if (m.status !== "planned") throw new AppError("conflict", `会议${MEETING_STATUS_LABELS[m.status]}，不能再标记为已召开`);
  assertMinutesOpen(m, shanghaiDay(now), getCalendar(db));
  transactThenWake(db, (tx) => {
    tx.update(meetings).set({ status: "held" }).where(and(eq(meetings.id, meetingId), eq(meetings.status, "planned"))).run();
    audit(tx, actor, "meeting.held", meetingId, now);
  });
}

/**
 * 印发纪要: the minutes become final and go to the responsible units (each lead
 * and co-unit's staff, in working hours). A meeting still marked planned counts
 * as held from then on. Its unsettled items move to the next planned meeting if
 * one exists (otherwise the next meeting created takes them).
 */
export function issueMinutes(ctx: ServiceContext, actor: Actor, meetingId: number): { notified: number; carriedTo: number | null } {
  const { db, now } = ctx;
  requireManage(actor);
  const m = loadMeeting(db, meetingId);
  assertMinutesOpen(m, shanghaiDay(now), getCalendar(db));
  return transactThenWake(db, (tx) => {
    const claimed = tx.update(meetings).set({ minutesIssuedAt: now.getTime(), status: "held" }).where(and(eq(meetings.id, meetingId), sql`${meetings.minutesIssuedAt} is null`)).run();
    // Issued by someone else between our read and this write.
    if (claimed.changes !== 1) throw new AppError("conflict", "会议纪要已印发");
    const notified = notifyMinutesIssued(tx, meetingId, now);
    const next = tx
      .select()
      .from(meetings)
      .where(and(eq(meetings.status, "planned"), gt(meetings.heldOn, m.heldOn)))
      .orderBy(asc(meetings.heldOn), asc(meetings.id))
      .get();
    const carried = next ? carryOver(tx, meetingId, next.id) : 0;
    audit(tx, actor, "meeting.minutes.issue", meetingId, now, { notified, carriedTo: carried ? next!.id : null, carried });
    return { notified, carriedTo: carried ? next!.id : null };
  });
}

/** 闭环: after the minutes are issued and every task of its decisions is done. */
export function closeMeeting(ctx: ServiceContext, actor: Actor, meetingId: number): void {
  const { db, now } = ctx;
  requireManage(actor);
  const m = loadMeeting(db, meetingId);
  if (m.status === "closed") throw new AppError("conflict", "会议已闭环");
  if (m.minutesIssuedAt === null) throw new AppError("conflict", "请先印发会议纪要，再闭环");
  const open = openTaskCount(db, meetingId);
  if (open > 0) throw new AppError("conflict", `还有 ${open} 项会议任务未办结，不能闭环`);
  transactThenWake(db, (tx) => {
    tx.update(meetings).set({ status: "closed" }).where(eq(meetings.id, meetingId)).run();
    audit(tx, actor, "meeting.close", meetingId, now);
  });
}

function openTaskCount(db: Db, meetingId: number): number {
  return db.get<{ n: number }>(sql`select count(*) as n from action_items a join decisions d on d.id = a.decision_id where d.meeting_id = ${meetingId} and a.status = 'open'`).n;
}

// ---------------------------------------------------------------- reading

export interface MeetingSummary {
  id: number;
  type: MeetingType;
  typeLabel: string;
  title: string;
  heldOn: string;
  startsAt: string | null;
  place: string;
  chair: string | null;
  status: MeetingStatus;
  statusLabel: string;
  minutesIssued: boolean;
  agendaCount: number;
  decisionCount: number;
  openActions: number;
}

/** Upcoming meetings (planned, from today on; soonest first) and the others (latest first). */
export function listMeetings(ctx: ServiceContext, actor: Actor): { upcoming: MeetingSummary[]; past: MeetingSummary[]; canManage: boolean; today: string } {
  requireView(actor);
  const today = getCalendar(ctx.db).format(shanghaiDay(ctx.now));
  const rows = ctx.db
    .select({
      m: meetings,
      agenda: sql<number>`(select count(*) from agenda_items ai where ai.meeting_id = "meetings"."id")`,
      decided: sql<number>`(select count(*) from decisions d where d.meeting_id = "meetings"."id")`,
      openActions: sql<number>`(select count(*) from action_items a join decisions d on d.id = a.decision_id where d.meeting_id = "meetings"."id" and a.status = 'open')`,
    })
    .from(meetings)
    .orderBy(desc(meetings.heldOn), desc(meetings.id))
    .all()
    .map(
      (r): MeetingSummary => ({
        id: r.m.id,
        type: r.m.type,
        typeLabel: MEETING_TYPE_LABELS[r.m.type],
        title: r.m.title,
        heldOn: r.m.heldOn,
        startsAt: r.m.startsAt,
        place: r.m.location,
        chair: r.m.chairName,
        status: r.m.status,
        statusLabel: MEETING_STATUS_LABELS[r.m.status],
        minutesIssued: r.m.minutesIssuedAt !== null,
        agendaCount: r.agenda,
        decisionCount: r.decided,
        openActions: r.openActions,
      }),
    );
  const ahead = (m: MeetingSummary) => isAhead(m, today);
  return { upcoming: rows.filter(ahead).reverse(), past: rows.filter((m) => !ahead(m)), canManage: canManage(actor), today };
}

/** DESIGN §6 v1.1: a meeting with `agenda: [{id, projectId, itemKey, reason, carriedOver}]` and `decisions: [{id, text, actionItemIds}]`. */
export interface MeetingDocument {
  id: number;
  type: MeetingType;
  title: string;
  heldOn: string;
  startsAt: string | null;
  place: string;
  chair: string | null;
  attendees: string | null;
  status: MeetingStatus;
  departments: string[];
  minutesIssuedAt: string | null;
  agenda: AgendaEntryDocument[];
  decisions: { id: number; text: string; actionItemIds: number[] }[];
}

/** Documents of these meetings, in the given order, in four queries whatever their number. */
function meetingDocuments(db: Db, rows: MeetingRow[]): MeetingDocument[] {
  const ids = rows.map((m) => m.id);
  if (!ids.length) return [];
  const invited = db
    .select({ meetingId: meetingDepartments.meetingId, code: departments.code })
    .from(meetingDepartments)
    .innerJoin(departments, eq(departments.id, meetingDepartments.departmentId))
    .where(inArray(meetingDepartments.meetingId, ids))
    .orderBy(asc(departments.id))
    .all();
  const agenda = db
    .select({ a: agendaItems, itemKey: items.key })
    .from(agendaItems)
    .leftJoin(items, eq(items.id, agendaItems.itemId))
    .where(inArray(agendaItems.meetingId, ids))
    .orderBy(asc(agendaItems.position), asc(agendaItems.id))
    .all();
  const decided = db.select().from(decisions).where(inArray(decisions.meetingId, ids)).orderBy(asc(decisions.id)).all();
  const tasks = decided.length
    ? db
        .select({ id: actionItems.id, decisionId: actionItems.decisionId })
        .from(actionItems)
        .where(inArray(actionItems.decisionId, decided.map((d) => d.id)))
        .orderBy(asc(actionItems.id))
        .all()
    : [];
  return rows.map((m) => ({
    id: m.id,
    type: m.type,
    title: m.title,
    heldOn: m.heldOn,
    startsAt: m.startsAt,
    place: m.location,
    chair: m.chairName,
    attendees: m.attendees,
    status: m.status,
    departments: invited.filter((d) => d.meetingId === m.id).map((d) => d.code),
    minutesIssuedAt: m.minutesIssuedAt === null ? null : new Date(m.minutesIssuedAt).toISOString(),
    agenda: agenda
      .filter((r) => r.a.meetingId === m.id)
      .map((r) => ({ id: r.a.id, projectId: r.a.projectId, itemKey: r.itemKey, reason: r.a.reason, carriedOver: r.a.carriedFromId !== null })),
    decisions: decided.filter((d) => d.meetingId === m.id).map((d) => ({ id: d.id, text: d.text, actionItemIds: tasks.filter((t) => t.decisionId === d.id).map((t) => t.id) })),
  }));
}

export function listMeetingDocuments(ctx: ServiceContext, actor: Actor): MeetingDocument[] {
  requireView(actor);
  return meetingDocuments(ctx.db, ctx.db.select().from(meetings).orderBy(desc(meetings.heldOn), desc(meetings.id)).all());
}

export function getMeetingDocument(ctx: ServiceContext, actor: Actor, id: number): MeetingDocument {
  requireView(actor);
  return meetingDocuments(ctx.db, [loadMeeting(ctx.db, id)])[0];
}

/** The ranked candidates for a meeting's agenda (coordinators). */
export function getAgendaCandidates(ctx: ServiceContext, actor: Actor, meetingId: number): AgendaCandidate[] {
  requireManage(actor);
  loadMeeting(ctx.db, meetingId);
  const cal = getCalendar(ctx.db);
  return agendaCandidatesFor(ctx.db, meetingId, shanghaiDay(ctx.now), cal, getPolicy(ctx.db));
}

/** DESIGN §6 v1.1 `GET /meetings/:id/agenda-candidates`, with the task id and agenda line besides. */
export function agendaCandidateDocuments(ctx: ServiceContext, actor: Actor, meetingId: number) {
  return getAgendaCandidates(ctx, actor, meetingId).map((c) => ({
    projectId: c.projectId,
    itemKey: c.itemKey,
    reason: c.reason,
    severity: c.severity,
    actionItemId: c.actionItemId,
    summary: c.summary,
  }));
}

/** Everything the meeting page shows and offers, in one read. */
export function loadMeetingPage(ctx: ServiceContext, actor: Actor, id: number) {
  const { db, now } = ctx;
  requireView(actor);
  const m = loadMeeting(db, id);
  const cal = getCalendar(db);
  const policy = getPolicy(db);
  const todayDay = shanghaiDay(now);
  const today = cal.format(todayDay);
  const manage = canManage(actor);

  const deptRows = db.select().from(departments).orderBy(asc(departments.id)).all();
  const deptById = new Map(deptRows.map((d) => [d.id, d]));
  const invited = db
    .select({ id: meetingDepartments.departmentId })
    .from(meetingDepartments)
    .where(eq(meetingDepartments.meetingId, id))
    .all()
    .map((d) => deptById.get(d.id)!)
    .sort((a, b) => a.id - b.id)
    .map((d) => ({ code: d.code, name: d.name }));
  const coordinator = m.coordinatorUserId ? (db.select({ name: users.displayName }).from(users).where(eq(users.id, m.coordinatorUserId)).get()?.name ?? null) : null;

  const rows = db
    .select({ a: agendaItems, projectName: projects.name, item: items, actionTitle: actionItems.title, actionDueOn: actionItems.dueOn, actionStatus: actionItems.status })
    .from(agendaItems)
    .leftJoin(projects, eq(projects.id, agendaItems.projectId))
    .leftJoin(items, eq(items.id, agendaItems.itemId))
    .leftJoin(actionItems, eq(actionItems.id, agendaItems.actionItemId))
    .where(eq(agendaItems.meetingId, id))
    .orderBy(asc(agendaItems.position), asc(agendaItems.id))
    .all();
  const sourceIds = rows.map((r) => r.a.carriedFromId).filter((x): x is number => x !== null);
  const sources = new Map(
    (sourceIds.length
      ? db
          .select({ agendaId: agendaItems.id, meetingId: meetings.id, title: meetings.title, heldOn: meetings.heldOn })
          .from(agendaItems)
          .innerJoin(meetings, eq(meetings.id, agendaItems.meetingId))
          .where(inArray(agendaItems.id, sourceIds))
          .all()
      : []
    ).map((s) => [s.agendaId, { id: s.meetingId, title: s.title, heldOn: s.heldOn }]),
  );
  const projectIds = [...new Set(rows.map((r) => r.a.projectId).filter((x): x is number => x !== null))];
  const projectItems = new Map<number, { key: string; name: string; departmentCode: string | null }[]>();
  if (projectIds.length) {
    for (const it of db.select({ projectId: items.projectId, key: items.key, name: items.name, departmentId: items.departmentId }).from(items).where(inArray(items.projectId, projectIds)).orderBy(asc(items.id)).all()) {
      const list = projectItems.get(it.projectId) ?? [];
      list.push({ key: it.key, name: it.name, departmentCode: it.departmentId ? (deptById.get(it.departmentId)?.code ?? null) : null });
      projectItems.set(it.projectId, list);
    }
  }

  const decided = db.select().from(decisions).where(eq(decisions.meetingId, id)).orderBy(asc(decisions.id)).all();
  const taskRows = decided.length
    ? db
        .select({ a: actionItems, itemKey: items.key, itemName: items.name, projectName: projects.name })
        .from(actionItems)
        .leftJoin(items, eq(items.id, actionItems.itemId))
        .leftJoin(projects, eq(projects.id, actionItems.projectId))
        .where(inArray(actionItems.decisionId, decided.map((d) => d.id)))
        .orderBy(asc(actionItems.id))
        .all()
    : [];
  const tasks = taskRows.map(({ a, itemKey, itemName, projectName }) => {
    const clock = readActionClock({ status: a.status, dueOn: parseDate(a.dueOn)!, closedOn: a.closedOn ? parseDate(a.closedOn) : null }, todayDay, cal, policy.yellowLead);
    const lead = a.ownerDepartmentId ? deptById.get(a.ownerDepartmentId) : undefined;
    return {
      id: a.id,
      decisionId: a.decisionId,
      title: a.title,
      leadDepartment: lead ? { code: lead.code, name: lead.name } : null,
      coDepartments: (a.coDepartmentIds ? (JSON.parse(a.coDepartmentIds) as number[]) : []).map((d) => deptById.get(d)).filter((d) => d !== undefined).map((d) => ({ code: d.code, name: d.name })),
      owner: a.ownerName,
      startOn: a.startOn,
      dueInWorkingDays: a.dueInWorkingDays,
      dueOn: a.dueOn,
      status: a.status,
      closedOn: a.closedOn,
      remainingWorkingDays: clock.remainingWorkingDays,
      warning: clock.warning,
      projectId: a.projectId,
      projectName,
      itemKey,
      itemName,
    };
  });
  const decisionViews = decided.map((d) => ({ id: d.id, agendaItemId: d.agendaItemId, text: d.text, actionItems: tasks.filter((t) => t.decisionId === d.id) }));

  const agenda = rows.map((r, i) => {
    const clock = r.item ? readStoredClock(r.item, cal, todayDay, policy.yellowLead) : null;
    const department = r.item?.departmentId ? deptById.get(r.item.departmentId) : undefined;
    return {
      id: r.a.id,
      number: i + 1,
      reason: r.a.reason,
      reasonLabel: AGENDA_REASON_LABELS[r.a.reason],
      summary: r.a.summary,
      note: r.a.note,
      projectId: r.a.projectId,
      projectName: r.projectName,
      itemKey: r.item?.key ?? null,
      itemName: r.item?.name ?? null,
      itemStatus: r.item?.status ?? null,
      itemKind: r.item?.kind ?? null,
      departmentCode: department?.code ?? null,
      departmentName: department?.name ?? null,
      clock: clock ? { dueOn: clock.dueOn === null ? null : cal.format(clock.dueOn), remainingWorkingDays: clock.remainingWorkingDays, warning: clock.warning, paused: clock.paused } : null,
      actionItem: r.a.actionItemId ? { id: r.a.actionItemId, title: r.actionTitle, dueOn: r.actionDueOn, status: r.actionStatus } : null,
      carriedFrom: r.a.carriedFromId !== null ? (sources.get(r.a.carriedFromId) ?? { id: null, title: "上次会议", heldOn: null }) : null,
      discussion: r.a.discussion,
      resolved: r.a.resolved,
      decisions: decisionViews.filter((d) => d.agendaItemId === r.a.id),
      projectItems: r.a.projectId !== null ? (projectItems.get(r.a.projectId) ?? []) : [],
    };
  });

  const open = manage && m.status !== "closed" && m.minutesIssuedAt === null;
  const started = m.heldOn <= today;
  const openTasks = tasks.filter((t) => t.status === "open").length;
  return {
    today,
    meeting: {
      id: m.id,
      type: m.type,
      typeLabel: MEETING_TYPE_LABELS[m.type],
      title: m.title,
      heldOn: m.heldOn,
      startsAt: m.startsAt,
      place: m.location,
      chair: m.chairName,
      attendees: m.attendees,
      status: m.status,
      statusLabel: MEETING_STATUS_LABELS[m.status],
      minutes: m.minutes,
      minutesIssuedAt: m.minutesIssuedAt === null ? null : new Date(m.minutesIssuedAt).toISOString(),
      coordinator,
      departments: invited,
    },
    agenda,
    /** Decisions recorded without an agenda item (through the API). */
    otherDecisions: decisionViews.filter((d) => d.agendaItemId === null || !rows.some((r) => r.a.id === d.agendaItemId)),
    candidates: open ? agendaCandidatesFor(db, id, todayDay, cal, policy) : [],
    choices: {
      departments: deptRows.filter((d) => d.active).map((d) => ({ code: d.code, name: d.name })),
      projects: open ? db.select({ id: projects.id, name: projects.name }).from(projects).where(notInArray(projects.status, ["completed", "withdrawn"])).orderBy(asc(projects.id)).all() : [],
    },
    openTasks,
    can: {
      manage,
      edit: open,
      editAgenda: open,
      recordMinutes: open && started,
      markHeld: manage && m.status === "planned" && started,
      issue: open && started,
      close: manage && m.status !== "closed" && m.minutesIssuedAt !== null,
    },
  };
}

export type MeetingPage = ReturnType<typeof loadMeetingPage>;

/** The form's defaults for editing a meeting (the same fields as creating one). */
export function meetingFormChoices(ctx: ServiceContext, actor: Actor) {
  requireManage(actor);
  const today = getCalendar(ctx.db).format(shanghaiDay(ctx.now));
  return {
    today,
    departments: ctx.db.select({ code: departments.code, name: departments.name }).from(departments).where(eq(departments.active, true)).orderBy(asc(departments.id)).all(),
  };
}
