import { parseDate, shanghaiToday, weekdayOf } from "../calendar/dates";
import type { ActionStatus, MeetingStatus, MeetingType } from "./vocabulary";

/**
 * What goes into a meeting's 会议纪要 and in which order, for the printable page
 * and the .docx alike (one structure, two renderings, so they never disagree).
 * Pure: the minutes service reads the rows and hands them here.
 *
 * Shape of an official 纪要: a title naming the kind of meeting, a meta block
 * (时间/地点/主持/出席), the general remarks, then the settled matters numbered
 * 一、二、三… — one per agenda item that was discussed or decided, in agenda
 * order, followed by decisions recorded without an agenda item (the API lets a
 * coordinator record those) — each with its tasks: 责任单位, 配合单位, 责任人, 完成时限.
 */

const DIGITS = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"] as const;
const UNITS = ["", "十", "百", "千"] as const;

/**
 * The Chinese numeral used to number the matters of a document (一、二、… 十、十一、… 二十).
 * Numbers from 10 to 19 drop the leading 一 (十二, not 一十二) as documents write them;
 * a zero inside a number is read once (一百零五). Beyond 9999 the digits are kept.
 *
 * @example chineseOrdinal(12) // → "十二"
 * @example chineseOrdinal(105) // → "一百零五"
 */
export function chineseOrdinal(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 9999) return String(n);
  const digits = String(n).split("").map(Number);
  let out = "";
  let pendingZero = false;
  digits.forEach((d, i) => {
    const unit = UNITS[digits.length - 1 - i];
    if (d === 0) {
      pendingZero = out !== "";
      return;
    }
    if (pendingZero) out += "零";
    pendingZero = false;
    out += DIGITS[d] + unit;
  });
  return n >= 10 && n < 20 ? out.slice(1) : out;
}

const WEEKDAYS = ["日", "一", "二", "三", "四", "五", "六"] as const;

/**
 * A business date as documents write it.
 *
 * @example zhDate("2026-12-04") // → "2026 年 12 月 4 日"
 */
export function zhDate(iso: string): string {
  const [y, m, d] = iso.split("-").map(Number);
  return `${y} 年 ${m} 月 ${d} 日`;
}

/**
 * When a meeting was held, as its minutes say: the date, the weekday and the
 * time of day when one was set (上午 before noon, 下午 after).
 *
 * @example meetingWhen("2026-11-27", "09:30") // → "2026 年 11 月 27 日（星期五）上午 9:30"
 */
export function meetingWhen(heldOn: string, startsAt: string | null): string {
  const day = parseDate(heldOn);
  const weekday = day === null ? "" : `（星期${WEEKDAYS[weekdayOf(day)]}）`;
  const time = /^(\d{1,2}):(\d{2})$/.exec(startsAt ?? "");
  if (!time) return `${zhDate(heldOn)}${weekday}`;
  const h = Number(time[1]);
  const half = h < 12 ? "上午" : "下午";
  // 12:xx stays 12 (noon), 13:00 reads 下午 1:00 as people say it.
  const shown = h > 12 ? h - 12 : h;
  return `${zhDate(heldOn)}${weekday}${half} ${shown}:${time[2]}`;
}

/**
 * 完成时限 as the minutes state it: the date, and the working days it was set as
 * when the decision said so (the date is then what those days come to).
 *
 * @example deadlineText("2026-12-04", 5) // → "5 个工作日内（2026 年 12 月 4 日前）"
 * @example deadlineText("2026-12-31", null) // → "2026 年 12 月 31 日前"
 */
export function deadlineText(dueOn: string, dueInWorkingDays: number | null): string {
  return dueInWorkingDays !== null && dueInWorkingDays > 0 ? `${dueInWorkingDays} 个工作日内（${zhDate(dueOn)}前）` : `${zhDate(dueOn)}前`;
}

/** The document title per kind of meeting: every 纪要 names the body that met. */
export const MINUTES_HEADINGS: Record<MeetingType, string> = {
  joint: "重点项目协调推进联席会议纪要",
  consult: "重点项目会商会审会议纪要",
  review: "重点项目联合审查会议纪要",
  topic: "重点项目专题会议纪要",
};

