/**
 * A chart: an ECharts option with an id and a title, rendered to a standalone SVG string in Node (ECharts'
 * server-side rendering: no DOM, no script in the output). Shared look: fixed size, no animation, UTC labels.
 */
import type { EChartsOption } from 'echarts';
import { BarChart, LineChart } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TitleComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([
  LineChart,
  BarChart,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TitleComponent,
  SVGRenderer,
]);

export interface Chart {
  /** File-name safe, unique within a report: "throughput", "latency-publish" … */
  id: string;
  title: string;
  /** How many data points the chart draws (a chart with none is not drawn). */
  points: number;
  option: EChartsOption;
  width?: number;
  height?: number;
}

export const CHART_WIDTH = 960;
export const CHART_HEIGHT = 340;

/** The chart as an SVG document (a string beginning with `<svg`). */
export function renderSvg(chart: Chart): string {
  const instance = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: chart.width ?? CHART_WIDTH,
    height: chart.height ?? CHART_HEIGHT,
  });
  try {
    instance.setOption({
      animation: false,
      useUTC: true,
      backgroundColor: '#ffffff',
      textStyle: { fontFamily: 'sans-serif' },
      title: { text: chart.title, left: 8, top: 4, textStyle: { fontSize: 14 } },
      legend: { top: 28, left: 8, type: 'plain', itemGap: 24, textStyle: { fontSize: 12 } },
      grid: { top: 80, left: 72, right: 32, bottom: 48 },
      ...chart.option,
    });
    return instance.renderToSVGString();
  } finally {
    instance.dispose();
  }
}
