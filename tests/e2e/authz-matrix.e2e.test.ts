import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { creditCodeCheckChar } from "../../app/domain/enterprise/credit-code";
import { shanghaiToday, startApp, type App } from "./harness";
import { routeRequests, type RouteRequest } from "../support/route-list";
import { HttpClient, type Fields } from "../support/http-client";

/*
 * The authorization matrix (issue 14): every page, action intent and API method
 * the route files define × every role × the caller's own project and another's.
 * Expectations come from the access policy (app/domain/access/policy.ts) and
 * DESIGN §3/§6/§8, not from what the server answers; the route list is read from
 * app/routes, so a route, intent or API method without a row here fails the
 * first test until someone decides who may use it.
 *
 * "Allowed" means not refused: no 401/403/404, no redirect to /login, no 5xx (a
 * 400/409/422 answer to a deliberately incomplete form is allowed). "Denied"
 * means 403/404 for a signed-in caller; a page sends the signed-out (and a
 * bearer-only caller: pages never read tokens) to /login, the API answers 401.
 * POSTs carry incomplete or harmless fields, so an allowed call is refused for
 * its content or writes something no other row depends on; rows run in random
 * order (vitest shuffles), and none relies on another's write.
 */

const ROLES = ["anonymous", "admin", "proxy", "enterprise", "dept", "coordinator", "leader", "integration"] as const;
type Role = (typeof ROLES)[number];
type Scope = "own" | "other";
const PAGE_ROLES = ["admin", "proxy", "enterprise", "dept", "coordinator", "leader"] as const;

interface Fixtures {
  today: string;
  /** 智能装备产业园一期: `proxy` is its officer, `enterprise` its contact, `dept` (自然资源) owns items of it. */
  project: Record<Scope, number>;
  /** An open item of each project; own: one of 自然资源's (the demo `dept`'s department). */
  item: Record<Scope, string>;
  /** Action items led by 自然资源 (own for `dept`) and by 住建 (other). */
  actionItem: Record<Scope, number>;
  meeting: number;
  agendaItem: number;
  /** One agenda item per role that may remove one, so each removal finds its own. */
  removableAgendaItem: Partial<Record<Role, number>>;
  /** Fired escalations: own, on 自然资源's item of a project of `proxy` (新能源电池材料项目); other, on 发改's item of a project of `proxy2`. */
  ackProject: Record<Scope, number>;
  escalation: Record<Scope, number>;
  briefing: number;
  importJob: number;
  upload: number;
  material: Record<Scope, number>;
  proxyUserId: number;
  /** Targets for the administrators' forms that no other row uses. */
  spare: { user: number; department: number; integration: number; integrationToken: number };
}

/** Who may: a role list, or a rule of role and scope. `public`: anyone (signed in or not) reaches it. `token`: no session grants it (an unguessable URL token does). */
type Rule = readonly Role[] | ((role: Role, scope: Scope) => boolean) | "public" | "token";

interface Row {
  allow: Rule;
  /** The route has a project (or action item) in its path: asked for the caller's own and for another. */
  scoped?: boolean;
  path: (f: Fixtures, scope: Scope) => string;
  /** Form fields (pages) or JSON body (API); `multipart` for routes that read uploads. */
  body?: (f: Fixtures, scope: Scope, role: Role) => Fields | unknown;
  multipart?: boolean;
  /** Asks for JSON (Accept), as the page's scripts do: the panel forms answer a browser with a redirect carrying the outcome. */
  json?: boolean;
  /** Sends a small PDF as `file`. */
  file?: boolean;
  /** Signs the caller out: run with a throwaway session. */
  endsSession?: boolean;
}

// Policy helpers, each one a rule of policy.ts.
const STAFF: Role[] = ["admin", "proxy", "dept", "coordinator", "leader"];
const SIGNED_IN: Role[] = [...PAGE_ROLES];
const ADMIN: Role[] = ["admin"];
const DASHBOARD: Role[] = ["admin", "coordinator", "leader"];
const MEETING_MANAGE: Role[] = ["admin", "coordinator"];
/** canViewProject: enterprise only its own, dept only projects its department has items in. */
const viewsProject = (r: Role, s: Scope) => ["admin", "proxy", "coordinator", "leader", "integration"].includes(r) || ((r === "enterprise" || r === "dept") && s === "own");
const staffViewsProject = (r: Role, s: Scope) => r !== "enterprise" && r !== "integration" && viewsProject(r, s);
/** project.edit / graph.edit / log.write / material.verify: the assigned officer or an administrator. */
const editsProject = (r: Role, s: Scope) => r === "admin" || (r === "proxy" && s === "own");
/** item.recordEvent on an item of the dept's department (own) or of another department in a project it has no part in (other). */
const recordsEvent = (r: Role, s: Scope) => r === "integration" || ((r === "proxy" || r === "dept") && s === "own");
const supervises = (r: Role) => r === "coordinator" || r === "leader";
/** escalation.acknowledge (the escalation of the own project is on an item of the dept's department). */
const acknowledges = (r: Role, s: Scope) => supervises(r) || ((r === "proxy" || r === "dept") && s === "own");
/** Message threads: the enterprise's contacts and the assigned officers write; administrators read. */
const writesThread = (r: Role, s: Scope) => (r === "enterprise" || r === "proxy") && s === "own";
const readsThread = (r: Role, s: Scope) => writesThread(r, s) || r === "admin";
const uploadsMaterial = (r: Role, s: Scope) => (r === "enterprise" || r === "proxy") && s === "own";
const closesActionItem = (r: Role, s: Scope) => r === "admin" || r === "coordinator" || (r === "dept" && s === "own");
/** actionItem.view, narrowed by issue 11: department staff see the tasks their department leads or supports. */
const seesActionItem = (r: Role, s: Scope) => ["admin", "proxy", "coordinator", "leader"].includes(r) || (r === "dept" && s === "own");
const enterpriseOwn = (r: Role, s: Scope) => r === "enterprise" && s === "own";

const P = (f: Fixtures, s: Scope) => f.project[s];
const projectPage = (suffix = "") => (f: Fixtures, s: Scope) => `/projects/${P(f, s)}${suffix}`;
const apiProject = (suffix = "") => (f: Fixtures, s: Scope) => `/api/v1/projects/${P(f, s)}${suffix}`;
const fixed = (path: string) => () => path;
const intent = (name: string, more: (f: Fixtures, s: Scope, r: Role) => Fields = () => ({})) => (f: Fixtures, s: Scope, r: Role) => ({ intent: name, ...more(f, s, r) });
/** A small file for upload forms, so an upload is refused for who sends it and not for an empty file. */
const PDF = { field: "file", name: "矩阵测试.pdf", type: "application/pdf", bytes: new TextEncoder().encode("%PDF-1.4\n%matrix\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n") };

