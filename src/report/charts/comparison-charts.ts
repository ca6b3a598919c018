/** Charts of runs side by side: every run's spectrum and timelines overlaid on one axis. */
import type { SeriesOption } from 'echarts';
import type { ComparedRun } from '../compare.js';
import type { Chart } from './chart.js';
import { kindSeries } from './resource-series.js';
import { percentileAxis, spectrumLine, timeAxis, line, windowsArea } from './run-charts.js';
import {
  faultWindows,
  type LatencyKey,
  latencySeries,
  type Point,
  rateSeries,
  spectrum,
  type Window,
} from './series.js';

export function comparisonCharts(runs: ComparedRun[]): Chart[] {
  return [
    spectrumOverlay(runs, 'publish', 'Publish latency by percentile (ms)'),
    spectrumOverlay(runs, 'endToEnd', 'End-to-end latency by percentile (ms)'),
    timelineOverlay(runs, 'throughput', 'Produced (acked) per second (msg/s)', 'value', (r) =>
      rateSeries(r.timeline, 'produced'),
    ),
    ...(['publishP99', 'endToEndP99', 'publishMax'] as LatencyKey[]).map((key) =>
      timelineOverlay(runs, `latency-${key}`, `${LATENCY_TITLES[key]} per second (ms, log scale)`, 'log', (r) =>
        latencySeries(r.timeline, key),
      ),
    ),
    timelineOverlay(runs, 'replication-lag', 'Replication lag p99 per second (ms, log scale)', 'log', (r) =>
      (r.replication?.flows ?? []).flatMap((f) => f.timeline.map((p): Point => [p.t, p.lagP99])),
    ),
    timelineOverlay(
      runs,
      'resources-brokers-cpu',
      "Brokers' CPU per second (cores used, all of a run's brokers together)",
      'value',
      (r) => kindSeries(r.resources, 'broker', 'cpu'),
      'cores',
    ),
  ].filter((chart): chart is Chart => chart !== undefined && chart.points > 0);
}

const LATENCY_TITLES: Partial<Record<LatencyKey, string>> = {
  publishP99: 'Publish latency p99',
  endToEndP99: 'End-to-end latency p99',
  publishMax: 'Publish latency max',
};

function spectrumOverlay(runs: ComparedRun[], kind: 'publish' | 'endToEnd', title: string): Chart | undefined {
  const spectra = runs
    .map((run) => [run.label, spectrum(run.result.histograms?.[kind])] as const)
    .filter(([, s]) => s.length > 0);
  if (spectra.length === 0) return undefined;
  const maxX = Math.max(...spectra.flatMap(([, s]) => s.map(([x]) => x)));
  return {
    id: `spectrum-${kind === 'publish' ? 'publish' : 'end-to-end'}`,
    title,
    points: spectra.reduce((n, [, s]) => n + s.length, 0),
    option: {
      xAxis: percentileAxis(maxX),
      yAxis: { type: 'value', name: 'ms' },
      series: spectra.map(([label, s]) => spectrumLine(label, s)),
    },
  };
}

function timelineOverlay(
  runs: ComparedRun[],
  id: string,
  title: string,
  scale: 'value' | 'log',
  pick: (r: ComparedRun['result']) => Point[],
  unit = scale === 'log' ? 'ms' : 'msg/s',
): Chart | undefined {
  const data = runs.map((run) => [run.label, pick(run.result)] as const).filter(([, points]) => points.length > 0);
  if (data.length === 0) return undefined;
  const series: SeriesOption[] = data.map(([label, points]) => line(label, points));
  const area = windowsArea(sharedFaultWindows(runs));
  if (area) series[0] = { ...series[0], markArea: area } as SeriesOption;
  return {
    id,
    title,
    points: data.reduce((n, [, points]) => n + points.filter(([, v]) => v !== null).length, 0),
    option: {
      xAxis: timeAxis(),
      yAxis: scale === 'log' ? { type: 'log', logBase: 10, name: unit } : { type: 'value', name: unit },
      series,
    },
  };
}

/** Every run's fault windows; one window per fault when the runs had it at the same time (±0.5 s), else one per run. */
export function sharedFaultWindows(runs: ComparedRun[]): Window[] {
  const windows: Window[] = [];
  for (const run of runs) {
    for (const w of faultWindows(run.result)) {
      const same = windows.find(
        (o) =>
          o.label.split(' ')[0] === w.label.split(' ')[0] &&
          Math.abs(o.fromS - w.fromS) <= 0.5 &&
          Math.abs(o.toS - w.toS) <= 0.5,
      );
      if (!same) windows.push(runs.length > 1 ? { ...w, label: `${w.label} (${run.label})` } : w);
    }
  }
  return windows;
}
