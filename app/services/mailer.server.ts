import nodemailer, { type Transporter } from "nodemailer";

/**
 * E-mail is optional: with SMTP_URL set, notifications are also mailed;
 * without it they are delivered to the in-app inbox only. Tests swap in a
 * fake transport here, at the edge, and nowhere else, or point a real
 * nodemailer transport at an SMTP server they start (mailerFromUrl).
 */
export interface Mailer {
  send(to: string, subject: string, text: string): Promise<void>;
}

/**
 * A refused or failed send. `serverUnavailable`: the server could not be reached
 * or stopped answering (connection, greeting, socket timeout, login), so the other
 * messages of the batch would fail the same way and wait for the next run instead.
 */
export class MailError extends Error {
  constructor(
    message: string,
    readonly serverUnavailable: boolean,
  ) {
    super(message);
    this.name = "MailError";
  }
}

/**
 * nodemailer waits 2 minutes for a connection and 10 minutes on an idle socket by
 * default; the worker's sweep awaits the mail run, so a hung server would hold up
 * firing escalations. These bound one send to well under a minute. A setting given
 * in SMTP_URL's query (e.g. `?socketTimeout=60000`) wins.
 */
export const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000, dnsTimeout: 10_000 } as const;

const UNAVAILABLE_CODES = new Set(["ECONNECTION", "ETIMEDOUT", "ESOCKET", "EDNS", "EAUTH", "ETLS", "ECONNREFUSED", "ECONNRESET"]);

/** SMTP_URL with the timeouts it does not set itself added to its query (nodemailer reads them from there). */
export function smtpUrlWithTimeouts(url: string): string {
  const given = new Set<string>();
  const q = url.indexOf("?");
  if (q >= 0) for (const key of new URLSearchParams(url.slice(q + 1)).keys()) given.add(key);
  const add = Object.entries(SMTP_TIMEOUTS)
    .filter(([k]) => !given.has(k))
    .map(([k, v]) => `${k}=${v}`);
  if (add.length === 0) return url;
  return `${url}${q >= 0 ? (url.endsWith("?") || url.endsWith("&") ? "" : "&") : "?"}${add.join("&")}`;
}

/** A mailer sending through the SMTP server of `url` (smtp://user:pass@host:port, smtps:// for TLS). */
export function mailerFromUrl(url: string, from = process.env.MAIL_FROM || "绿色通道 <no-reply@localhost>"): Mailer {
  const transport: Transporter = nodemailer.createTransport(smtpUrlWithTimeouts(url));
  return {
    async send(to, subject, text) {
      try {
        await transport.sendMail({ from, to, subject, text });
      } catch (e) {
        const err = e as { code?: string; message?: string; responseCode?: number };
        const message = String(err.message ?? e);
        // 421: the server is closing the channel; a refused recipient or message (EENVELOPE, EMESSAGE) concerns this message only.
        throw new MailError(message, (!!err.code && UNAVAILABLE_CODES.has(err.code)) || err.responseCode === 421);
      }
    },
  };
}

let override: Mailer | null | undefined;
let fromEnv: { url: string; mailer: Mailer } | undefined;

export function setMailer(m: Mailer | null | undefined): void {
  override = m;
}

export function getMailer(): Mailer | null {
  if (override !== undefined) return override;
  const url = process.env.SMTP_URL;
  if (!url) return null;
  // Keyed on the URL, so a changed SMTP_URL (a test's own server) gets its own transport.
  if (fromEnv?.url !== url) fromEnv = { url, mailer: mailerFromUrl(url) };
  return fromEnv.mailer;
}
