/**
 * 下一步: what the proxy officer should do about a project now, derived from
 * the clocks and the graph as of one day. Each entry names the one step that
 * moves it (申报/受理, 催办, 补正收到, 容缺材料补齐 …), and the list is ordered by
 * urgency: what is late first, then what falls due within the yellow lead, then
 * the officer's own moves, then what waits on others; within each, items' own
 * clocks before the project's stall, then by date.
 *
 * An item can appear twice when two different things are due (a running item
 * past its due date whose 容缺 commitment is also due): each has its own step.
 */
import type { DayNum, WorkingCalendar } from "~/domain/calendar";
import { EVENT_LABELS, isActive, isFinished, readClock, type ClockEventType, type ClockSpec, type ClockState, type ItemKind, type ItemStatus } from "~/domain/clock";
import type { EscalationPolicy } from "~/domain/escalation/policy";
import { idleWorkingDays, isStalled, stallsOn, type StallFacts } from "~/domain/escalation/stall";
import { outstanding } from "~/domain/material/certificates";

export interface NextItem {
  key: string;
  name: string;
  kind: ItemKind;
  departmentName: string | null;
  spec: ClockSpec;
  state: ClockState;
  /** The schedule's 可申报: not started (or to be refiled) and every predecessor finished. */
  ready: boolean;
  critical: boolean;
  /** Planned dates from the 倒排 schedule; latestStart and totalSlack are null for finished items. */
  earliestStart: DayNum;
  latestStart: DayNum | null;
  totalSlack: number | null;
  /** The clock events the viewing user may record on this item now. */
  allowed: readonly ClockEventType[];
  /** Materials this item needs that the ledger shows as missing (issued certificates are dropped here). */
  missingMaterials: readonly string[];
}

/** An open action item of a joint meeting (会议纪要 task) on this project. */
export interface NextMeetingTask {
  id: number;
  title: string;
  department: string | null;
  deadlineOn: DayNum;
}

export interface NextActionsInput {
  items: readonly NextItem[];
  edges: readonly { from: string; to: string }[];
  project: { active: boolean; lastProgressOn: DayNum | null };
  meetingTasks: readonly NextMeetingTask[];
}

export type NextActionKind =
  | "overdue" // running past its due date
  | "dueSoon" // running, within its yellow lead
  | "commitment" // 容缺 materials due or late
  | "stalled" // the project: no progress for stallAfter working days
  | "meetingTask" // an open action item on the project (会议纪要 task, 督办 or 差评整改)
  | "correction" // 补正: waiting on the enterprise
  | "ready" // 可申报: every predecessor finished
  | "waiting" // 特别程序 / 中止 / awaiting acceptance: the clock waits on someone else
  | "prepare"; // next in line (predecessors under way), materials still missing

/** The tag each kind is shown with. */
export const NEXT_ACTION_KIND_LABELS: Readonly<Record<NextActionKind, string>> = {
  overdue: "超期",
  dueSoon: "临期",
  commitment: "容缺",
  stalled: "停滞",
  meetingTask: "督办事项",
  correction: "补正",
  ready: "可申报",
  waiting: "等待",
  prepare: "备材料",
};

export type NextActionTone = "red" | "yellow" | "blue" | "gray";

export interface NextAction {
  kind: NextActionKind;
  /** The item it is about (`?item=key`); null for the project's stall and for meeting tasks. */
  key: string | null;
  /** Meeting task id, for the list key; null otherwise. */
  taskId: number | null;
  title: string;
  department: string | null;
  /** Why it is on the list now, one short phrase. */
  reason: string;
  tone: NextActionTone;
  /** The one step that moves it; `event` is the clock event when the viewer may record it. */
  action: { label: string; event: string | null };
  /** The date that orders it within its tone (due date, commitment date, latest start …). */
  on: DayNum | null;
  critical: boolean;
}

const TONE_RANK: Record<NextActionTone, number> = { red: 0, yellow: 1, blue: 2, gray: 3 };

/**
 * Within one tone: an item's own clock before the project's stall (the stall
 * summarises what the items already say), the officer's own moves before waiting.
 */
const KIND_RANK: Record<NextActionKind, number> = {
  overdue: 0,
  dueSoon: 1,
  commitment: 2,
  meetingTask: 3,
  correction: 4,
  ready: 5,
  stalled: 6,
  waiting: 7,
  prepare: 8,
};

/** The event that ends each waiting status. */
const RESUMING_EVENT: Readonly<Partial<Record<ItemStatus, ClockEventType>>> = {
  correction: "receive_correction",
  special: "end_special",
  suspended: "resume",
  submitted: "accept",
};

/** Ways to start an item, in the order the officer takes them: 申报 where the clock offers it (approvals), else 受理. */
const FILING_EVENTS: readonly ClockEventType[] = ["submit", "accept"];