/** Keys exactly as routeRequests() spells them. */
const TABLE: Record<string, Row> = {
  // Public pages and sign-in.
  "GET /": { allow: SIGNED_IN, path: fixed("/") },
  "GET /login": { allow: "public", path: fixed("/login") },
  "POST /login": { allow: "public", path: fixed("/login"), body: () => ({ login: "", password: "" }) },
  "GET /logout": { allow: "public", path: fixed("/logout") },
  "POST /logout": { allow: SIGNED_IN, path: fixed("/logout"), body: () => ({}), endsSession: true },
  "GET /invite/:token": { allow: "public", path: fixed("/invite/no-such-invitation-token") },
  "POST /invite/:token": { allow: "public", path: fixed("/invite/no-such-invitation-token"), body: () => ({ password: "", confirm: "" }) },
  // For load balancers and monitors: no session needed.
  "GET /healthz": { allow: "public", path: fixed("/healthz") },
  "GET /calendar.ics": { allow: "token", path: fixed("/calendar.ics?token=gc_cal_not_a_real_token") },

  // Every signed-in user's own pages; the calendar feed is staff's (enterprises see no meetings, DESIGN §8).
  "GET /account/calendar": { allow: STAFF, path: fixed("/account/calendar") },
  "POST /account/calendar intent=issue": { allow: STAFF, path: fixed("/account/calendar"), body: intent("issue") },
  "POST /account/calendar intent=revoke": { allow: STAFF, path: fixed("/account/calendar"), body: intent("revoke") },
  "GET /account/password": { allow: SIGNED_IN, path: fixed("/account/password") },
  "POST /account/password intent=change": { allow: SIGNED_IN, path: fixed("/account/password"), body: intent("change", () => ({ current: "", password: "", confirm: "" })) },
  "GET /inbox": { allow: SIGNED_IN, path: fixed("/inbox") },
  "GET /account/sessions": { allow: SIGNED_IN, path: fixed("/account/sessions") },
  // Posted from the shared session, which it keeps: it ends only the role's other (throwaway) sessions.
  "POST /account/sessions intent=signOutElsewhere": { allow: SIGNED_IN, path: fixed("/account/sessions"), body: intent("signOutElsewhere") },
  "POST /inbox": { allow: SIGNED_IN, path: fixed("/inbox"), body: () => ({}) },

  // Administration (admin.manage): the guard runs before the form is read, so empty forms suffice.
  "GET /admin": { allow: ADMIN, path: fixed("/admin") },
  "POST /admin intent=policy": { allow: ADMIN, path: fixed("/admin"), body: intent("policy") },
  "GET /admin/calendar": { allow: ADMIN, path: fixed("/admin/calendar") },
  "GET /admin/audit": { allow: ADMIN, path: fixed("/admin/audit") },
  "GET /admin/audit.csv": { allow: ADMIN, path: fixed("/admin/audit.csv") },
  "GET /admin/status": { allow: ADMIN, path: fixed("/admin/status") },
  "POST /admin/calendar intent=override": { allow: ADMIN, path: fixed("/admin/calendar"), body: intent("override") },
  "POST /admin/calendar intent=remove": { allow: ADMIN, path: fixed("/admin/calendar"), body: intent("remove") },
  "POST /admin/calendar intent=year": { allow: ADMIN, path: fixed("/admin/calendar"), body: intent("year") },
  "GET /admin/departments": { allow: ADMIN, path: fixed("/admin/departments") },
  "POST /admin/departments intent=create": { allow: ADMIN, path: fixed("/admin/departments"), body: intent("create") },
  "POST /admin/departments intent=update": { allow: ADMIN, path: fixed("/admin/departments"), body: intent("update", (f) => ({ id: String(f.spare.department), name: "" })) },
  "POST /admin/departments intent=deactivate": { allow: ADMIN, path: fixed("/admin/departments"), body: intent("deactivate", (f) => ({ id: String(f.spare.department) })) },
  "POST /admin/departments intent=reactivate": { allow: ADMIN, path: fixed("/admin/departments"), body: intent("reactivate", (f) => ({ id: String(f.spare.department) })) },
  "GET /admin/import": { allow: ADMIN, path: fixed("/admin/import") },
  "POST /admin/import": { allow: ADMIN, path: fixed("/admin/import"), body: () => ({}), multipart: true },
  "GET /admin/import/:jobId": { allow: ADMIN, path: (f) => `/admin/import/${f.importJob}` },
  "POST /admin/import/:jobId intent=confirm": { allow: ADMIN, path: (f) => `/admin/import/${f.importJob}`, body: intent("noSuchIntent") },
  "GET /admin/import/:jobId/status": { allow: ADMIN, path: (f) => `/admin/import/${f.importJob}/status` },
  "GET /admin/integrations": { allow: ADMIN, path: fixed("/admin/integrations") },
  "POST /admin/integrations intent=create": { allow: ADMIN, path: fixed("/admin/integrations"), body: intent("create") },
  "POST /admin/integrations intent=issueToken": { allow: ADMIN, path: fixed("/admin/integrations"), body: intent("issueToken", (f) => ({ id: String(f.spare.integration), label: "" })) },
  "POST /admin/integrations intent=revokeToken": { allow: ADMIN, path: fixed("/admin/integrations"), body: intent("revokeToken", (f) => ({ tokenId: String(f.spare.integrationToken) })) },
  "POST /admin/integrations intent=deactivate": { allow: ADMIN, path: fixed("/admin/integrations"), body: intent("deactivate", (f) => ({ id: String(f.spare.integration) })) },
  "POST /admin/integrations intent=reactivate": { allow: ADMIN, path: fixed("/admin/integrations"), body: intent("reactivate", (f) => ({ id: String(f.spare.integration) })) },
  "GET /admin/templates": { allow: ADMIN, path: fixed("/admin/templates") },
  "POST /admin/templates": { allow: ADMIN, path: fixed("/admin/templates"), body: () => ({}), multipart: true },
  "GET /admin/templates/:key": { allow: ADMIN, path: fixed("/admin/templates/general-industrial") },
  "GET /admin/templates/:key.json": { allow: ADMIN, path: fixed("/admin/templates/general-industrial.json") },
  "GET /admin/users": { allow: ADMIN, path: fixed("/admin/users") },
  "POST /admin/users intent=create": { allow: ADMIN, path: fixed("/admin/users"), body: intent("create") },
  "POST /admin/users intent=update": { allow: ADMIN, path: fixed("/admin/users"), body: intent("update", (f) => ({ id: String(f.spare.user), displayName: "" })) },
  "POST /admin/users intent=resetPassword": { allow: ADMIN, path: fixed("/admin/users"), body: intent("resetPassword", (f) => ({ id: String(f.spare.user) })) },
  "POST /admin/users intent=deactivate": { allow: ADMIN, path: fixed("/admin/users"), body: intent("deactivate", (f) => ({ id: String(f.spare.user) })) },
  "POST /admin/users intent=reactivate": { allow: ADMIN, path: fixed("/admin/users"), body: intent("reactivate", (f) => ({ id: String(f.spare.user) })) },

  // Leaders' screens (dashboard.view); 督办 is escalation.supervise.
  "GET /dashboard": { allow: DASHBOARD, path: fixed("/dashboard") },
  "POST /dashboard intent=supervise": {
    allow: (r) => supervises(r),
    scoped: true,
    path: fixed("/dashboard"),
    body: intent("supervise", (f, s) => ({ projectId: String(P(f, s)), itemKey: "", note: "", dueInWorkingDays: "" })),
  },
  "GET /dashboard/list": { allow: DASHBOARD, path: fixed("/dashboard/list") },
  "GET /dashboard/ranking": { allow: DASHBOARD, path: fixed("/dashboard/ranking") },
  "GET /dashboard/charts": { allow: DASHBOARD, path: fixed("/dashboard/charts") },
  "GET /dashboard/briefings": { allow: DASHBOARD, path: fixed("/dashboard/briefings") },
  "POST /dashboard/briefings intent=generate": { allow: DASHBOARD, path: fixed("/dashboard/briefings"), body: intent("generate", () => ({ kind: "" })) },
  "GET /dashboard/briefings/:id": { allow: DASHBOARD, path: (f) => `/dashboard/briefings/${f.briefing}` },
  "GET /dashboard/briefings/:id.xlsx": { allow: DASHBOARD, path: (f) => `/dashboard/briefings/${f.briefing}.xlsx` },

  // Meetings: staff see them (meeting.view), coordinators and administrators run them (meeting.manage).
  "GET /meetings": { allow: STAFF, path: fixed("/meetings") },
  "GET /meetings/new": { allow: MEETING_MANAGE, path: fixed("/meetings/new") },
  "POST /meetings/new intent=create": { allow: MEETING_MANAGE, path: fixed("/meetings/new"), body: intent("create") },
  "GET /meetings/:id": { allow: STAFF, path: (f) => `/meetings/${f.meeting}` },
  "GET /meetings/:id/minutes": { allow: STAFF, path: (f) => `/meetings/${f.meeting}/minutes` },
  "GET /meetings/:id/minutes.docx": { allow: STAFF, path: (f) => `/meetings/${f.meeting}/minutes.docx` },
  ...Object.fromEntries(
    (
      [
        ["update", () => ({ departments: [] })],
        ["addCandidate", (f: Fixtures) => ({ projectId: String(f.project.own), itemKey: "no-such-item", actionItemId: "" })],
        ["addFree", () => ({ summary: "", projectId: "", note: "" })],
        ["remove", (f: Fixtures, _s: Scope, r: Role) => ({ agendaItemId: String(f.removableAgendaItem[r] ?? f.agendaItem) })],
        ["move", (f: Fixtures) => ({ agendaItemId: String(f.agendaItem), direction: "up" })],
        ["note", (f: Fixtures) => ({ agendaItemId: String(f.agendaItem), note: "矩阵测试备注" })],
        ["minutes", (f: Fixtures) => ({ agendaItemId: String(f.agendaItem), discussion: "", resolved: "", decisionText: "" })],
        ["preamble", () => ({ minutes: "矩阵测试纪要" })],
        ["held", () => ({})],
        ["issue", () => ({})],
        ["close", () => ({})],
      ] as [string, (f: Fixtures, s: Scope, r: Role) => Fields][]
    ).map(([name, more]) => [`POST /meetings/:id intent=${name}`, { allow: MEETING_MANAGE, path: (f: Fixtures) => `/meetings/${f.meeting}`, body: intent(name, more) } satisfies Row]),
  ),
  "GET /meetings/actions": { allow: STAFF, path: fixed("/meetings/actions") },
  "GET /meetings/actions.xlsx": { allow: STAFF, path: fixed("/meetings/actions.xlsx") },
  "GET /meetings/actions/:id": { allow: (r, s) => seesActionItem(r, s), scoped: true, path: (f, s) => `/meetings/actions/${f.actionItem[s]}` },
  "POST /meetings/actions/:id intent=close": {
    allow: closesActionItem,
    scoped: true,
    path: (f, s) => `/meetings/actions/${f.actionItem[s]}`,
    // No note: allowed callers get the 422 asking for one, the item stays open.
    body: intent("close", () => ({ note: "" })),
    multipart: true,
  },

  // The enterprise portal.
  "GET /portal": { allow: ["enterprise"], path: fixed("/portal") },
  "GET /portal/projects/:id": { allow: enterpriseOwn, scoped: true, path: (f, s) => `/portal/projects/${P(f, s)}` },
  "POST /portal/projects/:id intent=rate": {
    allow: enterpriseOwn,
    scoped: true,
    path: (f, s) => `/portal/projects/${P(f, s)}`,
    // An item still in progress: the enterprise's own rating is refused as "not finished yet" (409), nothing stored.
    body: intent("rate", (f, s) => ({ itemKey: f.item[s], score: "5", comment: "" })),
    multipart: true,
  },
  "POST /portal/projects/:id intent=upload": {
    allow: enterpriseOwn,
    scoped: true,
    path: (f, s) => `/portal/projects/${P(f, s)}`,
    body: intent("upload", (f, s) => ({ materialId: String(f.material[s]) })),
    multipart: true,
    file: true,
  },
  "GET /portal/projects/:id/messages": { allow: readsThread, scoped: true, path: (f, s) => `/portal/projects/${P(f, s)}/messages` },
  "POST /portal/projects/:id/messages": {
    allow: writesThread,
    scoped: true,
    path: (f, s) => `/portal/projects/${P(f, s)}/messages`,
    body: () => ({ intent: "message", body: "" }),
    multipart: true,
  },

  // Projects. The panels' GET (logs, materials) only sends the browser to the project page (its own row);
  // their posts answer a script asking for JSON with the real status.
  "GET /projects": { allow: SIGNED_IN, path: fixed("/projects") },
  "GET /projects/new": { allow: ["admin", "proxy"], path: fixed("/projects/new") },
  "POST /projects/new": { allow: ["admin", "proxy"], path: fixed("/projects/new"), body: () => ({}) },
  // The ledgers list what the caller may see (visibleProjectIds / project.view): an enterprise gets its own projects.
  "GET /projects/ledger.xlsx": { allow: SIGNED_IN, path: fixed("/projects/ledger.xlsx") },
  "GET /projects/:projectId": { allow: staffViewsProject, scoped: true, path: projectPage() },
  "POST /projects/:projectId intent=acknowledge": {
    allow: acknowledges,
    scoped: true,
    path: (f, s) => `/projects/${f.ackProject[s]}`,
    body: intent("acknowledge", (f, s) => ({ escalationId: String(f.escalation[s]), note: "" })),
  },
  "POST /projects/:projectId intent=escalationSettings": { allow: (r) => r === "admin", scoped: true, path: projectPage(), body: intent("escalationSettings", (f, s) => ({ itemKey: f.item[s] })) },
  "POST /projects/:projectId intent=proxies": {
    allow: editsProject,
    scoped: true,
    path: projectPage(),
    // The officers it already has (own: `proxy`; other: none), so an allowed call changes nothing.
    body: intent("proxies", (f, s) => ({ proxyUserIds: s === "own" ? [String(f.proxyUserId)] : [] })),
  },
  "POST /projects/:projectId intent=supervise": { allow: (r, s) => supervises(r) && staffViewsProject(r, s), scoped: true, path: projectPage(), body: intent("supervise", () => ({ itemKey: "", note: "", dueInWorkingDays: "" })) },
  "POST /projects/:projectId intent=reschedule": { allow: editsProject, scoped: true, path: projectPage(), body: intent("reschedule", () => ({ targetStartOn: "", reason: "" })) },
  "POST /projects/:projectId intent=close": { allow: editsProject, scoped: true, path: projectPage(), body: intent("close", () => ({ outcome: "", on: "", reason: "" })) },
  "POST /projects/:projectId intent=addDependency": { allow: editsProject, scoped: true, path: projectPage(), body: intent("addDependency", () => ({ from: "", to: "", lagWorkingDays: "" })) },
  "POST /projects/:projectId intent=removeDependency": { allow: editsProject, scoped: true, path: projectPage(), body: intent("removeDependency", () => ({ from: "", to: "", lagWorkingDays: "" })) },
  "POST /projects/:projectId intent=event": {
    allow: (r, s) => r !== "integration" && recordsEvent(r, s),
    scoped: true,
    path: projectPage(),
    // 恢复计时 on an item that is not suspended: a refusal for its state (409) once access is granted.
    body: intent("event", (f, s) => ({ itemKey: f.item[s], type: "resume", on: f.today, note: "" })),
  },
  "POST /projects/:projectId intent=invite": { allow: editsProject, scoped: true, path: projectPage(), body: intent("invite", () => ({ name: "", phone: "", email: "" })) },
  "GET /projects/:projectId/messages": { allow: readsThread, scoped: true, path: projectPage("/messages") },
  "POST /projects/:projectId/messages": { allow: writesThread, scoped: true, path: projectPage("/messages"), body: () => ({ intent: "message", body: "" }), multipart: true },
  "GET /projects/:projectId/notice": { allow: (r, s) => r !== "integration" && viewsProject(r, s), scoped: true, path: projectPage("/notice") },
  "GET /projects/:projectId/ledger.xlsx": { allow: (r, s) => r !== "integration" && viewsProject(r, s), scoped: true, path: projectPage("/ledger.xlsx") },
  "GET /projects/:projectId/logs": { allow: "public", scoped: true, path: projectPage("/logs") },
  "POST /projects/:projectId/logs": { allow: editsProject, scoped: true, json: true, path: projectPage("/logs"), body: () => ({ on: "", kind: "", note: "" }) },
  "GET /projects/:projectId/materials": { allow: "public", scoped: true, path: projectPage("/materials") },
  "POST /projects/:projectId/materials intent=upload": {
    allow: uploadsMaterial,
    scoped: true,
    path: projectPage("/materials"),
    json: true,
    body: intent("upload", (f, s) => ({ materialId: String(f.material[s]) })),
    multipart: true,
    file: true,
  },
  "POST /projects/:projectId/materials intent=verify": { allow: editsProject, scoped: true, json: true, path: projectPage("/materials"), body: intent("verify", (f, s) => ({ materialId: String(f.material[s]) })), multipart: true },
  "POST /projects/:projectId/materials intent=reject": { allow: editsProject, scoped: true, json: true, path: projectPage("/materials"), body: intent("reject", (f, s) => ({ materialId: String(f.material[s]), note: "" })), multipart: true },
  "GET /projects/:projectId/version": { allow: staffViewsProject, scoped: true, path: projectPage("/version") },
  "GET /uploads/:uploadId": { allow: (r) => r !== "integration" && viewsProject(r, "own"), path: (f) => `/uploads/${f.upload}` },

  // Department staff's queue.
  "GET /queue": { allow: ["dept"], path: fixed("/queue") },
  "POST /queue intent=event": {
    allow: (r, s) => r === "dept" && s === "own",
    scoped: true,
    path: fixed("/queue"),
    body: intent("event", (f, s) => ({ itemKey: `${P(f, s)}/${f.item[s]}`, type: "resume", on: f.today, note: "" })),
  },

  // JSON API v1 (DESIGN §6): bearer tokens of every role; `integration` is a platform's account.
  "GET /api/v1/*": { allow: [], path: fixed("/api/v1/no-such-endpoint") },
  "POST /api/v1/*": { allow: [], path: fixed("/api/v1/no-such-endpoint"), body: () => ({}) },
  "GET /api/v1/calendar/add": { allow: [...SIGNED_IN, "integration"], path: (f) => `/api/v1/calendar/add?from=${f.today}&days=3` },
  "GET /api/v1/calendar/between": { allow: [...SIGNED_IN, "integration"], path: (f) => `/api/v1/calendar/between?from=${f.today}&to=${f.today}` },
  "GET /api/v1/departments": { allow: [...STAFF, "integration"], path: fixed("/api/v1/departments") },
  "GET /api/v1/dashboard": { allow: DASHBOARD, path: fixed("/api/v1/dashboard") },
  "GET /api/v1/projects": { allow: [...SIGNED_IN, "integration"], path: fixed("/api/v1/projects") },
  "POST /api/v1/projects": { allow: ["admin", "proxy", "integration"], path: fixed("/api/v1/projects"), body: () => ({}) },
  "GET /api/v1/projects/:id": { allow: viewsProject, scoped: true, path: apiProject() },
  "PATCH /api/v1/projects/:id": { allow: editsProject, scoped: true, path: apiProject(), body: () => ({ targetStartOn: "", reason: "" }) },
  "GET /api/v1/projects/:id/schedule": { allow: viewsProject, scoped: true, path: apiProject("/schedule") },
  "GET /api/v1/projects/:id/escalations": { allow: viewsProject, scoped: true, path: apiProject("/escalations") },
  "POST /api/v1/projects/:id/items/:key/events": {
    allow: recordsEvent,
    scoped: true,
    path: (f, s) => `/api/v1/projects/${P(f, s)}/items/${f.item[s]}/events`,
    body: (f) => ({ type: "resume", on: f.today }),
  },
  "POST /api/v1/projects/:id/items/:key/rating": { allow: enterpriseOwn, scoped: true, path: (f, s) => `/api/v1/projects/${P(f, s)}/items/${f.item[s]}/rating`, body: () => ({ score: 5 }) },
  "GET /api/v1/projects/:id/messages": { allow: readsThread, scoped: true, path: apiProject("/messages") },
  "POST /api/v1/projects/:id/messages": { allow: writesThread, scoped: true, path: apiProject("/messages"), body: () => ({ body: "" }) },
  "POST /api/v1/projects/:id/supervision": { allow: (r) => supervises(r), scoped: true, path: apiProject("/supervision"), body: () => ({ note: "", dueInWorkingDays: 0 }) },
  "GET /api/v1/meetings": { allow: [...STAFF, "integration"], path: fixed("/api/v1/meetings") },
  "POST /api/v1/meetings": { allow: MEETING_MANAGE, path: fixed("/api/v1/meetings"), body: () => ({}) },
  "GET /api/v1/meetings/:id": { allow: [...STAFF, "integration"], path: (f) => `/api/v1/meetings/${f.meeting}` },
  "GET /api/v1/meetings/:id/agenda-candidates": { allow: MEETING_MANAGE, path: (f) => `/api/v1/meetings/${f.meeting}/agenda-candidates` },
  "POST /api/v1/meetings/:id/agenda": { allow: MEETING_MANAGE, path: (f) => `/api/v1/meetings/${f.meeting}/agenda`, body: () => ({}) },
  "POST /api/v1/meetings/:id/decisions": { allow: MEETING_MANAGE, path: (f) => `/api/v1/meetings/${f.meeting}/decisions`, body: () => ({}) },
  "GET /api/v1/action-items": { allow: STAFF, path: fixed("/api/v1/action-items") },
  "GET /api/v1/action-items/:id": { allow: (r, s) => seesActionItem(r, s), scoped: true, path: (f, s) => `/api/v1/action-items/${f.actionItem[s]}` },
  "POST /api/v1/action-items/:id/close": { allow: closesActionItem, scoped: true, path: (f, s) => `/api/v1/action-items/${f.actionItem[s]}/close`, body: () => ({ note: "" }) },
};

