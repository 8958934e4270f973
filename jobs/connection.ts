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

let probe: Redis | undefined;
let last: { at: number; ok: boolean } | undefined;

/**
 * Whether Redis answers right now, cached for a few seconds. Uses its own
 * connection with no offline queue so a dead Redis answers "no" fast instead
 * of hanging a page render.
 */
export async function redisAvailable(now = Date.now()): Promise<boolean> {
  if (last && now - last.at < 5_000) return last.ok;
  probe ??= new Redis(loadConfig().redisUrl, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1_000,
    retryStrategy: (times) => Math.min(times * 1_000, 10_000),
  });
  probe.on("error", () => {});
  let ok = false;
  try {
    if (probe.status === "wait") await probe.connect();
    ok = (await Promise.race([probe.ping(), new Promise((_, rej) => setTimeout(() => rej(new Error("timeout")), 1_000))])) === "PONG";
  } catch {
    ok = false;
  }
  last = { at: now, ok };
  return ok;
}
