/**
 * The arithmetic of repeated runs: the median a combined result reports, and each figure's spread (min, max,
 * sample standard deviation, the values) that `compare --baseline` reads as run-to-run noise.
 */
import { round } from '../scenario/units.js';
import type { FigureSpread } from '../report/result.js';

/** The median: the middle value, or the mean of the two middle values of an even count. Throws on no values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return round(sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2, 6);
}

/**
 * Sample standard deviation (n − 1 in the denominator: with few repeats, the population's is an underestimate of
 * the noise); 0 for a single value.
 */
export function sampleStdev(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const squares = values.reduce((sum, v) => sum + (v - mean) ** 2, 0);
  return round(Math.sqrt(squares / (values.length - 1)), 6);
}

/** One figure's spread over the repeats, in repeat order; null when some repeat did not measure it. */
export function spreadOf(values: ReadonlyArray<number | null>): FigureSpread | null {
  if (values.length === 0 || values.some((v) => v === null || !Number.isFinite(v))) return null;
  const measured = values as number[];
  return {
    min: Math.min(...measured),
    max: Math.max(...measured),
    stdev: sampleStdev(measured),
    values: [...measured],
  };
}
