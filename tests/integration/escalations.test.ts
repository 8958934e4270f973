import { and, eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { escalations, items, meetings, notifications } from "../../db/schema";
import { toDay } from "~/domain/calendar";
import { DEFAULT_POLICY, instantOf, type EscalationLevel } from "~/domain/escalation/policy";
import { getDrilldown } from "~/services/dashboard.server";
import { listPendingSuperviseCandidates, takeSuperviseCandidates } from "~/services/escalation-agenda.server";
import { fireDue, fireEscalation } from "~/services/escalation-firing.server";
import { acknowledgeEscalation, listProjectEscalations } from "~/services/escalation-records.server";
import { setItemEscalationSettings } from "~/services/escalation-settings.server";
import { AppError } from "~/services/errors.server";
import { listInbox, unreadCount } from "~/services/inbox.server";
import { recordItemEvent } from "~/services/items.server";
import { setMailer } from "~/services/mailer.server";
import { buildDailyDigests, deliverDue } from "~/services/notify.server";
import { savePolicy } from "~/services/settings.server";
import { transaction } from "~/services/transaction.server";
import { getDb } from "~/utils/db.server";
import { ctxAt, insertEnterprise, insertProject, insertUser, shanghai, uniqueCredit17 } from "../factories";

/*
 * Every test builds its own people and project (world() below) and asserts on
 * that project's rows, so no test leans on another's timers, notifications or
 * meetings, whatever order they run in.
 */

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

/**
 * A proxy officer, a 发改 clerk, the 发改 leader and a coordinator, and a project
 * signed on `signedOn` whose filing is accepted that day (unless `accept: false`).
 * Signed Mon 2026-03-02 and accepted the same day, promised 3 WD → filing due Thu 03-05.
 */
async function world(opts: { signedOn?: string; accept?: boolean } = {}) {
  const signedOn = opts.signedOn ?? "2026-03-02";
  const proxy = await insertUser({ role: "proxy" });
  const staff = await insertUser({ role: "dept", department: "发改" });
  const deptLeader = await insertUser({ role: "dept", department: "发改", departmentLeader: true });
  const coordinator = await insertUser({ role: "coordinator" });
  const projectId = insertProject(proxy, { name: "升级测试项目", templateKey: undefined, template, signedOn, targetStartOn: "2026-12-31" });
  if (opts.accept ?? true) recordItemEvent(ctxAt(signedOn), proxy, projectId, "filing", { type: "accept", on: signedOn });
  return { proxy, staff, deptLeader, coordinator, projectId };
}

function rowsOf(projectId: number, itemKey: string) {
  return getDb()
    .select({ e: escalations })
    .from(escalations)
    .innerJoin(items, eq(items.id, escalations.itemId))
    .where(and(eq(items.key, itemKey), eq(items.projectId, projectId)))
    .all()
    .map((r) => r.e);
}

function rowOf(projectId: number, itemKey: string, level: EscalationLevel) {
  const row = rowsOf(projectId, itemKey).find((r) => r.level === level);
  if (!row) throw new Error(`no ${level} row for ${itemKey}`);
  return row;
}

function stallRows(projectId: number) {
  return getDb().all<{ id: number; due_on: string; fire_at: number; fired_at: number | null }>(
    sql`select id, due_on, fire_at, fired_at from escalations where project_id = ${projectId} and item_id is null order by id`,
  );
}

/** The notification one user got for one escalation row. */
function noticeFor(escalationId: number, userId: number) {
  return getDb().select().from(notifications).where(and(eq(notifications.escalationId, escalationId), eq(notifications.userId, userId))).get();
}

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    return e as AppError;
  }
  throw new Error("expected an error");
}

afterEach(() => setMailer(undefined));

