import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { escalations, items, meetings, notifications } from "../../db/schema";
import { acknowledgeEscalation, fireDue, fireEscalation, listProjectEscalations, setItemEscalationSettings } from "~/services/escalations.server";
import { recordItemEvent } from "~/services/items.server";
import { setMailer } from "~/services/mailer.server";
import { buildDailyDigests, deliverDue } from "~/services/notify.server";
import { createProject } from "~/services/projects.server";
import { listInbox, unreadCount } from "~/services/inbox.server";
import { AppError } from "~/services/errors.server";
import { getDb } from "~/utils/db.server";
import { closeAllRedis } from "../../jobs/connection";
import { closeQueues } from "../../jobs/queues";
import { creditCode, ctxAt, insertEnterprise, insertUser, shanghai } from "../factories";

// A two-approval project: filing (发改, promised 3 WD) → planning permit (住建, promised 5 WD) → 开工.
const template = {
  key: "esc-test",
  version: 1,
  name: "升级测试",
  items: [
    { key: "filing", name: "备案", kind: "approval", department: "发改", stage: 1, statutoryLimit: 5, promisedLimit: 3, materials: [] },
    { key: "permit", name: "施工许可", kind: "approval", department: "住建", stage: 3, statutoryLimit: 7, promisedLimit: 5, materials: [] },
    { key: "start", name: "开工", kind: "milestone", stage: 3 },
  ],
  dependencies: [
    { from: "filing", to: "permit" },
    { from: "permit", to: "start" },
  ],
};

let proxy: Awaited<ReturnType<typeof insertUser>>;
let staff: Awaited<ReturnType<typeof insertUser>>;
let leaderOfDept: Awaited<ReturnType<typeof insertUser>>;
let coordinator: Awaited<ReturnType<typeof insertUser>>;
let projectId: number;

async function newProject(name: string, signedOn = "2026-03-02") {
  return createProject(ctxAt(signedOn), proxy, {
    name,
    enterprise: { name: "升级测试企业", creditCode: creditCode("91330100MA2T0000X") },
    template,
    signedOn,
    targetStartOn: "2026-06-30",
  }).id;
}

function rowsOf(itemKey: string, pid = projectId) {
  return getDb()
    .select({ e: escalations })
    .from(escalations)
    .innerJoin(items, eq(items.id, escalations.itemId))
    .where(and(eq(items.key, itemKey), eq(items.projectId, pid)))
    .all()
    .map((r) => r.e);
}

beforeAll(async () => {
  proxy = await insertUser({ role: "proxy" });
  staff = await insertUser({ role: "dept", department: "发改" });
  leaderOfDept = await insertUser({ role: "dept", department: "发改" });
  getDb().run(sql`update users set is_department_leader = 1 where id = ${leaderOfDept.id}`);
  coordinator = await insertUser({ role: "coordinator" });
  projectId = await newProject("升级测试项目");
  // Accepted Mon 2026-03-02, promised 3 WD → due Thu 03-05.
  recordItemEvent(ctxAt("2026-03-02"), proxy, projectId, "filing", { type: "accept", on: "2026-03-02" });
});

afterAll(async () => {
  setMailer(undefined);
  await closeQueues();
  await closeAllRedis();
});

