/**
 * The malformed-input corpus (issue 14): one table of bad requests over the JSON
 * API, the page forms and the imports. Every case must be refused with a 4xx whose
 * answer carries a Chinese message, and must write nothing — never a 500.
 *
 * Each case runs against its own copy of the demo city (tests/setup/db.ts), through
 * the real route modules: API routes with a bearer token (as tests/integration/api.test.ts),
 * page actions with a signed-in session cookie (as project-setup.test.ts).
 *
 * "Writes nothing" is a fingerprint of the whole database taken before and after
 * the request: for every table in sqlite_master, its row count and a hash of all its
 * rows, plus the files under UPLOAD_DIR. Left out, because a refused request may
 * legitimately touch them:
 *  - audit_log: access denials and integration API calls are recorded on purpose;
 *  - api_tokens.last_used_at, sessions.last_seen_at and sessions.expires_at: using a
 *    token or a session stamps it (sliding expiry), whether or not the request succeeds.
 *
 * Not malformed by design, so asserted separately below and not counted: unknown keys
 * in JSON API bodies are ignored (DESIGN §6 gives each body's fields and no rule against
 * others; zod strips them), and a lowercase credit code is normalised to upper case.
 * Template files, in contrast, are checked strictly: an unknown key there is refused.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import ExcelJS from "exceljs";
import { beforeEach, describe, expect, it } from "vitest";
import { LEDGER_CITY_ITEM_HEADERS, LEDGER_PROJECT_HEADERS } from "~/domain/ledger/columns";
import { creditCodeCheckChar } from "~/domain/enterprise/credit-code";
import { createApiToken } from "~/services/auth.server";
import { loadConfig } from "~/utils/config.server";
import { getDb } from "~/utils/db.server";
import { action as loginAction } from "~/routes/login";
import { loader as calendarAdd } from "~/routes/api.v1.calendar.add";
import { loader as calendarBetween } from "~/routes/api.v1.calendar.between";
import { action as apiProjects } from "~/routes/api.v1.projects._index";
import { action as apiProject, loader as apiProjectGet } from "~/routes/api.v1.projects.$id._index";
import { loader as apiSchedule } from "~/routes/api.v1.projects.$id.schedule";
import { action as apiEvents } from "~/routes/api.v1.projects.$id.items.$key.events";
import { action as apiRating } from "~/routes/api.v1.projects.$id.items.$key.rating";
import { action as apiMessages } from "~/routes/api.v1.projects.$id.messages";
import { action as apiSupervision } from "~/routes/api.v1.projects.$id.supervision";
import { action as apiMeetings } from "~/routes/api.v1.meetings._index";
import { action as apiAgenda } from "~/routes/api.v1.meetings.$id.agenda";
import { action as apiDecisions } from "~/routes/api.v1.meetings.$id.decisions";
import { action as apiClose } from "~/routes/api.v1.action-items.$id.close";
import { action as newProjectAction } from "~/routes/_app.projects.new";
import { action as projectAction } from "~/routes/_app.projects.$projectId";
import { action as projectMessagesAction } from "~/routes/_app.projects_.$projectId.messages";
import { action as newMeetingAction } from "~/routes/_app.meetings.new";
import { action as meetingAction } from "~/routes/_app.meetings.$id";
import { action as usersAction } from "~/routes/_app.admin.users";
import { action as departmentsAction } from "~/routes/_app.admin.departments";
import { action as templatesAction } from "~/routes/_app.admin.templates._index";
import { action as ledgerUploadAction } from "~/routes/_app.admin.import._index";
import { action as ledgerConfirmAction } from "~/routes/_app.admin.import.$jobId";
import { action as passwordAction } from "~/routes/account.password";
import { action as briefingsAction } from "~/routes/_app.dashboard.briefings._index";
import { action as inviteAction } from "~/routes/invite.$token";
import { DEMO_PASSWORD } from "../../scripts/demo-seed";
import { useDemoCity } from "../setup/db";
import { call } from "./api-helpers";

useDemoCity();

// ---------------------------------------------------------------- the world each case sees

type Role = "admin" | "proxy" | "coordinator" | "enterprise" | "leader" | "dept";

interface World {
  /** An active project of the demo proxy officer, and one of its items. */
  project: number;
  itemKey: string;
  /** The demo enterprise contact's project and one of its finished approvals. */
  entProject: number;
  finishedKey: string;
  /** A dependency of that project (from → to), to be closed into a cycle. */
  edge: { from: string; to: string };
  /** A planned meeting, the open action item of the demo city, the demo proxy's user id. */
  meeting: number;
  actionItem: number;
  proxyId: number;
}

const db = () => getDb();
const one = <T,>(q: string) => {
  const row = db().get<T>(sql.raw(q));
  if (!row) throw new Error(`demo city has no row for: ${q}`);
  return row;
};

function world(): World {
  const p = one<{ id: number; key: string }>(
    "select p.id, i.key from projects p join project_proxies pp on pp.project_id = p.id join users u on u.id = pp.user_id join items i on i.project_id = p.id where u.login = 'proxy' and p.status = 'active' order by p.id, i.id limit 1",
  );
  const e = one<{ id: number; key: string }>(
    "select p.id, i.key from projects p join users u on u.enterprise_id = p.enterprise_id join items i on i.project_id = p.id where u.login = 'enterprise' and i.kind = 'approval' and i.status = 'approved' order by p.id, i.id limit 1",
  );
  const edge = one<{ from: string; to: string }>(
    `select f.key as "from", t.key as "to" from dependencies d join items f on f.id = d.from_item_id join items t on t.id = d.to_item_id where d.project_id = ${p.id} limit 1`,
  );
  return {
    project: p.id,
    itemKey: p.key,
    edge,
    entProject: e.id,
    finishedKey: e.key,
    meeting: one<{ id: number }>("select id from meetings where status = 'planned' limit 1").id,
    actionItem: one<{ id: number }>("select id from action_items where status = 'open' limit 1").id,
    proxyId: one<{ id: number }>("select id from users where login = 'proxy'").id,
  };
}

