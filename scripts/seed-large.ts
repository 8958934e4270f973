/**
 * A province-sized database for benchmarks and dashboard work:
 *
 *   npm run seed:large -- --projects 20000 --db /tmp/province.db
 *
 * Migrates the database, loads the demo city when it is empty (so the demo logins work:
 * leader, proxy, dept, coordinator, admin; password demo1234), then adds N projects across
 * Sichuan's 21 regions on the shipped templates, with histories played forward on the real
 * working calendar the way scripts/demo-seed.ts does it: every stored clock column is the
 * replay (domain applyClockEvent) of the item's clock_events. Projects are started (closed,
 * with closedOn), running on time, paused (补正/特别程序/中止), late, or stalled; proxy officers
 * log visits and calls (代办日志); enterprises rate about a third of the decided approvals (好差评),
 * and each 差评 has its 整改 action item, closed or still open. Running items get their escalation ladder and open projects
 * their stall timer (domain planners, as planItemTimers/planProjectTimers plan them); moments
 * already past are stored as fired (history), the rest unfired for the worker.
 *
 *   --projects N   projects to add (default 20000)
 *   --db <path>    database file (default: DATABASE_PATH or ./data/app.db, as the app's getDb)
 *   --seed <int>   PRNG seed (default 1): same seed, same database
 *   --append       add to a database that already holds more than the demo's projects
 *
 * Raw prepared statements in transactions of 250 projects; WAL and synchronous=OFF during the load.
 */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import type Database from "better-sqlite3";
import { DEFAULT_DEPARTMENTS } from "../app/domain/catalog/departments";
import { shanghaiDay, type DayNum } from "../app/domain/calendar";
import { applyClockEvent, effectiveLimit, initialClockState, type ClockEvent, type ClockSpec, type ClockState, type PauseKind } from "../app/domain/clock";
import { creditCodeCheckChar } from "../app/domain/enterprise/credit-code";
import { instantOf, planActionItemEscalations, planItemEscalations } from "../app/domain/escalation/policy";
import { planStallEscalation } from "../app/domain/escalation/stall";
import { topologicalOrder } from "../app/domain/graph/graph";
import { findStartKey } from "../app/domain/graph/milestone";
import type { Template, TemplateItem } from "../app/domain/graph/template";
import { followUpTitle, isPoorRating, isRatable } from "../app/domain/rating/vocabulary";
import { hashPassword } from "../app/services/passwords.server";
import { storedColumns } from "../app/services/project-aggregate.server";
import { getRatingFollowUpDays } from "../app/services/ratings.server";
import { refreshAllStats } from "../app/services/stats.server";
import { getTemplateCatalog } from "../app/services/template-registry.server";
import { getCalendar, getPolicy } from "../app/services/time-rules.server";
import { createDb, migrateDb } from "../db/client";
import { DEMO_PASSWORD, seedDemo } from "./demo-seed";

