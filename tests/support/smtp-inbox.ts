/**
 * A real SMTP server for tests (the `smtp-server` package) on a free port of
 * 127.0.0.1: it keeps every accepted message, counts every recipient the client
 * tried, and refuses RCPT TO or DATA with the SMTP reply a test asks for.
 */
import { createServer, type Server, type Socket } from "node:net";
import { SMTPServer } from "smtp-server";
import { freePort } from "./free-port";

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  headers: Map<string, string>;
  /** The Subject header with RFC 2047 encoded-words decoded. */
  subject: string;
  /** The text body, transfer encoding (base64, quoted-printable) undone. */
  text: string;
}

/** An SMTP reply code and text, e.g. [451, "4.3.0 try again later"]. */
export type Refusal = [code: number, text: string];

export interface SmtpInbox {
  url: string;
  messages: ReceivedMail[];
  /** Every RCPT TO the server saw, accepted or not: one per delivery attempt. */
  rcptAttempts: string[];
  /** Refuse the next RCPT TO commands in turn (shifted off as they are used). */
  refuseRcpt: Refusal[];
  /** Refuse the next DATA commands in turn, after the message was read. */
  refuseData: Refusal[];
  close(): Promise<void>;
}

function smtpError([code, text]: Refusal): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

export async function startSmtpInbox(): Promise<SmtpInbox> {
  const port = await freePort();
  const inbox: SmtpInbox = {
    url: `smtp://127.0.0.1:${port}`,
    messages: [],
    rcptAttempts: [],
    refuseRcpt: [],
    refuseData: [],
    close: () => new Promise<void>((res) => server.close(() => res())),
  };
  const server = new SMTPServer({
    authOptional: true,
    // Plain SMTP on loopback: no certificate to make, and nodemailer does not try to upgrade.
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onRcptTo(address, _session, cb) {
      inbox.rcptAttempts.push(address.address);
      const refusal = inbox.refuseRcpt.shift();
      cb(refusal ? smtpError(refusal) : undefined);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const refusal = inbox.refuseData.shift();
        if (refusal) return cb(smtpError(refusal));
        const raw = Buffer.concat(chunks).toString("utf8");
        inbox.messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          ...parseMessage(raw),
        });
        cb();
      });
    },
  });
  await new Promise<void>((res, rej) => {
    server.once("error", rej);
    server.listen(port, "127.0.0.1", () => res());
  });
  return inbox;
}

/** A TCP server that accepts connections and never says a word: an SMTP server that hangs. */
export async function startSilentServer(): Promise<{ url: string; connections: () => number; close(): Promise<void> }> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((s) => {
    connections++;
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => {});
  });
  await new Promise<void>((res) => server.listen(port, "127.0.0.1", () => res()));
  return {
    url: `smtp://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((res) => {
        for (const s of sockets) s.destroy();
        server.close(() => res());
      }),
  };
}

function parseMessage(raw: string): { headers: Map<string, string>; subject: string; text: string } {
  const split = raw.indexOf("\r\n\r\n");
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, " "); // unfold
  const headers = new Map<string, string>();
  for (const line of head.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  const body = raw.slice(split + 4);
  const cte = (headers.get("content-transfer-encoding") ?? "7bit").toLowerCase();
  const charset = /charset="?([^";]+)"?/i.exec(headers.get("content-type") ?? "")?.[1] ?? "utf-8";
  if (!/^utf-?8$/i.test(charset)) throw new Error(`unexpected charset ${charset}`);
  const bytes =
    cte === "base64" ? Buffer.from(body.replace(/\s+/g, ""), "base64") : cte === "quoted-printable" ? qpDecode(body) : Buffer.from(body, "utf8");
  return { headers, subject: decodeWords(headers.get("subject") ?? ""), text: bytes.toString("utf8").replace(/\r\n/g, "\n").replace(/\n$/, "") };
}

function qpDecode(s: string): Buffer {
  const out: number[] = [];
  const src = s.replace(/=\r\n/g, "");
  for (let i = 0; i < src.length; i++) {
    if (src[i] === "=" && /^[0-9A-F]{2}$/i.test(src.slice(i + 1, i + 3))) {
      out.push(parseInt(src.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(...Buffer.from(src[i], "utf8"));
  }
  return Buffer.from(out);
}

/**
 * RFC 2047: `=?UTF-8?B?…?=` and `=?UTF-8?Q?…?=` words. A run of adjacent words is one
 * byte sequence (a character may be split across two words), whitespace between them dropped.
 */
function decodeWords(value: string): string {
  const word = /=\?([^?]+)\?([BQ])\?([^?]*)\?=/gi;
  return value.replace(/=\?[^?]+\?[BQ]\?[^?]*\?=(?:\s*=\?[^?]+\?[BQ]\?[^?]*\?=)*/gi, (run) => {
    const parts: Buffer[] = [];
    for (const [, charset, enc, text] of run.matchAll(word)) {
      if (!/^utf-?8$/i.test(charset)) throw new Error(`unexpected charset ${charset}`);
      parts.push(enc.toUpperCase() === "B" ? Buffer.from(text, "base64") : qpDecode(text.replace(/_/g, " ")));
    }
    return Buffer.concat(parts).toString("utf8");
  });
}
