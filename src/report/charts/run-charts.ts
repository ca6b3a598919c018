/**
 * The charts of one run's report, section by section. Each section is a list of chart makers: a new chart is one
 * function in its section's list.
 */
import type { EChartsOption, MarkAreaComponentOption, SeriesOption } from 'echarts';
import type { RunResult } from '../result.js';
import type { Chart } from './chart.js';
import { processSeries, type ResourceField } from './resource-series.js';
import {
  failoverMoments,
  faultWindows,
  type LatencyKey,
  latencySeries,
  percentileLabel,
  phaseWindows,
  type Point,
  rateSeries,
  spectrum,
  type SpectrumPoint,
  targetSeries,
  type Window,
} from './series.js';

export type ChartMaker = (result: RunResult) => Chart | Chart[] | undefined;

export interface ChartSection {
  id: 'throughput' | 'latency' | 'spectrum' | 'failover' | 'replication' | 'resources';
  title: string;
  makers: ChartMaker[];
}

/** Every section's charts, in the report's order. */
export const RUN_CHART_SECTIONS: ChartSection[] = [
  { id: 'throughput', title: 'Throughput', makers: [throughputChart] },
  {
    id: 'latency',
    title: 'Latency over time',
    makers: [(r) => latencyChart(r, 'publish'), (r) => latencyChart(r, 'endToEnd')],
  },
  { id: 'spectrum', title: 'Latency by percentile', makers: [spectrumChart] },
  { id: 'failover', title: 'Faults and failover', makers: [recoveryChart, rtoChart, rpoChart] },
  { id: 'replication', title: 'Replication', makers: [replicationLagChart, replicatedChart] },
  {
    id: 'resources',
    title: 'Resources',
    makers: [(r) => resourceChart(r, 'cpu'), (r) => resourceChart(r, 'rssMiB')],
  },
];

/** The charts of a section that have data to draw. */
export function sectionCharts(section: ChartSection, result: RunResult): Chart[] {
  return section.makers.flatMap((make) => make(result) ?? []).filter((chart) => chart.points > 0);
}

const FAULT_COLOR = 'rgba(220, 53, 69, 0.13)';
const PHASE_COLOR = 'rgba(120, 120, 120, 0.10)';

/** Shaded, labelled stretches (faults in red, warm-up and drain in grey), to hang on a chart's first series. */
export function windowsArea(windows: Window[]): MarkAreaComponentOption | undefined {
  if (windows.length === 0) return undefined;
  return {
    silent: true,
    label: { position: 'insideTop', fontSize: 11, color: '#555' },
    data: windows.map((w) => [
      {
        name: w.label,
        xAxis: w.fromS,
        itemStyle: { color: w.kind === 'fault' ? FAULT_COLOR : PHASE_COLOR },
      },
      { xAxis: w.toS },
    ]),
  } as MarkAreaComponentOption;
}

/** Time since load start (s) as the x axis of a timeline chart. */
export function timeAxis(): EChartsOption['xAxis'] {
  return { type: 'value', name: 's since load start', nameLocation: 'middle', nameGap: 28, min: 0 };
}

/** A line of a timeline; nulls stay gaps. */
export function line(name: string, data: Point[], extra: Partial<SeriesOption> = {}): SeriesOption {
  return {
    type: 'line',
    name,
    data: data.map(([x, y]) => [x, y ?? '-']),
    showSymbol: false,
    connectNulls: false,
    ...extra,
  } as SeriesOption;
}

const countPoints = (series: Point[][]) => series.reduce((n, s) => n + s.filter(([, v]) => v !== null).length, 0);

/** With the first series carrying the windows (faults, phases) and the failover moments. */
function withMarks(series: SeriesOption[], r: RunResult): SeriesOption[] {
  const [first, ...rest] = series;
  if (!first) return series;
  const moments = nearbyJoined(failoverMoments(r));
  const marked = {
    ...first,
    markArea: windowsArea([...phaseWindows(r), ...faultWindows(r)]),
    ...(moments.length
      ? {
          markLine: {
            silent: true,
            symbol: 'none',
            lineStyle: { color: '#7b1fa2', type: 'dashed' },
            // Along each line, near its top: moments seconds apart do not write over each other.
            label: { formatter: '{b}', fontSize: 10, color: '#7b1fa2', position: 'insideEndTop' },
            data: moments.map((m) => ({ name: m.label, xAxis: m.atS })),
          },
        }
      : {}),
  } as SeriesOption;
  return [marked, ...rest];
}

/** Moments less than half a second apart as one, their labels joined (labels of nearby lines would overlap). */
function nearbyJoined(moments: Array<{ label: string; atS: number }>): Array<{ label: string; atS: number }> {
  const joined: Array<{ label: string; atS: number }> = [];
  for (const moment of [...moments].sort((a, b) => a.atS - b.atS)) {
    const last = joined.at(-1);
    if (last && moment.atS - last.atS < 0.5) last.label = `${last.label}, ${moment.label}`;
    else joined.push({ ...moment });
  }
  return joined;
}

