/**
 * Benchmark runner: `npm run bench` (= `tsx bench/run.ts`).
 *
 * Discovers every `bench/*.bench.ts` next to this file, imports them in name order and awaits
 * each module's default export (`async function run(): Promise<void>`), printing a header per
 * file. Optional filter: `tsx bench/run.ts calendar` runs only files whose name contains "calendar".
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);

const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

if (files.length === 0) {
  console.log(`no bench/*.bench.ts files${filters.length ? ` matching ${filters.join(", ")}` : ""}`);
}

let failed = 0;
const started = performance.now();
for (const file of files) {
  console.log(`\n=== ${file} ${"=".repeat(Math.max(0, 60 - file.length))}`);
  const t0 = performance.now();
  try {
    const mod = (await import(pathToFileURL(join(here, file)).href)) as { default?: unknown };
    if (typeof mod.default !== "function") {
      throw new Error(`${file} has no default export function run(): Promise<void>`);
    }
    await (mod.default as () => Promise<void>)();
    console.log(`--- ${file} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } catch (err) {
    failed++;
    console.error(`--- ${file} FAILED:`, err);
  }
}
console.log(`\n${files.length} bench file(s), ${failed} failed, ${((performance.now() - started) / 1000).toFixed(1)} s total`);
if (failed) process.exitCode = 1;
