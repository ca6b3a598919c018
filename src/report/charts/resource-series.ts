/**
 * The resource timelines the charts draw, from a result's `resources`: per process, cores used and resident memory
 * each second; per run, all its brokers together. Each sampled interval is drawn at its start, as the load's
 * seconds are; an unmeasured interval (the process not running) is a gap, never 0.
 */
import type { ResourceUse } from '../../resources/resource-figures.js';
import type { ProcessKind, ProcessPoint } from '../../resources/resource-sampler.js';
import type { Point } from './series.js';

/** Brokers first, then MirrorMaker 2, Toxiproxy and the harness: the order of the report's table. */
const KIND_ORDER: ProcessKind[] = ['broker', 'mirrormaker', 'toxiproxy', 'harness'];

export type ResourceField = 'cpu' | 'rssMiB';

/** One line per sampled process, labelled by its name (the harness as "harness (faultline)"). */
export function processSeries(use: ResourceUse | null | undefined, field: ResourceField): Array<[string, Point[]]> {
  if (!use || use.timeline.length === 0) return [];
  const processes = [...use.processes].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
  return processes
    .map((p): [string, Point[]] => [
      p.kind === 'harness' ? 'harness (faultline)' : p.name,
      use.timeline.map((point) => [start(point), value(point.processes[p.name], field)]),
    ])
    .filter(([, points]) => points.some(([, v]) => v !== null));
}

/** Every process of a kind summed per second (null where none was measured): e.g. all brokers' cores. */
export function kindSeries(use: ResourceUse | null | undefined, kind: ProcessKind, field: ResourceField): Point[] {
  if (!use) return [];
  const names = use.processes.filter((p) => p.kind === kind).map((p) => p.name);
  if (names.length === 0) return [];
  const points = use.timeline.map((point): Point => {
    const values = names.map((n) => value(point.processes[n], field)).filter((v): v is number => v !== null);
    return [start(point), values.length ? round(values.reduce((a, b) => a + b, 0)) : null];
  });
  return points.some(([, v]) => v !== null) ? points : [];
}

function start(point: { tMs: number; ms: number }): number {
  return round((point.tMs - point.ms) / 1000);
}

function value(use: ProcessPoint | null | undefined, field: ResourceField): number | null {
  if (!use) return null;
  return field === 'cpu' ? round(use.cpu) : round(use.rssBytes / 2 ** 20);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
