import { eq } from "drizzle-orm";
import { itemMaterials, items, materials, uploads } from "../../db/schema";
import { type Actor } from "~/domain/access/policy";
import { type DayNum, type WorkingCalendar } from "~/domain/calendar";
import { isFinished, itemStatusLabel, type ItemStatus } from "~/domain/clock";
import type { Schedule } from "~/domain/schedule";
import type { Db } from "~/utils/db.server";
import type { ServiceContext } from "./context.server";
import { type ProjectAggregate } from "./project-aggregate.server";
import { MATERIAL_STATUS_LABELS, type MaterialStatus } from "~/domain/material/vocabulary";
import { loadProjectContext } from "./project-context.server";

export interface MaterialItemRef {
  key: string;
  name: string;
  status: ItemStatus;
  statusLabel: string;
}

export interface MaterialView {
  id: number;
  name: string;
  status: MaterialStatus;
  statusLabel: string;
  /** Manually set due date, if any (the column exists for officers' overrides). */
  neededBy: string | null;
  /** Earliest date it is needed: the planned start of the earliest not-yet-accepted item that needs it. */
  deadlineOn: string | null;
  note: string | null;
  /** Sent back by the officer: missing again, with the reason in `note`. */
  rejected: boolean;
  /** False when every item needing it is finished (办结/免办): nothing is asked of the enterprise any more. */
  stillNeeded: boolean;
  items: MaterialItemRef[];
  upload: { id: number; originalName: string; size: number; createdAt: number } | null;
}

const NOT_ACCEPTED: ReadonlySet<string> = new Set(["pending", "rejected", "withdrawn"]);
const STATUS_ORDER: Record<MaterialStatus, number> = { missing: 0, received: 1, verified: 2 };


/** Builds the checklist from an already loaded aggregate and schedule, so callers that have them pay no second load. */
export function materialViews(db: Db, agg: ProjectAggregate, plan: Schedule, cal: WorkingCalendar): MaterialView[] {
  const projectId = agg.project.id;
  const rows = db
    .select({ m: materials, u: { id: uploads.id, originalName: uploads.originalName, size: uploads.size, createdAt: uploads.createdAt } })
    .from(materials)
    .leftJoin(uploads, eq(uploads.id, materials.uploadId))
    .where(eq(materials.projectId, projectId))
    .all();
  const links = db
    .select({ itemId: itemMaterials.itemId, materialId: itemMaterials.materialId })
    .from(itemMaterials)
    .innerJoin(items, eq(items.id, itemMaterials.itemId))
    .where(eq(items.projectId, projectId))
    .all();
  const itemById = new Map(agg.items.map((i, idx) => [i.row.id, { rec: i, idx }]));
  const esByKey = new Map(plan.items.map((s) => [s.key, s.earliestStart]));
  const byMaterial = new Map<number, { rec: ProjectAggregate["items"][number]; idx: number }[]>();
  for (const l of links) {
    const it = itemById.get(l.itemId);
    if (!it) continue;
    const list = byMaterial.get(l.materialId);
    if (list) list.push(it);
    else byMaterial.set(l.materialId, [it]);
  }

  const views = rows.map(({ m, u }) => {
    const needing = (byMaterial.get(m.id) ?? []).sort((a, b) => a.idx - b.idx).map((x) => x.rec);
    let deadline: DayNum | null = null;
    for (const i of needing) {
      if (!NOT_ACCEPTED.has(i.state.status)) continue;
      const es = esByKey.get(i.row.key);
      if (es !== undefined && (deadline === null || es < deadline)) deadline = es;
    }
    return {
      id: m.id,
      name: m.name,
      status: m.status,
      statusLabel: MATERIAL_STATUS_LABELS[m.status],
      neededBy: m.neededBy,
      deadlineOn: deadline === null ? null : cal.format(deadline),
      note: m.note,
      rejected: m.status === "missing" && m.note !== null,
      stillNeeded: needing.length === 0 || needing.some((i) => !isFinished(i.state.status)),
      items: needing.map((i) => ({ key: i.row.key, name: i.row.name, status: i.state.status, statusLabel: itemStatusLabel(i.state.status, i.row.kind) })),
      upload: u && u.id !== null ? { id: u.id, originalName: u.originalName, size: u.size, createdAt: u.createdAt } : null,
    } satisfies MaterialView;
  });
  // What the enterprise still owes comes first, the most urgent at the top.
  return views.sort(
    (a, b) =>
      STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
      (a.deadlineOn ?? "9999").localeCompare(b.deadlineOn ?? "9999") ||
      a.id - b.id,
  );
}

export function listMaterials(ctx: ServiceContext, actor: Actor, projectId: number): MaterialView[] {
  const pc = loadProjectContext(ctx, actor, projectId);
  return materialViews(pc.db, pc.aggregate, pc.schedule, pc.calendar);
}
