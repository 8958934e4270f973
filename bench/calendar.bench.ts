/**
 * Working-day calendar throughput: ours (precomputed per-date ordinals, O(1) per call) against
 * chinese-days 1.5.7 (day-by-day loop over isWorkday) on the same random inputs in the same run.
 *
 * - addWorkingDays(d, n) vs chinese-days findWorkday(n, d): 100k (date, n) pairs, dates in
 *   2024-02-01…2026-11-30, n ∈ [−20, 20] \ {0} (n = 0 is where the two definitions differ; see
 *   tests/unit/calendar-crosscheck.test.ts). Results are compared, so the bench also cross-checks.
 * - workingDaysBetween(a, b) vs chinese-days getWorkdaysInRange(a, b).length: 100k pairs with
 *   0 ≤ b − a ≤ 60 days. getWorkdaysInRange counts [a, b] inclusive; ours counts (a, b], so the
 *   check subtracts isWorkday(a) outside the timed loop.
 *
 * Each side gets its native input form prepared outside the timed loop (day numbers for ours,
 * local-midnight Dates for chinese-days). chinese-days is loaded with TZ=Asia/Shanghai because its
 * holiday table is shifted by a day in zones west of UTC (see the cross-check test).
 */
import { createWorkingCalendar, formatDay, officialCalendarData, toDay, type DayNum } from "../app/domain/calendar";
import { rng } from "../tests/support/prng";

const N = 100_000;
const OUR_PASSES = 20; // ours is fast: repeat the 100k inputs to get a measurable time


function localDate(day: DayNum): Date {
  const [y, m, d] = formatDay(day).split("-").map(Number);
  return new Date(y, m - 1, d);
}

const fmt = (x: number) => Math.round(x).toLocaleString("en-US");

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
}

function report(label: string, oursOps: number, theirsOps: number, mismatches: number) {
  console.log(`${label}`);
  console.log(`  ours          ${fmt(oursOps).padStart(14)} ops/s`);
  console.log(`  chinese-days  ${fmt(theirsOps).padStart(14)} ops/s`);
  console.log(`  ratio         ${(oursOps / theirsOps).toFixed(0).padStart(14)} × faster   (result mismatches: ${mismatches})`);
}

export default async function run(): Promise<void> {
  const savedTZ = process.env.TZ;
  process.env.TZ = "Asia/Shanghai";
  try {
    const { default: chineseDays } = await import("chinese-days");
    const { findWorkday, getWorkdaysInRange, isWorkday } = chineseDays;

    const tBuild = time(() => createWorkingCalendar(officialCalendarData()));
    const cal = createWorkingCalendar(officialCalendarData());
    console.log(`createWorkingCalendar (2000–2100 table): ${(tBuild * 1000).toFixed(1)} ms`);

    const lo = toDay("2024-02-01");
    const hi = toDay("2026-11-30");
    const r = rng(42);
    const days = new Int32Array(N);
    const ns = new Int32Array(N);
    const ends = new Int32Array(N);
    for (let i = 0; i < N; i++) {
      days[i] = lo + Math.floor(r() * (hi - lo + 1));
      let n = 0;
      while (n === 0) n = Math.floor(r() * 41) - 20;
      ns[i] = n;
      ends[i] = days[i] + Math.floor(r() * 61);
    }
    const dates = Array.from(days, localDate);
    const endDates = Array.from(ends, localDate);

    // ---------------------------------------------------------------- addWorkingDays
    const oursAdd = new Int32Array(N);
    for (let i = 0; i < N; i++) oursAdd[i] = cal.addWorkingDays(days[i], ns[i]); // warm-up
    let sink = 0;
    const tOurs = time(() => {
      for (let p = 0; p < OUR_PASSES; p++) for (let i = 0; i < N; i++) sink += cal.addWorkingDays(days[i], ns[i]);
    });
    const tOursFmt = time(() => {
      for (let i = 0; i < N; i++) sink += cal.format(cal.addWorkingDays(days[i], ns[i])).length;
    });
    const theirsAdd: string[] = new Array(N);
    for (let i = 0; i < 2000; i++) findWorkday(ns[i], dates[i]); // warm-up
    const tTheirs = time(() => {
      for (let i = 0; i < N; i++) theirsAdd[i] = findWorkday(ns[i], dates[i]);
    });
    let addMismatch = 0;
    for (let i = 0; i < N; i++) if (formatDay(oursAdd[i]) !== theirsAdd[i]) addMismatch++;
    report(
      `addWorkingDays(d, n) vs findWorkday(n, d) — ${fmt(N)} inputs, n ∈ [−20, 20] \\ {0}`,
      (N * OUR_PASSES) / tOurs,
      N / tTheirs,
      addMismatch,
    );
    console.log(`  ours incl. YYYY-MM-DD output (string, like chinese-days): ${fmt(N / tOursFmt)} ops/s`);

    // ---------------------------------------------------------------- workingDaysBetween
    const oursBetween = new Int32Array(N);
    for (let i = 0; i < N; i++) oursBetween[i] = cal.workingDaysBetween(days[i], ends[i]); // warm-up
    const tOursB = time(() => {
      for (let p = 0; p < OUR_PASSES; p++) for (let i = 0; i < N; i++) sink += cal.workingDaysBetween(days[i], ends[i]);
    });
    const theirsBetween = new Int32Array(N);
    for (let i = 0; i < 500; i++) getWorkdaysInRange(dates[i], endDates[i]); // warm-up
    const tTheirsB = time(() => {
      for (let i = 0; i < N; i++) theirsBetween[i] = getWorkdaysInRange(dates[i], endDates[i]).length;
    });
    let betweenMismatch = 0;
    for (let i = 0; i < N; i++) {
      const expected = theirsBetween[i] - (isWorkday(dates[i]) ? 1 : 0); // [a, b] → (a, b]
      if (oursBetween[i] !== expected) betweenMismatch++;
    }
    report(
      `workingDaysBetween(a, b) vs getWorkdaysInRange(a, b).length — ${fmt(N)} inputs, 0 ≤ b − a ≤ 60 days`,
      (N * OUR_PASSES) / tOursB,
      N / tTheirsB,
      betweenMismatch,
    );
    if (sink === 0.5) console.log(""); // keep `sink` observable
    if (addMismatch || betweenMismatch) throw new Error("ours and chinese-days disagree on the bench inputs");
  } finally {
    if (savedTZ === undefined) delete process.env.TZ;
    else process.env.TZ = savedTZ;
  }
}
