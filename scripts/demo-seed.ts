import { eq, sql } from "drizzle-orm";
import { DEFAULT_DEPARTMENTS } from "../app/domain/catalog/departments";
import { parseDate, shanghaiDay, type DayNum, type WorkingCalendar } from "../app/domain/calendar";
import { applyClockEvent, effectiveLimit, initialClockState, type ClockEvent, type ClockState } from "../app/domain/clock";
import { creditCodeCheckChar } from "../app/domain/enterprise/credit-code";
import { topologicalOrder } from "../app/domain/graph/graph";
import type { Template } from "../app/domain/graph/template";
import { getCalendar } from "../app/services/time-rules.server";
import { storedColumns } from "../app/services/project-aggregate.server";
import { hashPassword } from "../app/services/passwords.server";
import { instantiateTemplate } from "../app/services/project-creation.server";
import { getTemplateCatalog } from "../app/services/template-registry.server";
import type { Db } from "../db/client";
import {
  actionItems,
  agendaItems,
  clockEvents,
  contactLogs,
  decisions,
  departments,
  enterprises,
  items,
  meetings,
  projectProxies,
  projects,
  users,
} from "../db/schema";
import { findStartKey } from "../app/domain/graph/milestone";

/**
 * Demo data for a city green-channel office, dated relative to "now" so the
 * demo always shows live clocks: projects on time, overdue, in correction,
 * stalled, at risk and already started. Runs only on an empty database.
 */
export const DEMO_PASSWORD = "demo1234";

type Mode = "overdue" | "correction" | "special" | "commitment";

interface DemoProject {
  name: string;
  enterprise: string;
  credit17: string;
  template: string;
  signedAgo: number; // working days before today
  targetAfter: number; // working days after signing
  speed: number; // share of each limit actually used
  stopAgo?: number; // no events during the last N working days (stalled)
  stuck?: Record<string, Mode>;
  investment: number;
  industry: string;
  location: string;
  level: "province" | "city" | "county";
  proxy: "proxy" | "proxy2";
}

const DEMO_PROJECTS: DemoProject[] = [
  { name: "智能装备产业园一期", enterprise: "江城智能装备有限公司", credit17: "91330100MA2H3K5L7", template: "general-industrial", signedAgo: 70, targetAfter: 150, speed: 0.6, investment: 120000, industry: "装备制造", location: "高新区科创大道 88 号", level: "province", proxy: "proxy" },
  { name: "新能源电池材料项目", enterprise: "江城新能源材料股份有限公司", credit17: "91330100MA2J8P2N4", template: "approval-core", signedAgo: 85, targetAfter: 235, speed: 0.7, stuck: { "site-preapproval": "overdue" }, investment: 260000, industry: "新材料", location: "临港工业园 3 号地块", level: "province", proxy: "proxy" },
  { name: "冷链物流配送中心", enterprise: "江城智能装备有限公司", credit17: "91330100MA2H3K5L7", template: "standard-land", signedAgo: 60, targetAfter: 52, speed: 0.5, investment: 38000, industry: "现代物流", location: "空港物流园 B 区", level: "city", proxy: "proxy" },
  { name: "生物医药中试基地", enterprise: "江城生物医药科技有限公司", credit17: "91330100MA2K1Q6R8", template: "general-industrial", signedAgo: 60, targetAfter: 170, speed: 0.8, stopAgo: 12, investment: 56000, industry: "生物医药", location: "生命科学园 12 号", level: "city", proxy: "proxy" },
  { name: "高端纺织智能工厂", enterprise: "江城纺织集团有限公司", credit17: "91330100MA2L4T9W2", template: "general-industrial", signedAgo: 40, targetAfter: 105, speed: 0.9, investment: 45000, industry: "纺织", location: "经开区纬五路", level: "county", proxy: "proxy" },
  { name: "半导体封装测试项目", enterprise: "江城芯科半导体有限公司", credit17: "91330100MA2M7X3Y5", template: "approval-core", signedAgo: 75, targetAfter: 270, speed: 0.6, stuck: { "eia-approval": "correction" }, investment: 310000, industry: "集成电路", location: "芯谷产业园", level: "province", proxy: "proxy2" },
  { name: "城市算力数据中心", enterprise: "江城云数科技有限公司", credit17: "91330100MA2N2A4B6", template: "general-industrial", signedAgo: 3, targetAfter: 160, speed: 0.7, investment: 88000, industry: "数字经济", location: "数字港 1 号", level: "city", proxy: "proxy2" },
  { name: "汽车零部件扩产项目", enterprise: "江城汽车部件有限公司", credit17: "91330100MA2P5C7D8", template: "standard-land", signedAgo: 14, targetAfter: 72, speed: 0.7, stuck: { "joint-drawing-review": "commitment" }, investment: 26000, industry: "汽车零部件", location: "汽车产业园 7 号", level: "city", proxy: "proxy" },
  { name: "光伏组件智能制造项目", enterprise: "江城光能科技有限公司", credit17: "91330100MA2Q8E1F3", template: "general-industrial", signedAgo: 50, targetAfter: 140, speed: 0.7, stuck: { "scheme-review": "special" }, investment: 150000, industry: "新能源", location: "绿能产业园 5 号", level: "province", proxy: "proxy2" },
  { name: "食品精深加工项目", enterprise: "江城食品有限公司", credit17: "91330100MA2R3G5H9", template: "standard-land", signedAgo: 25, targetAfter: 72, speed: 0.8, investment: 12000, industry: "食品加工", location: "农产品加工园", level: "county", proxy: "proxy" },
];

