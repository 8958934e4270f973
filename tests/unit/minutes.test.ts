import { describe, expect, it } from "vitest";
import { buildMinutes, chineseOrdinal, deadlineText, meetingWhen, minutesFileName, NOT_RECORDED, parseCoDepartmentIds, type MinutesFacts } from "~/domain/meeting/minutes";

describe("chineseOrdinal numbers the matters of a document", () => {
  it.each([
    [1, "一"],
    [2, "二"],
    [9, "九"],
    [10, "十"],
    [11, "十一"],
    [19, "十九"],
    [20, "二十"],
    [21, "二十一"],
    [99, "九十九"],
    [100, "一百"],
    [101, "一百零一"],
    [110, "一百一十"],
    [1005, "一千零五"],
    [2026, "二千零二十六"],
  ])("%i → %s", (n, zh) => expect(chineseOrdinal(n)).toBe(zh));

  it("keeps digits for what it cannot name", () => {
    expect(chineseOrdinal(0)).toBe("0");
    expect(chineseOrdinal(10000)).toBe("10000");
    expect(chineseOrdinal(1.5)).toBe("1.5");
  });
});

describe("dates and deadlines as the minutes write them", () => {
  it("the meeting time names the weekday and the half of the day", () => {
    expect(meetingWhen("2026-11-27", "09:30")).toBe("2026 年 11 月 27 日（星期五）上午 9:30");
    expect(meetingWhen("2026-11-29", "14:00")).toBe("2026 年 11 月 29 日（星期日）下午 2:00");
    expect(meetingWhen("2026-11-27", "12:15")).toBe("2026 年 11 月 27 日（星期五）下午 12:15");
    expect(meetingWhen("2026-11-27", null)).toBe("2026 年 11 月 27 日（星期五）");
  });

  it("a deadline set in working days says so, with the date it comes to", () => {
    expect(deadlineText("2026-12-04", 5)).toBe("5 个工作日内（2026 年 12 月 4 日前）");
    expect(deadlineText("2026-12-31", null)).toBe("2026 年 12 月 31 日前");
  });

  it("the file name keeps the Chinese title but no path or reserved characters", () => {
    expect(minutesFileName("重点项目协调推进联席会议（第 46 次）")).toBe("会议纪要-重点项目协调推进联席会议（第 46 次）.docx");
    expect(minutesFileName('a/b\\c:d*e?"f<g>h|i\nj')).toBe("会议纪要-a_b_c_d_e_f_g_h_i_j.docx");
    expect(minutesFileName("   ")).toBe("会议纪要-会议.docx");
  });
});

describe("parseCoDepartmentIds reads the 配合单位 column", () => {
  it("a JSON array of ids; anything else is none", () => {
    expect(parseCoDepartmentIds("[3,5]")).toEqual([3, 5]);
    expect(parseCoDepartmentIds(null)).toEqual([]);
    expect(parseCoDepartmentIds("")).toEqual([]);
    expect(parseCoDepartmentIds("not json")).toEqual([]);
    expect(parseCoDepartmentIds('{"a":1}')).toEqual([]);
    expect(parseCoDepartmentIds('[1,"2",3.5,4]')).toEqual([1, 4]);
  });
});

function facts(overrides: Partial<MinutesFacts> = {}): MinutesFacts {
  return {
    meeting: {
      id: 7,
      type: "joint",
      title: "重点项目协调推进联席会议（第 46 次）",
      heldOn: "2026-11-20",
      startsAt: "09:30",
      location: "市政务服务中心 3 楼会议室",
      status: "held",
      chairName: "常务副市长",
      attendees: null,
      minutes: "会议听取了重点项目审批推进情况汇报。",
      minutesIssuedAt: null,
    },
    invitedDepartments: ["市发展改革委", "市自然资源和规划局"],
    agenda: [],
    decisions: [],
    tasks: [],
    ...overrides,
  };
}

const task = (id: number, decisionId: number, more: Partial<MinutesFacts["tasks"][number]> = {}): MinutesFacts["tasks"][number] => ({
  id,
  decisionId,
  title: `任务${id}`,
  leadDepartment: "市自然资源和规划局",
  coDepartments: [],
  ownerName: null,
  dueOn: "2026-12-02",
  dueInWorkingDays: 8,
  status: "open",
  ...more,
});

