import { asc, inArray } from "drizzle-orm";
import { users } from "../../db/schema";
import { type Actor } from "~/domain/access/policy";
import { shanghaiToday } from "~/domain/calendar";
import { isFinished } from "~/domain/clock";
import type { ServiceContext } from "./context.server";
import { type EventDetail } from "./project-aggregate.server";
import { materialViews } from "./material-views.server";
import { loadProjectContext } from "./project-context.server";

export interface NoticeData {
  project: { id: number; code: string; name: string; signedOn: string; targetStartOn: string };
  enterprise: { name: string; creditCode: string; contactName: string | null; contactPhone: string | null };
  proxies: { displayName: string; phone: string | null; email: string | null }[];
  today: string;
  /** Some deadline lies in a year without official holiday data: dates are estimates (DESIGN §4). */
  provisional: boolean;
  materials: {
    id: number;
    name: string;
    rejected: boolean;
    note: string | null;
    deadlineOn: string | null;
    items: { key: string; name: string }[];
  }[];
  corrections: {
    key: string;
    name: string;
    departmentName: string | null;
    requestedOn: string | null;
    missingMaterials: string[];
    note: string | null;
  }[];
}

/**
 * Everything still needed from the enterprise, in one printable notice
 * (一次性告知): missing or sent-back materials that an unfinished item still
 * needs, with the date each is needed by, and every open 补正 request with the
 * materials the department listed.
 */
export function noticeOf(ctx: ServiceContext, actor: Actor, projectId: number): NoticeData {
  const { db, aggregate: agg, schedule: plan, calendar: cal } = loadProjectContext(ctx, actor, projectId);
  const views = materialViews(db, agg, plan, cal);
  const proxies = agg.proxies.length
    ? db
        .select({ displayName: users.displayName, phone: users.phone, email: users.email })
        .from(users)
        .where(inArray(users.id, agg.proxies.map((p) => p.id)))
        .orderBy(asc(users.id))
        .all()
    : [];
  const corrections = agg.items
    .filter((i) => i.state.status === "correction")
    .map((i) => {
      const request = [...i.events].reverse().find((e) => e.type === "request_correction");
      const detail: EventDetail = request?.detail ? safeJson(request.detail) : {};
      return {
        key: i.row.key,
        name: i.row.name,
        departmentName: i.departmentName,
        requestedOn: request?.on ?? null,
        missingMaterials: detail.missingMaterials ?? [],
        note: request?.note ?? null,
      };
    });
  return {
    project: {
      id: agg.project.id,
      code: agg.project.code,
      name: agg.project.name,
      signedOn: agg.project.signedOn,
      targetStartOn: agg.project.targetStartOn,
    },
    enterprise: {
      name: agg.enterprise.name,
      creditCode: agg.enterprise.creditCode,
      contactName: agg.enterprise.contactName,
      contactPhone: agg.enterprise.contactPhone,
    },
    proxies,
    today: shanghaiToday(ctx.now),
    provisional: plan.provisional,
    materials: views
      .filter((m) => m.status === "missing" && m.stillNeeded)
      .map((m) => ({
        id: m.id,
        name: m.name,
        rejected: m.rejected,
        note: m.rejected ? m.note : null,
        deadlineOn: m.deadlineOn,
        items: m.items.filter((i) => !isFinished(i.status)).map((i) => ({ key: i.key, name: i.name })),
      })),
    corrections,
  };
}

function safeJson(text: string): EventDetail {
  try {
    return JSON.parse(text) as EventDetail;
  } catch {
    return {};
  }
}