type Outcome = "allowed" | "denied" | "login" | "unauthenticated" | "error";

function outcomeOf(r: Response): Outcome {
  if (r.status >= 500) return "error";
  const location = r.headers.get("Location") ?? "";
  if (r.status >= 300 && r.status < 400 && new URL(location, "http://x").pathname === "/login") return "login";
  if (r.status === 401) return "unauthenticated";
  if (r.status === 403 || r.status === 404) return "denied";
  return "allowed";
}

function expected(row: Row, req: RouteRequest, role: Role, scope: Scope): Outcome[] {
  const rule = row.allow;
  // A bogus invitation token is "not found" for everyone; what matters is that nobody is sent to sign in or gets a 500.
  if (rule === "public") return req.pattern.startsWith("/invite/") ? ["allowed", "denied"] : ["allowed"];
  if (rule === "token") return ["unauthenticated", "denied"];
  if (req.api && role === "anonymous") return ["unauthenticated"];
  // Pages never read bearer tokens: a platform's call is a signed-out one (a POST may be stopped by the CSRF check first).
  if (!req.api && (role === "anonymous" || role === "integration")) return req.method === "GET" ? ["login"] : ["login", "denied"];
  const allowed = typeof rule === "function" ? rule(role, scope) : rule.includes(role);
  // Signing out ends at the sign-in page.
  if (allowed && row.endsSession) return ["login", "allowed"];
  return [allowed ? "allowed" : "denied"];
}

