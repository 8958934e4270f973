import { describe, expect, it } from "vitest";
import { decide, landingPath, type Action, type Actor, type ProjectFacts, type Role } from "~/domain/access/policy";

// The project under test belongs to enterprise 7, is run by proxy officer 2 and
// involves departments 10 and 11; the item under test belongs to department 10.
const project: ProjectFacts = { enterpriseId: 7, proxyUserIds: [2], departmentIds: [10, 11] };
const item = { departmentId: 10 };

const actors: Record<string, Actor> = {
  admin: { id: 1, role: "admin", departmentId: null, enterpriseId: null },
  assignedProxy: { id: 2, role: "proxy", departmentId: null, enterpriseId: null },
  otherProxy: { id: 3, role: "proxy", departmentId: null, enterpriseId: null },
  ownEnterprise: { id: 4, role: "enterprise", departmentId: null, enterpriseId: 7 },
  otherEnterprise: { id: 5, role: "enterprise", departmentId: null, enterpriseId: 8 },
  itemDept: { id: 6, role: "dept", departmentId: 10, enterpriseId: null },
  otherInvolvedDept: { id: 7, role: "dept", departmentId: 11, enterpriseId: null },
  uninvolvedDept: { id: 8, role: "dept", departmentId: 12, enterpriseId: null },
  coordinator: { id: 9, role: "coordinator", departmentId: null, enterpriseId: null },
  leader: { id: 10, role: "leader", departmentId: null, enterpriseId: null },
};

type Expect = "allow" | "forbid" | "hide";
const A: Expect = "allow";
const F: Expect = "forbid";
const H: Expect = "hide";

// Rows: actions on the project above. Columns follow the order of `actors`.
const matrix: Record<Action, Expect[]> = {
  //                       admin aProxy oProxy ownEnt othEnt itemD othD  unD  coord leader
  "project.view":          [A,    A,     A,     A,     H,     A,    A,    H,   A,    A],
  "material.download":     [A,    A,     A,     A,     H,     A,    A,    H,   A,    A],
  "project.edit":          [A,    A,     F,     F,     H,     F,    F,    H,   F,    F],
  "graph.edit":            [A,    A,     F,     F,     H,     F,    F,    H,   F,    F],
  "log.write":             [A,    A,     F,     F,     H,     F,    F,    H,   F,    F],
  "material.verify":       [A,    A,     F,     F,     H,     F,    F,    H,   F,    F],
  "item.recordEvent":      [F,    A,     F,     F,     H,     A,    F,    H,   F,    F],
  "material.upload":       [F,    A,     F,     A,     H,     F,    F,    H,   F,    F],
  "escalation.acknowledge":[F,    A,     F,     F,     H,     A,    F,    H,   A,    A],
  "escalation.supervise":  [F,    F,     F,     F,     H,     F,    F,    H,   A,    A],
  "project.create":        [A,    A,     A,     F,     H,     F,    F,    H,   F,    F],
  "project.list":          [A,    A,     A,     A,     H,     A,    A,    H,   A,    A],
  "meeting.view":          [A,    A,     A,     F,     H,     A,    A,    H,   A,    A],
  "meeting.manage":        [A,    F,     F,     F,     H,     F,    F,    H,   A,    F],
  "actionItem.view":       [A,    A,     A,     F,     H,     A,    A,    H,   A,    A],
  "actionItem.close":      [A,    F,     F,     F,     H,     F,    F,    H,   A,    F],
  "dashboard.view":        [A,    F,     F,     F,     H,     F,    F,    H,   A,    A],
  "queue.view":            [F,    F,     F,     F,     H,     A,    A,    H,   F,    F],
  "admin.manage":          [A,    F,     F,     F,     H,     F,    F,    H,   F,    F],
};

function outcome(actor: Actor, action: Action): Expect {
  const d = decide(actor, action, { project, item });
  return d.allowed ? "allow" : d.reason === "not_found" ? "hide" : "forbid";
}

describe("access policy matrix (roles × actions on one project)", () => {
  const names = Object.keys(actors);
  for (const [action, row] of Object.entries(matrix) as [Action, Expect[]][]) {
    it(action, () => {
      const got = names.map((n) => outcome(actors[n], action));
      expect(Object.fromEntries(names.map((n, i) => [n, got[i]]))).toEqual(Object.fromEntries(names.map((n, i) => [n, row[i]])));
    });
  }

  it("an enterprise contact cannot learn that another enterprise's project exists (404, not 403)", () => {
    expect(decide(actors.otherEnterprise, "project.view", { project })).toEqual({ allowed: false, reason: "not_found" });
  });

  it("an action item is closed by its lead unit's staff (or a coordinator), not by another department", () => {
    const lead = { departmentId: 10 };
    expect(decide(actors.itemDept, "actionItem.close", { actionItem: lead }).allowed).toBe(true);
    expect(decide(actors.otherInvolvedDept, "actionItem.close", { actionItem: lead }).allowed).toBe(false);
    expect(decide(actors.coordinator, "actionItem.close", { actionItem: lead }).allowed).toBe(true);
    expect(decide(actors.assignedProxy, "actionItem.close", { actionItem: lead }).allowed).toBe(false);
    expect(decide(actors.itemDept, "actionItem.close", { actionItem: { departmentId: null } }).allowed).toBe(false);
  });

  it("integration accounts create projects and record events on any item, and see no meeting tasks", () => {
    const platform: Actor = { id: 30, role: "integration", departmentId: null, enterpriseId: null };
    expect(decide(platform, "project.create").allowed).toBe(true);
    expect(decide(platform, "item.recordEvent", { project, item }).allowed).toBe(true);
    expect(decide(platform, "project.edit", { project }).allowed).toBe(false);
    expect(decide(platform, "actionItem.view").allowed).toBe(false);
    expect(decide(platform, "admin.manage").allowed).toBe(false);
  });

  it("an enterprise contact without an enterprise sees nothing", () => {
    const orphan: Actor = { id: 20, role: "enterprise", departmentId: null, enterpriseId: null };
    expect(decide(orphan, "project.view", { project }).allowed).toBe(false);
  });

  it("department staff may act only on items of their own department", () => {
    expect(decide(actors.otherInvolvedDept, "item.recordEvent", { project, item: { departmentId: 11 } }).allowed).toBe(true);
    expect(decide(actors.otherInvolvedDept, "item.recordEvent", { project, item }).allowed).toBe(false);
    expect(decide(actors.itemDept, "item.recordEvent", { project, item: { departmentId: null } }).allowed).toBe(false);
  });

  it("lands each role on its own page", () => {
    const expected: Record<Role, string> = {
      admin: "/admin",
      proxy: "/projects",
      enterprise: "/portal",
      dept: "/queue",
      coordinator: "/meetings",
      leader: "/dashboard",
      integration: "/projects",
    };
    for (const [role, path] of Object.entries(expected)) expect(landingPath(role as Role)).toBe(path);
  });
});
