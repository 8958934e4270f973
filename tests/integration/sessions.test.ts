import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, sessions, users } from "../../db/schema";
import { changeOwnPassword } from "~/services/auth.server";
import { resetPassword, setUserActive, updateUser } from "~/services/directory.server";
import { endSession, listLiveSessions, readSession, revokeUserSessions, SESSION_IDLE_MS, SESSION_MAX_MS, signOutElsewhere, startSession } from "~/services/sessions.server";
import { getDb } from "~/utils/db.server";
import { insertUser, shanghai } from "../factories";

/*
 * Server-side sessions (issue 14) at the service level, with the clock in the
 * test's hands: idle and absolute expiry, sign-out, and every change that must
 * end a user's sessions (role, password reset, deactivation, own password
 * change, "sign out everywhere else").
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const t0 = shanghai("2026-12-01", "09:00");
const at = (ms: number) => new Date(t0.getTime() + ms);

function userOf(token: string, now: Date) {
  const s = readSession(getDb(), token, now);
  return s ? { ...s.user, sessionId: s.sessionId } : null;
}

describe("a session", () => {
  it("is a random token whose hash alone is stored; every sign-in gets a new one", async () => {
    const u = await insertUser({ role: "proxy" });
    const a = startSession(getDb(), u.id, { ip: "10.0.0.1", userAgent: "UA" }, t0);
    const b = startSession(getDb(), u.id, { ip: "10.0.0.1", userAgent: "UA" }, t0);
    expect(a).not.toBe(b);
    expect(a.length).toBeGreaterThanOrEqual(40);
    expect(userOf(a, t0)?.id).toBe(u.id);
    expect(userOf(b, t0)?.id).toBe(u.id);
    const stored = JSON.stringify(getDb().select().from(sessions).all());
    expect(stored).not.toContain(a);
    expect(stored).not.toContain(b);
    expect(userOf("not-a-token", t0)).toBeNull();
    const signIns = getDb().select().from(auditLog).where(eq(auditLog.action, "auth.signIn")).all();
    expect(signIns).toHaveLength(2);
  });

  it("ends after 12 idle hours, but use keeps it alive", async () => {
    const u = await insertUser({ role: "proxy" });
    const idle = startSession(getDb(), u.id, {}, t0);
    const busy = startSession(getDb(), u.id, {}, t0);
    // Used at 11 h, so good until 23 h; the unused one has already lapsed at 12 h.
    expect(userOf(busy, at(11 * HOUR))).not.toBeNull();
    expect(userOf(idle, at(SESSION_IDLE_MS + MINUTE))).toBeNull();
    expect(userOf(busy, at(22 * HOUR))).not.toBeNull();
    expect(userOf(busy, at(22 * HOUR + SESSION_IDLE_MS + MINUTE))).toBeNull();
  });

  it("ends after 7 days however busy", async () => {
    const u = await insertUser({ role: "proxy" });
    const token = startSession(getDb(), u.id, {}, t0);
    let t = 0;
    for (; t + 6 * HOUR < SESSION_MAX_MS; t += 6 * HOUR) expect(userOf(token, at(t)), `at ${t / HOUR} h`).not.toBeNull();
    expect(userOf(token, at(SESSION_MAX_MS - MINUTE))).not.toBeNull();
    expect(userOf(token, at(SESSION_MAX_MS + MINUTE))).toBeNull();
  });

  it("sign-out ends it on the server: the token is worthless afterwards, other sessions live on", async () => {
    const u = await insertUser({ role: "proxy" });
    const a = startSession(getDb(), u.id, {}, t0);
    const b = startSession(getDb(), u.id, {}, t0);
    endSession(getDb(), a, "signOut", at(MINUTE));
    expect(userOf(a, at(2 * MINUTE))).toBeNull();
    expect(userOf(b, at(2 * MINUTE))).not.toBeNull();
    expect(listLiveSessions(getDb(), u.id, null, at(2 * MINUTE))).toHaveLength(1);
  });

  it("an integration account never holds a page session", async () => {
    const bot = await insertUser({ role: "integration" });
    const token = startSession(getDb(), bot.id, {}, t0);
    expect(userOf(token, t0)).toBeNull();
  });
});

describe("changes that end a user's sessions", () => {
  it("deactivation ends them for good: reactivating does not revive the old token", async () => {
    const admin = await insertUser({ role: "admin" });
    const u = await insertUser({ role: "coordinator" });
    const token = startSession(getDb(), u.id, {}, t0);
    const ctx = { db: getDb(), now: at(MINUTE) };
    setUserActive(ctx, admin, u.id, false);
    expect(userOf(token, at(2 * MINUTE))).toBeNull();
    setUserActive({ db: getDb(), now: at(3 * MINUTE) }, admin, u.id, true);
    expect(userOf(token, at(4 * MINUTE))).toBeNull();
    expect(getDb().select().from(sessions).where(eq(sessions.userId, u.id)).get()?.revokedReason).toBe("deactivated");
  });

  it("a new role ends every session of the user; a new phone number does not", async () => {
    const admin = await insertUser({ role: "admin" });
    const u = await insertUser({ role: "coordinator" });
    const token = startSession(getDb(), u.id, {}, t0);
    const fields = { displayName: "新名字", role: "coordinator", departmentId: "", enterpriseId: "", email: "", phone: "13800000000" };
    updateUser({ db: getDb(), now: at(MINUTE) }, admin, u.id, fields);
    expect(userOf(token, at(2 * MINUTE))?.displayName).toBe("新名字");
    updateUser({ db: getDb(), now: at(3 * MINUTE) }, admin, u.id, { ...fields, role: "leader" });
    expect(userOf(token, at(4 * MINUTE))).toBeNull();
    // Signing in again gives a session with the new role.
    expect(userOf(startSession(getDb(), u.id, {}, at(5 * MINUTE)), at(5 * MINUTE))?.role).toBe("leader");
  });

  it("an administrator's password reset ends every session of the user", async () => {
    const admin = await insertUser({ role: "admin" });
    const u = await insertUser({ role: "proxy" });
    const a = startSession(getDb(), u.id, {}, t0);
    const b = startSession(getDb(), u.id, {}, t0);
    await resetPassword({ db: getDb(), now: at(MINUTE) }, admin, u.id);
    expect(userOf(a, at(2 * MINUTE))).toBeNull();
    expect(userOf(b, at(2 * MINUTE))).toBeNull();
  });

  it("changing one's own password keeps this browser signed in and signs out the others", async () => {
    const u = await insertUser({ role: "proxy", password: "Old-pass#2026x" });
    const here = startSession(getDb(), u.id, {}, t0);
    const there = startSession(getDb(), u.id, {}, t0);
    const me = userOf(here, at(MINUTE))!;
    await changeOwnPassword({ db: getDb(), now: at(MINUTE) }, me, { current: "Old-pass#2026x", password: "Neu-Kennwort#2026", confirm: "Neu-Kennwort#2026" });
    expect(userOf(here, at(2 * MINUTE))?.id).toBe(u.id);
    expect(userOf(there, at(2 * MINUTE))).toBeNull();
  });

  it("sign out everywhere else: only the asking session survives, the others of the same user end, other users are untouched, and it is audited", async () => {
    const u = await insertUser({ role: "leader" });
    const other = await insertUser({ role: "leader" });
    const here = startSession(getDb(), u.id, { userAgent: "here" }, t0);
    const phone = startSession(getDb(), u.id, { userAgent: "phone" }, at(MINUTE));
    const office = startSession(getDb(), u.id, { userAgent: "office" }, at(2 * MINUTE));
    const theirs = startSession(getDb(), other.id, {}, t0);
    const me = userOf(here, at(3 * MINUTE))!;
    const listed = listLiveSessions(getDb(), u.id, me.sessionId, at(3 * MINUTE));
    expect(listed).toHaveLength(3);
    expect(listed.filter((s) => s.current).map((s) => s.userAgent)).toEqual(["here"]);

    expect(signOutElsewhere(getDb(), me, me.sessionId, at(4 * MINUTE))).toBe(2);
    expect(userOf(here, at(5 * MINUTE))).not.toBeNull();
    expect(userOf(phone, at(5 * MINUTE))).toBeNull();
    expect(userOf(office, at(5 * MINUTE))).toBeNull();
    expect(userOf(theirs, at(5 * MINUTE))).not.toBeNull();
    expect(listLiveSessions(getDb(), u.id, me.sessionId, at(5 * MINUTE)).map((s) => s.userAgent)).toEqual(["here"]);
    const audit = getDb().select().from(auditLog).where(eq(auditLog.action, "auth.signOutEverywhere")).all();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorUserId: u.id, entityId: u.id });
    expect(JSON.parse(audit[0].detail!)).toEqual({ ended: 2 });
    // Nothing left to end: a second press ends none.
    expect(signOutElsewhere(getDb(), me, me.sessionId, at(6 * MINUTE))).toBe(0);
  });

  it("revoking leaves already-ended sessions as they were", async () => {
    const u = await insertUser({ role: "proxy" });
    const a = startSession(getDb(), u.id, {}, t0);
    endSession(getDb(), a, "signOut", at(MINUTE));
    startSession(getDb(), u.id, {}, at(2 * MINUTE));
    expect(revokeUserSessions(getDb(), u.id, "deactivated", at(3 * MINUTE))).toBe(1);
    const reasons = getDb().select({ r: sessions.revokedReason }).from(sessions).where(eq(sessions.userId, u.id)).all().map((s) => s.r);
    expect(reasons.sort()).toEqual(["deactivated", "signOut"]);
    expect(getDb().select().from(users).where(eq(users.id, u.id)).get()?.active).toBe(true);
  });
});
