import type { Wakeup } from "../app/domain/escalation/wakeup";
import { redisAvailable } from "./connection";
import { getQueue } from "./queues";

/**
 * One id per escalation row and moment: re-planning a row to another moment gets a
 * wake-up of its own, and the old one wakes to find nothing due. No ":" in ids
 * (BullMQ's rule, kept for portability).
 */
export const wakeupJobId = (escalationId: number, fireAt: number) => `esc-${escalationId}-${fireAt}`;

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
      { jobId: wakeupJobId(w.id, w.fireAt), delay: Math.max(0, w.fireAt - now), removeOnComplete: true, removeOnFail: 1000, attempts: 5, backoff: { type: "exponential", delay: 1000 } },
    );
    added++;
  }
  return added;
}
