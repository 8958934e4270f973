import { and, avg, count, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { departments, items, ratings, settings, users } from "../../db/schema";
import { canViewProject, type Actor } from "~/domain/access/policy";
import { formatDay, shanghaiDay } from "~/domain/calendar";
import { DEFAULT_RATING_FOLLOW_UP_DAYS } from "~/domain/rating/follow-up";
import { followUpTitle, isPoorRating, POOR_RATING_MAX, isRatable, RATING_COMMENT_MAX, RATING_LABELS, type RatingScore } from "~/domain/rating/vocabulary";
import { numberInput } from "~/domain/validation/number";
import { zhFieldErrorMap } from "~/domain/validation/zh-error-map";
import type { Db } from "~/utils/db.server";
import { insertActionItems, resolveActionItems } from "./action-items.server";
import { writeAudit } from "./audit.server";
import type { ServiceContext } from "./context.server";
import { AppError, forbidden, invalidInput, notFound } from "./errors.server";
import { loadProjectFacts } from "./project-access.server";
import { getCalendar } from "./time-rules.server";
import { sendToUsers } from "./outbox.server";
import { transactThenWake } from "./transaction.server";
import { refreshStatsAfter } from "./stats.server";

/**
 * 好差评 (DESIGN §4, issue 12): the project's enterprise contact rates a finished
 * approval once; a 差评 (1 or 2) opens a 差评整改 action item for the rated item's
 * department, due `addWorkingDays(ratedOn, ratingFollowUpDays)`, on the same ladder
 * as every clock, and tells the coordinators. Ratings feed the departments' figures.
 */

/** Settings key for the follow-up's working days (DESIGN §4: "a deployment setting, 15 by default"). */
export const RATING_FOLLOW_UP_KEY = "ratingFollowUpDays";

export function getRatingFollowUpDays(db: Db): number {
  const row = db.select({ value: settings.value }).from(settings).where(eq(settings.key, RATING_FOLLOW_UP_KEY)).get();
  let n = NaN;
  try {
    n = row ? Number(JSON.parse(row.value)) : NaN;
  } catch {
    // Falls through to the default below.
  }
  // A malformed stored value must not stop ratings: the DESIGN default applies.
  return Number.isInteger(n) && n >= 1 && n <= 250 ? n : DEFAULT_RATING_FOLLOW_UP_DAYS;
}

const ratingSchema = z.object({
  score: z.preprocess(
    numberInput,
    z
      .number({ required_error: "请选择评分", invalid_type_error: "评分应为 1–5 的整数" })
      .int("评分应为 1–5 的整数")
      .min(1, "评分应为 1–5 的整数")
      .max(5, "评分应为 1–5 的整数"),
  ),
  comment: z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    z.string({ invalid_type_error: "评价内容应为文字" }).trim().max(RATING_COMMENT_MAX, `评价内容不超过 ${RATING_COMMENT_MAX} 字`).optional(),
  ),
});

/** Loads the project and item for a rating: another enterprise's (or a missing) project or item is 404. */
function ratingTarget(db: Db, actor: Actor, projectId: number, itemKey: string) {
  const loaded = Number.isInteger(projectId) && projectId > 0 ? loadProjectFacts(db, projectId) : null;
  if (!loaded || !canViewProject(actor, loaded.facts)) throw notFound("项目");
  if (actor.role !== "enterprise") throw forbidden("只有本项目的企业联系人可以评价");
  const item = db.select().from(items).where(and(eq(items.projectId, projectId), eq(items.key, itemKey))).get();
  if (!item) throw notFound("事项");
  return { project: loaded.project, item };
}

/**
 * Rates a finished item: 201 `{id, followUpActionItemId}`; 422 for a bad score, 409
 * when the item is not finished or already rated. The rating, its follow-up, the
 * follow-up's ladder and the coordinators' notices are one transaction.
 */
