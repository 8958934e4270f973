import { superviseAgendaSummary } from "../escalation/messages";
import type { AgendaReason } from "./vocabulary";

/**
 * Agenda candidates (issue 11, DESIGN §6 v1.1): what is stuck, ranked so the
 * coordinator puts the worst first. Pure: the service gathers plain facts from
 * the database (agenda-candidates.server.ts) and this module selects and ranks.
 *
 * Severity is one integer, so the API can expose it and anyone can re-sort by it:
 *
 *   severity = REASON_WEIGHT[reason] × 1000 + min(magnitude, 999)
 *
 * where the reason weights are supervise 5 > late_action 4 > red 3 > stall 2 > at_risk 1
 * (a 督办 has already gone up the ladder; a meeting's own late task is a broken
 * promise of the joint meeting itself; an overdue approval outranks a project that
 * merely idles or runs late on paper), and the magnitude is, in working days:
 * how far overdue (supervise, late_action, red), how long idle (stall), or how far
 * behind the 开工 target (at_risk, the negative slack's size). Ties are broken by
 * project id, then item id, then action item id (ascending, nulls last), so the
 * order is total and the same on every call.
 *
 * One subject appears once: a project item (with its most severe reason: a 督办
 * item that is also red and has a late task is listed as 督办), a task without an
 * item, or a project as a whole (stalled and at risk → stall). The reasons it lost
 * to are kept in `alsoReasons` and their facts merged in, so nothing is hidden.
 * A subject already on the meeting's agenda is not offered again.
 */

export type CandidateReason = Exclude<AgendaReason, "manual">;

export const REASON_WEIGHT: Record<CandidateReason, number> = { supervise: 5, late_action: 4, red: 3, stall: 2, at_risk: 1 };

/** The magnitude is capped so that no amount of lateness lifts a candidate over a heavier reason. */
export const MAGNITUDE_CAP = 999;

export function severityOf(reason: CandidateReason, magnitude: number): number {
  const m = Number.isFinite(magnitude) ? Math.min(MAGNITUDE_CAP, Math.max(0, Math.round(magnitude))) : 0;
  return REASON_WEIGHT[reason] * 1000 + m;
}

// ---------------------------------------------------------------- facts (input)

interface ItemRef {
  projectId: number;
  projectName: string;
  itemId: number;
  itemKey: string;
  itemName: string;
  departmentName: string | null;
}

/** A fired 督办 that no meeting's agenda has taken yet. */
export interface SupervisedItemFact extends ItemRef {
  escalationId: number;
  /** The due date the 督办 was counted from. */
  dueOn: string;
  workingDaysOverdue: number;
}

/** An approval (or a submission awaiting acceptance) past its due date, its clock running. */
export interface RedItemFact extends ItemRef {
  dueOn: string;
  workingDaysOverdue: number;
}

/** An active project with open items and no progress for at least `stallAfter` working days. */
export interface StalledProjectFact {
  projectId: number;
  projectName: string;
  idleWorkingDays: number;
  lastProgressOn: string;
}

/** An active project whose forecast 开工 is after its target. */
export interface AtRiskProjectFact {
  projectId: number;
  projectName: string;
  /** Total slack of the 开工 milestone in working days (negative). */
  slack: number;
  targetStartOn: string;
  forecastStartOn: string;
}

/** An open task of an earlier meeting's decision, past its deadline. */
export interface LateActionFact {
  actionItemId: number;
  title: string;
  projectId: number | null;
  projectName: string | null;
  itemId: number | null;
  itemKey: string | null;
  itemName: string | null;
  /** The lead unit (责任单位). */
  departmentName: string | null;
  dueOn: string;
  workingDaysOverdue: number;
  meetingId: number;
  meetingTitle: string;
}

export interface AgendaFacts {
  supervised: readonly SupervisedItemFact[];
  redItems: readonly RedItemFact[];
  stalledProjects: readonly StalledProjectFact[];
  atRiskProjects: readonly AtRiskProjectFact[];
  lateActions: readonly LateActionFact[];
}

/** What an agenda row is about, to tell whether a candidate is already on it. */
export interface AgendaRowRef {
  projectId: number | null;
  itemId: number | null;
  actionItemId: number | null;
}

// ---------------------------------------------------------------- candidates (output)

