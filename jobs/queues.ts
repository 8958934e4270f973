import Queue from "bull";
import { loadConfig } from "../app/utils/config.server";
import { createClient } from "./connection";

/** Queue names are kebab-case; job ids are colon-free and deterministic (DESIGN §8). */
export const QUEUE_NAMES = ["escalations", "maintenance"] as const;
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