interface DemoUser {
  login: string;
  displayName: string;
  role: "admin" | "proxy" | "enterprise" | "dept" | "coordinator" | "leader";
  department?: string;
  leader?: boolean;
  enterprise?: string;
  phone?: string;
}

const DEMO_USERS: DemoUser[] = [
  { login: "admin", displayName: "系统管理员", role: "admin" },
  { login: "proxy", displayName: "王敏", role: "proxy", phone: "0571-87001101" },
  { login: "proxy2", displayName: "李强", role: "proxy", phone: "0571-87001102" },
  { login: "enterprise", displayName: "陈志远", role: "enterprise", enterprise: "江城智能装备有限公司" },
  { login: "dept", displayName: "赵磊", role: "dept", department: "自然资源" },
  { login: "dept-zj", displayName: "孙丽", role: "dept", department: "住建" },
  { login: "dept-sthj", displayName: "周婷", role: "dept", department: "生态环境" },
  { login: "dept-leader-zrzy", displayName: "钱国栋", role: "dept", department: "自然资源", leader: true },
  { login: "dept-leader-zj", displayName: "吴建华", role: "dept", department: "住建", leader: true },
  { login: "coordinator", displayName: "刘洋", role: "coordinator" },
  { login: "leader", displayName: "张副市长", role: "leader" },
];

export function isDatabaseEmpty(db: Db): boolean {
  return db.get<{ n: number }>(sql`select count(*) as n from users`).n === 0;
}

/** Plays the project forward from signing to `stop`, item by item in dependency order. */
function simulate(template: Template, cal: WorkingCalendar, signed: DayNum, stop: DayNum, p: DemoProject) {
  const order = topologicalOrder(
    template.items.map((i) => i.key),
    template.dependencies,
  )!;
  const byKey = new Map(template.items.map((i) => [i.key, i]));
  const finished = new Map<string, DayNum>();
  const plan = new Map<string, { ev: ClockEvent; note?: string }[]>();
  for (const key of order) {
    const item = byKey.get(key)!;
    const preds = template.dependencies.filter((d) => d.to === key);
    if (preds.some((d) => !finished.has(d.from))) continue;
    let ready = signed;
    for (const d of preds) ready = Math.max(ready, cal.addWorkingDays(finished.get(d.from)!, d.lagWorkingDays));
    const mode = p.stuck?.[key];
    // A stuck item is filed late enough that the demo shows a fresh problem
    // (a few days overdue, a correction opened last week), not a months-old one.
    const STUCK_AGO: Record<Mode, number> = { overdue: 0, correction: 6, special: 4, commitment: 2 };
    // Officers file a few working days after an item becomes ready, so the
    // demo always has items waiting to be filed (可申报).
    let accept = cal.addWorkingDays(ready, item.kind === "milestone" ? 1 : 3);
    if (mode) {
      const ago = mode === "overdue" ? (item.promisedLimit ?? item.statutoryLimit ?? 5) + 3 : STUCK_AGO[mode];
      accept = Math.max(accept, cal.addWorkingDays(stop, -ago));
    }
    if (accept > stop) continue;
    if (item.kind === "milestone") {
      plan.set(key, [{ ev: { type: "approve", on: accept } }]);
      finished.set(key, accept);
      continue;
    }
    const spec = { kind: item.kind, statutoryLimit: item.statutoryLimit ?? null, promisedLimit: item.promisedLimit ?? null, limitUnit: item.limitUnit, plannedDuration: item.plannedDuration ?? null, correctionRestartsClock: item.correctionRestartsClock ?? false, yellowLead: item.yellowLead ?? null };
    const limit = effectiveLimit(spec);
    const wdLimit = item.limitUnit === "calendarDays" ? Math.round((limit * 5) / 7) : limit;
    const evs: { ev: ClockEvent; note?: string }[] = [];
    if (mode === "commitment") {
      const commit = cal.addWorkingDays(accept, Math.max(1, Math.min(3, wdLimit - 1)));
      evs.push({ ev: { type: "accept", on: accept, deferredMaterials: ["施工图审查合格书（消防专篇）"], commitmentOn: commit }, note: "容缺受理：消防专篇承诺后补" });
    } else {
      evs.push({ ev: { type: "accept", on: accept } });
    }
    if (mode === "correction" && cal.addWorkingDays(accept, 2) <= stop) {
      evs.push({ ev: { type: "request_correction", on: cal.addWorkingDays(accept, 2) }, note: "环评报告书公众参与说明不完整，需补正" });
    } else if (mode === "special" && cal.addWorkingDays(accept, 1) <= stop) {
      evs.push({ ev: { type: "start_special", on: cal.addWorkingDays(accept, 1) }, note: "批前公示 10 个工作日" });
    } else if (!mode) {
      const finish = cal.addWorkingDays(accept, Math.max(1, Math.round(wdLimit * p.speed)));
      if (finish <= stop) {
        evs.push({ ev: { type: "approve", on: finish } });
        finished.set(key, finish);
      }
    }
    plan.set(key, evs);
  }
  return plan;
}

