import { transaction } from "../../db/client";
import type { Wakeup } from "~/domain/escalation/wakeup";
import type { Db } from "~/utils/db.server";
import { scheduleWakeups } from "~/utils/queue.server";

export { transaction };

/**
 * One state change and the timers it moves: `work` runs in one transaction and
 * reports the wake-ups it planned through `wake`; they are handed to the queue only
 * after the commit, so the worker never wakes for a row that is not there yet.
 * Scheduling is best effort: the rows are committed, and the worker's sweep re-adds
 * any wake-up that Redis did not take.
 */
export function transactThenWake<T>(db: Db, work: (tx: Db, wake: (wakeups: readonly Wakeup[]) => void) => T): T {
  const planned: Wakeup[] = [];
  const result = transaction(db, (tx) => work(tx, (w) => void planned.push(...w)));
  if (planned.length) {
    void scheduleWakeups(planned).catch((e) => console.warn("wake-ups not scheduled (the worker's sweep will):", e));
  }
  return result;
}
