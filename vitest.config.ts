import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "~": fileURLToPath(new URL("./app", import.meta.url)) } },
  test: {
    environment: "node",
    include: ["tests/unit/**/*.test.ts", "tests/integration/**/*.test.ts"],
    exclude: ["tests/e2e/**", "build/**", "public/build/**", "node_modules/**"],
    pool: "forks",
    globalSetup: ["tests/setup/global-setup.ts"],
    // Before every test: a fresh copy of the migrated database and a Bull prefix of its own.
    setupFiles: ["tests/setup/env.ts", "tests/setup/db.ts", "tests/setup/redis.ts"],
    // Files and the tests inside them run in a random order on every run, so a test that
    // leans on another one's leftovers fails early. The run prints its seed
    // (`Running tests with seed "…"`); `npx vitest run --sequence.seed=<seed>` replays that order.
    sequence: { shuffle: { files: true, tests: true } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
