import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { departments, items, projects, projectStats, users } from "../../db/schema";
import { decide, type Actor } from "~/domain/access/policy";
import { shanghaiDay } from "~/domain/calendar";
import { numberInput } from "~/domain/validation/number";
import { zhFieldErrorMap } from "~/domain/validation/zh-error-map";
import type { ServiceContext } from "./context.server";
import { insertActionItems, resolveActionItems } from "./action-items.server";
import { AppError, forbidden, invalidInput, notFound } from "./errors.server";
import { sendToUsers } from "./outbox.server";
import { getCalendar } from "./time-rules.server";
import { transactThenWake } from "./transaction.server";

/**
 * 督办 (DESIGN §6 v1.1, issue 13): a leader or coordinator presses the responsible
 * unit on a project or one of its items. It becomes an action item of source
 * "supervision" on the approvals' ladder, due n working days from today, led by
 * the item's department (or the one named, or the department holding the project
 * up); the unit's staff are told at once (in working hours) and it shows in their
 * queue, on the project and in the 督办台账.
 */
const supervisionSchema = z.object({
  itemKey: z.string().trim().max(100).optional().transform((v) => v || undefined),
  note: z.string({ required_error: "请填写督办事项" }).trim().min(2, "督办事项至少 2 个字").max(180, "督办事项不超过 180 字"),
  dueInWorkingDays: z.preprocess(numberInput, z.number({ required_error: "请填写办结时限（工作日数）", invalid_type_error: "办结时限应为工作日数" }).int("办结时限应为整数个工作日")),
  leadDepartment: z.string().trim().max(40).optional().transform((v) => v || undefined),
});

export function issueSupervision(ctx: ServiceContext, actor: Actor, projectId: number, raw: unknown): { actionItemId: number; dueOn: string } {
  const { db, now } = ctx;
  if (!decide(actor, "escalation.supervise").allowed) throw forbidden("只有领导或联席会议协调人可以督办");
  const project = Number.isInteger(projectId) ? db.select().from(projects).where(eq(projects.id, projectId)).get() : undefined;
  if (!project) throw notFound("项目不存在");
  const parsed = supervisionSchema.safeParse(raw ?? {}, { errorMap: zhFieldErrorMap });
  if (!parsed.success) throw invalidInput(parsed.error.issues);
  const v = parsed.data;
  if (project.status === "withdrawn") throw new AppError("conflict", "项目已撤销，不能督办");

  const item = v.itemKey ? db.select().from(items).where(and(eq(items.projectId, projectId), eq(items.key, v.itemKey))).get() : undefined;
  if (v.itemKey && !item) throw new AppError("invalid", `事项「${v.itemKey}」不属于该项目`, { itemKey: `事项「${v.itemKey}」不属于该项目` });
  // Who answers for it: the item's department, else the one named, else the department holding the project up.
  const blocking = db.select({ d: projectStats.blockingDepartmentId }).from(projectStats).where(eq(projectStats.projectId, projectId)).get()?.d ?? null;
  const leadId = item?.departmentId ?? null;
  const lead =
    leadId !== null
      ? db.select({ code: departments.code }).from(departments).where(eq(departments.id, leadId)).get()?.code
      : (v.leadDepartment ?? (blocking !== null ? db.select({ code: departments.code }).from(departments).where(eq(departments.id, blocking)).get()?.code : undefined));
  if (!lead) throw new AppError("invalid", "请选择责任单位", { leadDepartment: "请选择责任单位" });

  const cal = getCalendar(db);
  const today = shanghaiDay(now);
  const title = supervisionTitle(item ? `${project.name} · ${item.name}` : project.name, v.note);
  const [resolved] = asSupervisionFields(() =>
    resolveActionItems(db, actor, [{ title, leadDepartment: lead, dueInWorkingDays: v.dueInWorkingDays, projectId, ...(item ? { itemKey: item.key } : {}) }], today, cal),
  );
  return transactThenWake(db, (tx, wake) => {
    const { created, wakeups } = insertActionItems(tx, [resolved], { source: "supervision", startOn: today, actorId: actor.id, now }, cal);
    wake(wakeups);
    const [{ id, dueOn }] = created;
    const staff = tx
      .select({ id: users.id })
      .from(users)
      .where(and(inArray(users.departmentId, [resolved.ownerDepartmentId]), eq(users.role, "dept"), eq(users.active, true)))
      .all()
      .map((u) => u.id);
    sendToUsers(
      tx,
      staff,
      {
        kind: "supervision",
        title: `【督办】${item ? item.name : project.name}`,
        body: `${issuer(tx, actor.id)}督办：${v.note}。项目「${project.name}」${item ? `事项「${item.name}」` : ""}，请于 ${dueOn} 前办结并在系统中填写办理情况。`,
        link: `/meetings/actions/${id}`,
        dedupeKey: `supervision-${id}`,
      },
      now,
    );
    tx.update(projects).set({ version: project.version + 1, updatedAt: now.getTime() }).where(eq(projects.id, projectId)).run();
    return { actionItemId: id, dueOn };
  });
}

function issuer(tx: ServiceContext["db"], userId: number): string {
  const u = tx.select({ name: users.displayName, role: users.role }).from(users).where(eq(users.id, userId)).get();
  return u ? `${u.role === "leader" ? "领导" : "协调人"}${u.name}` : "领导";
}

/** The task's title: 【督办】subject：note, the subject shortened so that any allowed note fits the title's 200 characters. */
function supervisionTitle(subject: string, note: string): string {
  const room = TITLE_MAX - "【督办】：".length - note.length;
  const fitted = subject.length <= room ? subject : `${subject.slice(0, Math.max(0, room - 1))}…`;
  return `【督办】${fitted}：${note}`;
}
const TITLE_MAX = 200;

/** The action item's checks answer for the 督办's own fields (its title is the note), so a form shows each beside its input. */
function asSupervisionFields<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (!(e instanceof AppError) || !e.fields) throw e;
    const rename: Record<string, string> = { title: "note" };
    const fields = Object.fromEntries(
      Object.entries(e.fields).map(([k, msg]) => {
        const field = k.replace(/^actionItems\.0\./, "");
        return [rename[field] ?? field, msg];
      }),
    );
    throw new AppError(e.code, e.message, fields);
  }
}
