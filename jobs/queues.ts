import Queue from "bull";
import { loadConfig } from "../app/utils/config.server";
import { createClient, redisAvailable } from "./connection";

/** Queue names are kebab-case; job ids are colon-free and deterministic (DESIGN §8). */
export const QUEUE_NAMES = ["escalations", "maintenance", "imports"] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

const g = globalThis as unknown as { __gcQueues?: Map<string, Queue.Queue> };
const queues = (g.__gcQueues ??= new Map());

/** Producers and consumers share this; only jobs/worker.ts ever calls `.process()`. */
export function getQueue(name: QueueName): Queue.Queue {
  const { queuePrefix } = loadConfig();
  const id = `${queuePrefix}/${name}`;
  let q = queues.get(id);
  if (!q) {
    q = new Queue(name, { prefix: queuePrefix, createClient });
    q.on("error", () => {
      // Connection errors surface through redisAvailable() and the worker's retry loop.
    });
    queues.set(id, q);
  }
  return q;
}

export async function closeQueues(): Promise<void> {
  const all = [...queues.values()];
  queues.clear();
  await Promise.all(all.map((q) => q.close().catch(() => undefined)));
}

/** One Bull job per ledger import row (import_jobs.id): a second add while it waits is a no-op. */
export const importJobId = (id: number) => `import-${id}`;

/**
 * Asks the worker to run a confirmed ledger import. Best effort, like the wake-ups: the
 * job row is already `queued` in SQLite and the worker's sweep re-adds the Bull job of
 * any import still queued (or whose runner died), so a Redis outage here loses nothing.
 * Removed once finished, so that the sweep can add the same id again should it need to.
 */
export async function enqueueLedgerImport(id: number): Promise<boolean> {
  if (!(await redisAvailable())) return false;
  await getQueue("imports").add("run", { id }, { jobId: importJobId(id), removeOnComplete: true, removeOnFail: true, attempts: 3, backoff: { type: "exponential", delay: 2_000 } });
  return true;
}
