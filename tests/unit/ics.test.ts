import { describe, expect, it } from "vitest";
import { buildIcsCalendar, escapeIcsText, foldIcsLine, type IcsEvent } from "~/domain/meeting/ics";

const octets = (s: string) => Buffer.byteLength(s, "utf8");

/** RFC 5545 §3.1 unfolding: a CRLF followed by one space or tab is removed. */
const unfold = (text: string) => text.replace(/\r\n[ \t]/g, "");

describe("escapeIcsText", () => {
  it("escapes backslash, semicolon, comma and every kind of line break", () => {
    expect(escapeIcsText("a,b;c\\d")).toBe("a\\,b\\;c\\\\d");
    expect(escapeIcsText("第一行\r\n第二行\n第三行\r第四行")).toBe("第一行\\n第二行\\n第三行\\n第四行");
    // Full-width punctuation is ordinary text.
    expect(escapeIcsText("会商；林地，用地")).toBe("会商；林地，用地");
  });

  it("drops control characters TEXT may not hold, keeps tabs", () => {
    expect(escapeIcsText("a\u0000b\u0007c\td")).toBe("abc\td");
  });
});

describe("foldIcsLine", () => {
  it("leaves a line of 75 octets alone", () => {
    const line = "X".repeat(75);
    expect(foldIcsLine(line)).toBe(line);
  });

  it("folds at 75 octets, continuation lines start with a space and hold at most 74 more", () => {
    const line = "DESCRIPTION:" + "x".repeat(200);
    const physical = foldIcsLine(line).split("\r\n");
    expect(physical.length).toBeGreaterThan(2);
    expect(octets(physical[0])).toBe(75);
    for (const p of physical.slice(1)) {
      expect(p.startsWith(" ")).toBe(true);
      expect(octets(p)).toBeLessThanOrEqual(75);
    }
    expect(unfold(foldIcsLine(line))).toBe(line);
  });

  it("never splits a Chinese character (3 octets) or an emoji (4 octets)", () => {
    const line = "SUMMARY:【督办】" + "完成用地预审与选址意见书审查并出具意见".repeat(4) + "😀".repeat(10);
    const folded = foldIcsLine(line);
    for (const p of folded.split("\r\n")) {
      expect(octets(p)).toBeLessThanOrEqual(75);
      // Each physical line is valid UTF-8 on its own: no replacement characters after a round trip.
      expect(Buffer.from(p, "utf8").toString("utf8")).toBe(p);
      expect(p).not.toMatch(/[\uD800-\uDBFF]$/); // no half of a surrogate pair left dangling
    }
    // The first line of "SUMMARY:" (8 octets) + 3-octet characters stops at 74 octets: a 23rd character would make 77.
    expect(octets(folded.split("\r\n")[0])).toBe(8 + 22 * 3);
    expect(unfold(folded)).toBe(line);
  });
});

const generatedAt = new Date("2026-11-27T02:00:00Z");
const meeting: IcsEvent = {
  uid: "meeting-7@green-channel",
  summary: "【联席会议】重点项目协调推进联席会议（第 47 次）",
  date: "2026-12-04",
  time: "09:30",
  location: "市政务服务中心 3 楼会议室, 东侧",
  description: "主持：常务副市长\n参会单位：市发展改革委、市自然资源和规划局",
  url: "http://localhost:3000/meetings/7",
};
const deadline: IcsEvent = { uid: "action-3@green-channel", summary: "【督办】完成用地预审 完成时限", date: "2026-12-31", transparent: true };

describe("buildIcsCalendar", () => {
  const text = buildIcsCalendar({ name: "绿色通道 · 会议与督办", generatedAt, events: [meeting, deadline] });
  const lines = unfold(text).split("\r\n");

  it("is CRLF throughout, ends with a line break, and no physical line exceeds 75 octets", () => {
    expect(text.endsWith("END:VCALENDAR\r\n")).toBe(true);
    expect(text.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    for (const p of text.split("\r\n")) expect(octets(p)).toBeLessThanOrEqual(75);
  });

  it("declares the calendar and the Asia/Shanghai zone its timed events refer to", () => {
    expect(lines.slice(0, 3)).toEqual(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//green-channel//meetings and action items//ZH"]);
    expect(lines).toContain("X-WR-CALNAME:绿色通道 · 会议与督办");
    const tz = lines.slice(lines.indexOf("BEGIN:VTIMEZONE"), lines.indexOf("END:VTIMEZONE") + 1);
    expect(tz).toEqual(expect.arrayContaining(["TZID:Asia/Shanghai", "TZOFFSETTO:+0800"]));
  });

  it("a meeting with a time is a timed event in Shanghai time; its text is escaped", () => {
    const ev = eventOf(lines, "meeting-7@green-channel");
    expect(ev).toContain("DTSTART;TZID=Asia/Shanghai:20261204T093000");
    expect(ev.some((l) => l.startsWith("DTEND"))).toBe(false);
    expect(ev).toContain("DTSTAMP:20261127T020000Z");
    expect(ev).toContain("SUMMARY:【联席会议】重点项目协调推进联席会议（第 47 次）");
    expect(ev).toContain("LOCATION:市政务服务中心 3 楼会议室\\, 东侧");
    expect(ev).toContain("DESCRIPTION:主持：常务副市长\\n参会单位：市发展改革委、市自然资源和规划局");
    expect(ev).toContain("URL:http://localhost:3000/meetings/7");
  });

  it("an event without a time is all day: a DATE start and the next day as its exclusive end", () => {
    const ev = eventOf(lines, "action-3@green-channel");
    expect(ev).toContain("DTSTART;VALUE=DATE:20261231");
    expect(ev).toContain("DTEND;VALUE=DATE:20270101");
    expect(ev).toContain("TRANSP:TRANSPARENT");
    const untimed = unfold(buildIcsCalendar({ name: "x", generatedAt, events: [{ ...meeting, time: null, date: "2027-02-28" }] })).split("\r\n");
    expect(untimed).toContain("DTSTART;VALUE=DATE:20270228");
    expect(untimed).toContain("DTEND;VALUE=DATE:20270301");
    // A malformed time is no time: all day, rather than an event at a time nobody set.
    const odd = unfold(buildIcsCalendar({ name: "x", generatedAt, events: [{ ...meeting, time: "25:00" }] })).split("\r\n");
    expect(odd).toContain("DTSTART;VALUE=DATE:20261204");
  });

  it("the same data gives the same UIDs and text on every fetch", () => {
    expect(buildIcsCalendar({ name: "绿色通道 · 会议与督办", generatedAt, events: [meeting, deadline] })).toBe(text);
    expect(lines.filter((l) => l.startsWith("UID:"))).toEqual(["UID:meeting-7@green-channel", "UID:action-3@green-channel"]);
  });
});

function eventOf(lines: string[], uid: string): string[] {
  const at = lines.indexOf(`UID:${uid}`);
  expect(at, `event ${uid}`).toBeGreaterThan(0);
  const begin = lines.lastIndexOf("BEGIN:VEVENT", at);
  return lines.slice(begin, lines.indexOf("END:VEVENT", at) + 1);
}
