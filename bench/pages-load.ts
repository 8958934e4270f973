/**
 * Load generation and figures for `npm run bench:pages` (bench/pages.ts): autocannon's programmatic
 * API with every response's latency recorded through its `response` event, so p50/p95 are exact
 * (autocannon's own result offers p50/p90/p97.5/p99 only, and counts latencies of 2xx answers only).
 */
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";

interface CannonOptions {
  url: string;
  connections: number;
  duration: number;
  headers: Record<string, string>;
  timeout?: number;
}
interface CannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}
interface CannonInstance {
  on(event: "response", fn: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): void;
  on(event: "reqError", fn: (err: Error) => void): void;
  stop(): void;
}
type Cannon = (opts: CannonOptions, cb: (err: Error | null, result: CannonResult) => void) => CannonInstance;

// autocannon ships no types; a typed require keeps the rest of the file checked.
const autocannon = createRequire(import.meta.url)("autocannon") as Cannon;

export interface LoadFigures {
  /** completed responses (any status) */
  requests: number;
  perSecond: number;
  p50: number;
  p95: number;
  p97_5: number;
  max: number;
  non2xx: number;
  errors: number;
  statuses: Record<string, number>;
  errorSamples: string[];
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

let current: CannonInstance | null = null;
/** Stops a running load (Ctrl-C). */
export function stopLoad(): void {
  current?.stop();
}

export function load(url: string, cookie: string, connections: number, durationSeconds: number): Promise<LoadFigures> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const errorSamples = new Set<string>();
  let non2xx = 0;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const instance = autocannon(
      { url, connections, duration: durationSeconds, headers: { cookie }, timeout: 30 },
      (err, result) => {
        current = null;
        if (err) return reject(err);
        const elapsed = (performance.now() - started) / 1000;
        latencies.sort((a, b) => a - b);
        resolve({
          requests: latencies.length,
          perSecond: latencies.length / (result.duration || elapsed),
          p50: percentile(latencies, 50),
          p95: percentile(latencies, 95),
          p97_5: percentile(latencies, 97.5),
          max: latencies.at(-1) ?? NaN,
          non2xx,
          errors: result.errors,
          statuses,
          errorSamples: [...errorSamples].slice(0, 5),
        });
      },
    );
    current = instance;
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      if (statusCode < 200 || statusCode >= 300) non2xx++;
    });
    instance.on("reqError", (e) => errorSamples.add(String(e?.message ?? e)));
  });
}

export interface OneResponse {
  status: number;
  bytes: number;
  ms: number;
  location: string | null;
}

/** One GET with the session cookie, no redirects followed; the whole body is read. */
export async function getOnce(url: string, cookie: string): Promise<OneResponse> {
  const t0 = performance.now();
  const r = await fetch(url, { headers: { cookie }, redirect: "manual" });
  const body = await r.arrayBuffer();
  return { status: r.status, bytes: body.byteLength, ms: performance.now() - t0, location: r.headers.get("location") };
}

/** `n` requests one after another; the median time and every status seen. */
export async function sequential(url: string, cookie: string, n: number): Promise<{ median: number; statuses: number[] }> {
  const times: number[] = [];
  const statuses = new Set<number>();
  for (let i = 0; i < n; i++) {
    const r = await getOnce(url, cookie);
    times.push(r.ms);
    statuses.add(r.status);
  }
  times.sort((a, b) => a - b);
  return { median: percentile(times, 50), statuses: [...statuses] };
}

/** A plain-text table, right-aligned numbers, for the console and for pasting into notes. */
export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

export const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(x < 10 ? 1 : 0) : "-");
export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
