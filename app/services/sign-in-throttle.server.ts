import { randomBytes } from "node:crypto";
import { once } from "node:events";
import Redis from "ioredis";
import {
  decideSignIn,
  failureRetentionMs,
  normalizeLogin,
  signInLimits,
  type SignInDecision,
  type SignInLimits,
} from "~/domain/access/sign-in-throttle";
import { loadConfig } from "~/utils/config.server";

/**
 * Where the sign-in throttle (app/domain/access/sign-in-throttle.ts) keeps its
 * counts: each account's and each address's recent failures, as a sorted set in
 * Redis (score = the failure's instant), so every web process sees the same counts.
 *
 * Sign-in must work without Redis. Each Redis call has a short deadline, and every
 * failure is also kept in this process's memory; a decision counts both, each
 * failure once. Writing both always (not only once Redis is gone) means an outage
 * does not hand an attacker a fresh count, and failures seen during an outage
 * still count after it.
 */

/** A sign-in waits at most this long for Redis before the memory copy answers. */
const REDIS_DEADLINE_MS = 300;
/** Addresses and accounts remembered in memory; the oldest go first beyond this. */
const MEMORY_MAX_KEYS = 20_000;

// ---------------------------------------------------------------- Redis client

interface Holder {
  clients: Map<string, Redis>;
  memory: Map<string, Failure[]>;
}
// On globalThis so a dev rebuild reuses the connection and the counts.
const g = globalThis as unknown as { __gcSignInThrottle?: Holder };
const holder: Holder = (g.__gcSignInThrottle ??= { clients: new Map(), memory: new Map() });

/**
 * Not the Bull connection (jobs/connection.ts): that one queues commands while Redis
 * is down and retries them forever, which would hang a sign-in. This one fails at
 * once when offline and reconnects in the background.
 */
function client(url: string): Redis {
  let r = holder.clients.get(url);
  if (!r) {
    r = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 1_000,
      commandTimeout: 1_000,
      retryStrategy: (times) => Math.min(times * 1_000, 10_000),
    });
    // ioredis reports every failed reconnect; the memory fallback is the handling.
    r.on("error", () => {});
    holder.clients.set(url, r);
  }
  return r;
}

async function ready(r: Redis, signal: AbortSignal): Promise<void> {
  if (r.status === "ready") return;
  if (r.status === "wait") return r.connect();
  if (r.status === "connecting" || r.status === "connect") {
    await once(r, "ready", { signal });
    return;
  }
  // reconnecting / close / end: known to be down right now; do not wait for it.
  throw new Error(`redis ${r.status}`);
}

