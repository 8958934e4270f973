// Runs before each test file is imported, before any module reads the
// configuration (app/utils/config.server.ts reads the environment on every
// call). The database, upload directory and queue prefix are per test: see
// tests/setup/db.ts and tests/setup/redis.ts, the next two set-up files.
process.env.SESSION_SECRET = "test-session-secret";
process.env.REDIS_URL ??= "redis://127.0.0.1:6379";