describe("escalation timers follow the clock", () => {
  it("accepting an item plans the whole ladder in the same transaction", () => {
    const byLevel = Object.fromEntries(rowsOf("filing").map((r) => [r.level, r]));
    // due 03-05: yellow Wed 03-04, red Fri 03-06, supervise Tue 03-10, leader Thu 03-19 — each at 09:00 Shanghai
    expect(Object.keys(byLevel).sort()).toEqual(["leader", "red", "supervise", "yellow"]);
    expect(new Date(byLevel.yellow.fireAt).toISOString()).toBe("2026-03-04T01:00:00.000Z");
    expect(new Date(byLevel.red.fireAt).toISOString()).toBe("2026-03-06T01:00:00.000Z");
    expect(new Date(byLevel.supervise.fireAt).toISOString()).toBe("2026-03-10T01:00:00.000Z");
    expect(new Date(byLevel.leader.fireAt).toISOString()).toBe("2026-03-19T01:00:00.000Z");
    expect(byLevel.red.dueOn).toBe("2026-03-05");
    expect(rowsOf("permit")).toEqual([]);
  });

  it("fires yellow exactly once at its moment, to the handler's department and the proxy officer", async () => {
    const before = fireDue(getDb(), shanghai("2026-03-04", "08:59"));
    expect(before.fired).toBe(0);
    expect(fireDue(getDb(), shanghai("2026-03-04", "09:00")).fired).toBe(1);
    expect(fireDue(getDb(), shanghai("2026-03-04", "09:05")).fired).toBe(0);
    const yellow = rowsOf("filing").find((r) => r.level === "yellow")!;
    expect(fireEscalation(getDb(), yellow.id, shanghai("2026-03-04", "10:00"))).toBe("already");

    await deliverDue(getDb(), shanghai("2026-03-04", "09:00"));
    const recipients = getDb().all<{ user_id: number }>(sql`select user_id from notifications where escalation_id = ${yellow.id} order by user_id`);
    expect(recipients.map((r) => r.user_id).sort()).toEqual([proxy.id, staff.id].sort());
    const inbox = listInbox({ db: getDb(), now: shanghai("2026-03-04", "09:01") }, proxy);
    expect(inbox[0].title).toBe("【预警】升级测试项目 · 备案");
    expect(inbox[0].body).toContain("剩余 1 个工作日");
    expect(unreadCount({ db: getDb(), now: shanghai("2026-03-04", "09:01") }, proxy)).toBe(1);
  });

  it("a red that comes due at night is recorded at once but delivered the next working morning", async () => {
    // The worker was down all day Friday 03-06; it fires red at 20:00.
    expect(fireDue(getDb(), shanghai("2026-03-06", "20:00")).fired).toBe(1);
    const red = rowsOf("filing").find((r) => r.level === "red")!;
    expect(red.firedAt).toBe(shanghai("2026-03-06", "20:00").getTime());
    expect((await deliverDue(getDb(), shanghai("2026-03-06", "20:00"))).delivered).toBe(0);
    expect((await deliverDue(getDb(), shanghai("2026-03-07", "12:00"))).delivered).toBe(0); // Saturday
    expect((await deliverDue(getDb(), shanghai("2026-03-09", "08:30"))).delivered).toBeGreaterThan(0); // Monday
    const to = getDb().all<{ user_id: number }>(sql`select user_id from notifications where escalation_id = ${red.id}`).map((r) => r.user_id);
    expect(to).toEqual(expect.arrayContaining([proxy.id, staff.id, leaderOfDept.id, coordinator.id]));
  });

  it("supervise puts the item on the next planned joint meeting's agenda, once", () => {
    const db = getDb();
    const meeting = db.insert(meetings).values({ title: "联席会议", heldOn: "2026-03-13", status: "planned" }).returning().get();
    // Two timers are due by Tue 03-10 09:00: the item's supervise and the project's stall
    // (no progress since Mon 03-02; +5 working days = Mon 03-09).
    expect(fireDue(db, shanghai("2026-03-10", "09:00")).fired).toBe(2);
    expect(fireDue(db, shanghai("2026-03-10", "09:30")).fired).toBe(0);
    const stall = db.all<{ level: string; due_on: string }>(sql`select level, due_on from escalations where project_id = ${projectId} and item_id is null and fired_at is not null`);
    expect(stall).toEqual([{ level: "stall", due_on: "2026-03-02" }]);
    const agenda = db.all<{ reason: string; summary: string }>(sql`select reason, summary from agenda_items where meeting_id = ${meeting.id}`);
    expect(agenda).toEqual([{ reason: "supervise", summary: "备案超期督办（到期日 2026-03-05）" }]);
  });

  it("approval removes the timers still to come; nothing more fires", () => {
    recordItemEvent(ctxAt("2026-03-11"), proxy, projectId, "filing", { type: "approve", on: "2026-03-11" });
    const left = rowsOf("filing");
    expect(left.map((r) => r.level).sort()).toEqual(["red", "supervise", "yellow"]); // fired history stays
    expect(left.every((r) => r.firedAt !== null)).toBe(true);
    // Progress re-arms the project's stall timer from the new date.
    const stall = getDb().all<{ due_on: string }>(sql`select due_on from escalations where project_id = ${projectId} and item_id is null and fired_at is null`);
    expect(stall).toEqual([{ due_on: "2026-03-11" }]);
    fireDue(getDb(), shanghai("2026-03-30", "10:00"));
    expect(rowsOf("filing").map((r) => r.level).sort()).toEqual(["red", "supervise", "yellow"]);
    // …and the next item, now accepted, gets its own ladder.
    recordItemEvent(ctxAt("2026-03-11"), proxy, projectId, "permit", { type: "accept", on: "2026-03-11" });
    expect(rowsOf("permit").filter((r) => r.firedAt === null)).toHaveLength(4);
  });

  it("a correction freezes the clock: no timers while paused, a new ladder after", () => {
    recordItemEvent(ctxAt("2026-03-12"), proxy, projectId, "permit", { type: "request_correction", on: "2026-03-12" });
    expect(rowsOf("permit")).toEqual([]);
    recordItemEvent(ctxAt("2026-03-16"), proxy, projectId, "permit", { type: "receive_correction", on: "2026-03-16" });
    // accepted 03-11, promised 5, paused 03-12→03-16 = 2 WD → due addWorkingDays(03-11, 7) = 03-20
    const red = rowsOf("permit").find((r) => r.level === "red")!;
    expect(red.dueOn).toBe("2026-03-20");
    expect(new Date(red.fireAt).toISOString()).toBe("2026-03-23T01:00:00.000Z");
  });

  it("the API lists fired escalations and their acknowledgement", () => {
    const ctx = ctxAt("2026-03-12");
    const list = listProjectEscalations(ctx, proxy, projectId);
    expect(list.filter((e) => e.itemKey).map((e) => [e.itemKey, e.level])).toEqual([
      ["filing", "yellow"],
      ["filing", "red"],
      ["filing", "supervise"],
    ]);
    // Project-level stalls have no item key: 03-02 (fired 03-10) and 03-11 (fired by the 03-30 sweep).
    expect(list.filter((e) => !e.itemKey).map((e) => [e.level, e.dueOn])).toEqual([
      ["stall", "2026-03-02"],
      ["stall", "2026-03-11"],
    ]);
    const red = list.find((e) => e.level === "red")!;
    expect(red.acknowledgedAt).toBeNull();

    acknowledgeEscalation(ctx, staff, red.id, { note: "材料已齐，预计 3 月 13 日办结" });
    const after = listProjectEscalations(ctx, proxy, projectId).find((e) => e.id === red.id)!;
    expect(after.acknowledgedAt).toBe(ctx.now.toISOString());
    expect(after.acknowledgeNote).toBe("材料已齐，预计 3 月 13 日办结");
    expect(() => acknowledgeEscalation(ctx, staff, red.id, { note: "再次确认" })).toThrow(/已被确认/);
  });

  it("refuses acknowledgement from someone the item is not about, and an empty note", async () => {
    const otherDept = await insertUser({ role: "dept", department: "住建" });
    const yellow = listProjectEscalations(ctxAt("2026-03-12"), proxy, projectId).find((e) => e.level === "yellow")!;
    const err = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e as AppError;
      }
      throw new Error("expected an error");
    };
    expect(err(() => acknowledgeEscalation(ctxAt("2026-03-12"), otherDept, yellow.id, { note: "不是我们的事项" })).status).toBe(403);
    expect(err(() => acknowledgeEscalation(ctxAt("2026-03-12"), staff, yellow.id, { note: "" })).status).toBe(422);
    const enterpriseUser = await insertUser({ role: "enterprise", enterpriseId: insertEnterprise("别家企业", "91330100MA2T0001X") });
    expect(err(() => acknowledgeEscalation(ctxAt("2026-03-12"), enterpriseUser, yellow.id, { note: "看看" })).status).toBe(404);
    expect(getDb().get<{ n: number }>(sql`select count(*) as n from escalations where id = ${yellow.id} and acknowledged_at is not null`).n).toBe(0);
  });
});

