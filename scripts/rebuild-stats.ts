/**
 * `npm run stats:rebuild`: recomputes every stored dashboard figure (project_stats and its group
 * sums, department and month figures) from the projects and items. The running system keeps them
 * in step by itself; this is for after editing the database by hand or restoring part of it.
 */
import { refreshAllStats } from "../app/services/stats.server";
import { getDb } from "../app/utils/db.server";

const started = Date.now();
let last = 0;
refreshAllStats(getDb(), new Date(), (done, total) => {
  if (Date.now() - last < 500 && done < total) return;
  last = Date.now();
  process.stderr.write(`\r统计重算：${done}/${total} 个项目`);
});
process.stderr.write("\n");
console.log(`stats:rebuild: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
