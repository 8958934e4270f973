import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { shanghaiDay, shanghaiToday } from "~/domain/calendar";
import { createApiToken } from "~/services/auth.server";
import { getCalendar } from "~/services/time-rules.server";
import { recordItemEvent } from "~/services/items.server";
import { getDb } from "~/utils/db.server";
import { action as projectAction } from "~/routes/_app.projects.$projectId";
import { action as loginAction } from "~/routes/login";
import { action as postEvent } from "~/routes/api.v1.projects.$id.items.$key.events";
import { ctxAt, insertProject, insertUser, TEST_PASSWORD, type TestUser } from "../factories";
import { caught } from "../support/app-error";
import { call } from "./api-helpers";

/*
 * 受理 while the ledger shows required materials as 缺: refused (422, nothing
 * written) unless each is declared 容缺 with a 补齐 date — for proxy officers and
 * department staff, through the service, the page form and the JSON API alike.
 * general-industrial's 企业投资项目备案 (filing, 发改) needs 项目备案申请表, 营业执照
 * and 授权委托书; a new project has them all missing.
 */

const FILING_MATERIALS = ["项目备案申请表", "营业执照", "授权委托书"];

let proxy: TestUser;
let staff: TestUser; // 发改 department staff: filing is theirs
let projectId: number;

beforeEach(async () => {
  proxy = await insertUser({ role: "proxy" });
  staff = await insertUser({ role: "dept", department: "发改" });
  projectId = insertProject(proxy, { name: "受理材料测试项目", signedOn: "2026-03-02", targetStartOn: "2026-09-30" });
});

/** Everything 受理 could write: the item row, its events, the project's counters and the audit log. */
function written(key = "filing") {
  const db = getDb();
  return {
    item: db.get(sql`select status, accepted_on, due_on, commitment_on, version from items where project_id = ${projectId} and key = ${key}`),
    events: db.get<{ n: number }>(sql`select count(*) as n from clock_events e join items i on i.id = e.item_id where i.project_id = ${projectId}`)!.n,
    project: db.get(sql`select version, last_progress_on from projects where id = ${projectId}`),
    audit: db.get<{ n: number }>(sql`select count(*) as n from audit_log`)!.n,
  };
}

function setMaterials(status: "missing" | "verified", names?: string[]) {
  const db = getDb();
  if (names) {
    for (const n of names) db.run(sql`update materials set status = ${status} where project_id = ${projectId} and name = ${n}`);
  } else {
    db.run(sql`update materials set status = ${status} where project_id = ${projectId}`);
  }
}

const ctx = () => ctxAt("2026-03-03");

