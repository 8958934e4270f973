import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { notifications, users } from "../../db/schema";
import { listInbox } from "~/services/inbox.server";
import { setMailer, smtpUrlWithTimeouts, SMTP_TIMEOUTS } from "~/services/mailer.server";
import { deliverDue } from "~/services/notify.server";
import { sendToUsers } from "~/services/outbox.server";
import { getDb } from "~/utils/db.server";
import { ctxAt, insertUser, shanghai, type TestUser } from "../factories";
import { startSilentServer, startSmtpInbox, type SmtpInbox } from "../support/smtp-inbox";

/*
 * The app's real mailer (nodemailer, configured from SMTP_URL by getMailer) against a
 * real SMTP server started here. Every moment is an explicit `now`; nothing sleeps.
 * 2026-03-12 is a Thursday, 03-13 a Friday, 03-14/15 the weekend (working hours 08:30–18:00).
 */

let inbox: SmtpInbox;
let user: TestUser;
const env = { SMTP_URL: process.env.SMTP_URL, PUBLIC_URL: process.env.PUBLIC_URL };

beforeAll(async () => {
  inbox = await startSmtpInbox();
});

afterAll(async () => {
  await inbox.close();
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

beforeEach(async () => {
  setMailer(undefined); // the environment decides, as in production
  process.env.SMTP_URL = inbox.url;
  process.env.PUBLIC_URL = "https://lstd.example.gov.cn/";
  inbox.messages.length = 0;
  inbox.rcptAttempts.length = 0;
  inbox.refuseRcpt.length = 0;
  inbox.refuseData.length = 0;
  user = await insertUser({ role: "proxy", email: "zhang.san@example.test" });
});

afterEach(() => setMailer(undefined));

/** One message to `user` through the real outbox, written at `at`; returns its row reader. */
function notify(at: Date, key = "smtp-1", userId = user.id) {
  const db = getDb();
  sendToUsers(db, [userId], { kind: "test", title: "【红色预警】企业投资项目备案已超期", body: "「新能源电池项目」的企业投资项目备案已超过承诺时限，请尽快办理。", link: "/projects/7?item=3", dedupeKey: key }, at);
  return () => db.select().from(notifications).where(eq(notifications.dedupeKey, `${key}-u${userId}`)).get()!;
}

const run = (date: string, time: string) => deliverDue(getDb(), shanghai(date, time));
const at = (date: string, time: string) => shanghai(date, time).getTime();

describe("e-mail through a real SMTP server", () => {
  it("delivers a due notification: recipient, Chinese subject, body and an absolute link; the row is marked sent", async () => {
    const row = notify(shanghai("2026-03-12", "10:00"));
    expect(row()).toMatchObject({ emailStatus: "pending", deliveredAt: null });

    expect(await run("2026-03-12", "10:00")).toEqual({ delivered: 1, mailed: 1, failed: 0 });

    expect(inbox.messages).toHaveLength(1);
    const [mail] = inbox.messages;
    expect(mail.to).toEqual(["zhang.san@example.test"]);
    expect(mail.from).toBe("no-reply@localhost");
    expect(mail.headers.get("subject")).not.toContain("红色"); // encoded on the wire (RFC 2047), not raw 8-bit
    expect(mail.subject).toBe("【红色预警】企业投资项目备案已超期");
    expect(mail.text).toBe(
      "「新能源电池项目」的企业投资项目备案已超过承诺时限，请尽快办理。\n\n查看详情：https://lstd.example.gov.cn/projects/7?item=3\n\n—— 绿色通道（系统邮件，请勿直接回复）",
    );
    expect(row()).toMatchObject({ emailStatus: "sent", attempts: 1, lastError: null, deliveredAt: at("2026-03-12", "10:00") });
    expect(listInbox(ctxAt("2026-03-13"), user).map((n) => n.title)).toContain("【红色预警】企业投资项目备案已超期");

    // Later runs never mail it again.
    await run("2026-03-12", "11:00");
    await run("2026-03-13", "09:00");
    expect(inbox.messages).toHaveLength(1);
    expect(inbox.rcptAttempts).toHaveLength(1);
  });

  it("retries with backoff while the server refuses, not before the next attempt is due, and mails once when it accepts", async () => {
    const row = notify(shanghai("2026-03-12", "10:00"));
    inbox.refuseRcpt.push([451, "4.3.0 Mailbox temporarily unavailable"]);
    inbox.refuseData.push([554, "5.6.0 Message rejected"]);

    // Attempt 1: RCPT refused with 451. In-app delivery does not wait for the mail.
    expect(await run("2026-03-12", "10:00")).toEqual({ delivered: 1, mailed: 0, failed: 1 });
    expect(row()).toMatchObject({ emailStatus: "pending", attempts: 1, emailNextAt: at("2026-03-12", "10:01"), deliveredAt: at("2026-03-12", "10:00") });
    expect(row().lastError).toMatch(/451/);

    // Before the backoff is over nothing is tried.
    expect(await run("2026-03-12", "10:00")).toEqual({ delivered: 0, mailed: 0, failed: 0 });
    expect(inbox.rcptAttempts).toHaveLength(1);

    // Attempt 2: the message refused at DATA with 554; the next wait doubles to 2 minutes.
    expect(await run("2026-03-12", "10:01")).toMatchObject({ mailed: 0, failed: 1 });
    expect(row()).toMatchObject({ emailStatus: "pending", attempts: 2, emailNextAt: at("2026-03-12", "10:03") });
    expect(row().lastError).toMatch(/554/);
    expect(await run("2026-03-12", "10:02")).toMatchObject({ mailed: 0, failed: 0 });
    expect(inbox.rcptAttempts).toHaveLength(2);
    expect(inbox.messages).toHaveLength(0);

    // Attempt 3: accepted.
    expect(await run("2026-03-12", "10:03")).toMatchObject({ mailed: 1, failed: 0 });
    expect(row()).toMatchObject({ emailStatus: "sent", attempts: 3, lastError: null });
    await run("2026-03-12", "10:30");
    await run("2026-03-12", "14:00");
    expect(inbox.messages).toHaveLength(1);
    expect(inbox.messages[0].subject).toBe("【红色预警】企业投资项目备案已超期");
  });

  it("gives up after 6 refused attempts, marks the row failed and tries no more", async () => {
    const row = notify(shanghai("2026-03-12", "10:00"));
    for (let i = 0; i < 10; i++) inbox.refuseRcpt.push([550, "5.1.1 No such user"]);
    // Waits of 1, 2, 4, 8, 16 minutes between the attempts.
    const moments = ["10:00", "10:01", "10:03", "10:07", "10:15", "10:31"];
    for (const [i, time] of moments.entries()) {
      expect(await run("2026-03-12", time)).toMatchObject({ failed: 1 });
      expect(row()).toMatchObject({ attempts: i + 1, emailStatus: i < 5 ? "pending" : "failed" });
    }
    expect(row().lastError).toMatch(/550/);
    await run("2026-03-12", "12:00");
    await run("2026-03-13", "10:00");
    expect(inbox.rcptAttempts).toHaveLength(6);
    expect(inbox.messages).toHaveLength(0);
  });

  it("mails nothing at night: a message written at 23:00 waits for the next working morning, then is mailed once", async () => {
    const row = notify(shanghai("2026-03-12", "23:00"));
    expect(row().deliverAfter).toBe(at("2026-03-13", "08:30"));
    for (const time of ["23:00", "23:59"]) await run("2026-03-12", time);
    for (const time of ["03:00", "08:29"]) await run("2026-03-13", time);
    expect(row()).toMatchObject({ deliveredAt: null, emailStatus: "pending", attempts: 0 });
    expect(listInbox(ctxAt("2026-03-13"), user)).toHaveLength(0);
    expect(inbox.rcptAttempts).toHaveLength(0);

    expect(await run("2026-03-13", "08:30")).toEqual({ delivered: 1, mailed: 1, failed: 0 });
    expect(inbox.messages.map((m) => m.to)).toEqual([["zhang.san@example.test"]]);
    expect(row()).toMatchObject({ deliveredAt: at("2026-03-13", "08:30"), emailStatus: "sent" });
  });

  it("mails nothing on a rest day: written on Friday evening, mailed on Monday morning", async () => {
    const row = notify(shanghai("2026-03-13", "18:30"));
    expect(row().deliverAfter).toBe(at("2026-03-16", "08:30"));
    await run("2026-03-14", "10:00"); // Saturday
    await run("2026-03-15", "15:00"); // Sunday
    expect(inbox.rcptAttempts).toHaveLength(0);
    expect(row().deliveredAt).toBeNull();
    expect(await run("2026-03-16", "08:30")).toMatchObject({ delivered: 1, mailed: 1 });
    expect(inbox.messages).toHaveLength(1);
  });

  it("a retry that would fall after working hours waits for the next working morning", async () => {
    const row = notify(shanghai("2026-03-12", "17:59"));
    inbox.refuseRcpt.push([421, "4.7.0 Try again later"]);
    expect(await run("2026-03-12", "17:59")).toMatchObject({ delivered: 1, failed: 1 });
    // 1 minute later is 18:00, the end of working hours: the retry moves to Friday 08:30.
    expect(row()).toMatchObject({ emailStatus: "pending", attempts: 1, emailNextAt: at("2026-03-13", "08:30") });
    await run("2026-03-12", "18:00");
    await run("2026-03-12", "22:00");
    // Even a row that is due (its wait over) is not mailed while the office is closed.
    getDb().update(notifications).set({ emailNextAt: at("2026-03-12", "18:00") }).where(eq(notifications.id, row().id)).run();
    await run("2026-03-13", "07:00");
    expect(inbox.rcptAttempts).toHaveLength(1);
    expect(await run("2026-03-13", "08:30")).toMatchObject({ mailed: 1 });
    expect(inbox.messages).toHaveLength(1);
    expect(row().emailStatus).toBe("sent");
  });

  it("a hung server times out instead of stalling the worker; the batch stops and the rest wait; nothing is lost", async () => {
    // The transport's own bounds when SMTP_URL sets none (nodemailer's defaults are 2 and 10 minutes).
    expect(SMTP_TIMEOUTS).toEqual({ connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000, dnsTimeout: 10_000 });
    expect(smtpUrlWithTimeouts("smtp://u:p@mail.example.gov.cn:587")).toBe(
      "smtp://u:p@mail.example.gov.cn:587?connectionTimeout=10000&greetingTimeout=10000&socketTimeout=30000&dnsTimeout=10000",
    );
    expect(smtpUrlWithTimeouts("smtp://mail:25?socketTimeout=60000")).toBe("smtp://mail:25?socketTimeout=60000&connectionTimeout=10000&greetingTimeout=10000&dnsTimeout=10000");

    const silent = await startSilentServer();
    try {
      // A short greeting timeout through the URL, so the test waits 300 ms rather than 10 s.
      process.env.SMTP_URL = `${silent.url}?greetingTimeout=300`;
      const other = await insertUser({ role: "dept", department: "住建", email: "li.si@example.test" });
      const first = notify(shanghai("2026-03-12", "10:00"), "hang-1");
      const second = notify(shanghai("2026-03-12", "10:00"), "hang-2", other.id);
      const started = performance.now();
      expect(await run("2026-03-12", "10:00")).toEqual({ delivered: 2, mailed: 0, failed: 1 });
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(silent.connections()).toBe(1); // the second message was not tried against the dead server
      expect(first()).toMatchObject({ emailStatus: "pending", attempts: 1, emailNextAt: at("2026-03-12", "10:01") });
      expect(first().lastError).toMatch(/greeting/i);
      expect(second()).toMatchObject({ emailStatus: "pending", attempts: 0 });

      process.env.SMTP_URL = inbox.url; // the server is back
      expect(await run("2026-03-12", "10:01")).toMatchObject({ mailed: 2, failed: 0 });
      expect(inbox.messages.map((m) => m.to[0]).sort()).toEqual(["li.si@example.test", "zhang.san@example.test"]);
    } finally {
      await silent.close();
    }
  });

  it("does not mail a user whose address was removed or whose account was deactivated", async () => {
    const gone = await insertUser({ role: "proxy", email: "wang.wu@example.test" });
    const removed = notify(shanghai("2026-03-12", "10:00"), "gone-1", gone.id);
    const deactivated = notify(shanghai("2026-03-12", "10:00"), "inactive-1");
    getDb().update(users).set({ email: null }).where(eq(users.id, gone.id)).run();
    getDb().update(users).set({ active: false }).where(eq(users.id, user.id)).run();
    await run("2026-03-12", "10:00");
    await run("2026-03-12", "11:00");
    expect(inbox.rcptAttempts).toHaveLength(0);
    expect(removed()).toMatchObject({ emailStatus: "failed", lastError: "收件人已没有电子邮箱地址" });
    expect(deactivated()).toMatchObject({ emailStatus: "failed", lastError: "收件人账号已停用" });
  });
});
