import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** DESIGN §7: every setting has a default that works on one machine. */
export interface AppConfig {
  port: number;
  databasePath: string;
  redisUrl: string;
  queuePrefix: string;
  uploadDir: string;
  dataDir: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const databasePath = resolve(env.DATABASE_PATH || "./data/app.db");
  return {
    port: Number(env.PORT || 3000),
    databasePath,
    redisUrl: env.REDIS_URL || "redis://127.0.0.1:6379",
    queuePrefix: env.QUEUE_PREFIX || "gc",
    uploadDir: resolve(env.UPLOAD_DIR || "./data/uploads"),
    dataDir: dirname(databasePath),
  };
}

/**
 * SESSION_SECRET, or one generated once and kept beside the database, so a
 * restart does not sign everybody out and no default secret ships in the code.
 */
export function sessionSecret(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SESSION_SECRET) return env.SESSION_SECRET;
  const file = resolve(loadConfig(env).dataDir, "session-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32).toString("hex");
  writeFileSync(file, secret, { mode: 0o600, flag: "wx" });
  return secret;
}
