import { and, eq, inArray, isNotNull, isNull, lte, or, sql } from "drizzle-orm";
import { items, notifications, projectProxies, projects, users } from "../../db/schema";
import { shanghaiDay } from "~/domain/calendar";
import { ACTIVE_STATUSES } from "~/domain/clock";
import { deliveryInstant, retryDelayMs } from "~/domain/escalation/policy";
import type { Db } from "~/utils/db.server";
import { getCalendar } from "./time-rules.server";
import { getMailer, MailError } from "./mailer.server";
import { readStoredClock } from "./project-aggregate.server";
import { getPolicy } from "./time-rules.server";

const MAX_EMAIL_ATTEMPTS = 6;
/** A mail run starts no new message after this long, so one run never holds up the worker's sweep for long. */
const MAIL_RUN_BUDGET_MS = 60_000;

/**
 * The text of a notification's e-mail. The stored link is a path in the app; with
 * PUBLIC_URL set (the address users open, e.g. https://lstd.example.gov.cn) the mail
 * carries a link that works from a mail client.
 */
export function emailText(body: string, link: string | null, publicUrl = process.env.PUBLIC_URL): string {
  const lines = [body];
  if (link) {
    const base = (publicUrl ?? "").trim().replace(/\/+$/, "");
    lines.push("", `查看详情：${link.startsWith("/") && base ? base + link : link}`);
  }
  lines.push("", "—— 绿色通道（系统邮件，请勿直接回复）");
  return lines.join("\n");
}

/**
 * Moves held messages whose delivery moment has come into the inbox, then
 * mails what is pending (with backoff on failure). Idempotent: delivered rows
 * are never touched again, and each e-mail is claimed before it is sent.
 *
 * Mail goes out in working hours only, retries included (DESIGN §4): a run at night
 * mails nothing, and a retry that would fall after hours waits for the next working
 * morning. A refused message counts towards MAX_EMAIL_ATTEMPTS and is then marked
 * failed; a server that cannot be reached or does not answer ends the run (the rest
 * would wait for it too) and does not use the message's last attempt, so an outage
 * loses no e-mail.
 */
export async function deliverDue(db: Db, now: Date): Promise<{ delivered: number; mailed: number; failed: number }> {
  const t = now.getTime();
  const delivered = db
    .update(notifications)
    .set({ deliveredAt: t })
    .where(and(isNull(notifications.deliveredAt), lte(notifications.deliverAfter, t)))
    .run().changes;

  let mailed = 0;
  let failed = 0;
  const mailer = getMailer();
  const cal = getCalendar(db);
  const policy = getPolicy(db);
  if (mailer && deliveryInstant(t, cal, policy) === t) {
    const started = performance.now();
    const pending = db
      .select({ n: notifications, email: users.email, active: users.active })
      .from(notifications)
      .innerJoin(users, eq(users.id, notifications.userId))
      .where(
        and(
          eq(notifications.emailStatus, "pending"),
          isNotNull(notifications.deliveredAt),
          or(isNull(notifications.emailNextAt), lte(notifications.emailNextAt, t)),
        ),
      )
      .orderBy(notifications.id)
      .limit(200)
      .all();
    for (const { n, email, active } of pending) {
      if (performance.now() - started > MAIL_RUN_BUDGET_MS) break;
      const unclaimed = and(eq(notifications.id, n.id), eq(notifications.attempts, n.attempts), eq(notifications.emailStatus, "pending"));
      if (!email || !active) {
        // The address was removed or the account deactivated after the message was written: nobody to mail.
        db.update(notifications)
          .set({ emailStatus: "failed", lastError: active ? "收件人已没有电子邮箱地址" : "收件人账号已停用" })
          .where(unclaimed)
          .run();
        continue;
      }
      const attempt = n.attempts + 1;
      // Claim: push the next attempt out first, so a concurrent deliverer skips this row.
      const claim = db
        .update(notifications)
        .set({ emailNextAt: deliveryInstant(t + retryDelayMs(attempt), cal, policy), attempts: attempt })
        .where(unclaimed)
        .run();
      if (claim.changes !== 1) continue;
      try {
        await mailer.send(email, n.title, emailText(n.body, n.link));
        db.update(notifications).set({ emailStatus: "sent", lastError: null }).where(eq(notifications.id, n.id)).run();
        mailed++;
      } catch (e) {
        const unavailable = e instanceof MailError && e.serverUnavailable;
        const giveUp = !unavailable && attempt >= MAX_EMAIL_ATTEMPTS;
        db.update(notifications)
          .set({ lastError: String((e as Error).message ?? e).slice(0, 500), emailStatus: giveUp ? "failed" : "pending" })
          .where(eq(notifications.id, n.id))
          .run();
        failed++;
        if (unavailable) break;
      }
    }
  }
  return { delivered, mailed, failed };
}

