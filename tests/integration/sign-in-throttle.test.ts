import Redis from "ioredis";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { signIn, type SessionUser } from "~/services/auth.server";
import { AppError } from "~/services/errors.server";
import { checkSignIn, clearSignInFailures, closeSignInThrottle, recordSignInFailure } from "~/services/sign-in-throttle.server";
import { getDb } from "~/utils/db.server";
import { insertUser, TEST_PASSWORD } from "../factories";

/*
 * The throttle against the real Redis (and against a port where no Redis listens),
 * driven the way the sign-in action is meant to use it: ask before the password is
 * checked, count a wrong password, forget the account's failures on success.
 */

const MIN = 60_000;
const T0 = new Date("2026-12-02T01:00:00Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * MIN);

type Outcome = { ok: true; user: SessionUser } | { ok: false; message: string; retryAfterSeconds?: number };

/** The wiring proposed for app/routes/login.tsx. */
async function attempt(login: string, password: string, ip: string, now: Date): Promise<Outcome> {
  const gate = await checkSignIn(login, ip, now);
  if (!gate.allowed) return { ok: false, message: gate.message, retryAfterSeconds: gate.retryAfterSeconds };
  try {
    const user = await signIn(getDb(), { login, password });
    await clearSignInFailures(login, ip);
    return { ok: true, user };
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    if (e.code === "unauthorized") await recordSignInFailure(login, ip, now);
    return { ok: false, message: e.message };
  }
}

const ENV_KEYS = ["SIGNIN_MAX_FAILURES_PER_ACCOUNT", "SIGNIN_MAX_FAILURES_PER_IP", "SIGNIN_LOCK_MINUTES", "REDIS_URL"] as const;
let saved: Record<string, string | undefined> = {};
const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { lazyConnect: true });

async function ourKeys(): Promise<string[]> {
  return redis.keys(`${process.env.QUEUE_PREFIX}:signin:*`);
}

beforeEach(() => {
  saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  for (const k of ENV_KEYS.slice(0, 3)) delete process.env[k];
});