describe("escalation timers follow the clock", () => {
  it("accepting an item plans the whole ladder in the same transaction", async () => {
    const { projectId } = await world();
    const byLevel = Object.fromEntries(rowsOf(projectId, "filing").map((r) => [r.level, r]));
    // due 03-05: yellow Wed 03-04, red Fri 03-06, supervise Tue 03-10, leader Thu 03-19 — each at 09:00 Shanghai
    expect(Object.keys(byLevel).sort()).toEqual(["leader", "red", "supervise", "yellow"]);
    expect(new Date(byLevel.yellow.fireAt).toISOString()).toBe("2026-03-04T01:00:00.000Z");
    expect(new Date(byLevel.red.fireAt).toISOString()).toBe("2026-03-06T01:00:00.000Z");
    expect(new Date(byLevel.supervise.fireAt).toISOString()).toBe("2026-03-10T01:00:00.000Z");
    expect(new Date(byLevel.leader.fireAt).toISOString()).toBe("2026-03-19T01:00:00.000Z");
    expect(byLevel.red.dueOn).toBe("2026-03-05");
    expect(rowsOf(projectId, "permit")).toEqual([]);
  });

  it("fires yellow exactly once at its moment, to the handler's department and the proxy officer, saying what is left", async () => {
    const { projectId, proxy, staff } = await world();
    const db = getDb();
    const yellow = () => rowOf(projectId, "filing", "yellow");
    fireDue(db, shanghai("2026-03-04", "08:59"));
    expect(yellow().firedAt).toBeNull();
    expect(fireDue(db, shanghai("2026-03-04", "09:00")).ids).toContain(yellow().id);
    expect(yellow().firedAt).toBe(shanghai("2026-03-04", "09:00").getTime());
    fireDue(db, shanghai("2026-03-04", "09:05"));
    expect(fireEscalation(db, yellow().id, shanghai("2026-03-04", "10:00"))).toBe("already");

    await deliverDue(db, shanghai("2026-03-04", "09:00"));
    const recipients = db.all<{ user_id: number }>(sql`select user_id from notifications where escalation_id = ${yellow().id}`).map((r) => r.user_id);
    // Not the department leader nor the coordinator: they hear from 超期 on.
    expect(recipients.sort()).toEqual([proxy.id, staff.id].sort());
    const inbox = listInbox({ db, now: shanghai("2026-03-04", "09:01") }, proxy);
    expect(inbox[0].title).toBe("【预警】升级测试项目 · 备案");
    expect(inbox[0].body).toBe("市发展和改革委员会承办，剩余 1 个工作日，到期日 2026-03-05；请及时办理。");
    expect(unreadCount({ db, now: shanghai("2026-03-04", "09:01") }, proxy)).toBe(1);
  });

  it("a backlog fired at once (the worker was down) keeps each level's own words: 预警 does not become a second 超期", async () => {
    const { projectId, proxy, deptLeader } = await world();
    // Nothing ran from 03-02 until Thu 03-19 09:30: yellow, red, supervise and leader all fire in one batch.
    const late = shanghai("2026-03-19", "09:30");
    fireDue(getDb(), late);
    const body = (level: EscalationLevel, userId: number) => noticeFor(rowOf(projectId, "filing", level).id, userId)!.body;
    expect(body("yellow", proxy.id)).toBe("市发展和改革委员会承办，剩余 1 个工作日，到期日 2026-03-05；请及时办理。（此提醒应于 2026-03-04 发出，系统恢复后补发）");
    expect(body("red", proxy.id)).toContain("已超期 1 个工作日（到期日 2026-03-05）");
    expect(body("supervise", proxy.id)).toContain("已超期 3 个工作日（到期日 2026-03-05）");
    expect(body("leader", deptLeader.id)).toContain("已超期 10 个工作日（到期日 2026-03-05）");
    // 停滞 counts its own 5 working days from the last progress (Mon 03-02 → Mon 03-09).
    const stall = stallRows(projectId)[0];
    expect(noticeFor(stall.id, proxy.id)!.body).toContain("项目自 2026-03-02 起已 5 个工作日无进展");
  });

  it("a red that comes due at night is recorded at once but delivered the next working morning", async () => {
    const { projectId, proxy, staff, deptLeader, coordinator } = await world();
    const db = getDb();
    // The worker was down all day Friday 03-06; it fires red at 20:00.
    fireEscalation(db, rowOf(projectId, "filing", "red").id, shanghai("2026-03-06", "20:00"));
    const red = rowOf(projectId, "filing", "red");
    expect(red.firedAt).toBe(shanghai("2026-03-06", "20:00").getTime());
    const delivered = () => db.all<{ user_id: number; delivered_at: number | null }>(sql`select user_id, delivered_at from notifications where escalation_id = ${red.id}`);
    await deliverDue(db, shanghai("2026-03-06", "20:00"));
    await deliverDue(db, shanghai("2026-03-07", "12:00")); // Saturday
    expect(delivered().every((n) => n.delivered_at === null)).toBe(true);
    await deliverDue(db, shanghai("2026-03-09", "08:30")); // Monday
    expect(delivered().every((n) => n.delivered_at === shanghai("2026-03-09", "08:30").getTime())).toBe(true);
    expect(delivered().map((n) => n.user_id).sort()).toEqual([proxy.id, staff.id, deptLeader.id, coordinator.id].sort());
  });

  it("approval removes the timers still to come; nothing more fires", async () => {
    const { projectId, proxy } = await world();
    fireDue(getDb(), shanghai("2026-03-10", "09:00"));
    recordItemEvent(ctxAt("2026-03-11"), proxy, projectId, "filing", { type: "approve", on: "2026-03-11" });
    const left = rowsOf(projectId, "filing");
    expect(left.map((r) => r.level).sort()).toEqual(["red", "supervise", "yellow"]); // fired history stays
    expect(left.every((r) => r.firedAt !== null)).toBe(true);
    // Progress re-arms the project's stall timer from the new date.
    expect(stallRows(projectId).filter((r) => r.fired_at === null).map((r) => r.due_on)).toEqual(["2026-03-11"]);
    fireDue(getDb(), shanghai("2026-03-30", "10:00"));
    expect(rowsOf(projectId, "filing").map((r) => r.level).sort()).toEqual(["red", "supervise", "yellow"]);
    // …and the next item, now accepted, gets its own ladder.
    recordItemEvent(ctxAt("2026-03-11"), proxy, projectId, "permit", { type: "accept", on: "2026-03-11" });
    expect(rowsOf(projectId, "permit").filter((r) => r.firedAt === null)).toHaveLength(4);
  });

  it("a correction freezes the clock: no timers while paused, a new ladder after", async () => {
    const { projectId, proxy } = await world();
    recordItemEvent(ctxAt("2026-03-05"), proxy, projectId, "filing", { type: "approve", on: "2026-03-05" });
    recordItemEvent(ctxAt("2026-03-11"), proxy, projectId, "permit", { type: "accept", on: "2026-03-11" });
    recordItemEvent(ctxAt("2026-03-12"), proxy, projectId, "permit", { type: "request_correction", on: "2026-03-12" });
    expect(rowsOf(projectId, "permit")).toEqual([]);
    recordItemEvent(ctxAt("2026-03-16"), proxy, projectId, "permit", { type: "receive_correction", on: "2026-03-16" });
    // accepted 03-11, promised 5, paused 03-12→03-16 = 2 WD → due addWorkingDays(03-11, 7) = 03-20
    const red = rowOf(projectId, "permit", "red");
    expect(red.dueOn).toBe("2026-03-20");
    expect(new Date(red.fireAt).toISOString()).toBe("2026-03-23T01:00:00.000Z");
  });
});

