import Database from "better-sqlite3";
import { execFile, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync, closeSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { users } from "../../db/schema";
import { createBackup, listBackups, loadBackupConfig, restoreBackup, RestoreRefused, type BackupConfig } from "~/services/backup.server";
import { registerProcess, runningProcesses } from "~/services/process-registry.server";
import { blobPath, storeBlob } from "~/services/upload-storage.server";
import { getDb, resetDbForTests } from "~/utils/db.server";
import { insertUser } from "../factories";

/*
 * `npm run backup` / `npm run restore` against the test's own SQLite file and upload
 * directory (tests/setup/db.ts), with backups in a folder of the test's own.
 */

const run = promisify(execFile);
let backupDir: string;
let config: BackupConfig;

beforeEach(() => {
  backupDir = mkdtempSync(join(tmpdir(), "gc-backups-"));
  process.env.BACKUP_DIR = backupDir;
  config = loadBackupConfig();
});

afterEach(() => {
  delete process.env.BACKUP_DIR;
  rmSync(backupDir, { recursive: true, force: true });
  for (const f of readdirSync(join(config.databasePath, ".."))) {
    if (f.startsWith(`${config.databasePath.split("/").pop()}.before-restore-`)) rmSync(join(config.databasePath, "..", f), { force: true });
  }
});

async function upload(bytes: Buffer): Promise<string> {
  const sha = createHash("sha256").update(bytes).digest("hex");
  await storeBlob(config.uploadDir, sha, bytes);
  return sha;
}

const loginsIn = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare("select login from users order by login").all() as { login: string }[]).map((r) => r.login);
  } finally {
    db.close();
  }
};

/** The app stops (restore refuses otherwise), the restore runs, the app starts on the restored file. */
function restoreAsOperator(name: string) {
  resetDbForTests();
  const result = restoreBackup(name, config);
  resetDbForTests(config.databasePath);
  return result;
}