const NOT_STARTED: ReadonlySet<ItemStatus> = new Set<ItemStatus>(["pending", "rejected", "withdrawn"]);

/** The clock's label of an event the viewer may be offered (`allowed` arrives as plain strings). */
function eventLabel(event: ClockEventType): string {
  return EVENT_LABELS[event];
}

/**
 * The officer's next actions for one project as of `asOf`, most urgent first:
 * by tone (red, yellow, the officer's own moves, then what waits on others), then
 * by kind in the order listed below, then by date.
 *
 * - overdue: a running item past its due date (DESIGN §4 red) → 催办;
 * - dueSoon: a running item within its yellow lead (the item's own, else the policy's) → 跟进;
 * - commitment: an open 容缺 commitment that is yellow or red → 容缺材料补齐;
 * - stalled: the project has had no progress for `policy.stallAfter` working days (the one stall rule) → 记录代办日志;
 * - meetingTask: an open 会议纪要 task, red/yellow/gray by its deadline like any clock → 跟进落实;
 * - correction: 补正中, waiting on the enterprise → 补正收到;
 * - ready: 可申报 (the schedule's flag) → 申报/受理 (a milestone: 标记完成), with the materials still missing;
 * - waiting: 特别程序 / 中止 / awaiting 受理 → the event that ends it;
 * - prepare: not started, every unfinished predecessor already under way, materials still missing → 一次性告知.
 *
 * @example
 * // filing accepted 2026-03-02 (1 WD, due 03-03), nothing else moved; as of 03-05:
 * nextActions(input, toDay("2026-03-05"), cal, DEFAULT_POLICY)[0]
 * // → { kind: "overdue", key: "filing", reason: "超期 2 个工作日（到期 2026-03-03）", action: { label: "催办", event: null }, … }
 */
