/** A run's charts drawn once as SVG, section by section, shared by report.html and report.md (and re-renders). */
import { errorMessage } from '../../errors.js';
import type { RunResult } from '../result.js';
import { type Chart, renderSvg } from './chart.js';
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

const cache = new WeakMap<RunResult, RenderedSection[]>();

/** Every section with its charts (a section without data has none); a chart that fails to draw says why. */
export function renderRunCharts(result: RunResult): RenderedSection[] {
  const cached = cache.get(result);
  if (cached) return cached;
  const sections = RUN_CHART_SECTIONS.map((section) => ({
    id: section.id,
    title: section.title,
    charts: sectionCharts(section, result).map(draw),
  }));
  cache.set(result, sections);
  return sections;
}

export function draw(chart: Chart): RenderedChart {
  try {
    return { chart, svg: renderSvg(chart) };
  } catch (error) {
    return { chart, error: errorMessage(error) };
  }
}
