import { redisAvailable } from "~/utils/queue.server";

/**
 * Whether the job queue (Redis) answers right now. The app keeps working without
 * it (countdowns come from the database); administrators are told so (DESIGN §8).
 */
export function isQueueReachable(): Promise<boolean> {
  return redisAvailable();
}
