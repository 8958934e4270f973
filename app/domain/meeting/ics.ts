/**
 * iCalendar (RFC 5545) text for a user's calendar feed: meetings and the
 * deadlines of action items. Pure: the feed service collects the events, this
 * module writes them. Rules that calendar clients actually enforce:
 *  - lines end in CRLF and are folded at 75 octets (not characters: a Chinese
 *    character is 3 octets in UTF-8), never inside a character;
 *  - TEXT values escape backslash, semicolon, comma and newlines;
 *  - a TZID parameter needs a VTIMEZONE with that id in the same calendar;
 *  - an all-day event is DTSTART;VALUE=DATE with an exclusive DTEND the next day;
 *  - UIDs stay the same from one fetch to the next, so a client updates an event
 *    (a meeting moved to another day) instead of adding a second one.
 */

export const ICS_TIME_ZONE = "Asia/Shanghai";

export interface IcsEvent {
  /** Stable across fetches: `meeting-12@green-channel`. */
  uid: string;
  summary: string;
  /** Business date `YYYY-MM-DD`; with `time` (`HH:MM`, Asia/Shanghai wall clock) a timed event, else all day. */
  date: string;
  time?: string | null;
  description?: string | null;
  location?: string | null;
  url?: string | null;
  /** A deadline does not make anyone busy: TRANSP:TRANSPARENT. */
  transparent?: boolean;
}

export interface IcsCalendarInput {
  name: string;
  /** DTSTAMP of every event: when this feed was generated. */
  generatedAt: Date;
  events: readonly IcsEvent[];
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * Escapes a TEXT value (RFC 5545 §3.3.11). Line breaks of any kind become `\n`;
 * other control characters are not allowed in TEXT and are dropped.
 *
 * @example escapeIcsText("会商；林地, 用地\n预审") // → "会商；林地\\, 用地\\n预审"
 */
export function escapeIcsText(value: string): string {
  return (
    value
      .replace(/\r\n?/g, "\n")
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "")
      .replace(/\\/g, "\\\\")
      .replace(/;/g, "\\;")
      .replace(/,/g, "\\,")
      .replace(/\n/g, "\\n")
  );
}

function utf8Length(codePoint: number): number {
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}

/**
 * Folds one content line so no physical line exceeds 75 octets of UTF-8: the
 * first carries up to 75, each continuation a leading space and up to 74 more.
 * Splits only between characters (code points), never inside one.
 *
 * @example foldIcsLine("SUMMARY:" + "会".repeat(30)) // → "SUMMARY:会…(22 chars)\r\n 会…(8 chars)"
 */
export function foldIcsLine(line: string): string {
  const parts: string[] = [];
  let current = "";
  let octets = 0;
  let limit = 75;
  for (const ch of line) {
    const n = utf8Length(ch.codePointAt(0)!);
    if (octets + n > limit) {
      parts.push(current);
      current = "";
      octets = 0;
      limit = 74; // the leading space of a continuation line counts
    }
    current += ch;
    octets += n;
  }
  parts.push(current);
  return parts.join("\r\n ");
}

function compactDate(date: string): string {
  const m = DATE_RE.exec(date);
  if (!m) throw new Error(`invalid date: ${date}`);
  return `${m[1]}${m[2]}${m[3]}`;
}

/** The day after `date` (an all-day event's DTEND is exclusive). */
function nextDay(date: string): string {
  const m = DATE_RE.exec(date)!;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1));
  return d.toISOString().slice(0, 10);
}

/** An instant as a UTC DATE-TIME: 20261127T020000Z. */
function utcStamp(at: Date): string {
  return at.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/**
 * Asia/Shanghai has kept UTC+8 without daylight saving since 1991; one STANDARD
 * observance is the whole definition. Clients need it to read TZID=Asia/Shanghai
 * (RFC 5545 §3.6.5), even those that know the zone by name.
 */
const VTIMEZONE = [
  "BEGIN:VTIMEZONE",
  `TZID:${ICS_TIME_ZONE}`,
  "X-LIC-LOCATION:Asia/Shanghai",
  "BEGIN:STANDARD",
  "DTSTART:19700101T000000",
  "TZOFFSETFROM:+0800",
  "TZOFFSETTO:+0800",
  "TZNAME:CST",
  "END:STANDARD",
  "END:VTIMEZONE",
];

function eventLines(e: IcsEvent, stamp: string): string[] {
  const lines = ["BEGIN:VEVENT", `UID:${e.uid}`, `DTSTAMP:${stamp}`];
  const time = e.time ? TIME_RE.exec(e.time) : null;
  if (time) {
    lines.push(`DTSTART;TZID=${ICS_TIME_ZONE}:${compactDate(e.date)}T${time[1]}${time[2]}00`);
  } else {
    lines.push(`DTSTART;VALUE=DATE:${compactDate(e.date)}`, `DTEND;VALUE=DATE:${compactDate(nextDay(e.date))}`);
  }
  lines.push(`SUMMARY:${escapeIcsText(e.summary)}`);
  if (e.location) lines.push(`LOCATION:${escapeIcsText(e.location)}`);
  if (e.description) lines.push(`DESCRIPTION:${escapeIcsText(e.description)}`);
  // URL is a URI, not TEXT: not escaped, but a line break in it would end the property.
  if (e.url) lines.push(`URL:${e.url.replace(/[\r\n]/g, "")}`);
  if (e.transparent) lines.push("TRANSP:TRANSPARENT");
  lines.push("END:VEVENT");
  return lines;
}

/**
 * A whole VCALENDAR, CRLF line endings, every line folded.
 *
 * @example
 * buildIcsCalendar({name: "绿色通道", generatedAt: new Date("2026-11-27T02:00:00Z"),
 *   events: [{uid: "meeting-1@green-channel", summary: "联席会议", date: "2026-12-04", time: "09:30"}]})
 * // → "BEGIN:VCALENDAR\r\n…DTSTART;TZID=Asia/Shanghai:20261204T093000\r\n…END:VCALENDAR\r\n"
 */
export function buildIcsCalendar(input: IcsCalendarInput): string {
  const stamp = utcStamp(input.generatedAt);
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//green-channel//meetings and action items//ZH",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    `X-WR-CALNAME:${escapeIcsText(input.name)}`,
    `X-WR-TIMEZONE:${ICS_TIME_ZONE}`,
    // Subscribed calendars poll; an hour keeps deadlines current without hammering the server.
    "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
    "X-PUBLISHED-TTL:PT1H",
    ...VTIMEZONE,
    ...input.events.flatMap((e) => eventLines(e, stamp)),
    "END:VCALENDAR",
  ];
  return lines.map(foldIcsLine).join("\r\n") + "\r\n";
}