function throughputChart(r: RunResult): Chart {
  const target = targetSeries(r.timeline);
  const produced = rateSeries(r.timeline, 'produced');
  const consumed = r.messages.consumed === null ? [] : rateSeries(r.timeline, 'consumed');
  const errors = rateSeries(r.timeline, 'errors');
  const hasErrors = errors.some(([, v]) => (v ?? 0) > 0);
  const series = [
    ...(target.length ? [line('target', target, { lineStyle: { type: 'dashed' } } as Partial<SeriesOption>)] : []),
    line('produced (acked)', produced),
    ...(consumed.length ? [line('consumed', consumed)] : []),
    ...(hasErrors ? [line('errors', errors)] : []),
  ];
  return {
    id: 'throughput',
    title: 'Throughput per second (msg/s)',
    points: countPoints([produced, consumed]),
    option: {
      xAxis: timeAxis(),
      yAxis: { type: 'value', name: 'msg/s' },
      series: withMarks(series, r),
    },
  };
}

function latencyChart(r: RunResult, kind: 'publish' | 'endToEnd'): Chart | undefined {
  const keys: Array<[string, LatencyKey]> = [
    ['p50', `${kind}P50`],
    ['p99', `${kind}P99`],
    ['max', `${kind}Max`],
  ];
  const data = keys.map(([label, key]) => [label, latencySeries(r.timeline, key)] as const);
  const series = data.filter(([, points]) => points.length > 0).map(([label, points]) => line(label, points));
  if (series.length === 0) return undefined;
  return {
    id: kind === 'publish' ? 'latency-publish' : 'latency-end-to-end',
    title: `${kind === 'publish' ? 'Publish' : 'End-to-end'} latency per second (ms, log scale; from the intended send time)`,
    points: countPoints(data.map(([, points]) => points)),
    option: {
      xAxis: timeAxis(),
      yAxis: { type: 'log', name: 'ms', logBase: 10 },
      series: withMarks(series, r),
    },
  };
}

/** The x axis of a percentile spectrum: log of 1/(1−p), labelled as percentiles. */
export function percentileAxis(maxX: number): EChartsOption['xAxis'] {
  return {
    type: 'log',
    logBase: 10,
    min: 1,
    max: 10 ** Math.max(1, Math.ceil(Math.log10(maxX))),
    name: 'percentile',
    nameLocation: 'middle',
    nameGap: 28,
    axisLabel: { formatter: (value: number) => percentileLabel(value) },
  } as EChartsOption['xAxis'];
}

export function spectrumLine(name: string, points: SpectrumPoint[]): SeriesOption {
  return { type: 'line', name, data: points, showSymbol: false } as SeriesOption;
}

function spectrumChart(r: RunResult): Chart | undefined {
  const kinds: Array<[string, string | null | undefined]> = [
    ['publish', r.histograms?.publish],
    ['publish (uncorrected)', r.histograms?.publishUncorrected],
    ['end-to-end', r.latency.endToEnd ? r.histograms?.endToEnd : undefined],
    ...(r.replication?.flows ?? []).map((f): [string, string | null] => [
      `replication lag ${f.from} → ${f.to}`,
      f.lagHistogram,
    ]),
  ];
  const spectra = kinds.map(([name, encoded]) => [name, spectrum(encoded)] as const).filter(([, s]) => s.length > 0);
  if (spectra.length === 0) return undefined;
  const maxX = Math.max(...spectra.flatMap(([, s]) => s.map(([x]) => x)));
  return {
    id: 'latency-spectrum',
    title: 'Latency by percentile (ms; measurement window, warm-up excluded)',
    points: spectra.reduce((n, [, s]) => n + s.length, 0),
    option: {
      xAxis: percentileAxis(maxX),
      yAxis: { type: 'value', name: 'ms' },
      series: spectra.map(([name, s]) => spectrumLine(name, s)),
    },
  };
}

function bars(
  id: string,
  title: string,
  categories: string[],
  series: Array<[string, Array<number | null>]>,
  unit: string,
  stack?: string,
): Chart {
  return {
    id,
    title,
    points: series.reduce((n, [, values]) => n + values.filter((v) => v !== null).length, 0),
    height: Math.max(200, 90 + categories.length * 28 * (stack ? 1 : series.length)),
    option: {
      grid: { top: 80, left: 200, right: 48, bottom: 40 },
      xAxis: { type: 'value', name: unit },
      yAxis: { type: 'category', data: categories, inverse: true },
      series: series.map(
        ([name, values]) =>
          ({
            type: 'bar',
            name,
            data: values.map((v) => v ?? '-'),
            label: { show: true, position: stack ? 'inside' : 'right', fontSize: 10 },
            ...(stack ? { stack } : {}),
          }) as SeriesOption,
      ),
    },
  };
}