let app: App;
let fx: Fixtures;
/** Signed-in browsers (pages) and bearer-token callers (API), one per role. */
const pages = new Map<Role, HttpClient>();
const api = new Map<Role, HttpClient>();

/**
 * Bearer tokens as `npm run api-token -- <login>` issues them (the same service call), for
 * several users in one process: starting tsx once per user costs seconds each.
 */
function issueTokens(logins: string[]): Promise<Record<string, string>> {
  const code = `
    const { createApiToken } = await import(${JSON.stringify(resolve("app/services/auth.server.ts"))});
    const { getDb } = await import(${JSON.stringify(resolve("app/utils/db.server.ts"))});
    const out = {};
    for (const login of ${JSON.stringify(logins)}) out[login] = createApiToken(getDb(), login);
    console.log(JSON.stringify(out));`;
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { env: { ...process.env, DATABASE_PATH: app.databasePath } });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    p.on("close", (status) => {
      try {
        if (status !== 0) throw new Error(err);
        done(JSON.parse(out.trim().split("\n").pop()!));
      } catch (e) {
        fail(new Error(`issuing API tokens failed: ${e}`));
      }
    });
  });
}

async function signedIn(login: string): Promise<HttpClient> {
  const c = new HttpClient(app.baseUrl);
  await c.signIn(login);
  return c;
}

