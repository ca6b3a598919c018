/**
 * One result from the repeats of a part (`faultline run --repeat N`): figures are the median of the repeats, the
 * books (messages, errors) are totals over them (so a loss in any repeat shows), criteria pass only when they
 * passed in every repeat, the status is the worst repeat's, and `repeat.spread` records each figure's run-to-run
 * noise. Per-second timelines, histograms and fault records are each repeat's own (in its directory): a median of
 * timelines would be a run that never happened, so the combined result has none.
 */
import { metricValue, parseCriterion, resultPath } from '../criteria/criterion.js';
import type { CriterionVerdict } from '../criteria/criterion.js';
import { DEFAULT_CHECKS } from '../report/regression-checks.js';
import type { FigureSpread, RunResult, RunStatus } from '../report/result.js';
import { median, spreadOf } from './repeat-math.js';

/** Figures whose spread is recorded besides the regression checks and the criteria in force. */
const SPREAD_FIGURES = [
  'latency.publish.p50',
  'latency.publish.p99',
  'latency.publish.p999',
  'latency.publish.max',
  'latency.endToEnd.p50',
  'latency.endToEnd.p99',
  'latency.endToEnd.p999',
  'latency.endToEnd.max',
  'throughput.produced.messagesPerSec',
  'throughput.consumed.messagesPerSec',
  'failover.max',
  'failover.throughputMax',
  'failover.consumerMax',
  'rto.produce',
  'rto.consume',
  'rpo.messages',
  'resources.brokers.cpu.mean',
  'resources.brokers.rssBytes.max',
];

/**
 * The figures whose spread is worth recording: the defaults above, every default regression check, the scenario's
 * `regression:` figures and its criteria's metrics. Book counts (messages.*, errors.*) have no spread: they are
 * totals over the repeats, and a new loss is a fault to report, never noise.
 */
export function spreadFigures(regression: Record<string, unknown> | undefined, criteria: string[]): string[] {
  const figures = new Set<string>([...SPREAD_FIGURES, ...DEFAULT_CHECKS.map(([figure]) => figure)]);
  for (const figure of Object.keys(regression ?? {})) figures.add(figure.trim());
  for (const expression of criteria) {
    try {
      figures.add(parseCriterion(expression).metric);
    } catch {
      // A criterion that does not parse was refused before the run.
    }
  }
  return [...figures].filter((figure) => !/^(messages|errors)\./.test(figure));
}

/** The spread of each figure measured in every repeat (figures some repeat did not measure are left out). */
export function figureSpreads(results: RunResult[], figures: string[]): Record<string, FigureSpread> {
  const spread: Record<string, FigureSpread> = {};
  for (const figure of figures) {
    let path: string[];
    try {
      path = resultPath(parseCriterion(`${figure} >= 0`));
    } catch {
      continue;
    }
    const values = results.map((r) => ((r.messages?.sent ?? 0) === 0 ? null : metricValue(r, path)));
    const s = spreadOf(values);
    if (s) spread[figure] = s;
  }
  return spread;
}

const STATUS_RANK: Record<RunStatus, number> = { passed: 0, failed: 1, running: 2, error: 3, interrupted: 4 };

/** Combines one part's repeats (in repeat order); `dirs` are the repeats' directories relative to the combined one. */
export function combineRepeats(results: RunResult[], figures: string[], dirs: string[]): RunResult {
  if (results.length === 0) throw new Error('no repeat to combine');
  const first = results[0]!;
  const n = results.length;
  const notes: string[] = [];
  const worst = results.reduce((w, r, i) => (STATUS_RANK[r.status] > STATUS_RANK[w.r.status] ? { r, i } : w), {
    r: first,
    i: 0,
  });
  const combined: RunResult = {
    ...first,
    status: worst.r.status,
    partial: results.some((r) => r.partial),
    ...(worst.r.statusReason ? { statusReason: `repeat ${worst.i + 1}: ${worst.r.statusReason}` } : {}),
    endedAt: results[n - 1]!.endedAt,
    throughput: medianOf(
      results.map((r) => r.throughput),
      'throughput',
      notes,
    ) as RunResult['throughput'],
    latency: medianOf(
      results.map((r) => r.latency),
      'latency',
      notes,
    ) as RunResult['latency'],
    messages: totalOf(
      results.map((r) => r.messages),
      'messages',
    ) as RunResult['messages'],
    errors: totalOf(
      results.map((r) => r.errors),
      'errors',
    ) as RunResult['errors'],
    byRegion: medianOf(
      results.map((r) => r.byRegion),
      'byRegion',
      notes,
    ) as RunResult['byRegion'],
    failover: medianOf(
      results.map((r) => r.failover),
      'failover',
      notes,
    ) as RunResult['failover'],
    drain: null,
    timeline: [],
    faults: [],
    histograms: {},
    criteria: combineCriteria(results),
    warnings: [],
    repeat: { runs: n, spread: figureSpreads(results, figures), dirs },
  };
  combined.messages.lostSample = [];
  for (const key of ['replication', 'rpo', 'rto'] as const) {
    if (first[key] !== undefined)
      (combined as unknown as Record<string, unknown>)[key] = medianOf(
        results.map((r) => r[key]),
        key,
        notes,
      );
  }
  if (first.resources) {
    const resources = medianOf(
      results.map((r) => (r.resources ? { ...r.resources, timeline: [], processes: [] } : r.resources)),
      'resources',
      notes,
    ) as RunResult['resources'];
    combined.resources = resources;
  }
  const warnings = new Set<string>();
  results.forEach((r, i) => {
    for (const w of r.warnings) warnings.add(`repeat ${i + 1}: ${w}`);
  });
  combined.warnings = [
    `${n} repeats, each on a fresh cluster (${dirs.join(', ')}): figures are their medians, message and error counts their totals; per-second timelines, histograms and fault records are in each repeat's own results`,
    ...notes,
    ...warnings,
  ];
  return combined;
}