/** Shown in place of an empty field, so a printed blank reads as "not recorded", not as a printing fault. */
export const NOT_RECORDED = "—";

export interface MinutesFacts {
  meeting: {
    id: number;
    type: MeetingType;
    title: string;
    heldOn: string;
    startsAt: string | null;
    location: string;
    status: MeetingStatus;
    chairName: string | null;
    attendees: string | null;
    minutes: string | null;
    /** ms since epoch; null while the minutes are still a draft. */
    minutesIssuedAt: number | null;
  };
  /** Names of the invited departments, in the order to print them. */
  invitedDepartments: readonly string[];
  agenda: readonly {
    id: number;
    position: number;
    summary: string;
    discussion: string | null;
    resolved: boolean;
    /** Continues an agenda item of an earlier meeting. */
    carriedOver: boolean;
  }[];
  decisions: readonly { id: number; agendaItemId: number | null; text: string }[];
  tasks: readonly {
    id: number;
    decisionId: number;
    title: string;
    leadDepartment: string | null;
    coDepartments: readonly string[];
    ownerName: string | null;
    dueOn: string;
    dueInWorkingDays: number | null;
    status: ActionStatus;
  }[];
}

export interface MinutesTask {
  id: number;
  title: string;
  /** 责任单位 */
  leadDepartment: string;
  /** 配合单位, joined with 、; NOT_RECORDED when none. */
  coDepartments: string;
  /** 责任人 */
  ownerName: string;
  /** 完成时限 */
  dueOn: string;
  dueInWorkingDays: number | null;
  deadline: string;
}

export interface MinutesDecision {
  id: number;
  text: string;
  tasks: MinutesTask[];
}

export interface MinutesSection {
  /** 1, 2, 3… */
  number: number;
  /** "一、", "二、"… */
  label: string;
  /** The agenda item's summary; null for a decision recorded without one. */
  summary: string | null;
  discussion: string | null;
  carriedOver: boolean;
  /** Discussed but not settled (no decision and not marked resolved): carried to the next meeting. */
  unsettled: boolean;
  decisions: MinutesDecision[];
}

export interface Minutes {
  meetingId: number;
  heading: string;
  subtitle: string;
  /** 时间 */
  when: string;
  /** 地点 */
  location: string;
  /** 主持 */
  chair: string;
  /** 出席: the recorded attendees, else the invited departments. */
  attendees: string;
  remarks: string | null;
  sections: MinutesSection[];
  /** 分送: the invited departments, then every other unit a task names (lead or co-unit). */
  distribution: string[];
  /** The day the minutes are dated: when they were issued, else the meeting day (a draft). */
  datedOn: string;
  draft: boolean;
  /** `会议纪要-<title>.docx`, safe as a file name on every system. */
  fileName: string;
}

/**
 * An action item's 配合单位 column (`co_department_ids`): a JSON array of
 * department ids. Anything else (null, a row edited by hand) reads as none
 * rather than failing the whole document.
 *
 * @example parseCoDepartmentIds("[3,5]") // → [3, 5]
 */
export function parseCoDepartmentIds(raw: string | null): number[] {
  if (!raw) return [];
  try {
    const v: unknown = JSON.parse(raw);
    return Array.isArray(v) ? v.filter((x): x is number => Number.isInteger(x)) : [];
  } catch {
    return [];
  }
}

const present = (s: string | null | undefined): s is string => typeof s === "string" && s.trim() !== "";

