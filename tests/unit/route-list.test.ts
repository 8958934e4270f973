import { describe, expect, it } from "vitest";
import { apiMethodsOf, intentsOf, readRouteModules, routePattern, routeRequests } from "../support/route-list";

describe("route list (the authorization matrix's source)", () => {
  it("turns Remix flat-route file names into URL patterns", () => {
    expect(routePattern("_app.tsx")).toBeNull();
    expect(routePattern("_index.tsx")).toBe("/");
    expect(routePattern("_app.projects._index.tsx")).toBe("/projects");
    expect(routePattern("_app.projects.$projectId.tsx")).toBe("/projects/:projectId");
    expect(routePattern("_app.projects_.$projectId.messages.tsx")).toBe("/projects/:projectId/messages");
    expect(routePattern("_app.portal_.projects.$id_.messages.tsx")).toBe("/portal/projects/:id/messages");
    expect(routePattern("projects.ledger[.xlsx].ts")).toBe("/projects/ledger.xlsx");
    expect(routePattern("admin.templates.$key[.json].ts")).toBe("/admin/templates/:key.json");
    expect(routePattern("api.v1.$.ts")).toBe("/api/v1/*");
    expect(routePattern("api.v1.action-items.$id._index.ts")).toBe("/api/v1/action-items/:id");
  });

  it("finds the intents an action tells apart, however it dispatches", () => {
    const src = `
      const intents = z.discriminatedUnion("intent", [z.object({ intent: z.literal("issue") }), z.object({ intent : z.literal( "revoke" ) })]);
      export async function action() {
        if (form.get("intent") === "invite") return invite();
        if (form.get("intent") !== "confirm") throw bad();
        if ((await readFormValues(request.clone())).intent === "invite2") return invite();
        switch (input.intent) { case "issue": break; case "extra": { break; } }
        switch (reason) { case "red": break; }
      }`;
    expect(intentsOf(src)).toEqual(["confirm", "extra", "invite", "invite2", "issue", "revoke"]);
  });

  it("reads which methods an API module serves", () => {
    expect(apiMethodsOf(`export async function loader({ request }) { return apiHandler(request, () => 1); }\nexport async function action() {\n  return methodNotAllowed("GET");\n}`)).toEqual(["GET"]);
    expect(apiMethodsOf(`export async function loader() {\n  return methodNotAllowed("POST");\n}\nexport async function action({ request }) {\n  if (request.method !== "POST") return methodNotAllowed("POST");\n  return apiHandler(request, () => 1);\n}`)).toEqual(["POST"]);
    expect(apiMethodsOf(`const nf = () => 1;\nexport const loader = nf;\nexport const action = nf;`)).toEqual(["GET", "POST"]);
  });

  it("lists every route module of the app, each request kind once", () => {
    const modules = readRouteModules();
    expect(modules.length).toBeGreaterThan(50);
    const keys = routeRequests(modules).map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual(expect.arrayContaining(["GET /projects/:projectId", "POST /projects/:projectId intent=event", "PATCH /api/v1/projects/:id", "POST /queue intent=event"]));
  });
});
