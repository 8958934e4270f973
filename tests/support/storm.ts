/**
 * A write storm against a running app (tests/e2e/concurrency and crash): many
 * concurrent writers, each looping over one write at a time until stopped,
 * recording every write the server acknowledged. Afterwards the acknowledged
 * writes are looked up in the app's SQLite file with plain SQL: an
 * acknowledgement is a promise that the write is durable.
 */
import Database from "better-sqlite3";

/** One write a writer sends: `marker` is unique and stored with the row, so it can be found again. */
export interface StormWrite {
  kind: "message" | "log";
  marker: string;
  projectId: number;
  send: () => Promise<Response>;
}

/** An acknowledged write: the server promised it (and, for a message, answered its id). */
export interface Ack {
  kind: StormWrite["kind"];
  marker: string;
  projectId: number;
  /** The row id the server answered with, when it answers one. */
  id: number | null;
}

export interface StormReport {
  writers: number;
  seconds: number;
  /** Requests that got any HTTP answer. */
  answered: number;
  acks: Ack[];
  /** Answer statuses and how often each came. */
  statuses: Record<number, number>;
  /** Every 5xx, with the start of its body (the first 20). */
  serverErrors: string[];
  /** Requests that got no answer at all (connection refused or reset): not acknowledged. */
  unanswered: number;
  /** Acknowledged writes per second. */
  throughput: number;
}

export interface Storm {
  /** Stops the writers (each finishes or abandons its request in flight) and reports. */
  stop: () => Promise<StormReport>;
  /** Acknowledged writes so far. */
  acked: () => number;
}

/**
 * Starts `writers` concurrent loops; writer w's n-th write is `make(w, n)`;
 * `acknowledged` says whether an answer promises the write (a 201, or a form's
 * redirect reporting success). A write that got no answer (the server died
 * under it) is retried with a new marker after a short pause, so a dead server
 * is not hammered.
 */
export function startStorm(
  writers: number,
  make: (writer: number, seq: number) => StormWrite,
  acknowledged: (write: StormWrite, res: Response) => boolean,
): Storm {
  const started = Date.now();
  let stopping = false;
  const acks: Ack[] = [];
  const statuses: Record<number, number> = {};
  const serverErrors: string[] = [];
  let answered = 0;
  let unanswered = 0;
  const loop = async (w: number) => {
    for (let n = 0; !stopping; n++) {
      const write = make(w, n);
      let res: Response;
      let body: string;
      try {
        res = await write.send();
        body = await res.text();
      } catch {
        unanswered++;
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      answered++;
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status >= 500 && serverErrors.length < 20) serverErrors.push(`${res.status} ${write.kind}: ${body.slice(0, 200)}`);
      if (acknowledged(write, res)) {
        let id: number | null = null;
        if (write.kind === "message") id = (JSON.parse(body) as { id: number }).id;
        acks.push({ kind: write.kind, marker: write.marker, projectId: write.projectId, id });
      }
    }
  };
  const loops = Array.from({ length: writers }, (_, w) => loop(w));
  return {
    acked: () => acks.length,
    stop: async () => {
      stopping = true;
      await Promise.all(loops);
      const seconds = (Date.now() - started) / 1000;
      return { writers, seconds, answered, acks, statuses, serverErrors, unanswered, throughput: Math.round(acks.length / seconds) };
    },
  };
}

export interface DurabilityReport {
  integrity: string;
  foreignKeyViolations: number;
  /** Acknowledged writes not found in the database (markers), the first 20. */
  missing: string[];
  missingCount: number;
  /** Acknowledged message ids whose row holds another body. */
  wrongId: string[];
  /** Rows with a storm marker in the database that were never acknowledged (written, answer lost). */
  unacknowledgedRows: number;
  /** Storm rows found, per kind. */
  rows: Record<StormWrite["kind"], number>;
}

/**
 * Looks every acknowledged write up in the app's database file (opened
 * read-only, while the app may still run: SQLite's WAL lets a reader in) and
 * runs SQLite's own consistency checks. `prefix` starts every marker of the run.
 */
export function checkDurability(databasePath: string, acks: readonly Ack[], prefix: string): DurabilityReport {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    db.pragma("busy_timeout = 10000");
    const integrity = (db.pragma("integrity_check") as { integrity_check: string }[]).map((r) => r.integrity_check).join("; ");
    const foreignKeyViolations = (db.pragma("foreign_key_check") as unknown[]).length;
    const like = `${prefix}%`;
    const messages = new Map(
      db
        .prepare<[string], { id: number; body: string }>("select id, body from project_messages where body like ?")
        .all(like)
        .map((r) => [r.body, r.id]),
    );
    const logs = new Set(
      db
        .prepare<[string], { note: string }>("select note from contact_logs where note like ?")
        .all(like)
        .map((r) => r.note),
    );
    const missing: string[] = [];
    const wrongId: string[] = [];
    for (const a of acks) {
      if (a.kind === "message") {
        const id = messages.get(a.marker);
        if (id === undefined) missing.push(a.marker);
        else if (id !== a.id) wrongId.push(`${a.marker}: answered ${a.id}, stored ${id}`);
      } else if (!logs.has(a.marker)) missing.push(a.marker);
    }
    return {
      integrity,
      foreignKeyViolations,
      missing: missing.slice(0, 20),
      missingCount: missing.length,
      wrongId: wrongId.slice(0, 20),
      unacknowledgedRows: messages.size + logs.size - acks.length,
      rows: { message: messages.size, log: logs.size },
    };
  } finally {
    db.close();
  }
}

/** One line for the test output: what the storm did. */
export function describeStorm(r: StormReport): string {
  return `${r.writers} writers, ${r.seconds.toFixed(1)} s: ${r.acks.length} acknowledged writes (${r.throughput}/s), ${r.answered} answered, statuses ${JSON.stringify(r.statuses)}, ${r.unanswered} without an answer`;
}