/** Reads ids of demo rows the matrix needs (the seed names them; their ids are the database's). */
function db() {
  return new Database(app.databasePath, { readonly: true, fileMustExist: true });
}

beforeAll(async () => {
  app = await startApp();
  try {
    await prepare();
  } catch (e) {
    console.log(app.output());
    throw e;
  }
}, 240_000);

afterAll(async () => {
  await app?.stop();
});

async function prepare() {
  api.set("anonymous", new HttpClient(app.baseUrl));
  pages.set("anonymous", new HttpClient(app.baseUrl));
  await Promise.all(PAGE_ROLES.map(async (r) => pages.set(r, await signedIn(r))));
  const admin = pages.get("admin")!;

  // Platform accounts, made as an administrator makes them: one for the matrix, one spare for the account forms.
  for (const login of ["matrix-platform", "matrix-spare"]) {
    const made = await admin.post("/admin/integrations", { intent: "create", login, displayName: `矩阵测试${login}` });
    expect(made.status, await made.clone().text()).toBe(200);
  }
  const tokens = await issueTokens([...PAGE_ROLES, "matrix-platform", "matrix-spare"]);
  for (const r of PAGE_ROLES) api.set(r, new HttpClient(app.baseUrl, tokens[r]));
  const platformToken = tokens["matrix-platform"];
  const platform = new HttpClient(app.baseUrl, platformToken);
  api.set("integration", platform);
  // Pages get the platform's bearer token and no cookie.
  pages.set("integration", new HttpClient(app.baseUrl, platformToken));
  const department = await admin.post("/admin/departments", { intent: "create", code: "矩阵备用", name: "矩阵测试备用部门", level: "city", contactName: "", contactPhone: "" });
  expect(department.status, await department.clone().text()).toBe(200);

  // "Other" project: another enterprise's, no officer assigned, and no item of 自然资源 (the demo dept's department).
  const template = JSON.parse(readFileSync("templates/standard-land.json", "utf8"));
  const keep = ["filing", "eia-approval", "start"];
  const today = shanghaiToday();
  const credit17 = "91330100MA2H7Y6W5";
  const created = await api.get("admin")!.json("POST", "/api/v1/projects", {
    name: "权限矩阵对照项目",
    enterprise: { name: "矩阵对照企业有限公司", creditCode: credit17 + creditCodeCheckChar(credit17) },
    template: {
      ...template,
      key: "authz-matrix-other",
      items: template.items.filter((i: { key: string }) => keep.includes(i.key)),
      dependencies: [
        { from: "filing", to: "eia-approval" },
        { from: "eia-approval", to: "start" },
      ],
    },
    signedOn: today,
    targetStartOn: `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const otherProject = (created.body as { id: number }).id;

  // A meeting of the matrix's own, with agenda items and a task for each of two departments.
  const coordinatorApi = api.get("coordinator")!;
  const meeting = await coordinatorApi.json("POST", "/api/v1/meetings", { type: "joint", title: "权限矩阵测试会议", heldOn: today });
  expect(meeting.status, JSON.stringify(meeting.body)).toBe(201);
  const meetingId = (meeting.body as { id: number }).id;

  const d = db();
  try {
    const one = <T>(sql: string, ...args: unknown[]) => d.prepare(sql).get(...args) as T | undefined;
    const idOf = (sql: string, ...args: unknown[]) => {
      const row = one<{ id: number }>(sql, ...args);
      if (!row) throw new Error(`matrix fixture missing: ${sql} ${args.join(", ")}`);
      return row.id;
    };
    const projectNamed = (name: string) => idOf("SELECT id FROM projects WHERE name = ?", name);
    const ownProject = projectNamed("智能装备产业园一期");
    const zrzy = idOf("SELECT id FROM departments WHERE code = '自然资源'");
    const openItem = (projectId: number, departmentId: number | null) => {
      const row = one<{ key: string }>(
        `SELECT key FROM items WHERE project_id = ? AND status NOT IN ('approved', 'waived', 'rejected', 'withdrawn') AND kind = 'approval' ${departmentId ? "AND department_id = ?" : ""} ORDER BY id LIMIT 1`,
        ...(departmentId ? [projectId, departmentId] : [projectId]),
      );
      if (!row) throw new Error(`no open item in project ${projectId}`);
      return row.key;
    };
    for (const projectId of [ownProject, projectNamed("冷链物流配送中心"), projectNamed("生物医药中试基地")]) {
      const agenda = await coordinatorApi.json("POST", `/api/v1/meetings/${meetingId}/agenda`, { projectId });
      expect(agenda.status, JSON.stringify(agenda.body)).toBe(201);
    }
    const agendaItems = (d.prepare("SELECT id FROM agenda_items WHERE meeting_id = ? ORDER BY id").all(meetingId) as { id: number }[]).map((a) => a.id);
    const decision = await coordinatorApi.json("POST", `/api/v1/meetings/${meetingId}/decisions`, {
      text: "权限矩阵测试议定事项",
      actionItems: [
        { title: "自然资源牵头的矩阵任务", leadDepartment: "自然资源", dueInWorkingDays: 10 },
        { title: "住建牵头的矩阵任务", leadDepartment: "住建", dueInWorkingDays: 10 },
      ],
    });
    expect(decision.status, JSON.stringify(decision.body)).toBe(201);
    const [ownTask, otherTask] = (decision.body as { actionItems: { id: number }[] }).actionItems.map((a) => a.id);

    // An upload in the own project: the enterprise's contact sends a file in its thread.
    const sent = await pages.get("enterprise")!.post(`/portal/projects/${ownProject}/messages`, { intent: "message", body: "矩阵测试附件" }, { file: PDF });
    expect(sent.status, await sent.clone().text()).toBe(200);

    // A ledger import awaiting confirmation: the administrator uploads the city ledger as exported.
    const ledger = await admin.get("/projects/ledger.xlsx");
    expect(ledger.status).toBe(200);
    const xlsx = { field: "file", name: "台账.xlsx", type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", bytes: new Uint8Array(await ledger.arrayBuffer()) };
    const preview = await admin.post("/admin/import", {}, { file: xlsx });
    expect([302, 303], await preview.clone().text()).toContain(preview.status);

    // A 通报 to open.
    const briefing = await pages.get("leader")!.post("/dashboard/briefings", { intent: "generate", kind: "weekly" });
    expect([200, 302, 303]).toContain(briefing.status);

    // The worker fires the demo's overdue escalations shortly after start.
    const firedOn = (projectId: number, departmentCode: string) =>
      one<{ id: number }>(
        "SELECT e.id FROM escalations e JOIN items i ON i.id = e.item_id JOIN departments dp ON dp.id = i.department_id WHERE e.project_id = ? AND dp.code = ? AND e.fired_at IS NOT NULL AND e.action_item_id IS NULL ORDER BY e.id LIMIT 1",
        projectId,
        departmentCode,
      );
    const ackOwn = projectNamed("新能源电池材料项目");
    const ackOther = projectNamed("城市算力数据中心");
    const deadline = Date.now() + 30_000;
    while (!firedOn(ackOwn, "自然资源") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    // The other project's 发改 item only warns (yellow at the day's firing time), so whether the worker
    // has fired it yet depends on the hour the suite runs. When it has not, the fixture fires its
    // earliest timer the way the worker would record it (fired_at), through a writable connection.
    if (!firedOn(ackOther, "发改")) {
      const w = new Database(app.databasePath, { fileMustExist: true });
      try {
        const next = w
          .prepare(
            "SELECT e.id FROM escalations e JOIN items i ON i.id = e.item_id JOIN departments dp ON dp.id = i.department_id WHERE e.project_id = ? AND dp.code = '发改' AND e.fired_at IS NULL AND e.action_item_id IS NULL ORDER BY e.fire_at LIMIT 1",
          )
          .get(ackOther) as { id: number } | undefined;
        if (next) w.prepare("UPDATE escalations SET fired_at = ? WHERE id = ?").run(Date.now(), next.id);
      } finally {
        w.close();
      }
    }

    fx = {
      today,
      project: { own: ownProject, other: otherProject },
      item: { own: openItem(ownProject, zrzy), other: openItem(otherProject, null) },
      actionItem: { own: ownTask, other: otherTask },
      meeting: meetingId,
      agendaItem: agendaItems[0],
      removableAgendaItem: { admin: agendaItems[1], coordinator: agendaItems[2] },
      ackProject: { own: ackOwn, other: ackOther },
      escalation: { own: firedOn(ackOwn, "自然资源")?.id ?? 0, other: firedOn(ackOther, "发改")?.id ?? 0 },
      briefing: idOf("SELECT id FROM briefings ORDER BY id DESC LIMIT 1"),
      importJob: idOf("SELECT id FROM import_jobs ORDER BY id DESC LIMIT 1"),
      upload: idOf("SELECT upload_id AS id FROM project_messages WHERE project_id = ? AND upload_id IS NOT NULL ORDER BY id DESC LIMIT 1", ownProject),
      material: { own: idOf("SELECT id FROM materials WHERE project_id = ? ORDER BY id LIMIT 1", ownProject), other: idOf("SELECT id FROM materials WHERE project_id = ? ORDER BY id LIMIT 1", otherProject) },
      proxyUserId: idOf("SELECT id FROM users WHERE login = 'proxy'"),
      spare: {
        user: idOf("SELECT id FROM users WHERE login = 'dept-sthj'"),
        department: idOf("SELECT id FROM departments WHERE code = '矩阵备用'"),
        integration: idOf("SELECT id FROM users WHERE login = 'matrix-spare'"),
        integrationToken: idOf("SELECT t.id FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.login = 'matrix-spare'"),
      },
    };
    if (!fx.escalation.own || !fx.escalation.other) throw new Error(`the worker fired no escalation to acknowledge: ${JSON.stringify(fx.escalation)}`);
  } finally {
    d.close();
  }
}

const REQUESTS = routeRequests();

/** GET answers, shared by the matrix and the scan (each asks for the same pages as the same people). */
const gets = new Map<string, Promise<Response>>();

async function send(role: Role, row: Row, req: RouteRequest, scope: Scope): Promise<Response> {
  if (req.method === "GET") {
    const key = `${req.key} ${role} ${scope}`;
    if (!gets.has(key)) gets.set(key, sendOnce(role, row, req, scope));
    return (await gets.get(key)!).clone();
  }
  return sendOnce(role, row, req, scope);
}

async function sendOnce(role: Role, row: Row, req: RouteRequest, scope: Scope): Promise<Response> {
  const path = row.path(fx, scope);
  const body = row.body?.(fx, scope, role);
  if (req.api) {
    const client = api.get(role)!;
    return req.method === "GET" ? client.get(path) : client.raw(req.method, path, { json: body ?? {} });
  }
  const signedOut = role === "anonymous" || role === "integration";
  const client = row.endsSession && !signedOut ? await signedIn(role) : pages.get(role)!;
  if (req.method === "GET") return client.get(path);
  return client.post(path, (body as Fields) ?? {}, { multipart: row.multipart, file: row.file ? PDF : undefined, headers: row.json ? { Accept: "application/json" } : {} });
}

// Rows are independent (none relies on another's write), so they run a few at a time.
describe.concurrent("the authorization matrix", () => {
  it("has a row for every page, action intent and API method the route files define, and none for one that is gone", ({ expect }) => {
    const defined = REQUESTS.map((r) => r.key).sort();
    const rows = Object.keys(TABLE).sort();
    expect({ withoutRow: defined.filter((k) => !(k in TABLE)), rowWithoutRoute: rows.filter((k) => !defined.includes(k)) }).toEqual({ withoutRow: [], rowWithoutRoute: [] });
  });

  for (const req of REQUESTS) {
    const row = TABLE[req.key];
    if (!row) continue;
    it(`${req.key}: every role${row.scoped ? ", own and other" : ""}`, async ({ expect }) => {
      const cases = ROLES.flatMap((role) => (row.scoped ? (["own", "other"] as const) : (["own"] as const)).map((scope) => ({ role, scope })));
      const problems = await Promise.all(
        cases.map(async ({ role, scope }) => {
          const r = await send(role, row, req, scope);
          const want = expected(row, req, role, scope);
          const got = outcomeOf(r);
          if (want.includes(got)) return null;
          const text = (await r.text()).replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").slice(0, 160);
          return `${role}${row.scoped ? ` (${scope})` : ""}: expected ${want.join("|")}, got ${r.status} ${r.headers.get("Location") ?? ""} ${text}`;
        }),
      );
      expect(
        problems.filter((p) => p !== null),
        `${req.key} (app/routes/${req.file})`,
      ).toEqual([]);
    });
  }

  it("the API never takes a session cookie: every endpoint answers a signed-in browser without a bearer token 401", async ({ expect }) => {
    const admin = pages.get("admin")!;
    const problems = await Promise.all(
      REQUESTS.filter((r) => r.api && TABLE[r.key]).map(async (req) => {
        const row = TABLE[req.key];
        const r = await admin.raw(req.method, row.path(fx, "own"), req.method === "GET" ? {} : { json: row.body?.(fx, "own", "admin") ?? {} });
        return r.status === 401 ? null : `${req.key}: ${r.status}`;
      }),
    );
    expect(problems.filter((p) => p !== null)).toEqual([]);
  });

  it("every page action refuses a POST without a CSRF token (403), for each role allowed to post there", async ({ expect }) => {
    const cases = REQUESTS.filter((r) => !r.api && r.method === "POST").flatMap((req) => {
      const row = TABLE[req.key];
      if (!row || row.allow === "public" || row.allow === "token") return [];
      return PAGE_ROLES.filter((role) => expected(row, req, role, "own").includes("allowed")).map((role) => ({ req, row, role }));
    });
    const problems = await Promise.all(
      cases.map(async ({ req, row, role }) => {
        const client = row.endsSession ? await signedIn(role) : pages.get(role)!;
        const r = await client.post(row.path(fx, "own"), (row.body?.(fx, "own", role) as Fields) ?? {}, { csrf: false, multipart: row.multipart, file: row.file ? PDF : undefined, headers: row.json ? { Accept: "application/json" } : {} });
        return r.status === 403 ? null : `${req.key} as ${role}: ${r.status}`;
      }),
    );
    expect(problems.filter((p) => p !== null)).toEqual([]);
  });
});

/*
 * The scan (issue 14, "a scan of every page finds the headers and CSRF tokens"):
 * every page each role can open, and every file it can download, as that role.
 */

function cspOf(r: Response): Map<string, string[]> {
  const csp = new Map<string, string[]>();
  for (const part of (r.headers.get("Content-Security-Policy") ?? "").split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) csp.set(name.toLowerCase(), sources);
  }
  return csp;
}

/** What is wrong with one page's answer, by the issue's rules; empty when nothing. */
export function pageProblems(r: Response, html: string | null): string[] {
  const problems: string[] = [];
  // Browsers read the first value (Fetch, "determine nosniff"): a route repeating the header is still nosniff.
  if ((r.headers.get("X-Content-Type-Options") ?? "").split(",")[0].trim().toLowerCase() !== "nosniff") problems.push("no X-Content-Type-Options: nosniff");
  if (html === null) return problems;
  const csp = cspOf(r);
  const scriptSrc = csp.get("script-src") ?? csp.get("default-src");
  if (!scriptSrc) problems.push("no Content-Security-Policy with script-src");
  else if (scriptSrc.includes("'unsafe-inline'")) problems.push("CSP script-src allows 'unsafe-inline'");
  const nonce = scriptSrc?.find((s) => s.startsWith("'nonce-"))?.slice(7, -1) ?? null;
  if (!nonce) problems.push("CSP script-src has no nonce");
  const framed = csp.get("frame-ancestors")?.join(" ") === "'none'" || (r.headers.get("X-Frame-Options") ?? "").toUpperCase() === "DENY";
  if (!framed) problems.push("no frame-ancestors 'none' (or X-Frame-Options: DENY)");
  if (!r.headers.get("Referrer-Policy")) problems.push("no Referrer-Policy");

  const token = /<meta\s+name="csrf-token"\s+content="([^"]*)"/.exec(html)?.[1] ?? null;
  if (!token) problems.push('no <meta name="csrf-token">');
  const forms = html.match(/<form\b[^>]*>[\s\S]*?<\/form>/gi) ?? [];
  for (const form of forms) {
    const open = /^<form\b[^>]*>/i.exec(form)![0];
    if (!/\bmethod="post"/i.test(open)) continue;
    const hidden = [...form.matchAll(/<input\b[^>]*>/gi)].map((m) => m[0]).find((i) => /\bname="_csrf"/.test(i));
    const value = hidden ? /\bvalue="([^"]*)"/.exec(hidden)?.[1] : undefined;
    if (!hidden || !/\btype="hidden"/i.test(hidden)) problems.push(`post form without a hidden _csrf: ${open}`);
    else if (value !== token) problems.push(`post form whose _csrf differs from the page's token: ${open}`);
  }
  for (const m of html.matchAll(/<script\b([^>]*)>/gi)) {
    if (/\bsrc=/i.test(m[1])) continue;
    const n = /\bnonce="([^"]*)"/.exec(m[1])?.[1];
    if (!nonce || n !== nonce) problems.push(`inline <script${m[1]}> without the CSP nonce`);
  }
  return [...new Set(problems)];
}

