import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeEach } from "vitest";

/*
 * Real Redis, one Bull key prefix per test (STYLE §9). Bull job ids are
 * deterministic (`esc-<row id>-<moment>`) and every test's database starts its
 * ids at 1 again, so a wake-up left over from one test would be taken for the
 * next test's row; with a prefix per test nothing is shared. The app enqueues
 * after commit without waiting (transactThenWake), so a job can still arrive
 * after its test ended: it lands under that test's prefix, which no one reads.
 *
 * After the file, its queues are closed and every key under its prefixes is
 * deleted, so the shared Redis does not fill up with test jobs.
 */

const filePrefix = `gct${randomUUID().slice(0, 8)}`;
let n = 0;
/** The Redis URLs this file's tests opened queues on. */
const used = new Set<string>();
const g = globalThis as unknown as { __gcQueues?: Map<string, unknown>; __gcRedis?: { all: Set<{ disconnect(): void }> } };

process.env.QUEUE_PREFIX = `${filePrefix}-0`;

beforeEach(() => {
  process.env.QUEUE_PREFIX = `${filePrefix}-${++n}`;
});

afterEach(() => {
  if (g.__gcQueues?.size) used.add(process.env.REDIS_URL!);
});

afterAll(async () => {
  if (g.__gcQueues?.size) {
    // The last test's wake-ups may still be on their way to Bull (enqueued after commit,
    // not awaited); closing under them would only print "Connection is closed".
    await new Promise((r) => setTimeout(r, 100));
  }
  if (g.__gcQueues) {
    // A wake-up enqueued after commit can still be on its way when its test ends and reach
    // getQueue() during a later test, with that test's REDIS_URL: a test that points the app at
    // a Redis nobody runs then leaves a connection retrying forever, and quit() on it never
    // returns. Close politely for a while, then drop whatever is left.
    const left = [...(g.__gcRedis?.all ?? [])];
    const { closeQueues } = await import("../../jobs/queues");
    const { closeAllRedis } = await import("../../jobs/connection");
    await within(5_000, closeQueues());
    await within(5_000, closeAllRedis());
    for (const r of left) r.disconnect();
  }
  // Sign-in (any test that posts the login form) opens the throttle's own Redis client.
  const { closeSignInThrottle } = await import("../../app/services/sign-in-throttle.server");
  await within(2_000, closeSignInThrottle());
  for (const url of used) await dropKeys(url, `${filePrefix}-*`);
});

/** Waits for `p`, but no longer than `ms`. */
function within(ms: number, p: Promise<unknown>): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([p, new Promise((r) => (timer = setTimeout(r, ms)))]).finally(() => clearTimeout(timer));
}

/** Deletes every key matching `pattern`; a Redis that is gone by now (a test's private one) is skipped. */
async function dropKeys(url: string, pattern: string): Promise<void> {
  const { default: Redis } = await import("ioredis");
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1_000, retryStrategy: () => null });
  r.on("error", () => {});
  try {
    await r.connect();
    let cursor = "0";
    do {
      const [next, keys] = await r.scan(cursor, "MATCH", pattern, "COUNT", 1_000);
      if (keys.length) await r.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } catch {
    // Not reachable: nothing of ours to delete there.
  } finally {
    r.disconnect();
  }
}