/** `op` on Redis within the deadline, or null (Redis down, slow or erroring). Never throws. */
async function withRedis<T>(op: (r: Redis) => Promise<T>): Promise<T | null> {
  const r = client(loadConfig().redisUrl);
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), REDIS_DEADLINE_MS);
  });
  const attempt = (async () => {
    await ready(r, abort.signal);
    return op(r);
  })().catch(() => null);
  try {
    return await Promise.race([attempt, deadline]);
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

/** Closes the throttle's Redis connections (tests, shutdown). */
export async function closeSignInThrottle(): Promise<void> {
  const all = [...holder.clients.values()];
  holder.clients.clear();
  await Promise.all(all.map((r) => r.quit().catch(() => r.disconnect())));
}

// ---------------------------------------------------------------- keys and records

interface Failure {
  at: number;
  /** Unique per failure: the same failure found in Redis and in memory counts once. */
  id: string;
  /** The normalised login tried, so a success can take back its own mistakes from the address's count. */
  login: string;
}

function keys(login: string, ip: string): { account: string; ip: string | null } {
  // QUEUE_PREFIX separates deployments sharing a Redis, and parallel test runs.
  const prefix = `${loadConfig().queuePrefix}:signin`;
  return { account: `${prefix}:acct:${normalizeLogin(login)}`, ip: ip.trim() ? `${prefix}:ip:${ip.trim()}` : null };
}

/** Sorted-set member: unique per failure, and carrying the login (after the second colon). */
function member(f: Failure): string {
  return `${f.at}:${f.id}:${f.login}`;
}

function parseMembers(raw: string[]): Failure[] {
  const out: Failure[] = [];
  for (const m of raw) {
    const a = m.indexOf(":");
    const b = m.indexOf(":", a + 1);
    const at = Number(m.slice(0, a));
    if (a > 0 && b > a && Number.isFinite(at)) out.push({ at, id: m.slice(a + 1, b), login: m.slice(b + 1) });
  }
  return out.sort((x, y) => x.at - y.at);
}

/** Enough to decide a lock: a few windows' worth; more is only an attacker filling memory. */
function keep(limits: SignInLimits): number {
  return 3 * Math.max(limits.maxPerAccount, limits.maxPerIp);
}

// ---------------------------------------------------------------- memory copy

function memoryRead(key: string, now: number, limits: SignInLimits): Failure[] {
  const list = holder.memory.get(key);
  if (!list) return [];
  const fresh = list.filter((f) => f.at > now - failureRetentionMs(limits));
  if (fresh.length === 0) holder.memory.delete(key);
  else if (fresh.length !== list.length) holder.memory.set(key, fresh);
  return fresh;
}

function memoryAdd(key: string, f: Failure, now: number, limits: SignInLimits): void {
  const list = [...memoryRead(key, now, limits), f].sort((x, y) => x.at - y.at).slice(-keep(limits));
  // Re-insert so the Map's order is least recently failed first, and trim from there.
  holder.memory.delete(key);
  holder.memory.set(key, list);
  while (holder.memory.size > MEMORY_MAX_KEYS) holder.memory.delete(holder.memory.keys().next().value as string);
}

// ---------------------------------------------------------------- API

/** Redis's record and this process's, each failure once: failures recorded here while Redis was down still count once it is back. */
function merged(a: Failure[], b: Failure[]): number[] {
  const byId = new Map<string, number>();
  for (const f of [...a, ...b]) byId.set(f.id, f.at);
  return [...byId.values()].sort((x, y) => x - y);
}

type Found = { account: Failure[]; ip: Failure[] };

/** The decision from Redis's record (null: not reachable) and this process's, each failure once. */
function decide(k: ReturnType<typeof keys>, fromRedis: Found | null, at: number, limits: SignInLimits): SignInDecision {
  const memory = { account: memoryRead(k.account, at, limits), ip: k.ip ? memoryRead(k.ip, at, limits) : [] };
  const redis = fromRedis ?? { account: [], ip: [] };
  return decideSignIn({ account: merged(redis.account, memory.account), ip: merged(redis.ip, memory.ip) }, limits, at);
}

/**
 * Whether `login` may try to sign in from `ip` at `now`; asked before the password
 * is checked. A lock answers with the wait and a Chinese message for the form.
 */
export async function checkSignIn(login: string, ip: string, now: Date = new Date()): Promise<SignInDecision> {
  const limits = signInLimits(process.env);
  const k = keys(login, ip);
  const at = now.getTime();
  const since = at - failureRetentionMs(limits);
  const fromRedis = await withRedis(async (r) => {
    const [acct, addr] = await Promise.all([r.zrangebyscore(k.account, since, "+inf"), k.ip ? r.zrangebyscore(k.ip, since, "+inf") : Promise.resolve([])]);
    return { account: parseMembers(acct), ip: parseMembers(addr) };
  });
  return decide(k, fromRedis, at, limits);
}

/**
 * Counts a failed sign-in (wrong password, unknown login) against the account and the
 * address, and answers what checkSignIn would answer right after it: refused means
 * this failure started a lock (the caller asked checkSignIn before trying), which is
 * the one moment worth an audit row (not every refused attempt during the lock).
 */
export async function recordSignInFailure(login: string, ip: string, now: Date = new Date()): Promise<SignInDecision> {
  const limits = signInLimits(process.env);
  const k = keys(login, ip);
  const at = now.getTime();
  const f: Failure = { at, id: randomBytes(6).toString("hex"), login: normalizeLogin(login) };
  const targets = k.ip ? [k.account, k.ip] : [k.account];
  for (const key of targets) memoryAdd(key, f, at, limits);
  const fromRedis = await withRedis(async (r) => {
    const tx = r.multi();
    for (const key of targets) {
      tx.zadd(key, at, member(f));
      tx.zremrangebyscore(key, "-inf", at - failureRetentionMs(limits));
      tx.zremrangebyrank(key, 0, -(keep(limits) + 1));
      tx.pexpire(key, failureRetentionMs(limits));
    }
    for (const key of targets) tx.zrangebyscore(key, at - failureRetentionMs(limits), "+inf");
    const results = (await tx.exec()) ?? [];
    const lists = results.slice(-targets.length).map(([err, v]) => (err ? [] : parseMembers(v as string[])));
    return { account: lists[0] ?? [], ip: k.ip ? (lists[1] ?? []) : [] };
  });
  return decide(k, fromRedis, at, limits);
}

/**
 * After a successful sign-in: the account's failures are forgotten, and so are this
 * login's own failures in the address's count (someone who mistyped their password
 * should not bring the office's shared address nearer its limit). The address's
 * failures for other logins stay: otherwise an attacker who owns one account could
 * sign into it between guesses at others and never reach the address limit.
 */
export async function clearSignInFailures(login: string, ip: string): Promise<void> {
  const k = keys(login, ip);
  const own = normalizeLogin(login);
  holder.memory.delete(k.account);
  if (k.ip) {
    const list = holder.memory.get(k.ip);
    if (list) holder.memory.set(k.ip, list.filter((f) => f.login !== own));
  }
  await withRedis(async (r) => {
    await r.del(k.account);
    if (!k.ip) return;
    const mine = (await r.zrange(k.ip, 0, -1)).filter((m) => parseMembers([m])[0]?.login === own);
    if (mine.length) await r.zrem(k.ip, ...mine);
  });
}
