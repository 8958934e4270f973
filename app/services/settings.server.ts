import { z } from "zod";
import { settings } from "../../db/schema";
import { decide, type Actor } from "~/domain/access/policy";
import { type EscalationPolicy } from "~/domain/escalation/policy";
import { zhFieldErrorMap } from "~/domain/validation/zh-error-map";
import { writeAudit } from "./audit.server";
import { transactThenWake } from "./transaction.server";
import { getCalendar, getPolicy, POLICY_KEY } from "./time-rules.server";
import { replanAllIn } from "./escalation-timers.server";
import { invalidateAllStats } from "./stats.server";
import type { ServiceContext } from "./context.server";
import { invalidInput, forbidden } from "./errors.server";

const days = (label: string, max: number) =>
  z.coerce
    .number({ invalid_type_error: `${label}应为整数` })
    .int(`${label}应为整数`)
    .min(0, `${label}不能为负数`)
    .max(max, `${label}不超过 ${max} 个工作日`);

const policySchema = z
  .object({
    yellowLead: days("预警提前量", 10),
    redAfter: days("超期提醒", 10).refine((n) => n >= 1, "超期提醒至少在到期后 1 个工作日"),
    superviseAfter: days("督办", 30),
    leaderAfter: days("领导督办", 60),
    stallAfter: days("停滞判定", 30).refine((n) => n >= 1, "停滞判定至少 1 个工作日"),
  })
  .refine((p) => p.redAfter <= p.superviseAfter && p.superviseAfter <= p.leaderAfter, {
    message: "升级顺序应为：超期 ≤ 督办 ≤ 领导督办",
    path: ["superviseAfter"],
  });

export function savePolicy(ctx: ServiceContext, actor: Actor, raw: unknown): EscalationPolicy {
  if (!decide(actor, "admin.manage").allowed) throw forbidden("只有系统管理员可以修改升级规则");
  const parsed = policySchema.safeParse(raw, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  const value = JSON.stringify(parsed.data);
  transactThenWake(ctx.db, (tx, wake) => {
    tx.insert(settings)
      .values({ key: POLICY_KEY, value, updatedAt: ctx.now.getTime() })
      .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: ctx.now.getTime() } })
      .run();
    writeAudit(tx, { actorUserId: actor.id, action: "settings.escalationPolicy", entityType: "settings", detail: parsed.data }, ctx.now);
    // New offsets move every unfired timer; fired ones are history.
    wake(replanAllIn(tx, getCalendar(tx), getPolicy(tx)));
    // A new yellow lead or stall threshold changes warnings and stalls everywhere: recomputed by the sweep.
    invalidateAllStats(tx);
  });
  return getPolicy(ctx.db);
}
