/**
 * Pass/fail criteria written like k6 thresholds: `latency.publish.p99 < 200ms`,
 * `throughput.produced.messagesPerSec >= 1950`, `messages.lost == 0`. With regions, a figure can be taken for a
 * producing region or a producing → consuming pair: `latency.publish[us-east].p99 < 100ms`,
 * `latency.endToEnd[us-east->eu-west].p99 < 300ms`, `throughput.consumed[us-east->eu-west].messagesPerSec > 900`;
 * and a consumer group's books by its consumer region: `messages.lost[eu-west] == 0`.
 */
import { didYouMean } from '../scenario/suggest.js';
import { parseBytes, parseDuration, round, UnitError } from '../scenario/units.js';
import { metricCatalog, type MetricUnit } from './metric-catalog.js';

export type Comparison = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface Criterion {
  expression: string;
  /** The metric as written, selector included, e.g. latency.endToEnd[us-east->eu-west].p99. */
  metric: string;
  /** For a regional figure: the producing region, and for end-to-end and consumed figures the consuming one. */
  regions?: { from: string; to?: string };
  /** For one consumer group's books (messages.X[region]): the group's consumer region. */
  group?: string;
  comparison: Comparison;
  threshold: number;
}

export interface CriterionVerdict {
  expression: string;
  /** The measured value, or null when the run did not measure it. */
  actual: number | null;
  threshold: number;
  passed: boolean;
  note?: string;
}

export class CriterionSyntaxError extends Error {}

const shape = /^\s*([A-Za-z][\w.]*(?:\[[^\]]*\][\w.]*)?)\s*(<=|>=|==|!=|<|>)\s*(\S+)\s*$/;
/** kind[selector].rest: the figures that can be broken down by region. */
const regional =
  /^(latency\.publish|latency\.endToEnd|throughput\.produced|throughput\.consumed)\[\s*([A-Za-z0-9._-]+)\s*(?:->\s*([A-Za-z0-9._-]+)\s*)?\]\.(\w+)$/;
const pairKinds = ['latency.endToEnd', 'throughput.consumed'];
/** messages.field[consumer region]: one consumer group's books. */
const grouped = /^messages\.(\w+)\[\s*([A-Za-z0-9._-]+)\s*\]$/;
/** The books each consumer group keeps for itself (sent, acked, failed are the producers', the same for all). */
export const groupFigures = [
  'consumed',
  'lost',
  'notDelivered',
  'duplicated',
  'redelivered',
  'duplicatesUnclassified',
  'reordered',
  'consumedUnacked',
  'foundByFinalRead',
];

export function parseCriterion(expression: string): Criterion {
  const match = shape.exec(expression);
  if (!match) {
    throw new CriterionSyntaxError(
      `expected "<metric> <op> <value>" such as "latency.publish.p99 < 200ms", got "${expression}"`,
    );
  }
  const [, metric, comparison, value] = match as unknown as [string, string, Comparison, string];
  let generic = metric;
  let regions: Criterion['regions'];
  let group: string | undefined;
  const byGroup = grouped.exec(metric);
  if (byGroup) {
    const [, figure, region] = byGroup as unknown as [string, string, string];
    if (!groupFigures.includes(figure))
      throw new CriterionSyntaxError(
        `a consumer group's books are ${groupFigures.map((f) => `messages.${f}[REGION]`).join(', ')}; "messages.${figure}" is the same for every group: write it without a selector`,
      );
    generic = `messages.${figure}`;
    group = region;
  } else if (metric.includes('[')) {
    const selected = regional.exec(metric);
    if (!selected) {
      throw new CriterionSyntaxError(
        `a region selector goes on latency.publish, latency.endToEnd, throughput.produced, throughput.consumed or a consumer group's books, e.g. latency.publish[us-east].p99, latency.endToEnd[us-east->eu-west].p99 or messages.lost[eu-west]; got "${metric}"`,
      );
    }
    const [, kind, from, to, stat] = selected as unknown as [string, string, string, string | undefined, string];
    const pair = pairKinds.includes(kind);
    if (pair && to === undefined)
      throw new CriterionSyntaxError(
        `${kind} is measured per producing → consuming region pair: ${kind}[${from}->REGION].${stat}`,
      );
    if (!pair && to !== undefined)
      throw new CriterionSyntaxError(`${kind} is measured per producing region: ${kind}[${from}].${stat}`);
    generic = `${kind}.${stat}`;
    regions = { from, ...(to !== undefined ? { to } : {}) };
  }
  const unit = metricCatalog.get(generic);
  if (!unit) {
    throw new CriterionSyntaxError(`unknown metric "${metric}"${didYouMean(generic, [...metricCatalog.keys()])}`);
  }
  return {
    expression: expression.trim(),
    metric,
    ...(regions ? { regions } : {}),
    ...(group !== undefined ? { group } : {}),
    comparison,
    threshold: parseThreshold(value, unit, generic),
  };
}