describe("受理 with required materials missing", () => {
  it("is refused, naming every missing material, and writes nothing", () => {
    const before = written();
    const e = caught(() => recordItemEvent(ctx(), proxy, projectId, "filing", { type: "accept", on: "2026-03-03" }));
    expect(e.status).toBe(422);
    expect(e.message).toBe(`尚缺申报材料：${FILING_MATERIALS.join("、")}。请勾选为容缺材料并填写补齐日期后受理，或收齐材料后再受理`);
    expect(e.fields).toEqual({ deferredMaterials: e.message });
    expect(written()).toEqual(before);
  });

  it("is refused when one missing material is left out of 容缺, or the 补齐 date is missing", () => {
    const before = written();
    const partly = caught(() =>
      recordItemEvent(ctx(), proxy, projectId, "filing", { type: "accept", on: "2026-03-03", deferredMaterials: ["项目备案申请表", "营业执照"], commitmentOn: "2026-03-04" }),
    );
    expect([partly.status, partly.message]).toEqual([422, "尚缺申报材料：授权委托书。请勾选为容缺材料并填写补齐日期后受理，或收齐材料后再受理"]);
    const undated = caught(() => recordItemEvent(ctx(), proxy, projectId, "filing", { type: "accept", on: "2026-03-03", deferredMaterials: FILING_MATERIALS }));
    expect(undated.status).toBe(422);
    expect(undated.fields).toEqual({ commitmentOn: "容缺受理须填写补齐日期（容缺材料：项目备案申请表、营业执照、授权委托书）" });
    expect(written()).toEqual(before);
  });

  it("is accepted as 容缺受理 when every missing material is declared with a 补齐 date", () => {
    // filing: promised 1 WD, accepted Tue 03-03 → due Wed 03-04; the promise may be that day.
    const done = recordItemEvent(ctx(), proxy, projectId, "filing", { type: "accept", on: "2026-03-03", deferredMaterials: FILING_MATERIALS, commitmentOn: "2026-03-04" });
    expect(done).toMatchObject({ status: "running", acceptedOn: "2026-03-03", dueOn: "2026-03-04", commitmentOn: "2026-03-04" });
    const detail = getDb().get<{ detail: string }>(sql`select e.detail from clock_events e join items i on i.id = e.item_id where i.project_id = ${projectId} and i.key = 'filing'`)!;
    expect(JSON.parse(detail.detail)).toEqual({ deferredMaterials: FILING_MATERIALS, commitmentOn: "2026-03-04" });
  });

  it("is accepted plainly once every required material is received", () => {
    setMaterials("verified", FILING_MATERIALS);
    const done = recordItemEvent(ctx(), proxy, projectId, "filing", { type: "accept", on: "2026-03-03" });
    expect(done).toMatchObject({ status: "running", acceptedOn: "2026-03-03", commitmentOn: null });
  });

  it("holds department staff to the same rule", () => {
    expect(caught(() => recordItemEvent(ctx(), staff, projectId, "filing", { type: "accept", on: "2026-03-03" })).status).toBe(422);
    setMaterials("verified");
    expect(recordItemEvent(ctx(), staff, projectId, "filing", { type: "accept", on: "2026-03-03" })).toMatchObject({ status: "running" });
  });

  it("an illegal 受理 is still a 409, whatever the materials", () => {
    setMaterials("verified", FILING_MATERIALS);
    recordItemEvent(ctx(), proxy, projectId, "filing", { type: "accept", on: "2026-03-03" });
    setMaterials("missing", FILING_MATERIALS);
    expect(caught(() => recordItemEvent(ctx(), proxy, projectId, "filing", { type: "accept", on: "2026-03-03" })).status).toBe(409);
  });

  it("does not count a certificate an approved item has issued (建设工程规划许可证 for 施工许可)", () => {
    // Everything is in hand except the 规划许可证 itself, which only its own approval produces.
    setMaterials("verified");
    setMaterials("missing", ["建设工程规划许可证"]);
    expect(caught(() => recordItemEvent(ctx(), proxy, projectId, "construction-permit", { type: "accept", on: "2026-03-03" })).message).toContain("建设工程规划许可证");
    recordItemEvent(ctx(), proxy, projectId, "engineering-planning-permit", { type: "accept", on: "2026-03-03" });
    recordItemEvent(ctx(), proxy, projectId, "engineering-planning-permit", { type: "approve", on: "2026-03-03" });
    expect(recordItemEvent(ctx(), proxy, projectId, "construction-permit", { type: "accept", on: "2026-03-03" })).toMatchObject({ status: "running", commitmentOn: null });
  });

  it("is refused through the JSON API with the same 422 and message", async () => {
    const token = createApiToken(getDb(), staff.login);
    const path = `/api/v1/projects/${projectId}/items/filing/events`;
    const params = { id: String(projectId), key: "filing" };
    const before = written();
    const r = await call(postEvent, path, { token, json: { type: "accept", on: "2026-03-03" }, params });
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: "invalid", message: expect.stringContaining("尚缺申报材料：项目备案申请表、营业执照、授权委托书") });
    expect(written()).toEqual(before);
    const ok = await call(postEvent, path, { token, json: { type: "accept", on: "2026-03-03", deferredMaterials: FILING_MATERIALS, commitmentOn: "2026-03-04" }, params });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: "running", commitmentOn: "2026-03-04" });
  });

  it("is refused through the page form with the message and the field, and taken with the 容缺 boxes and date", async () => {
    const login = (await loginAction({
      request: new Request("http://localhost/login", { method: "POST", body: new URLSearchParams({ login: proxy.login, password: TEST_PASSWORD }) }),
      params: {},
      context: {},
    })) as Response;
    const cookie = (login.headers.get("Set-Cookie") ?? "").split(";")[0];
    // Page actions record on the real today.
    const today = shanghaiToday(new Date());
    const post = async (extra: [string, string][]) => {
      const body = new URLSearchParams([["intent", "event"], ["itemKey", "filing"], ["type", "accept"], ["on", today], ...extra]);
      const request = new Request(`http://localhost/projects/${projectId}?item=filing`, { method: "POST", body, headers: { Cookie: cookie } });
      return (await projectAction({ request, params: { projectId: String(projectId) }, context: {} })) as unknown as {
        data: { ok: boolean; message: string; itemKey: string; fields?: Record<string, string> };
        init: { status: number };
      };
    };
    const before = written();
    const refused = await post([]);
    expect(refused.init.status).toBe(422);
    expect(refused.data).toMatchObject({ ok: false, itemKey: "filing", message: expect.stringContaining("尚缺申报材料"), fields: { deferredMaterials: expect.any(String) } });
    expect(written()).toEqual(before);
    // What the panel sends: its pre-checked boxes and a date, here filing's due date (1 WD after today).
    const cal = getCalendar(getDb());
    const due = cal.format(cal.addWorkingDays(shanghaiDay(new Date()), 1));
    const taken = await post([...FILING_MATERIALS.map((n): [string, string] => ["deferredMaterials", n]), ["commitmentOn", due]]);
    expect(taken.data).toMatchObject({ ok: true, message: "已记录" });
    expect(written().events).toBe(1);
  });
});

