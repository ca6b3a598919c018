/** The figures the charts draw, taken from a result: per-second series, fault and phase windows, spectra. */
import type { TimelinePoint } from '../../metrics/collector.js';
import { LatencyHistogram } from '../../metrics/latency-histogram.js';
import type { RunResult } from '../result.js';

/** [seconds since load start, value]; a null value is a gap (nothing measured in that second). */
export type Point = [number, number | null];

/** A count of the timeline as a rate per second (an interval cut at a phase boundary is shorter than 1 s). */
export function rateSeries(timeline: TimelinePoint[], key: 'sent' | 'produced' | 'consumed' | 'errors'): Point[] {
  return timeline.map((p) => [p.t, round(p[key] / (p.seconds ?? 1))]);
}

/** What the schedule asked for, per second; empty at max rate (no target). */
export function targetSeries(timeline: TimelinePoint[]): Point[] {
  return timeline.some((p) => p.target !== undefined) ? timeline.map((p) => [p.t, p.target ?? null]) : [];
}

export type LatencyKey = 'publishP50' | 'publishP99' | 'publishMax' | 'endToEndP50' | 'endToEndP99' | 'endToEndMax';

/** A latency figure per second; empty when no second has one (older results lack p50 and max). */
export function latencySeries(timeline: TimelinePoint[], key: LatencyKey): Point[] {
  const points: Point[] = timeline.map((p) => [p.t, p[key] ?? null]);
  return points.some(([, v]) => v !== null) ? points : [];
}

/** A stretch of the load, in seconds since its start, with the label drawn on it. */
export interface Window {
  label: string;
  fromS: number;
  toS: number;
  kind: 'fault' | 'phase';
}

/** When the load's timeline ends (s): its last interval's end, or 0 without one. */
export function timelineEnd(r: RunResult): number {
  const last = r.timeline.at(-1);
  return last ? last.t + (last.seconds ?? 1) : 0;
}

/** Each fault while it was in force; one still in force at the end (forever, or never healed) runs to the end. */
export function faultWindows(r: RunResult): Window[] {
  const end = timelineEnd(r);
  return (r.faults ?? [])
    .filter((f) => f.injectedAt !== null)
    .map((f) => ({
      label: `${f.id} ${f.action} ${f.resolvedTarget ?? f.target}`,
      fromS: f.injectedAt! / 1000,
      toS: Math.max(f.injectedAt! / 1000, f.healedAt === null ? end : f.healedAt / 1000),
      kind: 'fault' as const,
    }));
}

/** The warm-up (excluded from the figures) and the drain, as shaded stretches. */
export function phaseWindows(r: RunResult): Window[] {
  const end = timelineEnd(r);
  const windows: Window[] = [];
  const warmupS = r.workload.warmupMs / 1000;
  if (warmupS > 0 && end > 0) windows.push({ label: 'warm-up', fromS: 0, toS: Math.min(warmupS, end), kind: 'phase' });
  const drainFrom = r.timeline.find((p) => p.phase === 'drain')?.t;
  if (drainFrom !== undefined) windows.push({ label: 'drain', fromS: drainFrom, toS: end, kind: 'phase' });
  return windows;
}

/** Moments of a region failover (s since load start), each with its label: outage, trigger, move, RTOs. */
export function failoverMoments(r: RunResult): Array<{ label: string; atS: number }> {
  const rto = r.rto;
  if (!rto || rto.outageAtMs === null) return [];
  const moments: Array<{ label: string; atS: number }> = [];
  const add = (label: string, ms: number | null | undefined) => {
    if (ms !== null && ms !== undefined) moments.push({ label, atS: ms / 1000 });
  };
  add('outage', rto.outageAtMs);
  if (rto.detection?.rule === 'noAckFor') add('trigger fired', rto.triggeredAtMs);
  add('clients moved', rto.switchedAtMs);
  if (!rto.flag) {
    add('RTO produce', rto.produce === null ? null : rto.outageAtMs + rto.produce);
    add('RTO consume', rto.consume === null ? null : rto.outageAtMs + rto.consume);
  }
  return moments;
}

/** One point of a percentile spectrum: x = 1 / (1 − percentile/100) (HdrHistogram's plot), y in ms. */
export type SpectrumPoint = [number, number];

const STEPS_PER_DECADE = 20;

/**
 * The latency at each percentile, as HdrHistogram's plotter draws it: x = 1/(1−p) on a log axis, so 90 %,
 * 99 %, 99.9 % … are equally spaced. Drawn as far as the samples reach (1/(1−p) ≤ count), ending at the max.
 * Empty for an empty or unreadable histogram.
 */
export function spectrum(encoded: string | null | undefined): SpectrumPoint[] {
  if (!encoded) return [];
  let histogram: LatencyHistogram;
  try {
    histogram = LatencyHistogram.decode(encoded);
  } catch {
    return [];
  }
  const count = histogram.count;
  if (count === 0) return [];
  const points: SpectrumPoint[] = [];
  for (let k = 0; ; k++) {
    const x = 10 ** (k / STEPS_PER_DECADE);
    if (x > count) break;
    points.push([round(x), histogram.percentileMs(100 * (1 - 1 / x))]);
  }
  const end: SpectrumPoint = [Math.max(count, 1), histogram.percentileMs(100)];
  if (points.at(-1)?.[0] === end[0]) points[points.length - 1] = end;
  else points.push(end);
  return points;
}

/** The axis label of x = 1/(1−p): 1 → "0%", 10 → "90%", 1000 → "99.9%". */
export function percentileLabel(x: number): string {
  if (x <= 1) return '0%';
  const percentile = 100 * (1 - 1 / x);
  const digits = Math.max(0, Math.ceil(Math.log10(x)) - 2);
  return `${Number(percentile.toFixed(digits))}%`;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
