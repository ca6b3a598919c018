/**
 * A run's charts drawn once as SVG, section by section, shared by report.html and report.md (and re-renders).
 * The renderer (chart.ts, with ECharts) loads on the first drawing: a CLI command that draws nothing (validate,
 * bad input, --help) does not pay for its import (half a second of every such start).
 */
import { errorMessage } from '../../errors.js';
import type { RunResult } from '../result.js';
import type { Chart } from './chart.js';
import { RUN_CHART_SECTIONS, sectionCharts } from './run-charts.js';

export interface RenderedChart {
  chart: Chart;
  /** The SVG document; undefined when drawing failed (then `error` says why). */
  svg?: string;
  error?: string;
}

export interface RenderedSection {
  id: string;
  title: string;
  charts: RenderedChart[];
}

const cache = new WeakMap<RunResult, Promise<RenderedSection[]>>();

/** Every section with its charts (a section without data has none); a chart that fails to draw says why. */
export function renderRunCharts(result: RunResult): Promise<RenderedSection[]> {
  const cached = cache.get(result);
  if (cached) return cached;
  const sections = (async () => {
    const drawOne = await drawing();
    return RUN_CHART_SECTIONS.map((section) => ({
      id: section.id,
      title: section.title,
      charts: sectionCharts(section, result).map(drawOne),
    }));
  })();
  cache.set(result, sections);
  return sections;
}

/** Each chart drawn (in order); one that fails to draw says why. */
export async function drawCharts(charts: Chart[]): Promise<RenderedChart[]> {
  return charts.map(await drawing());
}

/** The drawing function, once the renderer has loaded. */
async function drawing(): Promise<(chart: Chart) => RenderedChart> {
  const { renderSvg } = await import('./chart.js');
  return (chart) => {
    try {
      return { chart, svg: renderSvg(chart) };
    } catch (error) {
      return { chart, error: errorMessage(error) };
    }
  };
}