export interface CandidateFacts {
  projectName: string | null;
  itemName: string | null;
  departmentName: string | null;
  /** The item's or the task's due date. */
  dueOn: string | null;
  workingDaysOverdue: number | null;
  idleWorkingDays: number | null;
  lastProgressOn: string | null;
  /** The 开工 milestone's total slack (negative when late). */
  slack: number | null;
  targetStartOn: string | null;
  forecastStartOn: string | null;
  actionTitle: string | null;
  /** The earlier meeting whose task is late. */
  meetingId: number | null;
  meetingTitle: string | null;
}

export interface AgendaCandidate {
  /** The subject: `item-<id>`, `action-<id>` or `project-<id>`; unique in a list. */
  key: string;
  projectId: number | null;
  itemId: number | null;
  itemKey: string | null;
  actionItemId: number | null;
  /** The pending 督办 escalation this candidate would take, if any. */
  escalationId: number | null;
  reason: CandidateReason;
  severity: number;
  /** Weaker reasons the same subject also has, heaviest first. */
  alsoReasons: CandidateReason[];
  /** The agenda line it becomes (the project is shown beside it). */
  summary: string;
  facts: CandidateFacts;
}

const NO_FACTS: CandidateFacts = {
  projectName: null,
  itemName: null,
  departmentName: null,
  dueOn: null,
  workingDaysOverdue: null,
  idleWorkingDays: null,
  lastProgressOn: null,
  slack: null,
  targetStartOn: null,
  forecastStartOn: null,
  actionTitle: null,
  meetingId: null,
  meetingTitle: null,
};

export const itemSubject = (itemId: number) => `item-${itemId}`;
export const actionSubject = (actionItemId: number) => `action-${actionItemId}`;
export const projectSubject = (projectId: number) => `project-${projectId}`;

/**
 * The subject an agenda row or a candidate is about: its item when it has one (a
 * task linked to an item is about that item), else its task, else its project;
 * null for a free topic with none of them.
 */
export function subjectOf(ref: AgendaRowRef): string | null {
  if (ref.itemId !== null) return itemSubject(ref.itemId);
  if (ref.actionItemId !== null) return actionSubject(ref.actionItemId);
  if (ref.projectId !== null) return projectSubject(ref.projectId);
  return null;
}

/** The agenda line of a late task. */
export function lateActionSummary(title: string, dueOn: string, overdue: number): string {
  return `会议任务「${title}」逾期 ${overdue} 个工作日（期限 ${dueOn}）`;
}

function raw(facts: AgendaFacts): AgendaCandidate[] {
  const out: AgendaCandidate[] = [];
  const base = (over: Partial<AgendaCandidate> & Pick<AgendaCandidate, "key" | "reason" | "severity" | "summary">): AgendaCandidate => ({
    projectId: null,
    itemId: null,
    itemKey: null,
    actionItemId: null,
    escalationId: null,
    alsoReasons: [],
    ...over,
    facts: { ...NO_FACTS, ...over.facts },
  });
  const itemFacts = (f: ItemRef) => ({ projectName: f.projectName, itemName: f.itemName, departmentName: f.departmentName });
  for (const f of facts.supervised) {
    out.push(
      base({
        key: itemSubject(f.itemId),
        projectId: f.projectId,
        itemId: f.itemId,
        itemKey: f.itemKey,
        escalationId: f.escalationId,
        reason: "supervise",
        severity: severityOf("supervise", f.workingDaysOverdue),
        summary: superviseAgendaSummary(f.itemName, f.dueOn),
        facts: { ...NO_FACTS, ...itemFacts(f), dueOn: f.dueOn, workingDaysOverdue: f.workingDaysOverdue },
      }),
    );
  }
  for (const f of facts.lateActions) {
    out.push(
      base({
        key: f.itemId !== null ? itemSubject(f.itemId) : actionSubject(f.actionItemId),
        projectId: f.projectId,
        itemId: f.itemId,
        itemKey: f.itemKey,
        actionItemId: f.actionItemId,
        reason: "late_action",
        severity: severityOf("late_action", f.workingDaysOverdue),
        summary: lateActionSummary(f.title, f.dueOn, f.workingDaysOverdue),
        facts: {
          ...NO_FACTS,
          projectName: f.projectName,
          itemName: f.itemName,
          departmentName: f.departmentName,
          dueOn: f.dueOn,
          workingDaysOverdue: f.workingDaysOverdue,
          actionTitle: f.title,
          meetingId: f.meetingId,
          meetingTitle: f.meetingTitle,
        },
      }),
    );
  }
  for (const f of facts.redItems) {
    out.push(
      base({
        key: itemSubject(f.itemId),
        projectId: f.projectId,
        itemId: f.itemId,
        itemKey: f.itemKey,
        reason: "red",
        severity: severityOf("red", f.workingDaysOverdue),
        summary: `${f.itemName}超期 ${f.workingDaysOverdue} 个工作日（到期日 ${f.dueOn}）`,
        facts: { ...NO_FACTS, ...itemFacts(f), dueOn: f.dueOn, workingDaysOverdue: f.workingDaysOverdue },
      }),
    );
  }
  for (const f of facts.stalledProjects) {
    out.push(
      base({
        key: projectSubject(f.projectId),
        projectId: f.projectId,
        reason: "stall",
        severity: severityOf("stall", f.idleWorkingDays),
        summary: `项目 ${f.idleWorkingDays} 个工作日无进展（最近进展 ${f.lastProgressOn}）`,
        facts: { ...NO_FACTS, projectName: f.projectName, idleWorkingDays: f.idleWorkingDays, lastProgressOn: f.lastProgressOn },
      }),
    );
  }
  for (const f of facts.atRiskProjects) {
    out.push(
      base({
        key: projectSubject(f.projectId),
        projectId: f.projectId,
        reason: "at_risk",
        severity: severityOf("at_risk", -f.slack),
        summary: `预计开工 ${f.forecastStartOn} 晚于目标 ${f.targetStartOn}（时差 ${f.slack} 个工作日）`,
        facts: { ...NO_FACTS, projectName: f.projectName, slack: f.slack, targetStartOn: f.targetStartOn, forecastStartOn: f.forecastStartOn },
      }),
    );
  }
  return out;
}

