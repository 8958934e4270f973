/**
 * Crashes against the built app (issue 14): the web process SIGKILLed in the
 * middle of a write storm, and Redis gone for a minute while a timer falls due.
 * Afterwards SQLite finds the file intact, every acknowledged write is there,
 * and the timer fired exactly once.
 *
 * REDIS_OUTAGE_SECONDS (default 60) sets how long Redis stays away.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it, onTestFailed } from "vitest";
import { createDb, type Db } from "../../db/client";
import { formatDay, shanghaiDay } from "~/domain/calendar";
import { instantOf } from "~/domain/escalation/policy";
import { getCalendar, getPolicy, POLICY_KEY } from "~/services/time-rules.server";
import { wakeupJobId } from "../../jobs/wakeups";
import { cleanReport, exactlyOnceReport, PrivateRedis, redisCommand, sleep, waitFor } from "../integration/reliability-helpers";
import { checkDurability, describeStorm, startStorm, type StormWrite } from "../support/storm";
import { WebClient } from "../support/web-client";
import { apiToken, createProject, startApp, type App } from "./harness";

const OUTAGE_SECONDS = Number(process.env.REDIS_OUTAGE_SECONDS ?? 60);
const WRITERS = 200;
/** An approval of 自然资源 (the demo clerk `dept`'s department) in every general-industrial project: 5 working days promised. */
const ITEM = "land-use-planning-permit";
const ITEM_MATERIALS: string[] = (
  JSON.parse(readFileSync("templates/general-industrial.json", "utf8")) as { items: { key: string; materials: string[] }[] }
).items.find((i) => i.key === ITEM)!.materials;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch((e) => console.error(e));
});

const idOf = (path: string) => Number(path.split("/").pop());

