import { decide } from "~/domain/access/policy";
import { LOG_KIND_LABELS, LOG_KINDS, projectTimeline, type TimelineEntry } from "./logs.server";
import { ALLOWED_EXTENSIONS, MAX_UPLOAD_BYTES, UPLOAD_ACCEPT } from "~/domain/material/upload-rules";
import { materialViews, type MaterialView } from "./material-views.server";
import type { ProjectContext } from "./project-context.server";

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

export function loadProjectPanels(pc: ProjectContext): ProjectPanels {
  const { aggregate: agg, schedule: plan, calendar: cal, actor } = pc;
  const allowed = (a: "material.upload" | "material.verify" | "log.write") => decide(actor, a, { project: agg.facts }).allowed;
  return {
    projectId: agg.project.id,
    today: cal.format(pc.today),
    materials: materialViews(pc.db, agg, plan, cal),
    timeline: projectTimeline(pc, actor, agg.project.id),
    can: { upload: allowed("material.upload"), verify: allowed("material.verify"), log: allowed("log.write") },
    limits: { maxBytes: MAX_UPLOAD_BYTES, accept: UPLOAD_ACCEPT, extensions: ALLOWED_EXTENSIONS },
    logKinds: LOG_KINDS.map((k) => ({ value: k, label: LOG_KIND_LABELS[k] })),
  };
}

export type { MaterialView, TimelineEntry };
