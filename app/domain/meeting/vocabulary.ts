/** Joint meetings (联席会议) and the action items their decisions assign. */
export const MEETING_STATUSES = ["planned", "held", "closed"] as const;
export type MeetingStatus = (typeof MEETING_STATUSES)[number];
export const MEETING_STATUS_LABELS: Record<MeetingStatus, string> = { planned: "待召开", held: "已召开", closed: "已闭环" };

/** DESIGN §6 v1.1 meeting types. */
export const MEETING_TYPES = ["joint", "consult", "review", "topic"] as const;
export type MeetingType = (typeof MEETING_TYPES)[number];
export const MEETING_TYPE_LABELS: Record<MeetingType, string> = { joint: "联席会议", consult: "会商会审", review: "联审", topic: "专题会" };

export const ACTION_STATUSES = ["open", "closed", "cancelled"] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];
export const ACTION_STATUS_LABELS: Record<ActionStatus, string> = { open: "办理中", closed: "已办结", cancelled: "已撤销" };

/** Where an action item comes from (DESIGN §4): a meeting decision, a leader's 督办, a 差评 follow-up. */
export const ACTION_SOURCES = ["meeting", "supervision", "rating"] as const;
export type ActionSource = (typeof ACTION_SOURCES)[number];
export const ACTION_SOURCE_LABELS: Record<ActionSource, string> = { meeting: "会议纪要", supervision: "领导督办", rating: "差评整改" };

/**
 * Why an item is on a meeting's agenda: the agenda-candidate reasons of DESIGN §6
 * v1.1 (supervise, red, stall, at_risk, late_action) plus `manual` for what the
 * coordinator adds by hand.
 */
export const AGENDA_REASONS = ["supervise", "red", "stall", "at_risk", "late_action", "manual"] as const;
export type AgendaReason = (typeof AGENDA_REASONS)[number];
export const AGENDA_REASON_LABELS: Record<AgendaReason, string> = {
  supervise: "督办",
  red: "超期",
  stall: "停滞",
  at_risk: "开工目标有风险",
  late_action: "会议事项逾期",
  manual: "协调人添加",
};
