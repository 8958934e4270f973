/**
 * 红黑榜: departments ranked over a period on their stored month figures (issue 13).
 * Pure: the service sums the months, this turns sums into rates and ranks.
 */
export interface DepartmentPeriodFigures {
  departmentId: number;
  code: string;
  name: string;
  handled: number;
  onTime: number;
  late: number;
  usedDays: number;
  limitDays: number;
  wentOverdue: number;
  supervised: number;
  /** Overdue in the queue right now (not a period figure: shown beside it). */
  overdueNow: number;
  rating: { average: number; count: number } | null;
}

export interface RankedDepartment extends DepartmentPeriodFigures {
  rank: number;
  /** Share of decided items decided on or before their due date; null when none were decided. */
  onTimeRate: number | null;
  /** Average working days used per decided item, and the average promised limit they had. */
  avgUsedDays: number | null;
  avgLimitDays: number | null;
}

export const RANKING_SORTS = ["onTimeRate", "handled", "avgUsedDays", "wentOverdue", "supervised", "rating"] as const;
export type RankingSort = (typeof RANKING_SORTS)[number];
export const RANKING_SORT_LABELS: Record<RankingSort, string> = {
  onTimeRate: "按时办结率",
  handled: "办结件数",
  avgUsedDays: "平均用时",
  wentOverdue: "超期件数",
  supervised: "督办次数",
  rating: "好差评",
};

const round1 = (n: number) => Math.round(n * 10) / 10;

export function withRates(f: DepartmentPeriodFigures): Omit<RankedDepartment, "rank"> {
  return {
    ...f,
    onTimeRate: f.handled ? f.onTime / f.handled : null,
    avgUsedDays: f.handled ? round1(f.usedDays / f.handled) : null,
    avgLimitDays: f.handled ? round1(f.limitDays / f.handled) : null,
  };
}

/**
 * The value a sort compares, oriented so that larger is better; null (nothing to
 * judge: no decided items, no ratings) ranks after every number.
 */
function merit(d: Omit<RankedDepartment, "rank">, sort: RankingSort): number | null {
  switch (sort) {
    case "onTimeRate":
      return d.onTimeRate;
    case "handled":
      return d.handled;
    case "avgUsedDays":
      return d.avgUsedDays === null ? null : -d.avgUsedDays;
    case "wentOverdue":
      return -d.wentOverdue;
    case "supervised":
      return -d.supervised;
    case "rating":
      return d.rating ? d.rating.average : null;
  }
}

/**
 * Ranks best first on `sort` (the default, 按时办结率, breaks its ties on fewer
 * overdue items, then fewer 督办). Departments equal on every compared value share a
 * rank and the next rank skips (1, 2, 2, 4); equal ones are listed by department code,
 * so the same figures always give the same order. `order: "asc"` lists worst first
 * (the 黑榜) with the same rank numbers.
 */
export function rankDepartments(rows: DepartmentPeriodFigures[], sort: RankingSort = "onTimeRate", order: "desc" | "asc" = "desc"): RankedDepartment[] {
  const rated = rows.map(withRates);
  const keys = (d: Omit<RankedDepartment, "rank">): (number | null)[] =>
    sort === "onTimeRate" ? [merit(d, "onTimeRate"), -d.wentOverdue, -d.supervised] : [merit(d, sort)];
  const cmp = (a: (number | null)[], b: (number | null)[]) => {
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      const y = b[i];
      if (x === y) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      if (x !== y) return y - x;
    }
    return 0;
  };
  const sorted = rated.map((d) => ({ d, k: keys(d) })).sort((a, b) => cmp(a.k, b.k) || a.d.code.localeCompare(b.d.code));
  const ranked: RankedDepartment[] = [];
  sorted.forEach((s, i) => {
    const rank = i > 0 && cmp(sorted[i - 1].k, s.k) === 0 ? ranked[i - 1].rank : i + 1;
    ranked.push({ ...s.d, rank });
  });
  if (order === "asc") {
    // Worst first; ties stay in code order.
    return [...ranked].sort((a, b) => b.rank - a.rank || a.code.localeCompare(b.code));
  }
  return ranked;
}
