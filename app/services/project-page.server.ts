import type { Actor } from "~/domain/access/policy";
import type { ServiceContext } from "./context.server";
import { listEscalationsForPage } from "./escalation-records.server";
import { loadProjectContext } from "./project-context.server";
import { loadProjectPanels } from "./project-panels.server";
import { getWorkspace } from "./workspace.server";

/**
 * The proxy officer's project page in one read: the project context (calendar,
 * policy, today, aggregate, schedule) is built once and every panel — graph and
 * numbers, escalations, materials and timeline — reads from it.
 */
export function loadProjectPage(ctx: ServiceContext, actor: Actor, projectId: number, selectedKey: string | null) {
  const pc = loadProjectContext(ctx, actor, projectId);
  return { ...getWorkspace(pc, selectedKey), escalations: listEscalationsForPage(pc), panels: loadProjectPanels(pc) };
}

export type ProjectPage = ReturnType<typeof loadProjectPage>;
