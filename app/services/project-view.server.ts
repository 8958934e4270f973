import { PROJECT_STATUS_LABELS } from "~/domain/project/types";
import { decide, type Actor } from "~/domain/access/policy";
import { parseDate, type DayNum } from "~/domain/calendar";
import { allowedEvents, readClock, type ClockEventType, type ItemKind, type ItemStatus } from "~/domain/clock";
import { serializeSchedule, type SerializedSchedule } from "~/domain/schedule";
import type { ServiceContext } from "./context.server";
import { type ProjectAggregate } from "./project-aggregate.server";

import { loadProjectContext, type ProjectContext } from "./project-context.server";

export interface ItemView {
  id: number;
  key: string;
  name: string;
  kind: ItemKind;
  department: string | null;
  departmentName: string | null;
  /** 首问负责人's name, once a department clerk has acted on the item. */
  handlerName: string | null;
  stage: number;
  status: ItemStatus;
  statutoryLimit: number | null;
  promisedLimit: number | null;
  limitUnit: string;
  plannedDuration: number | null;
  acceptedOn: string | null;
  dueOn: string | null;
  decidedOn: string | null;
  remainingWorkingDays: number | null;
  warning: "none" | "yellow" | "red";
  paused: boolean;
  commitmentOn: string | null;
  commitmentWarning: "none" | "yellow" | "red";
  version: number;
  /** Events the viewing user may record now (empty when they may not act on this item). */
  allowed: ClockEventType[];
  slack: number | null;
  critical: boolean;
  ready: boolean;
}

export interface ProjectView {
  project: ProjectAggregate["project"] & { statusLabel: string };
  enterprise: ProjectAggregate["enterprise"];
  proxies: ProjectAggregate["proxies"];
  items: ItemView[];
  schedule: SerializedSchedule;
  daysSinceSigning: number;
  can: { recordEvents: boolean; edit: boolean };
}

function itemViews(pc: ProjectContext): ItemView[] {
  const { aggregate: agg, calendar: cal, actor, today: asOf } = pc;
  const yellowLead = pc.policy.yellowLead;
  const planned = new Map(pc.schedule.items.map((s) => [s.key, s]));
  return agg.items.map((i) => {
    const mayAct = decide(actor, "item.recordEvent", { project: agg.facts, item: { departmentId: i.row.departmentId } }).allowed;
    const plan = planned.get(i.row.key);
    const r = readClock(i.state, i.spec, cal, asOf, yellowLead);
    const fmt = (d: DayNum | null) => (d === null ? null : cal.format(d));
    return {
      id: i.row.id,
      key: i.row.key,
      name: i.row.name,
      kind: i.row.kind,
      department: i.departmentCode,
      departmentName: i.departmentName,
      handlerName: i.handlerName,
      stage: i.row.stage,
      status: i.state.status,
      statutoryLimit: i.row.statutoryLimit,
      promisedLimit: i.row.promisedLimit,
      limitUnit: i.row.limitUnit,
      plannedDuration: i.row.plannedDuration,
      acceptedOn: fmt(i.state.acceptedOn),
      dueOn: fmt(r.dueOn),
      decidedOn: fmt(i.state.decidedOn),
      remainingWorkingDays: r.remainingWorkingDays,
      warning: r.warning,
      paused: r.paused,
      commitmentOn: fmt(i.state.commitmentOn),
      commitmentWarning: r.commitmentWarning,
      version: i.row.version,
      allowed: mayAct ? allowedEvents(i.state, i.spec) : [],
      slack: plan?.totalSlack ?? null,
      critical: plan?.critical ?? false,
      ready: plan?.ready ?? false,
    };
  });
}

export function getProjectView(ctx: ServiceContext, actor: Actor, projectId: number): ProjectView {
  return projectViewOf(loadProjectContext(ctx, actor, projectId));
}

/** The project page's numbers from an already loaded aggregate and plan (the workspace reuses both). */
export function projectViewOf(pc: ProjectContext): ProjectView {
  const { aggregate: agg, calendar: cal, actor, today, schedule: plan } = pc;
  return {
    project: { ...agg.project, statusLabel: PROJECT_STATUS_LABELS[agg.project.status] },
    enterprise: agg.enterprise,
    proxies: agg.proxies,
    items: itemViews(pc),
    schedule: serializeSchedule(plan, cal),
    daysSinceSigning: today - parseDate(agg.project.signedOn)!,
    can: {
      recordEvents: agg.items.some((i) => decide(actor, "item.recordEvent", { project: agg.facts, item: { departmentId: i.row.departmentId } }).allowed),
      edit: decide(actor, "project.edit", { project: agg.facts }).allowed,
    },
  };
}
