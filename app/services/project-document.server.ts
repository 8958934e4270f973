import { type Actor } from "~/domain/access/policy";
import { parseDate, shanghaiDay } from "~/domain/calendar";
import { serializeSchedule } from "~/domain/schedule";
import type { ServiceContext } from "./context.server";
import { AppError } from "./errors.server";

import { loadProjectContext } from "./project-context.server";
import { getProjectView } from "./project-view.server";
import { listTimetableChanges } from "./project-lifecycle.server";

/** The API's project document: the project and each item's clock state (DESIGN §6). */
export function getProjectDocument(ctx: ServiceContext, actor: Actor, projectId: number) {
  const view = getProjectView(ctx, actor, projectId);
  const { project, enterprise } = view;
  return {
    id: project.id,
    code: project.code,
    name: project.name,
    status: project.status,
    enterprise: { name: enterprise.name, creditCode: enterprise.creditCode },
    templateKey: project.templateKey,
    signedOn: project.signedOn,
    targetStartOn: project.targetStartOn,
    templateVersion: project.templateVersion,
    closedOn: project.closedOn,
    closeReason: project.closeReason,
    proxies: view.proxies.map((p) => p.displayName),
    // DESIGN §6 v1.1: the plan's history; `at` is the instant it was recorded.
    timetableChanges: listTimetableChanges(ctx.db, project.id).map((c) => ({ from: c.from, to: c.to, reason: c.reason, by: c.by, at: new Date(c.at).toISOString() })),
    forecastStartOn: view.schedule.forecastStartOn,
    atRisk: view.schedule.atRisk,
    provisional: view.schedule.provisional,
    items: view.items.map((i) => ({
      key: i.key,
      name: i.name,
      kind: i.kind,
      department: i.department,
      // 首问负责人 (issue 12): the department clerk who first acted on the item, null until then.
      handler: i.handlerName,
      stage: i.stage,
      status: i.status,
      // Sent back as `expectedVersion` with an event, so a client learns of a change it has not seen (409).
      version: i.version,
      statutoryLimit: i.statutoryLimit,
      promisedLimit: i.promisedLimit,
      limitUnit: i.limitUnit,
      acceptedOn: i.acceptedOn,
      dueOn: i.dueOn,
      decidedOn: i.decidedOn,
      remainingWorkingDays: i.remainingWorkingDays,
      warning: i.warning,
      paused: i.paused,
      commitmentOn: i.commitmentOn,
      commitmentWarning: i.commitmentWarning,
    })),
  };
}

export function getProjectSchedule(ctx: ServiceContext, actor: Actor, projectId: number, asOfText?: string | null) {
  let asOf = shanghaiDay(ctx.now);
  if (asOfText) {
    const d = parseDate(asOfText);
    if (d === null) throw new AppError("bad_request", `asOf 日期无效：${asOfText}（格式 YYYY-MM-DD）`);
    asOf = d;
  }
  const pc = loadProjectContext(ctx, actor, projectId, { asOf });
  return serializeSchedule(pc.schedule, pc.calendar);
}
