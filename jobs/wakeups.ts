import type { Wakeup } from "../app/services/escalations.server";
import { redisAvailable } from "./connection";
import { getQueue } from "./queues";

/** Bull ids may not contain ":" (BullMQ's rule, kept for portability); one id per escalation row. */
export const wakeupJobId = (escalationId: number) => `esc-${escalationId}`;

/**
 * Asks Bull to wake the worker when each timer is due. Best effort by design:
 * the rows are already committed, and the worker's sweep re-adds any wake-up
 * that is missing, so a Redis outage here loses nothing.
 */
export async function scheduleWakeups(wakeups: Wakeup[], now = Date.now()): Promise<number> {
  if (!wakeups.length || !(await redisAvailable())) return 0;
  const q = getQueue("escalations");
  let added = 0;
  for (const w of wakeups) {
    await q.add(
      "fire",
      { id: w.id },
      { jobId: wakeupJobId(w.id), delay: Math.max(0, w.fireAt - now), removeOnComplete: true, removeOnFail: 1000, attempts: 5, backoff: { type: "exponential", delay: 1000 } },
    );
    added++;
  }
  return added;
}
