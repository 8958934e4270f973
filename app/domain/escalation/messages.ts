import type { DayNum, WorkingCalendar } from "../calendar";
import { LEVEL_LABELS, type EscalationLevel } from "./policy";

/**
 * The words of an escalation notification (DESIGN §4). Pure: the firing
 * service passes plain facts; the working days in the text are counted here,
 * from the calendar, for the level's own firing day. So each level says what is
 * true when it fires: 预警 the days left, 超期/督办/领导督办 the days overdue, 停滞
 * the days without progress. A level that fires late (the worker was down, a
 * backlog fired at start) says the same, plus the day it should have come, and
 * does not turn a 预警 into a second 超期.
 */
export interface EscalationMessageFacts {
  level: EscalationLevel;
  projectName: string;
  /** The item the level is about; null for a project-level stall. */
  itemName: string | null;
  /** The department that handles the item, when it has one. */
  departmentName: string | null;
  /** The due date the level counts from; for a stall, the last progress date. */
  dueOn: DayNum;
  /** The level's firing day: the working day of its planned moment (`fire_at`), which the counts refer to. */
  firesOn: DayNum;
  /** The Shanghai day the message is actually written; later than `firesOn` only when the level fired late. */
  writtenOn: DayNum;
  /** 督办 only: the day of the joint meeting whose agenda took the item at once; null while none is planned. */
  agendaMeetingOn?: DayNum | null;
}

export interface EscalationMessage {
  title: string;
  body: string;
}

/**
 * Where an item stands against its due date on `on`: before the due date the
 * working days left, on it 今日到期, after it the working days overdue.
 *
 * @example
 * // due Mon 2026-10-12, 国庆 10-01..10-07 rest, 10-10 a make-up Saturday
 * dueStanding(toDay("2026-10-12"), toDay("2026-09-30"), cal) // → "剩余 4 个工作日，到期日 2026-10-12" (10-08, 10-09, 10-10, 10-12)
 * dueStanding(toDay("2026-10-12"), toDay("2026-10-15"), cal) // → "已超期 3 个工作日（到期日 2026-10-12）"
 */
export function dueStanding(dueOn: DayNum, on: DayNum, cal: WorkingCalendar): string {
  const due = cal.format(dueOn);
  if (on === dueOn) return `今日到期（到期日 ${due}）`;
  if (on < dueOn) {
    const left = cal.workingDaysBetween(on, dueOn);
    // A due date on a rest day (a calendar-day limit) leaves 0 working days before it is reached.
    return left > 0 ? `剩余 ${left} 个工作日，到期日 ${due}` : `到期前已无工作日（到期日 ${due}）`;
  }
  const over = cal.workingDaysBetween(dueOn, on);
  // A rest day right after the due date: past it, but no working day lost yet.
  return over > 0 ? `已超期 ${over} 个工作日（到期日 ${due}）` : `已过到期日 ${due}`;
}

/**
 * Title and body of the notification for one level.
 *
 * - 预警: the working days left and the due date (or 今日到期);
 * - 超期, 督办, 领导督办: the working days overdue and the due date, and what the level does;
 * - 停滞: the working days without progress since the last progress date.
 *
 * Counts refer to `firesOn`; a message written later adds when it should have come.
 *
 * @example
 * escalationMessage({ level: "yellow", projectName: "江城数据中心", itemName: "施工许可", departmentName: "住建局",
 *   dueOn: toDay("2026-10-12"), firesOn: toDay("2026-10-10"), writtenOn: toDay("2026-10-10") }, cal)
 * // → { title: "【预警】江城数据中心 · 施工许可", body: "住建局承办，剩余 1 个工作日，到期日 2026-10-12；请及时办理。" }
 */
export function escalationMessage(f: EscalationMessageFacts, cal: WorkingCalendar): EscalationMessage {
  const label = LEVEL_LABELS[f.level];
  const late = f.writtenOn > f.firesOn ? `（此提醒应于 ${cal.format(f.firesOn)} 发出，系统恢复后补发）` : "";
  if (f.level === "stall" || f.itemName === null) {
    const idle = cal.workingDaysBetween(f.dueOn, f.firesOn);
    return {
      title: `【${label}】${f.projectName}`,
      body: `项目自 ${cal.format(f.dueOn)} 起已 ${idle} 个工作日无进展，请代办员跟进并在联席会议上说明。${late}`,
    };
  }
  const handledBy = f.departmentName ? `${f.departmentName}承办，` : "";
  const standing = dueStanding(f.dueOn, f.firesOn, cal);
  const ask = (() => {
    switch (f.level) {
      case "yellow":
        return "请及时办理";
      case "red":
        return "请尽快办结并说明超期原因";
      case "supervise":
        return f.agendaMeetingOn != null
          ? `已列入督办，提交 ${cal.format(f.agendaMeetingOn)} 联席会议研究`
          : "已列入督办，待列入下次联席会议议程";
      case "leader":
        return "已报请领导督办";
    }
  })();
  return { title: `【${label}】${f.projectName} · ${f.itemName}`, body: `${handledBy}${standing}；${ask}。${late}` };
}

/**
 * The agenda line a 督办 puts before the joint meeting.
 *
 * @example superviseAgendaSummary("施工许可", "2026-10-12") // → "施工许可超期督办（到期日 2026-10-12）"
 */
export function superviseAgendaSummary(itemName: string, dueOn: string): string {
  return `${itemName}超期督办（到期日 ${dueOn}）`;
}