describe("per-item escalation settings (administrators)", () => {
  it("moves the item's unfired timers to its own offsets and falls back to the defaults when cleared", async () => {
    const admin = await insertUser({ role: "admin" });
    // permit: due 2026-03-20 after the correction above; default red +1 = 03-23, supervise +3 = 03-25
    setItemEscalationSettings(ctxAt("2026-03-17"), admin, projectId, "permit", { redAfter: "2", superviseAfter: "2", leaderAfter: "" });
    const byLevel = () => Object.fromEntries(rowsOf("permit").filter((r) => r.firedAt === null).map((r) => [r.level, new Date(r.fireAt).toISOString().slice(0, 10)]));
    expect(byLevel()).toMatchObject({ red: "2026-03-24", supervise: "2026-03-24" });
    setItemEscalationSettings(ctxAt("2026-03-17"), admin, projectId, "permit", { redAfter: "", superviseAfter: "", yellowLead: "3" });
    // yellow with lead 3: 03-20 − 3 working days = 03-17; red back to the default 03-23
    expect(byLevel()).toMatchObject({ yellow: "2026-03-17", red: "2026-03-23", supervise: "2026-03-25" });
  });

  it("refuses non-administrators and an out-of-order ladder, changing nothing", async () => {
    const before = rowsOf("permit").map((r) => [r.level, r.fireAt]);
    const err = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e as AppError;
      }
      throw new Error("expected an error");
    };
    expect(err(() => setItemEscalationSettings(ctxAt("2026-03-17"), proxy, projectId, "permit", { redAfter: "2" })).status).toBe(403);
    const admin = await insertUser({ role: "admin" });
    expect(err(() => setItemEscalationSettings(ctxAt("2026-03-17"), admin, projectId, "permit", { redAfter: "5", superviseAfter: "2" })).message).toBe("升级顺序应为：超期 ≤ 督办 ≤ 领导督办");
    expect(err(() => setItemEscalationSettings(ctxAt("2026-03-17"), admin, projectId, "permit", { redAfter: "0" })).status).toBe(422);
    expect(rowsOf("permit").map((r) => [r.level, r.fireAt])).toEqual(before);
  });
});