describe("督办 puts the item before the joint meeting, now or when one is planned", () => {
  it("with a meeting planned: on its agenda once, and the message names it", async () => {
    const { projectId, proxy } = await world();
    const db = getDb();
    const meeting = db.insert(meetings).values({ title: "联席会议", heldOn: "2026-03-13", status: "planned" }).returning().get();
    fireDue(db, shanghai("2026-03-10", "09:00"));
    fireDue(db, shanghai("2026-03-10", "09:30"));
    const supervise = rowOf(projectId, "filing", "supervise");
    expect(supervise.agendaMeetingId).toBe(meeting.id);
    const agenda = db.all<{ reason: string; summary: string }>(sql`select reason, summary from agenda_items where meeting_id = ${meeting.id}`);
    expect(agenda).toEqual([{ reason: "supervise", summary: "备案超期督办（到期日 2026-03-05）" }]);
    expect(listPendingSuperviseCandidates(db).map((c) => c.escalationId)).not.toContain(supervise.id);
    expect(noticeFor(supervise.id, proxy.id)!.body).toBe("市发展和改革委员会承办，已超期 3 个工作日（到期日 2026-03-05）；已列入督办，提交 2026-03-13 联席会议研究。");
  });

  it("with no meeting planned: stays a visible candidate until a meeting planned later takes it", async () => {
    const { projectId, proxy } = await world();
    const db = getDb();
    // A meeting already held is not "the next planned meeting".
    db.insert(meetings).values({ title: "上次联席会议", heldOn: "2026-03-06", status: "held" }).run();
    expect(fireEscalation(db, rowOf(projectId, "filing", "supervise").id, shanghai("2026-03-10", "09:00"))).toBe("fired");
    const supervise = rowOf(projectId, "filing", "supervise");
    expect(db.all(sql`select id from agenda_items`)).toEqual([]);
    expect(noticeFor(supervise.id, proxy.id)!.body).toContain("已列入督办，待列入下次联席会议议程");
    expect(listPendingSuperviseCandidates(db)).toEqual([
      {
        escalationId: supervise.id,
        projectId,
        projectName: "升级测试项目",
        itemId: supervise.itemId,
        itemName: "备案",
        departmentName: "市发展和改革委员会",
        dueOn: "2026-03-05",
        firedAt: shanghai("2026-03-10", "09:00").getTime(),
        summary: "备案超期督办（到期日 2026-03-05）",
      },
    ]);

    // A week later the coordinator plans a meeting; it takes the candidate, once.
    const meeting = db.insert(meetings).values({ title: "联席会议", heldOn: "2026-03-20", status: "planned" }).returning().get();
    expect(transaction(db, (tx) => takeSuperviseCandidates(tx, meeting.id)).map((c) => c.escalationId)).toEqual([supervise.id]);
    expect(transaction(db, (tx) => takeSuperviseCandidates(tx, meeting.id))).toEqual([]);
    const agenda = db.all<{ project_id: number; item_id: number; reason: string; summary: string }>(
      sql`select project_id, item_id, reason, summary from agenda_items where meeting_id = ${meeting.id}`,
    );
    expect(agenda).toEqual([{ project_id: projectId, item_id: supervise.itemId, reason: "supervise", summary: "备案超期督办（到期日 2026-03-05）" }]);
    expect(listPendingSuperviseCandidates(db)).toEqual([]);

    // The meeting is called off and deleted: the 督办 is a candidate again, not lost with it.
    db.delete(meetings).where(eq(meetings.id, meeting.id)).run();
    expect(listPendingSuperviseCandidates(db).map((c) => c.escalationId)).toEqual([supervise.id]);
  });
});