let w: World;
const tokens = new Map<Role, string>();
const cookies = new Map<Role, string>();

function token(role: Role): string {
  if (!tokens.has(role)) tokens.set(role, createApiToken(db(), role, "malformed-input"));
  return tokens.get(role)!;
}

/**
 * Signing in is slow on purpose (scrypt), so each role signs in once per file through
 * the real sign-in action; a later case's fresh copy of the demo city gets that
 * session's stored row back (the copies share user ids), and the same cookie works.
 */
const signedIn = new Map<Role, { cookie: string; rows: Record<string, unknown>[] }>();

function sessionRows(role: Role): Record<string, unknown>[] {
  const hasTable = db().get(sql`select 1 as x from sqlite_master where type = 'table' and name = 'sessions'`);
  return hasTable ? db().$client.prepare("select * from sessions where user_id = (select id from users where login = ?)").all(role) as Record<string, unknown>[] : [];
}

async function cookie(role: Role): Promise<string> {
  if (cookies.has(role)) return cookies.get(role)!;
  const known = signedIn.get(role);
  if (known) {
    for (const row of known.rows) {
      const cols = Object.keys(row);
      db().$client.prepare(`insert or ignore into sessions (${cols.map((c) => `"${c}"`).join(", ")}) values (${cols.map(() => "?").join(", ")})`).run(...Object.values(row));
    }
    cookies.set(role, known.cookie);
    return known.cookie;
  }
  const res = (await loginAction({
    request: new Request("http://localhost/login", { method: "POST", body: new URLSearchParams({ login: role, password: DEMO_PASSWORD }) }),
    params: {},
    context: {},
  })) as Response;
  const c = (res.headers.get("Set-Cookie") ?? "").split(";")[0];
  if (!c) throw new Error(`sign-in as ${role} failed (${res.status})`);
  signedIn.set(role, { cookie: c, rows: sessionRows(role) });
  cookies.set(role, c);
  return c;
}

// ---------------------------------------------------------------- what an answer is

/** Status and everything the user is shown (message and per-field messages). */
interface Answer {
  status: number;
  text: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- route modules are called with Remix's args
type RouteFn = (args: any) => unknown;

/**
 * Calls a page action as Remix does and reads its answer: a `data()` answer, a
 * Response returned or thrown (redirects, 403/404 pages). Anything else thrown
 * would reach the error boundary, which Remix answers with a 500.
 */
async function page(fn: RouteFn, request: Request, params: Record<string, string> = {}): Promise<Answer> {
  armedFingerprint();
  let out: unknown;
  try {
    out = await fn({ request, params, context: {} });
  } catch (e) {
    if (!(e instanceof Response)) return { status: 500, text: `thrown: ${String(e)}` };
    out = e;
  }
  if (out instanceof Response) return { status: out.status, text: await out.text() };
  const d = out as { type?: string; data?: unknown; init?: { status?: number } | null };
  if (d && d.type === "DataWithResponseInit") return { status: d.init?.status ?? 200, text: JSON.stringify(d.data) };
  return { status: 200, text: JSON.stringify(out) };
}

async function api(fn: RouteFn, path: string, opts: { role?: Role; method?: string; json?: unknown; raw?: string; type?: string | null; params?: Record<string, string> }): Promise<Answer> {
  const bearer = token(opts.role ?? "proxy");
  armedFingerprint();
  const r = await call(fn as never, path, {
    token: bearer,
    method: opts.method,
    json: opts.json,
    rawBody: opts.raw,
    contentType: opts.type,
    params: opts.params,
  });
  // The API's error shape (DESIGN §6): the message is what a client shows.
  return { status: r.status, text: r.status >= 400 ? String(r.body?.error?.message ?? JSON.stringify(r.body)) : JSON.stringify(r.body) };
}

async function form(fn: RouteFn, path: string, role: Role, fields: Record<string, string | string[]>, params: Record<string, string> = {}): Promise<Answer> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) body.append(k, x);
  return page(fn, new Request(`http://localhost${path}`, { method: "POST", body, headers: { Cookie: await cookie(role) } }), params);
}

async function rawForm(fn: RouteFn, path: string, role: Role, body: BodyInit, type: string | null, params: Record<string, string> = {}): Promise<Answer> {
  const headers = new Headers({ Cookie: await cookie(role) });
  if (type) headers.set("Content-Type", type);
  return page(fn, new Request(`http://localhost${path}`, { method: "POST", body, headers }), params);
}

async function upload(fn: RouteFn, path: string, file: File, params: Record<string, string> = {}): Promise<Answer> {
  const fd = new FormData();
  fd.set("file", file);
  return page(fn, new Request(`http://localhost${path}`, { method: "POST", body: fd, headers: { Cookie: await cookie("admin") } }), params);
}

// ---------------------------------------------------------------- "nothing was written"

const SKIP_TABLES = new Set(["audit_log"]);
const SKIP_COLUMNS: Record<string, string[]> = { api_tokens: ["last_used_at"], sessions: ["last_seen_at", "expires_at"] };

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [`${p}:${statSync(p).size}`];
  });
}

/**
 * The case's "before" is taken at its request, once the sign-in and token it uses exist
 * (making those writes; the request must not), and after its setup.
 */
let armed = false;
let before: Record<string, string> | null = null;
function armedFingerprint() {
  if (armed && !before) before = fingerprint();
}

/** Every table's columns but the skipped ones; the schema is the same in every copy, so read once. */
let shape: { table: string; select: string }[] | null = null;

