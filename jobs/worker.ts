import { registerProcess } from "../app/services/process-registry.server";
import { loadConfig } from "../app/utils/config.server";
import { getDb } from "../app/utils/db.server";
import { logger } from "../app/utils/log.server";
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
// Structured lines like the web server's, told apart by "service" (the logger is made on first use).
process.env.GC_SERVICE ??= "worker";
const log = logger();

async function main() {
  getDb();
  // `npm run restore` refuses while this file exists and this pid lives.
  registerProcess("worker", loadConfig().databasePath);
  for (let attempt = 1; !stopping; attempt++) {
    try {
      handle = await startWorker({ log: (m) => log.info(m) });
      return;
    } catch (e) {
      const wait = Math.min(attempt * 2_000, 15_000);
      log.warn({ err: e, retryInSeconds: wait / 1000 }, "Redis not reachable; retrying");
      await closeQueues();
      await closeAllRedis();
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "finishing current jobs");
  await (handle?.close() ?? Promise.all([closeQueues(), closeAllRedis()]));
  getDb().$client.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

void main();