const nullsLast = (a: number | null, b: number | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a - b);

/** Most severe first; ties by project, item, task id: a total, deterministic order. */
export function compareCandidates(a: AgendaCandidate, b: AgendaCandidate): number {
  return b.severity - a.severity || nullsLast(a.projectId, b.projectId) || nullsLast(a.itemId, b.itemId) || nullsLast(a.actionItemId, b.actionItemId) || a.key.localeCompare(b.key);
}

/** Fills what the winner does not know from a weaker candidate about the same subject. */
function merge(winner: AgendaCandidate, other: AgendaCandidate): AgendaCandidate {
  const facts = { ...winner.facts };
  for (const k of Object.keys(facts) as (keyof CandidateFacts)[]) {
    if (facts[k] === null && other.facts[k] !== null) (facts as Record<string, unknown>)[k] = other.facts[k];
  }
  return {
    ...winner,
    // A 督办 item with a late task: adding it to the agenda brings the task along.
    actionItemId: winner.actionItemId ?? other.actionItemId,
    escalationId: winner.escalationId ?? other.escalationId,
    alsoReasons: winner.alsoReasons.includes(other.reason) || other.reason === winner.reason ? winner.alsoReasons : [...winner.alsoReasons, other.reason],
    facts,
  };
}

/**
 * Selects and ranks the candidates for a meeting whose agenda holds `onAgenda`.
 *
 * @example
 * rankAgendaCandidates({ supervised: [], redItems: [redPreapproval], stalledProjects: [stalledBattery], atRiskProjects: [], lateActions: [] }, [])
 * // → [{ key: "item-12", reason: "red", severity: 3003, … }, { key: "project-2", reason: "stall", severity: 2019, … }]
 */
export function rankAgendaCandidates(facts: AgendaFacts, onAgenda: readonly AgendaRowRef[] = []): AgendaCandidate[] {
  const taken = new Set(onAgenda.map(subjectOf).filter((s): s is string => s !== null));
  // A task on the agenda counts for its item too, and vice versa, whichever way it was added.
  for (const row of onAgenda) if (row.actionItemId !== null) taken.add(actionSubject(row.actionItemId));
  const bySubject = new Map<string, AgendaCandidate[]>();
  for (const c of raw(facts)) {
    if (taken.has(c.key) || (c.actionItemId !== null && taken.has(actionSubject(c.actionItemId)))) continue;
    bySubject.set(c.key, [...(bySubject.get(c.key) ?? []), c]);
  }
  const out: AgendaCandidate[] = [];
  for (const group of bySubject.values()) {
    const [first, ...rest] = [...group].sort(compareCandidates);
    out.push(rest.reduce(merge, first));
  }
  return out
    .map((c) => ({ ...c, alsoReasons: [...c.alsoReasons].sort((a, b) => REASON_WEIGHT[b] - REASON_WEIGHT[a]) }))
    .sort(compareCandidates);
}
