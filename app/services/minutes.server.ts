import { asc, eq, inArray } from "drizzle-orm";
import {
  AlignmentType,
  BorderStyle,
  Document,
  HeadingLevel,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
  type IParagraphOptions,
} from "docx";
import { actionItems, agendaItems, decisions, departments, meetingDepartments, meetings } from "../../db/schema";
import { decide, type Actor } from "~/domain/access/policy";
import { buildMinutes, parseCoDepartmentIds, zhDate, type Minutes, type MinutesDecision } from "~/domain/meeting/minutes";
import type { ServiceContext } from "./context.server";
import { forbidden, notFound } from "./errors.server";

/**
 * A meeting's 会议纪要 (issue 11, outputs): read straight from the meeting tables
 * and numbered by the domain (app/domain/meeting/minutes.ts), so the printable
 * page and the .docx show the same text in the same order. Any staff member may
 * read a meeting's minutes (meeting.view); enterprises may not.
 */
export function loadMinutes(ctx: ServiceContext, actor: Actor, meetingId: number): Minutes {
  if (!decide(actor, "meeting.view").allowed) throw forbidden("没有查看会议纪要的权限");
  const { db } = ctx;
  const meeting = db.select().from(meetings).where(eq(meetings.id, meetingId)).get();
  if (!meeting) throw notFound("会议");

  const deptNames = new Map(db.select({ id: departments.id, name: departments.name }).from(departments).all().map((d) => [d.id, d.name]));
  const invited = db
    .select({ id: meetingDepartments.departmentId })
    .from(meetingDepartments)
    .where(eq(meetingDepartments.meetingId, meetingId))
    .orderBy(asc(meetingDepartments.departmentId))
    .all()
    .map((d) => deptNames.get(d.id))
    .filter((n): n is string => n !== undefined);
  const agenda = db.select().from(agendaItems).where(eq(agendaItems.meetingId, meetingId)).all();
  const decided = db.select().from(decisions).where(eq(decisions.meetingId, meetingId)).all();
  const tasks = decided.length
    ? db
        .select()
        .from(actionItems)
        .where(inArray(actionItems.decisionId, decided.map((d) => d.id)))
        .all()
    : [];

  return buildMinutes({
    meeting: {
      id: meeting.id,
      type: meeting.type,
      title: meeting.title,
      heldOn: meeting.heldOn,
      startsAt: meeting.startsAt,
      location: meeting.location,
      status: meeting.status,
      chairName: meeting.chairName,
      attendees: meeting.attendees,
      minutes: meeting.minutes,
      minutesIssuedAt: meeting.minutesIssuedAt,
    },
    invitedDepartments: invited,
    agenda: agenda.map((a) => ({
      id: a.id,
      position: a.position,
      summary: a.summary,
      discussion: a.discussion,
      resolved: a.resolved,
      carriedOver: a.carriedFromId !== null,
    })),
    decisions: decided.map((d) => ({ id: d.id, agendaItemId: d.agendaItemId, text: d.text })),
    tasks: tasks
      .filter((t): t is typeof t & { decisionId: number } => t.decisionId !== null)
      .map((t) => ({
        id: t.id,
        decisionId: t.decisionId,
        title: t.title,
        leadDepartment: t.ownerDepartmentId === null ? null : (deptNames.get(t.ownerDepartmentId) ?? null),
        coDepartments: parseCoDepartmentIds(t.coDepartmentIds)
          .map((id) => deptNames.get(id))
          .filter((n): n is string => n !== undefined),
        ownerName: t.ownerName,
        dueOn: t.dueOn,
        dueInWorkingDays: t.dueInWorkingDays,
        status: t.status,
      })),
  });
}

// --- .docx -----------------------------------------------------------------

// GB/T 9704 (党政机关公文格式) page margins, in twips (1 cm = 567): 37 mm top,
// 35 mm bottom, 28 mm left, 26 mm right; body in 仿宋 三号 (16 pt), titles in
// 宋体 二号 (22 pt), as the units that receive minutes expect to see them.
const PAGE_MARGIN = { top: 2098, bottom: 1985, left: 1588, right: 1474 };
const BODY_FONT = { ascii: "Times New Roman", hAnsi: "Times New Roman", eastAsia: "仿宋" };
const TITLE_FONT = { ascii: "Times New Roman", hAnsi: "Times New Roman", eastAsia: "宋体" };
const HEADING_FONT = { ascii: "Times New Roman", hAnsi: "Times New Roman", eastAsia: "黑体" };
const PT = (points: number) => points * 2; // docx sizes are half-points
const TWO_CHARS = 640; // a first-line indent of two 16 pt characters, in twips
// A4 is 11906 twips wide; the text block is what the margins leave. Widths go in
// twips (DXA) and into the table grid too: LibreOffice lays a table out from its
// grid and ignores percentage cell widths.
const TEXT_WIDTH = 11906 - PAGE_MARGIN.left - PAGE_MARGIN.right;

const para = (text: string, opts: Omit<IParagraphOptions, "children" | "text"> = {}) =>
  new Paragraph({ ...opts, children: [new TextRun(text)] });

const labelled = (label: string, text: string) =>
  new Paragraph({ spacing: { after: 60 }, children: [new TextRun({ text: `${label}：`, bold: true }), new TextRun(text)] });

