import { registerProcess } from "../app/services/process-registry.server";
import { loadConfig } from "../app/utils/config.server";
import { getDb } from "../app/utils/db.server";
import { closeAllRedis } from "./connection";
import { closeQueues } from "./queues";
import { startWorker, type WorkerHandle } from "./worker-core";

/**
 * The worker process: the only place job processors run (DESIGN §2). It
 * outlives Redis outages: setup is retried until Redis answers, and Bull's
 * clients reconnect by themselves afterwards.
 */
let handle: WorkerHandle | undefined;
let stopping = false;

async function main() {
  getDb();
  // `npm run restore` refuses while this file exists and this pid lives.
  registerProcess("worker", loadConfig().databasePath);
  for (let attempt = 1; !stopping; attempt++) {
    try {
      handle = await startWorker();
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

async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`worker: ${signal}, finishing current jobs`);
  await (handle?.close() ?? Promise.all([closeQueues(), closeAllRedis()]));
  getDb().$client.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

void main();
