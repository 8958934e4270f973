/**
 * The parts of ECharts the dashboard draws with, registered once. Only ever
 * reached through `import("./echarts-lib")` in the browser (see echart.tsx), so
 * the compiler puts it — and ECharts — in a chunk of its own that the server
 * render and the page's first load never touch.
 */
import { BarChart, PieChart } from "echarts/charts";
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { SVGRenderer } from "echarts/renderers";

// SVG, not canvas: crisp at any zoom and in print, and these charts have a few dozen shapes at most.
echarts.use([BarChart, PieChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, SVGRenderer]);

export { echarts };
