import Database from "better-sqlite3";
import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { loadConfig } from "~/utils/config.server";
import { runningProcesses, type RegisteredProcess } from "./process-registry.server";

/*
 * `npm run backup` and `npm run restore` (README "Backup and restore"). A backup is one folder
 * `gc-<UTC timestamp>` under BACKUP_DIR holding
 *   app.db         SQLite's online backup of DATABASE_PATH: a consistent snapshot taken page by
 *                  page while the web server and the worker keep writing (no downtime);
 *   uploads/       the content-addressed upload blobs (<sha[0:2]>/<sha>); a blob already in the
 *                  previous backup is hard-linked from it, since the same name means the same bytes;
 *   manifest.json  what was written, for the status page and for a human.
 * It is built in a `.partial` folder and renamed at the end, so a folder with the final name is
 * always complete. Redis is not backed up: it holds only wake-ups, re-planned from the database.
 * The session secret is not copied either: a restore on a new machine signs everybody out, which
 * is the safe outcome for a copy of the data.
 */

export const BACKUP_PREFIX = "gc-";
const NAME_RE = /^gc-\d{4}-\d{2}-\d{2}T\d{6}Z(?:-\d+)?$/;
const DB_FILE = "app.db";
const UPLOADS = "uploads";
const MANIFEST = "manifest.json";
const DEFAULT_KEEP = 14;
/** A `.partial` folder this old belongs to a backup that died; younger ones may still be in progress. */
const PARTIAL_STALE_MS = 6 * 3_600_000;

export interface BackupConfig {
  databasePath: string;
  uploadDir: string;
  backupDir: string;
  keep: number;
}

/** A command-line or configuration mistake, reported to the operator as is (exit code 2). */
export class BackupUsageError extends Error {}

/** A restore refused for a reason the operator must fix first (exit code 1). */
export class RestoreRefused extends Error {
  constructor(
    message: string,
    readonly running: RegisteredProcess[] = [],
  ) {
    super(message);
  }
}

function parseKeep(raw: string | undefined, source: string): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 10_000) throw new BackupUsageError(`${source} 须为 1–10000 之间的整数（收到「${raw}」）`);
  return Number(raw);
}

/** BACKUP_DIR (default: `backups` beside the database, i.e. ./data/backups) and BACKUP_KEEP (default 14). */
export function loadBackupConfig(env: NodeJS.ProcessEnv = process.env, keepArg?: string): BackupConfig {
  const c = loadConfig(env);
  const keep = parseKeep(keepArg, "--keep") ?? parseKeep(env.BACKUP_KEEP, "BACKUP_KEEP") ?? DEFAULT_KEEP;
  return { databasePath: c.databasePath, uploadDir: c.uploadDir, backupDir: resolve(env.BACKUP_DIR || join(c.dataDir, "backups")), keep };
}

export interface BackupManifest {
  name: string;
  createdAt: string;
  database: { file: string; bytes: number; integrity: "ok" };
  uploads: { files: number; bytes: number; linked: number };
}

export interface BackupResult {
  name: string;
  path: string;
  manifest: BackupManifest;
  /** Older backups removed to keep the newest `keep`. */
  pruned: string[];
}

/** `gc-2026-12-02T143000Z`: sorts by time as text, and has no `:` (Windows file shares, scp). */
export function backupName(at: Date): string {
  return BACKUP_PREFIX + at.toISOString().slice(0, 19).replace(/[-:]/g, "").replace(/^(\d{4})(\d{2})(\d{2})/, "$1-$2-$3") + "Z";
}

/** The complete backups in `backupDir`, oldest first. */
export function listBackups(backupDir: string): string[] {
  if (!existsSync(backupDir)) return [];
  return readdirSync(backupDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && NAME_RE.test(e.name) && existsSync(join(backupDir, e.name, MANIFEST)))
    .map((e) => e.name)
    .sort(byTime);
}

/** By timestamp, then by the `-2`, `-3` suffix of a second backup within the same second. */
function byTime(a: string, b: string): number {
  const key = (name: string) => {
    const [, time, n = "1"] = /^gc-(.+Z)(?:-(\d+))?$/.exec(name)!;
    return { time, n: Number(n) };
  };
  const ka = key(a);
  const kb = key(b);
  return ka.time === kb.time ? ka.n - kb.n : ka.time < kb.time ? -1 : 1;
}

export function readManifest(backupPath: string): BackupManifest {
  return JSON.parse(readFileSync(join(backupPath, MANIFEST), "utf8")) as BackupManifest;
}

/** The newest complete backup, for the administrators' status page; null when there is none. */
export function latestBackup(backupDir: string = loadBackupConfig().backupDir): BackupManifest | null {
  const all = listBackups(backupDir);
  if (!all.length) return null;
  try {
    return readManifest(join(backupDir, all[all.length - 1]));
  } catch {
    return null;
  }
}

