/**
 * What the load generator itself cost over the measurement window (warm-up excluded), from the harness's sampled
 * CPU and memory (Node's own counters: every thread of the process, workers and GC included): CPU-seconds, CPU per
 * message — all of the harness's work for a message: sending it, booking its ack, and consuming it in every
 * consumer group — and the most resident memory. A harness near a full core, or whose busiest second was, may have
 * been the bottleneck: the figures then measure the generator as much as the brokers, and the run says so.
 */
import { round } from '../scenario/units.js';
import type { ResourceFigure } from './resource-figures.js';

/** Cores (CPU-seconds per second) above which the harness may have held the load back (its event loop is one thread). */
export const HARNESS_BUSY_CORES = 0.8;

export interface HarnessCost {
  /** CPU-seconds the harness used in the measurement window. */
  cpuSeconds: number;
  /** Harness CPU per message produced (acknowledged) in the window, in µs: its send, its ack and its consumption. */
  cpuMicrosPerMessage: number | null;
  /** Cores used: time-weighted mean over the window and the busiest second. */
  cores: { mean: number; max: number | null };
  /** The most resident memory seen in the window. */
  rssMaxBytes: number | null;
  /** True when the busiest second used more than HARNESS_BUSY_CORES of a core: the generator may have been the bottleneck. */
  busy: boolean;
}

/** The harness's cost from its resource figure; null when it was not measured in the window. */
export function harnessCost(
  figure: ResourceFigure | null | undefined,
  producedPerSec: number | null,
): HarnessCost | null {
  if (!figure || figure.cpuSeconds === null || figure.cpu.mean === null) return null;
  const mean = figure.cpu.mean;
  return {
    cpuSeconds: figure.cpuSeconds,
    cpuMicrosPerMessage: producedPerSec ? round((mean / producedPerSec) * 1e6, 1) : null,
    cores: { mean, max: figure.cpu.max },
    rssMaxBytes: figure.rssBytes.max,
    busy: Math.max(mean, figure.cpu.max ?? 0) > HARNESS_BUSY_CORES,
  };
}

/** The run's warning when the harness was busy enough to have been the bottleneck; undefined otherwise. */
export function harnessWarning(cost: HarnessCost | null): string | undefined {
  if (!cost?.busy) return undefined;
  const perMessage = cost.cpuMicrosPerMessage === null ? '' : `, ${cost.cpuMicrosPerMessage} µs of CPU per message`;
  return `the harness used ${cost.cores.mean} cores on average and ${cost.cores.max ?? cost.cores.mean} in its busiest second (more than ${HARNESS_BUSY_CORES} of a core${perMessage}): the load generator may have been the bottleneck, so figures may measure faultline as much as the brokers`;
}

/** The report's line on the harness's cost. */
export function harnessLine(cost: HarnessCost | null | undefined): string {
  if (!cost) return '';
  const perMessage =
    cost.cpuMicrosPerMessage === null ? 'no message was produced' : `${cost.cpuMicrosPerMessage} µs of CPU per message`;
  const rss = cost.rssMaxBytes === null ? '' : `, RSS max ${round(cost.rssMaxBytes / 1024 ** 2, 1)} MiB`;
  const verdict = cost.busy
    ? `: **more than ${HARNESS_BUSY_CORES} of a core, the load generator may have been the bottleneck**`
    : ` (below ${HARNESS_BUSY_CORES} of a core)`;
  return `**Harness (faultline itself)**: ${perMessage} (produced, acknowledged and consumed), ${cost.cpuSeconds} CPU-s over the window, ${cost.cores.mean} cores mean, ${cost.cores.max ?? '—'} max${rss}${verdict}.`;
}