const { values: args } = parseArgs({
  options: {
    projects: { type: "string", default: "20000" },
    db: { type: "string" },
    seed: { type: "string", default: "1" },
    append: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (args.help) {
  console.log(`usage: npm run seed:large -- [--projects 20000] [--db <path>] [--seed 1] [--append]

  --projects N   projects to add (default 20000; about 25 items each)
  --db <path>    database file (default: DATABASE_PATH, else ./data/app.db)
  --seed <int>   seed of the deterministic PRNG (default 1)
  --append       allowed to add to a database that already holds more than the demo's 10 projects

Migrates, loads the demo city into an empty database (demo logins, password ${DEMO_PASSWORD}),
adds the province's projects, then refreshes the stored dashboard figures.`);
  process.exit(0);
}

const projectCount = Number(args.projects);
const seed = Number(args.seed);
if (!Number.isInteger(projectCount) || projectCount < 1) {
  console.error(`--projects ${args.projects}: expected a positive whole number`);
  process.exit(2);
}
if (!Number.isInteger(seed)) {
  console.error(`--seed ${args.seed}: expected a whole number`);
  process.exit(2);
}
const dbPath = resolve(args.db ?? process.env.DATABASE_PATH ?? "./data/app.db");
// Services that open the app's connection themselves must see the same file.
process.env.DATABASE_PATH = dbPath;

/** Deterministic PRNG (mulberry32), the same generator as tests/support/prng.ts. */
function rng(s: number): () => number {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(seed);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
function weighted<T>(list: readonly (readonly [T, number])[]): T {
  const total = list.reduce((n, [, w]) => n + w, 0);
  let r = rand() * total;
  for (const [v, w] of list) if ((r -= w) < 0) return v;
  return list[list.length - 1][0];
}

// ---------------------------------------------------------------- the province

/** Region, its administrative division code, weight (share of projects) and districts. */
const REGIONS: readonly (readonly [string, string, number, readonly string[]])[] = [
  ["成都市", "510100", 24, ["高新区", "天府新区", "锦江区", "青羊区", "金牛区", "武侯区", "成华区", "龙泉驿区", "双流区", "郫都区", "新都区", "温江区"]],
  ["绵阳市", "510700", 7, ["涪城区", "游仙区", "安州区", "江油市", "三台县"]],
  ["德阳市", "510600", 6, ["旌阳区", "罗江区", "广汉市", "什邡市", "绵竹市"]],
  ["宜宾市", "511500", 6, ["翠屏区", "南溪区", "叙州区", "江安县", "长宁县"]],
  ["泸州市", "510500", 5, ["江阳区", "龙马潭区", "纳溪区", "泸县", "合江县"]],
  ["南充市", "511300", 5, ["顺庆区", "高坪区", "嘉陵区", "阆中市", "南部县"]],
  ["达州市", "511700", 4, ["通川区", "达川区", "万源市", "宣汉县", "大竹县"]],
  ["乐山市", "511100", 4, ["市中区", "五通桥区", "沙湾区", "峨眉山市", "夹江县"]],
  ["自贡市", "510300", 3, ["自流井区", "贡井区", "大安区", "沿滩区", "荣县"]],
  ["内江市", "511000", 3, ["市中区", "东兴区", "隆昌市", "威远县", "资中县"]],
  ["遂宁市", "510900", 3, ["船山区", "安居区", "射洪市", "蓬溪县", "大英县"]],
  ["眉山市", "511400", 4, ["东坡区", "彭山区", "仁寿县", "洪雅县", "青神县"]],
  ["广安市", "511600", 3, ["广安区", "前锋区", "华蓥市", "岳池县", "邻水县"]],
  ["资阳市", "512000", 2, ["雁江区", "安岳县", "乐至县"]],
  ["雅安市", "511800", 2, ["雨城区", "名山区", "荥经县", "汉源县", "石棉县"]],
  ["巴中市", "511900", 2, ["巴州区", "恩阳区", "通江县", "南江县", "平昌县"]],
  ["攀枝花市", "510400", 3, ["东区", "西区", "仁和区", "米易县", "盐边县"]],
  ["广元市", "510800", 3, ["利州区", "昭化区", "朝天区", "旺苍县", "苍溪县"]],
  ["阿坝州", "513200", 2, ["马尔康市", "汶川县", "理县", "茂县", "松潘县"]],
  ["甘孜州", "513300", 2, ["康定市", "泸定县", "丹巴县", "九龙县", "稻城县"]],
  ["凉山州", "513400", 3, ["西昌市", "德昌县", "会理市", "会东县", "冕宁县"]],
];
const SITES = ["工业园", "经济开发区", "高新技术产业园", "物流园", "产业新城", "临港园区", "科技城", "食品产业园", "新材料产业园", "智能制造产业园"];

/** Industry, its code in the project code (TT), words for enterprise and project names. */
const INDUSTRIES: readonly (readonly [string, string, readonly string[], readonly string[]])[] = [
  ["装备制造", "34", ["重工", "智能装备", "机械"], ["智能装备产业园", "高端装备制造基地", "数控机床生产线"]],
  ["电子信息", "39", ["电子", "微电子", "光电"], ["电子元器件生产基地", "显示模组项目", "智能终端产业园"]],
  ["新材料", "26", ["新材料", "材料科技", "复合材料"], ["锂电材料项目", "高性能纤维项目", "新型建材生产线"]],
  ["生物医药", "27", ["生物", "药业", "医疗器械"], ["生物医药中试基地", "原料药生产项目", "医疗器械产业园"]],
  ["新能源", "44", ["新能源", "光能", "储能"], ["光伏组件制造项目", "储能电池项目", "氢能装备产业园"]],
  ["食品饮料", "14", ["食品", "酒业", "饮品"], ["食品精深加工项目", "白酒酿造技改项目", "冷链食品加工基地"]],
  ["现代物流", "59", ["物流", "供应链", "仓储"], ["冷链物流配送中心", "智慧物流园", "多式联运枢纽"]],
  ["数字经济", "65", ["云数", "数据", "信息技术"], ["算力数据中心", "数字产业园", "软件研发中心"]],
  ["化工", "26", ["化工", "精细化工", "化学"], ["精细化工项目", "化工新材料一体化项目", "磷化工技改项目"]],
  ["文化旅游", "87", ["文旅", "旅游开发", "文化"], ["文旅综合体", "康养度假区", "景区提升工程"]],
  ["汽车零部件", "36", ["汽车部件", "汽配", "车辆"], ["汽车零部件扩产项目", "新能源汽车配套园", "动力总成生产线"]],
  ["节能环保", "77", ["环保", "环境科技", "节能"], ["固废资源化利用项目", "污水处理厂", "再生资源产业园"]],
];
const BRANDS = "天府 蜀都 锦江 岷江 嘉陵 峨眉 青城 剑门 巴山 蜀道 川能 汇通 宏达 恒信 华西 蓉城 金沙 西部 长城 东方 瑞丰 鑫源 顺通 安宏 兴川 众诚 明德 远景 博源 和盛 泰康 润禾 中科 云帆 启航 凌云 万祥 聚力 正和 通达".split(" ");
const SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢".split("");
const GIVEN = "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 霞 平 刚 桂英 建华 志强 晓东 雪梅 海燕 文博 思远 雨欣 子涵 浩然 俊杰 欣怡 国强 红梅 建国 丹 鹏 宇".split(" ");

const LEVELS = [["province", 10], ["city", 40], ["county", 50]] as const;
const TEMPLATE_WEIGHTS = [["general-industrial", 45], ["approval-core", 25], ["standard-land", 30]] as const;
type Scenario = "started" | "ontime" | "paused" | "late" | "stalled";
const SCENARIOS = [["ontime", 48], ["paused", 14], ["late", 14], ["stalled", 12], ["started", 12]] as const;
const LOG_NOTES: Record<"visit" | "contact" | "coordination" | "note", readonly string[]> = {
  visit: ["上门走访企业，了解项目推进情况并协调解决用地问题", "陪同企业到政务服务中心现场办理申报", "到项目现场查看前期准备工作进展"],
  contact: ["电话告知企业下一批申报材料清单", "与企业项目负责人电话沟通审批进度", "微信提醒企业补齐申报材料"],
  coordination: ["协调相关部门并联审查，明确办理时限", "与审批部门会商中介服务时限", "组织部门现场踏勘，协调审查意见"],
  note: ["整理项目审批台账", "更新倒排计划"],
};
const CORRECTION_NOTES = ["申报材料不齐全，需补正", "设计方案与规划条件不符，需修改后补正", "报告书公众参与说明不完整，需补正"];
const SPECIAL_NOTES = ["批前公示 10 个工作日", "组织专家评审", "依法举行听证"];
const SUSPEND_NOTES = ["企业申请中止审查，调整建设方案", "等待上级部门意见，依法中止"];

// ---------------------------------------------------------------- set-up

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const db = createDb(dbPath);
migrateDb(db);
const sqlite: Database.Database = db.$client;
const now = new Date();
const nowMs = now.getTime();

const demoLoaded = await seedDemo(db, now);
if (demoLoaded) console.error(`seed:large: ${dbPath} was empty: demo city loaded (logins with password ${DEMO_PASSWORD})`);
const existingProjects = (sqlite.prepare("select count(*) as n from projects").get() as { n: number }).n;
if (existingProjects > 10 && !args.append) {
  console.error(`seed:large: ${dbPath} already holds ${existingProjects} projects (more than the demo's 10); add --append to add ${projectCount} more`);
  process.exit(2);
}

sqlite.pragma("journal_mode = WAL");
sqlite.pragma("synchronous = OFF");
sqlite.pragma("cache_size = -200000");

const cal = getCalendar(db);
const policy = getPolicy(db);
const today = cal.lastWorkingDayOnOrBefore(shanghaiDay(now));
const catalog = getTemplateCatalog(DEFAULT_DEPARTMENTS.map((d) => d.code));
const deptIds = new Map((sqlite.prepare("select id, code from departments").all() as { id: number; code: string }[]).map((d) => [d.code, d.id]));

/** A business day's instant at a Shanghai wall-clock hour, never after now. */
const at = (day: DayNum, hour = 10) => Math.min(instantOf(day, { hour, minute: int(0, 59) }), nowMs);
const specOf = (t: TemplateItem): ClockSpec => ({
  kind: t.kind,
  statutoryLimit: t.statutoryLimit ?? null,
  promisedLimit: t.promisedLimit ?? null,
  limitUnit: t.limitUnit,
  plannedDuration: t.plannedDuration ?? null,
  correctionRestartsClock: t.correctionRestartsClock ?? false,
  yellowLead: t.yellowLead ?? null,
});

interface Prepared {
  template: Template;
  order: TemplateItem[];
  preds: Map<string, { from: string; lag: number }[]>;
  specs: Map<string, ClockSpec>;
  /** Working days the item takes at its limit (calendar-day limits converted as the demo does). */
  wd: Map<string, number>;
  materials: string[];
  itemMaterials: Map<string, number[]>;
  startKey: string | null;
  /** Working days from signing to 开工 when everything runs at its limit, filings included. */
  nominal: number;
}

function prepareTemplate(template: Template): Prepared {
  const byKey = new Map(template.items.map((i) => [i.key, i]));
  const order = topologicalOrder(template.items.map((i) => i.key), template.dependencies)!.map((k) => byKey.get(k)!);
  const preds = new Map<string, { from: string; lag: number }[]>(template.items.map((i) => [i.key, []]));
  for (const d of template.dependencies) preds.get(d.to)!.push({ from: d.from, lag: d.lagWorkingDays });
  const specs = new Map(template.items.map((i) => [i.key, specOf(i)]));
  const wd = new Map(template.items.map((i) => {
    const limit = effectiveLimit(specs.get(i.key)!);
    return [i.key, i.limitUnit === "calendarDays" && i.kind === "approval" ? Math.round((limit * 5) / 7) : limit];
  }));
  const materials: string[] = [];
  const mIndex = new Map<string, number>();
  const itemMaterials = new Map<string, number[]>();
  for (const i of template.items) {
    const list: number[] = [];
    for (const m of i.materials) {
      if (!mIndex.has(m)) {
        mIndex.set(m, materials.length);
        materials.push(m);
      }
      if (!list.includes(mIndex.get(m)!)) list.push(mIndex.get(m)!);
    }
    itemMaterials.set(i.key, list);
  }
  const startKey = findStartKey(template.items);
  const finish = new Map<string, number>();
  for (const i of order) {
    let ready = 0;
    for (const p of preds.get(i.key)!) ready = Math.max(ready, finish.get(p.from)! + p.lag);
    finish.set(i.key, ready + (i.kind === "milestone" ? 1 : 3 + wd.get(i.key)!));
  }
  const nominal = startKey ? finish.get(startKey)! : Math.max(...finish.values());
  return { template, order, preds, specs, wd, materials, itemMaterials, startKey, nominal };
}

const templates = new Map<string, Prepared>();
for (const [key] of TEMPLATE_WEIGHTS) {
  const t = catalog.get(key);
  if (!t) throw new Error(`seed:large: shipped template ${key} not found in templates/`);
  templates.set(key, prepareTemplate(t));
}

// ---------------------------------------------------------------- statements

const q = {
  enterprise: sqlite.prepare("insert into enterprises (name, credit_code, contact_name, contact_phone, created_at) values (?, ?, ?, ?, ?)"),
  user: sqlite.prepare("insert into users (login, display_name, password_hash, role, email, phone, created_at) values (?, ?, ?, 'proxy', ?, ?, ?)"),
  project: sqlite.prepare(`insert into projects (code, name, enterprise_id, investment, industry, location, template_key, template_version, level,
      signed_on, target_start_on, status, closed_on, close_reason, last_progress_on, version, created_at, updated_at)
      values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
  updateProject: sqlite.prepare("update projects set status = ?, closed_on = ?, close_reason = ?, last_progress_on = ?, updated_at = ? where id = ?"),
  proxy: sqlite.prepare("insert or ignore into project_proxies (project_id, user_id) values (?, ?)"),
  item: sqlite.prepare(`insert into items (project_id, key, name, kind, department_id, stage, statutory_limit, promised_limit, limit_unit,
      planned_duration, correction_restarts_clock, yellow_lead, note, status, accepted_on, due_on, paused_on, pause_kind, decided_on,
      commitment_on, commitment_met_on, version, updated_at)
      values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
  material: sqlite.prepare("insert into materials (project_id, name, status, updated_at) values (?, ?, ?, ?)"),
  itemMaterial: sqlite.prepare("insert into item_materials (item_id, material_id) values (?, ?)"),
  dependency: sqlite.prepare("insert into dependencies (project_id, from_item_id, to_item_id, lag_working_days) values (?, ?, ?, ?)"),
  event: sqlite.prepare("insert into clock_events (item_id, type, \"on\", actor_user_id, note, detail, created_at) values (?, ?, ?, ?, ?, ?, ?)"),
  log: sqlite.prepare("insert into contact_logs (project_id, author_user_id, \"on\", kind, note, created_at) values (?, ?, ?, ?, ?, ?)"),
  escalation: sqlite.prepare("insert or ignore into escalations (project_id, item_id, action_item_id, level, due_on, dedupe_key, fire_at, fired_at, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
  enterpriseUser: sqlite.prepare("insert into users (login, display_name, password_hash, role, enterprise_id, email, phone, created_at) values (?, ?, ?, 'enterprise', ?, ?, ?, ?)"),
  rating: sqlite.prepare("insert into ratings (project_id, item_id, enterprise_user_id, score, comment, rated_on, follow_up_action_item_id, created_at) values (?, ?, ?, ?, ?, ?, ?, ?)"),
  actionItem: sqlite.prepare(`insert into action_items (source, project_id, item_id, owner_department_id, title, start_on, due_in_working_days, deadline_on, status,
      completed_on, evidence, closed_by_user_id, version, created_by_user_id, created_at) values ('rating', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
};

// ---------------------------------------------------------------- people and enterprises

const hash = await hashPassword(DEMO_PASSWORD);
const personName = () => pick(SURNAMES) + pick(GIVEN);
const phone = () => `1${pick(["38", "39", "58", "80", "86", "89"])}${String(int(0, 99999999)).padStart(8, "0")}`;

const proxyIds: number[] = [];
sqlite.transaction(() => {
  const existing = new Map((sqlite.prepare("select login, id from users where login like 'sc-proxy-%'").all() as { login: string; id: number }[]).map((u) => [u.login, u.id]));
  for (let i = 1; i <= 300; i++) {
    const login = `sc-proxy-${String(i).padStart(3, "0")}`;
    const id = existing.get(login) ?? Number(q.user.run(login, personName(), hash, `${login}@sc.greenchannel.local`, `028-8${String(6000000 + i).slice(-7)}`, nowMs).lastInsertRowid);
    proxyIds.push(id);
  }
})();
const coordinator = (sqlite.prepare("select id from users where role = 'coordinator' order by id limit 1").get() as { id: number } | undefined)?.id ?? null;
const followUpDays = getRatingFollowUpDays(db);
const demoProxy = (sqlite.prepare("select id from users where login = 'proxy'").get() as { id: number } | undefined)?.id ?? null;

const ALPHABET31 = "0123456789ABCDEFGHJKLMNPQRTUWXY";
function base31(n: number, width: number): string {
  let s = "";
  for (let i = 0; i < width; i++, n = Math.floor(n / 31)) s = ALPHABET31[n % 31] + s;
  return s;
}

interface Enterprise { id: number; region: number; industry: number; contactUserId: number }
const enterpriseCount = Math.max(1, Math.round(projectCount / 5));
const enterpriseBase = (sqlite.prepare("select count(*) as n from enterprises").get() as { n: number }).n;
const enterpriseList: Enterprise[] = [];
sqlite.transaction(() => {
  const names = new Set((sqlite.prepare("select name from enterprises").all() as { name: string }[]).map((e) => e.name));
  for (let i = 0; i < enterpriseCount; i++) {
    const region = REGIONS.indexOf(weighted(REGIONS.map((r) => [r, r[2]] as const)));
    const industry = int(0, INDUSTRIES.length - 1);
    const [rName, division] = REGIONS[region];
    const short = rName.replace(/[市州]$/, "");
    let name = "";
    for (let tries = 0; tries < 5 && (!name || names.has(name)); tries++) {
      name = `${short}${pick(BRANDS)}${pick(INDUSTRIES[industry][2])}${pick(["有限公司", "股份有限公司", "集团有限公司", "科技有限公司"])}`;
    }
    if (names.has(name)) name = name.replace("有限公司", `${i}号有限公司`);
    names.add(name);
    // 91 (工商, 企业) + division + "MA" + 7 characters numbering the enterprise + check character.
    const first17 = `91${division}MA${base31(enterpriseBase + i, 7)}`;
    const code = first17 + creditCodeCheckChar(first17)!;
    const contact = personName();
    const tel = phone();
    const id = Number(q.enterprise.run(name, code, contact, tel, nowMs).lastInsertRowid);
    // Its contact person signs in to the portal and rates the departments' service (好差评).
    const login = `sc-ent-${code.slice(-10).toLowerCase()}`;
    const contactUserId = Number(q.enterpriseUser.run(login, contact, hash, id, `${login}@sc.greenchannel.local`, tel, nowMs).lastInsertRowid);
    enterpriseList.push({ id, region, industry, contactUserId });
  }
})();

// ---------------------------------------------------------------- one project's history

interface PlannedEvent { ev: ClockEvent; note: string | null }

/**
 * Plays a project forward from signing to `stop`, item by item in dependency order (as
 * scripts/demo-seed.ts does), with per-item speeds, occasional corrections and late
 * approvals, and the scenario's stuck item at the frontier.
 */
function simulate(t: Prepared, signed: DayNum, stop: DayNum, scenario: Scenario, baseSpeed: number) {
  const finished = new Map<string, DayNum>();
  const plan = new Map<string, PlannedEvent[]>();
  let stuck: Scenario | null = scenario === "paused" || scenario === "late" ? scenario : null;
  const pauseKind: PauseKind = weighted([["correction", 60], ["special", 25], ["suspend", 15]] as const);
  for (const item of t.order) {
    const preds = t.preds.get(item.key)!;
    if (preds.some((d) => !finished.has(d.from))) continue;
    let ready = signed;
    for (const d of preds) ready = Math.max(ready, cal.addWorkingDays(finished.get(d.from)!, d.lag));
    let accept = cal.addWorkingDays(ready, item.kind === "milestone" ? 1 : int(1, 6));
    if (accept > stop) {
      // Filed today or in the last days, awaiting 受理 within §32's five working days.
      if (item.kind === "approval" && stop === today && rand() < 0.3) {
        const submit = Math.max(ready, cal.addWorkingDays(accept, -int(1, 3)));
        if (submit <= stop && submit < accept) plan.set(item.key, [{ ev: { type: "submit", on: submit }, note: null }]);
      }
      continue;
    }
    if (item.kind === "milestone") {
      plan.set(item.key, [{ ev: { type: "approve", on: accept }, note: null }]);
      finished.set(item.key, accept);
      continue;
    }
    const wdLimit = Math.max(1, t.wd.get(item.key)!);
    const evs: PlannedEvent[] = [];
    const late = rand() < 0.08;
    let span = late ? wdLimit + int(1, 6) : Math.max(1, Math.round(wdLimit * Math.min(1, baseSpeed * (0.6 + 0.6 * rand()))));
    let finish = cal.addWorkingDays(accept, span);
    if (stuck && item.kind === "approval" && finish >= cal.addWorkingDays(stop, -5)) {
      if (stuck === "late") {
        // Running past its due date by a few days to a few weeks.
        accept = Math.max(accept, cal.addWorkingDays(stop, -(wdLimit + int(1, 20))));
        plan.set(item.key, [{ ev: { type: "accept", on: accept }, note: null }]);
      } else {
        const pausedOn = Math.min(stop, cal.addWorkingDays(accept, int(1, Math.max(1, wdLimit - 1))));
        const type = pauseKind === "correction" ? "request_correction" : pauseKind === "special" ? "start_special" : "suspend";
        const note = pick(pauseKind === "correction" ? CORRECTION_NOTES : pauseKind === "special" ? SPECIAL_NOTES : SUSPEND_NOTES);
        plan.set(item.key, [{ ev: { type: "accept", on: accept }, note: null }, { ev: { type, on: pausedOn }, note }]);
      }
      stuck = null;
      continue;
    }
    // An application (申报) a few days before 受理 for half the approvals (行政许可法 §32).
    if (item.kind === "approval" && rand() < 0.5) {
      const submit = Math.max(ready, cal.addWorkingDays(accept, -int(1, 3)));
      if (submit < accept) evs.push({ ev: { type: "submit", on: submit }, note: null });
    }
    evs.push({ ev: { type: "accept", on: accept }, note: null });
    // A correction in one approval out of eight: the pause extends the clock (DESIGN §4).
    if (item.kind === "approval" && span >= 3 && rand() < 0.12) {
      const asked = cal.addWorkingDays(accept, int(1, span - 1));
      const back = cal.addWorkingDays(asked, int(2, 10));
      if (asked <= stop) evs.push({ ev: { type: "request_correction", on: asked }, note: pick(CORRECTION_NOTES) });
      if (back <= stop) {
        evs.push({ ev: { type: "receive_correction", on: back }, note: "补正材料已收到" });
        span += cal.workingDaysBetween(asked, back);
        finish = Math.max(cal.addWorkingDays(accept, span), cal.addWorkingDays(back, 1));
      } else {
        finish = Infinity;
      }
    }
    if (finish <= stop) {
      evs.push({ ev: { type: "approve", on: finish }, note: null });
      finished.set(item.key, finish);
    }
    plan.set(item.key, evs);
  }
  return plan;
}

// ---------------------------------------------------------------- the load

const projectBase = (sqlite.prepare("select count(*) as n from projects").get() as { n: number }).n;
let itemCount = 0;
let eventCount = 0;
let logCount = 0;
let escalationCount = 0;
let ratingCount = 0;
let ratingFollowUps = 0;
let lastDraw = 0;
function progress(done: number, total: number, label: string, force = false) {
  const t = performance.now();
  if (!force && t - lastDraw < 250) return;
  lastDraw = t;
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total} ${label}  ${elapsed()}   `);
}

function insertProject(index: number) {
  const scenario: Scenario = weighted(SCENARIOS);
  const templateKey = weighted(TEMPLATE_WEIGHTS);
  const t = templates.get(templateKey)!;
  const enterprise = pick(enterpriseList);
  const region = rand() < 0.8 ? enterprise.region : REGIONS.indexOf(weighted(REGIONS.map((r) => [r, r[2]] as const)));
  const [rName, division, , districts] = REGIONS[region];
  const district = pick(districts);
  const industry = rand() < 0.85 ? enterprise.industry : int(0, INDUSTRIES.length - 1);
  const [industryName, industryCode, , products] = INDUSTRIES[industry];
  const level = weighted(LEVELS);

  // Signed over the last two years, more of them recently; started projects are the older ones.
  const minAgo = scenario === "started" ? Math.min(470, Math.round(t.nominal * 1.1)) : scenario === "stalled" ? 45 : 5;
  const signedAgo = scenario === "started" ? int(minAgo, 480) : Math.max(minAgo, Math.round(Math.min(t.nominal * 0.9, 480) * Math.pow(rand(), 1.2)));
  const signed = cal.addWorkingDays(today, -signedAgo);
  const stop = scenario === "stalled" ? cal.addWorkingDays(today, -int(6, 40)) : today;
  const speed = scenario === "started" ? 0.6 + 0.3 * rand() : 0.5 + 0.5 * rand();
  const plan = simulate(t, signed, stop, scenario, speed);
  const target = cal.addWorkingDays(signed, Math.round(t.nominal * (0.75 + 0.6 * rand())));

  const proxyId = demoProxy !== null && index % Math.max(1, Math.floor(projectCount / 50)) === 0 && index / Math.max(1, Math.floor(projectCount / 50)) < 50 ? demoProxy : pick(proxyIds);
  const serial = 500000 + projectBase + index;
  const code = `${cal.format(signed).slice(0, 4)}-${division}-${industryCode}-03-${String(serial).padStart(6, "0")}`;
  const investment = level === "province" ? int(100000, 800000) : level === "city" ? int(10000, 120000) : int(2000, 30000);
  const name = `${pick(BRANDS)}${pick(products)}${pick(["", "", "一期", "二期", "（扩建）"])}`;
  const location = `${rName}${district}${pick(SITES)} ${int(1, 120)} 号`;
  const created = at(signed, 9);

  // Insert the project first (final status and progress date are set below, once known).
  const projectId = Number(
    q.project.run(code, name, enterprise.id, investment, industryName, location, t.template.key, t.template.version, level, cal.format(signed), cal.format(target), "active", null, null, cal.format(signed), 1, created, created).lastInsertRowid,
  );
  q.proxy.run(projectId, proxyId);
  if (rand() < 0.06) q.proxy.run(projectId, pick(proxyIds));

  // Items with their final clock columns, then their events in order.
  let lastOn = signed;
  const itemIds = new Map<string, number>();
  const running: { id: number; row: ReturnType<typeof storedColumns>; yellowLead: number | null }[] = [];
  const accepted = new Set<string>();
  const rated: { id: number; name: string; departmentId: number | null; decidedOn: DayNum }[] = [];
  let openItems = false;
  for (const item of t.template.items) {
    const spec = t.specs.get(item.key)!;
    const evs = plan.get(item.key) ?? [];
    let state: ClockState = initialClockState();
    for (const { ev } of evs) {
      const r = applyClockEvent(state, ev, spec, cal);
      if (!r.ok) throw new Error(`seed:large: project ${index} ${t.template.key}/${item.key} ${ev.type} ${cal.format(ev.on)}: ${r.message}`);
      state = r.state;
      lastOn = Math.max(lastOn, ev.on);
    }
    const cols = storedColumns(state, (d) => cal.format(d));
    const updated = state.lastEventOn === null ? created : at(state.lastEventOn, 16);
    const id = Number(
      q.item.run(projectId, item.key, item.name, item.kind, item.department ? deptIds.get(item.department) ?? null : null, item.stage, item.statutoryLimit ?? null, item.promisedLimit ?? null, item.limitUnit, item.plannedDuration ?? null,
        item.correctionRestartsClock ? 1 : 0, item.yellowLead ?? null, item.note ?? null, cols.status, cols.acceptedOn, cols.dueOn, cols.pausedOn, cols.pauseKind, cols.decidedOn, cols.commitmentOn, cols.commitmentMetOn, 1 + evs.length, updated).lastInsertRowid,
    );
    itemIds.set(item.key, id);
    itemCount++;
    for (const { ev, note } of evs) {
      q.event.run(id, ev.type, cal.format(ev.on), proxyId, note, null, at(ev.on, ev.type === "approve" ? 15 : 10));
      eventCount++;
    }
    if (state.acceptedOn !== null) accepted.add(item.key);
    if (isRatable({ kind: item.kind, status: state.status }) && state.decidedOn !== null && rand() < 0.35) {
      rated.push({ id, name: item.name, departmentId: item.department ? deptIds.get(item.department) ?? null : null, decidedOn: state.decidedOn });
    }
    if (state.status === "running") running.push({ id, row: cols, yellowLead: item.yellowLead ?? null });
    if (state.status !== "approved" && state.status !== "waived") openItems = true;
  }
  for (const d of t.template.dependencies) q.dependency.run(projectId, itemIds.get(d.from)!, itemIds.get(d.to)!, d.lagWorkingDays);
  // Materials: handed in (verified) once an item that needs them was filed, as the demo marks them.
  const verified = new Set<number>();
  for (const key of accepted) for (const m of t.itemMaterials.get(key)!) verified.add(m);
  const materialIds = t.materials.map((m, i) => Number(q.material.run(projectId, m, verified.has(i) ? "verified" : "missing", created).lastInsertRowid));
  for (const item of t.template.items) for (const m of t.itemMaterials.get(item.key)!) q.itemMaterial.run(itemIds.get(item.key)!, materialIds[m]);

  // 代办日志: a first visit at signing, then a contact every few weeks up to `stop`; an active
  // project that is not stalled has its officer's latest call within the last few days.
  const startKey = t.startKey;
  const startedOn = startKey ? plan.get(startKey)?.find((e) => e.ev.type === "approve")?.ev.on ?? null : null;
  const logEnd = startedOn ?? stop;
  const logs: [DayNum, "visit" | "contact" | "coordination" | "note"][] = [[signed, "visit"]];
  for (let d = cal.addWorkingDays(signed, int(8, 25)); d <= logEnd; d = cal.addWorkingDays(d, int(10, 35))) {
    logs.push([d, weighted([["contact", 50], ["visit", 20], ["coordination", 20], ["note", 10]] as const)]);
  }
  if (!startedOn && scenario !== "stalled") logs.push([cal.addWorkingDays(stop, -int(0, 3)), "contact"]);
  let lastLog = signed;
  for (const [d, kind] of logs) {
    if (d < signed || d > stop) continue;
    q.log.run(projectId, proxyId, cal.format(d), kind, pick(LOG_NOTES[kind]), at(d, 17));
    logCount++;
    if (kind !== "note") lastLog = Math.max(lastLog, d);
  }
  const lastProgress = Math.max(lastOn, lastLog);
  const status = startedOn ? "started" : "active";
  q.updateProject.run(status, startedOn ? cal.format(startedOn) : null, startedOn ? "项目已开工" : null, cal.format(lastProgress), at(lastProgress, 17), projectId);

  // Escalation timers: the ladder of each running item, the stall timer of an open project.
  const fire = (itemId: number | null, level: string, dueOn: DayNum, key: string, fireAt: number, actionItemId: number | null = null) => {
    q.escalation.run(projectId, itemId, actionItemId, level, cal.format(dueOn), key, fireAt, fireAt <= nowMs ? fireAt : null, Math.min(fireAt, nowMs));
    escalationCount++;
  };

  // 好差评: the enterprise rates a decided approval within a week; a 差评 opens its 整改 follow-up
  // (DESIGN §4: due 15 working days after the rating), most of the older ones closed by now.
  for (const r of rated) {
    const ratedOn = Math.min(today, cal.addWorkingDays(r.decidedOn, int(0, 5)));
    const score = weighted([[5, 62], [4, 24], [3, 9], [2, 3], [1, 2]] as const);
    let followUp: number | null = null;
    if (isPoorRating(score) && r.departmentId !== null) {
      const dueOn = cal.addWorkingDays(ratedOn, followUpDays);
      const closedOn = cal.addWorkingDays(ratedOn, int(3, followUpDays + 5));
      const closed = closedOn <= today && rand() < 0.9;
      followUp = Number(
        q.actionItem.run(projectId, r.id, r.departmentId, followUpTitle(r.name, score), cal.format(ratedOn), followUpDays, cal.format(dueOn), closed ? "closed" : "open",
          closed ? cal.format(closedOn) : null, closed ? "已约谈企业，说明办理情况并整改服务流程" : null, closed ? coordinator : null, closed ? 2 : 1, enterprise.contactUserId, at(ratedOn, 11)).lastInsertRowid,
      );
      ratingFollowUps++;
      if (!closed) for (const e of planActionItemEscalations(followUp, dueOn, ratedOn, cal, policy, ratedOn)) fire(null, e.level, e.dueOn, e.dedupeKey, e.fireAt, followUp);
    }
    q.rating.run(projectId, r.id, enterprise.contactUserId, score, score <= 2 ? pick(["办理时间过长，多次补正", "窗口告知不一次性，来回跑"]) : score === 5 ? pick([null, "服务热情，办理高效"]) : null, cal.format(ratedOn), followUp, at(ratedOn, 11));
    ratingCount++;
  }
  for (const r of running) {
    const overrides = r.yellowLead === null ? {} : { yellowLead: r.yellowLead };
    for (const e of planItemEscalations(r.id, cal.parse(r.row.dueOn!)!, cal.parse(r.row.acceptedOn!)!, cal, policy, overrides)) fire(r.id, e.level, e.dueOn, e.dedupeKey, e.fireAt);
  }
  const stall = planStallEscalation(projectId, { projectActive: status === "active", hasOpenItems: openItems, lastProgressOn: lastProgress }, cal, policy);
  if (stall) fire(null, stall.level, stall.dueOn, stall.dedupeKey, stall.fireAt);
}

const BATCH = 250;
const loadStarted = performance.now();
const batch = sqlite.transaction((from: number, to: number) => {
  for (let i = from; i < to; i++) insertProject(i);
});
for (let from = 0; from < projectCount; from += BATCH) {
  batch(from, Math.min(projectCount, from + BATCH));
  progress(Math.min(projectCount, from + BATCH), projectCount, "projects", from + BATCH >= projectCount);
}
process.stderr.write("\n");
const loadSeconds = (performance.now() - loadStarted) / 1000;

// ---------------------------------------------------------------- stored dashboard figures

sqlite.pragma("synchronous = NORMAL");
console.error("seed:large: analysing and refreshing the stored dashboard figures…");
sqlite.pragma("analysis_limit = 1000");
sqlite.exec("analyze");
lastDraw = 0;
let statsDone = 0;
let statsTotal = 0;
refreshAllStats(db, now, (done, total) => {
  [statsDone, statsTotal] = [done, total];
  progress(done, total, "stats");
});
if (statsTotal) progress(statsDone, statsTotal, "stats", true);
process.stderr.write("\n");
sqlite.pragma("wal_checkpoint(TRUNCATE)");
db.$client.close();

const size = (p: string) => (existsSync(p) ? statSync(p).size : 0);
const bytes = size(dbPath) + size(`${dbPath}-wal`);
console.log(
  `seed:large: ${projectCount} projects (${itemCount} items, ${eventCount} clock events, ${logCount} log entries, ${ratingCount} ratings (${ratingFollowUps} 差评 follow-ups), ${escalationCount} escalation rows, ${enterpriseCount} enterprises, ${proxyIds.length} proxy officers) ` +
    `in ${elapsed()} (projects ${loadSeconds.toFixed(0)} s); ${dbPath} ${(bytes / 1024 / 1024).toFixed(0)} MB`,
);
