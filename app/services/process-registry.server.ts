import { readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/*
 * Which app processes have a database open, so that `npm run restore` can refuse to swap the
 * file under a running web server or worker (their open handle would keep writing to the
 * replaced file, or to a WAL that no longer matches it). Each process leaves a pid file beside
 * the database while it runs: `<db>.<kind>.<pid>.pid`, one per process, so two web servers on
 * one file do not overwrite each other's. A process killed with SIGKILL leaves its file behind;
 * a file whose pid is no longer alive is ignored.
 */

export const PROCESS_KINDS = ["web", "worker"] as const;
export type ProcessKind = (typeof PROCESS_KINDS)[number];

export interface RegisteredProcess {
  kind: ProcessKind;
  pid: number;
  startedAt: string;
  /** The pid file, so an operator can remove one that a reused pid keeps alive. */
  file: string;
}

const FILE_RE = /^(web|worker)\.(\d+)\.pid$/;

function pidFile(databasePath: string, kind: ProcessKind, pid: number): string {
  return `${databasePath}.${kind}.${pid}.pid`;
}

/** Whether a process with this pid exists; EPERM means it does, under another user. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Records this process as running against `databasePath` until it exits. Returns a function
 * that unregisters it early (tests; a process that closes its database and keeps running).
 */
export function registerProcess(kind: ProcessKind, databasePath: string, pid: number = process.pid): () => void {
  const file = pidFile(databasePath, kind, pid);
  writeFileSync(file, JSON.stringify({ kind, pid, startedAt: new Date().toISOString() }) + "\n", { mode: 0o644 });
  const remove = () => {
    process.off("exit", remove);
    rmSync(file, { force: true });
  };
  // "exit" runs on process.exit() (the SIGTERM/SIGINT handlers) and on a normal end; only SIGKILL skips it.
  process.on("exit", remove);
  return remove;
}

/** The app processes alive now that registered against `databasePath`. */
export function runningProcesses(databasePath: string): RegisteredProcess[] {
  const dir = dirname(databasePath);
  const prefix = `${basename(databasePath)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: RegisteredProcess[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = FILE_RE.exec(name.slice(prefix.length));
    if (!m) continue;
    const pid = Number(m[2]);
    if (!isAlive(pid)) continue;
    const file = join(dir, name);
    let startedAt = "";
    try {
      startedAt = String(JSON.parse(readFileSync(file, "utf8")).startedAt ?? "");
    } catch {
      // Half-written or edited by hand: the name alone says which process it is.
    }
    out.push({ kind: m[1] as ProcessKind, pid, startedAt, file });
  }
  return out.sort((a, b) => a.pid - b.pid);
}