describe("acknowledging fired escalations", () => {
  it("the API lists fired escalations and their acknowledgement", async () => {
    const { projectId, proxy, staff } = await world();
    fireDue(getDb(), shanghai("2026-03-10", "09:00"));
    const ctx = ctxAt("2026-03-12");
    const list = listProjectEscalations(ctx, proxy, projectId);
    expect(list.filter((e) => e.itemKey).map((e) => [e.itemKey, e.level])).toEqual([
      ["filing", "yellow"],
      ["filing", "red"],
      ["filing", "supervise"],
    ]);
    // The project-level stall has no item key: no progress since 03-02, fired 03-09.
    expect(list.filter((e) => !e.itemKey).map((e) => [e.level, e.dueOn])).toEqual([["stall", "2026-03-02"]]);
    const red = list.find((e) => e.level === "red")!;
    expect(red.acknowledgedAt).toBeNull();

    // Posted from another project's page, it is not found there (and changes nothing).
    expect(errorOf(() => acknowledgeEscalation(ctx, staff, red.id, { note: "走错了项目页" }, projectId + 1)).status).toBe(404);
    acknowledgeEscalation(ctx, staff, red.id, { note: "材料已齐，预计 3 月 13 日办结" }, projectId);
    const after = listProjectEscalations(ctx, proxy, projectId).find((e) => e.id === red.id)!;
    expect(after.acknowledgedAt).toBe(ctx.now.toISOString());
    expect(after.acknowledgeNote).toBe("材料已齐，预计 3 月 13 日办结");
    expect(() => acknowledgeEscalation(ctx, staff, red.id, { note: "再次确认" })).toThrow(/已被确认/);
  });

  it("refuses acknowledgement from someone the item is not about, and an empty note", async () => {
    const { projectId, staff } = await world();
    const yellow = rowOf(projectId, "filing", "yellow");
    fireEscalation(getDb(), yellow.id, shanghai("2026-03-04", "09:00"));
    const otherDept = await insertUser({ role: "dept", department: "住建" });
    expect(errorOf(() => acknowledgeEscalation(ctxAt("2026-03-12"), otherDept, yellow.id, { note: "不是我们的事项" })).status).toBe(403);
    expect(errorOf(() => acknowledgeEscalation(ctxAt("2026-03-12"), staff, yellow.id, { note: "" })).status).toBe(422);
    const enterpriseUser = await insertUser({ role: "enterprise", enterpriseId: insertEnterprise("别家企业", uniqueCredit17()) });
    expect(errorOf(() => acknowledgeEscalation(ctxAt("2026-03-12"), enterpriseUser, yellow.id, { note: "看看" })).status).toBe(404);
    expect(rowOf(projectId, "filing", "yellow").acknowledgedAt).toBeNull();
  });
});

