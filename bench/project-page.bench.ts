/**
 * The project page's loader on the largest demo project (issue: one home for every
 * rule — "the aggregate is built once"). Prints the loader's median time, the time
 * of one project context (calendar, policy, aggregate with every clock replayed,
 * schedule), and their ratio: the loader builds the context once, so the ratio is
 * one context plus the panels' own work, where the old loader built it three times.
 * Uses a throw-away SQLite file with the demo city.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn: () => unknown, runs: number): number {
  for (let i = 0; i < 20; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  return median(samples);
}

export default async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "gc-bench-page-"));
  process.env.DATABASE_PATH = join(dir, "bench.db");
  try {
    const { getDb } = await import("../app/utils/db.server");
    const { seedDemo } = await import("../scripts/demo-seed");
    const { loadProjectPage } = await import("../app/services/project-page.server");
    const { loadProjectContext } = await import("../app/services/project-context.server");
    const db = getDb();
    await seedDemo(db);
    const largest = db.$client.prepare("select project_id as id, count(*) as n from items group by project_id order by n desc, project_id limit 1").get() as { id: number; n: number };
    const u = db.$client.prepare("select id, role, department_id as departmentId, enterprise_id as enterpriseId from users where login = 'proxy'").get() as {
      id: number;
      role: "proxy";
      departmentId: number | null;
      enterpriseId: number | null;
    };
    const ctx = () => ({ db, now: new Date() });
    const runs = 200;
    const page = time(() => loadProjectPage(ctx(), u, largest.id, null), runs);
    const selected = time(() => loadProjectPage(ctx(), u, largest.id, "filing"), runs);
    const context = time(() => loadProjectContext(ctx(), u, largest.id), runs);
    console.log(`project ${largest.id} (${largest.n} items), median of ${runs} runs:`);
    console.log(`  loader (no item selected)     ${page.toFixed(2)} ms`);
    console.log(`  loader (an item selected)     ${selected.toFixed(2)} ms`);
    console.log(`  one project context           ${context.toFixed(2)} ms`);
    console.log(`  loader / context              ${(page / context).toFixed(2)}× (the context is built once per request)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
