import { createHash, randomBytes } from "node:crypto";
import { and, asc, eq, gte, inArray, or, sql, type SQL } from "drizzle-orm";
import { actionItems, decisions, departments, meetingDepartments, meetings, projects, users } from "../../db/schema";
import { decide, type Actor, type Role } from "~/domain/access/policy";
import { addCalendarDays, formatDay, shanghaiDay } from "~/domain/calendar";
import { buildIcsCalendar, type IcsEvent } from "~/domain/meeting/ics";
import { parseCoDepartmentIds } from "~/domain/meeting/minutes";
import { ACTION_SOURCE_LABELS, MEETING_STATUS_LABELS, MEETING_TYPE_LABELS } from "~/domain/meeting/vocabulary";
import { writeAudit } from "./audit.server";
import type { ServiceContext } from "./context.server";
import { AppError, forbidden } from "./errors.server";
import { transaction } from "./transaction.server";

/**
 * The calendar feed per user (`/calendar.ics?token=…`, issue 11): the meetings a
 * user may see and the deadlines of the action items their department carries,
 * for a calendar app to subscribe to. Calendar apps cannot sign in, so the URL's
 * token is the credential: it is shown once, only its sha256 is stored
 * (users.calendar_token_hash, as API tokens are), issuing a new one replaces the
 * old, and revoking clears it — either way the old URL answers 401 from then on.
 */

/** Only staff have a feed: enterprises see no meetings (DESIGN §8), integration accounts have no use for one. */
function mayHaveFeed(role: Role): boolean {
  return role !== "enterprise" && role !== "integration";
}

function assertMayHaveFeed(actor: Actor): void {
  if (!mayHaveFeed(actor.role) || !decide(actor, "meeting.view").allowed) throw forbidden("企业用户没有会议日历订阅");
}

export function hashCalendarToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Whether the user holds a feed token now (the token itself is never kept). */
export function calendarFeedStatus(ctx: ServiceContext, actor: Actor): { active: boolean } {
  assertMayHaveFeed(actor);
  const row = ctx.db.select({ hash: users.calendarTokenHash }).from(users).where(eq(users.id, actor.id)).get();
  return { active: Boolean(row?.hash) };
}

/**
 * A new feed token for the signed-in user, replacing any earlier one (whose URL
 * stops working at once). Returned once; only its hash is stored.
 */
export function issueCalendarToken(ctx: ServiceContext, actor: Actor): { token: string; replaced: boolean } {
  assertMayHaveFeed(actor);
  // 24 random bytes (192 bits) in base64url: safe in a query string without escaping.
  const token = `gcal_${randomBytes(24).toString("base64url")}`;
  return transaction(ctx.db, (tx) => {
    const before = tx.select({ hash: users.calendarTokenHash }).from(users).where(eq(users.id, actor.id)).get();
    tx.update(users).set({ calendarTokenHash: hashCalendarToken(token) }).where(eq(users.id, actor.id)).run();
    const replaced = Boolean(before?.hash);
    writeAudit(tx, { actorUserId: actor.id, action: "user.calendarTokenIssued", entityType: "user", entityId: actor.id, detail: { replaced } }, ctx.now);
    return { token, replaced };
  });
}

/** Revokes the user's feed token; the subscription URL answers 401 from now on. */
export function revokeCalendarToken(ctx: ServiceContext, actor: Actor): { revoked: boolean } {
  assertMayHaveFeed(actor);
  return transaction(ctx.db, (tx) => {
    const changed = tx
      .update(users)
      .set({ calendarTokenHash: null })
      .where(and(eq(users.id, actor.id), sql`${users.calendarTokenHash} is not null`))
      .run().changes;
    if (changed) writeAudit(tx, { actorUserId: actor.id, action: "user.calendarTokenRevoked", entityType: "user", entityId: actor.id }, ctx.now);
    return { revoked: changed > 0 };
  });
}

/** The subscription URL of a token on this server. */
export function calendarFeedUrl(origin: string, token: string): string {
  return `${origin}/calendar.ics?token=${encodeURIComponent(token)}`;
}

/** How far back meetings stay in the feed: last year's meetings are still looked up, older ones are history. */
const PAST_DAYS = 365;

/**
 * The feed of whoever holds `token`, as iCalendar text. An unknown or revoked
 * token (or one of a deactivated user) is a 401; a user whose role has no feed
 * (an enterprise contact) a 403.
 */
export function calendarFeed(ctx: ServiceContext, token: string | null, origin: string): string {
  const { db } = ctx;
  const user = token
    ? db
        .select({ id: users.id, role: users.role, departmentId: users.departmentId, enterpriseId: users.enterpriseId, active: users.active })
        .from(users)
        .where(eq(users.calendarTokenHash, hashCalendarToken(token)))
        .get()
    : undefined;
  if (!user || !user.active) throw new AppError("unauthorized", "日历订阅链接无效或已撤销，请在“日历订阅”页面重新生成");
  const actor: Actor = { id: user.id, role: user.role, departmentId: user.departmentId, enterpriseId: user.enterpriseId };
  if (!mayHaveFeed(actor.role)) throw forbidden("该账号没有会议日历订阅");

  const events = [...meetingEvents(ctx, actor, origin), ...deadlineEvents(ctx, actor, origin)];
  return buildIcsCalendar({ name: "绿色通道 · 会议与督办", generatedAt: ctx.now, events });
}