describe("per-item escalation settings (administrators)", () => {
  it("moves the item's unfired timers to its own offsets and falls back to the defaults when cleared", async () => {
    const { projectId } = await world();
    const admin = await insertUser({ role: "admin" });
    const byLevel = () => Object.fromEntries(rowsOf(projectId, "filing").filter((r) => r.firedAt === null).map((r) => [r.level, new Date(r.fireAt).toISOString().slice(0, 10)]));
    // filing due Thu 03-05; red +2 and supervise +2 → Mon 03-09
    setItemEscalationSettings(ctxAt("2026-03-03"), admin, projectId, "filing", { redAfter: "2", superviseAfter: "2", leaderAfter: "" });
    expect(byLevel()).toMatchObject({ red: "2026-03-09", supervise: "2026-03-09" });
    setItemEscalationSettings(ctxAt("2026-03-03"), admin, projectId, "filing", { redAfter: "", superviseAfter: "", yellowLead: "2" });
    // yellow with lead 2: 03-05 − 2 working days = 03-03; red and supervise back to the defaults 03-06 and 03-10
    expect(byLevel()).toMatchObject({ yellow: "2026-03-03", red: "2026-03-06", supervise: "2026-03-10" });
  });

  it("refuses non-administrators and an out-of-order ladder, changing nothing", async () => {
    const { projectId, proxy } = await world();
    const before = rowsOf(projectId, "filing").map((r) => [r.level, r.fireAt]);
    expect(errorOf(() => setItemEscalationSettings(ctxAt("2026-03-03"), proxy, projectId, "filing", { redAfter: "2" })).status).toBe(403);
    const admin = await insertUser({ role: "admin" });
    expect(errorOf(() => setItemEscalationSettings(ctxAt("2026-03-03"), admin, projectId, "filing", { redAfter: "5", superviseAfter: "2" })).message).toBe("升级顺序应为：超期 ≤ 督办 ≤ 领导督办");
    expect(errorOf(() => setItemEscalationSettings(ctxAt("2026-03-03"), admin, projectId, "filing", { redAfter: "0" })).status).toBe(422);
    expect(rowsOf(projectId, "filing").map((r) => [r.level, r.fireAt])).toEqual(before);
  });
});

