import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecoveryTracker, streamOf } from '../../src/metrics/recovery-tracker.js';

const p0 = streamOf(0, 0);
const p1 = streamOf(0, 1);
const p2 = streamOf(0, 2);

type StreamEvent = (intendedMs: number, atMs: number, stream: number) => void;

/** An event every 10 ms on the given partitions from `fromMs` to `toMs`, each intended 5 ms before it. */
function steadily(event: StreamEvent, streams: number[], fromMs: number, toMs: number): void {
  for (let t = fromMs; t < toMs; t += 10) for (const stream of streams) event(t - 5, t, stream);
}

function ackSteadily(tracker: RecoveryTracker, streams: number[], fromMs: number, toMs: number): void {
  steadily((intended, at, stream) => tracker.onAck(intended, at, stream), streams, fromMs, toMs);
}

test('failover waits for every partition that took writes before the fault, not the first one to answer', () => {
  const tracker = new RecoveryTracker();
  ackSteadily(tracker, [p0, p1, p2], 0, 10_000);
  const fault = tracker.watch(10_000);
  // Partitions 1 and 2 never notice; partition 0's leader is gone for 4 s.
  ackSteadily(tracker, [p1, p2], 10_000, 14_000);
  ackSteadily(tracker, [p0, p1, p2], 14_000, 20_000);
  const figures = tracker.figures(fault, 20_000);
  assert.equal(figures.firstAckMs, 4_000);
});

test('a message intended before the fault does not end the failover, even when acknowledged after it', () => {
  const tracker = new RecoveryTracker();
  ackSteadily(tracker, [p0], 0, 6_000);
  const fault = tracker.watch(6_000);
  tracker.onAck(5_990, 7_000, p0);
  tracker.onAck(8_000, 8_500, p0);
  assert.equal(tracker.figures(fault, 9_000).firstAckMs, 2_500);
});

test('a partition that stopped taking writes long before the fault is not waited for; one never back means no recovery', () => {
  const tracker = new RecoveryTracker();
  ackSteadily(tracker, [p0, p1], 0, 2_000);
  ackSteadily(tracker, [p0], 2_000, 10_000);
  const fault = tracker.watch(10_000);
  ackSteadily(tracker, [p0], 10_500, 12_000);
  assert.equal(tracker.figures(fault, 12_000).firstAckMs, 500, 'partition 1 was idle for 8 s before the fault');

  const second = tracker.watch(12_000);
  assert.equal(tracker.figures(second, 20_000).firstAckMs, null);
});

test('consumers resumed when every partition consumed before the fault delivered a message intended after it', () => {
  const tracker = new RecoveryTracker();
  steadily((intended, at, stream) => tracker.onConsume(intended, at, stream), [p0, p1], 0, 5_000);
  const fault = tracker.watch(5_000);
  tracker.onConsume(5_100, 5_200, p1);
  tracker.onConsume(5_100, 9_000, p0);
  assert.equal(tracker.figures(fault, 10_000).consumerResumedMs, 4_000);
});

test('without any ack before the fault, the first ack after it counts', () => {
  const tracker = new RecoveryTracker();
  const fault = tracker.watch(0);
  tracker.onAck(100, 300, p2);
  assert.equal(tracker.figures(fault, 1_000).firstAckMs, 300);
});

test('a fault after which writes never resumed is not-recovered; one with nothing due after it is unmeasured', () => {
  const tracker = new RecoveryTracker();
  ackSteadily(tracker, [p0], 0, 10_000);
  tracker.onSent(9_995);
  const dead = tracker.watch(10_000);
  tracker.onSent(19_995); // sends went on for 10 s, none acknowledged
  const deadFigures = tracker.figures(dead, 20_000);
  assert.equal(deadFigures.firstAckMs, null);
  assert.deepEqual(deadFigures.state, {
    firstAck: 'not-recovered',
    throughput: 'not-recovered',
    consumer: 'unmeasured',
  });
  assert.equal(deadFigures.watchedMs, 10_000);

  const late = new RecoveryTracker();
  ackSteadily(late, [p0], 0, 10_000);
  late.onSent(9_995);
  const atTheEnd = late.watch(10_000); // producing ended: nothing intended after the fault
  assert.deepEqual(late.figures(atTheEnd, 10_500).state, {
    firstAck: 'unmeasured',
    throughput: 'unmeasured',
    consumer: 'unmeasured',
  });
});