/** Per fault: first ack after the injection, throughput back at 90 %, consumers resumed (ms). */
function recoveryChart(r: RunResult): Chart | undefined {
  const faults = (r.faults ?? []).filter((f) => f.injectedAt !== null);
  if (faults.length === 0) return undefined;
  return bars(
    'fault-recovery',
    'Recovery after each fault (ms from its injection; throughput back: at 90 %; a missing bar: never or not measurable, see the table)',
    faults.map((f) => `${f.id} ${f.action}`),
    [
      ['first ack', faults.map((f) => f.recovery.firstAckMs)],
      ['throughput back', faults.map((f) => f.recovery.throughputRecoveredMs)],
      ['consumers resumed', faults.map((f) => f.recovery.consumerResumedMs)],
    ],
    'ms',
  );
}

/** Region failover: detection, RTO produce and consume (ms from the outage). */
function rtoChart(r: RunResult): Chart | undefined {
  const rto = r.rto;
  if (!rto || rto.switchedAtMs === null) return undefined;
  const moved = rto.outageAtMs === null ? null : rto.switchedAtMs - rto.outageAtMs;
  return bars(
    'rto',
    `Failover ${rto.from} → ${rto.to}: from the outage (ms)${rto.flag ? ` — no RTO: ${rto.flag}` : ''}`,
    ['detected', 'clients moved', 'RTO produce', 'RTO consume'],
    [['ms', [rto.detectedMs ?? null, moved, rto.flag ? null : rto.produce, rto.flag ? null : rto.consume]]],
    'ms',
  );
}

/** RPO at the outage: what each replica lacked, split into in flight, late and lost (messages). */
function rpoChart(r: RunResult): Chart | undefined {
  const rpo = r.rpo;
  if (!rpo) return undefined;
  const gaps = rpo.byReplica?.length ? rpo.byReplica : [{ ...rpo, to: rpo.target ?? 'target' }];
  return bars(
    'rpo',
    `RPO at ${rpo.fault}'s injection: acknowledged, not yet on the replica (messages; in flight: arrived during the fault, late: after its heal, lost: never)`,
    gaps.map((g) => (g.to === rpo.target ? `${g.to} (failover target)` : g.to)),
    [
      ['in flight', gaps.map((g) => g.inFlight ?? 0)],
      ['late', gaps.map((g) => g.late)],
      ['lost', gaps.map((g) => g.lost)],
    ],
    'messages',
    'gap',
  );
}

function replicationLagChart(r: RunResult): Chart | undefined {
  const flows = r.replication?.flows ?? [];
  const data = flows.flatMap((f) => [
    [`${f.from} → ${f.to} p50`, f.timeline.map((p): Point => [p.t, p.lagP50])] as const,
    [`${f.from} → ${f.to} p99`, f.timeline.map((p): Point => [p.t, p.lagP99])] as const,
  ]);
  if (data.length === 0) return undefined;
  return {
    id: 'replication-lag',
    title: 'Replication lag per second (ms, log scale; seen on the target − appended on the source)',
    points: countPoints(data.map(([, points]) => points)),
    option: {
      xAxis: timeAxis(),
      yAxis: { type: 'log', name: 'ms', logBase: 10 },
      series: withMarks(
        data.map(([name, points]) => line(name, points)),
        r,
      ),
    },
  };
}

function replicatedChart(r: RunResult): Chart | undefined {
  const flows = r.replication?.flows ?? [];
  const data = flows.map((f) => [`${f.from} → ${f.to}`, f.timeline.map((p): Point => [p.t, p.replicated])] as const);
  if (data.length === 0) return undefined;
  return {
    id: 'replicated',
    title: 'Replicated per second (msg/s, by when the target saw them)',
    points: countPoints(data.map(([, points]) => points)),
    option: {
      xAxis: timeAxis(),
      yAxis: { type: 'value', name: 'msg/s' },
      series: withMarks(
        data.map(([name, points]) => line(name, points)),
        r,
      ),
    },
  };
}

/** Per process (brokers, MirrorMaker 2, Toxiproxy, the harness) each second: cores used, or resident memory. */
function resourceChart(r: RunResult, field: ResourceField): Chart | undefined {
  const data = processSeries(r.resources, field);
  if (data.length === 0) return undefined;
  const cpu = field === 'cpu';
  return {
    id: cpu ? 'resources-cpu' : 'resources-rss',
    title: cpu
      ? 'CPU per process (cores used each second; 1 = one core busy)'
      : 'Resident memory per process (MiB, at each second)',
    points: countPoints(data.map(([, points]) => points)),
    option: {
      xAxis: timeAxis(),
      yAxis: { type: 'value', name: cpu ? 'cores' : 'MiB' },
      series: withMarks(
        data.map(([name, points]) => line(name, points)),
        r,
      ),
    },
  };
}