describe("buildMinutes", () => {
  it("numbers one matter per discussed agenda item in agenda order, then decisions without an agenda item", () => {
    const m = buildMinutes(
      facts({
        agenda: [
          { id: 11, position: 2, summary: "第二项：施工许可并联审批", discussion: null, resolved: true, carriedOver: false },
          { id: 10, position: 1, summary: "第一项：用地预审超期", discussion: "自然资源局说明了林地占用情况。", resolved: true, carriedOver: true },
          { id: 12, position: 3, summary: "无人发言的事项", discussion: "  ", resolved: false, carriedOver: false },
        ],
        decisions: [
          { id: 21, agendaItemId: 11, text: "住建局牵头并联审查" },
          { id: 20, agendaItemId: 10, text: "自然资源局限期出具预审意见" },
          { id: 22, agendaItemId: null, text: "下次会议听取整改情况" },
        ],
        tasks: [task(31, 20, { coDepartments: ["市林业局", "市生态环境局"], ownerName: "钱国栋" }), task(30, 20, { dueInWorkingDays: null, dueOn: "2026-12-31" }), task(32, 21, { leadDepartment: "市住房和城乡建设局" })],
      }),
    );
    expect(m.sections.map((s) => [s.label, s.summary])).toEqual([
      ["一、", "第一项：用地预审超期"],
      ["二、", "第二项：施工许可并联审批"],
      ["三、", null],
    ]);
    const [first, second, third] = m.sections;
    expect(first).toMatchObject({ number: 1, discussion: "自然资源局说明了林地占用情况。", carriedOver: true, unsettled: false });
    expect(first.decisions).toHaveLength(1);
    expect(first.decisions[0].tasks.map((t) => t.id)).toEqual([30, 31]);
    expect(first.decisions[0].tasks[1]).toMatchObject({
      leadDepartment: "市自然资源和规划局",
      coDepartments: "市林业局、市生态环境局",
      ownerName: "钱国栋",
      deadline: "8 个工作日内（2026 年 12 月 2 日前）",
    });
    expect(first.decisions[0].tasks[0]).toMatchObject({ coDepartments: NOT_RECORDED, ownerName: NOT_RECORDED, deadline: "2026 年 12 月 31 日前" });
    expect(second.decisions[0].tasks[0].leadDepartment).toBe("市住房和城乡建设局");
    expect(third.decisions[0].text).toBe("下次会议听取整改情况");
    // 分送: the invited departments first, then every other unit a task names, once each.
    expect(m.distribution).toEqual(["市发展改革委", "市自然资源和规划局", "市林业局", "市生态环境局", "市住房和城乡建设局"]);
  });

  it("an item discussed without a decision and not marked resolved is carried to the next meeting", () => {
    const m = buildMinutes(facts({ agenda: [{ id: 1, position: 1, summary: "待议", discussion: "意见不一致。", resolved: false, carriedOver: false }] }));
    expect(m.sections[0]).toMatchObject({ label: "一、", unsettled: true, decisions: [] });
  });

  it("leaves cancelled tasks out: the minutes say what the units must do", () => {
    const m = buildMinutes(
      facts({
        agenda: [{ id: 1, position: 1, summary: "事项", discussion: null, resolved: true, carriedOver: false }],
        decisions: [{ id: 2, agendaItemId: 1, text: "决定" }],
        tasks: [task(3, 2, { status: "cancelled" }), task(4, 2, { status: "closed" })],
      }),
    );
    expect(m.sections[0].decisions[0].tasks.map((t) => t.id)).toEqual([4]);
  });

  it("the meta block: 出席 is the recorded attendees, else the invited departments; blanks read as not recorded", () => {
    const base = buildMinutes(facts());
    expect(base).toMatchObject({
      heading: "重点项目协调推进联席会议纪要",
      subtitle: "重点项目协调推进联席会议（第 46 次）",
      when: "2026 年 11 月 20 日（星期五）上午 9:30",
      location: "市政务服务中心 3 楼会议室",
      chair: "常务副市长",
      attendees: "市发展改革委、市自然资源和规划局",
      remarks: "会议听取了重点项目审批推进情况汇报。",
      sections: [],
      draft: true,
      datedOn: "2026-11-20",
    });
    const recorded = buildMinutes(facts({ meeting: { ...facts().meeting, attendees: "市发展改革委张主任，市自然资源和规划局李局长" } }));
    expect(recorded.attendees).toBe("市发展改革委张主任，市自然资源和规划局李局长");
    const bare = buildMinutes(facts({ invitedDepartments: [], meeting: { ...facts().meeting, location: "", chairName: null, minutes: " ", type: "consult" } }));
    expect(bare).toMatchObject({ attendees: NOT_RECORDED, location: NOT_RECORDED, chair: NOT_RECORDED, remarks: null, heading: "重点项目会商会审会议纪要" });
  });

  it("issued minutes are dated the day they were issued in Shanghai, not the UTC day", () => {
    // 2026-11-23 17:30 UTC is 2026-11-24 01:30 in Shanghai.
    const m = buildMinutes(facts({ meeting: { ...facts().meeting, minutesIssuedAt: Date.parse("2026-11-23T17:30:00Z") } }));
    expect(m).toMatchObject({ draft: false, datedOn: "2026-11-24" });
  });
});
