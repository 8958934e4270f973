/**
 * Which projects a leader must look at first (issue 13). One ordering key,
 * stored with the project's figures so the list is an indexed read:
 * a stalled project (nothing has moved at all) comes before one with an overdue
 * item, which comes before one merely forecast to start late; within a tier the
 * longer idle, the more overdue, the later. 0 means the project needs no attention.
 */
export interface AttentionFacts {
  stalled: boolean;
  idleDays: number | null;
  redItems: number;
  /** Working days the most overdue item is past its due date. */
  blockingOverdueDays: number;
  atRisk: boolean;
  /** Total slack of the 开工 milestone (negative: late). */
  slack: number | null;
}

const TIER = 1_000_000;
// Caps keep a tier's magnitude below the next tier's floor, whatever the data.
const cap = (n: number) => Math.max(0, Math.min(TIER - 1, Math.round(n)));

export function attentionScore(f: AttentionFacts): number {
  if (f.stalled) return 3 * TIER + cap((f.idleDays ?? 0) * 1000 + f.blockingOverdueDays);
  if (f.redItems > 0) return 2 * TIER + cap(f.blockingOverdueDays * 1000 + f.redItems);
  if (f.atRisk && (f.slack ?? 0) < 0) return 1 * TIER + cap(-(f.slack ?? 0));
  return 0;
}

export type AttentionTier = "stalled" | "overdue" | "at_risk" | "none";

export function attentionTier(score: number): AttentionTier {
  if (score >= 3 * TIER) return "stalled";
  if (score >= 2 * TIER) return "overdue";
  if (score >= TIER) return "at_risk";
  return "none";
}

export const ATTENTION_TIER_LABELS: Record<AttentionTier, string> = {
  stalled: "停滞",
  overdue: "事项超期",
  at_risk: "开工延误风险",
  none: "正常",
};
