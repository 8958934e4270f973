import { and, eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { materials, notifications, projects } from "../../db/schema";
import { recordItemEvent } from "~/services/items.server";
import { addContactLog } from "~/services/logs.server";
import { verifyMaterial } from "~/services/materials.server";
import { notifyDueCommitments } from "~/services/enterprise-notifications.server";
import { portalProject, portalProjects, portalUpload } from "~/services/portal.server";
import { getDb } from "~/utils/db.server";
import { action as loginAction } from "~/routes/login";
import { loader as portalLoader } from "~/routes/_app.portal";
import { action as portalProjectAction, loader as portalProjectLoader } from "~/routes/_app.portal_.projects.$id";
import { action as projectAction, loader as projectLoader } from "~/routes/_app.projects.$projectId";
import { action as logsAction } from "~/routes/projects.$projectId.logs";
import { loader as versionLoader } from "~/routes/projects.$projectId.version";
import { action as materialsAction } from "~/routes/projects.$projectId.materials";
import { creditCode, ctxAt, insertEnterprise, insertProject, insertUser, TEST_PASSWORD, type TestUser } from "../factories";
import { caught } from "../support/app-error";

let proxy: TestUser;
let owner: TestUser; // contact of the project's enterprise
let stranger: TestUser; // contact of another enterprise
let projectId: number;
let otherProjectId: number;

const url = (path: string) => `http://localhost${path}`;
const args = (request: Request, params: Record<string, string> = {}) => ({ request, params, context: {} });
const PDF = new TextEncoder().encode("%PDF-1.4\n% test\n%%EOF\n");
const pdf = (name: string) => ({ name, type: "application/pdf", bytes: PDF });

function materialId(name: string, pid = projectId): number {
  return getDb().get<{ id: number }>(sql`select id from materials where project_id = ${pid} and name = ${name}`)!.id;
}

function notificationsOf(userId: number) {
  return getDb().select().from(notifications).where(eq(notifications.userId, userId)).all();
}

async function cookieFor(login: string) {
  const res = (await loginAction(args(new Request(url("/login"), { method: "POST", body: new URLSearchParams({ login, password: TEST_PASSWORD }) })))) as Response;
  return (res.headers.get("Set-Cookie") ?? "").split(";")[0];
}

/** Runs a loader/action and answers the HTTP status it produced (a thrown Response included). */
async function statusOf(fn: () => Promise<unknown>): Promise<number> {
  try {
    const r = await fn();
    if (r instanceof Response) return r.status;
    const init = (r as { init?: { status?: number } } | null)?.init;
    return init?.status ?? 200;
  } catch (e) {
    if (e instanceof Response) return e.status;
    throw e;
  }
}

const INTERNAL_NOTE = "内部：法人代表脾气急，先找财务";

/*
 * The project's paperwork as the enterprise will see it (signed Mon 03-02):
 * - 项目备案 accepted 03-03 with 授权委托书 as 容缺, promised for 03-04 (its limit is one day);
 * - then sent for 补正 on 03-04: 项目备案申请表 lacks the seal;
 * - 营业执照 sent back on 03-04 (expired);
 * - 竞买申请书 simply still missing.
 */
beforeEach(async () => {
  proxy = await insertUser({ role: "proxy" });
  projectId = insertProject(proxy, { name: "门户测试项目", enterprise: { name: "门户企业有限公司", creditCode: creditCode("91330100MA2P0001A") } });
  otherProjectId = insertProject(proxy, { name: "别家项目", enterprise: { name: "别家企业有限公司", creditCode: creditCode("91330100MA2P0002B") } });
  const enterpriseId = getDb().select().from(projects).where(eq(projects.id, projectId)).get()!.enterpriseId;
  owner = await insertUser({ role: "enterprise", enterpriseId, email: "owner@example.com" });
  stranger = await insertUser({ role: "enterprise", enterpriseId: insertEnterprise("别家企业有限公司", "91330100MA2P0002B") });

  getDb().run(sql`update materials set status = 'verified' where project_id = ${projectId} and name in ('项目备案申请表', '营业执照')`);
  recordItemEvent(ctxAt("2026-03-03"), proxy, projectId, "filing", { type: "accept", on: "2026-03-03", deferredMaterials: ["授权委托书"], commitmentOn: "2026-03-04" });
  recordItemEvent(ctxAt("2026-03-04"), proxy, projectId, "filing", { type: "request_correction", on: "2026-03-04", missingMaterials: ["项目备案申请表"], note: "申请表缺少企业公章" });
  verifyMaterial(ctxAt("2026-03-04"), proxy, projectId, materialId("营业执照"), { verified: false, note: "营业执照已过期，请提供新证" });
  addContactLog(ctxAt("2026-03-04"), proxy, projectId, { on: "2026-03-04", kind: "contact", note: INTERNAL_NOTE });
});

describe("需要您提供", () => {
  it("lists the open correction with its materials, reason and deadline, the 容缺 commitment, a missing and a sent-back material", () => {
    const p = portalProject(ctxAt("2026-03-05"), owner, projectId);
    expect(p.needs.corrections).toEqual([
      expect.objectContaining({
        key: "filing",
        reason: "申请表缺少企业公章",
        requestedOn: "2026-03-04",
        deadlineOn: expect.stringMatching(/^2026-\d\d-\d\d$/),
        materials: [{ materialId: materialId("项目备案申请表"), name: "项目备案申请表", submitted: false }],
      }),
    ]);
    expect(p.needs.commitments).toEqual([{ key: "filing", name: expect.any(String), on: "2026-03-04", materials: [{ materialId: materialId("授权委托书"), name: "授权委托书", submitted: false }] }]);
    const byName = new Map(p.needs.materials.map((m) => [m.name, m]));
    expect(byName.get("营业执照")).toMatchObject({ rejected: true, reason: "营业执照已过期，请提供新证" });
    expect(byName.get("竞买申请书")).toMatchObject({ rejected: false, reason: null });
    expect(byName.get("授权委托书")).toMatchObject({ committed: true, deadlineOn: "2026-03-04" });
    expect(p.needs.count).toBeGreaterThanOrEqual(4);
    expect(portalProjects(ctxAt("2026-03-05"), owner)).toEqual([expect.objectContaining({ id: projectId, needsCount: p.needs.count, total: p.progress.total })]);
    // Progress in plain numbers.
    expect(p.progress).toMatchObject({ done: 0, daysSinceSigning: 3 });
    expect(p.stages.map((s) => s.stage)).toEqual([1, 2, 3, 4]);
    expect(p.stages[0].items.find((i) => i.key === "filing")).toMatchObject({ statusLabel: expect.any(String), done: false });
  });

  it("contains no internal log, audit or escalation text", () => {
    const text = JSON.stringify(portalProject(ctxAt("2026-03-05"), owner, projectId)) + JSON.stringify(portalProjects(ctxAt("2026-03-05"), owner));
    expect(text).not.toContain(INTERNAL_NOTE);
    expect(text).not.toMatch(/item\.request_correction|material\.reject|escalation|auditLog|contactLogs|handler/);
    // The project row's internal columns are not passed through either.
    expect(Object.keys(portalProject(ctxAt("2026-03-05"), owner, projectId).project).sort()).toEqual(["code", "id", "name", "signedOn", "status", "statusLabel", "targetStartOn"]);
  });
});

describe("notifications to the enterprise", () => {
  it("a 补正 request and a decision reach the contact's outbox at once (working hours), with e-mail where configured", () => {
    const mine = notificationsOf(owner.id);
    const correction = mine.find((n) => n.kind === "enterprise.correction")!;
    expect(correction.body).toContain("项目备案申请表");
    expect(correction.body).toContain("申请表缺少企业公章");
    expect(correction.link).toBe(`/portal/projects/${projectId}`);
    expect(correction.emailStatus).toBe("pending");
    // Recorded 10:00 on a working day: deliverable at once.
    expect(correction.deliverAfter).toBe(ctxAt("2026-03-04").now.getTime());
    // Nobody else's enterprise hears of it.
    expect(notificationsOf(stranger.id)).toEqual([]);

    recordItemEvent(ctxAt("2026-03-05"), proxy, projectId, "filing", { type: "receive_correction", on: "2026-03-05" });
    recordItemEvent(ctxAt("2026-03-05"), proxy, projectId, "filing", { type: "supply_deferred", on: "2026-03-05" });
    // Neither of those is news to the enterprise (it did them); only the decision is.
    expect(notificationsOf(owner.id).filter((n) => n.kind !== "enterprise.correction")).toEqual([]);
    recordItemEvent(ctxAt("2026-03-06"), proxy, projectId, "filing", { type: "approve", on: "2026-03-06" });
    expect(notificationsOf(owner.id).filter((n) => n.kind === "enterprise.decision").map((n) => n.title)).toEqual([expect.stringContaining("已办结")]);
  });

  it("a 容缺 date falling due is told once", () => {
    expect(notifyDueCommitments(getDb(), ctxAt("2026-03-03").now)).toBe(0);
    expect(notifyDueCommitments(getDb(), ctxAt("2026-03-04").now)).toBe(1);
    expect(notifyDueCommitments(getDb(), ctxAt("2026-03-05").now)).toBe(0);
    expect(notificationsOf(owner.id).find((n) => n.kind === "enterprise.commitment")?.body).toContain("2026-03-04");
  });
});

describe("uploading from the portal", () => {
  it("marks the material received, answers the correction and notifies the project's officers", async () => {
    const done = await portalUpload(ctxAt("2026-03-05"), owner, projectId, materialId("项目备案申请表"), pdf("备案申请表-盖章.pdf"));
    expect(done.correction).toHaveLength(1);
    expect(getDb().select().from(materials).where(eq(materials.id, materialId("项目备案申请表"))).get()!.status).toBe("received");
    const told = notificationsOf(proxy.id).find((n) => n.kind === "portal.correctionUpload")!;
    expect(told.body).toMatch(/补正材料/);
    expect(told.link).toBe(`/projects/${projectId}?item=filing`);
    // The correction now waits on the officer, not on the enterprise.
    const p = portalProject(ctxAt("2026-03-05"), owner, projectId);
    expect(p.needs.corrections[0].materials[0].submitted).toBe(true);

    await portalUpload(ctxAt("2026-03-05"), owner, projectId, materialId("竞买申请书"), pdf("竞买申请书.pdf"));
    expect(notificationsOf(proxy.id).filter((n) => n.kind === "portal.upload")).toHaveLength(1);
  });

  it("through the page: multipart upload, the same file checks, another enterprise's project 404", async () => {
    const cookie = await cookieFor(owner.login);
    const post = (pid: number, mid: number, file: File) => {
      const fd = new FormData();
      fd.set("intent", "upload");
      fd.set("materialId", String(mid));
      fd.set("file", file);
      return portalProjectAction(args(new Request(url(`/portal/projects/${pid}`), { method: "POST", body: fd, headers: { Cookie: cookie } }), { id: String(pid) }));
    };
    const ok = (await post(projectId, materialId("营业执照"), new File([PDF], "营业执照.pdf", { type: "application/pdf" }))) as unknown as { data: { ok: boolean; message: string } };
    expect(ok.data).toMatchObject({ ok: true, message: expect.stringContaining("已通知代办员") });
    const exe = (await post(projectId, materialId("营业执照"), new File(["MZ"], "a.exe", { type: "application/x-msdownload" }))) as unknown as { data: { ok: boolean }; init: { status: number } };
    expect(exe.init.status).toBe(422);
    expect(await statusOf(() => post(otherProjectId, materialId("营业执照", otherProjectId), new File([PDF], "x.pdf", { type: "application/pdf" })))).toBe(404);
    expect(getDb().select().from(materials).where(and(eq(materials.projectId, otherProjectId), eq(materials.status, "received"))).all()).toEqual([]);
  });
});

describe("isolation", () => {
  it("another enterprise's portal project and upload are 404", async () => {
    expect(caught(() => portalProject(ctxAt("2026-03-05"), stranger, projectId)).status).toBe(404);
    expect((await portalUpload(ctxAt("2026-03-05"), stranger, projectId, materialId("营业执照"), pdf("x.pdf")).catch((e) => e)).status).toBe(404);
    expect(portalProjects(ctxAt("2026-03-05"), stranger).map((p) => p.id)).toEqual([otherProjectId]);
    const cookie = await cookieFor(stranger.login);
    expect(await statusOf(() => portalProjectLoader(args(new Request(url(`/portal/projects/${projectId}`), { headers: { Cookie: cookie } }), { id: String(projectId) })))).toBe(404);
    expect(await statusOf(() => portalProjectLoader(args(new Request(url(`/portal/projects/999999`), { headers: { Cookie: cookie } }), { id: "999999" })))).toBe(404);
  });

  it("the staff project page, its log and version routes answer 404 to enterprise users; staff get 404 on the portal project page", async () => {
    const cookie = await cookieFor(owner.login);
    const req = (path: string, init: RequestInit = {}) => new Request(url(path), { ...init, headers: { Cookie: cookie } });
    const params = { projectId: String(projectId) };
    expect(await statusOf(() => projectLoader(args(req(`/projects/${projectId}`), params)))).toBe(404);
    expect(await statusOf(() => projectAction(args(req(`/projects/${projectId}`, { method: "POST", body: new URLSearchParams({ intent: "invite", name: "x", phone: "13800000000" }) }), params)))).toBe(404);
    expect(await statusOf(() => logsAction(args(req(`/projects/${projectId}/logs`, { method: "POST", body: new URLSearchParams({ on: "2026-03-05", kind: "contact", note: "x" }) }), params)))).toBe(404);
    expect(await statusOf(() => versionLoader(args(req(`/projects/${projectId}/version`), params)))).toBe(404);
    // The portal is theirs.
    expect(await statusOf(() => portalProjectLoader(args(req(`/portal/projects/${projectId}`), { id: String(projectId) })))).toBe(200);
    expect(await statusOf(() => portalLoader(args(req(`/portal`))))).toBe(200);
    // Uploading through the materials route still works for the enterprise (same checks).
    const fd = new FormData();
    fd.set("intent", "upload");
    fd.set("materialId", String(materialId("竞买申请书")));
    fd.set("file", new File([PDF], "竞买申请书.pdf", { type: "application/pdf" }));
    expect(await statusOf(() => materialsAction(args(new Request(url(`/projects/${projectId}/materials`), { method: "POST", body: fd, headers: { Cookie: cookie, Accept: "application/json" } }), params)))).toBe(200);

    const staffCookie = await cookieFor(proxy.login);
    expect(await statusOf(() => portalProjectLoader(args(new Request(url(`/portal/projects/${projectId}`), { headers: { Cookie: staffCookie } }), { id: String(projectId) })))).toBe(404);
    expect(await statusOf(() => projectLoader(args(new Request(url(`/projects/${projectId}`), { headers: { Cookie: staffCookie } }), params)))).toBe(200);
  });
});
