/**
 * An item's 状态 in the ledger, with its 受理日期 and 办结日期, turned into the dated
 * clock events that reproduce that state (README "Excel ledger import"). The labels
 * are the clock's own (STATUS_LABELS, 已完成 for a milestone), so a workbook we export
 * reads back, plus the words offices write by hand (已受理, 已批准, 豁免 …).
 *
 * States whose dates the ledger does not hold (待受理: the 申报 day; 补正中 / 特别程序 /
 * 中止: the day the pause began) are refused with what to do instead, never guessed.
 */
import { formatDay, type DayNum } from "~/domain/calendar";
import { MILESTONE_DONE_LABEL, STATUS_LABELS, type ClockEvent, type ItemKind, type ItemStatus } from "~/domain/clock";
import { cellText, readDate, type LedgerCell } from "./cells";

/** The states an import can reproduce. */
export type LedgerOutcome = "pending" | "running" | "approved" | "rejected" | "waived" | "withdrawn";

/** Accepted labels per outcome; the first is the clock's own label. Blank reads as pending. */
export const LEDGER_STATUS_LABELS: Readonly<Record<LedgerOutcome, readonly string[]>> = {
  pending: [STATUS_LABELS.pending, "待办", "未开始", "未办理"],
  running: [STATUS_LABELS.running, "已受理"],
  approved: [STATUS_LABELS.approved, MILESTONE_DONE_LABEL, "已批准"],
  rejected: [STATUS_LABELS.rejected],
  waived: [STATUS_LABELS.waived, "豁免"],
  withdrawn: [STATUS_LABELS.withdrawn],
};

/** The clock's labels the ledger cannot reproduce, and why (shown as the row's problem). */
const NOT_IMPORTABLE: Partial<Record<ItemStatus, string>> = {
  submitted: "台账没有申报日期，无法还原「待受理」：请留空（待办理）导入，导入后在系统中登记申报",
  correction: "台账没有补正开始日期，无法还原「补正中」：请按「办理中」填写受理日期导入，导入后在系统中登记补正",
  special: "台账没有特别程序开始日期，无法还原「特别程序」：请按「办理中」填写受理日期导入，导入后在系统中登记特别程序",
  suspended: "台账没有中止日期，无法还原「中止」：请按「办理中」填写受理日期导入，导入后在系统中登记中止",
};

const BY_LABEL = new Map<string, LedgerOutcome>(
  (Object.entries(LEDGER_STATUS_LABELS) as [LedgerOutcome, readonly string[]][]).flatMap(([o, labels]) => labels.map((l) => [l, o] as const)),
);

/** The list offered when a label is not understood. */
export const ACCEPTED_STATUS_TEXT = `待办理（或留空）、${LEDGER_STATUS_LABELS.running.join("/")}、${LEDGER_STATUS_LABELS.approved.join("/")}、${LEDGER_STATUS_LABELS.rejected.join("/")}、${LEDGER_STATUS_LABELS.waived.join("/")}、${LEDGER_STATUS_LABELS.withdrawn.join("/")}`;

export type OutcomeReading = { ok: true; outcome: LedgerOutcome } | { ok: false; message: string };

/**
 * What a 状态 cell asks for. Blank is 待办理.
 *
 * @example readOutcome("已批准") // → { ok: true, outcome: "approved" }
 * @example readOutcome("补正中") // → { ok: false, message: "台账没有补正开始日期…" }
 */
export function readOutcome(cell: LedgerCell): OutcomeReading {
  const text = cellText(cell).replace(/\s+/g, "");
  if (text === "") return { ok: true, outcome: "pending" };
  const outcome = BY_LABEL.get(text);
  if (outcome) return { ok: true, outcome };
  const clockStatus = (Object.entries(STATUS_LABELS) as [ItemStatus, string][]).find(([, l]) => l === text)?.[0];
  const why = clockStatus ? NOT_IMPORTABLE[clockStatus] : undefined;
  if (why) return { ok: false, message: why };
  return { ok: false, message: `状态「${text}」无法识别，可填：${ACCEPTED_STATUS_TEXT}` };
}

export interface LedgerItemState {
  status: LedgerCell;
  acceptedOn: LedgerCell;
  decidedOn: LedgerCell;
}

