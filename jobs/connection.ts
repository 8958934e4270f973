import { once } from "node:events";
import Redis, { type RedisOptions } from "ioredis";
import type { QueueOptions } from "bull";
import { loadConfig } from "../app/utils/config.server";

/**
 * Bull refuses bclient/subscriber connections with ioredis's default
 * maxRetriesPerRequest/enableReadyCheck, and throws from a lazy getter that
 * crashes the process; these options are required, not tuning.
 */
const OPTS: RedisOptions = {
  maxRetriesPerRequest: null,
  enableReadyCheck: false,
  // Keep retrying forever with a capped backoff: the worker must outlive a Redis outage.
  retryStrategy: (times) => Math.min(times * 500, 5_000),
};

interface Holder {
  client?: Redis;
  subscriber?: Redis;
  all: Set<Redis>;
}

const g = globalThis as unknown as { __gcRedis?: Holder };
const holder = (g.__gcRedis ??= { all: new Set() });

function track(r: Redis): Redis {
  holder.all.add(r);
  r.on("error", () => {
    // ioredis reports every failed reconnect; the status banner and the
    // reconnect loop are how an outage is handled, not a log flood.
  });
  r.on("end", () => holder.all.delete(r));
  return r;
}

export const createClient: NonNullable<QueueOptions["createClient"]> = (type) => {
  const url = loadConfig().redisUrl;
  if (type === "client") return (holder.client ??= track(new Redis(url, OPTS)));
  if (type === "subscriber") return (holder.subscriber ??= track(new Redis(url, OPTS)));
  return track(new Redis(url, OPTS));
};

/** queue.close() leaves createClient connections open; quit them or tests and shutdown hang. */
export async function closeAllRedis(): Promise<void> {
  const all = [...holder.all];
  holder.all.clear();
  holder.client = undefined;
  holder.subscriber = undefined;
  await Promise.all(all.map((r) => r.quit().catch(() => r.disconnect())));
}

const PROBE_TIMEOUT_MS = 1_000;
const PROBE_CACHE_MS = 5_000;

let probe: Redis | undefined;
let last: { at: number; ok: boolean } | undefined;
let pending: Promise<boolean> | undefined;

/**
 * Whether Redis answers right now, cached for a few seconds. Uses its own
 * connection with no offline queue so a dead Redis answers "no" within the
 * timeout instead of hanging a page render.
 */
export function redisAvailable(now = Date.now()): Promise<boolean> {
  if (last && now - last.at < PROBE_CACHE_MS) return Promise.resolve(last.ok);
  // One check at a time: a page's layout and route loaders ask together. A second caller used
  // to PING while the first was still connecting; without an offline queue ioredis refuses that
  // at once, and "down" was cached for five seconds while Redis was up.
  pending ??= pingWithin(PROBE_TIMEOUT_MS).then((ok) => {
    last = { at: now, ok };
    pending = undefined;
    return ok;
  });
  return pending;
}

function probeClient(): Redis {
  if (!probe) {
    probe = new Redis(loadConfig().redisUrl, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: PROBE_TIMEOUT_MS,
      retryStrategy: (times) => Math.min(times * 1_000, 10_000),
    });
    // Once, not per check: ioredis reports every failed reconnect, and a listener per call leaked.
    probe.on("error", () => {});
  }
  return probe;
}

/** A real PING answered within the timeout; a client still connecting is waited for, not reported down. */
async function pingWithin(ms: number): Promise<boolean> {
  const p = probeClient();
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const answer = (async () => {
    if (p.status === "wait") await p.connect();
    else if (p.status !== "ready") await once(p, "ready", { signal: abort.signal });
    return (await p.ping()) === "PONG";
  })().catch(() => false);
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}
