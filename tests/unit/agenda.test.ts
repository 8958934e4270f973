import { describe, expect, it } from "vitest";
import {
  MAGNITUDE_CAP,
  rankAgendaCandidates,
  severityOf,
  type AgendaFacts,
  type AtRiskProjectFact,
  type LateActionFact,
  type RedItemFact,
  type StalledProjectFact,
  type SupervisedItemFact,
} from "~/domain/meeting/agenda";

/*
 * Agenda candidates (issue 11): selection and ranking from plain facts. The
 * numbers are made up; what matters is the order and who is left out.
 */

const none: AgendaFacts = { supervised: [], redItems: [], stalledProjects: [], atRiskProjects: [], lateActions: [] };
const facts = (over: Partial<AgendaFacts>): AgendaFacts => ({ ...none, ...over });

const red = (itemId: number, projectId: number, overdue: number): RedItemFact => ({
  projectId,
  projectName: `项目${projectId}`,
  itemId,
  itemKey: `item-${itemId}`,
  itemName: `事项${itemId}`,
  departmentName: "市自然资源和规划局",
  dueOn: "2026-11-24",
  workingDaysOverdue: overdue,
});
const supervised = (itemId: number, projectId: number, overdue: number): SupervisedItemFact => ({ ...red(itemId, projectId, overdue), escalationId: 100 + itemId });
const stalled = (projectId: number, idle: number): StalledProjectFact => ({ projectId, projectName: `项目${projectId}`, idleWorkingDays: idle, lastProgressOn: "2026-11-02" });
const atRisk = (projectId: number, slack: number): AtRiskProjectFact => ({ projectId, projectName: `项目${projectId}`, slack, targetStartOn: "2026-12-31", forecastStartOn: "2027-01-20" });
const late = (actionItemId: number, overdue: number, link: { projectId?: number; itemId?: number } = {}): LateActionFact => ({
  actionItemId,
  title: `任务${actionItemId}`,
  projectId: link.projectId ?? null,
  projectName: link.projectId ? `项目${link.projectId}` : null,
  itemId: link.itemId ?? null,
  itemKey: link.itemId ? `item-${link.itemId}` : null,
  itemName: link.itemId ? `事项${link.itemId}` : null,
  departmentName: "市自然资源和规划局",
  dueOn: "2026-11-20",
  workingDaysOverdue: overdue,
  meetingId: 1,
  meetingTitle: "第 46 次联席会议",
});

const keys = (f: AgendaFacts, onAgenda: Parameters<typeof rankAgendaCandidates>[1] = []) => rankAgendaCandidates(f, onAgenda).map((c) => `${c.key}:${c.reason}`);

describe("severity: reason weight first, then how bad", () => {
  it("supervise > late_action > red > stall > at_risk, whatever the days", () => {
    expect(severityOf("supervise", 0)).toBeGreaterThan(severityOf("late_action", MAGNITUDE_CAP));
    expect(severityOf("late_action", 0)).toBeGreaterThan(severityOf("red", 500));
    expect(severityOf("red", 0)).toBeGreaterThan(severityOf("stall", 200));
    expect(severityOf("stall", 0)).toBeGreaterThan(severityOf("at_risk", 120));
  });

  it("is weight × 1000 + working days, capped, never negative", () => {
    expect(severityOf("red", 3)).toBe(3003);
    expect(severityOf("stall", 19)).toBe(2019);
    expect(severityOf("red", 5000)).toBe(3000 + MAGNITUDE_CAP);
    expect(severityOf("red", -4)).toBe(3000);
  });
});