function api(app: App, login: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${app.baseUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${apiToken(app, login)}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Every process below `pid` with its command line (from /proc), children before grandchildren. */
function descendants(pid: number): { pid: number; cmd: string }[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name in (…) may hold spaces; the parent pid is the second field after it.
      const stat = readFileSync(join("/proc", entry, "stat"), "utf8");
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out: { pid: number; cmd: string }[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parentOf) {
      if (parent !== p) continue;
      let cmd = "";
      try {
        cmd = readFileSync(join("/proc", String(child), "cmdline"), "utf8").replaceAll("\0", " ");
      } catch {
        continue;
      }
      out.push({ pid: child, cmd });
      walk(child);
    }
  };
  walk(pid);
  return out;
}

/** The web server process that scripts/start.ts runs beside the worker (`node --import tsx server.ts`). */
function webPid(app: App): number {
  const web = descendants(app.proc.pid!).filter((p) => / server\.ts\b/.test(p.cmd));
  if (web.length !== 1) throw new Error(`expected one web process under ${app.proc.pid}, found: ${JSON.stringify(descendants(app.proc.pid!))}`);
  return web[0].pid;
}

describe("the web process SIGKILLed during a write storm", () => {
  it("after a restart on the same database: integrity_check ok, no foreign key violation, every acknowledged write there, the app answers", async () => {
    const first = await startApp();
    cleanups.push(() => first.stop());
    onTestFailed(() => console.log(`first app's output:\n${first.output().slice(-5000)}`));
    apiToken(first, "proxy");
    const projects: number[] = [];
    for (let i = 0; i < 8; i++) projects.push(idOf(await createProject(first, `崩溃测试项目${i + 1}`)));
    const prefix = `crash-${Date.now().toString(36)}-`;
    const write = (w: number, n: number): StormWrite => {
      const projectId = projects[w % projects.length];
      const marker = `${prefix}${w}-${n}`;
      return { kind: "message", marker, projectId, send: () => api(first, "proxy", "POST", `/api/v1/projects/${projectId}/messages`, { body: marker }) };
    };
    const storm = startStorm(WRITERS, write, (_, res) => res.status === 201);
    cleanups.push(async () => void (await storm.stop()));
    // Into the storm: writes have been acknowledged and every writer has one in flight.
    await waitFor("the storm to get going", () => storm.acked() >= WRITERS, 60_000, 20);
    const pid = webPid(first);
    const exited = new Promise((r) => first.proc.once("exit", r));
    process.kill(pid, "SIGKILL");
    // start.ts stops the worker and exits when the web process dies.
    await Promise.race([exited, sleep(20_000).then(() => Promise.reject(new Error(`the app did not exit after its web process was killed:\n${first.output().slice(-2000)}`)))]);
    await sleep(500);
    const report = await storm.stop();
    console.log(`crash storm: ${describeStorm(report)}`);
    expect(report.serverErrors).toEqual([]);
    expect(report.unanswered, "writes in flight when the server died, and refused ones after").toBeGreaterThan(0);

    const started = await startApp({ env: { DATABASE_PATH: first.databasePath, UPLOAD_DIR: join(first.dataDir, "uploads") } });
    cleanups.push(() => started.stop());
    // The same database as before (startApp names the one in its own directory).
    const second: App = { ...started, databasePath: first.databasePath };
    onTestFailed(() => console.log(`restarted app's output:\n${second.output().slice(-5000)}`));
    const d = checkDurability(second.databasePath, report.acks, prefix);
    console.log(`after the restart: ${d.rows.message} storm messages stored, ${report.acks.length} acknowledged`);
    expect(d).toMatchObject({ integrity: "ok", foreignKeyViolations: 0, missing: [], missingCount: 0, wrongId: [] });
    // Beyond the acknowledged ones, at most the writes in flight at the kill (one per writer) were committed.
    expect(d.unacknowledgedRows).toBeGreaterThanOrEqual(0);
    expect(d.unacknowledgedRows).toBeLessThanOrEqual(WRITERS);

    // The restarted app serves and writes: the same token, a new message, the thread with every acknowledged one.
    const projectId = projects[0];
    const after = await api(second, "proxy", "POST", `/api/v1/projects/${projectId}/messages`, { body: `${prefix}after-restart` });
    expect(after.status).toBe(201);
    const thread = (await (await api(second, "proxy", "GET", `/api/v1/projects/${projectId}/messages`)).json()) as { id: number; body: string }[];
    const ids = new Set(thread.map((m) => m.id));
    expect(report.acks.filter((a) => a.projectId === projectId && !ids.has(a.id!))).toEqual([]);
    expect(thread.at(-1)!.body).toBe(`${prefix}after-restart`);
    const officer = new WebClient(second.baseUrl);
    await officer.signIn("proxy");
    expect((await officer.get(`/projects/${projectId}`)).status).toBe(200);
  }, 180_000);
});

describe("Redis stopped for a while and started again", () => {
  it(
    `the app keeps serving through a ${OUTAGE_SECONDS} s outage, and the escalation that fell due in it fires exactly once afterwards`,
    async () => {
      const redis = await PrivateRedis.create();
      cleanups.push(() => redis.dispose());
      const app = await startApp({ env: { REDIS_URL: redis.url } });
      cleanups.push(() => app.stop());
      onTestFailed(() => console.log(`app's output:\n${app.output().slice(-5000)}`));
      // Issued before any request: issuing runs a script synchronously, long enough for the server
      // to close an idle keep-alive connection that fetch would then reuse for a POST.
      for (const login of ["proxy", "dept"]) apiToken(app, login);
      const db: Db = createDb(app.databasePath);
      cleanups.push(async () => void db.$client.close());

      // The red moment falls in the outage on the real clock: the ladder's firing time (DESIGN §4's
      // 09:00, a deployment setting without a screen) is moved to a minute boundary a little ahead,
      // the outage starts `lead` seconds before it, and an item is accepted so that today is its red day.
      const lead = Math.min(20, Math.floor(OUTAGE_SECONDS / 3));
      const moment = Math.ceil((Date.now() + (lead + 15) * 1000) / 60_000) * 60_000;
      const local = new Date(moment + 8 * 3_600_000);
      const policy = getPolicy(db);
      const fireAt = { hour: local.getUTCHours(), minute: local.getUTCMinutes() };
      db.run(
        sql`insert into settings (key, value, updated_at) values (${POLICY_KEY}, ${JSON.stringify({ ...policy, fireAt })}, ${Date.now()})
            on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at`,
      );
      const redDay = shanghaiDay(new Date(moment));
      if (!getCalendar(db).isWorkingDay(redDay)) {
        // A weekend or holiday run: an administrator's 调休 override makes the day a working one.
        db.run(sql`insert into calendar_overrides (date, kind, reason, created_at) values (${formatDay(redDay)}, 'work', '故障演练：调休上班', ${Date.now()})`);
      }
      const cal = getCalendar(db);
      const dueOn = cal.addWorkingDays(redDay, -policy.redAfter);
      const acceptedOn = formatDay(cal.addWorkingDays(dueOn, -5));
      const projectId = idOf(await createProject(app, "Redis故障演练项目"));
      const accepted = await api(app, "dept", "POST", `/api/v1/projects/${projectId}/items/${ITEM}/events`, {
        type: "accept",
        on: acceptedOn,
        deferredMaterials: ITEM_MATERIALS,
        commitmentOn: formatDay(cal.addWorkingDays(dueOn, -1)),
      });
      expect(accepted.status, await accepted.clone().text()).toBe(200);
      expect(((await accepted.json()) as { dueOn: string }).dueOn).toBe(formatDay(dueOn));
      const red = db.get<{ id: number; fire_at: number; fired_at: number | null }>(
        sql`select e.id, e.fire_at, e.fired_at from escalations e join items i on i.id = e.item_id where i.project_id = ${projectId} and i.key = ${ITEM} and e.level = 'red'`,
      );
      expect(red, "the item's red timer").toBeDefined();
      expect(red.fire_at).toBe(moment);
      expect(red.fired_at).toBeNull();
      expect(instantOf(redDay, fireAt)).toBe(moment);
      // The web process handed the wake-up to Bull: it is in Redis, and the outage will take it.
      const prefix = `gce2e${new URL(app.baseUrl).port}`;
      await waitFor("the red wake-up in Redis", async () => (await redisCommand(redis.port, "EXISTS", `${prefix}:escalations:${wakeupJobId(red.id, moment)}`)) === ":1", 10_000, 100);

      const officer = new WebClient(app.baseUrl);
      await officer.signIn("proxy");
      await sleep(moment - lead * 1000 - Date.now());
      expect(Date.now(), "set-up took longer than planned").toBeLessThan(moment - 5_000);

      await redis.stop();
      const outageStarted = Date.now();
      const answers: { what: string; status: number; ms: number }[] = [];
      const timed = async (what: string, send: () => Promise<number>) => {
        const t = Date.now();
        answers.push({ what, status: await send().catch(() => 0), ms: Date.now() - t });
      };
      let n = 0;
      while (Date.now() < outageStarted + OUTAGE_SECONDS * 1000) {
        n++;
        await Promise.all([
          timed("project page", async () => (await officer.get(`/projects/${projectId}`)).status),
          timed("API project", async () => (await api(app, "proxy", "GET", `/api/v1/projects/${projectId}`)).status),
          timed("API message", async () => (await api(app, "proxy", "POST", `/api/v1/projects/${projectId}/messages`, { body: `Redis 停机期间的留言 ${n}` })).status),
          timed("project list", async () => (await officer.get("/projects")).status),
          n % 10 === 1
            ? timed("sign-in", async () => {
                const c = new WebClient(app.baseUrl);
                await c.signIn("coordinator");
                return (await c.get("/projects")).status;
              })
            : Promise.resolve(),
        ]);
        await sleep(1_000);
      }
      const firedInOutage = db.get<{ f: number | null }>(sql`select fired_at as f from escalations where id = ${red.id}`).f;
      await redis.start();
      const back = Date.now();
      const failed = answers.filter((a) => a.status < 200 || a.status >= 300);
      console.log(
        `Redis outage ${((back - outageStarted) / 1000).toFixed(0)} s: ${answers.length} requests, slowest ${Math.max(...answers.map((a) => a.ms))} ms; red ${firedInOutage === null ? "waited for Redis" : "fired during the outage"}`,
      );
      expect(failed, "requests that did not answer 2xx while Redis was away").toEqual([]);
      expect(answers.filter((a) => a.what === "sign-in").length).toBeGreaterThan(0);

      const firedAt = await waitFor("the red timer to fire once Redis is back", () => db.get<{ f: number | null }>(sql`select fired_at as f from escalations where id = ${red.id}`).f, 60_000, 250);
      console.log(`red fired ${((firedAt - moment) / 1000).toFixed(1)} s after its moment, ${((Date.now() - back) / 1000).toFixed(1)} s after Redis returned`);
      expect(firedAt).toBeGreaterThanOrEqual(moment);
      // Let the wake-ups the returning worker re-adds run out: a second firing would show now.
      await sleep(5_000);
      const now = Date.now();
      const { wrongRecipients: _ignored, ...report } = exactlyOnceReport(db, now, { proxy: 0, coordinator: 0, leader: 0, deptStaff: 0, deptLeader: 0, deptId: 0 });
      const { wrongRecipients: _none, ...clean } = cleanReport(report.fired);
      expect(report, "every timer due by now fired once, with one audit row and one notification per person").toEqual(clean);
      // DESIGN §4's red audience for this item: its handler and 自然资源's staff (赵磊 accepted it), the
      // project's proxy officer, 自然资源's leader and the coordinator — each told once.
      const told = db.all<{ login: string; n: number }>(
        sql`select u.login as login, count(*) as n from notifications n join users u on u.id = n.user_id where n.escalation_id = ${red.id} group by u.login order by u.login`,
      );
      expect(told).toEqual(["coordinator", "dept", "dept-leader-zrzy", "proxy"].map((login) => ({ login, n: 1 })));
      expect(db.get<{ n: number }>(sql`select count(*) as n from audit_log where entity_type = 'escalation' and entity_id = ${red.id}`).n).toBe(1);
      expect(db.get<{ f: number }>(sql`select fired_at as f from escalations where id = ${red.id}`).f).toBe(firedAt);
    },
    (OUTAGE_SECONDS + 240) * 1000,
  );
});
