import nodemailer, { type Transporter } from "nodemailer";

/**
 * E-mail is optional: with SMTP_URL set, notifications are also mailed;
 * without it they are delivered to the in-app inbox only. Tests swap in a
 * fake transport here, at the edge, and nowhere else.
 */
export interface Mailer {
  send(to: string, subject: string, text: string): Promise<void>;
}

let override: Mailer | null | undefined;
let fromEnv: Mailer | null | undefined;

export function setMailer(m: Mailer | null | undefined): void {
  override = m;
}

export function getMailer(): Mailer | null {
  if (override !== undefined) return override;
  if (fromEnv !== undefined) return fromEnv;
  const url = process.env.SMTP_URL;
  if (!url) return (fromEnv = null);
  const transport: Transporter = nodemailer.createTransport(url);
  const from = process.env.MAIL_FROM || "绿色通道 <no-reply@localhost>";
  return (fromEnv = {
    async send(to, subject, text) {
      await transport.sendMail({ from, to, subject, text });
    },
  });
}
