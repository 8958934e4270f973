/**
 * Joint meetings (issue 11): the agenda builder on the demo city's stuck items,
 * carry-over, 督办 taken by a meeting, minutes with decisions whose action items
 * are clocks, issuing and closing, the pages' forms, and the API v1.1 meeting
 * endpoints (DESIGN §6) with real tokens. Each test has its own SQLite file
 * (tests/setup/db.ts) and Bull prefix (tests/setup/redis.ts).
 *
 * Service calls take their "now" from ctxAt(); the API routes and page actions
 * use the real clock, so what they do is dated in the past (a meeting held on
 * 2026-09-29, before 国庆) and holds on any later day. 2026 holidays: 中秋
 * 09-25..27, 国庆 10-01..07 off, make-up Sat 10-10.
 */
import { and, eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { actionItems, agendaItems, escalations, items, meetings, notifications } from "../../db/schema";
import type { Actor } from "~/domain/access/policy";
import { closeActionItem } from "~/services/action-items.server";
import { createApiToken } from "~/services/auth.server";
import { AppError } from "~/services/errors.server";
import { listPendingSuperviseCandidates } from "~/services/escalation-agenda.server";
import { recordItemEvent } from "~/services/items.server";
import {
  addAgendaItem,
  addDecision,
  closeMeeting,
  createMeeting,
  getAgendaCandidates,
  getMeetingDocument,
  issueMinutes,
  listMeetings,
  loadMeetingPage,
  markMeetingHeld,
  moveAgendaItem,
  recordAgendaMinutes,
  removeAgendaItem,
  setAgendaNote,
  updateMeeting,
} from "~/services/meetings.server";
import { getDb } from "~/utils/db.server";
import { loader as listMeetingsApi, action as createMeetingApi } from "~/routes/api.v1.meetings._index";
import { loader as getMeetingApi, action as postMeetingApi } from "~/routes/api.v1.meetings.$id._index";
import { loader as candidatesApi } from "~/routes/api.v1.meetings.$id.agenda-candidates";
import { action as agendaApi, loader as agendaApiGet } from "~/routes/api.v1.meetings.$id.agenda";
import { action as decisionsApi } from "~/routes/api.v1.meetings.$id.decisions";
import { action as loginAction } from "~/routes/login";
import { loader as indexLoader } from "~/routes/_app.meetings._index";
import { loader as newLoader, action as newAction } from "~/routes/_app.meetings.new";
import { loader as meetingLoader, action as meetingAction } from "~/routes/_app.meetings.$id";
import { ctxAt, insertEnterprise, insertProject, insertUser, TEST_PASSWORD, uniqueCredit17, type TestUser } from "../factories";
import { useDemoCity } from "../setup/db";
import { call, expectApiError } from "./api-helpers";

const HAN = /[\u4e00-\u9fff]/;
const db = () => getDb();

function caught(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error("expected an AppError");
}

const TABLES = ["meetings", "meeting_departments", "agenda_items", "decisions", "action_items", "escalations", "notifications", "audit_log"] as const;
function counts() {
  return Object.fromEntries(TABLES.map((t) => [t, db().get<{ n: number }>(sql.raw(`select count(*) as n from ${t}`)).n]));
}

// ---------------------------------------------------------------- the demo city

describe("the demo city (seeded Fri 2026-11-27): a coordinator prepares, holds and follows up a meeting", () => {
  useDemoCity();
  const day = "2026-11-27";
  const user = (login: string): Actor => db().get<Actor>(sql`select id, role, department_id as departmentId, enterprise_id as enterpriseId from users where login = ${login}`)!;
  const projectId = (name: string) => db().get<{ id: number }>(sql`select id from projects where name = ${name}`)!.id;
  const meetingId = (n: number) => db().get<{ id: number }>(sql`select id from meetings where title like ${`%第 ${n} 次%`}`)!.id;
  const named = (cs: ReturnType<typeof getAgendaCandidates>) => cs.map((c) => [c.facts.projectName, c.facts.itemName ?? c.facts.actionTitle, c.reason, c.severity]);

  it("candidates for the planned 47th meeting: the overdue 用地预审, then the stalled projects, then the one at risk", () => {
    const cs = getAgendaCandidates(ctxAt(day), user("coordinator"), meetingId(47));
    expect(named(cs)).toEqual([
      ["新能源电池材料项目", "建设项目用地预审与选址意见书", "red", 3003],
      ["新能源电池材料项目", null, "stall", 2019],
      ["生物医药中试基地", null, "stall", 2014],
      ["汽车零部件扩产项目", null, "stall", 2006],
      ["高端纺织智能工厂", null, "at_risk", 1015],
    ]);
    // The battery project is also late against its 开工 target: one entry, the slack among its facts.
    expect(cs[1]).toMatchObject({ alsoReasons: ["at_risk"], facts: { idleWorkingDays: 19, lastProgressOn: "2026-11-02" } });
    expect(cs[1].facts.slack).toBeLessThan(0);
    expect(cs[0]).toMatchObject({ itemKey: "site-preapproval", facts: { departmentName: "市自然资源和规划局", workingDaysOverdue: 3, dueOn: "2026-11-24" } });
    // The 环评 in correction is paused (no clock runs), the 方案审查 in its special procedure too: not offered.
    expect(cs.map((c) => c.itemKey)).not.toContain("eia-approval");
  });

  it("a new meeting takes over the 46th's unsettled item (上次会议转入) and invites the departments; the candidates no longer offer it", () => {
    const coordinator = user("coordinator");
    const m = createMeeting(ctxAt(day), coordinator, { type: "consult", title: "新能源电池材料项目专题会商", heldOn: day, startsAt: "14:30", place: "市政务服务中心 3 楼", departments: ["自然资源", "生态环境"] });
    expect(m).toMatchObject({ carriedOver: 1, supervised: 0 });
    const page = loadMeetingPage(ctxAt(day), coordinator, m.id);
    expect(page.agenda).toHaveLength(1);
    expect(page.agenda[0]).toMatchObject({
      reason: "red",
      itemKey: "site-preapproval",
      projectName: "新能源电池材料项目",
      summary: "用地预审与选址意见书超过承诺时限，涉及林地占用需会商",
      carriedFrom: { id: meetingId(46), title: "重点项目协调推进联席会议（第 46 次）", heldOn: "2026-11-20" },
      clock: { dueOn: "2026-11-24", remainingWorkingDays: -3, warning: "red" },
    });
    expect(page.candidates.map((c) => c.itemKey)).not.toContain("site-preapproval");
    expect(getMeetingDocument(ctxAt(day), coordinator, m.id).agenda).toEqual([{ id: page.agenda[0].id, projectId: projectId("新能源电池材料项目"), itemKey: "site-preapproval", reason: "red", carriedOver: true }]);
    // The invitation reaches the invited departments' staff (赵磊, 钱国栋 of 自然资源; 周婷 of 生态环境), nobody else.
    const invited = db().all<{ login: string }>(sql`select u.login from notifications n join users u on u.id = n.user_id where n.kind = 'meeting.invitation' order by u.login`);
    expect(invited.map((r) => r.login)).toEqual(["dept", "dept-leader-zrzy", "dept-sthj"]);
    // A second meeting later on does not carry the same item again.
    expect(createMeeting(ctxAt(day), coordinator, { type: "joint", title: "联席会议（第 48 次）", heldOn: "2026-12-11" }).carriedOver).toBe(0);
  });

  it("builds the agenda: adds candidates, refuses the same one twice, reorders, notes, removes, adds a free topic", () => {
    const coordinator = user("coordinator");
    const id = meetingId(47);
    const ctx = ctxAt(day);
    const first = addAgendaItem(ctx, coordinator, id, { projectId: projectId("新能源电池材料项目"), itemKey: "site-preapproval" });
    expect(first).toMatchObject({ itemKey: "site-preapproval", reason: "red", carriedOver: false });
    const stalled = addAgendaItem(ctx, coordinator, id, { projectId: projectId("生物医药中试基地") });
    expect(stalled).toMatchObject({ itemKey: null, reason: "stall" });
    expect(caught(() => addAgendaItem(ctx, coordinator, id, { projectId: projectId("新能源电池材料项目"), itemKey: "site-preapproval" }))).toMatchObject({ status: 409 });
    expect(caught(() => addAgendaItem(ctx, coordinator, id, { projectId: projectId("生物医药中试基地") }))).toMatchObject({ status: 409, message: "该项目已在本次会议议程中" });
    // An item that is not stuck can still be added by hand.
    const manual = addAgendaItem(ctx, coordinator, id, { projectId: projectId("智能装备产业园一期"), itemKey: "construction-permit", note: "请住建局说明施工许可前置条件" });
    expect(manual.reason).toBe("manual");
    const free = addAgendaItem(ctx, coordinator, id, { summary: "研究重点项目水电气报装联合验收" });
    expect(free).toMatchObject({ projectId: null, itemKey: null, reason: "manual" });

    moveAgendaItem(ctx, coordinator, id, free.id, "up");
    moveAgendaItem(ctx, coordinator, id, free.id, "up");
    setAgendaNote(ctx, coordinator, id, stalled.id, { note: "请代办员王敏汇报" });
    removeAgendaItem(ctx, coordinator, id, manual.id);
    const page = loadMeetingPage(ctx, coordinator, id);
    expect(page.agenda.map((a) => [a.number, a.summary, a.note])).toEqual([
      [1, "建设项目用地预审与选址意见书超期 3 个工作日（到期日 2026-11-24）", null],
      [2, "研究重点项目水电气报装联合验收", null],
      [3, "项目 14 个工作日无进展（最近进展 2026-11-09）", "请代办员王敏汇报"],
    ]);
    // What is on the agenda is no longer a candidate.
    expect(named(page.candidates).map((c) => c[0])).toEqual(["新能源电池材料项目", "汽车零部件扩产项目", "高端纺织智能工厂"]);
    const audited = db().all<{ action: string }>(sql`select action from audit_log where entity_type = 'meeting' and entity_id = ${id} order by id`).map((r) => r.action);
    expect(audited).toEqual(["meeting.agenda.add", "meeting.agenda.add", "meeting.agenda.add", "meeting.agenda.add", "meeting.agenda.move", "meeting.agenda.move", "meeting.agenda.note", "meeting.agenda.remove"]);
  });

  it("records a decision with an action item for 自然资源 (5 working days), issues the minutes to the unit, closes once the task is done", () => {
    const coordinator = user("coordinator");
    const ctx = ctxAt(day);
    const m = createMeeting(ctx, coordinator, { type: "consult", title: "用地预审专题会商", heldOn: day });
    const [item] = loadMeetingPage(ctx, coordinator, m.id).agenda;
    const r = recordAgendaMinutes(ctx, coordinator, m.id, item.id, {
      discussion: "林地占用指标已由省厅下达，具备审查条件。",
      resolved: "on",
      decisionText: "由市自然资源和规划局牵头，5 个工作日内出具用地预审意见",
      actionItems: [{ title: "出具用地预审与选址意见书", leadDepartment: "自然资源", coDepartments: ["生态环境"], owner: "钱国栋", dueInWorkingDays: "5", projectId: String(projectId("新能源电池材料项目")), itemKey: "site-preapproval" }],
    });
    // Fri 11-27 + 5 working days: 11-30, 12-01, 12-02, 12-03, 12-04.
    expect(r.actionItems).toEqual([{ id: expect.any(Number), dueOn: "2026-12-04" }]);
    const task = db().select().from(actionItems).where(eq(actionItems.id, r.actionItems[0].id)).get()!;
    expect(task).toMatchObject({ source: "meeting", decisionId: r.decisionId, startOn: day, dueInWorkingDays: 5, ownerName: "钱国栋", status: "open" });
    expect(db().select().from(items).where(eq(items.id, task.itemId!)).get()!.key).toBe("site-preapproval");
    // The task runs on the approvals' ladder.
    const ladder = db().select({ level: escalations.level }).from(escalations).where(eq(escalations.actionItemId, task.id)).all().map((e) => e.level);
    expect(ladder.sort()).toEqual(["leader", "red", "supervise", "yellow"]);

    const page = loadMeetingPage(ctx, coordinator, m.id);
    expect(page.agenda[0]).toMatchObject({ resolved: true, discussion: "林地占用指标已由省厅下达，具备审查条件。" });
    expect(page.agenda[0].decisions[0].actionItems[0]).toMatchObject({ leadDepartment: { code: "自然资源", name: "市自然资源和规划局" }, coDepartments: [{ code: "生态环境", name: "市生态环境局" }], dueOn: "2026-12-04", remainingWorkingDays: 5, warning: "none" });
    expect(getMeetingDocument(ctx, coordinator, m.id).decisions).toEqual([{ id: r.decisionId, text: "由市自然资源和规划局牵头，5 个工作日内出具用地预审意见", actionItemIds: [task.id] }]);

    expect(caught(() => closeMeeting(ctx, coordinator, m.id))).toMatchObject({ status: 409, message: "请先印发会议纪要，再闭环" });
    markMeetingHeld(ctx, coordinator, m.id);
    const issued = issueMinutes(ctx, coordinator, m.id);
    expect(issued.notified).toBeGreaterThan(0);
    const told = db().all<{ login: string }>(sql`select u.login from notifications n join users u on u.id = n.user_id where n.kind = 'meeting.minutes' order by u.login`);
    expect(told.map((t) => t.login)).toEqual(["dept", "dept-leader-zrzy", "dept-sthj"]);
    // Issued minutes are final.
    expect(caught(() => addAgendaItem(ctx, coordinator, m.id, { summary: "补充议题" }))).toMatchObject({ status: 409 });
    expect(caught(() => issueMinutes(ctx, coordinator, m.id))).toMatchObject({ status: 409 });
    expect(caught(() => closeMeeting(ctx, coordinator, m.id))).toMatchObject({ status: 409, message: "还有 1 项会议任务未办结，不能闭环" });
    closeActionItem(ctxAt("2026-12-03"), user("dept"), task.id, { note: "已出具用地预审与选址意见书（江自然资预〔2026〕88 号）" });
    closeMeeting(ctxAt("2026-12-03"), coordinator, m.id);
    expect(db().select({ status: meetings.status }).from(meetings).where(eq(meetings.id, m.id)).get()!.status).toBe("closed");
  });

  it("a week later the 46th meeting's task is late: offered first, above red items", () => {
    const m = createMeeting(ctxAt(day), user("coordinator"), { type: "joint", title: "联席会议（第 48 次）", heldOn: "2026-12-11" });
    const cs = getAgendaCandidates(ctxAt("2026-12-08"), user("coordinator"), m.id);
    // Due 12-02 (8 working days from 11-20): 12-03, 12-04, 12-07, 12-08 → 4 late.
    expect(cs[0]).toMatchObject({ reason: "late_action", severity: 4004, itemKey: null, projectId: projectId("新能源电池材料项目"), facts: { actionTitle: "完成用地预审与选址意见书审查并出具意见", meetingTitle: "重点项目协调推进联席会议（第 46 次）", departmentName: "市自然资源和规划局" } });
    expect(cs.map((c) => c.severity)).toEqual([...cs.map((c) => c.severity)].sort((a, b) => b - a));
    // Adding it brings the task's id onto the agenda row.
    const added = addAgendaItem(ctxAt("2026-12-08"), user("coordinator"), m.id, { actionItemId: cs[0].actionItemId });
    expect(added.reason).toBe("late_action");
    expect(db().select().from(agendaItems).where(eq(agendaItems.id, added.id)).get()).toMatchObject({ actionItemId: cs[0].actionItemId, summary: "会议任务「完成用地预审与选址意见书审查并出具意见」逾期 4 个工作日（期限 2026-12-02）" });
  });

  it("staff read meetings; only coordinators and administrators manage; enterprises see none", () => {
    const ctx = ctxAt(day);
    expect(listMeetings(ctx, user("dept")).past.map((m) => m.title)).toEqual(["重点项目协调推进联席会议（第 46 次）"]);
    expect(listMeetings(ctx, user("dept")).upcoming.map((m) => m.title)).toEqual(["重点项目协调推进联席会议（第 47 次）"]);
    expect(loadMeetingPage(ctx, user("dept"), meetingId(46)).can).toMatchObject({ manage: false, editAgenda: false, recordMinutes: false });
    expect(loadMeetingPage(ctx, user("dept"), meetingId(46)).candidates).toEqual([]);
    for (const login of ["dept", "proxy", "leader"]) {
      expect(caught(() => createMeeting(ctx, user(login), { type: "joint", title: "越权会议", heldOn: day })), login).toMatchObject({ status: 403 });
      expect(caught(() => getAgendaCandidates(ctx, user(login), meetingId(47))), login).toMatchObject({ status: 403 });
    }
    expect(caught(() => listMeetings(ctx, user("enterprise")))).toMatchObject({ status: 403 });
    expect(caught(() => loadMeetingPage(ctx, user("enterprise"), meetingId(46)))).toMatchObject({ status: 403 });
    expect(createMeeting(ctx, user("admin"), { type: "review", title: "联审会", heldOn: day }).id).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------- carry-over and 督办 on a city of our own

const TEMPLATE = {
  key: "meeting-test",
  version: 1,
  name: "会议测试",
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

async function world() {
  const proxy = await insertUser({ role: "proxy" });
  const coordinator = await insertUser({ role: "coordinator" });
  const admin = await insertUser({ role: "admin" });
  const dept = await insertUser({ role: "dept", department: "自然资源" });
  const enterprise = await insertUser({ role: "enterprise", enterpriseId: insertEnterprise("会议测试企业有限公司", uniqueCredit17()) });
  // Signed Mon 03-02, filing accepted that day, promised 3 WD → due Thu 03-05.
  const projectId = insertProject(proxy, { name: "会议测试项目", templateKey: undefined, template: TEMPLATE, signedOn: "2026-03-02", targetStartOn: "2026-12-31" });
  recordItemEvent(ctxAt("2026-03-02"), proxy, projectId, "filing", { type: "accept", on: "2026-03-02" });
  const otherProjectId = insertProject(proxy, { name: "另一个项目", templateKey: undefined, template: { ...TEMPLATE, items: TEMPLATE.items.map((i) => (i.key === "permit" ? { ...i, key: "other-permit" } : i)), dependencies: [{ from: "filing", to: "other-permit" }, { from: "other-permit", to: "start" }] }, signedOn: "2026-03-02", targetStartOn: "2026-12-31" });
  return { proxy, coordinator, admin, dept, enterprise, projectId, otherProjectId };
}

describe("carry-over: what a meeting did not settle continues at the next one", () => {
  it("unresolved items of the last held meeting are carried (once); settled ones and planned meetings' are not", async () => {
    const { coordinator, projectId } = await world();
    const ctx = ctxAt("2026-03-10");
    const a = createMeeting(ctx, coordinator, { type: "joint", title: "第 1 次联席会议", heldOn: "2026-03-10" });
    const filing = addAgendaItem(ctx, coordinator, a.id, { projectId, itemKey: "filing" });
    const topic = addAgendaItem(ctx, coordinator, a.id, { summary: "研究联合验收" });
    markMeetingHeld(ctx, coordinator, a.id);
    recordAgendaMinutes(ctx, coordinator, a.id, filing.id, { discussion: "发改委说明原因", resolved: "" });
    recordAgendaMinutes(ctx, coordinator, a.id, topic.id, { discussion: "原则同意", resolved: "on" });
    expect(filing.reason).toBe("red");

    const b = createMeeting(ctxAt("2026-03-12"), coordinator, { type: "joint", title: "第 2 次联席会议", heldOn: "2026-03-20" });
    expect(b.carriedOver).toBe(1);
    const bDoc = getMeetingDocument(ctx, coordinator, b.id);
    expect(bDoc.agenda).toEqual([{ id: expect.any(Number), projectId, itemKey: "filing", reason: "red", carriedOver: true }]);
    expect(db().select().from(agendaItems).where(eq(agendaItems.id, bDoc.agenda[0].id)).get()!.carriedFromId).toBe(filing.id);
    // B is only planned: C still looks back at A, whose item B already took.
    expect(createMeeting(ctxAt("2026-03-12"), coordinator, { type: "joint", title: "第 3 次联席会议", heldOn: "2026-03-27" }).carriedOver).toBe(0);
  });

  it("issuing the minutes moves the unsettled items to the next planned meeting", async () => {
    const { coordinator, projectId } = await world();
    const ctx = ctxAt("2026-03-10");
    const a = createMeeting(ctx, coordinator, { type: "joint", title: "第 1 次联席会议", heldOn: "2026-03-10" });
    const next = createMeeting(ctx, coordinator, { type: "joint", title: "第 2 次联席会议", heldOn: "2026-03-20" });
    addAgendaItem(ctx, coordinator, a.id, { projectId, itemKey: "filing" });
    expect(getMeetingDocument(ctx, coordinator, next.id).agenda).toEqual([]);
    expect(issueMinutes(ctx, coordinator, a.id).carriedTo).toBe(next.id);
    expect(getMeetingDocument(ctx, coordinator, next.id).agenda.map((e) => [e.itemKey, e.carriedOver])).toEqual([["filing", true]]);
    expect(db().select({ status: meetings.status }).from(meetings).where(eq(meetings.id, a.id)).get()!.status).toBe("held");
  });
});

describe("督办 and the agenda", () => {
  async function pendingSupervise() {
    const w = await world();
    const filing = db().select().from(items).where(and(eq(items.projectId, w.projectId), eq(items.key, "filing"))).get()!;
    // The accept planned the ladder; its 督办 (due 03-05 + 3 working days) fired on 03-10 when no meeting was planned.
    const e = db()
      .update(escalations)
      .set({ firedAt: Date.parse("2026-03-10T01:00:00Z") })
      .where(eq(escalations.dedupeKey, `item-${filing.id}-supervise-2026-03-05`))
      .returning()
      .get()!;
    return { ...w, escalationId: e.id, itemId: filing.id };
  }

  it("a meeting planned ahead takes the pending 督办; taking it off the agenda makes it pending again", async () => {
    const { coordinator, escalationId, itemId } = await pendingSupervise();
    const ctx = ctxAt("2026-03-11");
    const m = createMeeting(ctx, coordinator, { type: "joint", title: "联席会议", heldOn: "2026-03-13" });
    expect(m.supervised).toBe(1);
    const [row] = db().select().from(agendaItems).where(eq(agendaItems.meetingId, m.id)).all();
    expect(row).toMatchObject({ itemId, reason: "supervise", summary: "备案超期督办（到期日 2026-03-05）" });
    expect(listPendingSuperviseCandidates(db())).toEqual([]);
    removeAgendaItem(ctx, coordinator, m.id, row.id);
    expect(listPendingSuperviseCandidates(db()).map((c) => c.escalationId)).toEqual([escalationId]);
    // It is then the meeting's top candidate again, and adding it takes the 督办 once more.
    const [top] = getAgendaCandidates(ctx, coordinator, m.id);
    expect(top).toMatchObject({ reason: "supervise", escalationId, itemKey: "filing", alsoReasons: ["red"] });
    addAgendaItem(ctx, coordinator, m.id, { projectId: top.projectId, itemKey: "filing" });
    expect(db().select().from(escalations).where(eq(escalations.id, escalationId)).get()!.agendaMeetingId).toBe(m.id);
  });

  it("a past meeting recorded afterwards neither takes the pending 督办 nor sends invitations", async () => {
    const { coordinator } = await pendingSupervise();
    const before = counts().notifications;
    const m = createMeeting(ctxAt("2026-03-11"), coordinator, { type: "joint", title: "补记的会议", heldOn: "2026-03-09", departments: ["自然资源"] });
    expect(m.supervised).toBe(0);
    expect(listPendingSuperviseCandidates(db())).toHaveLength(1);
    expect(counts().notifications).toBe(before);
  });
});

describe("decisions and their action items", () => {
  it("a meeting held Tue 2026-09-29 with 2 working days: due Thu 10-08 across 国庆; a date is taken as given", async () => {
    const { coordinator, projectId } = await world();
    const ctx = ctxAt("2026-09-30");
    const m = createMeeting(ctx, coordinator, { type: "topic", title: "节前专题会", heldOn: "2026-09-29" });
    const d = addDecision(ctx, coordinator, m.id, {
      text: "节后两个工作日内完成施工许可审查",
      actionItems: [
        { title: "完成施工许可审查", leadDepartment: "住建", dueInWorkingDays: 2, projectId, itemKey: "permit" },
        { title: "报送审查结果", leadDepartment: "发改", dueOn: "2026-10-09" },
      ],
    });
    // 09-30 is the first working day after the meeting, 10-01..10-07 are 国庆, 10-08 the second.
    expect(d.actionItems.map((a) => a.dueOn)).toEqual(["2026-10-08", "2026-10-09"]);
  });

  it("bad input is refused with a Chinese message beside the field, and nothing is written", async () => {
    const { coordinator, projectId, otherProjectId } = await world();
    const ctx = ctxAt("2026-09-30");
    const m = createMeeting(ctx, coordinator, { type: "joint", title: "联席会议", heldOn: "2026-09-29" });
    const good = { title: "完成审查", leadDepartment: "住建", dueInWorkingDays: 2 };
    const cases: [unknown, string, number?][] = [
      [{ text: "决定", actionItems: [{ ...good, dueInWorkingDays: 0 }] }, "actionItems.0.dueInWorkingDays"],
      [{ text: "决定", actionItems: [{ ...good, dueInWorkingDays: -3 }] }, "actionItems.0.dueInWorkingDays"],
      [{ text: "决定", actionItems: [good, { ...good, leadDepartment: "交通" }] }, "actionItems.1.leadDepartment"],
      [{ text: "决定", actionItems: [{ ...good, coDepartments: ["不存在"] }] }, "actionItems.0.coDepartments"],
      [{ text: "决定", actionItems: [{ ...good, projectId: otherProjectId, itemKey: "permit" }] }, "actionItems.0.itemKey"],
      [{ text: "决定", actionItems: [{ ...good, dueOn: "2026-09-28", dueInWorkingDays: undefined }] }, "actionItems.0.dueOn"],
      [{ text: "", actionItems: [good] }, "text"],
      [{ text: "   ", actionItems: [] }, "text"],
      [{ actionItems: [{ ...good, title: "" }] }, "actionItems.0.title"],
    ];
    const before = counts();
    for (const [body, field] of cases) {
      const e = caught(() => addDecision(ctx, coordinator, m.id, body));
      expect(e.status, JSON.stringify(body)).toBe(422);
      expect(e.fields?.[field], `${field} for ${JSON.stringify(body)}`).toMatch(HAN);
    }
    expect(caught(() => addAgendaItem(ctx, coordinator, m.id, { projectId, itemKey: "other-permit" }))).toMatchObject({ status: 422, fields: { itemKey: "事项「other-permit」不属于该项目" } });
    expect(caught(() => addAgendaItem(ctx, coordinator, m.id, { projectId: 99999 }))).toMatchObject({ status: 422, fields: { projectId: "项目不存在" } });
    expect(caught(() => addAgendaItem(ctx, coordinator, m.id, {}))).toMatchObject({ status: 422, fields: { summary: expect.stringMatching(HAN) } });
    expect(caught(() => createMeeting(ctx, coordinator, { type: "joint", title: "会", heldOn: "2026-02-30", departments: ["交通"] }))).toMatchObject({ status: 422 });
    expect(caught(() => createMeeting(ctx, coordinator, { type: "party", title: "联席会议", heldOn: "2026-10-09" })).fields).toHaveProperty("type");
    expect(caught(() => createMeeting(ctx, coordinator, { type: "joint", title: "联席会议", heldOn: "2026-10-09", departments: ["交通"] })).fields).toEqual({ departments: "未知部门「交通」" });
    expect(caught(() => createMeeting(ctx, coordinator, { type: "joint", title: "联席会议", heldOn: "2026-10-09", startsAt: "25:00" })).fields).toHaveProperty("startsAt");
    expect(counts()).toEqual(before);
  });

  it("no minutes before the meeting's day; the date stays once tasks count from it", async () => {
    const { coordinator } = await world();
    const ctx = ctxAt("2026-09-30");
    const ahead = createMeeting(ctx, coordinator, { type: "joint", title: "下周的会", heldOn: "2026-10-12" });
    expect(caught(() => addDecision(ctx, coordinator, ahead.id, { text: "提前的决定", actionItems: [] }))).toMatchObject({ status: 409 });
    expect(caught(() => markMeetingHeld(ctx, coordinator, ahead.id))).toMatchObject({ status: 409 });
    const past = createMeeting(ctx, coordinator, { type: "joint", title: "昨天的会", heldOn: "2026-09-29" });
    addDecision(ctx, coordinator, past.id, { text: "决定", actionItems: [{ title: "完成审查", leadDepartment: "住建", dueInWorkingDays: 2 }] });
    expect(caught(() => updateMeeting(ctx, coordinator, past.id, { type: "joint", title: "昨天的会", heldOn: "2026-09-28" })).fields).toHaveProperty("heldOn");
    updateMeeting(ctx, coordinator, past.id, { type: "joint", title: "昨天的联席会议", heldOn: "2026-09-29", place: "3 楼会议室" });
    expect(getMeetingDocument(ctx, coordinator, past.id)).toMatchObject({ title: "昨天的联席会议", place: "3 楼会议室" });
  });

  it("moving an upcoming meeting re-invites the departments (each person once per date)", async () => {
    const { coordinator, dept } = await world();
    const ctx = ctxAt("2026-09-30");
    const m = createMeeting(ctx, coordinator, { type: "joint", title: "联席会议", heldOn: "2026-10-12", departments: ["自然资源"] });
    const invitations = () => db().select().from(notifications).where(and(eq(notifications.userId, dept.id), eq(notifications.kind, "meeting.invitation"))).all().length;
    expect(invitations()).toBe(1);
    updateMeeting(ctx, coordinator, m.id, { type: "joint", title: "联席会议（改期）", heldOn: "2026-10-12", departments: ["自然资源"] });
    expect(invitations()).toBe(1);
    updateMeeting(ctx, coordinator, m.id, { type: "joint", title: "联席会议（改期）", heldOn: "2026-10-13", departments: ["自然资源"] });
    expect(invitations()).toBe(2);
  });
});

// ---------------------------------------------------------------- API v1.1

describe("API v1.1: meetings, agenda candidates, agenda, decisions", () => {
  let w: Awaited<ReturnType<typeof world>>;
  const tokens: Record<string, string> = {};
  beforeEach(async () => {
    w = await world();
    const leader = await insertUser({ role: "leader" });
    for (const [role, u] of Object.entries({ coordinator: w.coordinator, admin: w.admin, dept: w.dept, proxy: w.proxy, enterprise: w.enterprise, leader }) as [string, TestUser][]) {
      tokens[role] = createApiToken(getDb(), u.login);
    }
  });

  const create = (body: unknown, token = tokens.coordinator) => call(createMeetingApi, "/api/v1/meetings", { token, json: body });
  const one = (id: number | string, token = tokens.dept) => call(getMeetingApi, `/api/v1/meetings/${id}`, { token, params: { id: String(id) } });
  const candidates = (id: number, token = tokens.coordinator) => call(candidatesApi, `/api/v1/meetings/${id}/agenda-candidates`, { token, params: { id: String(id) } });
  const addAgenda = (id: number, body: unknown, token = tokens.coordinator) => call(agendaApi, `/api/v1/meetings/${id}/agenda`, { token, json: body, params: { id: String(id) } });
  const decide = (id: number, body: unknown, token = tokens.coordinator) => call(decisionsApi, `/api/v1/meetings/${id}/decisions`, { token, json: body, params: { id: String(id) } });

  it("a coordinator plans, builds the agenda and records a decision; staff read it back in the contract's shape", async () => {
    const created = await create({ type: "joint", title: "重点项目联席会议", heldOn: "2026-09-29", place: "3 楼会议室", departments: ["自然资源", "住建"] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(Object.keys(created.body)).toEqual(["id"]);
    const id = created.body.id as number;

    const cs = await candidates(id);
    expect(cs.status).toBe(200);
    expect(cs.body.length).toBeGreaterThan(0);
    for (const c of cs.body) {
      expect(Object.keys(c).slice(0, 4)).toEqual(["projectId", "itemKey", "reason", "severity"]);
      expect(["supervise", "red", "stall", "at_risk", "late_action"]).toContain(c.reason);
    }
    expect(cs.body.map((c: { severity: number }) => c.severity)).toEqual([...cs.body.map((c: { severity: number }) => c.severity)].sort((a: number, b: number) => b - a));
    // The filing, due 2026-03-05 and still running, is red and ranked above the projects' stalls.
    expect(cs.body[0]).toMatchObject({ projectId: w.projectId, itemKey: "filing", reason: "red" });

    const added = await addAgenda(id, { projectId: w.projectId, itemKey: "filing", note: "请发改委说明" });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body).toEqual({ id: expect.any(Number), projectId: w.projectId, itemKey: "filing", reason: "red", carriedOver: false });
    expectApiError(await addAgenda(id, { projectId: w.projectId, itemKey: "filing" }), 409, "conflict");
    expect((await candidates(id)).body.map((c: { itemKey: string | null }) => c.itemKey)).not.toContain("filing");

    const decided = await decide(id, { text: "由市发改委 2 个工作日内办结备案", actionItems: [{ title: "办结企业投资项目备案", leadDepartment: "发改", coDepartments: ["自然资源"], owner: "张三", dueInWorkingDays: 2, projectId: w.projectId, itemKey: "filing" }] });
    expect(decided.status, JSON.stringify(decided.body)).toBe(201);
    expect(decided.body).toEqual({ id: expect.any(Number), actionItems: [{ id: expect.any(Number), dueOn: "2026-10-08" }] });

    const doc = await one(id);
    expect(doc.status).toBe(200);
    expect(doc.body).toMatchObject({ id, type: "joint", title: "重点项目联席会议", heldOn: "2026-09-29", place: "3 楼会议室", status: "planned", departments: ["自然资源", "住建"] });
    expect(doc.body.agenda).toEqual([{ id: added.body.id, projectId: w.projectId, itemKey: "filing", reason: "red", carriedOver: false }]);
    expect(doc.body.decisions).toEqual([{ id: decided.body.id, text: "由市发改委 2 个工作日内办结备案", actionItemIds: [decided.body.actionItems[0].id] }]);
    const listed = await call(listMeetingsApi, "/api/v1/meetings", { token: tokens.dept });
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([doc.body]);
  });

  it("access: coordinators and administrators manage, staff read, enterprises get 403, no token 401", async () => {
    const body = { type: "consult", title: "会商会审", heldOn: "2026-09-29" };
    expect((await create(body, tokens.admin)).status).toBe(201);
    for (const role of ["dept", "proxy", "leader", "enterprise"]) expectApiError(await create(body, tokens[role]), 403, "forbidden");
    expectApiError(await create(body, null as unknown as string), 401, "unauthorized");
    const id = (await create(body)).body.id as number;
    for (const role of ["dept", "proxy", "leader", "admin"]) expect((await one(id, tokens[role])).status, role).toBe(200);
    expectApiError(await one(id, tokens.enterprise), 403, "forbidden");
    expectApiError(await call(listMeetingsApi, "/api/v1/meetings", { token: tokens.enterprise }), 403, "forbidden");
    for (const role of ["dept", "proxy", "enterprise"]) {
      expectApiError(await candidates(id, tokens[role]), 403, "forbidden");
      expectApiError(await addAgenda(id, { projectId: w.projectId }, tokens[role]), 403, "forbidden");
      expectApiError(await decide(id, { text: "决定", actionItems: [] }, tokens[role]), 403, "forbidden");
    }
    expectApiError(await one(99999), 404, "not_found", "会议");
    expectApiError(await one("abc"), 404, "not_found");
    expectApiError(await candidates(99999), 404, "not_found");
    expect((await call(postMeetingApi, `/api/v1/meetings/${id}`, { token: tokens.coordinator, json: {}, params: { id: String(id) } })).status).toBe(405);
    expect((await call(agendaApiGet, `/api/v1/meetings/${id}/agenda`, { token: tokens.coordinator, params: { id: String(id) } })).status).toBe(405);
  });

  it("bad input answers 4xx with a Chinese message and writes nothing", async () => {
    const id = (await create({ type: "joint", title: "联席会议", heldOn: "2026-09-29" })).body.id as number;
    const before = counts();
    const task = { title: "办结备案", leadDepartment: "发改", dueInWorkingDays: 2 };
    expectApiError(await create({ type: "joint", title: "联席会议", heldOn: "2026-13-01" }), 422, "invalid");
    expectApiError(await create({ type: "meeting", title: "联席会议", heldOn: "2026-10-09" }), 422, "invalid");
    expectApiError(await create({ type: "joint", title: "联席会议", heldOn: "2026-10-09", departments: ["交通"] }), 422, "invalid", "交通");
    expectApiError(await create({ title: "联席会议" }), 422, "invalid");
    expectApiError(await call(createMeetingApi, "/api/v1/meetings", { token: tokens.coordinator, rawBody: "{not json" }), 400, "bad_request");
    expectApiError(await decide(id, { text: "决定", actionItems: [{ ...task, dueInWorkingDays: 0 }] }), 422, "invalid", "完成时限");
    expectApiError(await decide(id, { text: "决定", actionItems: [{ ...task, dueInWorkingDays: -1 }] }), 422, "invalid");
    expectApiError(await decide(id, { text: "决定", actionItems: [{ ...task, leadDepartment: "交通" }] }), 422, "invalid", "交通");
    expectApiError(await decide(id, { text: "决定", actionItems: [{ ...task, projectId: w.otherProjectId, itemKey: "permit" }] }), 422, "invalid", "不属于");
    expectApiError(await decide(id, { text: "", actionItems: [task] }), 422, "invalid");
    expectApiError(await decide(id, { text: "决定", actionItems: "none" }), 422, "invalid");
    expectApiError(await decide(99999, { text: "决定", actionItems: [task] }), 404, "not_found");
    expectApiError(await addAgenda(id, { projectId: w.projectId, itemKey: "other-permit" }), 422, "invalid", "不属于");
    expectApiError(await addAgenda(id, { projectId: 99999 }), 422, "invalid");
    expectApiError(await addAgenda(id, { itemKey: "filing" }), 422, "invalid");
    expect(counts()).toEqual(before);
  });
});

// ---------------------------------------------------------------- pages (forms without JavaScript)

describe("pages: /meetings, /meetings/new, /meetings/:id", () => {
  const URL_BASE = "http://localhost";
  // Route modules are called with Remix's argument shape; the tests need request and params only.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type RouteFn = (args: any) => unknown;
  interface Answer {
    ok: boolean;
    message: string;
    itemKey: string;
    intent: string;
    fields?: Record<string, string>;
  }

  async function cookieFor(login: string): Promise<string> {
    const res = (await loginAction({ request: new Request(`${URL_BASE}/login`, { method: "POST", body: new URLSearchParams({ login, password: TEST_PASSWORD }) }), params: {}, context: {} })) as Response;
    expect(res.status).toBe(302);
    return (res.headers.get("Set-Cookie") ?? "").split(";")[0];
  }
  async function load(fn: RouteFn, path: string, cookie: string, params: Record<string, string> = {}): Promise<{ data?: unknown; thrown?: Response }> {
    try {
      return { data: await fn({ request: new Request(URL_BASE + path, { headers: { Cookie: cookie } }), params, context: {} }) };
    } catch (e) {
      if (e instanceof Response) return { thrown: e };
      throw e;
    }
  }
  async function post(fn: RouteFn, path: string, cookie: string, fields: [string, string][], params: Record<string, string> = {}): Promise<{ status: number; body?: Answer; location?: string | null }> {
    const request = new Request(URL_BASE + path, { method: "POST", body: new URLSearchParams(fields), headers: { Cookie: cookie } });
    try {
      const res = (await fn({ request, params, context: {} })) as { data: Answer; init: ResponseInit | null };
      return { status: res.init?.status ?? 200, body: res.data };
    } catch (e) {
      if (e instanceof Response) return { status: e.status, location: e.headers.get("Location") };
      throw e;
    }
  }

  it("a coordinator creates a meeting, adds the red item from the candidates and records a decision with a task; errors come back beside the row", async () => {
    const { coordinator, projectId } = await world();
    const cookie = await cookieFor(coordinator.login);
    expect((await load(newLoader, "/meetings/new", cookie)).data).toMatchObject({ departments: expect.arrayContaining([{ code: "自然资源", name: "市自然资源和规划局" }]) });
    const bad = await post(newAction, "/meetings/new", cookie, [["intent", "create"], ["type", "joint"], ["title", "联"], ["heldOn", "2026-09-29"]]);
    expect(bad).toMatchObject({ status: 422, body: { ok: false, fields: { title: "会议名称至少 2 个字" } } });
    const made = await post(newAction, "/meetings/new", cookie, [
      ["intent", "create"],
      ["type", "joint"],
      ["title", "重点项目联席会议"],
      ["heldOn", "2026-09-29"],
      ["startsAt", "09:30"],
      ["departments", "自然资源"],
      ["departments", "发改"],
    ]);
    expect(made.status).toBe(302);
    const id = /^\/meetings\/(\d+)\?created=1/.exec(made.location ?? "")![1];
    const page = (await load(meetingLoader, `/meetings/${id}`, cookie, { id })).data as { candidates: { itemKey: string | null; projectId: number | null; reason: string }[]; meeting: { departments: { code: string }[] } };
    expect(page.meeting.departments.map((d) => d.code)).toEqual(["发改", "自然资源"]);
    const red = page.candidates.find((c) => c.itemKey === "filing")!;
    expect(red.reason).toBe("red");
    const added = await post(meetingAction, `/meetings/${id}`, cookie, [["intent", "addCandidate"], ["projectId", String(red.projectId)], ["itemKey", "filing"]], { id });
    expect(added.body).toMatchObject({ ok: true, message: "已加入议程（超期）" });
    const agendaId = String(getMeetingDocument(ctxAt("2026-09-30"), coordinator, Number(id)).agenda[0].id);

    const form = (rows: [string, string][]): [string, string][] => [["intent", "minutes"], ["itemKey", `agenda-${agendaId}`], ["agendaItemId", agendaId], ["discussion", "发改委说明超期原因"], ["decisionText", "由市自然资源和规划局 2 个工作日内出具意见"], ...rows];
    // Row 0 left blank (its lead unit preselected), row 1 with a deadline of 0: the error names row 1.
    const before = counts();
    const refused = await post(meetingAction, `/meetings/${id}`, cookie, form([["actionItems.0.leadDepartment", "发改"], ["actionItems.0.projectId", String(projectId)], ["actionItems.1.title", "出具用地预审意见"], ["actionItems.1.leadDepartment", "自然资源"], ["actionItems.1.dueInWorkingDays", "0"]]), { id });
    expect(refused).toMatchObject({ status: 422, body: { ok: false, intent: "minutes", itemKey: `agenda-${agendaId}` } });
    expect(refused.body!.fields?.["actionItems.1.dueInWorkingDays"]).toMatch(HAN);
    expect(counts()).toEqual(before);
    const saved = await post(
      meetingAction,
      `/meetings/${id}`,
      cookie,
      form([
        ["actionItems.1.title", "出具用地预审意见"],
        ["actionItems.1.leadDepartment", "自然资源"],
        ["actionItems.1.coDepartments", "发改"],
        ["actionItems.1.coDepartments", "住建"],
        ["actionItems.1.owner", "赵磊"],
        ["actionItems.1.dueInWorkingDays", "2"],
        ["actionItems.1.projectId", String(projectId)],
        ["actionItems.1.itemKey", "filing"],
        ["resolved", "on"],
      ]),
      { id },
    );
    expect(saved.body, JSON.stringify(saved.body)).toMatchObject({ ok: true, message: "已保存纪要和议定事项，1 项任务已交办（完成时限 2026-10-08）" });
    const after = (await load(meetingLoader, `/meetings/${id}`, cookie, { id })).data as { agenda: { resolved: boolean; decisions: { actionItems: { leadDepartment: { code: string }; coDepartments: { code: string }[]; dueOn: string; owner: string }[] }[] }[] };
    expect(after.agenda[0].resolved).toBe(true);
    expect(after.agenda[0].decisions[0].actionItems[0]).toMatchObject({ leadDepartment: { code: "自然资源" }, coDepartments: [{ code: "发改" }, { code: "住建" }], dueOn: "2026-10-08", owner: "赵磊" });
  });

  it("staff see the pages read-only and cannot post; enterprises get 403", async () => {
    const { coordinator, dept, enterprise } = await world();
    const m = createMeeting(ctxAt("2026-09-30"), coordinator, { type: "joint", title: "联席会议", heldOn: "2026-09-29" });
    const id = String(m.id);
    const deptCookie = await cookieFor(dept.login);
    expect((await load(indexLoader, "/meetings", deptCookie)).data).toMatchObject({ canManage: false });
    expect((await load(meetingLoader, `/meetings/${id}`, deptCookie, { id })).data).toMatchObject({ can: { manage: false, editAgenda: false, recordMinutes: false }, candidates: [] });
    expect((await load(newLoader, "/meetings/new", deptCookie)).thrown?.status).toBe(403);
    expect(await post(meetingAction, `/meetings/${id}`, deptCookie, [["intent", "addFree"], ["summary", "越权议题"]], { id })).toMatchObject({ status: 403, body: { ok: false } });
    const entCookie = await cookieFor(enterprise.login);
    expect((await load(indexLoader, "/meetings", entCookie)).thrown?.status).toBe(403);
    expect((await load(meetingLoader, `/meetings/${id}`, entCookie, { id })).thrown?.status).toBe(403);
    expect((await load(meetingLoader, "/meetings/99999", deptCookie, { id: "99999" })).thrown?.status).toBe(404);
  });
});
