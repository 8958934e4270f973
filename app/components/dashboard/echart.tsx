import { useEffect, useRef, useState } from "react";
import type { EChartsCoreOption } from "echarts/core";
import { cx } from "~/components/ui";

/**
 * One chart, drawn by ECharts once it has loaded in the browser. ECharts is
 * imported dynamically inside an effect, so it is neither in the server render
 * nor in the page's initial bundle; until then (and without JavaScript) the box
 * says so, and the table beside every chart carries the same figures.
 */
export function EChart({ option, label, className }: { option: EChartsCoreOption | null; label: string; className?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<{ setOption: (o: EChartsCoreOption, notMerge?: boolean) => void; resize: () => void; dispose: () => void } | null>(null);
  const [state, setState] = useState<"loading" | "ready" | "failed">("loading");

  // Load ECharts and create the chart once per mounted box.
  useEffect(() => {
    let disposed = false;
    let observer: ResizeObserver | null = null;
    import("./echarts-lib")
      .then(({ echarts }) => {
        if (disposed || !box.current) return;
        chart.current = echarts.init(box.current, null, { renderer: "svg" });
        observer = new ResizeObserver(() => chart.current?.resize());
        observer.observe(box.current);
        setState("ready");
      })
      .catch(() => !disposed && setState("failed"));
    return () => {
      disposed = true;
      observer?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    if (state === "ready" && option) chart.current?.setOption(option, true);
  }, [state, option]);

  return (
    <div className={cx("relative h-64 w-full", className)}>
      <div ref={box} role="img" aria-label={label} data-chart={state} className="absolute inset-0" />
      {state !== "ready" || !option ? (
        <p className="absolute inset-0 flex items-center justify-center text-xs text-slate-400">{state === "failed" ? "图表加载失败，请参阅下方表格" : "图表加载中…"}</p>
      ) : null}
    </div>
  );
}
