/**
 * `npm run restore -- <backup>`: puts a backup made by `npm run backup` back in place (a folder
 * name in BACKUP_DIR, a folder path, or a bare database file). Stop the web server and the worker
 * first: it refuses while either runs against DATABASE_PATH. See README "Backup and restore".
 */
import { RestoreRefused, loadBackupConfig, restoreBackup } from "../app/services/backup.server";

const args = process.argv.slice(2);
if (args.length !== 1 || args[0].startsWith("-")) {
  console.error("用法：npm run restore -- <备份名或路径>（备份名如 gc-2026-12-02T143000Z，在 BACKUP_DIR 中查找）");
  process.exit(2);
}

try {
  const config = loadBackupConfig();
  const r = restoreBackup(args[0], config);
  console.log(`已从备份「${r.name}」恢复数据库 ${config.databasePath}`);
  if (r.previousDatabase) console.log(`  原数据库已移到 ${r.previousDatabase}（确认无误后可删除）`);
  console.log(`  上传文件：恢复 ${r.uploads.restored} 个，已存在 ${r.uploads.present} 个`);
  console.log("  现在可以启动应用；启动时会按需执行数据库迁移，后台任务会重新排定提醒。");
} catch (e) {
  console.error(e instanceof RestoreRefused ? `未恢复：${e.message}` : `恢复失败：${(e as Error).message}`);
  process.exit(1);
}
