/** Joint meetings (联席会议) and the action items their decisions assign. */
export const MEETING_STATUSES = ["planned", "held", "closed"] as const;
export type MeetingStatus = (typeof MEETING_STATUSES)[number];

export const ACTION_STATUSES = ["open", "done", "cancelled"] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/** Why an item is on a meeting's agenda. */
export const AGENDA_REASONS = ["overdue", "stalled", "at_risk", "supervise", "manual"] as const;
export type AgendaReason = (typeof AGENDA_REASONS)[number];
