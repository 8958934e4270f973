import type { ItemKind } from "~/domain/item/vocabulary";
import type { ItemStatus } from "~/domain/clock/types";

/**
 * 好差评 (DESIGN §4, issue 12): the enterprise rates a finished approval 1–5.
 * Shared by the rating service, the API and the portal's form, so the labels
 * and the rule for what may be rated are written once.
 */

export const RATING_SCORES = [1, 2, 3, 4, 5] as const;
export type RatingScore = (typeof RATING_SCORES)[number];

export const RATING_LABELS: Record<RatingScore, string> = {
  1: "非常不满意",
  2: "不满意",
  3: "一般",
  4: "满意",
  5: "非常满意",
};

/** A 差评: scores at or below this open a follow-up action item (DESIGN §4: "a rating of 1 or 2"). */
export const POOR_RATING_MAX = 2;

export const RATING_COMMENT_MAX = 500;

export function isPoorRating(score: number): boolean {
  return score <= POOR_RATING_MAX;
}

/**
 * Which items can be rated: approvals a department has decided. A 不予许可
 * (rejected) is a finished service too, and the one an enterprise most needs to
 * be able to rate; 免办 (waived) and 撤回 (withdrawn) involved no service by the
 * department, so there is nothing to rate. Milestones are not services.
 */
export const RATABLE_STATUSES: readonly ItemStatus[] = ["approved", "rejected"];

export function isRatable(item: { kind: ItemKind; status: ItemStatus }): boolean {
  return item.kind === "approval" && RATABLE_STATUSES.includes(item.status);
}

/** The follow-up's title as the 督办台账 lists it. */
export function followUpTitle(itemName: string, score: number): string {
  return `差评整改：${itemName}（${score} 分）`;
}
