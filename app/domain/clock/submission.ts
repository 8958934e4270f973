/**
 * 申报 before 受理 (DESIGN §4; 行政许可法 §32). An application received on S opens the
 * department's acceptance window: within five working days it accepts (受理, the approval
 * clock starts on that date) or tells the applicant, once and completely, what to correct
 * (一次告知补正). If it does neither, 逾期不告知的，自收到申请材料之日起即为受理: the
 * application counts as accepted on S, and the approval limit runs from S.
 *
 * The transitions themselves live in clock.ts with the other events; this module holds
 * the window, the deemed-acceptance decision and the message that reports it.
 */
import { formatDay, type DayNum, type WorkingCalendar } from "~/domain/calendar";
import { ACCEPTANCE_WORKING_DAYS, type ClockEvent, type ClockState } from "./types";

/**
 * The last day the department may accept an application received on `submittedOn`, or
 * ask for corrections (§32: 五日内; §82: counted in working days). Like every limit, the
 * day of receipt is not counted.
 *
 * @example acceptanceDueOn(toDay("2026-09-29"), cal) // → 2026-10-12 (国庆 10-01…10-07 off, Sat 10-10 a make-up workday)
 */
export function acceptanceDueOn(submittedOn: DayNum, cal: WorkingCalendar): DayNum {
  return cal.addWorkingDays(submittedOn, ACCEPTANCE_WORKING_DAYS);
}

/**
 * The acceptance the law deems made, when it is due as of `asOf`: an item still awaiting
 * acceptance after its whole window (asOf later than the deadline day, so the department
 * had all of that day) is accepted on the day the application was received, and the
 * approval clock counts from that day — not from the day anyone notices. Null while the
 * window is open or when the item is not awaiting acceptance.
 *
 * @example
 * const s = replayClock([{ type: "submit", on: toDay("2026-09-29") }], spec, cal); // window ends 2026-10-12
 * deemedAcceptance(s, toDay("2026-10-12")); // → null (the department may still act today)
 * deemedAcceptance(s, toDay("2026-10-13")); // → { type: "accept", on: 2026-09-29 }
 */
export function deemedAcceptance(state: ClockState, asOf: DayNum): ClockEvent | null {
  if (state.status !== "submitted" || state.submittedOn === null || state.dueOn === null) return null;
  return asOf > state.dueOn ? { type: "accept", on: state.submittedOn } : null;
}

export interface DeemedAcceptanceFacts {
  projectName: string;
  itemName: string;
  departmentName: string | null;
  submittedOn: DayNum;
  acceptanceDueOn: DayNum;
  /** The approval's due date counted from the deemed acceptance. */
  dueOn: DayNum | null;
}

/**
 * What the proxy officers and the department are told when the worker records a deemed
 * acceptance: what happened, the legal ground, and the due date that now binds.
 *
 * @example
 * deemedAcceptanceMessage({ projectName: "智能工厂", itemName: "节能审查", departmentName: "市发展和改革委员会",
 *   submittedOn: toDay("2026-09-29"), acceptanceDueOn: toDay("2026-10-12"), dueOn: toDay("2026-10-19") })
 * // → { title: "逾期视为受理：智能工厂 · 节能审查",
 * //      body: "市发展和改革委员会 2026-09-29 收到申请材料，至 2026-10-12 未受理也未一次告知补正。依《行政许可法》第三十二条，自 2026-09-29 起视为受理，办理时限自该日起算，到期日 2026-10-19。" }
 */
export function deemedAcceptanceMessage(f: DeemedAcceptanceFacts): { title: string; body: string } {
  const s = formatDay(f.submittedOn);
  const due = f.dueOn === null ? "" : `，到期日 ${formatDay(f.dueOn)}`;
  return {
    title: `逾期视为受理：${f.projectName} · ${f.itemName}`,
    body:
      `${f.departmentName ?? "承办部门"} ${s} 收到申请材料，至 ${formatDay(f.acceptanceDueOn)} 未受理也未一次告知补正。` +
      `依《行政许可法》第三十二条，自 ${s} 起视为受理，办理时限自该日起算${due}。`,
  };
}