const thin = { style: BorderStyle.SINGLE, size: 4, color: "000000" };
const cellBorders = { top: thin, bottom: thin, left: thin, right: thin };
// Shares of the text width, in per cent.
const TASK_COLUMNS = [
  { title: "序号", share: 8 },
  { title: "任务", share: 32 },
  { title: "责任单位", share: 16 },
  { title: "配合单位", share: 16 },
  { title: "责任人", share: 10 },
  { title: "完成时限", share: 18 },
].map((c) => ({ ...c, width: Math.floor((TEXT_WIDTH * c.share) / 100) }));

function cell(text: string, width: number, header = false): TableCell {
  return new TableCell({
    width: { size: width, type: WidthType.DXA },
    borders: cellBorders,
    margins: { top: 40, bottom: 40, left: 80, right: 80 },
    children: [new Paragraph({ alignment: header ? AlignmentType.CENTER : AlignmentType.LEFT, children: [new TextRun({ text, bold: header, size: PT(12) })] })],
  });
}

function tasksTable(decision: MinutesDecision): Table {
  return new Table({
    width: { size: TASK_COLUMNS.reduce((sum, c) => sum + c.width, 0), type: WidthType.DXA },
    columnWidths: TASK_COLUMNS.map((c) => c.width),
    rows: [
      new TableRow({ tableHeader: true, children: TASK_COLUMNS.map((c) => cell(c.title, c.width, true)) }),
      ...decision.tasks.map(
        (t, i) =>
          new TableRow({
            cantSplit: true,
            children: [String(i + 1), t.title, t.leadDepartment, t.coDepartments, t.ownerName, t.deadline].map((text, k) => cell(text, TASK_COLUMNS[k].width)),
          }),
      ),
    ],
  });
}

/** The minutes as a Word document: the same structure the printable page renders. */
export function minutesDocument(m: Minutes): Document {
  const body: (Paragraph | Table)[] = [
    new Paragraph({ heading: HeadingLevel.TITLE, alignment: AlignmentType.CENTER, spacing: { after: 120 }, children: [new TextRun(m.heading)] }),
    para(m.subtitle, { alignment: AlignmentType.CENTER, spacing: { after: m.draft ? 60 : 360 } }),
  ];
  if (m.draft) body.push(para("（草稿，尚未印发）", { alignment: AlignmentType.CENTER, spacing: { after: 360 } }));
  body.push(labelled("时间", m.when), labelled("地点", m.location), labelled("主持", m.chair), labelled("出席", m.attendees));
  if (m.remarks) {
    for (const line of m.remarks.split(/\r?\n/).filter((l) => l.trim())) body.push(para(line.trim(), { indent: { firstLine: TWO_CHARS }, spacing: { before: 120 } }));
  }
  if (m.sections.length) {
    body.push(para("会议议定事项如下：", { indent: { firstLine: TWO_CHARS }, spacing: { before: 240, after: 120 } }));
  } else {
    body.push(para("本次会议尚未录入议定事项。", { indent: { firstLine: TWO_CHARS }, spacing: { before: 240 } }));
  }
  for (const s of m.sections) {
    const title = `${s.label}${s.summary ?? "其他议定事项"}${s.carriedOver ? "（续议）" : ""}`;
    body.push(new Paragraph({ heading: HeadingLevel.HEADING_1, spacing: { before: 240, after: 120 }, children: [new TextRun(title)] }));
    if (s.discussion) body.push(new Paragraph({ indent: { firstLine: TWO_CHARS }, children: [new TextRun({ text: "讨论情况：", bold: true }), new TextRun(s.discussion)] }));
    s.decisions.forEach((d, i) => {
      const label = s.decisions.length > 1 ? `会议议定（${i + 1}）：` : "会议议定：";
      body.push(new Paragraph({ indent: { firstLine: TWO_CHARS }, spacing: { before: 60, after: 120 }, children: [new TextRun({ text: label, bold: true }), new TextRun(d.text)] }));
      if (d.tasks.length) body.push(tasksTable(d), para("", { spacing: { after: 60 } }));
    });
    if (s.unsettled) body.push(para("本事项未议结，转下次会议继续研究。", { indent: { firstLine: TWO_CHARS } }));
  }
  body.push(para(zhDate(m.datedOn), { alignment: AlignmentType.RIGHT, spacing: { before: 480 } }));
  if (m.distribution.length) body.push(para(`分送：${m.distribution.join("、")}`, { spacing: { before: 240 } }));

  return new Document({
    title: `${m.heading} ${m.subtitle}`,
    creator: "绿色通道",
    styles: {
      default: {
        document: { run: { font: BODY_FONT, size: PT(16) }, paragraph: { spacing: { line: 360 } } },
        title: { run: { font: TITLE_FONT, size: PT(22), bold: true, color: "000000" } },
        heading1: { run: { font: HEADING_FONT, size: PT(16), bold: false, color: "000000" } },
      },
    },
    sections: [{ properties: { page: { size: { width: 11906, height: 16838 }, margin: PAGE_MARGIN } }, children: body }],
  });
}

/** The minutes of a meeting as a .docx file and the name to save it under (`会议纪要-<title>.docx`). */
export async function minutesDocx(ctx: ServiceContext, actor: Actor, meetingId: number): Promise<{ buffer: Buffer; fileName: string }> {
  const minutes = loadMinutes(ctx, actor, meetingId);
  return { buffer: await Packer.toBuffer(minutesDocument(minutes)), fileName: minutes.fileName };
}