/**
 * 每日摘要 at 08:30 on working days: one message per user who has something
 * to act on. Keyed by user and date, so a repeated run adds nothing.
 */
export function buildDailyDigests(db: Db, now: Date): number {
  const cal = getCalendar(db);
  const today = shanghaiDay(now);
  if (!cal.isWorkingDay(today)) return 0;
  const policy = getPolicy(db);
  const date = cal.format(today);
  const open = db
    .select({ item: items, projectStatus: projects.status })
    .from(items)
    .innerJoin(projects, eq(projects.id, items.projectId))
    .where(inArray(items.status, [...ACTIVE_STATUSES]))
    .all()
    .filter((r) => r.projectStatus === "active");
  const warn = new Map<number, "red" | "yellow" | "none">();
  for (const r of open) warn.set(r.item.id, readStoredClock(r.item, cal, today, policy.yellowLead).warning);
  const proxies = db.select().from(projectProxies).all();
  let created = 0;
  for (const u of db.select().from(users).where(eq(users.active, true)).all()) {
    let mine = open;
    if (u.role === "dept") mine = open.filter((r) => r.item.departmentId === u.departmentId);
    else if (u.role === "proxy") {
      const ps = new Set(proxies.filter((p) => p.userId === u.id).map((p) => p.projectId));
      mine = open.filter((r) => ps.has(r.item.projectId));
    } else if (u.role === "enterprise") {
      const ps = new Set(db.select({ id: projects.id }).from(projects).where(eq(projects.enterpriseId, u.enterpriseId ?? -1)).all().map((p) => p.id));
      mine = open.filter((r) => ps.has(r.item.projectId) && r.item.status === "correction");
    } else if (u.role === "admin") continue;
    const red = mine.filter((r) => warn.get(r.item.id) === "red").length;
    const yellow = mine.filter((r) => warn.get(r.item.id) === "yellow").length;
    const corrections = mine.filter((r) => r.item.status === "correction").length;
    if (red + yellow + corrections === 0) continue;
    const body =
      u.role === "enterprise"
        ? `您有 ${corrections} 个事项等待补正材料，请尽快提交。`
        : `在办 ${mine.length} 项：超期 ${red} 项，临期 ${yellow} 项，补正中 ${corrections} 项。`;
    const r = db
      .insert(notifications)
      .values({
        userId: u.id,
        kind: "digest",
        title: `每日摘要 ${date}`,
        body,
        link: u.role === "dept" ? "/queue" : u.role === "enterprise" ? "/portal" : u.role === "proxy" ? "/projects" : "/dashboard",
        dedupeKey: `digest-${u.id}-${date}`,
        deliverAfter: deliveryInstant(now.getTime(), cal, policy),
        emailStatus: u.email ? "pending" : "none",
        createdAt: now.getTime(),
      })
      .onConflictDoNothing()
      .run();
    created += r.changes;
  }
  return created;
}

export function countUndelivered(db: Db): number {
  return db.get<{ n: number }>(sql`select count(*) as n from notifications where delivered_at is null`).n;
}
