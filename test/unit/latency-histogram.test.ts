import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LatencyHistogram } from '../../src/metrics/latency-histogram.js';

test('percentiles never exceed max: 1000 samples of 200 ms read back as 200 ms, not the bucket top 200.063', () => {
  const h = new LatencyHistogram();
  for (let i = 0; i < 1000; i++) h.recordMs(200);
  assert.deepEqual(h.summary(), { count: 1000, p50: 200, p90: 200, p99: 200, p999: 200, max: 200, mean: 200 });
  assert.equal(h.percentileMs(99), 200);
});

test('percentiles stay within [min, max] and ordered, whatever the values', () => {
  let seed = 7;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (const spread of [0.01, 1, 37, 5000]) {
    const h = new LatencyHistogram();
    const values: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const ms = 3 + random() * spread;
      values.push(Math.round(ms * 1000) / 1000);
      h.recordMs(ms);
    }
    const s = h.summary();
    const min = Math.min(...values);
    assert.equal(s.max, Math.max(...values), 'max is exact');
    for (const p of [s.p50, s.p90, s.p99, s.p999, s.mean])
      assert.ok(p <= s.max && p >= min * 0.999, `spread ${spread}: ${JSON.stringify(s)}`);
    assert.ok(s.p50 <= s.p90 && s.p90 <= s.p99 && s.p99 <= s.p999);
  }
});

test('recording with a count equals recording one by one', () => {
  const one = new LatencyHistogram();
  const bulk = new LatencyHistogram();
  for (let i = 0; i < 250; i++) one.recordMs(12.3456);
  bulk.recordMsWithCount(12.3456, 250);
  bulk.recordMsWithCount(99, 0);
  assert.deepEqual(bulk.summary(), one.summary());
  assert.equal(bulk.encode(), one.encode());
});