/** Each criterion passes only when it passed in every repeat; its actual is the median of the repeats'. */
function combineCriteria(results: RunResult[]): CriterionVerdict[] {
  return results[0]!.criteria.map((criterion, k) => {
    const verdicts = results.map((r) => r.criteria.find((c, i) => i === k && c.expression === criterion.expression));
    const actuals = verdicts.map((v) => v?.actual ?? null);
    const failedIn = verdicts.flatMap((v, i) => (v?.passed ? [] : [i + 1]));
    const measured = actuals.filter((a): a is number => a !== null);
    const listed = actuals.map((a) => (a === null ? '—' : a)).join(', ');
    return {
      expression: criterion.expression,
      actual: measured.length === actuals.length ? median(measured) : null,
      threshold: criterion.threshold,
      passed: failedIn.length === 0,
      note: `median of ${results.length} repeats (${listed})${failedIn.length ? `; failed in repeat ${failedIn.join(', ')}` : ''}`,
    };
  });
}

/**
 * The median of each number at the same place in every repeat; strings and booleans are the first repeat's;
 * string lists are the union (a fault that never recovered in any repeat is named). A figure some repeats did not
 * measure (null) is null, and said in `notes`: a median of the repeats that did would hide the others.
 */
function medianOf(values: unknown[], path: string, notes: string[]): unknown {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (present.length === 0) return values[0];
  if (present.length < values.length) {
    notes.push(`${path}: measured in ${present.length} of ${values.length} repeats, so not combined (null)`);
    return null;
  }
  if (present.every((v) => typeof v === 'number')) return median(present as number[]);
  if (present.every((v) => Array.isArray(v))) {
    const arrays = present as unknown[][];
    if (arrays.every((a) => a.every((item) => typeof item === 'string')))
      return [...new Set(arrays.flat() as string[])];
    if (arrays.some((a) => a.length !== arrays[0]!.length)) {
      notes.push(`${path}: the repeats differ in shape; the first repeat's is shown`);
      return arrays[0];
    }
    return arrays[0]!.map((_, i) =>
      medianOf(
        arrays.map((a) => a[i]),
        `${path}[${i}]`,
        notes,
      ),
    );
  }
  if (present.every((v) => typeof v === 'object' && !Array.isArray(v))) {
    const objects = present as Array<Record<string, unknown>>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(objects[0]!))
      out[key] = medianOf(
        objects.map((o) => o[key]),
        `${path}.${key}`,
        notes,
      );
    return out;
  }
  return present[0];
}

/**
 * Totals of counts over the repeats (null when some repeat has none: not judged there); a yes/no holds only when
 * it held in every repeat, except `producerMayReorder` (in any).
 */
function totalOf(values: unknown[], path: string): unknown {
  const first = values[0];
  if (values.some((v) => v === null || v === undefined)) return values.some((v) => v === null) ? null : first;
  if (values.every((v) => typeof v === 'number')) return (values as number[]).reduce((a, b) => a + b, 0);
  if (values.every((v) => typeof v === 'boolean'))
    return path.endsWith('producerMayReorder') ? values.some(Boolean) : values.every(Boolean);
  if (values.every((v) => typeof v === 'object' && !Array.isArray(v))) {
    const objects = values as Array<Record<string, unknown>>;
    const keys = new Set(objects.flatMap((o) => Object.keys(o)));
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const inAll = objects.map((o) => o[key] ?? (objects.some((x) => typeof x[key] === 'number') ? 0 : o[key]));
      out[key] = totalOf(inAll, `${path}.${key}`);
    }
    return out;
  }
  return first;
}
