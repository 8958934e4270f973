import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { items } from "../../db/schema";
import { decide, type Actor } from "~/domain/access/policy";
import { zhFieldErrorMap } from "~/domain/validation/zh-error-map";
import { writeAudit } from "./audit.server";
import type { ServiceContext } from "./context.server";
import { planItemTimers } from "./escalation-timers.server";
import { refreshStatsAfter } from "./stats.server";
import { AppError, forbidden, invalidInput, notFound } from "./errors.server";
import { loadProjectFor } from "./project-aggregate.server";
import { getCalendar, getPolicy } from "./time-rules.server";
import { transactThenWake } from "./transaction.server";

const itemSettingsSchema = z
  .object({
    yellowLead: z.coerce.number().int("应为整数").min(0, "不能为负数").max(10, "不超过 10 个工作日").nullable(),
    redAfter: z.coerce.number().int("应为整数").min(1, "超期提醒至少在到期后 1 个工作日").max(10, "不超过 10 个工作日").nullable(),
    superviseAfter: z.coerce.number().int("应为整数").min(0, "不能为负数").max(30, "不超过 30 个工作日").nullable(),
    leaderAfter: z.coerce.number().int("应为整数").min(0, "不能为负数").max(60, "不超过 60 个工作日").nullable(),
  })
  .partial();

/**
 * Per-item thresholds set by an administrator (an item the city treats as
 * urgent escalates sooner). Empty fields fall back to the deployment's ladder;
 * the item's unfired timers are re-planned in the same transaction and their
 * wake-ups handed to the queue after commit.
 */
export function setItemEscalationSettings(ctx: ServiceContext, actor: Actor, projectId: number, itemKey: string, raw: Record<string, unknown>) {
  if (!decide(actor, "admin.manage").allowed) throw forbidden("只有系统管理员可以设置事项的升级规则");
  const agg = loadProjectFor(ctx.db, actor, projectId, getCalendar(ctx.db));
  const item = agg.items.find((i) => i.row.key === itemKey);
  if (!item) throw notFound(`事项「${itemKey}」`);
  const blankToNull = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v === "" || v === undefined ? null : v]));
  const parsed = itemSettingsSchema.safeParse(blankToNull, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  const policy = getPolicy(ctx.db);
  const { yellowLead = null, ...ladder } = parsed.data;
  const overrides = Object.fromEntries(Object.entries(ladder).filter(([, v]) => v !== null));
  const effective = { ...policy, ...overrides };
  if (!(effective.redAfter <= effective.superviseAfter && effective.superviseAfter <= effective.leaderAfter)) {
    throw new AppError("invalid", "升级顺序应为：超期 ≤ 督办 ≤ 领导督办");
  }
  transactThenWake(ctx.db, (tx, wake) => {
    const row = tx
      .update(items)
      .set({ yellowLead, escalationOverrides: Object.keys(overrides).length ? JSON.stringify(overrides) : null, version: sql`${items.version} + 1`, updatedAt: ctx.now.getTime() })
      .where(eq(items.id, item.row.id))
      .returning()
      .get();
    writeAudit(tx, { actorUserId: actor.id, action: "item.escalationSettings", entityType: "item", entityId: item.row.id, projectId, detail: { yellowLead, ...overrides } }, ctx.now);
    wake(planItemTimers(tx, row, getCalendar(tx), policy));
    // The item's own yellow lead changes its warning on the dashboard.
    refreshStatsAfter(tx, ctx.now, { projectId, departmentIds: [row.departmentId] });
  });
}
