/**
 * `npm run backup [-- --keep N]`: a consistent copy of the database (SQLite's online backup,
 * safe while the app runs) and of the uploaded files, in BACKUP_DIR/gc-<UTC time>; keeps the
 * newest N (--keep, else BACKUP_KEEP, else 14). Meant for cron; see README "Backup and restore".
 */
import { parseArgs } from "node:util";
import { BackupUsageError, createBackup, loadBackupConfig } from "../app/services/backup.server";

let keepArg: string | undefined;
try {
  keepArg = parseArgs({ options: { keep: { type: "string" } }, strict: true }).values.keep;
} catch (e) {
  console.error(`用法：npm run backup [-- --keep N]（${(e as Error).message}）`);
  process.exit(2);
}

try {
  const config = loadBackupConfig(process.env, keepArg);
  const r = await createBackup(config);
  const m = r.manifest;
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  console.log(`已备份到 ${r.path}`);
  console.log(`  数据库 ${m.database.file}：${mb(m.database.bytes)} MB，完整性检查通过`);
  console.log(`  上传文件 ${m.uploads.files} 个，${mb(m.uploads.bytes)} MB（其中 ${m.uploads.linked} 个与上一份备份共用）`);
  console.log(r.pruned.length ? `  按保留 ${config.keep} 份删除旧备份：${r.pruned.join("、")}` : `  保留最近 ${config.keep} 份，无需删除旧备份`);
} catch (e) {
  console.error(e instanceof BackupUsageError ? e.message : `备份失败：${(e as Error).message}`);
  process.exit(e instanceof BackupUsageError ? 2 : 1);
}
