import { decide, type Actor } from "~/domain/access/policy";
import { isClosedProject } from "~/domain/project/types";
import { listProjectActionItems } from "./action-items.server";
import type { ServiceContext } from "./context.server";
import { projectFigures } from "./dashboard.server";
import { listEscalationsForPage } from "./escalation-records.server";
import { loadProjectContext } from "./project-context.server";
import { loadProjectPanels } from "./project-panels.server";
import { getWorkspace } from "./workspace.server";
import { listProxyOfficers, listTimetableChanges } from "./project-lifecycle.server";

/**
 * The proxy officer's project page in one read: the project context (calendar,
 * policy, today, aggregate, schedule) is built once and every panel — graph and
 * numbers, escalations, materials and timeline — reads from it.
 */
export function loadProjectPage(ctx: ServiceContext, actor: Actor, projectId: number, selectedKey: string | null) {
  const pc = loadProjectContext(ctx, actor, projectId);
  const workspace = getWorkspace(pc, selectedKey);
  const setup = {
    timetableChanges: listTimetableChanges(ctx.db, projectId),
    // Only those who may reassign need the candidates.
    proxyOfficers: workspace.view.can.edit ? listProxyOfficers(ctx.db) : [],
  };
  return {
    ...workspace,
    escalations: listEscalationsForPage(pc),
    panels: loadProjectPanels(pc),
    setup,
    // The project's action items (会议纪要, 督办, 差评整改) with their clocks; empty for enterprise contacts.
    actionItems: listProjectActionItems(ctx, actor, projectId),
    // 项目指标 (issue 13) from the stored figures: a read, not a replay.
    figures: projectFigures(ctx.db, projectId),
    // 督办 is the leaders' and coordinators' way to press the unit; a closed project has nobody left to press.
    canSupervise: decide(actor, "escalation.supervise").allowed && !isClosedProject(workspace.view.project.status),
  };
}

export type ProjectPage = ReturnType<typeof loadProjectPage>;
