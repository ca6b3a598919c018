/**
 * .hlog files are read back by HdrHistogram's own Java HistogramLogReader: same intervals, same counts, same max
 * and percentiles as faultline's. From a result fixture a real run produced; no broker is started.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { LatencyHistogram } from '../../src/metrics/latency-histogram.js';
import { HLOG_KINDS, type HlogKind, intervalLog } from '../../src/report/hlog.js';
import { tempDir } from '../helpers.js';
import { readHlog } from '../java-tools.js';
import { fixtureResult } from '../unit/report-fixtures.js';

for (const kind of Object.keys(HLOG_KINDS) as HlogKind[]) {
  test(`${kind}.hlog reads back in HdrHistogram's HistogramLogReader with faultline's figures`, async () => {
    const result = fixtureResult('kafka-pause');
    const log = intervalLog(result, kind);
    assert.ok(log, 'the fixture has interval histograms');
    const file = join(tempDir('faultline-hlog-'), `${kind}.hlog`);
    writeFileSync(file, log);
    const read = await readHlog(file);
    const points = result.timeline.filter((p) => p.phase !== 'warmup');
    assert.equal(read.intervals.length, points.length, 'one interval per second after the warm-up');
    const origin = Date.parse(result.loadStartedAt!) / 1000;
    assert.ok(Math.abs(read.startTimeSec - origin) < 0.001, `start ${read.startTimeSec}`);
    const key = HLOG_KINDS[kind];
    const merged = new LatencyHistogram();
    read.intervals.forEach((interval, i) => {
      const p = points[i]!;
      assert.ok(Math.abs(interval.startSec - (origin + p.t)) < 0.002, `interval ${i} starts at load start + ${p.t} s`);
      const ours = p[key] ? LatencyHistogram.decode(p[key]) : new LatencyHistogram();
      assert.equal(interval.count, ours.count, `interval ${i}: count`);
      merged.add(ours);
    });
    const total = read.total!;
    assert.ok(total.count > 1000, `${total.count} samples`);
    assert.equal(total.count, merged.count);
    assert.equal(total.max / 1000, merged.percentileMs(100), 'max (µs → ms)');
    // Java reports a bucket's highest equivalent value; faultline caps it at the max (latency-histogram.ts).
    for (const [java, percentile] of [
      [total.p50, 50],
      [total.p99, 99],
    ] as const) {
      const ours = merged.percentileMs(percentile);
      assert.ok(
        Math.abs(java / 1000 - ours) <= ours * 0.001 + 0.001,
        `p${percentile}: java ${java} µs, ours ${ours} ms`,
      );
    }
  });
}
