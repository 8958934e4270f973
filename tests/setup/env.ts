import { copyFileSync } from "node:fs";
import { resolve } from "node:path";
import { randomUUID } from "node:crypto";

// Runs before each test file is imported: point the app at a fresh copy of the
// migrated base database and at a queue prefix nobody else uses, before any
// module reads the configuration.
const file = resolve("tests/.tmp", `test-${process.env.VITEST_POOL_ID ?? "0"}-${randomUUID().slice(0, 8)}.db`);
copyFileSync(resolve("tests/.tmp/base.db"), file);
process.env.DATABASE_PATH = file;
process.env.UPLOAD_DIR = resolve("tests/.tmp", `uploads-${randomUUID().slice(0, 8)}`);
process.env.QUEUE_PREFIX = `gctest-${randomUUID().slice(0, 8)}`;
process.env.SESSION_SECRET = "test-session-secret";
process.env.REDIS_URL ??= "redis://127.0.0.1:6379";