function fingerprint(): Record<string, string> {
  const client = db().$client;
  shape ??= (client.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name").all() as { name: string }[])
    .filter(({ name }) => !SKIP_TABLES.has(name))
    .map(({ name }) => {
      const columns = (client.prepare(`select name from pragma_table_info('${name}')`).all() as { name: string }[]).map((c) => c.name).filter((c) => !(SKIP_COLUMNS[name] ?? []).includes(c));
      return { table: name, select: `select ${columns.map((c) => `"${c}"`).join(", ")} from "${name}" order by rowid` };
    });
  const out: Record<string, string> = {};
  for (const { table, select } of shape) {
    const rows = client.prepare(select).raw().all();
    out[table] = `${rows.length}:${createHash("sha1").update(JSON.stringify(rows)).digest("hex")}`;
  }
  out["(uploads)"] = filesUnder(loadConfig().uploadDir).sort().join("|");
  return out;
}

// ---------------------------------------------------------------- inputs

const HUGE = "项".repeat(100_000);
const RLO = "\u202E";
const ZWSP = "\u200B";
const LONE = "\uD800";
const NUL = "\u0000";
const OVERFLOW = "99999999999999999999";

const credit = (first17: string) => first17 + creditCodeCheckChar(first17);
const GOOD_CREDIT = credit("91330100MA2M7N8P1");
const wrongCheck = (c: string) => c.slice(0, 17) + (c[17] === "0" ? "1" : "0");

const projectJson = (over: Record<string, unknown> = {}) => ({
  name: "畸形输入测试项目",
  enterprise: { name: "畸形输入测试有限公司", creditCode: GOOD_CREDIT },
  templateKey: "general-industrial",
  signedOn: "2026-09-01",
  targetStartOn: "2027-03-01",
  ...over,
});

const newProjectForm = (over: Record<string, string | string[] | null> = {}) => {
  const base: Record<string, string | string[] | null> = {
    name: "畸形输入表单项目",
    "enterprise.name": "畸形输入表单有限公司",
    "enterprise.creditCode": GOOD_CREDIT,
    investment: "5000",
    level: "city",
    templateKey: "general-industrial",
    signedOn: "2026-11-02",
    targetStartOn: "2027-04-30",
    proxyUserIds: String(w.proxyId),
    ...over,
  };
  return Object.fromEntries(Object.entries(base).filter((e): e is [string, string | string[]] => e[1] !== null));
};

/** A small valid template (DESIGN §5) for the template import; cases break one thing each. */
const template = (over: Record<string, unknown> = {}) => ({
  key: "malformed-mini",
  version: 1,
  name: "畸形输入测试模板",
  items: [
    { key: "filing", name: "企业投资项目备案", kind: "approval", department: "发改", stage: 1, statutoryLimit: 1, promisedLimit: 1 },
    { key: "permit", name: "建筑工程施工许可证", kind: "approval", department: "住建", stage: 3, statutoryLimit: 7, promisedLimit: 5 },
    { key: "start", name: "开工", kind: "milestone" },
  ],
  dependencies: [
    { from: "filing", to: "permit" },
    { from: "permit", to: "start" },
  ],
  ...over,
});
const jsonFile = (v: unknown, name = "模板.json") => new File([typeof v === "string" ? v : JSON.stringify(v)], name, { type: "application/json" });

type Cells = Record<string, ExcelJS.CellValue>;
async function workbook(sheets: Record<string, { headers: readonly string[]; rows: Cells[] }>): Promise<File> {
  const wb = new ExcelJS.Workbook();
  for (const [name, s] of Object.entries(sheets)) {
    const ws = wb.addWorksheet(name);
    ws.addRow([...s.headers]);
    for (const r of s.rows) ws.addRow(s.headers.map((h) => r[h] ?? null));
  }
  return new File([new Uint8Array(await wb.xlsx.writeBuffer())], "台账.xlsx");
}
let ledgerSeq = 0;
const ledgerRow = (over: Cells = {}): Cells => ({
  项目代码: `2026-330100-34-03-${String(900 + ++ledgerSeq).padStart(6, "0")}`,
  项目名称: `畸形台账项目${ledgerSeq}`,
  建设单位: `畸形台账企业${ledgerSeq}有限公司`,
  统一社会信用代码: credit(`91330100MA2K${String(ledgerSeq).padStart(5, "0")}`),
  "投资额（万元）": 1000,
  项目级别: "市重点",
  模板: "general-industrial",
  签约日期: "2026-03-02",
  计划开工日期: "2026-12-31",
  ...over,
});
const ledger = (rows: Cells[]) => workbook({ 项目台账: { headers: LEDGER_PROJECT_HEADERS, rows }, 审批事项: { headers: LEDGER_CITY_ITEM_HEADERS, rows: [] } });

/**
 * A ledger whose every row is wrong is previewed (the preview, its job row and the
 * stored file are the point of uploading: each row's problem is shown on its row), but
 * there is nothing to import: confirming it is the refusal. The preview must name the
 * problem in Chinese; the confirmation is the case's request.
 */
async function previewed(rows: Cells[], problem: RegExp): Promise<number> {
  const res = await page(ledgerUploadAction, await uploadRequest(await ledger(rows)));
  expect(res.status, res.text).toBe(302);
  const job = one<{ id: number; preview: string }>("select id, preview from import_jobs order by id desc limit 1");
  expect(job.preview).toMatch(problem);
  return job.id;
}
async function uploadRequest(file: File): Promise<Request> {
  const fd = new FormData();
  fd.set("file", file);
  return new Request("http://localhost/admin/import", { method: "POST", body: fd, headers: { Cookie: await cookie("admin") } });
}
const confirmImport = async (id: number) => form(ledgerConfirmAction, `/admin/import/${id}`, "admin", { intent: "confirm" }, { jobId: String(id) });

// ---------------------------------------------------------------- the corpus

interface Case {
  name: string;
  surface: "api" | "form" | "import";
  /** Runs before the fingerprint is taken: what the request needs to exist. */
  setup?: () => Promise<unknown>;
  send: (prepared: unknown) => Promise<Answer>;
  /** Where a case could be refused for another reason than the one it is about: what the message must say. */
  says?: RegExp;
  /** Expected status range; every case expects a 4xx. */
  status?: [number, number];
}

const P = () => `/api/v1/projects/${w.project}`;
const pid = () => ({ id: String(w.project) });
const ev = (body: unknown, opts: { raw?: string; type?: string | null } = {}) =>
  api(apiEvents, `${P()}/items/${w.itemKey}/events`, { json: opts.raw === undefined ? body : undefined, raw: opts.raw, type: opts.type, params: { ...pid(), key: w.itemKey } });
const patch = (json: unknown) => api(apiProject, P(), { method: "PATCH", json, params: pid() });
const create = (json: unknown) => api(apiProjects, "/api/v1/projects", { json });
const rate = (json: unknown) => api(apiRating, `/api/v1/projects/${w.entProject}/items/${w.finishedKey}/rating`, { role: "enterprise", json, params: { id: String(w.entProject), key: w.finishedKey } });
const message = (json: unknown) => api(apiMessages, `${P()}/messages`, { json, params: pid() });
const supervise = (json: unknown) => api(apiSupervision, `${P()}/supervision`, { role: "coordinator", json, params: pid() });
const meeting = (json: unknown) => api(apiMeetings, "/api/v1/meetings", { role: "coordinator", json });
const agenda = (json: unknown) => api(apiAgenda, `/api/v1/meetings/${w.meeting}/agenda`, { role: "coordinator", json, params: { id: String(w.meeting) } });
const decision = (json: unknown) => api(apiDecisions, `/api/v1/meetings/${w.meeting}/decisions`, { role: "coordinator", json, params: { id: String(w.meeting) } });
const closeItem = (json: unknown, id = String(w.actionItem)) => api(apiClose, `/api/v1/action-items/${id}/close`, { role: "coordinator", json, params: { id } });
const add = (q: string) => api(calendarAdd, `/api/v1/calendar/add?${q}`, {});
const between = (q: string) => api(calendarBetween, `/api/v1/calendar/between?${q}`, {});
const task = (over: Record<string, unknown> = {}) => ({ title: "完成用地预审", leadDepartment: "自然资源", dueInWorkingDays: 5, ...over });

const newProject = (over: Record<string, string | string[] | null>) => form(newProjectAction, "/projects/new", "proxy", newProjectForm(over));
const projectPage = (fields: Record<string, string | string[]>, role: Role = "proxy") => form(projectAction, `/projects/${w.project}`, role, fields, { projectId: String(w.project) });
const newMeeting = (over: Record<string, string>) => form(newMeetingAction, "/meetings/new", "coordinator", { intent: "create", type: "joint", title: "畸形输入协调会", heldOn: "2026-12-10", ...over });
const meetingPage = (fields: Record<string, string>) => form(meetingAction, `/meetings/${w.meeting}`, "coordinator", fields, { id: String(w.meeting) });
const newUser = (over: Record<string, string>) => form(usersAction, "/admin/users", "admin", { intent: "create", login: "malformed-user", displayName: "畸形用户", role: "proxy", ...over });
const newDepartment = (over: Record<string, string>) => form(departmentsAction, "/admin/departments", "admin", { intent: "create", code: "畸形局", name: "畸形输入测试局", level: "city", ...over });
const importTemplate = (file: File) => upload(templatesAction, "/admin/templates", file);
const postMessage = (fields: Record<string, string>) => form(projectMessagesAction, `/projects/${w.project}/messages`, "proxy", { intent: "message", ...fields }, { projectId: String(w.project) });
const password = (fields: Record<string, string>) => form(passwordAction, "/account/password", "proxy", { intent: "change", ...fields });

const CASES: Case[] = [
  // ---- JSON API: dates
  { name: "event on 2026-02-30", surface: "api", send: () => ev({ type: "submit", on: "2026-02-30" }) },
  { name: "event on 2026-13-01", surface: "api", send: () => ev({ type: "submit", on: "2026-13-01" }) },
  { name: "event on 明天", surface: "api", send: () => ev({ type: "submit", on: "明天" }) },
  { name: "event on 1e20 (a number)", surface: "api", send: () => ev({ type: "submit", on: 1e20 }) },
  { name: "event on 2026-9-1 (not zero-padded)", surface: "api", send: () => ev({ type: "submit", on: "2026-9-1" }) },
  { name: "event on a date with a zero-width space", surface: "api", send: () => ev({ type: "submit", on: `2026-09-01${ZWSP}` }) },
  { name: "project signed on 2026-02-29 (not a leap year)", surface: "api", send: () => create(projectJson({ signedOn: "2026-02-29" })) },
  { name: "project target start before signing", surface: "api", send: () => create(projectJson({ targetStartOn: "2026-08-31" })) },
  { name: "PATCH target start 0000-00-00", surface: "api", send: () => patch({ targetStartOn: "0000-00-00", reason: "调整" }) },
  { name: "PATCH target start as an array", surface: "api", send: () => patch({ targetStartOn: ["2027-05-01"], reason: "调整" }) },
  { name: "PATCH without a reason", surface: "api", send: () => patch({ targetStartOn: "2027-05-01" }) },
  { name: "meeting held on 2026-04-31", surface: "api", send: () => meeting({ type: "joint", title: "协调会", heldOn: "2026-04-31" }) },
  { name: "calendar add from 2026-02-30", surface: "api", send: () => add("from=2026-02-30&days=3") },
  { name: "calendar between 明天 and 后天", surface: "api", send: () => between("from=%E6%98%8E%E5%A4%A9&to=%E5%90%8E%E5%A4%A9") },
  { name: "calendar between without to", surface: "api", send: () => between("from=2026-09-01") },
  { name: "schedule asOf 2026-13-01", surface: "api", send: () => api(apiSchedule, `${P()}/schedule?asOf=2026-13-01`, { params: pid() }) },
  // ---- JSON API: numbers
  { name: "calendar add 10^9 working days", surface: "api", send: () => add("from=2026-09-01&days=1000000000") },
  { name: "calendar add 1e309 days", surface: "api", send: () => add("from=2026-09-01&days=1e309") },
  { name: "calendar add NaN days", surface: "api", send: () => add("from=2026-09-01&days=NaN") },
  { name: "calendar add 1.5 days", surface: "api", send: () => add("from=2026-09-01&days=1.5") },
  { name: "project investment -1", surface: "api", send: () => create(projectJson({ investment: -1 })) },
  { name: "project investment 1e309 (Infinity once parsed)", surface: "api", send: () => api(apiProjects, "/api/v1/projects", { raw: JSON.stringify(projectJson()).replace(/}$/, ',"investment":1e309}') }) },
  { name: "project investment 'NaN'", surface: "api", send: () => create(projectJson({ investment: "NaN" })) },
  { name: "rating score 0", surface: "api", send: () => rate({ score: 0 }) },
  { name: "rating score 2.5", surface: "api", send: () => rate({ score: 2.5 }) },
  { name: "rating score true (a boolean)", surface: "api", send: () => rate({ score: true }) },
  { name: "rating score [3] (an array)", surface: "api", send: () => rate({ score: [3] }) },
  { name: "supervision due in -1 working days", surface: "api", send: () => supervise({ note: "加快推进审批", itemKey: w.itemKey, dueInWorkingDays: -1 }), says: /时限/ },
  { name: "supervision due in 10^9 working days", surface: "api", send: () => supervise({ note: "加快推进审批", itemKey: w.itemKey, dueInWorkingDays: 1_000_000_000 }), says: /时限/ },
  { name: "supervision due in true working days (a boolean)", surface: "api", send: () => supervise({ note: "加快推进审批", itemKey: w.itemKey, dueInWorkingDays: true }), says: /时限/ },
  { name: "supervision due in [5] working days (an array)", surface: "api", send: () => supervise({ note: "加快推进审批", itemKey: w.itemKey, dueInWorkingDays: [5] }), says: /时限/ },
  { name: "supervision due in null working days", surface: "api", send: () => supervise({ note: "加快推进审批", itemKey: w.itemKey, dueInWorkingDays: null }), says: /时限/ },
  { name: "decision action item due in 10^9 working days", surface: "api", send: () => decision({ text: "限期完成", actionItems: [task({ dueInWorkingDays: 1e9 })] }) },
  { name: "decision action item due on 2026-02-30", surface: "api", send: () => decision({ text: "限期完成", actionItems: [task({ dueInWorkingDays: undefined, dueOn: "2026-02-30" })] }) },
  // ---- JSON API: huge strings, wrong types, unicode
  { name: "project name of 100k characters", surface: "api", send: () => create(projectJson({ name: HUGE })) },
  { name: "message body of 100k characters", surface: "api", send: () => message({ body: HUGE }) },
  { name: "event note of 100k characters", surface: "api", send: () => ev({ type: "submit", on: "2026-09-01", note: HUGE }) },
  { name: "project name a number", surface: "api", send: () => create(projectJson({ name: 12345 })) },
  { name: "project enterprise an array", surface: "api", send: () => create(projectJson({ enterprise: [GOOD_CREDIT] })) },
  { name: "project enterprise null", surface: "api", send: () => create(projectJson({ enterprise: null })) },
  { name: "project name a nested object", surface: "api", send: () => create(projectJson({ name: { zh: "项目" } })) },
  { name: "event type unknown", surface: "api", send: () => ev({ type: "teleport", on: "2026-09-01" }) },
  { name: "message body null", surface: "api", send: () => message({ body: null }) },
  { name: "body a JSON array", surface: "api", send: () => meeting([{ type: "joint" }]) },
  { name: "body the JSON literal null", surface: "api", send: () => ev(null) },
  { name: "project name only zero-width spaces", surface: "api", send: () => create(projectJson({ name: ZWSP.repeat(4) })) },
  { name: "project name with an RTL override", surface: "api", send: () => create(projectJson({ name: `项目${RLO}fdp.exe` })) },
  { name: "project name with a lone surrogate", surface: "api", send: () => create(projectJson({ name: `项目${LONE}名称` })) },
  { name: "project name with a NUL byte", surface: "api", send: () => create(projectJson({ name: `项目${NUL}名称` })) },
  { name: "message body with an escape character", surface: "api", send: () => message({ body: "你好\u001b[31m" }) },
  { name: "decision text with a lone low surrogate", surface: "api", send: () => decision({ text: "限期\uDC00完成", actionItems: [task()] }) },
  { name: "unknown key made of an RTL override", surface: "api", send: () => message({ body: "你好", [`x${RLO}`]: 1 }) },
  { name: "message body only zero-width spaces", surface: "api", send: () => message({ body: ZWSP.repeat(3) }) },
  { name: "meeting title with an RTL override", surface: "api", send: () => meeting({ type: "joint", title: `协调会${RLO}议会`, heldOn: "2026-12-10" }) },
  { name: "action item close note only zero-width spaces", surface: "api", send: () => closeItem({ note: ZWSP.repeat(5) }), says: /不可见/ },
  // ---- JSON API: credit codes
  { name: "credit code with a wrong check character", surface: "api", send: () => create(projectJson({ enterprise: { name: "校验位测试有限公司", creditCode: wrongCheck(GOOD_CREDIT) } })) },
  { name: "credit code 17 characters", surface: "api", send: () => create(projectJson({ enterprise: { name: "长度测试有限公司", creditCode: GOOD_CREDIT.slice(0, 17) } })) },
  { name: "credit code with a zero-width space inside", surface: "api", send: () => create(projectJson({ enterprise: { name: "零宽测试有限公司", creditCode: GOOD_CREDIT.slice(0, 9) + ZWSP + GOOD_CREDIT.slice(9) } })) },
  { name: "credit code with letters outside the alphabet (I, O)", surface: "api", send: () => create(projectJson({ enterprise: { name: "字符测试有限公司", creditCode: "91330100MA2IO8P1X0" } })) },
  // ---- JSON API: templates inline, missing fields, malformed bodies, ids
  { name: "inline template with a dependency cycle", surface: "api", send: () => create(projectJson({ templateKey: undefined, template: template({ dependencies: [{ from: "filing", to: "permit" }, { from: "permit", to: "filing" }, { from: "permit", to: "start" }] }) })) },
  { name: "project without signedOn", surface: "api", send: () => create(projectJson({ signedOn: undefined })) },
  { name: "decision without action items' lead department", surface: "api", send: () => decision({ text: "限期完成", actionItems: [task({ leadDepartment: undefined })] }) },
  { name: "agenda for project id 99999999999999999999", surface: "api", send: () => agenda({ projectId: Number(OVERFLOW) }) },
  { name: "agenda for project id '1; drop table projects'", surface: "api", send: () => agenda({ projectId: "1; drop table projects" }) },
  { name: "malformed JSON", surface: "api", send: () => ev(undefined, { raw: '{"type": "submit", "on": ' }) },
  { name: "JSON with a trailing comma", surface: "api", send: () => ev(undefined, { raw: '{"type": "submit", "on": "2026-09-01",}' }) },
  { name: "form-encoded body to the API", surface: "api", send: () => ev(undefined, { raw: "type=submit&on=2026-09-01", type: "application/x-www-form-urlencoded" }) },
  { name: "JSON body without a Content-Type", surface: "api", send: () => ev(undefined, { raw: '{"type":"submit","on":"2026-09-01"}', type: null }) },
  { name: "project id 99999999999999999999 in the path", surface: "api", send: () => api(apiProjectGet, `/api/v1/projects/${OVERFLOW}`, { params: { id: OVERFLOW } }) },
  { name: "project id 'abc' in the path", surface: "api", send: () => api(apiEvents, "/api/v1/projects/abc/items/x/events", { json: { type: "submit", on: "2026-09-01" }, params: { id: "abc", key: "x" } }) },
  { name: "action item id -1 in the path", surface: "api", send: () => closeItem({ note: "已办结完成" }, "-1") },
  { name: "item key with a zero-width space", surface: "api", send: () => api(apiEvents, `${P()}/items/x/events`, { json: { type: "submit", on: "2026-09-01" }, params: { ...pid(), key: `${w.itemKey}${ZWSP}` } }) },

  // ---- page forms
  { name: "/projects/new signed on 2026-02-30", surface: "form", send: () => newProject({ signedOn: "2026-02-30" }) },
  { name: "/projects/new target start 2026-13-01", surface: "form", send: () => newProject({ targetStartOn: "2026-13-01" }) },
  { name: "/projects/new investment -1", surface: "form", send: () => newProject({ investment: "-1" }) },
  { name: "/projects/new investment 1e309", surface: "form", send: () => newProject({ investment: "1e309" }) },
  { name: "/projects/new investment NaN", surface: "form", send: () => newProject({ investment: "NaN" }) },
  { name: "/projects/new name of 100k characters", surface: "form", send: () => newProject({ name: HUGE }) },
  { name: "/projects/new name only zero-width spaces", surface: "form", send: () => newProject({ name: ZWSP.repeat(4) }) },
  { name: "/projects/new name with an RTL override", surface: "form", send: () => newProject({ name: `工厂${RLO}gpj.exe` }) },
  { name: "/projects/new credit code wrong check character", surface: "form", send: () => newProject({ "enterprise.creditCode": wrongCheck(GOOD_CREDIT) }) },
  { name: "/projects/new credit code of 19 characters", surface: "form", send: () => newProject({ "enterprise.creditCode": `${GOOD_CREDIT}0` }) },
  { name: "/projects/new proxy id 99999999999999999999", surface: "form", send: () => newProject({ proxyUserIds: OVERFLOW }) },
  { name: "/projects/new proxy id 'abc'", surface: "form", send: () => newProject({ proxyUserIds: "abc" }) },
  { name: "/projects/new unknown template", surface: "form", send: () => newProject({ templateKey: "../../etc/passwd" }) },
  { name: "/projects/new without a name", surface: "form", send: () => newProject({ name: null }) },
  { name: "project page: unknown intent", surface: "form", send: () => projectPage({ intent: "dropEverything" }) },
  { name: "project page: no intent", surface: "form", send: () => projectPage({ itemKey: "x" }) },
  { name: "project page: event on 2026-02-30", surface: "form", send: () => projectPage({ intent: "event", itemKey: w.itemKey, type: "submit", on: "2026-02-30" }) },
  { name: "project page: event of an unknown type", surface: "form", send: () => projectPage({ intent: "event", itemKey: w.itemKey, type: "<script>", on: "2026-09-01" }) },
  { name: "project page: reschedule to 明天", surface: "form", send: () => projectPage({ intent: "reschedule", targetStartOn: "明天", reason: "企业要求" }) },
  { name: "project page: reschedule without a reason", surface: "form", send: () => projectPage({ intent: "reschedule", targetStartOn: "2027-06-01" }) },
  { name: "project page: acknowledge escalation 'abc'", surface: "form", send: () => projectPage({ intent: "acknowledge", escalationId: "abc" }) },
  { name: "project page: acknowledge escalation 99999999999999999999", surface: "form", send: () => projectPage({ intent: "acknowledge", escalationId: OVERFLOW }) },
  { name: "project page: supervise due in 10^9 working days", surface: "form", send: () => projectPage({ intent: "supervise", itemKey: w.itemKey, note: "加快推进", dueInWorkingDays: "1000000000" }, "coordinator"), says: /时限/ },
  { name: "project page: supervise due in NaN working days", surface: "form", send: () => projectPage({ intent: "supervise", itemKey: w.itemKey, note: "加快推进", dueInWorkingDays: "NaN" }, "coordinator"), says: /时限/ },
  { name: "project page: escalation rule yellow lead -1", surface: "form", send: () => projectPage({ intent: "escalationSettings", itemKey: w.itemKey, yellowLead: "-1" }, "admin"), says: /负/ },
  { name: "project page: dependency cycle (item on itself)", surface: "form", send: () => projectPage({ intent: "addDependency", from: w.itemKey, to: w.itemKey }) },
  { name: "project page: dependency that closes a cycle", surface: "form", send: () => projectPage({ intent: "addDependency", from: w.edge.to, to: w.edge.from }) },
  { name: "project page: dependency lag of 10^9 working days", surface: "form", send: () => projectPage({ intent: "addDependency", from: w.edge.from, to: w.itemKey === w.edge.from ? w.edge.to : w.itemKey, lagWorkingDays: "1000000000" }) },
  { name: "project page: proxies 'abc'", surface: "form", send: () => projectPage({ intent: "proxies", proxyUserIds: "abc" }) },
  { name: "project page: JSON body instead of a form", surface: "form", send: () => rawForm(projectAction, `/projects/${w.project}`, "proxy", '{"intent":"event"}', "application/json", { projectId: String(w.project) }) },
  { name: "project page: project id 99999999999999999999", surface: "form", send: () => form(projectAction, `/projects/${OVERFLOW}`, "proxy", { intent: "reschedule" }, { projectId: OVERFLOW }) },
  { name: "/meetings/new posted as JSON", surface: "form", send: () => rawForm(newMeetingAction, "/meetings/new", "coordinator", '{"intent":"create","type":"joint"}', "application/json"), says: /表单格式/ },
  { name: "/projects/new posted as plain text", surface: "form", send: () => rawForm(newProjectAction, "/projects/new", "proxy", "name=项目", "text/plain") },
  { name: "project messages posted as JSON", surface: "form", send: () => rawForm(projectMessagesAction, `/projects/${w.project}/messages`, "proxy", '{"intent":"message","body":"你好"}', "application/json", { projectId: String(w.project) }), says: /表单格式/ },
  { name: "/dashboard/briefings posted as JSON", surface: "form", send: () => rawForm(briefingsAction, "/dashboard/briefings", "leader", '{"intent":"generate","kind":"weekly"}', "application/json") },
  { name: "/dashboard/briefings unknown kind", surface: "form", send: () => form(briefingsAction, "/dashboard/briefings", "leader", { intent: "generate", kind: "hourly" }) },
  { name: "invitation accepted with a JSON body", surface: "form", send: () => page(inviteAction, new Request("http://localhost/invite/nope", { method: "POST", body: '{"password":"x"}', headers: { "Content-Type": "application/json" } }), { token: "nope" }) },
  { name: "/meetings/new held on 2026-02-30", surface: "form", send: () => newMeeting({ heldOn: "2026-02-30" }) },
  { name: "/meetings/new unknown type", surface: "form", send: () => newMeeting({ type: "party" }) },
  { name: "/meetings/new title of 100k characters", surface: "form", send: () => newMeeting({ title: HUGE }) },
  { name: "/meetings/new unknown department", surface: "form", send: () => newMeeting({ departments: "不存在局" }) },
  { name: "/meetings/new starts at 25:00", surface: "form", send: () => newMeeting({ startsAt: "25:00" }) },
  { name: "meeting page: move agenda item 'abc'", surface: "form", send: () => meetingPage({ intent: "move", agendaItemId: "abc", direction: "up" }) },
  { name: "meeting page: move in direction sideways", surface: "form", send: () => meetingPage({ intent: "move", agendaItemId: "1", direction: "sideways" }) },
  { name: "meeting page: free agenda item for project 'abc'", surface: "form", send: () => meetingPage({ intent: "addFree", summary: "议题", projectId: "abc" }) },
  { name: "/admin/users login with a zero-width space", surface: "form", send: () => newUser({ login: `bad${ZWSP}login` }) },
  { name: "/admin/users unknown role", surface: "form", send: () => newUser({ role: "superuser" }) },
  { name: "/admin/users department id 99999999999999999999", surface: "form", send: () => newUser({ role: "dept", departmentId: OVERFLOW }) },
  { name: "/admin/users display name with an RTL override", surface: "form", send: () => newUser({ displayName: `用户${RLO}名` }) },
  { name: "/admin/users update user 'abc'", surface: "form", send: () => form(usersAction, "/admin/users", "admin", { intent: "update", id: "abc", displayName: "某人", role: "proxy" }) },
  { name: "/admin/departments code with a space", surface: "form", send: () => newDepartment({ code: "畸 形" }) },
  { name: "/admin/departments unknown level", surface: "form", send: () => newDepartment({ level: "galaxy" }) },
  { name: "/admin/departments name with a NUL byte", surface: "form", send: () => newDepartment({ name: `测试${NUL}局` }) },
  { name: "project messages: body of 100k characters", surface: "form", send: () => postMessage({ body: HUGE }) },
  { name: "project messages: unknown intent", surface: "form", send: () => form(projectMessagesAction, `/projects/${w.project}/messages`, "proxy", { intent: "shout", body: "你好" }, { projectId: String(w.project) }) },
  { name: "/account/password too short", surface: "form", send: () => password({ current: DEMO_PASSWORD, password: "short", confirm: "short" }) },
  { name: "/account/password confirmation differs", surface: "form", send: () => password({ current: DEMO_PASSWORD, password: "a-new-password-1", confirm: "a-new-password-2" }) },
  { name: "/account/password of 100k characters", surface: "form", send: () => password({ current: DEMO_PASSWORD, password: HUGE, confirm: HUGE }) },

  // ---- imports: templates
  { name: "template import posted as JSON instead of a file", surface: "import", send: () => rawForm(templatesAction, "/admin/templates", "admin", JSON.stringify(template()), "application/json"), says: /表单格式/ },
  { name: "template with a dependency cycle", surface: "import", send: () => importTemplate(jsonFile(template({ dependencies: [{ from: "filing", to: "permit" }, { from: "permit", to: "filing" }, { from: "permit", to: "start" }] }))) },
  { name: "template naming an unknown department", surface: "import", send: () => importTemplate(jsonFile(template({ items: [{ key: "filing", name: "备案", kind: "approval", department: "不存在局", stage: 1, promisedLimit: 1 }, { key: "start", name: "开工", kind: "milestone" }], dependencies: [{ from: "filing", to: "start" }] }))) },
  { name: "template with an unknown key", surface: "import", send: () => importTemplate(jsonFile(template({ colour: "green" }))) },
  { name: "template that is not JSON", surface: "import", send: () => importTemplate(jsonFile("{ key: 'x', ")) },
  { name: "template with a negative promised limit", surface: "import", send: () => importTemplate(jsonFile(template({ items: [{ key: "filing", name: "备案", kind: "approval", department: "发改", stage: 1, promisedLimit: -1 }, { key: "start", name: "开工", kind: "milestone" }], dependencies: [{ from: "filing", to: "start" }] }))) },
  { name: "template key with an RTL override", surface: "import", send: () => importTemplate(jsonFile(template({ key: `mini${RLO}x` }))) },
  { name: "template item name with a NUL byte", surface: "import", send: () => importTemplate(jsonFile(template({ items: [{ key: "filing", name: `备案${NUL}`, kind: "approval", department: "发改", stage: 1, promisedLimit: 1 }, { key: "start", name: "开工", kind: "milestone" }], dependencies: [{ from: "filing", to: "start" }] }))) },
  { name: "template name with an RTL override", surface: "import", send: () => importTemplate(jsonFile(template({ name: `模板${RLO}名称` }))) },
  { name: "template version 1e309", surface: "import", send: () => importTemplate(jsonFile(JSON.stringify(template()).replace('"version":1', '"version":1e309'))) },
  // ---- imports: the ledger workbook
  { name: "ledger that is not a zip (.xlsx by name only)", surface: "import", send: () => upload(ledgerUploadAction, "/admin/import", new File(["<html></html>"], "台账.xlsx")) },
  { name: "ledger zip that is no workbook", surface: "import", send: () => upload(ledgerUploadAction, "/admin/import", new File([new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5])], "台账.xlsx")) },
  { name: "ledger with wrong columns", surface: "import", send: async () => upload(ledgerUploadAction, "/admin/import", await workbook({ 项目台账: { headers: ["名称", "金额"], rows: [{ 名称: "项目", 金额: 1 }] } })) },
  { name: "ledger without the 项目台账 sheet", surface: "import", send: async () => upload(ledgerUploadAction, "/admin/import", await workbook({ Sheet1: { headers: LEDGER_PROJECT_HEADERS, rows: [ledgerRow()] } })) },
  { name: "ledger with headers and no rows", surface: "import", send: async () => upload(ledgerUploadAction, "/admin/import", await ledger([])) },
  { name: "ledger named .csv", surface: "import", send: () => upload(ledgerUploadAction, "/admin/import", new File(["项目代码,项目名称\n"], "台账.csv")) },
  { name: "ledger row signed on 2026-02-30: confirm", surface: "import", setup: () => previewed([ledgerRow({ 签约日期: "2026-02-30" })], /签约日期/), send: (id) => confirmImport(id as number) },
  { name: "ledger row with a bad credit code: confirm", surface: "import", setup: () => previewed([ledgerRow({ 统一社会信用代码: wrongCheck(GOOD_CREDIT) })], /校验位/), send: (id) => confirmImport(id as number) },
  { name: "ledger row with investment -1: confirm", surface: "import", setup: () => previewed([ledgerRow({ "投资额（万元）": -1 })], /投资/), send: (id) => confirmImport(id as number) },
  { name: "ledger row with a 100k-character name: confirm", surface: "import", setup: () => previewed([ledgerRow({ 项目名称: "项".repeat(30_000) })], /项目名称/), send: (id) => confirmImport(id as number) },
  { name: "ledger row with an RTL override in the name: confirm", surface: "import", setup: () => previewed([ledgerRow({ 项目名称: `台账${RLO}项目` })], /项目名称/), send: (id) => confirmImport(id as number) },
  { name: "ledger row with a zero-width space in the credit code: confirm", surface: "import", setup: () => previewed([ledgerRow({ 统一社会信用代码: GOOD_CREDIT.slice(0, 5) + ZWSP + GOOD_CREDIT.slice(5) })], /信用代码/), send: (id) => confirmImport(id as number) },
  { name: "ledger confirm posted as JSON", surface: "import", setup: () => previewed([ledgerRow({ 签约日期: "2026-02-30" })], /签约日期/), send: (id) => rawForm(ledgerConfirmAction, `/admin/import/${id as number}`, "admin", '{"intent":"confirm"}', "application/json", { jobId: String(id) }) },
  { name: "ledger import id 99999999999999999999: confirm", surface: "import", send: () => form(ledgerConfirmAction, `/admin/import/${OVERFLOW}`, "admin", { intent: "confirm" }, { jobId: OVERFLOW }) },
];