describe.concurrent("the page scan", () => {
  for (const req of REQUESTS.filter((r) => r.method === "GET" && !r.api)) {
    const row = TABLE[req.key];
    if (!row) continue;
    it(`${req.key}: security headers, CSRF tokens in post forms, nonces on inline scripts`, async ({ expect }) => {
      const problems: string[] = [];
      let scanned = 0;
      const cases = ROLES.flatMap((role) => (row.scoped ? (["own", "other"] as const) : (["own"] as const)).map((scope) => ({ role, scope })));
      await Promise.all(
        cases.map(async ({ role, scope }) => {
          // Every answer (a redirect to sign in, a refusal) carries nosniff; pages and files are scanned as who opens them.
          const r = await send(role, row, req, scope);
          const html = r.status === 200 && (r.headers.get("Content-Type") ?? "").includes("text/html") ? await r.text() : null;
          if (r.status === 200) scanned++;
          for (const p of pageProblems(r, html)) problems.push(`${role}${row.scoped ? ` (${scope})` : ""} ${r.status}: ${p}`);
        }),
      );
      expect([...new Set(problems)], `${req.key} (app/routes/${req.file})`).toEqual([]);
      // A route nobody can open would scan nothing; the matrix says who can.
      if (row.allow !== "token" && !(row.allow === "public" && req.pattern.startsWith("/invite/")) && !["/projects/:projectId/logs", "/projects/:projectId/materials", "/logout", "/"].includes(req.pattern)) expect(scanned).toBeGreaterThan(0);
    });
  }
});
