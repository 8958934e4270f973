import { describe, expect, it } from "vitest";
import { DEFAULT_SIGN_IN_LIMITS, decideSignIn, lockedUntil, lockoutMessage, normalizeLogin, signInLimits } from "~/domain/access/sign-in-throttle";

const MIN = 60_000;
const limits = DEFAULT_SIGN_IN_LIMITS;
const minutes = (...ms: number[]) => ms.map((m) => m * MIN);

describe("sign-in throttle rule", () => {
  it("locks an account for 15 minutes at its 5th failure within 15 minutes", () => {
    expect(lockedUntil(minutes(0, 1, 2, 3), 5, limits)).toBeNull();
    expect(lockedUntil(minutes(0, 1, 2, 3, 14), 5, limits)).toBe(29 * MIN);
  });

  it("does not lock when the failures are spread over more than the window", () => {
    expect(lockedUntil(minutes(0, 4, 8, 12, 15), 5, limits)).toBeNull();
    expect(lockedUntil(minutes(0, 4, 8, 12, 15, 16), 5, limits)).toBe(31 * MIN);
  });

  it("starts a new count after a lock, so one more failure after it expires does not lock again", () => {
    // A short lock (as a test or an operator may set) is shorter than the window.
    const short = { windowMs: 15 * MIN, lockMs: 1 * MIN };
    expect(lockedUntil(minutes(0, 1, 2, 3, 4, 6), 5, short)).toBe(5 * MIN);
    expect(lockedUntil(minutes(0, 1, 2, 3, 4, 6, 7, 8, 9, 10), 5, short)).toBe(11 * MIN);
  });

  it("refuses with the remaining minutes while locked, and allows once the lock is over", () => {
    const account = minutes(0, 1, 2, 3, 4);
    const locked = decideSignIn({ account, ip: [] }, limits, 5 * MIN);
    expect(locked).toEqual({ allowed: false, retryAfterSeconds: 14 * 60, message: "登录失败次数过多，账号已临时锁定，请 14 分钟后再试" });
    expect(decideSignIn({ account, ip: [] }, limits, 19 * MIN - 1)).toMatchObject({ allowed: false, retryAfterSeconds: 1, message: "登录失败次数过多，账号已临时锁定，请 1 秒后再试" });
    expect(decideSignIn({ account, ip: [] }, limits, 19 * MIN)).toEqual({ allowed: true });
  });

  it("locks an address at 30 failures and names the address, not the account", () => {
    const ip = Array.from({ length: 30 }, (_, i) => i * 10_000);
    expect(decideSignIn({ account: [], ip: ip.slice(0, 29) }, limits, 300_000)).toEqual({ allowed: true });
    // The 30th failure at 4:50 locks until 19:50; at 5:00 that is 14 min 50 s, said as 15 minutes.
    const d = decideSignIn({ account: [], ip }, limits, 300_000);
    expect(d.allowed).toBe(false);
    if (!d.allowed) expect(d.message).toBe("此网络登录失败次数过多，已暂时禁止登录，请 15 分钟后再试");
  });

  it("answers with the later unlock when account and address are both locked", () => {
    const d = decideSignIn({ account: minutes(0, 0, 0, 0, 0), ip: Array.from({ length: 30 }, () => 3 * MIN) }, limits, 4 * MIN);
    expect(d).toMatchObject({ allowed: false, retryAfterSeconds: 14 * 60 });
  });

  it("reads its limits from the environment, ignoring values that would switch it off", () => {
    expect(signInLimits({})).toEqual(limits);
    expect(signInLimits({ SIGNIN_MAX_FAILURES_PER_ACCOUNT: "3", SIGNIN_MAX_FAILURES_PER_IP: "7", SIGNIN_LOCK_MINUTES: "0.05" })).toEqual({
      ...limits,
      maxPerAccount: 3,
      maxPerIp: 7,
      lockMs: 3_000,
    });
    expect(signInLimits({ SIGNIN_MAX_FAILURES_PER_ACCOUNT: "0", SIGNIN_MAX_FAILURES_PER_IP: "abc", SIGNIN_LOCK_MINUTES: "-5" })).toEqual(limits);
    expect(signInLimits({ SIGNIN_MAX_FAILURES_PER_ACCOUNT: "2.5" }).maxPerAccount).toBe(5);
  });

  it("counts one account however its login is spaced, cased or written in full-width letters", () => {
    expect(normalizeLogin("  Admin ")).toBe("admin");
    expect(normalizeLogin("ＡＤＭＩＮ")).toBe("admin");
  });

  it("says minutes, rounded up", () => {
    expect(lockoutMessage("account", 15 * 60)).toBe("登录失败次数过多，账号已临时锁定，请 15 分钟后再试");
    expect(lockoutMessage("account", 61)).toBe("登录失败次数过多，账号已临时锁定，请 2 分钟后再试");
  });
});
