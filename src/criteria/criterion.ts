/**
 * Pass/fail criteria written like k6 thresholds: `latency.publish.p99 < 200ms`,
 * `throughput.produced.messagesPerSec >= 1950`, `messages.lost == 0`.
 */
import { didYouMean } from '../scenario/suggest.js';
import { parseBytes, parseDuration, round, UnitError } from '../scenario/units.js';
import { metricCatalog, type MetricUnit } from './metric-catalog.js';

export type Comparison = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface Criterion {
  expression: string;
  metric: string;
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

const shape = /^\s*([A-Za-z][\w.]*)\s*(<=|>=|==|!=|<|>)\s*(\S+)\s*$/;

export function parseCriterion(expression: string): Criterion {
  const match = shape.exec(expression);
  if (!match) {
    throw new CriterionSyntaxError(`expected "<metric> <op> <value>" such as "latency.publish.p99 < 200ms", got "${expression}"`);
  }
  const [, metric, comparison, value] = match as unknown as [string, string, Comparison, string];
  const unit = metricCatalog.get(metric);
  if (!unit) {
    throw new CriterionSyntaxError(`unknown metric "${metric}"${didYouMean(metric, [...metricCatalog.keys()])}`);
  }
  return { expression: expression.trim(), metric, comparison, threshold: parseThreshold(value, unit, metric) };
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
      case 'msgPerSec': {
        const match = /^(\d+(?:\.\d+)?)([km]?)(?:\/s)?$/i.exec(value);
        if (match) return Number(match[1]) * ({ '': 1, k: 1e3, m: 1e6 } as Record<string, number>)[match[2]!.toLowerCase()]!;
        break;
      }
      case 'count':
        break;
    }
  } catch (error) {
    if (!(error instanceof UnitError)) throw error;
  }
  const expected = { ms: 'a duration such as 200ms or 1.5s', msgPerSec: 'a rate such as 1950 or 5k/s', bytesPerSec: 'a size per second such as 10MiB/s', count: 'a number' }[unit];
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
  return { expression: criterion.expression, actual: null, threshold: criterion.threshold, passed: compare(Infinity, criterion.comparison, criterion.threshold), note };
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

/** Reads a metric out of a results object by its dotted path. */
export function metricValue(result: unknown, metric: string): number | null {
  let value: unknown = result;
  for (const part of metric.split('.')) {
    if (value === null || typeof value !== 'object') return null;
    value = (value as Record<string, unknown>)[part];
  }
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
