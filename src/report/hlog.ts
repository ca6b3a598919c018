/**
 * HdrHistogram interval logs (.hlog, log format 1.3, as HdrHistogram's HistogramLogWriter writes them), one per
 * latency kind, from the per-second histograms in the result's timeline: HistogramLogReader, HistogramLogProcessor
 * and HdrHistogram's plotters read them. Values are microseconds (the Interval_Max column is in ms); the warm-up
 * is left out (as from the result's figures), so the first interval starts where the measurement window does.
 */
import { LatencyHistogram } from '../metrics/latency-histogram.js';
import type { RunResult } from './result.js';

export const HLOG_KINDS = { publish: 'publishHistogram', 'end-to-end': 'endToEndHistogram' } as const;
export type HlogKind = keyof typeof HLOG_KINDS;

/** The log of one latency kind; undefined when no interval holds a sample of it (or the result predates them). */
export function intervalLog(r: RunResult, kind: HlogKind): string | undefined {
  const key = HLOG_KINDS[kind];
  const points = r.timeline.filter((p) => p.phase !== 'warmup');
  if (!points.some((p) => p[key])) return undefined;
  const origin = Date.parse(r.loadStartedAt ?? r.startedAt);
  const empty = new LatencyHistogram().encode();
  const lines = [
    `#[faultline ${r.faultline.version}: ${kind} latency of ${r.scenario.name} on ${r.cluster.name}, values in microseconds]`,
    '#[Histogram log format version 1.3]',
    `#[StartTime: ${(origin / 1000).toFixed(3)} (seconds since epoch), ${new Date(origin).toUTCString()}]`,
    '"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"',
  ];
  for (const p of points) {
    const encoded = p[key];
    const maxMs = encoded ? LatencyHistogram.decode(encoded).percentileMs(100) : 0;
    lines.push(`${p.t.toFixed(3)},${(p.seconds ?? 1).toFixed(3)},${maxMs.toFixed(3)},${encoded ?? empty}`);
  }
  return `${lines.join('\n')}\n`;
}
