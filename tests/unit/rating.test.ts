import { describe, expect, it } from "vitest";
import { createWorkingCalendar, formatDay, officialCalendarData, toDay } from "~/domain/calendar";
import { DEFAULT_RATING_FOLLOW_UP_DAYS, ratingFollowUpDueOn } from "~/domain/rating/follow-up";
import { followUpTitle, isPoorRating, isRatable, RATING_LABELS, RATING_SCORES } from "~/domain/rating/vocabulary";

const cal = createWorkingCalendar(officialCalendarData());
const due = (ratedOn: string, days?: number) => formatDay(ratingFollowUpDueOn(toDay(ratedOn), cal, days));

describe("差评整改 due date (DESIGN §4: addWorkingDays(D, 15))", () => {
  it("defaults to 15 working days", () => {
    expect(DEFAULT_RATING_FOLLOW_UP_DAYS).toBe(15);
  });

  it("a rating on Mon 2026-09-21 is due Mon 2026-10-19: 中秋 and 国庆 skipped, the make-up Saturday counted", () => {
    // By hand, from holidays-cn.json 2026 (中秋 09-25..27, 国庆 10-01..07, make-up 10-10):
    // 09-22, 23, 24 (3) · 09-28, 29, 30 (6) · 10-08, 09 (8) · Sat 10-10 (9) · 10-12..16 (14) · 10-19 (15).
    expect(due("2026-09-21")).toBe("2026-10-19");
  });

  it("a rating given on a rest day counts from the next working day", () => {
    // Sat 2026-10-03 in 国庆: 10-08, 09, Sat 10-10 (3) · 10-12..16 (8) · 10-19..23 (13) · 10-26, 27 (15).
    const first = formatDay(cal.addWorkingDays(toDay("2026-10-03"), 1));
    expect(first).toBe("2026-10-08");
    expect(due("2026-10-03")).toBe("2026-10-27");
  });

  it("follows a deployment's own number of days", () => {
    expect(due("2026-09-21", 1)).toBe("2026-09-22");
    expect(due("2026-09-24", 1)).toBe("2026-09-28");
  });
});

describe("rating vocabulary", () => {
  it("labels 1..5 from 非常不满意 to 非常满意", () => {
    expect(RATING_SCORES.map((s) => RATING_LABELS[s])).toEqual(["非常不满意", "不满意", "一般", "满意", "非常满意"]);
  });

  it("a 差评 is 1 or 2", () => {
    expect([1, 2, 3, 4, 5].map(isPoorRating)).toEqual([true, true, false, false, false]);
  });

  it("rates decided approvals only (approved or 不予许可), not waived, withdrawn, open items or milestones", () => {
    expect(isRatable({ kind: "approval", status: "approved" })).toBe(true);
    expect(isRatable({ kind: "approval", status: "rejected" })).toBe(true);
    for (const status of ["pending", "submitted", "running", "correction", "special", "suspended", "waived", "withdrawn"] as const) {
      expect(isRatable({ kind: "approval", status })).toBe(false);
    }
    expect(isRatable({ kind: "milestone", status: "approved" })).toBe(false);
  });

  it("titles the follow-up with the item and the score", () => {
    expect(followUpTitle("建筑工程施工许可证", 2)).toBe("差评整改：建筑工程施工许可证（2 分）");
  });
});