function integrity(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma("integrity_check") as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join("; ");
  } finally {
    db.close();
  }
}

/** Copies the blob tree; a blob the previous backup already holds is hard-linked from there. */
function copyUploads(from: string, to: string, previous: string | null): BackupManifest["uploads"] {
  const out = { files: 0, bytes: 0, linked: 0 };
  mkdirSync(to, { recursive: true });
  if (!existsSync(from)) return out;
  for (const shard of readdirSync(from, { withFileTypes: true })) {
    if (!shard.isDirectory() || !/^[0-9a-f]{2}$/.test(shard.name)) continue;
    for (const blob of readdirSync(join(from, shard.name), { withFileTypes: true })) {
      // Only finished blobs: a `.tmp` is an upload being written right now (upload-storage.server.ts).
      if (!blob.isFile() || !/^[0-9a-f]{64}$/.test(blob.name)) continue;
      const src = join(from, shard.name, blob.name);
      const dest = join(to, shard.name, blob.name);
      mkdirSync(join(to, shard.name), { recursive: true });
      const size = statSync(src).size;
      const prior = previous ? join(previous, shard.name, blob.name) : null;
      let linked = false;
      if (prior && existsSync(prior) && statSync(prior).size === size) {
        try {
          linkSync(prior, dest);
          linked = true;
        } catch {
          // Another file system or no hard links there: a plain copy does the same job.
        }
      }
      if (!linked) copyFileSync(src, dest);
      out.files++;
      out.bytes += size;
      if (linked) out.linked++;
    }
  }
  return out;
}

/**
 * Takes a backup of the live database and uploads, then removes all but the newest
 * `config.keep` backups. Safe while the app runs: SQLite's backup API reads a consistent
 * snapshot and restarts itself if a write lands mid-copy.
 */
export async function createBackup(config: BackupConfig = loadBackupConfig(), now: Date = new Date()): Promise<BackupResult> {
  if (!existsSync(config.databasePath)) throw new BackupUsageError(`找不到数据库文件 ${config.databasePath}（DATABASE_PATH）`);
  mkdirSync(config.backupDir, { recursive: true });
  let name = backupName(now);
  for (let n = 2; existsSync(join(config.backupDir, name)); n++) name = `${backupName(now)}-${n}`;
  const partial = join(config.backupDir, `.${name}.partial`);
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  try {
    const dbFile = join(partial, DB_FILE);
    // Not getDb(): a backup must not migrate or otherwise change the file it copies.
    const source = new Database(config.databasePath, { fileMustExist: true });
    try {
      source.pragma("busy_timeout = 5000");
      // All pages in one step, i.e. one read transaction: copied 100 pages at a time (the
      // default), every commit by the web or the worker in between restarts the copy, and a
      // busy deployment could keep a large file from ever finishing. In WAL mode this one
      // reader blocks no writer.
      await source.backup(dbFile, { progress: () => 0x7fffffff });
    } finally {
      source.close();
    }
    // A self-contained file (rollback journal, not WAL): checking or copying it later leaves no
    // -wal/-shm beside it. The app switches it back to WAL when it opens the restored file.
    const copy = new Database(dbFile);
    copy.pragma("journal_mode = DELETE");
    copy.close();
    const check = integrity(dbFile);
    if (check !== "ok") throw new Error(`备份文件完整性检查未通过：${check}`);
    const previous = listBackups(config.backupDir).at(-1);
    const uploads = copyUploads(config.uploadDir, join(partial, UPLOADS), previous ? join(config.backupDir, previous, UPLOADS) : null);
    const manifest: BackupManifest = { name, createdAt: now.toISOString(), database: { file: DB_FILE, bytes: statSync(dbFile).size, integrity: "ok" }, uploads };
    writeFileSync(join(partial, MANIFEST), JSON.stringify(manifest, null, 2) + "\n");
    const path = join(config.backupDir, name);
    renameSync(partial, path);
    return { name, path, manifest, pruned: pruneBackups(config.backupDir, config.keep, now) };
  } catch (e) {
    rmSync(partial, { recursive: true, force: true });
    throw e;
  }
}

/** Removes all but the newest `keep` backups, and partial folders left by a backup that died. */
export function pruneBackups(backupDir: string, keep: number, now: Date = new Date()): string[] {
  const all = listBackups(backupDir);
  const gone = all.slice(0, Math.max(0, all.length - keep));
  for (const name of gone) rmSync(join(backupDir, name), { recursive: true, force: true });
  for (const e of readdirSync(backupDir, { withFileTypes: true })) {
    if (!e.isDirectory() || !/^\.gc-.*\.partial$/.test(e.name)) continue;
    const p = join(backupDir, e.name);
    if (now.getTime() - statSync(p).mtimeMs > PARTIAL_STALE_MS) rmSync(p, { recursive: true, force: true });
  }
  return gone;
}