describe("stall: one stallAfter for the escalation and the dashboard (DESIGN §4)", () => {
  // Signed Wed 2026-09-30 with nothing done since; on Mon 10-12 that is 4 working days
  // (10-08, 10-09, the make-up Saturday 10-10, 10-12 — 国庆 10-01..10-07 is rest).
  const asOf = "2026-10-12";

  async function idleProject(stallAfter: number) {
    const admin = await insertUser({ role: "admin" });
    const leader = await insertUser({ role: "leader" });
    const { projectId } = await world({ signedOn: "2026-09-30", accept: false });
    const { yellowLead, redAfter, superviseAfter, leaderAfter } = DEFAULT_POLICY;
    savePolicy(ctxAt("2026-09-30"), admin, { yellowLead, redAfter, superviseAfter, leaderAfter, stallAfter });
    const row = getDrilldown(ctxAt(asOf), leader, new URLSearchParams({ list: "active" })).projects.find((p) => p.id === projectId)!;
    return { projectId, row, stall: stallRows(projectId) };
  }

  it("stallAfter 3: 4 idle working days is stalled on the dashboard, and the stall escalation is due", async () => {
    const { projectId, row, stall } = await idleProject(3);
    expect(row.idleDays).toBe(4);
    expect(row.reasons).toContain("4 个工作日无进展");
    // +3 working days from 09-30 = the make-up Saturday 10-10, 09:00
    expect(stall.map((s) => [s.due_on, s.fire_at])).toEqual([["2026-09-30", instantOf(toDay("2026-10-10"), DEFAULT_POLICY.fireAt)]]);
    fireDue(getDb(), shanghai(asOf));
    expect(stallRows(projectId)[0].fired_at).not.toBeNull();
  });

  it("stallAfter 5: the same 4 idle working days are not stalled, on the dashboard or in the escalation", async () => {
    const { projectId, row, stall } = await idleProject(5);
    expect(row.idleDays).toBeNull();
    expect(row.reasons.some((r) => r.includes("无进展"))).toBe(false);
    // +5 = Tue 10-13: not yet due on 10-12
    expect(stall.map((s) => [s.due_on, s.fire_at])).toEqual([["2026-09-30", instantOf(toDay("2026-10-13"), DEFAULT_POLICY.fireAt)]]);
    fireDue(getDb(), shanghai(asOf));
    expect(stallRows(projectId)[0].fired_at).toBeNull();
  });
});

describe("notifications outbox", () => {
  it("mails with backoff when SMTP fails, then succeeds; in-app delivery does not wait", async () => {
    const db = getDb();
    const proxy = await insertUser({ role: "proxy", email: "proxy@example.test" });
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
    const row = () => db.select().from(notifications).where(eq(notifications.dedupeKey, "mail-test-1")).get()!;
    expect((await deliverDue(db, shanghai("2026-03-12", "10:00"))).failed).toBe(1);
    expect(row().deliveredAt).not.toBeNull();
    expect(row()).toMatchObject({ emailStatus: "pending", attempts: 1, lastError: "SMTP 451 try later" });
    expect(row().emailNextAt).toBe(shanghai("2026-03-12", "10:01").getTime());

    expect((await deliverDue(db, shanghai("2026-03-12", "10:00"))).mailed).toBe(0); // backoff not over
    expect((await deliverDue(db, shanghai("2026-03-12", "10:01"))).mailed).toBe(1);
    expect(row().emailStatus).toBe("sent");
    expect(sent).toEqual(["proxy@example.test|测试邮件"]);
    expect((await deliverDue(db, shanghai("2026-03-12", "10:05"))).mailed).toBe(0);
  });

  it("builds one daily digest per user with work to do, on working days only", async () => {
    const db = getDb();
    // accepted Mon 03-16, promised 3 → due 03-19; on Fri 03-20 it is overdue (red)
    const { proxy, staff } = await world({ signedOn: "2026-03-16" });
    buildDailyDigests(db, shanghai("2026-03-20", "08:30"));
    const digestsOf = (userId: number) => db.all<{ title: string; body: string }>(sql`select title, body from notifications where kind = 'digest' and user_id = ${userId}`);
    expect(digestsOf(proxy.id)).toEqual([{ title: "每日摘要 2026-03-20", body: "在办 1 项：超期 1 项，临期 0 项，补正中 0 项。" }]);
    expect(digestsOf(staff.id)).toHaveLength(1);
    expect(buildDailyDigests(db, shanghai("2026-03-20", "09:00"))).toBe(0);
    expect(buildDailyDigests(db, shanghai("2026-03-21", "08:30"))).toBe(0); // Saturday
    expect(digestsOf(proxy.id)).toHaveLength(1);
  });
});
