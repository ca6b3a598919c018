/**
 * .hlog files are read back by HdrHistogram's own Java HistogramLogReader (org.hdrhistogram:HdrHistogram from Maven
 * Central, resolved like the broker jars): same intervals, same counts, same max and percentiles as faultline's.
 * From a result fixture a real run produced; no broker is started.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { ensureClasspath } from '../../src/cluster/maven-artifacts.js';
import { LatencyHistogram } from '../../src/metrics/latency-histogram.js';
import { HLOG_KINDS, type HlogKind, intervalLog } from '../../src/report/hlog.js';
import { tempDir } from '../helpers.js';
import { fixtureResult, reportFixtures } from '../unit/report-fixtures.js';

const HDRHISTOGRAM_VERSION = '2.2.2';

for (const kind of Object.keys(HLOG_KINDS) as HlogKind[]) {
  test(`${kind}.hlog reads back in HdrHistogram's HistogramLogReader with faultline's figures`, async () => {
    const classpath = await ensureClasspath(
      `hdrhistogram-${HDRHISTOGRAM_VERSION}`,
      [{ groupId: 'org.hdrhistogram', artifactId: 'HdrHistogram', version: HDRHISTOGRAM_VERSION }],
      () => {},
    );
    const result = fixtureResult('kafka-pause');
    const log = intervalLog(result, kind);
    assert.ok(log, 'the fixture has interval histograms');
    const file = join(tempDir('faultline-hlog-'), `${kind}.hlog`);
    writeFileSync(file, log);
    const out = execFileSync(
      'java',
      ['-cp', classpath.spec, join(resolve(reportFixtures, '..', '..', 'java'), 'ReadHlog.java'), file],
      { encoding: 'utf8' },
    );
    const intervals = out.split('\n').filter((line) => line.startsWith('interval '));
    const points = result.timeline.filter((p) => p.phase !== 'warmup');
    assert.equal(intervals.length, points.length, 'one interval per second after the warm-up');
    const origin = Date.parse(result.loadStartedAt!) / 1000;
    assert.match(out, new RegExp(`^start ${origin.toFixed(3).replace('.', '\\.')}$`, 'm'));
    const key = HLOG_KINDS[kind];
    const merged = new LatencyHistogram();
    intervals.forEach((line, i) => {
      const [, start, , count] = line.split(' ');
      const p = points[i]!;
      assert.ok(Math.abs(Number(start) - (origin + p.t)) < 0.002, `interval ${i} starts at load start + ${p.t} s`);
      const ours = p[key] ? LatencyHistogram.decode(p[key]) : new LatencyHistogram();
      assert.equal(Number(count), ours.count, `interval ${i}: count`);
      merged.add(ours);
    });
    const [, count, max, p50, p99] = out.match(/^total (\d+) (\d+) (\d+) (\d+)$/m)!.map(Number);
    assert.ok(count! > 1000, `${count} samples`);
    assert.equal(count, merged.count);
    assert.equal(max! / 1000, merged.percentileMs(100), 'max (µs → ms)');
    // Java reports a bucket's highest equivalent value; faultline caps it at the max (latency-histogram.ts).
    for (const [java, percentile] of [
      [p50!, 50],
      [p99!, 99],
    ] as const) {
      const ours = merged.percentileMs(percentile);
      assert.ok(
        Math.abs(java / 1000 - ours) <= ours * 0.001 + 0.001,
        `p${percentile}: java ${java} µs, ours ${ours} ms`,
      );
    }
  });
}
