/**
 * Who may see and do what (DESIGN §8). Pure: the services load the facts
 * (the actor, the project's enterprise, its proxy officers, the departments
 * it involves) and ask here; routes never decide access on their own.
 */
export const ROLES = ["admin", "proxy", "enterprise", "dept", "coordinator", "leader", "integration"] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  admin: "系统管理员",
  proxy: "代办员",
  enterprise: "企业联系人",
  dept: "部门经办人",
  coordinator: "联席会议协调人",
  leader: "领导",
  integration: "系统对接",
};

/** Roles that sign in on pages; `integration` accounts (provincial platforms) hold API tokens only. */
export const PAGE_ROLES = ROLES.filter((r) => r !== "integration");

export interface Actor {
  id: number;
  role: Role;
  departmentId: number | null;
  enterpriseId: number | null;
}

export interface ProjectFacts {
  enterpriseId: number;
  proxyUserIds: readonly number[];
  /** Departments that own at least one item of the project. */
  departmentIds: readonly number[];
}

export interface ItemFacts {
  departmentId: number | null;
}

export type Action =
  | "project.list"
  | "project.view"
  | "project.create"
  | "project.edit"
  | "item.recordEvent"
  | "graph.edit"
  | "material.upload"
  | "material.verify"
  | "material.download"
  | "log.write"
  | "meeting.view"
  | "meeting.manage"
  | "escalation.supervise"
  | "escalation.acknowledge"
  | "actionItem.view"
  | "actionItem.close"
  | "dashboard.view"
  | "queue.view"
  | "admin.manage";

/** `not_found` hides a resource's existence from someone who may not see it at all (404, not 403). */
export type Decision = { allowed: true } | { allowed: false; reason: "forbidden" | "not_found" };

const ALLOW: Decision = { allowed: true };
const FORBID: Decision = { allowed: false, reason: "forbidden" };
const HIDE: Decision = { allowed: false, reason: "not_found" };

export interface AccessContext {
  project?: ProjectFacts;
  item?: ItemFacts;
  /** The lead unit (责任单位) of an action item. */
  actionItem?: { departmentId: number | null };
}

export function canViewProject(actor: Actor, project: ProjectFacts): boolean {
  switch (actor.role) {
    case "admin":
    case "proxy":
    case "coordinator":
    case "leader":
    case "integration":
      return true;
    case "enterprise":
      return actor.enterpriseId !== null && actor.enterpriseId === project.enterpriseId;
    case "dept":
      return actor.departmentId !== null && project.departmentIds.includes(actor.departmentId);
  }
}

function isAssignedProxy(actor: Actor, project: ProjectFacts): boolean {
  return actor.role === "proxy" && project.proxyUserIds.includes(actor.id);
}

/**
 * @example decide({id: 3, role: "enterprise", departmentId: null, enterpriseId: 9},
 *                 "project.view", {project: {enterpriseId: 2, proxyUserIds: [], departmentIds: []}})
 *          // → {allowed: false, reason: "not_found"}
 */
export function decide(actor: Actor, action: Action, ctx: AccessContext = {}): Decision {
  const { project, item, actionItem } = ctx;
  if (project && !canViewProject(actor, project)) return HIDE;

  switch (action) {
    case "project.list":
    case "meeting.view":
      return actor.role === "enterprise" && action === "meeting.view" ? FORBID : ALLOW;
    case "project.view":
    case "material.download":
      return project ? ALLOW : FORBID;
    case "project.create":
      return actor.role === "proxy" || actor.role === "admin" || actor.role === "integration" ? ALLOW : FORBID;
    case "project.edit":
    case "graph.edit":
    case "log.write":
    case "material.verify":
      if (!project) return FORBID;
      return isAssignedProxy(actor, project) || actor.role === "admin" ? ALLOW : FORBID;
    case "item.recordEvent":
      if (!project || !item) return FORBID;
      if (isAssignedProxy(actor, project) || actor.role === "integration") return ALLOW;
      if (actor.role === "dept") {
        return item.departmentId !== null && item.departmentId === actor.departmentId ? ALLOW : FORBID;
      }
      return FORBID;
    case "material.upload":
      if (!project) return FORBID;
      return isAssignedProxy(actor, project) || actor.role === "enterprise" ? ALLOW : FORBID;
    case "meeting.manage":
      return actor.role === "coordinator" || actor.role === "admin" ? ALLOW : FORBID;
    case "escalation.supervise":
      return actor.role === "coordinator" || actor.role === "leader" ? ALLOW : FORBID;
    case "escalation.acknowledge":
      if (!project) return FORBID;
      if (isAssignedProxy(actor, project)) return ALLOW;
      if (actor.role === "dept") {
        return item && item.departmentId !== null && item.departmentId === actor.departmentId ? ALLOW : FORBID;
      }
      return actor.role === "coordinator" || actor.role === "leader" ? ALLOW : FORBID;
    case "actionItem.view":
      // Staff see meetings' tasks (DESIGN §8); enterprises see none, and integrations have no use for them.
      return actor.role === "enterprise" || actor.role === "integration" ? FORBID : ALLOW;
    case "actionItem.close":
      // The lead unit closes its own task; coordinators (and administrators) close any, e.g. on the unit's word.
      if (actor.role === "coordinator" || actor.role === "admin") return ALLOW;
      return actor.role === "dept" && actionItem !== undefined && actionItem.departmentId !== null && actionItem.departmentId === actor.departmentId ? ALLOW : FORBID;
    case "dashboard.view":
      return actor.role === "leader" || actor.role === "coordinator" || actor.role === "admin" ? ALLOW : FORBID;
    case "queue.view":
      return actor.role === "dept" ? ALLOW : FORBID;
    case "admin.manage":
      return actor.role === "admin" ? ALLOW : FORBID;
  }
}

/** The page each role lands on after signing in. */
export function landingPath(role: Role): string {
  switch (role) {
    case "enterprise":
      return "/portal";
    case "dept":
      return "/queue";
    case "leader":
      return "/dashboard";
    case "coordinator":
      return "/meetings";
    case "admin":
      return "/admin";
    case "proxy":
    case "integration":
      return "/projects";
  }
}