export async function seedDemo(db: Db, now: Date = new Date()): Promise<boolean> {
  if (!isDatabaseEmpty(db)) return false;
  const cal = getCalendar(db);
  const today = cal.lastWorkingDayOnOrBefore(shanghaiDay(now));
  const hash = await hashPassword(DEMO_PASSWORD);
  const catalog = getTemplateCatalog(DEFAULT_DEPARTMENTS.map((d) => d.code));
  const t = now.getTime();

  db.transaction((tx) => {
    for (const d of DEFAULT_DEPARTMENTS) {
      // The catalogue itself ships with every database (db/client.ts); the demo adds its window contacts.
      const contact = { contactName: `${d.code}窗口`, contactPhone: "0571-8000" + String(1000 + DEFAULT_DEPARTMENTS.indexOf(d)) };
      tx.insert(departments).values({ code: d.code, name: d.name, level: d.level, vertical: d.vertical, ...contact }).onConflictDoUpdate({ target: departments.code, set: contact }).run();
    }
    const deptIds = new Map(tx.select({ id: departments.id, code: departments.code }).from(departments).all().map((d) => [d.code, d.id]));
    const enterpriseIds = new Map<string, number>();
    for (const p of DEMO_PROJECTS) {
      if (enterpriseIds.has(p.enterprise)) continue;
      const code = p.credit17 + creditCodeCheckChar(p.credit17);
      enterpriseIds.set(p.enterprise, tx.insert(enterprises).values({ name: p.enterprise, creditCode: code, contactName: "项目负责人", contactPhone: "138" + code.slice(-8).replace(/\D/g, "0") }).returning({ id: enterprises.id }).get().id);
    }
    const userIds = new Map<string, number>();
    for (const u of DEMO_USERS) {
      const row = tx
        .insert(users)
        .values({
          login: u.login,
          displayName: u.displayName,
          passwordHash: hash,
          role: u.role,
          departmentId: u.department ? deptIds.get(u.department)! : null,
          enterpriseId: u.enterprise ? enterpriseIds.get(u.enterprise)! : null,
          isDepartmentLeader: u.leader ?? false,
          email: `${u.login}@demo.greenchannel.local`,
          phone: u.phone ?? null,
        })
        .returning({ id: users.id })
        .get();
      userIds.set(u.login, row.id);
    }

    DEMO_PROJECTS.forEach((p, index) => {
      const template = catalog.get(p.template)!;
      const signed = cal.addWorkingDays(today, -p.signedAgo);
      const stop = p.stopAgo ? cal.addWorkingDays(today, -p.stopAgo) : today;
      const project = tx
        .insert(projects)
        .values({
          code: `${cal.format(signed).slice(0, 4)}-330100-${["34", "26", "59", "27", "17", "39", "65", "36", "38", "13"][index]}-03-${String(100201 + index * 37).padStart(6, "0")}`,
          name: p.name,
          enterpriseId: enterpriseIds.get(p.enterprise)!,
          investment: p.investment,
          industry: p.industry,
          location: p.location,
          templateKey: template.key,
          templateVersion: template.version,
          level: p.level,
          signedOn: cal.format(signed),
          targetStartOn: cal.format(cal.addWorkingDays(signed, p.targetAfter)),
          status: "active",
          lastProgressOn: cal.format(signed),
          createdAt: t,
          updatedAt: t,
        })
        .returning()
        .get();
      tx.insert(projectProxies).values({ projectId: project.id, userId: userIds.get(p.proxy)! }).run();
      const itemIds = instantiateTemplate(tx as unknown as Db, project.id, template, deptIds);
      const plan = simulate(template, cal, signed, stop, p);
      let lastOn = signed;
      for (const item of template.items) {
        const evs = plan.get(item.key);
        if (!evs) continue;
        const spec = { kind: item.kind, statutoryLimit: item.statutoryLimit ?? null, promisedLimit: item.promisedLimit ?? null, limitUnit: item.limitUnit, plannedDuration: item.plannedDuration ?? null, correctionRestartsClock: item.correctionRestartsClock ?? false, yellowLead: item.yellowLead ?? null };
        let state: ClockState = initialClockState();
        for (const { ev, note } of evs) {
          const r = applyClockEvent(state, ev, spec, cal);
          if (!r.ok) throw new Error(`demo data: ${p.name}/${item.key}: ${r.message}`);
          state = r.state;
          const detail = ev.deferredMaterials ? JSON.stringify({ deferredMaterials: ev.deferredMaterials, commitmentOn: cal.format(ev.commitmentOn!) }) : null;
          tx.insert(clockEvents).values({ itemId: itemIds.get(item.key)!, type: ev.type, on: cal.format(ev.on), actorUserId: userIds.get(p.proxy)!, note: note ?? null, detail, createdAt: t }).run();
          lastOn = Math.max(lastOn, ev.on);
        }
        tx.update(items).set(storedColumns(state, (d) => cal.format(d))).where(eq(items.id, itemIds.get(item.key)!)).run();
        if (state.acceptedOn !== null) {
          // What was filed has been handed in: mark the item's materials received.
          tx.run(sql`update materials set status = 'verified' where id in (select material_id from item_materials where item_id = ${itemIds.get(item.key)!})`);
        }
      }
      const startKey = findStartKey(template.items);
      const started = startKey !== null && plan.get(startKey)?.some((e) => e.ev.type === "approve");
      tx.update(projects).set({ lastProgressOn: cal.format(lastOn), status: started ? "started" : "active" }).where(eq(projects.id, project.id)).run();
      tx.insert(contactLogs)
        .values([
          { projectId: project.id, authorUserId: userIds.get(p.proxy)!, on: cal.format(signed), kind: "visit", note: "项目签约后首次上门服务，梳理审批事项清单并制定倒排计划", createdAt: t },
          { projectId: project.id, authorUserId: userIds.get(p.proxy)!, on: cal.format(cal.addWorkingDays(signed, 2)), kind: "contact", note: "电话告知企业首批申报材料（一次性告知书已发送）", createdAt: t },
        ])
        .run();
    });

    // A held joint meeting with a decision and an open action item, and the next one planned.
    const held = tx.insert(meetings).values({ title: "重点项目协调推进联席会议（第 46 次）", heldOn: cal.format(cal.addWorkingDays(today, -5)), location: "市政务服务中心 3 楼会议室", status: "held", chairName: "常务副市长", coordinatorUserId: userIds.get("coordinator")!, minutes: "会议听取了重点项目审批推进情况汇报，研究了新能源电池材料项目用地预审滞后问题。" }).returning().get();
    const stuckProject = tx.select().from(projects).where(eq(projects.name, "新能源电池材料项目")).get()!;
    const stuckItem = tx.select().from(items).where(sql`${items.projectId} = ${stuckProject.id} and ${items.key} = 'site-preapproval'`).get()!;
    const agenda = tx.insert(agendaItems).values({ meetingId: held.id, projectId: stuckProject.id, itemId: stuckItem.id, reason: "red", summary: "用地预审与选址意见书超过承诺时限，涉及林地占用需会商", position: 1 }).returning().get();
    const decision = tx.insert(decisions).values({ meetingId: held.id, agendaItemId: agenda.id, text: "由市自然资源和规划局牵头，会同林业部门限期完成用地预审审查" }).returning().get();
    tx.insert(actionItems).values({ decisionId: decision.id, projectId: stuckProject.id, ownerDepartmentId: deptIds.get("自然资源")!, ownerUserId: userIds.get("dept-leader-zrzy")!, title: "完成用地预审与选址意见书审查并出具意见", ownerName: "钱国栋", startOn: held.heldOn, dueInWorkingDays: 8, dueOn: cal.format(cal.addWorkingDays(parseDate(held.heldOn)!, 8)), status: "open", createdByUserId: userIds.get("coordinator")! }).run();
    tx.insert(meetings).values({ title: "重点项目协调推进联席会议（第 47 次）", heldOn: cal.format(cal.addWorkingDays(today, 5)), location: "市政务服务中心 3 楼会议室", status: "planned", chairName: "常务副市长", coordinatorUserId: userIds.get("coordinator")! }).run();
  });
  return true;
}
