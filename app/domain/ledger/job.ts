/**
 * An import job's life (table import_jobs): previewed → queued → running → done | failed,
 * the preview and report it stores as JSON, and the lease a running import holds.
 *
 * The lease: while an import runs, its `report` column holds {lease: {owner, at}},
 * renewed with every row. A worker that finds a job running under a lease older than
 * IMPORT_LEASE_MS takes it over (its runner died mid-way) and carries on; since every
 * row is created in its own transaction and rows whose code exists are skipped, the
 * take-over creates nothing twice. A running lease that is fresh belongs to someone
 * alive: a second delivery of the job leaves it alone.
 */
import type { LedgerCounts, LedgerRowReport, OrphanItemRow } from "./rows";

export const IMPORT_STATUSES = ["previewed", "queued", "running", "done", "failed"] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

export const IMPORT_STATUS_LABELS: Record<ImportStatus, string> = {
  previewed: "待确认",
  queued: "排队中",
  running: "导入中",
  done: "已完成",
  failed: "失败",
};

/** What the preview stored: every project row with its problems, item rows without a project, the counts. */
export interface LedgerPreview {
  rows: LedgerRowReport[];
  orphanItems: OrphanItemRow[];
  counts: LedgerCounts;
  /** False when the workbook had no sheet 审批事项 (every item is then imported as 待办理). */
  itemSheet: boolean;
}

/** The worker's account of every project row. */
export interface LedgerImportReport {
  created: { code: string; id: number; row: number }[];
  skipped: { code: string; reason: string; row: number }[];
  failed: { code: string; problems: string[]; row: number }[];
}

export const emptyReport = (): LedgerImportReport => ({ created: [], skipped: [], failed: [] });

/** A runner that made no progress for this long is taken to be dead. Rows take milliseconds. */
export const IMPORT_LEASE_MS = 2 * 60_000;

export interface ImportLease {
  owner: string;
  /** ms since epoch of the last progress. */
  at: number;
}

export function leaseText(lease: ImportLease): string {
  return JSON.stringify({ lease });
}

/** The lease in a running job's report column, or null when there is none (or the column holds a report). */
export function readLease(text: string | null): ImportLease | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as { lease?: { owner?: unknown; at?: unknown } };
    const l = v?.lease;
    return l && typeof l.owner === "string" && typeof l.at === "number" ? { owner: l.owner, at: l.at } : null;
  } catch {
    return null;
  }
}

/** Whether a running job may be taken over at `now`: its lease is missing or older than IMPORT_LEASE_MS. */
export function leaseExpired(text: string | null, now: number): boolean {
  const lease = readLease(text);
  return lease === null || now - lease.at > IMPORT_LEASE_MS;
}

/** A failed row's problems in one list: the project row's, then each item row's with its row number. */
export function rowProblems(row: Pick<LedgerRowReport, "problems" | "itemProblems">): string[] {
  return [...row.problems, ...row.itemProblems.flatMap((p) => p.problems.map((m) => `审批事项第 ${p.row} 行（${p.item || "未填事项"}）：${m}`))];
}
