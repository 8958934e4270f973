/**
 * Sign-in throttling (issue 14): too many failed sign-ins lock an account, or a
 * network address, for a while. Pure: the service keeps each key's recent failure
 * times (in Redis, or in memory when Redis is down) and asks here.
 *
 * Two keys, two limits: per account, so one person's password cannot be guessed
 * from many addresses; per address, so one address cannot try a few passwords on
 * every account. The address limit is much higher because a whole office signs in
 * from behind one address.
 *
 * A lock blocks the right password too (checked before the password is), and the
 * same answer is given for logins that do not exist, so locking reveals nothing.
 */
export interface SignInLimits {
  maxPerAccount: number;
  maxPerIp: number;
  /** Failures count towards a lock when they fall within this span of each other. */
  windowMs: number;
  lockMs: number;
}

const MINUTE = 60_000;

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = {
  maxPerAccount: 5,
  maxPerIp: 30,
  windowMs: 15 * MINUTE,
  lockMs: 15 * MINUTE,
};

function positive(raw: string | undefined, integer: boolean): number | null {
  if (raw === undefined || raw.trim() === "") return null;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) return null;
  return n;
}

/**
 * The limits, with operators' (and tests') overrides: SIGNIN_MAX_FAILURES_PER_ACCOUNT,
 * SIGNIN_MAX_FAILURES_PER_IP, SIGNIN_LOCK_MINUTES (may be a fraction, e.g. 0.05 for a
 * 3-second lock in a test). A value that is not a positive number is ignored, so a
 * typo in the environment cannot switch the throttle off.
 *
 * @example signInLimits({ SIGNIN_MAX_FAILURES_PER_ACCOUNT: "3" }).maxPerAccount // → 3
 */
export function signInLimits(env: Record<string, string | undefined>): SignInLimits {
  const d = DEFAULT_SIGN_IN_LIMITS;
  const lockMinutes = positive(env.SIGNIN_LOCK_MINUTES, false);
  return {
    maxPerAccount: positive(env.SIGNIN_MAX_FAILURES_PER_ACCOUNT, true) ?? d.maxPerAccount,
    maxPerIp: positive(env.SIGNIN_MAX_FAILURES_PER_IP, true) ?? d.maxPerIp,
    windowMs: d.windowMs,
    lockMs: lockMinutes === null ? d.lockMs : Math.round(lockMinutes * MINUTE),
  };
}

/**
 * The key an account's failures are counted under: " Admin" and "admin" are one
 * account to an attacker, so they are one counter here.
 *
 * @example normalizeLogin("  ZhangSan ") // → "zhangsan"
 */
export function normalizeLogin(login: string): string {
  return login.normalize("NFKC").trim().toLowerCase();
}

/**
 * Until when `failures` (instants in ms, ascending) lock their key, or null. A lock
 * starts at the failure that reaches `max` within the window and lasts `lockMs`; the
 * failures it consumed do not count again, so once it has expired the next failure
 * starts a new count instead of locking again at once.
 *
 * @example lockedUntil([0, 1, 2, 3, 4].map((m) => m * 60_000), 5, DEFAULT_SIGN_IN_LIMITS)
 *          // → 4 * 60_000 + 15 * 60_000
 */
export function lockedUntil(failures: readonly number[], max: number, limits: Pick<SignInLimits, "windowMs" | "lockMs">): number | null {
  let until: number | null = null;
  let from = 0;
  for (let i = 0; i < failures.length; i++) {
    while (failures[i] - failures[from] >= limits.windowMs) from++;
    if (i - from + 1 >= max) {
      until = failures[i] + limits.lockMs;
      from = i + 1;
    }
  }
  return until;
}

export type SignInDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number; message: string };

/** How long a record must be kept to still matter: a window that fills at its end, then the lock. */
export function failureRetentionMs(limits: SignInLimits): number {
  return limits.windowMs + limits.lockMs;
}

/**
 * @example lockoutMessage("account", 600) // → "登录失败次数过多，账号已临时锁定，请 10 分钟后再试"
 */
export function lockoutMessage(scope: "account" | "ip", retryAfterSeconds: number): string {
  const wait = retryAfterSeconds >= 60 ? `${Math.ceil(retryAfterSeconds / 60)} 分钟` : `${Math.max(1, retryAfterSeconds)} 秒`;
  return scope === "account"
    ? `登录失败次数过多，账号已临时锁定，请 ${wait}后再试`
    : `此网络登录失败次数过多，已暂时禁止登录，请 ${wait}后再试`;
}

/**
 * Whether a sign-in may be attempted now, given the recent failures of the account
 * and of the address. When both are locked the later unlock is the one that counts.
 */
export function decideSignIn(failures: { account: readonly number[]; ip: readonly number[] }, limits: SignInLimits, now: number): SignInDecision {
  const locks = [
    { scope: "account" as const, until: lockedUntil(failures.account, limits.maxPerAccount, limits) },
    { scope: "ip" as const, until: lockedUntil(failures.ip, limits.maxPerIp, limits) },
  ].filter((l): l is { scope: "account" | "ip"; until: number } => l.until !== null && l.until > now);
  if (locks.length === 0) return { allowed: true };
  const longest = locks.reduce((a, b) => (b.until > a.until ? b : a));
  const retryAfterSeconds = Math.max(1, Math.ceil((longest.until - now) / 1000));
  return { allowed: false, retryAfterSeconds, message: lockoutMessage(longest.scope, retryAfterSeconds) };
}