const HAN = /[\u4e00-\u9fff]/;

describe("malformed input: 4xx with a Chinese message, nothing written, never a 500", () => {
  beforeEach(() => {
    tokens.clear();
    cookies.clear();
    armed = false;
    w = world();
  });

  it("the corpus is large and spread over every surface", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(70);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
    for (const s of ["api", "form", "import"] as const) expect(CASES.filter((c) => c.surface === s).length).toBeGreaterThanOrEqual(10);
  });

  it.each(CASES.map((c) => [`${c.surface}: ${c.name}`, c] as const))("%s", async (_, c) => {
    const prepared = c.setup ? await c.setup() : undefined;
    armed = true;
    before = null;
    const answer = await c.send(prepared);
    armed = false;
    expect(before, "the case sent no request").not.toBeNull();
    const [lo, hi] = c.status ?? [400, 499];
    expect(answer.status, answer.text.slice(0, 300)).toBeGreaterThanOrEqual(lo);
    expect(answer.status, answer.text.slice(0, 300)).toBeLessThanOrEqual(hi);
    expect(answer.text).toMatch(HAN);
    if (c.says) expect(answer.text).toMatch(c.says);
    expect(fingerprint()).toEqual(before);
  });
});

describe("not malformed, by design", () => {
  beforeEach(() => {
    tokens.clear();
    w = world();
  });

  it("unknown keys in an API body are ignored: the project is created and the extra key is not stored", async () => {
    const r = await api(apiProjects, "/api/v1/projects", { json: { ...projectJson(), colour: "green", isAdmin: true } });
    expect(r.status, r.text).toBe(201);
    const id = JSON.parse(r.text).id as number;
    expect(JSON.stringify(db().all(sql`select * from projects where id = ${id}`))).not.toContain("green");
  });

  it("a lowercase credit code is the same code: stored in upper case", async () => {
    const r = await create(projectJson({ enterprise: { name: "小写代码测试有限公司", creditCode: GOOD_CREDIT.toLowerCase() } }));
    expect(r.status, r.text).toBe(201);
    expect(one<{ c: string }>("select credit_code as c from enterprises where name = '小写代码测试有限公司'").c).toBe(GOOD_CREDIT);
  });
});
