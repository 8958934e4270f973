import { eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { enterpriseInvitations, projects, users } from "../../db/schema";
import { signIn } from "~/services/auth.server";
import { acceptInvitation, createInvitation, inspectInvitation, invitationQrSvg } from "~/services/invitations.server";
import { portalProject, portalProjects } from "~/services/portal.server";
import { getDb } from "~/utils/db.server";
import { action as inviteAction, loader as inviteLoader } from "~/routes/invite.$token";
import { action as projectAction } from "~/routes/_app.projects.$projectId";
import { action as loginAction } from "~/routes/login";
import { creditCode, ctxAt, insertProject, insertUser, TEST_PASSWORD, type TestUser } from "../factories";
import { caught } from "../support/app-error";

let proxy: TestUser;
let otherProxy: TestUser;
let admin: TestUser;
let projectA: number;
let projectB: number;

const url = (path: string) => `http://localhost${path}`;
const args = (request: Request, params: Record<string, string> = {}) => ({ request, params, context: {} });
const DAY = 24 * 60 * 60 * 1000;

async function acceptAsync(token: string, password = "secret-pass-1", at = ctxAt("2026-03-03")) {
  try {
    return await acceptInvitation(at, token, { password, confirm: password });
  } catch (e) {
    return e as { status: number; message: string };
  }
}

beforeEach(async () => {
  proxy = await insertUser({ role: "proxy" });
  otherProxy = await insertUser({ role: "proxy" });
  admin = await insertUser({ role: "admin" });
  projectA = insertProject(proxy, { name: "甲项目", enterprise: { name: "甲企业有限公司", creditCode: creditCode("91330100MA2N0001A") } });
  projectB = insertProject(otherProxy, { name: "乙项目", enterprise: { name: "乙企业有限公司", creditCode: creditCode("91330100MA2N0002B") } });
});

describe("invitation lifecycle", () => {
  it("the assigned officer invites; the contact sets a password once and signs in as the enterprise's contact", async () => {
    const inv = createInvitation(ctxAt("2026-03-02"), proxy, projectA, { name: "王经理", phone: "13800000001" });
    expect(inv.path).toBe(`/invite/${inv.token}`);
    expect(inv.login).toBe("13800000001");
    expect(inv.expiresAt - ctxAt("2026-03-02").now.getTime()).toBe(7 * DAY);
    // Only the hash is stored.
    const row = getDb().select().from(enterpriseInvitations).where(eq(enterpriseInvitations.id, inv.id)).get()!;
    expect(row.tokenHash).not.toContain(inv.token);
    expect(JSON.stringify(getDb().all(sql`select detail from audit_log`))).not.toContain(inv.token);

    expect(inspectInvitation(ctxAt("2026-03-03"), inv.token)).toMatchObject({ state: "valid", name: "王经理", enterpriseName: "甲企业有限公司" });
    // Password rules: at least 8 characters, confirmed.
    expect((await caughtAsync(() => acceptInvitation(ctxAt("2026-03-03"), inv.token, { password: "short", confirm: "short" }))).fields?.password).toMatch(/密码至少 10 个字符/);
    expect((await caughtAsync(() => acceptInvitation(ctxAt("2026-03-03"), inv.token, { password: "long-enough-1", confirm: "long-enough-2" }))).fields?.confirm).toMatch(/不一致/);

    const done = await acceptInvitation(ctxAt("2026-03-03"), inv.token, { password: "long-enough-1", confirm: "long-enough-1" });
    expect(done.projectId).toBe(projectA);
    const user = getDb().select().from(users).where(eq(users.id, done.user.id)).get()!;
    const enterpriseA = getDb().select().from(projects).where(eq(projects.id, projectA)).get()!.enterpriseId;
    expect(user).toMatchObject({ login: "13800000001", displayName: "王经理", role: "enterprise", enterpriseId: enterpriseA, phone: "13800000001", mustChangePassword: false });
    expect((await signIn(getDb(), { login: "13800000001", password: "long-enough-1" })).role).toBe("enterprise");

    // Single use.
    expect(inspectInvitation(ctxAt("2026-03-03"), inv.token).state).toBe("used");
    expect(await acceptAsync(inv.token)).toMatchObject({ status: 409 });
  });

  it("expires after 7 days", async () => {
    const inv = createInvitation(ctxAt("2026-03-02", "10:00"), proxy, projectA, { name: "李会计", email: "Li@Example.com" });
    expect(inv.login).toBe("li@example.com");
    expect(inspectInvitation(ctxAt("2026-03-09", "09:59"), inv.token).state).toBe("valid");
    expect(inspectInvitation(ctxAt("2026-03-09", "10:00"), inv.token).state).toBe("expired");
    expect(await acceptAsync(inv.token, "secret-pass-1", ctxAt("2026-03-09", "10:01"))).toMatchObject({ status: 422, message: expect.stringMatching(/已过期/) });
    expect(getDb().select().from(users).where(eq(users.login, "li@example.com")).get()).toBeUndefined();
  });

  it("resending voids the old link; the new one works", async () => {
    const first = createInvitation(ctxAt("2026-03-02"), proxy, projectA, { name: "王经理", phone: "13800000002" });
    const second = createInvitation(ctxAt("2026-03-03"), proxy, projectA, { name: "王经理", phone: "13800000002" });
    expect(second.voided).toBe(1);
    expect(inspectInvitation(ctxAt("2026-03-03"), first.token).state).toBe("voided");
    expect(await acceptAsync(first.token)).toMatchObject({ status: 409, message: expect.stringMatching(/已作废/) });
    expect(await acceptAsync(second.token)).toMatchObject({ projectId: projectA });
    // Once the person has an account, inviting that login again is refused.
    expect(caught(() => createInvitation(ctxAt("2026-03-04"), proxy, projectA, { name: "王经理", phone: "13800000002" })).status).toBe(409);
  });

  it("only the project's officer or an administrator invites; a project the actor cannot see is 404; input is checked", async () => {
    expect(caught(() => createInvitation(ctxAt("2026-03-02"), otherProxy, projectA, { name: "甲", phone: "13800000003" })).status).toBe(403);
    const dept = await insertUser({ role: "dept", department: "消防" });
    expect(caught(() => createInvitation(ctxAt("2026-03-02"), dept, projectA, { name: "甲", phone: "13800000003" })).status).toBe(404);
    expect(createInvitation(ctxAt("2026-03-02"), admin, projectA, { name: "甲", phone: "13800000003" }).login).toBe("13800000003");
    const noContact = caught(() => createInvitation(ctxAt("2026-03-02"), proxy, projectA, { name: "甲" }));
    expect(noContact.fields?.phone).toMatch(/手机号码或电子邮箱/);
    expect(caught(() => createInvitation(ctxAt("2026-03-02"), proxy, projectA, { name: "甲", phone: "12345" })).fields?.phone).toMatch(/11 位/);
    expect(caught(() => createInvitation(ctxAt("2026-03-02"), proxy, projectA, { name: "", phone: "13800000004" })).fields?.name).toBeTruthy();
    expect(inspectInvitation(ctxAt("2026-03-02"), "not-a-real-token-at-all").state).toBe("unknown");
  });

  it("a second enterprise's link cannot reach the first's projects", async () => {
    const invB = createInvitation(ctxAt("2026-03-02"), otherProxy, projectB, { name: "乙联系人", phone: "13900000001" });
    const done = await acceptInvitation(ctxAt("2026-03-03"), invB.token, { password: "secret-pass-1", confirm: "secret-pass-1" });
    const contactB = getDb().select().from(users).where(eq(users.id, done.user.id)).get()!;
    const actorB = { id: contactB.id, role: "enterprise" as const, departmentId: null, enterpriseId: contactB.enterpriseId };
    expect(portalProjects(ctxAt("2026-03-03"), actorB).map((p) => p.id)).toEqual([projectB]);
    expect(caught(() => portalProject(ctxAt("2026-03-03"), actorB, projectA)).status).toBe(404);
  });

  it("draws the link as an SVG QR code", async () => {
    const svg = await invitationQrSvg("http://localhost/invite/abc");
    expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });
});

describe("routes", () => {
  it("the project page's invite intent answers the link and QR once; the contact accepts and lands in the portal", async () => {
    const login = (await loginAction(args(new Request(url("/login"), { method: "POST", body: new URLSearchParams({ login: proxy.login, password: TEST_PASSWORD }) })))) as Response;
    const cookie = (login.headers.get("Set-Cookie") ?? "").split(";")[0];
    const res = await projectAction(
      args(new Request(url(`/projects/${projectA}`), { method: "POST", headers: { Cookie: cookie }, body: new URLSearchParams({ intent: "invite", name: "王经理", phone: "13800000009" }) }), { projectId: String(projectA) }),
    );
    const answer = (res as unknown as { data: { ok: boolean; invitation: { url: string; qrSvg: string } } }).data;
    expect(answer.ok).toBe(true);
    expect(answer.invitation.url).toMatch(/^http:\/\/localhost\/invite\/[A-Za-z0-9_-]{32}$/);
    expect(answer.invitation.qrSvg).toMatch(/^<svg/);
    const token = answer.invitation.url.split("/").pop()!;

    const page = await inviteLoader(args(new Request(url(`/invite/${token}`)), { token }));
    expect(page).toMatchObject({ ok: true, name: "王经理", login: "13800000009" });

    const accepted = (await inviteAction(
      args(new Request(url(`/invite/${token}`), { method: "POST", body: new URLSearchParams({ password: "phone-pass-1", confirm: "phone-pass-1" }) }), { token }),
    )) as Response;
    expect(accepted.status).toBe(302);
    expect(accepted.headers.get("Location")).toBe(`/portal/projects/${projectA}`);
    expect(accepted.headers.get("Set-Cookie")).toMatch(/^gc_session=/);

    // The spent link now reads as used, with a clear Chinese message (410).
    const spent = (await inviteLoader(args(new Request(url(`/invite/${token}`)), { token }))) as unknown as { init: { status: number }; data: { message: string } };
    expect(spent.init.status).toBe(410);
    expect(spent.data.message).toMatch(/已使用/);
    const unknown = (await inviteLoader(args(new Request(url(`/invite/nope-nope-nope-nope-nope`)), { token: "nope-nope-nope-nope-nope" }))) as unknown as { init: { status: number } };
    expect(unknown.init.status).toBe(404);
  });
});

async function caughtAsync(fn: () => Promise<unknown>) {
  try {
    await fn();
  } catch (e) {
    return e as { status: number; fields?: Record<string, string> };
  }
  throw new Error("expected an error");
}
