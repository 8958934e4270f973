import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "~": fileURLToPath(new URL("./app", import.meta.url)) } },
  test: {
    environment: "node",
    include: ["tests/e2e/**/*.e2e.test.ts"],
    fileParallelism: false,
    // Random order, as in vitest.config.ts: no test may rely on another one's clicks (the printed seed replays an order).
    sequence: { shuffle: { files: true, tests: true } },
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
