/**
 * A meeting's outputs (issue 11): the printable minutes, the .docx of the same
 * minutes read back from the file, and the per-user calendar feed with its
 * token's life (issued once, replaced, revoked). Meetings, agenda, decisions
 * and action items are written with drizzle, as the meetings service would
 * leave them, so these tests stand on the tables alone. Pages and files are
 * requested through their own route modules with a real session cookie.
 */
import { createHash } from "node:crypto";
import { and, eq, like, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { docxText } from "../support/docx";
import { actionItems, agendaItems, auditLog, decisions, departments, meetingDepartments, meetings, users } from "../../db/schema";
import { addCalendarDays, formatDay, shanghaiToday, toDay } from "~/domain/calendar";
import { zhDate } from "~/domain/meeting/minutes";
import { calendarFeed } from "~/services/calendar-feed.server";
import { loadMinutes } from "~/services/minutes.server";
import { getDb } from "~/utils/db.server";
import { action as loginAction } from "~/routes/login";
import { loader as minutesPageLoader } from "~/routes/_app.meetings_.$id.minutes";
import { loader as minutesDocxLoader } from "~/routes/meetings.$id.minutes[.docx]";
import { loader as feedLoader } from "~/routes/calendar[.ics]";
import { loader as accountCalendarLoader, action as accountCalendarAction } from "~/routes/_app.account.calendar";
import { ctxAt, ensureDepartments, insertEnterprise, insertUser, TEST_PASSWORD, uniqueCredit17, type TestUser } from "../factories";
import { caught } from "../support/app-error";

const BASE = "http://localhost";

// Dates relative to the real today: the routes run at the real "now", and the
// feed keeps meetings of the last 365 days.
const TODAY = shanghaiToday(new Date());
const day = (n: number) => formatDay(addCalendarDays(toDay(TODAY), n));

// Route modules are called with Remix's argument shape; the tests need request and params only.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type RouteFn = (args: any) => unknown;

async function cookieFor(user: { login: string }): Promise<string> {
  const request = new Request(`${BASE}/login`, { method: "POST", body: new URLSearchParams({ login: user.login, password: TEST_PASSWORD }) });
  const res = (await loginAction({ request, params: {}, context: {} })) as Response;
  expect(res.status).toBe(302);
  return (res.headers.get("Set-Cookie") ?? "").split(";")[0];
}

/** A loader's answer: its data or Response, or the Response it threw (redirect, 403, 404). */
async function load(fn: RouteFn, path: string, params: Record<string, string> = {}, cookie?: string): Promise<{ data?: unknown; res?: Response }> {
  try {
    const out = await fn({ request: new Request(BASE + path, { headers: cookie ? { Cookie: cookie } : {} }), params, context: {} });
    return out instanceof Response ? { res: out } : { data: out };
  } catch (e) {
    if (e instanceof Response) return { res: e };
    throw e;
  }
}

interface CalendarAnswer {
  ok: boolean;
  message: string;
  feedUrl: string | null;
}

async function postCalendar(cookie: string, intent: "issue" | "revoke"): Promise<{ status: number; body: CalendarAnswer; headers: Headers }> {
  const request = new Request(`${BASE}/account/calendar`, { method: "POST", body: new URLSearchParams({ intent }), headers: { Cookie: cookie } });
  const res = (await accountCalendarAction({ request, params: {}, context: {} })) as { data: CalendarAnswer; init: ResponseInit | null };
  return { status: res.init?.status ?? 200, body: res.data, headers: new Headers(res.init?.headers) };
}

async function feed(token: string | null): Promise<{ status: number; type: string | null; text: string }> {
  const q = token === null ? "" : `?token=${encodeURIComponent(token)}`;
  const res = (await feedLoader({ request: new Request(`${BASE}/calendar.ics${q}`), params: {}, context: {} })) as Response;
  return { status: res.status, type: res.headers.get("Content-Type"), text: await res.text() };
}

const uids = (ics: string) => [...ics.matchAll(/^UID:(.+)$/gm)].map((m) => m[1].trim());
const unfold = (ics: string) => ics.replace(/\r\n[ \t]/g, "");

// --- the meetings as the meetings service leaves them ---

let coordinator: TestUser, leader: TestUser, admin: TestUser, proxy: TestUser;
let zrzy: TestUser, zhujian: TestUser, sthj: TestUser, enterprise: TestUser;
let dept: Map<string, number>;
let ids: { heldMeeting: number; nextMeeting: number; oldMeeting: number; landTask: number; permitTask: number; closedTask: number; supervision: number; decision1: number; decision2: number };

beforeEach(async () => {
  const db = getDb();
  dept = ensureDepartments(db);
  [coordinator, leader, admin, proxy] = await Promise.all((["coordinator", "leader", "admin", "proxy"] as const).map((role) => insertUser({ role })));
  zrzy = await insertUser({ role: "dept", department: "自然资源" });
  zhujian = await insertUser({ role: "dept", department: "住建" });
  sthj = await insertUser({ role: "dept", department: "生态环境" });
  enterprise = await insertUser({ role: "enterprise", enterpriseId: insertEnterprise("江城智能装备有限公司", uniqueCredit17()) });

  const held = db
    .insert(meetings)
    .values({
      type: "joint",
      title: "重点项目协调推进联席会议（第 46 次）",
      heldOn: day(-7),
      startsAt: "09:30",
      location: "市政务服务中心 3 楼会议室, 东侧",
      status: "held",
      chairName: "常务副市长",
      minutes: "会议听取了重点项目审批推进情况汇报。\n研究了用地预审滞后问题。",
      coordinatorUserId: coordinator.id,
    })
    .returning()
    .get();
  db.insert(meetingDepartments).values([{ meetingId: held.id, departmentId: dept.get("自然资源")! }, { meetingId: held.id, departmentId: dept.get("住建")! }]).run();
  const a1 = db.insert(agendaItems).values({ meetingId: held.id, reason: "red", summary: "用地预审与选址意见书超过承诺时限", position: 1, discussion: "自然资源局说明了林地占用情况。", resolved: true }).returning().get();
  const a2 = db.insert(agendaItems).values({ meetingId: held.id, reason: "manual", summary: "施工许可并联审查", position: 2, resolved: true }).returning().get();
  db.insert(agendaItems).values({ meetingId: held.id, reason: "manual", summary: "未发言的事项", position: 3 }).run();
  const d1 = db.insert(decisions).values({ meetingId: held.id, agendaItemId: a1.id, text: "由市自然资源和规划局牵头，会同生态环境部门限期完成用地预审审查" }).returning().get();
  const d2 = db.insert(decisions).values({ meetingId: held.id, agendaItemId: a2.id, text: "住建局实行施工许可并联审查" }).returning().get();
  const task = (v: Partial<typeof actionItems.$inferInsert> & { title: string; dueOn: string }) => db.insert(actionItems).values(v).returning().get().id;
  const landTask = task({
    decisionId: d1.id,
    ownerDepartmentId: dept.get("自然资源")!,
    coDepartmentIds: JSON.stringify([dept.get("生态环境")!]),
    ownerName: "钱国栋",
    title: "完成用地预审与选址意见书审查并出具意见",
    startOn: held.heldOn,
    dueInWorkingDays: 8,
    dueOn: day(4),
  });
  const permitTask = task({ decisionId: d2.id, ownerDepartmentId: dept.get("住建")!, title: "出具施工许可并联审查意见", dueOn: day(20) });
  const closedTask = task({ decisionId: d2.id, ownerDepartmentId: dept.get("住建")!, title: "已办结的任务", dueOn: day(-1), status: "closed", closedOn: day(-2), closeNote: "已办" });
  const supervision = task({ source: "supervision", ownerDepartmentId: dept.get("自然资源")!, title: "领导督办：加快林地审查", dueOn: day(10) });

  const next = db.insert(meetings).values({ type: "consult", title: "会商会审：新能源项目", heldOn: day(5), location: "", status: "planned" }).returning().get();
  db.insert(meetingDepartments).values({ meetingId: next.id, departmentId: dept.get("发改")! }).run();
  const old = db.insert(meetings).values({ title: "两年前的会议", heldOn: day(-800), status: "closed" }).returning().get();
  ids = { heldMeeting: held.id, nextMeeting: next.id, oldMeeting: old.id, landTask, permitTask, closedTask, supervision, decision1: d1.id, decision2: d2.id };
});

describe("minutes (/meetings/:id/minutes)", () => {
  it("numbers the discussed agenda items with their decisions and tasks; 出席 falls back to the invited departments", () => {
    const m = loadMinutes(ctxAt(TODAY), zrzy, ids.heldMeeting);
    expect(m).toMatchObject({
      heading: "重点项目协调推进联席会议纪要",
      subtitle: "重点项目协调推进联席会议（第 46 次）",
      location: "市政务服务中心 3 楼会议室, 东侧",
      chair: "常务副市长",
      attendees: "市自然资源和规划局、市住房和城乡建设局",
      remarks: "会议听取了重点项目审批推进情况汇报。\n研究了用地预审滞后问题。",
      draft: true,
      fileName: "会议纪要-重点项目协调推进联席会议（第 46 次）.docx",
    });
    expect(m.when).toMatch(/^\d{4} 年 \d{1,2} 月 \d{1,2} 日（星期.）上午 9:30$/);
    // The third agenda item had nothing recorded: not a matter of the minutes.
    expect(m.sections.map((s) => `${s.label}${s.summary}`)).toEqual(["一、用地预审与选址意见书超过承诺时限", "二、施工许可并联审查"]);
    expect(m.sections[0].decisions[0].tasks).toEqual([
      expect.objectContaining({
        id: ids.landTask,
        leadDepartment: "市自然资源和规划局",
        coDepartments: "市生态环境局",
        ownerName: "钱国栋",
        deadline: `8 个工作日内（${zhDate(day(4))}前）`,
      }),
    ]);
    // A closed task stays in the minutes (what was decided); its deadline has no working days given.
    expect(m.sections[1].decisions[0].tasks.map((t) => [t.title, t.deadline])).toEqual([
      ["出具施工许可并联审查意见", `${zhDate(day(20))}前`],
      ["已办结的任务", `${zhDate(day(-1))}前`],
    ]);
    expect(m.distribution).toEqual(["市自然资源和规划局", "市住房和城乡建设局", "市生态环境局"]);
  });

  it("any staff member may read them; an enterprise gets 403, an unknown meeting 404", async () => {
    for (const who of [coordinator, leader, proxy, admin, sthj]) expect(loadMinutes(ctxAt(TODAY), who, ids.heldMeeting).sections).toHaveLength(2);
    expect(caught(() => loadMinutes(ctxAt(TODAY), enterprise, ids.heldMeeting)).status).toBe(403);
    expect(caught(() => loadMinutes(ctxAt(TODAY), coordinator, 999_999)).status).toBe(404);

    const page = await load(minutesPageLoader, `/meetings/${ids.heldMeeting}/minutes`, { id: String(ids.heldMeeting) }, await cookieFor(zhujian));
    expect((page.data as { minutes: { sections: unknown[] } }).minutes.sections).toHaveLength(2);
    const refused = await load(minutesPageLoader, `/meetings/${ids.heldMeeting}/minutes`, { id: String(ids.heldMeeting) }, await cookieFor(enterprise));
    expect(refused.res?.status).toBe(403);
    expect(await refused.res?.text()).toMatch(/[\u4e00-\u9fff]/);
    const unknown = await load(minutesPageLoader, "/meetings/abc/minutes", { id: "abc" }, await cookieFor(zhujian));
    expect(unknown.res?.status).toBe(404);
  });
});

describe("minutes as .docx (/meetings/:id/minutes.docx)", () => {
  it("downloads as an attachment with the Chinese file name and reads back with both decisions and their units", async () => {
    const { res } = await load(minutesDocxLoader, `/meetings/${ids.heldMeeting}/minutes.docx`, { id: String(ids.heldMeeting) }, await cookieFor(coordinator));
    expect(res?.status).toBe(200);
    expect(res!.headers.get("Content-Type")).toBe("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    const disposition = res!.headers.get("Content-Disposition")!;
    expect(disposition).toMatch(/^attachment; filename="meeting-\d+-minutes\.docx"; filename\*=UTF-8''/);
    expect(decodeURIComponent(disposition.split("UTF-8''")[1])).toBe("会议纪要-重点项目协调推进联席会议（第 46 次）.docx");

    const file = Buffer.from(await res!.arrayBuffer());
    expect(file.subarray(0, 4).toString("latin1")).toBe("PK\u0003\u0004");
    expect(Number(res!.headers.get("Content-Length"))).toBe(file.length);
    const text = docxText(file);
    const lines = text.split("\n");
    expect(lines[0]).toBe("重点项目协调推进联席会议纪要");
    expect(lines[1]).toBe("重点项目协调推进联席会议（第 46 次）");
    expect(text).toContain("地点：市政务服务中心 3 楼会议室, 东侧");
    expect(text).toContain("主持：常务副市长");
    expect(text).toContain("出席：市自然资源和规划局、市住房和城乡建设局");
    expect(text).toContain("研究了用地预审滞后问题。");
    const first = lines.indexOf("一、用地预审与选址意见书超过承诺时限");
    const second = lines.indexOf("二、施工许可并联审查");
    expect(first).toBeGreaterThan(1);
    expect(second).toBeGreaterThan(first);
    expect(text).toContain("会议议定：由市自然资源和规划局牵头，会同生态环境部门限期完成用地预审审查");
    expect(text).toContain("会议议定：住建局实行施工许可并联审查");
    // The tasks table of the first decision: 责任单位, 配合单位, 责任人, 完成时限 in its cells.
    const firstTable = lines.slice(first, second);
    for (const cell of ["责任单位", "配合单位", "责任人", "完成时限", "完成用地预审与选址意见书审查并出具意见", "市自然资源和规划局", "市生态环境局", "钱国栋", `8 个工作日内（${zhDate(day(4))}前）`]) {
      expect(firstTable, cell).toContain(cell);
    }
    expect(lines.slice(second)).toEqual(expect.arrayContaining(["出具施工许可并联审查意见", "市住房和城乡建设局"]));
    expect(text).not.toContain("未发言的事项");
  });

  it("an enterprise gets 403 and no file", async () => {
    const { res } = await load(minutesDocxLoader, `/meetings/${ids.heldMeeting}/minutes.docx`, { id: String(ids.heldMeeting) }, await cookieFor(enterprise));
    expect(res?.status).toBe(403);
    expect(res?.headers.get("Content-Type")).not.toContain("wordprocessingml");
  });
});

describe("calendar feed (/calendar.ics?token=…)", () => {
  async function tokenOf(user: TestUser): Promise<string> {
    const r = await postCalendar(await cookieFor(user), "issue");
    expect(r.status).toBe(200);
    expect(r.headers.get("Cache-Control")).toBe("no-store");
    const url = new URL(r.body.feedUrl!);
    expect(`${url.origin}${url.pathname}`).toBe(`${BASE}/calendar.ics`);
    return url.searchParams.get("token")!;
  }

  it("a department clerk sees the meetings their department is invited to and the deadlines it carries, as lead or co-unit", async () => {
    const z = await feed(await tokenOf(zrzy));
    expect(z.status).toBe(200);
    expect(z.type).toBe("text/calendar; charset=utf-8");
    expect(uids(z.text).sort()).toEqual([`action-${ids.landTask}@green-channel`, `action-${ids.supervision}@green-channel`, `meeting-${ids.heldMeeting}@green-channel`].sort());

    const co = unfold((await feed(await tokenOf(sthj))).text);
    expect(uids(co)).toEqual([`action-${ids.landTask}@green-channel`]);
    expect(co).toContain("SUMMARY:【督办】完成用地预审与选址意见书审查并出具意见 完成时限（配合）");

    const j = await feed(await tokenOf(zhujian));
    // Closed tasks are no longer deadlines.
    expect(uids(j.text).sort()).toEqual([`action-${ids.permitTask}@green-channel`, `meeting-${ids.heldMeeting}@green-channel`].sort());
  });

  it("the events: a timed meeting in Shanghai time, an untimed one all day, deadlines all day with their text escaped", async () => {
    const text = (await feed(await tokenOf(coordinator))).text;
    expect(text.split("\r\n").every((l) => Buffer.byteLength(l) <= 75)).toBe(true);
    expect(text.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    const ics = unfold(text);
    const compact = (d: string) => d.replace(/-/g, "");
    expect(ics).toContain(`DTSTART;TZID=Asia/Shanghai:${compact(day(-7))}T093000`);
    expect(ics).toContain("LOCATION:市政务服务中心 3 楼会议室\\, 东侧");
    expect(ics).toContain(`URL:${BASE}/meetings/${ids.heldMeeting}`);
    expect(ics).toContain(`DTSTART;VALUE=DATE:${compact(day(5))}`);
    expect(ics).toContain(`DTEND;VALUE=DATE:${compact(day(6))}`);
    expect(ics).toContain("SUMMARY:【会商会审】会商会审：新能源项目");
    expect(ics).toContain(`DTSTART;VALUE=DATE:${compact(day(4))}`);
    expect(ics).toContain("SUMMARY:【督办】完成用地预审与选址意见书审查并出具意见 完成时限");
    expect(ics).toContain("DESCRIPTION:责任单位：市自然资源和规划局\\n配合单位：市生态环境局\\n责任人：钱国栋\\n");
    // Deadlines link to the action item's page in the 督办台账, whether a meeting set them or not.
    expect(ics).toContain(`URL:${BASE}/meetings/actions/${ids.landTask}`);
    expect(ics).toContain(`URL:${BASE}/meetings/actions/${ids.supervision}`);
  });

  it("coordinators get every meeting of the last year and every open deadline; leaders and proxies meetings only", async () => {
    const all = uids((await feed(await tokenOf(coordinator))).text);
    expect(all.sort()).toEqual(
      [
        `meeting-${ids.heldMeeting}@green-channel`,
        `meeting-${ids.nextMeeting}@green-channel`,
        `action-${ids.landTask}@green-channel`,
        `action-${ids.permitTask}@green-channel`,
        `action-${ids.supervision}@green-channel`,
      ].sort(),
    );
    expect(all).not.toContain(`meeting-${ids.oldMeeting}@green-channel`);
    for (const who of [leader, proxy]) {
      expect(uids((await feed(await tokenOf(who))).text).sort()).toEqual([`meeting-${ids.heldMeeting}@green-channel`, `meeting-${ids.nextMeeting}@green-channel`].sort());
    }
    expect(uids((await feed(await tokenOf(admin))).text)).toHaveLength(5);
  });

  it("the token is stored as its sha256 only, shown once, and its issue and revocation are audited", async () => {
    const cookie = await cookieFor(zrzy);
    expect((await load(accountCalendarLoader, "/account/calendar", {}, cookie)).data).toMatchObject({ active: false });
    const token = await tokenOf(zrzy);
    const row = getDb().select().from(users).where(eq(users.id, zrzy.id)).get()!;
    expect(row.calendarTokenHash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(row.calendarTokenHash).not.toContain(token);
    expect((await load(accountCalendarLoader, "/account/calendar", {}, cookie)).data).toMatchObject({ active: true });
    await postCalendar(cookie, "revoke");
    const audit = getDb().select({ action: auditLog.action, entityId: auditLog.entityId }).from(auditLog).where(and(eq(auditLog.actorUserId, zrzy.id), like(auditLog.action, "user.calendar%"))).all();
    expect(audit).toEqual([
      { action: "user.calendarTokenIssued", entityId: zrzy.id },
      { action: "user.calendarTokenRevoked", entityId: zrzy.id },
    ]);
  });

  it("a revoked, replaced, unknown or missing token answers 401 in plain text", async () => {
    const cookie = await cookieFor(zrzy);
    const first = await tokenOf(zrzy);
    expect((await feed(first)).status).toBe(200);

    const second = await tokenOf(zrzy);
    const replaced = await feed(first);
    expect(replaced.status).toBe(401);
    expect(replaced.type).toBe("text/plain; charset=utf-8");
    expect(replaced.text).toMatch(/[\u4e00-\u9fff]/);
    expect((await feed(second)).status).toBe(200);

    const revoke = await postCalendar(cookie, "revoke");
    expect(revoke.body).toMatchObject({ ok: true, feedUrl: null });
    expect((await feed(second)).status).toBe(401);
    expect(getDb().select().from(users).where(eq(users.id, zrzy.id)).get()!.calendarTokenHash).toBeNull();
    expect((await postCalendar(cookie, "revoke")).body.message).toBe("当前没有有效的订阅链接");

    expect((await feed("gcal_not-a-token")).status).toBe(401);
    expect((await feed("")).status).toBe(401);
    expect((await feed(null)).status).toBe(401);
  });

  it("a malformed 配合单位 column is read as none instead of failing the feed", async () => {
    getDb().update(actionItems).set({ coDepartmentIds: "not json" }).where(eq(actionItems.id, ids.landTask)).run();
    const z = await feed(await tokenOf(zrzy));
    expect(z.status).toBe(200);
    expect(uids(z.text)).toContain(`action-${ids.landTask}@green-channel`);
    expect(uids((await feed(await tokenOf(sthj))).text)).toEqual([]);
    expect(loadMinutes(ctxAt(TODAY), coordinator, ids.heldMeeting).sections[0].decisions[0].tasks[0].coDepartments).toBe("—");
  });

  it("a deactivated user's feed stops", async () => {
    const token = await tokenOf(zhujian);
    getDb().update(users).set({ active: false }).where(eq(users.id, zhujian.id)).run();
    expect((await feed(token)).status).toBe(401);
  });

  it("enterprises get no feed: the page is 403, issuing is refused, and a token of theirs serves nothing", async () => {
    const cookie = await cookieFor(enterprise);
    expect((await load(accountCalendarLoader, "/account/calendar", {}, cookie)).res?.status).toBe(403);
    const r = await postCalendar(cookie, "issue");
    expect({ status: r.status, ok: r.body.ok, feedUrl: r.body.feedUrl }).toEqual({ status: 403, ok: false, feedUrl: null });
    expect(getDb().select().from(users).where(eq(users.id, enterprise.id)).get()!.calendarTokenHash).toBeNull();

    // A hash planted by hand (or left from a role change) still opens nothing.
    getDb().update(users).set({ calendarTokenHash: createHash("sha256").update("planted").digest("hex") }).where(eq(users.id, enterprise.id)).run();
    expect((await feed("planted")).status).toBe(403);
    expect(caught(() => calendarFeed(ctxAt(TODAY), "planted", BASE)).status).toBe(403);
  });

  it("without a session the page sends the visitor to sign in", async () => {
    const { res } = await load(accountCalendarLoader, "/account/calendar");
    expect(res?.status).toBe(302);
    expect(res?.headers.get("Location")).toBe(`/login?redirectTo=${encodeURIComponent("/account/calendar")}`);
  });
});

describe("the feed's window", () => {
  it("keeps a department with no invitation and no task empty but valid", () => {
    const db = getDb();
    const fagai = db.select().from(departments).where(eq(departments.code, "发改")).get()!;
    db.run(sql`delete from meeting_departments where department_id = ${fagai.id}`);
    const token = "gcal_fixed-token-for-this-test";
    const u = db.insert(users).values({ login: "fagai-1", displayName: "发改经办", passwordHash: "x", role: "dept", departmentId: fagai.id, calendarTokenHash: createHash("sha256").update(token).digest("hex") }).returning().get();
    const ics = calendarFeed(ctxAt(TODAY), token, BASE);
    expect(u.id).toBeGreaterThan(0);
    expect(ics.startsWith("BEGIN:VCALENDAR\r\n")).toBe(true);
    expect(ics.endsWith("END:VCALENDAR\r\n")).toBe(true);
    expect(uids(ics)).toEqual([]);
  });
});