afterEach(async () => {
  for (const k of ENV_KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  const keys = await ourKeys();
  if (keys.length) await redis.del(...keys);
});

afterAll(async () => {
  await closeSignInThrottle();
  redis.disconnect();
});

const forgetMemory = () => (globalThis as unknown as { __gcSignInThrottle: { memory: Map<string, unknown> } }).__gcSignInThrottle.memory.clear();

describe("sign-in throttling", () => {
  it("locks an account after 5 wrong passwords: the right one is refused next, with the wait in minutes", async () => {
    const user = await insertUser({ role: "proxy", login: "wangfang" });
    for (let i = 0; i < 5; i++) {
      expect(await attempt("wangfang", "wrong-guess", "10.0.0.7", at(i))).toEqual({ ok: false, message: "用户名或密码不正确" });
    }
    const locked = await attempt("wangfang", TEST_PASSWORD, "10.0.0.7", at(5));
    expect(locked).toEqual({ ok: false, message: "登录失败次数过多，账号已临时锁定，请 14 分钟后再试", retryAfterSeconds: 14 * 60 });
    // From another address, and however the login is typed: the account is what is locked.
    expect(await attempt(" WangFang ", TEST_PASSWORD, "10.9.9.9", at(6))).toMatchObject({ ok: false, message: "登录失败次数过多，账号已临时锁定，请 13 分钟后再试" });
    // The counts live in Redis, not only in this process: another web process sees the lock.
    forgetMemory();
    expect(await checkSignIn("wangfang", "10.0.0.8", at(6))).toMatchObject({ allowed: false, retryAfterSeconds: 13 * 60 });
    expect((await ourKeys()).sort()).toEqual([`${process.env.QUEUE_PREFIX}:signin:acct:wangfang`, `${process.env.QUEUE_PREFIX}:signin:ip:10.0.0.7`]);
    // When the lock is over, the right password signs in.
    expect(await attempt("wangfang", TEST_PASSWORD, "10.0.0.7", at(19))).toMatchObject({ ok: true, user: { id: user.id } });
  });

  it("tells the caller which failure started the lock, so that one moment is audited, not every refusal after it", async () => {
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push((await recordSignInFailure("liuyang", "10.0.0.7", at(i))).allowed);
    expect(answers).toEqual([true, true, true, true, false]);
    process.env.REDIS_URL = "redis://127.0.0.1:1";
    const offline = [];
    for (let i = 0; i < 5; i++) offline.push(await recordSignInFailure("offline-user", "10.0.0.8", at(i)));
    expect(offline.map((d) => d.allowed)).toEqual([true, true, true, true, false]);
    expect(offline[4]).toMatchObject({ retryAfterSeconds: 15 * 60, message: "登录失败次数过多，账号已临时锁定，请 15 分钟后再试" });
  });

  it("locks a login that does not exist the same way, so a lock does not reveal which logins exist", async () => {
    for (let i = 0; i < 5; i++) await attempt("nobody-here", "guess", "10.0.0.7", at(i));
    expect(await checkSignIn("nobody-here", "10.0.0.7", at(5))).toMatchObject({ allowed: false, message: "登录失败次数过多，账号已临时锁定，请 14 分钟后再试" });
  });

  it("leaves other accounts on the same address alone until the address's own limit", async () => {
    process.env.SIGNIN_MAX_FAILURES_PER_IP = "8";
    await insertUser({ role: "proxy", login: "target" });
    const colleague = await insertUser({ role: "dept", department: "发改", login: "colleague" });
    for (let i = 0; i < 5; i++) await attempt("target", "guess", "192.0.2.1", at(0));
    expect((await checkSignIn("target", "192.0.2.1", at(1))).allowed).toBe(false);
    // A colleague behind the same office address signs in as usual.
    expect(await attempt("colleague", TEST_PASSWORD, "192.0.2.1", at(1))).toMatchObject({ ok: true, user: { id: colleague.id } });
    // Three more failures on other logins reach the address limit of 8: now nobody signs in from there…
    for (const login of ["guess-a", "guess-b", "guess-c"]) await attempt(login, "guess", "192.0.2.1", at(2));
    expect(await attempt("colleague", TEST_PASSWORD, "192.0.2.1", at(3))).toEqual({
      ok: false,
      message: "此网络登录失败次数过多，已暂时禁止登录，请 14 分钟后再试",
      retryAfterSeconds: 14 * 60,
    });
    // …but the colleague still can from elsewhere.
    expect(await attempt("colleague", TEST_PASSWORD, "198.51.100.4", at(3))).toMatchObject({ ok: true });
  });

  it("ends a lock after its time (SIGNIN_LOCK_MINUTES), and does not lock again at the next single failure", async () => {
    process.env.SIGNIN_LOCK_MINUTES = "2";
    await insertUser({ role: "proxy", login: "liqiang" });
    for (let i = 0; i < 5; i++) await attempt("liqiang", "guess", "10.0.0.7", at(0));
    expect(await checkSignIn("liqiang", "10.0.0.7", at(1))).toMatchObject({ allowed: false, message: "登录失败次数过多，账号已临时锁定，请 1 分钟后再试" });
    expect(await checkSignIn("liqiang", "10.0.0.7", at(2))).toEqual({ allowed: true });
    expect(await attempt("liqiang", "guess-again", "10.0.0.7", at(3))).toEqual({ ok: false, message: "用户名或密码不正确" });
    expect(await attempt("liqiang", TEST_PASSWORD, "10.0.0.7", at(3))).toMatchObject({ ok: true });
  });

  it("forgets an account's failures at a successful sign-in", async () => {
    await insertUser({ role: "proxy", login: "zhaolei" });
    for (let i = 0; i < 4; i++) await attempt("zhaolei", "typo", "10.0.0.7", at(i));
    expect(await attempt("zhaolei", TEST_PASSWORD, "10.0.0.7", at(4))).toMatchObject({ ok: true });
    // Four more mistakes: 8 within the window, but only 4 since the success.
    for (let i = 5; i < 9; i++) await attempt("zhaolei", "typo", "10.0.0.7", at(i));
    expect(await attempt("zhaolei", TEST_PASSWORD, "10.0.0.7", at(9))).toMatchObject({ ok: true });
  });

  it("takes back a user's own mistakes from the address's count at their success, but not others' failures", async () => {
    process.env.SIGNIN_MAX_FAILURES_PER_IP = "6";
    await insertUser({ role: "proxy", login: "sunli" });
    for (let i = 0; i < 4; i++) await attempt("sunli", "typo", "10.0.0.7", at(0));
    await attempt("someone-else", "guess", "10.0.0.7", at(0));
    expect(await attempt("sunli", TEST_PASSWORD, "10.0.0.7", at(1))).toMatchObject({ ok: true });
    // The address holds one failure (someone-else's); five more reach 6, not four.
    for (let i = 0; i < 4; i++) await attempt(`other-${i}`, "guess", "10.0.0.7", at(2));
    expect((await checkSignIn("sunli", "10.0.0.7", at(2))).allowed).toBe(true);
    await attempt("other-4", "guess", "10.0.0.7", at(2));
    expect((await checkSignIn("sunli", "10.0.0.7", at(2))).allowed).toBe(false);
  });

  // A client that queues commands while offline (the Bull connection's settings) would hang here until the test's timeout.
  it("keeps working when Redis is unreachable", async () => {
    process.env.REDIS_URL = "redis://127.0.0.1:1";
    await insertUser({ role: "proxy", login: "zhouyu" });
    for (let i = 0; i < 5; i++) expect(await attempt("zhouyu", "guess", "10.0.0.7", at(i))).toEqual({ ok: false, message: "用户名或密码不正确" });
    expect(await attempt("zhouyu", TEST_PASSWORD, "10.0.0.7", at(5))).toMatchObject({ ok: false, message: "登录失败次数过多，账号已临时锁定，请 14 分钟后再试" });
    expect(await attempt("zhouyu", TEST_PASSWORD, "10.0.0.7", at(20))).toMatchObject({ ok: true });
  });

  it("still counts failures seen while Redis was down once it is back", async () => {
    process.env.REDIS_URL = "redis://127.0.0.1:1";
    for (let i = 0; i < 3; i++) await recordSignInFailure("chenjing", "10.0.0.7", at(i));
    process.env.REDIS_URL = saved.REDIS_URL ?? "redis://127.0.0.1:6379";
    for (let i = 3; i < 5; i++) await recordSignInFailure("chenjing", "10.0.0.7", at(i));
    expect(await checkSignIn("chenjing", "10.0.0.7", at(5))).toMatchObject({ allowed: false, retryAfterSeconds: 14 * 60 });
  });
});