describe("backup and restore", () => {
  it("round trip: rows and an uploaded file changed or deleted after a backup come back as they were", async () => {
    const kept = await insertUser({ role: "proxy", login: "kept-proxy" });
    const bytes = randomBytes(5_000);
    const sha = await upload(bytes);
    // The app's own connection holds this write in its WAL, not yet in the main file:
    // a file copy would miss it, the online backup must not.
    expect(existsSync(`${config.databasePath}-wal`)).toBe(true);

    const backup = await createBackup(config);
    expect(backup.manifest.uploads).toMatchObject({ files: 1, bytes: bytes.length });
    expect(loginsIn(join(backup.path, "app.db"))).toContain("kept-proxy");

    // After the backup: a row deleted, a row added, the file lost.
    getDb().delete(users).where(eq(users.id, kept.id)).run();
    await insertUser({ role: "proxy", login: "added-later" });
    rmSync(blobPath(config.uploadDir, sha));

    const restored = restoreAsOperator(backup.name);

    const logins = getDb().select({ login: users.login }).from(users).all().map((u) => u.login);
    expect(logins).toContain("kept-proxy");
    expect(logins).not.toContain("added-later");
    expect(readFileSync(blobPath(config.uploadDir, sha)).equals(bytes)).toBe(true);
    expect(restored.uploads).toEqual({ restored: 1, present: 0 });
    // Nothing is thrown away: the replaced database (with its WAL) is kept aside, whole.
    expect(loginsIn(restored.previousDatabase!)).toContain("added-later");
    expect(getDb().$client.pragma("integrity_check", { simple: true })).toBe("ok");
  });

  it("finishes while another connection keeps committing, with a consistent copy", async () => {
    // Enough pages for many of SQLite's default 100-page backup steps. With those steps, a
    // commit by another connection between two of them restarts the copy, so a steady writer
    // (the web server, the worker) kept a backup from ever finishing.
    const sqlite = getDb().$client;
    sqlite.exec("create table load_test (id integer primary key, v blob)");
    const fill = sqlite.prepare("insert into load_test (v) values (randomblob(4000))");
    sqlite.transaction(() => {
      for (let i = 0; i < 1_000; i++) fill.run();
    })();
    // The worker, as SQLite sees it: a connection of its own, committing between every step the backup takes.
    const other = new Database(config.databasePath);
    other.pragma("busy_timeout = 5000");
    const write = other.prepare("insert into load_test (v) values (randomblob(100))");
    let writes = 0;
    let writing = true;
    const loop = () => {
      if (!writing) return;
      write.run();
      writes++;
      setImmediate(loop);
    };
    setImmediate(loop);
    try {
      const backup = await createBackup(config);
      expect(writes).toBeGreaterThan(0);
      const copy = new Database(join(backup.path, "app.db"), { readonly: true });
      try {
        expect(copy.pragma("integrity_check", { simple: true })).toBe("ok");
        expect((copy.prepare("select count(*) as n from load_test").get() as { n: number }).n).toBeGreaterThanOrEqual(1_000);
      } finally {
        copy.close();
      }
    } finally {
      writing = false;
      other.close();
    }
  });

  it("keeps the newest N backups, oldest removed first, a second one within the same second included", async () => {
    const at = (s: string) => new Date(`2026-12-0${s}Z`);
    const keep3 = { ...config, keep: 3 };
    await createBackup(keep3, at("1T02:00:00"));
    await createBackup(keep3, at("2T02:00:00"));
    await createBackup(keep3, at("3T02:00:00"));
    const r = await createBackup(keep3, at("3T02:00:00"));
    expect(r.name).toBe("gc-2026-12-03T020000Z-2");
    expect(r.pruned).toEqual(["gc-2026-12-01T020000Z"]);
    const last = await createBackup(keep3, at("4T02:00:00"));
    expect(last.pruned).toEqual(["gc-2026-12-02T020000Z"]);
    expect(listBackups(backupDir)).toEqual(["gc-2026-12-03T020000Z", "gc-2026-12-03T020000Z-2", "gc-2026-12-04T020000Z"]);
  });

  it("shares unchanged uploads with the previous backup instead of copying them again", async () => {
    await upload(randomBytes(1_000));
    const first = await createBackup(config, new Date("2026-12-01T02:00:00Z"));
    await upload(randomBytes(1_000));
    const second = await createBackup(config, new Date("2026-12-02T02:00:00Z"));
    expect(first.manifest.uploads).toMatchObject({ files: 1, linked: 0 });
    expect(second.manifest.uploads).toMatchObject({ files: 2, linked: 1 });
  });

  it("refuses while a web server or worker runs against the database, and writes nothing", async () => {
    const backup = await createBackup(config);
    await insertUser({ role: "proxy", login: "after-backup" });
    const unregister = registerProcess("web", config.databasePath);
    try {
      expect(runningProcesses(config.databasePath).map((p) => [p.kind, p.pid])).toEqual([["web", process.pid]]);
      const refused = (() => {
        try {
          restoreBackup(backup.name, config);
        } catch (e) {
          return e;
        }
      })();
      expect(refused).toBeInstanceOf(RestoreRefused);
      expect((refused as Error).message).toContain(`网站进程 pid ${process.pid}`);
      expect(getDb().select().from(users).where(eq(users.login, "after-backup")).get()).toBeDefined();
    } finally {
      unregister();
    }
    expect(runningProcesses(config.databasePath)).toEqual([]);
  });

  it("ignores the pid file a killed process left behind", async () => {
    const backup = await createBackup(config);
    await insertUser({ role: "proxy", login: "after-backup" });
    const child = spawn(process.execPath, ["-e", ""]);
    await new Promise((r) => child.on("exit", r));
    const unregister = registerProcess("worker", config.databasePath, child.pid!);
    try {
      expect(runningProcesses(config.databasePath)).toEqual([]);
      restoreAsOperator(backup.name);
      expect(getDb().select().from(users).where(eq(users.login, "after-backup")).get()).toBeUndefined();
    } finally {
      unregister();
    }
  });

  it("refuses a corrupt backup and leaves the database as it was", async () => {
    await insertUser({ role: "proxy", login: "before-backup" });
    const backup = await createBackup(config);
    await insertUser({ role: "proxy", login: "after-backup" });
    // Garbage over pages in the middle of the copy, as a failing disk or a truncated transfer leaves it.
    const file = join(backup.path, "app.db");
    const fd = openSync(file, "r+");
    writeSync(fd, randomBytes(4096 * 8), 0, 4096 * 8, 4096 * 2);
    closeSync(fd);

    resetDbForTests();
    expect(() => restoreBackup(backup.name, config)).toThrow(/完整性检查未通过|无法作为数据库打开/);
    resetDbForTests(config.databasePath);
    expect(getDb().select().from(users).where(eq(users.login, "after-backup")).get()).toBeDefined();
  });

  it("the command line: npm run backup writes a backup, npm run restore refuses while the app runs", async () => {
    await insertUser({ role: "proxy", login: "cli-user" });
    const env = { ...process.env, BACKUP_KEEP: "5" };
    const { stdout } = await run("npx", ["tsx", "scripts/backup.ts"], { env });
    const [name] = listBackups(backupDir);
    expect(stdout).toContain(`已备份到 ${join(backupDir, name)}`);
    expect(stdout).toContain("保留最近 5 份");
    expect(loginsIn(join(backupDir, name, "app.db"))).toContain("cli-user");

    const unregister = registerProcess("worker", config.databasePath);
    try {
      // The tsx loader in this process, not the npx wrapper: the same script, a few seconds sooner.
      const refused = await run(process.execPath, ["--import", "tsx", "scripts/restore.ts", name], { env }).then(
        () => null,
        (e: { code: number; stderr: string }) => e,
      );
      expect(refused?.code).toBe(1);
      expect(refused?.stderr).toContain("请先停止网站和后台任务进程");
    } finally {
      unregister();
    }
  });
});
