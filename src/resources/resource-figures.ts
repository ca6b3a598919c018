/**
 * The run's resource summary from the sampled timeline: per process and per kind (every broker together, every
 * MirrorMaker 2, every Toxiproxy, the harness), over the measurement window (warm-up excluded, like every other
 * figure). An interval straddling a window edge counts in proportion to its overlap (ticks fall on whole seconds
 * of the load clock, so with whole-second phases none does). A kind's figure at a tick is the sum over its
 * processes (`brokers.cpu.max` is the most cores all brokers used together in one second).
 */
import { round } from '../scenario/units.js';
import type { ProcessKind, ProcessPoint, ReadingSource, ResourcePoint, ResourceSamples } from './resource-sampler.js';

export interface ResourceFigure {
  /** Cores used (CPU-seconds per second): time-weighted mean, and the busiest interval. */
  cpu: { mean: number | null; max: number | null };
  /** Resident memory at the ticks. */
  rssBytes: { mean: number | null; max: number | null };
  /** CPU-seconds used in the window. */
  cpuSeconds: number | null;
  /** Bytes read from and written to the storage layer in the window (/proc/PID/io read_bytes, write_bytes). */
  diskReadBytes: number | null;
  diskWrittenBytes: number | null;
  /** CPU-seconds per million messages produced: cpu.mean ÷ throughput.produced.messagesPerSec × 10⁶. */
  cpuSecondsPerMillionMessages: number | null;
  /** Intervals (mostly) in the window with a reading; `unmeasured`: those without (not running, or unreadable). */
  samples: number;
  unmeasured: number;
}

export interface ResourceUse {
  /** 'proc+cgroup': containers were read from their cgroups (each process says where it was read). */
  source: 'proc' | 'proc+cgroup';
  intervalMs: number;
  clockTicksPerSec: number;
  /** The window the figures cover, in ms of the load clock. */
  window: { fromMs: number; toMs: number };
  /** null: no process of that kind ran. */
  brokers: ResourceFigure | null;
  mirrorMakers: ResourceFigure | null;
  toxiproxies: ResourceFigure | null;
  harness: ResourceFigure | null;
  processes: Array<{ name: string; kind: ProcessKind; pids: number[]; source?: ReadingSource } & ResourceFigure>;
  /** Every tick from load start to load end (drain included): per process, cores, RSS, bytes in the interval. */
  timeline: ResourcePoint[];
}

const KINDS: Array<[keyof Pick<ResourceUse, 'brokers' | 'mirrorMakers' | 'toxiproxies' | 'harness'>, ProcessKind]> = [
  ['brokers', 'broker'],
  ['mirrorMakers', 'mirrormaker'],
  ['toxiproxies', 'toxiproxy'],
  ['harness', 'harness'],
];

export function resourceUse(
  samples: ResourceSamples,
  window: { fromMs: number; toMs: number },
  producedPerSec: number | null,
): ResourceUse {
  const figure = (names: string[]) =>
    summarize(
      samples.timeline.map((point) => ({ point, use: sum(names.map((n) => point.processes[n])) })),
      window,
      producedPerSec,
    );
  const byKind = Object.fromEntries(
    KINDS.map(([key, kind]) => {
      const names = samples.processes.filter((p) => p.kind === kind).map((p) => p.name);
      return [key, names.length > 0 ? figure(names) : null];
    }),
  ) as Pick<ResourceUse, 'brokers' | 'mirrorMakers' | 'toxiproxies' | 'harness'>;
  return {
    source: samples.source,
    intervalMs: samples.intervalMs,
    clockTicksPerSec: samples.clockTicksPerSec,
    window,
    ...byKind,
    processes: samples.processes.map((p) => ({ ...p, ...figure([p.name]) })),
    timeline: samples.timeline.map((point) => ({
      ...point,
      processes: Object.fromEntries(
        Object.entries(point.processes).map(([name, use]) => [name, use && { ...use, cpu: round(use.cpu, 3) }]),
      ),
    })),
  };
}

/** The processes' use summed; null when none was measured at that tick. */
function sum(points: Array<ProcessPoint | null | undefined>): ProcessPoint | null {
  const measured = points.filter((p): p is ProcessPoint => p != null);
  if (measured.length === 0) return null;
  const add = (field: 'readBytes' | 'writeBytes') =>
    measured.some((p) => p[field] === null) ? null : measured.reduce((total, p) => total + p[field]!, 0);
  return {
    cpu: measured.reduce((total, p) => total + p.cpu, 0),
    rssBytes: measured.reduce((total, p) => total + p.rssBytes, 0),
    readBytes: add('readBytes'),
    writeBytes: add('writeBytes'),
  };
}

function summarize(
  series: Array<{ point: ResourcePoint; use: ProcessPoint | null }>,
  window: { fromMs: number; toMs: number },
  producedPerSec: number | null,
): ResourceFigure {
  let seconds = 0;
  let cpuSeconds = 0;
  let rssWeighted = 0;
  let cpuMax: number | null = null;
  let rssMax: number | null = null;
  let read: number | null = 0;
  let written: number | null = 0;
  let samples = 0;
  let unmeasured = 0;
  for (const { point, use } of series) {
    const overlapMs = Math.min(point.tMs, window.toMs) - Math.max(point.tMs - point.ms, window.fromMs);
    if (overlapMs <= 0 || point.ms <= 0) continue;
    const share = overlapMs / point.ms;
    if (use === null) {
      if (share >= 0.5) unmeasured++;
      continue;
    }
    if (share >= 0.5) samples++;
    seconds += overlapMs / 1000;
    cpuSeconds += (use.cpu * overlapMs) / 1000;
    rssWeighted += (use.rssBytes * overlapMs) / 1000;
    if (share >= 0.5) cpuMax = Math.max(cpuMax ?? 0, use.cpu);
    rssMax = Math.max(rssMax ?? 0, use.rssBytes);
    read = read === null || use.readBytes === null ? null : read + use.readBytes * share;
    written = written === null || use.writeBytes === null ? null : written + use.writeBytes * share;
  }
  if (seconds === 0)
    return {
      cpu: { mean: null, max: null },
      rssBytes: { mean: null, max: null },
      cpuSeconds: null,
      diskReadBytes: null,
      diskWrittenBytes: null,
      cpuSecondsPerMillionMessages: null,
      samples,
      unmeasured,
    };
  const mean = cpuSeconds / seconds;
  return {
    cpu: { mean: round(mean, 3), max: cpuMax === null ? null : round(cpuMax, 3) },
    rssBytes: { mean: Math.round(rssWeighted / seconds), max: rssMax },
    cpuSeconds: round(cpuSeconds, 3),
    diskReadBytes: read === null ? null : Math.round(read),
    diskWrittenBytes: written === null ? null : Math.round(written),
    cpuSecondsPerMillionMessages: producedPerSec ? round((mean / producedPerSec) * 1e6, 3) : null,
    samples,
    unmeasured,
  };
}
