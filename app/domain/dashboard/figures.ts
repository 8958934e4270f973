/**
 * 项目指标 (issue 13; the seed's 环节 / 材料 / 时限 / 跑动次数): what a project cost the
 * enterprise, counted from its items and 代办日志.
 */
export const VISIT_LOG_KINDS: readonly string[] = ["visit"];

/** Calendar days from signing to 开工 the field reports as its benchmark (75 days, domain reference). */
export const SIGNED_TO_START_BENCHMARK_DAYS = 75;

/** Buckets of the signing-to-开工 chart, in calendar days; the benchmark is a bucket edge. */
export const START_DAY_BUCKETS: readonly { label: string; max: number }[] = [
  { label: "≤30 天", max: 30 },
  { label: "31–60 天", max: 60 },
  { label: "61–75 天", max: 75 },
  { label: "76–90 天", max: 90 },
  { label: "91–120 天", max: 120 },
  { label: ">120 天", max: Infinity },
];

export function startDayBucket(days: number): number {
  return START_DAY_BUCKETS.findIndex((b) => days <= b.max);
}

/** 阶段 of a project for the by-stage chart: its lowest stage with unfinished approvals, 5 once started. */
export const STARTED_STAGE = 5;