describe("notifications outbox", () => {
  it("mails with backoff when SMTP fails, then succeeds; in-app delivery does not wait", async () => {
    const db = getDb();
    db.run(sql`update users set email = 'proxy@example.test' where id = ${proxy.id}`);
    const sent: string[] = [];
    let failNext = true;
    setMailer({
      async send(to, subject) {
        if (failNext) {
          failNext = false;
          throw new Error("SMTP 451 try later");
        }
        sent.push(`${to}|${subject}`);
      },
    });
    db.insert(notifications)
      .values({ userId: proxy.id, kind: "test", title: "测试邮件", body: "正文", dedupeKey: "mail-test-1", deliverAfter: shanghai("2026-03-12", "10:00").getTime(), emailStatus: "pending" })
      .run();
    const first = await deliverDue(db, shanghai("2026-03-12", "10:00"));
    expect(first.failed).toBe(1);
    let row = db.select().from(notifications).where(eq(notifications.dedupeKey, "mail-test-1")).get()!;
    expect(row.deliveredAt).not.toBeNull();
    expect(row).toMatchObject({ emailStatus: "pending", attempts: 1, lastError: "SMTP 451 try later" });
    expect(row.emailNextAt).toBe(shanghai("2026-03-12", "10:01").getTime());

    expect((await deliverDue(db, shanghai("2026-03-12", "10:00"))).mailed).toBe(0); // backoff not over
    expect((await deliverDue(db, shanghai("2026-03-12", "10:01"))).mailed).toBe(1);
    row = db.select().from(notifications).where(eq(notifications.dedupeKey, "mail-test-1")).get()!;
    expect(row.emailStatus).toBe("sent");
    expect(sent).toEqual(["proxy@example.test|测试邮件"]);
    expect((await deliverDue(db, shanghai("2026-03-12", "10:05"))).mailed).toBe(0);
  });

  it("builds one daily digest per user with work to do, on working days only", async () => {
    const db = getDb();
    const p2 = await newProject("摘要测试项目", "2026-03-16");
    // accepted 03-16, promised 3 → due 03-19; on 03-20 it is overdue (red)
    recordItemEvent(ctxAt("2026-03-16"), proxy, p2, "filing", { type: "accept", on: "2026-03-16" });
    const created = buildDailyDigests(db, shanghai("2026-03-20", "08:30"));
    expect(created).toBeGreaterThanOrEqual(2);
    const mine = db.all<{ title: string; body: string }>(sql`select title, body from notifications where kind = 'digest' and user_id = ${proxy.id}`);
    expect(mine).toHaveLength(1);
    expect(mine[0].title).toBe("每日摘要 2026-03-20");
    expect(mine[0].body).toMatch(/超期 [1-9]/);
    expect(db.get<{ n: number }>(sql`select count(*) as n from notifications where kind = 'digest' and user_id = ${staff.id}`).n).toBe(1);
    expect(buildDailyDigests(db, shanghai("2026-03-20", "09:00"))).toBe(0);
    expect(buildDailyDigests(db, shanghai("2026-03-21", "08:30"))).toBe(0); // Saturday
  });
});