/** A meeting's title as a file name: no path separators, reserved or control characters, at most 80 characters. */
export function minutesFileName(title: string): string {
  // eslint-disable-next-line no-control-regex
  const safe = title.replace(/[\\/:*?"<>|\u0000-\u001f\u007f]+/g, "_").replace(/\s+/g, " ").trim().slice(0, 80) || "会议";
  return `会议纪要-${safe}.docx`;
}

/**
 * Numbers the minutes. An agenda item enters when something was recorded for it
 * (a discussion or a decision); one that nobody spoke to is not a matter of the
 * minutes. Cancelled tasks (已撤销) are left out: the minutes say what the units
 * must do.
 *
 * @example
 * buildMinutes({meeting, invitedDepartments: ["市发展改革委"], agenda: [a1, a2], decisions: [d1], tasks: [t1]})
 * // → sections [{label: "一、", summary: a1.summary, decisions: [{text: d1.text, tasks: [t1…]}]}, …]
 */
export function buildMinutes(facts: MinutesFacts): Minutes {
  const { meeting } = facts;
  const tasksOf = new Map<number, MinutesTask[]>();
  for (const t of facts.tasks) {
    if (t.status === "cancelled") continue;
    const list = tasksOf.get(t.decisionId) ?? [];
    list.push({
      id: t.id,
      title: t.title,
      leadDepartment: t.leadDepartment ?? NOT_RECORDED,
      coDepartments: t.coDepartments.length ? t.coDepartments.join("、") : NOT_RECORDED,
      ownerName: present(t.ownerName) ? t.ownerName.trim() : NOT_RECORDED,
      dueOn: t.dueOn,
      dueInWorkingDays: t.dueInWorkingDays,
      deadline: deadlineText(t.dueOn, t.dueInWorkingDays),
    });
    tasksOf.set(t.decisionId, list);
  }
  for (const list of tasksOf.values()) list.sort((a, b) => a.id - b.id);
  const decisionView = (d: { id: number; text: string }): MinutesDecision => ({ id: d.id, text: d.text, tasks: tasksOf.get(d.id) ?? [] });

  const agendaIds = new Set(facts.agenda.map((a) => a.id));
  const byAgenda = new Map<number, MinutesDecision[]>();
  const loose: MinutesDecision[] = [];
  for (const d of [...facts.decisions].sort((a, b) => a.id - b.id)) {
    if (d.agendaItemId !== null && agendaIds.has(d.agendaItemId)) {
      byAgenda.set(d.agendaItemId, [...(byAgenda.get(d.agendaItemId) ?? []), decisionView(d)]);
    } else {
      loose.push(decisionView(d));
    }
  }

  const drafts: Omit<MinutesSection, "number" | "label">[] = [];
  for (const a of [...facts.agenda].sort((x, y) => x.position - y.position || x.id - y.id)) {
    const decisions = byAgenda.get(a.id) ?? [];
    const discussion = present(a.discussion) ? a.discussion.trim() : null;
    if (!decisions.length && discussion === null) continue;
    drafts.push({ summary: a.summary, discussion, carriedOver: a.carriedOver, unsettled: !decisions.length && !a.resolved, decisions });
  }
  for (const d of loose) drafts.push({ summary: null, discussion: null, carriedOver: false, unsettled: false, decisions: [d] });

  const invited = facts.invitedDepartments.join("、");
  const sections = drafts.map((s, i) => ({ ...s, number: i + 1, label: `${chineseOrdinal(i + 1)}、` }));
  const unitsOf = new Map(facts.tasks.map((t) => [t.id, [...(t.leadDepartment ? [t.leadDepartment] : []), ...t.coDepartments]]));
  const taskUnits = sections.flatMap((s) => s.decisions.flatMap((d) => d.tasks.flatMap((t) => unitsOf.get(t.id) ?? [])));
  const distribution = [...new Set([...facts.invitedDepartments, ...taskUnits])];
  return {
    meetingId: meeting.id,
    heading: MINUTES_HEADINGS[meeting.type],
    subtitle: meeting.title,
    when: meetingWhen(meeting.heldOn, meeting.startsAt),
    location: present(meeting.location) ? meeting.location.trim() : NOT_RECORDED,
    chair: present(meeting.chairName) ? meeting.chairName.trim() : NOT_RECORDED,
    attendees: present(meeting.attendees) ? meeting.attendees.trim() : invited || NOT_RECORDED,
    remarks: present(meeting.minutes) ? meeting.minutes.trim() : null,
    distribution,
    sections,
    datedOn: meeting.minutesIssuedAt !== null ? shanghaiToday(new Date(meeting.minutesIssuedAt)) : meeting.heldOn,
    draft: meeting.minutesIssuedAt === null,
    fileName: minutesFileName(meeting.title),
  };
}
