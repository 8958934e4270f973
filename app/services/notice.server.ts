import { and, asc, eq, inArray } from "drizzle-orm";
import { users } from "../../db/schema";
import { type Actor } from "~/domain/access/policy";
import { hasOpenCommitment } from "~/domain/clock";
import { noticeContents, type NoticeContents, type NoticeItemFacts } from "~/domain/material/notice";
import type { ServiceContext } from "./context.server";
import { type EventDetail } from "./project-aggregate.server";
import { materialViews } from "./material-views.server";
import { loadProjectContext } from "./project-context.server";

export type NoticeData = NoticeContents;

/**
 * The printable 一次性告知书 of a project (`noticeContents` in the domain says
 * what goes in): the assigned officers and the enterprise's contact with their
 * phones, the materials still owed with the date each is needed by, and every
 * open 补正 request with its reason and return date.
 */
export function noticeOf(ctx: ServiceContext, actor: Actor, projectId: number): NoticeData {
  const { db, aggregate: agg, schedule: plan, calendar: cal, today } = loadProjectContext(ctx, actor, projectId);
  const views = materialViews(db, agg, plan, cal);
  const person = { displayName: users.displayName, phone: users.phone };
  const proxies = agg.proxies.length
    ? db.select(person).from(users).where(inArray(users.id, agg.proxies.map((p) => p.id))).orderBy(asc(users.id)).all()
    : [];
  const enterpriseUsers = db
    .select(person)
    .from(users)
    .where(and(eq(users.enterpriseId, agg.enterprise.id), eq(users.role, "enterprise"), eq(users.active, true)))
    .orderBy(asc(users.id))
    .all();
  const planned = new Map(plan.items.map((p) => [p.key, p]));
  const items: NoticeItemFacts[] = agg.items.map((i) => {
    const st = i.state;
    let correction: NoticeItemFacts["correction"] = null;
    if (st.status === "correction") {
      const request = [...i.events].reverse().find((e) => e.type === "request_correction");
      const detail: EventDetail = request?.detail ? safeJson(request.detail) : {};
      correction = { requestedOn: request?.on ?? null, missingMaterials: detail.missingMaterials ?? [], note: request?.note ?? null };
    }
    return {
      key: i.row.key,
      name: i.row.name,
      kind: i.row.kind,
      status: st.status,
      departmentName: i.departmentName,
      latestFinish: planned.get(i.row.key)?.latestFinish ?? null,
      remainingAtPause: st.remainingAtPause,
      commitment: hasOpenCommitment(st) ? { materials: st.deferredMaterials, on: st.commitmentOn! } : null,
      correction,
    };
  });
  return noticeContents(
    {
      asOf: today,
      project: {
        id: agg.project.id,
        code: agg.project.code,
        name: agg.project.name,
        signedOn: agg.project.signedOn,
        targetStartOn: agg.project.targetStartOn,
      },
      enterprise: { name: agg.enterprise.name, creditCode: agg.enterprise.creditCode, contactPhone: agg.enterprise.contactPhone },
      enterpriseUsers,
      proxies,
      provisional: plan.provisional,
      items,
      materials: views.map((m) => ({
        id: m.id,
        name: m.name,
        status: m.status,
        rejected: m.rejected,
        note: m.note,
        deadlineOn: m.deadlineOn,
        itemKeys: m.items.map((i) => i.key),
      })),
    },
    cal,
  );
}

function safeJson(text: string): EventDetail {
  try {
    return JSON.parse(text) as EventDetail;
  } catch {
    return {};
  }
}
