import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Collector } from '../../src/metrics/collector.js';

test('warm-up is excluded from aggregates but kept, marked, in the timeline', () => {
  const collector = new Collector({ warmupMs: 1000, measureEndMs: 3000, messageSize: 100 });
  // Warm-up: slow acks that must not reach the overall figures.
  for (let i = 0; i < 10; i++) collector.onAck(i * 100, i * 100, i * 100 + 500);
  // Measurement: 20 acks at 10 ms publish latency, 15 consumes at 30 ms end to end.
  for (let i = 0; i < 20; i++) collector.onAck(1000 + i * 100, 1000 + i * 100, 1010 + i * 100);
  for (let i = 0; i < 15; i++) collector.onConsume(1000 + i * 100, 1030 + i * 100);
  collector.onError('produce:timeout', 2500);
  const metrics = collector.snapshot(3500);
  assert.equal(metrics.latency.publish.count, 20);
  assert.equal(metrics.latency.publish.max, 10);
  assert.ok(Math.abs(metrics.latency.endToEnd.p50 - 30) < 0.05, 'HdrHistogram keeps 3 significant digits');
  // 20 acks with ack times in [1000, 3000) over a 2 s window; the 10 warm-up acks land at 500..1400: 5 in window.
  assert.equal(metrics.throughput.produced.messagesPerSec, (20 + 5) / 2);
  assert.equal(metrics.throughput.produced.bytesPerSec, ((20 + 5) / 2) * 100);
  assert.deepEqual(metrics.errors, { 'produce:timeout': 1 });
  assert.deepEqual(metrics.timeline.map((p) => p.phase), ['warmup', 'measure', 'measure']);
  assert.equal(Math.round(metrics.timeline[0]!.publishP99!), 500);
  assert.equal(metrics.timeline[2]!.errors, 1);
});

test('a second with nothing acknowledged is in the timeline as zero, not skipped', () => {
  const collector = new Collector({ warmupMs: 0, measureEndMs: 5000, messageSize: 1 });
  collector.onAck(0, 0, 100);
  collector.onAck(3900, 3900, 3950);
  const timeline = collector.snapshot(4000).timeline;
  assert.deepEqual(timeline.map((p) => p.produced), [1, 0, 0, 1]);
  assert.equal(timeline[1]!.publishP99, null);
});
