import { and, eq, isNotNull, isNull, lte } from "drizzle-orm";
import { items, projects, users } from "../../db/schema";
import { shanghaiDay } from "~/domain/calendar";
import type { ClockEventType } from "~/domain/clock";
import type { Db } from "~/utils/db.server";
import { getCalendar } from "./time-rules.server";
import { sendToUsers, type OutboxMessage } from "./outbox.server";

/**
 * What reaches the enterprise's contacts without anyone having to look (issue 12):
 * a 补正 request, a decision (准予/不予许可), a 容缺 date falling due. Written to the
 * notification outbox in the caller's transaction, so the event and its message
 * commit together; delivered in working hours like every message (DESIGN §4), by
 * inbox and by e-mail where the contact has one. Keyed per event and recipient,
 * so a retried call adds nothing.
 */

/** The active contacts (role `enterprise`) of the enterprise that owns the project. */
export function enterpriseContactIds(tx: Db, projectId: number): number[] {
  return tx
    .select({ id: users.id })
    .from(users)
    .innerJoin(projects, eq(projects.enterpriseId, users.enterpriseId))
    .where(and(eq(projects.id, projectId), eq(users.role, "enterprise"), eq(users.active, true)))
    .all()
    .map((u) => u.id);
}

export interface RecordedItemEvent {
  projectId: number;
  itemId: number;
  itemName: string;
  eventId: number;
  type: ClockEventType;
  on: string;
  /** The department's words: the 补正 reason or the decision's note. Written for the enterprise (DESIGN §4 告知). */
  note: string | null;
  missingMaterials: readonly string[];
}

/**
 * Tells the project's enterprise contacts about an event recorded on one of its
 * items, when it is one they must know of: 要求补正 (what is missing and why),
 * 准予许可 / 办结, 不予许可. Other events (受理, 特别程序 …) show on the portal only.
 */
export function notifyEnterpriseOfItemEvent(tx: Db, e: RecordedItemEvent, now: Date): number {
  const project = tx.select({ name: projects.name }).from(projects).where(eq(projects.id, e.projectId)).get();
  if (!project) return 0;
  const link = `/portal/projects/${e.projectId}`;
  let m: OutboxMessage | null = null;
  if (e.type === "request_correction") {
    const what = e.missingMaterials.length ? `需补正材料：${e.missingMaterials.join("、")}。` : "";
    m = {
      kind: "enterprise.correction",
      title: `【需要补正】${e.itemName}`,
      body: `「${project.name}」的「${e.itemName}」需要补正（${e.on}）。${what}${e.note ? `原因：${e.note}。` : ""}请在企业门户「需要您提供」中上传。`,
      link,
      dedupeKey: `ent-event-${e.eventId}`,
    };
  } else if (e.type === "approve") {
    m = { kind: "enterprise.decision", title: `【已办结】${e.itemName}`, body: `「${project.name}」的「${e.itemName}」已于 ${e.on} 办结。`, link, dedupeKey: `ent-event-${e.eventId}` };
  } else if (e.type === "reject") {
    m = {
      kind: "enterprise.decision",
      title: `【不予许可】${e.itemName}`,
      body: `「${project.name}」的「${e.itemName}」于 ${e.on} 作出不予许可决定。${e.note ? `理由：${e.note}。` : ""}代办员将与您联系后续安排。`,
      link,
      dedupeKey: `ent-event-${e.eventId}`,
    };
  }
  return m ? sendToUsers(tx, enterpriseContactIds(tx, e.projectId), m, now) : 0;
}

/**
 * 容缺 dates that have come (on or before today, not yet met) on active projects:
 * one reminder per item and promised date to the enterprise's contacts. Meant for
 * the worker's daily run (it is idempotent; a changed date is a new reminder).
 */
export function notifyDueCommitments(db: Db, now: Date): number {
  const today = getCalendar(db).format(shanghaiDay(now));
  const due = db
    .select({ item: items, projectName: projects.name })
    .from(items)
    .innerJoin(projects, eq(projects.id, items.projectId))
    .where(and(eq(projects.status, "active"), isNotNull(items.commitmentOn), isNull(items.commitmentMetOn), lte(items.commitmentOn, today)))
    .all();
  let n = 0;
  for (const { item, projectName } of due) {
    n += sendToUsers(
      db,
      enterpriseContactIds(db, item.projectId),
      {
        kind: "enterprise.commitment",
        title: `【容缺补齐到期】${item.name}`,
        body: `「${projectName}」的「${item.name}」受理时承诺于 ${item.commitmentOn} 前补齐容缺材料，现已到期，请尽快在企业门户上传。`,
        link: `/portal/projects/${item.projectId}`,
        dedupeKey: `ent-commitment-${item.id}-${item.commitmentOn}`,
      },
      now,
    );
  }
  return n;
}