/** A backup given by name (looked up in BACKUP_DIR) or by path: its folder, or a bare database file. */
export function resolveBackup(arg: string, backupDir: string): { dbFile: string; uploads: string | null; name: string } {
  const candidates = [resolve(arg), join(backupDir, arg)];
  for (const p of candidates) {
    if (!existsSync(p)) continue;
    if (statSync(p).isDirectory()) {
      const dbFile = join(p, DB_FILE);
      if (!existsSync(dbFile)) throw new RestoreRefused(`${p} 不是一个备份：其中没有 ${DB_FILE}`);
      const uploads = join(p, UPLOADS);
      return { dbFile, uploads: existsSync(uploads) ? uploads : null, name: basename(p) };
    }
    return { dbFile: p, uploads: null, name: basename(p) };
  }
  throw new RestoreRefused(`找不到备份「${arg}」（既不是路径，也不在 ${backupDir} 中）`);
}

export interface RestoreResult {
  name: string;
  /** The database that was replaced, kept beside it under this name (with its -wal) until you delete it. */
  previousDatabase: string | null;
  uploads: { restored: number; present: number };
}

function stamp(now: Date): string {
  return backupName(now).slice(BACKUP_PREFIX.length);
}

/**
 * Puts a backup back: refuses while a web server or worker runs against DATABASE_PATH, or
 * when the backup fails `PRAGMA integrity_check`; otherwise replaces the database (the old
 * file and its -wal are moved aside, never deleted; a stale -shm is removed) and puts back
 * every blob the backup holds. Blobs uploaded after the backup stay: content-addressed files
 * no row refers to are harmless, and deleting them would make a wrong restore unrecoverable.
 */
export function restoreBackup(arg: string, config: BackupConfig = loadBackupConfig(), now: Date = new Date()): RestoreResult {
  const running = runningProcesses(config.databasePath);
  if (running.length) {
    const who = running.map((p) => `${p.kind === "web" ? "网站进程" : "后台任务进程"} pid ${p.pid}`).join("、");
    throw new RestoreRefused(`应用正在使用 ${config.databasePath}（${who}）：请先停止网站和后台任务进程，再恢复备份`, running);
  }
  const backup = resolveBackup(arg, config.backupDir);
  let check: string;
  try {
    check = integrity(backup.dbFile);
  } catch (e) {
    throw new RestoreRefused(`备份「${backup.name}」无法作为数据库打开（${(e as Error).message}），未做任何修改`);
  }
  if (check !== "ok") throw new RestoreRefused(`备份「${backup.name}」完整性检查未通过（${check.slice(0, 300)}），未做任何修改`);

  // Copied next to the target first, so the final step is a rename on one file system.
  const db = config.databasePath;
  const incoming = `${db}.restore-${process.pid}.tmp`;
  copyFileSync(backup.dbFile, incoming);
  let previousDatabase: string | null = null;
  if (existsSync(db)) {
    previousDatabase = `${db}.before-restore-${stamp(now)}`;
    for (let n = 2; existsSync(previousDatabase); n++) previousDatabase = `${db}.before-restore-${stamp(now)}-${n}`;
    renameSync(db, previousDatabase);
    // The old file's WAL holds its newest commits: it goes with it, so the kept copy is whole.
    if (existsSync(`${db}-wal`)) renameSync(`${db}-wal`, `${previousDatabase}-wal`);
  }
  // A -wal or -shm left beside the restored file would be read as belonging to it.
  rmSync(`${db}-wal`, { force: true });
  rmSync(`${db}-shm`, { force: true });
  renameSync(incoming, db);

  const uploads = { restored: 0, present: 0 };
  if (backup.uploads) {
    for (const shard of readdirSync(backup.uploads, { withFileTypes: true })) {
      if (!shard.isDirectory()) continue;
      for (const blob of readdirSync(join(backup.uploads, shard.name))) {
        const src = join(backup.uploads, shard.name, blob);
        const dest = join(config.uploadDir, shard.name, blob);
        if (existsSync(dest) && statSync(dest).size === statSync(src).size) {
          uploads.present++;
          continue;
        }
        mkdirSync(join(config.uploadDir, shard.name), { recursive: true });
        // Same write-then-rename as an upload: a reader never sees half a blob.
        copyFileSync(src, `${dest}.restore.tmp`);
        renameSync(`${dest}.restore.tmp`, dest);
        uploads.restored++;
      }
    }
  }
  return { name: backup.name, previousDatabase, uploads };
}