export function nextActions(input: NextActionsInput, asOf: DayNum, cal: WorkingCalendar, policy: EscalationPolicy): NextAction[] {
  const out: NextAction[] = [];
  const fmt = (d: DayNum) => cal.format(d);
  const byKey = new Map(input.items.map((i) => [i.key, i]));
  const preds = new Map<string, string[]>();
  for (const e of input.edges) {
    const list = preds.get(e.to);
    if (list) list.push(e.from);
    else preds.set(e.to, [e.from]);
  }
  const sources = input.items.map((i) => ({ key: i.key, name: i.name, kind: i.kind, status: i.state.status }));
  const owed = (i: NextItem) => outstanding(i.missingMaterials, sources);
  const may = (i: NextItem, event: ClockEventType) => (i.allowed.includes(event) ? event : null);
  const base = (i: NextItem) => ({ key: i.key, taskId: null, title: i.name, department: i.departmentName, critical: i.critical });

  for (const i of input.items) {
    const st = i.state;
    const status = st.status;
    const r = readClock(st, i.spec, cal, asOf, policy.yellowLead);

    // 申报 awaiting 受理: its clock is the §32 acceptance window, and the step is the department's 受理.
    const awaiting = status === "submitted";
    const warned = !r.paused && isActive(st.status) && r.dueOn !== null && r.remainingWorkingDays !== null && r.warning !== "none";
    if (warned) {
      const late = r.warning === "red";
      const due = fmt(r.dueOn!);
      const left = r.remainingWorkingDays!;
      out.push({
        ...base(i),
        kind: late ? "overdue" : "dueSoon",
        reason: awaiting
          ? `${late ? `受理期限已过 ${r.overdueWorkingDays} 个工作日` : left <= 0 ? "今日须受理" : `受理期限剩余 ${left} 个工作日`}（${due} 前受理或一次告知补正）`
          : late
            ? `超期 ${r.overdueWorkingDays} 个工作日（到期 ${due}）`
            : left <= 0
              ? `今日到期（${due}）`
              : `剩余 ${left} 个工作日（到期 ${due}）`,
        tone: late ? "red" : "yellow",
        action: awaiting ? { label: may(i, "accept") ? eventLabel("accept") : "催办受理", event: may(i, "accept") } : { label: late ? "催办" : "跟进", event: null },
        on: r.dueOn,
      });
    }

    if (r.commitmentWarning !== "none" && st.commitmentOn !== null) {
      const late = r.commitmentWarning === "red";
      const days = cal.workingDaysBetween(asOf, st.commitmentOn);
      out.push({
        ...base(i),
        kind: "commitment",
        reason: `容缺材料${late ? `逾期 ${-days} 个工作日` : days <= 0 ? "今日须补齐" : `须在 ${days} 个工作日内补齐`}（${st.deferredMaterials.join("、")}，期限 ${fmt(st.commitmentOn)}）`,
        tone: late ? "red" : "yellow",
        action: { label: eventLabel("supply_deferred"), event: may(i, "supply_deferred") },
        on: st.commitmentOn,
      });
    }

    const resuming = RESUMING_EVENT[status];
    if (resuming !== undefined && (r.paused || (awaiting && !warned))) {
      const since = st.pausedOn ?? st.lastEventOn;
      const correction = status === "correction";
      out.push({
        ...base(i),
        kind: correction ? "correction" : "waiting",
        reason: correction
          ? `等待企业补正${since !== null ? `（自 ${fmt(since)} 起）` : ""}`
          : `${status === "submitted" ? "已申报，待部门受理" : status === "special" ? "特别程序中" : "中止中"}${since !== null ? `（自 ${fmt(since)} 起）` : ""}`,
        tone: correction ? "blue" : "gray",
        action: { label: eventLabel(resuming), event: may(i, resuming) },
        on: since,
      });
    }

    if (i.ready && NOT_STARTED.has(status)) {
      const missing = i.kind === "milestone" ? [] : owed(i);
      const behind = i.totalSlack !== null && i.totalSlack < 0;
      const parts = ["前置事项已办结"];
      if (missing.length) parts.push(`尚缺 ${missing.length} 项材料`);
      if (behind) parts.push(`落后计划 ${-i.totalSlack!} 个工作日`);
      else if (i.latestStart !== null && i.critical) parts.push(`关键路径，最迟 ${fmt(i.latestStart)} 开始`);
      let action: NextAction["action"];
      if (i.kind === "milestone") {
        action = { label: "标记完成", event: may(i, "approve") };
      } else {
        const event = FILING_EVENTS.find((e) => i.allowed.includes(e)) ?? null;
        action = { label: event ? eventLabel(event) : i.kind === "approval" ? "申报" : eventLabel("accept"), event };
      }
      out.push({ ...base(i), kind: "ready", reason: parts.join("，"), tone: behind ? "yellow" : "blue", action, on: i.latestStart ?? i.earliestStart });
      continue;
    }

    if (i.kind !== "milestone" && NOT_STARTED.has(status) && !i.ready) {
      const before = (preds.get(i.key) ?? []).map((k) => byKey.get(k)).filter((p): p is NextItem => p !== undefined);
      const open = before.filter((p) => !isFinished(p.state.status));
      const missing = owed(i);
      if (open.length > 0 && open.every((p) => isActive(p.state.status)) && missing.length > 0) {
        out.push({
          ...base(i),
          kind: "prepare",
          reason: `前置事项办理中（${open.map((p) => p.name).join("、")}），尚缺 ${missing.length} 项材料：${missing.join("、")}`,
          tone: "gray",
          action: { label: "一次性告知企业备齐材料", event: null },
          on: i.earliestStart,
        });
      }
    }
  }

  const stall: StallFacts = {
    projectActive: input.project.active,
    hasOpenItems: input.items.some((i) => !isFinished(i.state.status)),
    lastProgressOn: input.project.lastProgressOn,
  };
  if (isStalled(stall, asOf, policy.stallAfter, cal)) {
    out.push({
      kind: "stalled",
      key: null,
      taskId: null,
      title: "项目推进停滞",
      department: null,
      reason: `${idleWorkingDays(stall, asOf, cal)} 个工作日无进展（最近进展 ${fmt(stall.lastProgressOn!)}）`,
      tone: "red",
      action: { label: "记录代办日志", event: null },
      on: stallsOn(stall, policy.stallAfter, cal),
      critical: false,
    });
  }

  for (const t of input.meetingTasks) {
    const remaining = cal.workingDaysBetween(asOf, t.deadlineOn);
    const late = asOf > t.deadlineOn;
    const soon = !late && remaining <= policy.yellowLead;
    out.push({
      kind: "meetingTask",
      key: null,
      taskId: t.id,
      title: t.title,
      department: t.department,
      reason: late ? `督办事项超期 ${-remaining} 个工作日（期限 ${fmt(t.deadlineOn)}）` : `督办事项，期限 ${fmt(t.deadlineOn)}`,
      tone: late ? "red" : soon ? "yellow" : "gray",
      action: { label: "跟进落实", event: null },
      on: t.deadlineOn,
      critical: false,
    });
  }

  return out.sort(
    (a, b) =>
      TONE_RANK[a.tone] - TONE_RANK[b.tone] ||
      KIND_RANK[a.kind] - KIND_RANK[b.kind] ||
      (a.on ?? Number.MAX_SAFE_INTEGER) - (b.on ?? Number.MAX_SAFE_INTEGER) ||
      Number(b.critical) - Number(a.critical) ||
      a.title.localeCompare(b.title, "zh-Hans-CN"),
  );
}