export interface EventContext {
  kind: ItemKind;
  /** The business date of the import: no event may lie after it. */
  today: DayNum;
  /** The day a 免办 without 办结日期 is recorded on: the project's 签约日期 (null when that is unreadable). */
  waiveFallback: DayNum | null;
}

export type EventsReading = { ok: true; outcome: LedgerOutcome; events: ClockEvent[] } | { ok: false; problems: string[] };

/**
 * The clock events that reproduce a ledger row's state, in order:
 *
 * | 状态 | events |
 * |---|---|
 * | 待办理 / 待办 / 未开始 / blank | none (受理日期 and 办结日期 must be blank) |
 * | 办理中 / 已受理 | accept on 受理日期 (required; 办结日期 must be blank) |
 * | 已办结 / 已完成 / 已批准 | accept on 受理日期, approve on 办结日期 (both required, 受理 ≤ 办结); a milestone: approve on 办结日期 only |
 * | 不予许可 | accept on 受理日期, reject on 办结日期 |
 * | 已撤回 | accept on 受理日期, withdraw on 办结日期 |
 * | 免办 / 豁免 | waive on 办结日期, or on the 签约日期 when blank (受理日期 must be blank) |
 *
 * Every date must be a real date no later than `today`. Each problem is its own message.
 */
export function ledgerItemEvents(state: LedgerItemState, ctx: EventContext): EventsReading {
  const problems: string[] = [];
  const status = readOutcome(state.status);
  const accepted = readDate(state.acceptedOn, "受理日期");
  const decided = readDate(state.decidedOn, "办结日期");
  if (!status.ok) problems.push(status.message);
  if (!accepted.ok) problems.push(accepted.message);
  if (!decided.ok) problems.push(decided.message);
  if (!status.ok || !accepted.ok || !decided.ok) return { ok: false, problems };

  const outcome = status.outcome;
  const acc = accepted.day;
  const dec = decided.day;
  const label = cellText(state.status) || STATUS_LABELS.pending;
  const milestone = ctx.kind === "milestone";
  const need = (day: DayNum | null, column: string) => {
    if (day === null) problems.push(`状态为「${label}」时须填写${column}`);
  };
  const mustBeBlank = (day: DayNum | null, column: string) => {
    if (day !== null) problems.push(`状态为「${label}」时不应填写${column}（${formatDay(day)}）`);
  };
  const events: ClockEvent[] = [];

  switch (outcome) {
    case "pending":
      mustBeBlank(acc, "受理日期");
      mustBeBlank(dec, "办结日期");
      break;
    case "running":
      if (milestone) {
        problems.push(`里程碑节点没有「${label}」状态：已完成请填「${MILESTONE_DONE_LABEL}」并填写办结日期`);
        break;
      }
      need(acc, "受理日期");
      mustBeBlank(dec, "办结日期");
      if (acc !== null) events.push({ type: "accept", on: acc });
      break;
    case "approved":
      need(dec, "办结日期");
      if (milestone) {
        // A milestone is completed, never accepted: a 受理日期 beside it means nothing and is not recorded.
        if (dec !== null) events.push({ type: "approve", on: dec });
        break;
      }
      need(acc, "受理日期");
      if (acc !== null && dec !== null) events.push({ type: "accept", on: acc }, { type: "approve", on: dec });
      break;
    case "rejected":
    case "withdrawn":
      if (milestone) {
        problems.push(`里程碑节点不能为「${label}」`);
        break;
      }
      need(acc, "受理日期");
      need(dec, "办结日期");
      if (acc !== null && dec !== null) events.push({ type: "accept", on: acc }, { type: outcome === "rejected" ? "reject" : "withdraw", on: dec });
      break;
    case "waived": {
      mustBeBlank(acc, "受理日期");
      const on = dec ?? ctx.waiveFallback;
      if (on === null) problems.push(`状态为「${label}」时须填写办结日期`);
      else events.push({ type: "waive", on });
      break;
    }
  }

  if (acc !== null && dec !== null && acc > dec && !milestone && outcome !== "waived") {
    problems.push(`受理日期（${formatDay(acc)}）晚于办结日期（${formatDay(dec)}）`);
  }
  for (const [day, column] of [[acc, "受理日期"], [dec, "办结日期"]] as const) {
    if (day !== null && day > ctx.today) problems.push(`${column}（${formatDay(day)}）晚于今天（${formatDay(ctx.today)}）`);
  }
  if (problems.length) return { ok: false, problems };
  return { ok: true, outcome, events };
}