/** Where a criterion's figure sits in result.json: regional figures live under byRegion. */
export function resultPath(criterion: Criterion): string[] {
  if (criterion.group !== undefined)
    return ['messages', 'byGroup', criterion.group, criterion.metric.slice(9, criterion.metric.indexOf('['))];
  if (!criterion.regions) return criterion.metric.split('.');
  const [kind, stat] = [
    criterion.metric.slice(0, criterion.metric.indexOf('[')),
    criterion.metric.slice(criterion.metric.indexOf(']') + 2),
  ];
  const key =
    criterion.regions.to === undefined ? criterion.regions.from : `${criterion.regions.from}->${criterion.regions.to}`;
  const section = {
    'latency.publish': 'publish',
    'latency.endToEnd': 'endToEnd',
    'throughput.produced': 'produced',
    'throughput.consumed': 'consumed',
  }[kind]!;
  return ['byRegion', section, key, stat];
}

function parseThreshold(value: string, unit: MetricUnit, metric: string): number {
  const plain = Number(value);
  if (value !== '' && Number.isFinite(plain)) return plain;
  try {
    switch (unit) {
      case 'ms':
        return parseDuration(value);
      case 'bytesPerSec':
        return parseBytes(value.replace(/\/s$/, ''));
      case 'bytes':
        return parseBytes(value);
      case 'msgPerSec': {
        const match = /^(\d+(?:\.\d+)?)([km]?)(?:\/s)?$/i.exec(value);
        if (match)
          return Number(match[1]) * ({ '': 1, k: 1e3, m: 1e6 } as Record<string, number>)[match[2]!.toLowerCase()]!;
        break;
      }
      case 'count':
        break;
    }
  } catch (error) {
    if (!(error instanceof UnitError)) throw error;
  }
  const expected = {
    ms: 'a duration such as 200ms or 1.5s',
    msgPerSec: 'a rate such as 1950 or 5k/s',
    bytesPerSec: 'a size per second such as 10MiB/s',
    bytes: 'a size such as 512MiB',
    count: 'a number',
  }[unit];
  throw new CriterionSyntaxError(`${metric} needs ${expected}, got "${value}"`);
}

export function judge(criterion: Criterion, actual: number | null): CriterionVerdict {
  const base = { expression: criterion.expression, actual, threshold: criterion.threshold };
  if (actual === null) return { ...base, passed: false, note: 'not measured in this run' };
  const passed = compare(round(actual, 6), criterion.comparison, criterion.threshold);
  return { ...base, passed };
}

/** A figure whose worst case is unbounded (a fault that never recovered): only "above" comparisons can pass. */
export function judgeUnbounded(criterion: Criterion, note: string): CriterionVerdict {
  return {
    expression: criterion.expression,
    actual: null,
    threshold: criterion.threshold,
    passed: compare(Infinity, criterion.comparison, criterion.threshold),
    note,
  };
}

function compare(actual: number, comparison: Comparison, threshold: number): boolean {
  switch (comparison) {
    case '<':
      return actual < threshold;
    case '<=':
      return actual <= threshold;
    case '>':
      return actual > threshold;
    case '>=':
      return actual >= threshold;
    case '==':
      return actual === threshold;
    case '!=':
      return actual !== threshold;
  }
}

/** Reads a metric out of a results object by its dotted path (or its path segments). */
export function metricValue(result: unknown, metric: string | string[]): number | null {
  let value: unknown = result;
  for (const part of typeof metric === 'string' ? metric.split('.') : metric) {
    if (value === null || typeof value !== 'object') return null;
    value = (value as Record<string, unknown>)[part];
  }
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