export function rateItem(ctx: ServiceContext, actor: Actor, projectId: number, itemKey: string, raw: unknown): { id: number; followUpActionItemId: number | null } {
  const { db, now } = ctx;
  const { project, item } = ratingTarget(db, actor, projectId, itemKey);
  const parsed = ratingSchema.safeParse(raw ?? {}, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  const { score, comment } = parsed.data;
  if (!isRatable(item)) throw new AppError("conflict", "该事项尚未办结，办结后才能评价");
  const cal = getCalendar(db);
  const ratedOn = shanghaiDay(now);
  return transactThenWake(db, (tx, wake) => {
    // Checked inside the transaction with the unique index as the backstop: two quick clicks rate once.
    if (tx.select({ id: ratings.id }).from(ratings).where(eq(ratings.itemId, item.id)).get()) throw new AppError("conflict", "该事项已评价过，每个事项只能评价一次");
    let followUpActionItemId: number | null = null;
    if (isPoorRating(score)) {
      const dept = item.departmentId === null ? undefined : tx.select({ code: departments.code }).from(departments).where(eq(departments.id, item.departmentId)).get();
      if (!dept) throw new AppError("conflict", "该事项没有承办部门，无法转办差评整改");
      const resolved = resolveActionItems(
        tx,
        actor,
        [{ title: followUpTitle(item.name, score), leadDepartment: dept.code, dueInWorkingDays: getRatingFollowUpDays(tx), projectId, itemKey: item.key }],
        ratedOn,
        cal,
      );
      const { created, wakeups } = insertActionItems(tx, resolved, { source: "rating", startOn: ratedOn, actorId: actor.id, now }, cal);
      wake(wakeups);
      followUpActionItemId = created[0].id;
    }
    const row = tx
      .insert(ratings)
      .values({ projectId, itemId: item.id, enterpriseUserId: actor.id, score, comment: comment ?? null, ratedOn: formatDay(ratedOn), followUpActionItemId, createdAt: now.getTime() })
      .returning({ id: ratings.id })
      .get();
    writeAudit(tx, { actorUserId: actor.id, action: "rating.create", entityType: "rating", entityId: row.id, projectId, detail: { itemKey: item.key, score, followUpActionItemId } }, now);
    // The department's 好差评 figures (its month and its total) commit with the rating.
    refreshStatsAfter(tx, now, { projectId, departmentIds: [item.departmentId], dates: [formatDay(ratedOn)] });
    if (followUpActionItemId !== null) notifyCoordinators(tx, { projectName: project.name, itemName: item.name, score: score as RatingScore, comment, actionItemId: followUpActionItemId }, now);
    return { id: row.id, followUpActionItemId };
  });
}

/** The coordinators hear of every 差评 at once (in working hours): they follow the 整改 up. */
function notifyCoordinators(tx: Db, r: { projectName: string; itemName: string; score: RatingScore; comment: string | undefined; actionItemId: number }, now: Date): void {
  const people = tx.select({ id: users.id }).from(users).where(and(eq(users.role, "coordinator"), eq(users.active, true))).all();
  sendToUsers(
    tx,
    people.map((u) => u.id),
    {
      kind: "rating.poor",
      title: `【差评】${r.projectName}：${r.itemName}`,
      body: `企业评价「${RATING_LABELS[r.score]}」（${r.score} 分）${r.comment ? `：${r.comment}` : ""}。已生成差评整改督办事项。`,
      link: `/meetings/actions/${r.actionItemId}`,
      dedupeKey: `rating-followup-${r.actionItemId}`,
    },
    now,
  );
}

export interface ItemRating {
  id: number;
  score: number;
  label: string;
  comment: string | null;
  ratedOn: string;
}

/**
 * What the portal shows per item: its rating, or whether it can be rated now. For
 * the enterprise's own project only (another's is 404).
 */
export function projectRatings(ctx: ServiceContext, actor: Actor, projectId: number): Map<string, ItemRating> {
  const loaded = Number.isInteger(projectId) && projectId > 0 ? loadProjectFacts(ctx.db, projectId) : null;
  if (!loaded || !canViewProject(actor, loaded.facts)) throw notFound("项目");
  const rows = ctx.db
    .select({ key: items.key, r: ratings })
    .from(ratings)
    .innerJoin(items, eq(items.id, ratings.itemId))
    .where(eq(ratings.projectId, projectId))
    .all();
  return new Map(rows.map(({ key, r }) => [key, { id: r.id, score: r.score, label: RATING_LABELS[r.score as RatingScore] ?? "", comment: r.comment, ratedOn: r.ratedOn }]));
}

/**
 * The departments' figures (DESIGN §4 "ratings feed the departments' figures"): per
 * department of the rated items, the number of ratings, their average and the 差评
 * count. For the dashboard; departments without ratings are absent.
 */
export function departmentRatingAverages(db: Db): { departmentId: number; code: string; name: string; ratings: number; average: number; poor: number }[] {
  const rows = db
    .select({ departmentId: departments.id, code: departments.code, name: departments.name, ratings: count(ratings.id), average: avg(ratings.score), poor: sql<number>`sum(case when ${ratings.score} <= ${POOR_RATING_MAX} then 1 else 0 end)` })
    .from(ratings)
    .innerJoin(items, eq(items.id, ratings.itemId))
    .innerJoin(departments, eq(departments.id, items.departmentId))
    .groupBy(departments.id)
    .orderBy(departments.id)
    .all();
  return rows.map((r) => ({
    ...r,
    // One decimal, as the dashboard shows it.
    average: Math.round(Number(r.average ?? 0) * 10) / 10,
    poor: Number(r.poor ?? 0),
  }));
}