describe("ranking", () => {
  it("orders every kind of fact most severe first", () => {
    const ranked = rankAgendaCandidates(
      facts({
        atRiskProjects: [atRisk(5, -12)],
        stalledProjects: [stalled(4, 19)],
        redItems: [red(30, 3, 3), red(31, 3, 8)],
        lateActions: [late(7, 2)],
        supervised: [supervised(20, 2, 4)],
      }),
    );
    expect(ranked.map((c) => [c.key, c.reason, c.severity])).toEqual([
      ["item-20", "supervise", 5004],
      ["action-7", "late_action", 4002],
      ["item-31", "red", 3008],
      ["item-30", "red", 3003],
      ["project-4", "stall", 2019],
      ["project-5", "at_risk", 1012],
    ]);
  });

  it("breaks ties by project, then item, then task id, so the order never depends on input order", () => {
    const a = facts({ redItems: [red(12, 2, 3), red(11, 2, 3), red(10, 9, 3)], lateActions: [late(8, 1), late(3, 1, { projectId: 1 })] });
    const b = facts({ redItems: [red(10, 9, 3), red(12, 2, 3), red(11, 2, 3)], lateActions: [late(3, 1, { projectId: 1 }), late(8, 1)] });
    expect(keys(a)).toEqual(["action-3:late_action", "action-8:late_action", "item-11:red", "item-12:red", "item-10:red"]);
    expect(keys(b)).toEqual(keys(a));
  });

  it("tells what each candidate is about: project, item, department, days", () => {
    const [c] = rankAgendaCandidates(facts({ redItems: [red(30, 3, 3)] }));
    expect(c).toMatchObject({
      projectId: 3,
      itemId: 30,
      itemKey: "item-30",
      actionItemId: null,
      summary: "事项30超期 3 个工作日（到期日 2026-11-24）",
      facts: { projectName: "项目3", itemName: "事项30", departmentName: "市自然资源和规划局", workingDaysOverdue: 3, dueOn: "2026-11-24" },
    });
    const [s] = rankAgendaCandidates(facts({ stalledProjects: [stalled(4, 19)] }));
    expect(s).toMatchObject({ itemKey: null, summary: "项目 19 个工作日无进展（最近进展 2026-11-02）", facts: { idleWorkingDays: 19 } });
    const [r] = rankAgendaCandidates(facts({ atRiskProjects: [atRisk(5, -12)] }));
    expect(r).toMatchObject({ facts: { slack: -12, forecastStartOn: "2027-01-20" } });
  });
});

describe("one subject once, with its most severe reason", () => {
  it("a 督办 item that is also red and has a late task is listed once, as 督办, bringing the task", () => {
    const ranked = rankAgendaCandidates(facts({ redItems: [red(30, 3, 9)], supervised: [supervised(30, 3, 9)], lateActions: [late(7, 2, { projectId: 3, itemId: 30 })] }));
    expect(ranked).toHaveLength(1);
    expect(ranked[0]).toMatchObject({ key: "item-30", reason: "supervise", alsoReasons: ["late_action", "red"], actionItemId: 7, escalationId: 130 });
    expect(ranked[0].facts).toMatchObject({ actionTitle: "任务7", meetingTitle: "第 46 次联席会议" });
  });

  it("a late task linked to a red item outranks the item's own lateness", () => {
    expect(keys(facts({ redItems: [red(30, 3, 9)], lateActions: [late(7, 1, { projectId: 3, itemId: 30 })] }))).toEqual(["item-30:late_action"]);
  });

  it("a project both stalled and at risk is one candidate (stall), the slack kept among its facts", () => {
    const ranked = rankAgendaCandidates(facts({ stalledProjects: [stalled(4, 6)], atRiskProjects: [atRisk(4, -30)] }));
    expect(ranked).toHaveLength(1);
    expect(ranked[0]).toMatchObject({ reason: "stall", alsoReasons: ["at_risk"], facts: { idleWorkingDays: 6, slack: -30 } });
  });

  it("a project's item and the project as a whole are different subjects", () => {
    expect(keys(facts({ redItems: [red(30, 4, 1)], stalledProjects: [stalled(4, 6)] }))).toEqual(["item-30:red", "project-4:stall"]);
  });
});

describe("what is already on the agenda is not offered again", () => {
  const all = facts({
    supervised: [supervised(20, 2, 4)],
    redItems: [red(30, 3, 3)],
    stalledProjects: [stalled(4, 19)],
    atRiskProjects: [atRisk(5, -2)],
    lateActions: [late(7, 2), late(8, 2, { projectId: 6, itemId: 60 })],
  });

  it("an item, a task, a project", () => {
    expect(keys(all)).toHaveLength(6);
    expect(
      keys(all, [
        { projectId: 3, itemId: 30, actionItemId: null },
        { projectId: null, itemId: null, actionItemId: 7 },
        { projectId: 4, itemId: null, actionItemId: null },
      ]),
    ).toEqual(["item-20:supervise", "item-60:late_action", "project-5:at_risk"]);
  });

  it("a task on the agenda hides it also when it was added with its item", () => {
    expect(keys(all, [{ projectId: 6, itemId: 60, actionItemId: 8 }])).not.toContain("item-60:late_action");
    // …and when the agenda row names the task only, the item subject carrying that task is hidden too.
    expect(keys(all, [{ projectId: null, itemId: null, actionItemId: 8 }])).not.toContain("item-60:late_action");
  });

  it("a free topic (no project, item or task) hides nothing", () => {
    expect(keys(all, [{ projectId: null, itemId: null, actionItemId: null }])).toEqual(keys(all));
  });

  it("nothing stuck, nothing offered", () => {
    expect(rankAgendaCandidates(none)).toEqual([]);
  });
});
