import { sql } from "drizzle-orm";
import { getDb } from "../app/utils/db.server";
import { closeAllRedis } from "./connection";
import { closeQueues, getQueue } from "./queues";

/**
 * The worker process: the only place job processors run (DESIGN §2). It must
 * survive Redis being down at start or later: Bull's clients keep
 * reconnecting, and setup is retried until the first connection works.
 */
const HEARTBEAT_JOB_ID = "worker-heartbeat";

function recordHeartbeat(at: number) {
  getDb().run(
    sql`insert into settings (key, value, updated_at) values ('workerHeartbeat', ${JSON.stringify(at)}, ${at})
        on conflict(key) do update set value = excluded.value, updated_at = excluded.updated_at`,
  );
}

async function setup(): Promise<void> {
  const q = getQueue("maintenance");
  q.process("heartbeat", async () => {
    recordHeartbeat(Date.now());
  });
  await q.isReady();
  await q.add("heartbeat", {}, { jobId: HEARTBEAT_JOB_ID, repeat: { every: 30_000 }, removeOnComplete: 50, removeOnFail: 50 });
}

async function main() {
  getDb();
  recordHeartbeat(Date.now());
  for (let attempt = 1; ; attempt++) {
    try {
      await setup();
      console.log("worker: ready");
      return;
    } catch (e) {
      const wait = Math.min(attempt * 2_000, 15_000);
      console.warn(`worker: Redis not reachable (${(e as Error).message}); retrying in ${wait / 1000}s`);
      await closeQueues();
      await closeAllRedis();
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`worker: ${signal}, finishing current jobs`);
  await closeQueues();
  await closeAllRedis();
  getDb().$client.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

void main();
