import { decide, type Actor } from "~/domain/access/policy";
import { shanghaiDay, shanghaiToday } from "~/domain/calendar";
import { getCalendar } from "./time-rules.server";
import type { ServiceContext } from "./context.server";
import { LOG_KIND_LABELS, LOG_KINDS, projectTimeline, type TimelineEntry } from "./logs.server";
import { ALLOWED_EXTENSIONS, materialViews, MAX_UPLOAD_BYTES, UPLOAD_ACCEPT, type MaterialView } from "./materials.server";
import { loadProjectFor } from "./project-aggregate.server";
import { planOf } from "./projects.server";

/**
 * Loader data for the materials and timeline panels of the project page.
 * Plain JSON (numbers, strings, booleans, null), so the type the page reads
 * from `useLoaderData` is exactly this one.
 */
export interface ProjectPanels {
  projectId: number;
  today: string;
  materials: MaterialView[];
  timeline: TimelineEntry[];
  can: { upload: boolean; verify: boolean; log: boolean };
  limits: { maxBytes: number; accept: string; extensions: string[] };
  logKinds: { value: string; label: string }[];
}

export function loadProjectPanels(ctx: ServiceContext, actor: Actor, projectId: number): ProjectPanels {
  const cal = getCalendar(ctx.db);
  // Throws 404/403 exactly like the page's own loader for a project the actor may not see.
  const agg = loadProjectFor(ctx.db, actor, projectId, cal);
  const plan = planOf(agg, ctx, shanghaiDay(ctx.now));
  const allowed = (a: "material.upload" | "material.verify" | "log.write") => decide(actor, a, { project: agg.facts }).allowed;
  return {
    projectId: agg.project.id,
    today: shanghaiToday(ctx.now),
    materials: materialViews(ctx.db, agg, plan, cal),
    timeline: projectTimeline(ctx, actor, projectId),
    can: { upload: allowed("material.upload"), verify: allowed("material.verify"), log: allowed("log.write") },
    limits: { maxBytes: MAX_UPLOAD_BYTES, accept: UPLOAD_ACCEPT, extensions: ALLOWED_EXTENSIONS },
    logKinds: LOG_KINDS.map((k) => ({ value: k, label: LOG_KIND_LABELS[k] })),
  };
}

export type { MaterialView, TimelineEntry };
