/**
 * Latency histogram over HdrHistogram: values recorded in microseconds (3 significant digits, auto-resizing,
 * so nothing is clamped), reported in milliseconds.
 *
 * Percentiles: HdrHistogram answers with the highest value equivalent to the bucket the percentile falls in (up
 * to 0.1 % above the recorded values), while `max` is the exact largest value recorded. No recorded value exceeds
 * `max`, so a percentile is reported as min(bucket's highest equivalent, max): still an upper bound of the true
 * percentile within HdrHistogram's precision, and never above `max` (which stays exact rather than being rounded up
 * to a value that was never recorded). The mean is kept within [min, max] for the same reason.
 */
import * as hdr from 'hdr-histogram-js';
import { round } from '../scenario/units.js';

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export class LatencyHistogram {
  private readonly histogram: hdr.Histogram;

  constructor(histogram?: hdr.Histogram) {
    this.histogram =
      histogram ??
      hdr.build({
        lowestDiscernibleValue: 1,
        highestTrackableValue: 60_000_000,
        numberOfSignificantValueDigits: 3,
        autoResize: true,
      });
  }

  static decode(encoded: string): LatencyHistogram {
    return new LatencyHistogram(hdr.decodeFromCompressedBase64(encoded));
  }

  recordMs(ms: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  /** Records `count` values of `ms` at once (HdrHistogram's recordValueWithCount). */
  recordMsWithCount(ms: number, count: number): void {
    if (count > 0) this.histogram.recordValueWithCount(Math.max(1, Math.round(ms * 1000)), count);
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  /** The value at `percentile`, clamped to the recorded max (see the module comment); 0 when empty. */
  percentileMs(percentile: number): number {
    const h = this.histogram;
    return h.totalCount === 0 ? 0 : round(Math.min(h.getValueAtPercentile(percentile), h.maxValue) / 1000, 3);
  }

  summary(): LatencySummary {
    const h = this.histogram;
    if (h.totalCount === 0) return { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };
    return {
      count: h.totalCount,
      p50: this.percentileMs(50),
      p90: this.percentileMs(90),
      p99: this.percentileMs(99),
      p999: this.percentileMs(99.9),
      max: round(h.maxValue / 1000, 3),
      mean: round(Math.min(Math.max(h.mean, h.minNonZeroValue), h.maxValue) / 1000, 3),
    };
  }

  /** Adds every value of `other` (figures merged over several sources). */
  add(other: LatencyHistogram): void {
    this.histogram.add(other.histogram);
  }

  reset(): void {
    this.histogram.reset();
  }

  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.histogram);
  }
}
