import { useEffect, useMemo, useState } from "react";
import type { EChartsCoreOption } from "echarts/core";
import { Card, Table, Td, Th } from "~/components/ui";
import { START_DAY_BUCKETS, STARTED_STAGE } from "~/domain/dashboard/figures";
import { stageLabel } from "~/domain/item/vocabulary";
import type { getDashboardCharts } from "~/services/dashboard.server";
import { EChart } from "./echart";

export type ChartsData = ReturnType<typeof getDashboardCharts>;

const BRAND = "#2563eb";
const RED = "#dc2626";
const GREEN = "#059669";
const pct = (r: number) => `${Math.round(r * 100)}%`;
const stageName = (stage: number) => (stage === STARTED_STAGE ? "已开工" : stageLabel(stage) || `第 ${stage} 阶段`);

/**
 * The four charts of issue 13, each with a table of the same figures under it.
 * The figures come from `/dashboard/charts` (same filters as the page), fetched
 * after the page is up, so the dashboard itself stays a few indexed reads.
 */
export function DashboardCharts({ query }: { query: string }) {
  const [data, setData] = useState<ChartsData | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const ctl = new AbortController();
    setError(null);
    fetch(`/dashboard/charts${query ? `?${query}` : ""}`, { signal: ctl.signal, headers: { Accept: "application/json" } })
      .then(async (r) => {
        if (!r.ok) throw new Error(`${r.status}`);
        setData((await r.json()) as ChartsData);
      })
      .catch((e: unknown) => {
        if (!ctl.signal.aborted) setError(`图表数据加载失败（${e instanceof Error ? e.message : "网络错误"}），请刷新页面重试`);
      });
    return () => ctl.abort();
  }, [query]);

  const options = useMemo(() => (data ? chartOptions(data) : null), [data]);

  return (
    <section aria-label="统计图表" data-testid="dashboard-charts" className="space-y-3">
      <h2 className="text-sm font-semibold text-slate-800">统计图表</h2>
      <noscript>
        <p className="text-sm text-slate-500">图表需要浏览器启用 JavaScript。</p>
      </noscript>
      {error ? <p className="text-sm text-red-600">{error}</p> : null}
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="近 12 周超期事项（按到期周）">
          <div data-testid="chart-overdue-weeks">
            <EChart option={options?.weeks ?? null} label="近 12 周每周超期事项数的柱状图" />
          </div>
          <Table className="mt-3" >
            <thead>
              <tr>
                <Th>周（周一）</Th>
                <Th className="whitespace-nowrap text-right">超期事项</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100" data-testid="table-overdue-weeks">
              {data?.overdueByWeek.map((w) => (
                <tr key={w.weekOf}>
                  <Td className="tabular-nums">{w.weekOf}</Td>
                  <Td className="text-right tabular-nums">{w.overdue}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </Card>
        <Card title="各部门按时办结率">
          <div data-testid="chart-on-time">
            <EChart
              option={options?.onTime ?? null}
              label="各部门按时办结率的条形图"
              className={data && data.onTimeByDepartment.length > 8 ? "h-96" : undefined}
            />
          </div>
          <Table className="mt-3">
            <thead>
              <tr>
                <Th>部门</Th>
                <Th className="whitespace-nowrap text-right">办结件数</Th>
                <Th className="whitespace-nowrap text-right">按时办结率</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100" data-testid="table-on-time">
              {data?.onTimeByDepartment.map((d) => (
                <tr key={d.name}>
                  <Td className="whitespace-normal">{d.name}</Td>
                  <Td className="text-right tabular-nums">{d.handled}</Td>
                  <Td className="text-right tabular-nums">{pct(d.onTimeRate)}</Td>
                </tr>
              ))}
              {data && data.onTimeByDepartment.length === 0 ? (
                <tr>
                  <Td className="text-slate-400">暂无已办结事项</Td>
                </tr>
              ) : null}
            </tbody>
          </Table>
        </Card>
        <Card title="在推进项目所处阶段">
          <div data-testid="chart-stages">
            <EChart option={options?.stages ?? null} label="在推进项目按所处阶段分布的柱状图" />
          </div>
          <Table className="mt-3">
            <thead>
              <tr>
                <Th>阶段</Th>
                <Th className="whitespace-nowrap text-right">项目数</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100" data-testid="table-stages">
              {data?.projectsByStage.map((s) => (
                <tr key={s.stage}>
                  <Td>{stageName(s.stage)}</Td>
                  <Td className="text-right tabular-nums">{s.projects}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </Card>
        <Card title={`签约至开工天数（已开工项目，基准 ${data?.signedToStart.benchmarkDays ?? 75} 天）`}>
          <div data-testid="chart-start-days">
            <EChart option={options?.startDays ?? null} label="已开工项目签约至开工天数分布的柱状图，含 75 天基准线" />
          </div>
          <Table className="mt-3">
            <thead>
              <tr>
                <Th>签约至开工</Th>
                <Th className="whitespace-nowrap text-right">项目数</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100" data-testid="table-start-days">
              {data?.signedToStart.buckets.map((b) => (
                <tr key={b.label}>
                  <Td>{b.label}</Td>
                  <Td className="text-right tabular-nums">{b.projects}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
          {data ? (
            <p className="mt-2 text-xs text-slate-500">
              共 {data.signedToStart.projects} 个已开工项目；{data.signedToStart.benchmarkDays} 天为本地区签约至开工的目标基准。
            </p>
          ) : null}
        </Card>
      </div>
    </section>
  );
}

function chartOptions(d: ChartsData): Record<"weeks" | "onTime" | "stages" | "startDays", EChartsCoreOption> {
  const grid = { left: 8, right: 16, top: 24, bottom: 8, containLabel: true };
  // No animation: the figures are read, not watched, and a print or screenshot must show the final bars.
  const base = { animation: false };
  const tooltip = { trigger: "axis", axisPointer: { type: "shadow" } };
  // The benchmark sits on the edge between the bucket ending at it and the next one.
  const edge = START_DAY_BUCKETS.findIndex((b) => b.max === d.signedToStart.benchmarkDays);
  return {
    weeks: {
      ...base,
      grid,
      tooltip,
      xAxis: { type: "category", data: d.overdueByWeek.map((w) => w.weekOf.slice(5)), axisLabel: { fontSize: 10 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", name: "超期事项", data: d.overdueByWeek.map((w) => w.overdue), itemStyle: { color: RED }, barMaxWidth: 28 }],
    },
    onTime: {
      ...base,
      grid: { ...grid, right: 40 },
      tooltip: { ...tooltip, valueFormatter: (v: number) => `${v}%` },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      // Best at the top: a category axis draws its first entry at the bottom.
      yAxis: { type: "category", data: d.onTimeByDepartment.map((r) => r.name).reverse(), axisLabel: { fontSize: 11 } },
      series: [
        {
          type: "bar",
          name: "按时办结率",
          data: d.onTimeByDepartment.map((r) => Math.round(r.onTimeRate * 100)).reverse(),
          itemStyle: { color: BRAND },
          label: { show: true, position: "right", formatter: "{c}%", fontSize: 10 },
          barMaxWidth: 18,
        },
      ],
    },
    stages: {
      ...base,
      grid,
      tooltip,
      xAxis: { type: "category", data: d.projectsByStage.map((s) => stageName(s.stage)), axisLabel: { interval: 0, fontSize: 11 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", name: "项目数", data: d.projectsByStage.map((s) => s.projects), itemStyle: { color: BRAND }, barMaxWidth: 40 }],
    },
    // Bars on a category axis; the benchmark line on a hidden value axis over the same width,
    // so it can sit on the edge between two buckets (a category axis only knows their centres).
    startDays: {
      ...base,
      grid,
      tooltip,
      xAxis: [
        { type: "category", data: d.signedToStart.buckets.map((b) => b.label), axisLabel: { interval: 0, fontSize: 10 } },
        { type: "value", min: -0.5, max: d.signedToStart.buckets.length - 0.5, show: false },
      ],
      // No axis line: it would be drawn "on zero" of the hidden axis, the middle of the first bar.
      yAxis: { type: "value", minInterval: 1, axisLine: { show: false } },
      series: [
        {
          type: "bar",
          name: "项目数",
          data: d.signedToStart.buckets.map((b, i) => ({ value: b.projects, itemStyle: { color: edge >= 0 && i > edge ? RED : GREEN } })),
          barMaxWidth: 40,
        },
        ...(edge >= 0
          ? [
              {
                type: "bar",
                xAxisIndex: 1,
                data: [],
                tooltip: { show: false },
                markLine: {
                  symbol: "none",
                  silent: true,
                  lineStyle: { color: "#475569", type: "dashed" },
                  label: { formatter: `${d.signedToStart.benchmarkDays} 天基准`, position: "end" },
                  data: [{ xAxis: edge + 0.5 }],
                },
              },
            ]
          : []),
      ],
    },
  };
}