/** Department staff: meetings their department is invited to. Everyone else with a feed: every meeting. */
function meetingEvents(ctx: ServiceContext, actor: Actor, origin: string): IcsEvent[] {
  const { db } = ctx;
  const from = formatDay(addCalendarDays(shanghaiDay(ctx.now), -PAST_DAYS));
  let scope: SQL | undefined = gte(meetings.heldOn, from);
  if (actor.role === "dept") {
    if (actor.departmentId === null) return [];
    scope = and(scope, inArray(meetings.id, db.select({ id: meetingDepartments.meetingId }).from(meetingDepartments).where(eq(meetingDepartments.departmentId, actor.departmentId))));
  }
  const rows = db.select().from(meetings).where(scope).orderBy(asc(meetings.heldOn), asc(meetings.id)).all();
  if (!rows.length) return [];
  const invited = new Map<number, string[]>();
  for (const r of db
    .select({ meetingId: meetingDepartments.meetingId, name: departments.name })
    .from(meetingDepartments)
    .innerJoin(departments, eq(departments.id, meetingDepartments.departmentId))
    .where(inArray(meetingDepartments.meetingId, rows.map((m) => m.id)))
    .orderBy(asc(departments.id))
    .all()) {
    invited.set(r.meetingId, [...(invited.get(r.meetingId) ?? []), r.name]);
  }
  return rows.map((m) => {
    const url = `${origin}/meetings/${m.id}`;
    const description = [
      `${MEETING_TYPE_LABELS[m.type]} · ${MEETING_STATUS_LABELS[m.status]}`,
      m.chairName ? `主持：${m.chairName}` : null,
      invited.get(m.id)?.length ? `参会单位：${invited.get(m.id)!.join("、")}` : null,
      url,
    ];
    return {
      uid: `meeting-${m.id}@green-channel`,
      summary: `【${MEETING_TYPE_LABELS[m.type]}】${m.title}`,
      date: m.heldOn,
      time: m.startsAt,
      location: m.location || null,
      description: description.filter(Boolean).join("\n"),
      url,
    };
  });
}

/**
 * Open action items as all-day events on their due day: the department's own
 * (lead or co-unit) for department staff, every open one for coordinators and
 * administrators (who run the 督办台账). Other roles get meetings only.
 */
function deadlineEvents(ctx: ServiceContext, actor: Actor, origin: string): IcsEvent[] {
  const { db } = ctx;
  let scope: SQL | undefined;
  if (actor.role === "coordinator" || actor.role === "admin") {
    scope = eq(actionItems.status, "open");
  } else if (actor.role === "dept" && actor.departmentId !== null) {
    const dept = actor.departmentId;
    scope = and(
      eq(actionItems.status, "open"),
      or(
        eq(actionItems.ownerDepartmentId, dept),
        // CASE so that json_each never sees a malformed value (it would fail the whole feed).
        sql`case when json_valid(${actionItems.coDepartmentIds}) then exists (select 1 from json_each(${actionItems.coDepartmentIds}) where value = ${dept}) else 0 end`,
      ),
    );
  } else {
    return [];
  }
  const rows = db
    .select({ a: actionItems, lead: departments.name, meetingTitle: meetings.title, project: projects.name })
    .from(actionItems)
    .leftJoin(departments, eq(departments.id, actionItems.ownerDepartmentId))
    .leftJoin(decisions, eq(decisions.id, actionItems.decisionId))
    .leftJoin(meetings, eq(meetings.id, decisions.meetingId))
    .leftJoin(projects, eq(projects.id, actionItems.projectId))
    .where(scope)
    .orderBy(asc(actionItems.dueOn), asc(actionItems.id))
    .all();
  const deptNames = new Map(db.select({ id: departments.id, name: departments.name }).from(departments).all().map((d) => [d.id, d.name]));
  return rows.map(({ a, lead, meetingTitle, project }) => {
    const co = parseCoDepartmentIds(a.coDepartmentIds)
      .map((id) => deptNames.get(id))
      .filter((n): n is string => n !== undefined);
    const coUnit = actor.role === "dept" && a.ownerDepartmentId !== actor.departmentId;
    // The action item's own page in the 督办台账: its countdown, and where the unit closes it.
    const url = `${origin}/meetings/actions/${a.id}`;
    const description = [
      `责任单位：${lead ?? "—"}`,
      co.length ? `配合单位：${co.join("、")}` : null,
      a.ownerName ? `责任人：${a.ownerName}` : null,
      a.dueInWorkingDays ? `完成时限：${a.dueInWorkingDays} 个工作日内（${a.dueOn}）` : `完成时限：${a.dueOn}`,
      `来源：${ACTION_SOURCE_LABELS[a.source]}${meetingTitle ? `（${meetingTitle}）` : ""}`,
      project ? `项目：${project}` : null,
      url,
    ];
    return {
      uid: `action-${a.id}@green-channel`,
      summary: `【督办】${a.title} 完成时限${coUnit ? "（配合）" : ""}`,
      date: a.dueOn,
      description: description.filter(Boolean).join("\n"),
      url,
      transparent: true,
    };
  });
}

