import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AckListener, OutgoingMessage, ProducerHandle } from '../../src/drivers/driver.js';
import { PayloadCodec } from '../../src/load/payload.js';
import { ProducerWorker } from '../../src/load/producer-worker.js';
import { RateSchedule } from '../../src/load/rate-schedule.js';
import { Collector } from '../../src/metrics/collector.js';
import { LatencyHistogram } from '../../src/metrics/latency-histogram.js';
import { MessageLedger } from '../../src/metrics/message-ledger.js';

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
  assert.deepEqual(
    metrics.timeline.map((p) => p.phase),
    ['warmup', 'measure', 'measure'],
  );
  assert.equal(Math.round(metrics.timeline[0]!.publishP99!), 500);
  assert.equal(metrics.timeline[2]!.errors, 1);
});

test('a second with nothing acknowledged is in the timeline as zero, not skipped', () => {
  const collector = new Collector({ warmupMs: 0, measureEndMs: 5000, messageSize: 1 });
  collector.onAck(0, 0, 100);
  collector.onAck(3900, 3900, 3950);
  const timeline = collector.snapshot(4000).timeline;
  assert.deepEqual(
    timeline.map((p) => p.produced),
    [1, 0, 0, 1],
  );
  assert.equal(timeline[1]!.publishP99, null);
});

/** A producer whose sends stay pending until the test releases them (acking every message at `ackMs`). */
function heldProducer() {
  const held: Array<{ count: number; release: (ackMs: number) => void }> = [];
  const producer: ProducerHandle = {
    send(_topic: string, messages: OutgoingMessage[], onAcked: AckListener) {
      return new Promise<void>((resolve) => {
        held.push({
          count: messages.length,
          release: (ackMs) => {
            onAcked(
              messages.map((_, i) => i),
              ackMs,
              0,
            );
            resolve();
          },
        });
      });
    },
    close: async () => {},
  };
  return { producer, held };
}

async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 10_000 && !predicate(); i++) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(predicate(), `timed out waiting for ${what}`);
}

test('send lag is one sample per message: a stalled send slot delays every message due meanwhile', async () => {
  // 1000 msg/s for 300 ms, one send in flight at a time, on a clock the test moves. The first send (1 message)
  // is held until 200 ms, so the next 200 messages go out together at 200 ms; that one is held until 1000 ms.
  let now = 0;
  const schedule = RateSchedule.forWorkload(
    { warmup: 0, phases: [{ duration: 300, rate: { kind: 'fixed', perSecond: 1000 } }] },
    1,
  );
  const collector = new Collector({ warmupMs: 0, measureEndMs: 300, messageSize: 64 });
  const ledger = new MessageLedger(1);
  const { producer, held } = heldProducer();
  const worker = new ProducerWorker({
    id: 0,
    topic: 't',
    topicIndex: 0,
    producer,
    codec: new PayloadCodec(PayloadCodec.newRunId(), 64),
    keys: () => null,
    schedule,
    endMs: 300,
    maxInFlight: 10_000,
    maxInFlightBatches: 1,
    maxBatch: 500,
    clock: () => now,
    collector,
    ledger,
    signal: new AbortController().signal,
  });
  const producing = worker.produce();
  const truth = new LatencyHistogram();
  let sentSoFar = 0;
  for (const releaseAt of [200, 1000, 1000]) {
    await until(() => held.length > 0, 'a send');
    const send = held.shift()!;
    for (let seq = sentSoFar; seq < sentSoFar + send.count; seq++) truth.recordMs(now - schedule.intendedMs(seq));
    sentSoFar += send.count;
    now = releaseAt;
    send.release(releaseAt);
  }
  await producing;
  assert.equal(ledger.counts.sent, 300);
  const sendLag = collector.snapshot(1000).latency.sendLag;
  assert.equal(sendLag.count, 300, 'one sample per message, not per send');
  assert.deepEqual(sendLag, truth.summary());
  assert.ok(sendLag.p99 > 10, `p99 ${sendLag.p99} ms: what the harness-lag warning reads`);
  // Messages 1..199 fell due before the slot was freed at 200 ms (200 is sent on time), 201..299 before 1000 ms.
  assert.equal(collector.snapshot(1000).sendLagHeldForSlot, 199 + 99, 'the messages that waited for the one send slot');
});

test('send lag: equal lags are recorded at once, messages intended in the warm-up are left out', () => {
  const collector = new Collector({ warmupMs: 1000, measureEndMs: 3000, messageSize: 1 });
  collector.onSent(1500, new Array(100).fill(1500)); // max rate: intended = sent
  collector.onSent(
    1005,
    Array.from({ length: 10 }, (_, i) => 995 + i),
  ); // 5 intended in the warm-up, 5 after: lags 5..1 ms
  const sendLag = collector.snapshot(3000).latency.sendLag;
  assert.equal(sendLag.count, 105);
  assert.equal(sendLag.max, 5);
});

test('partial results: throughput over the part of the window that elapsed, not the whole planned window', () => {
  const collector = new Collector({ warmupMs: 10_000, measureEndMs: 70_000, messageSize: 1000 });
  for (let ms = 0; ms < 25_000; ms++) collector.onAck(ms, ms, ms + 0.5, 1); // 1000 msg/s, interrupted at 25 s
  const partial = collector.snapshot(25_000);
  assert.equal(partial.throughput.produced.messagesPerSec, 1000);
  assert.equal(partial.throughput.produced.bytesPerSec, 1_000_000);
  assert.equal(
    new Collector({ warmupMs: 10_000, measureEndMs: 70_000, messageSize: 1 }).snapshot(4_000).throughput.produced
      .messagesPerSec,
    0,
    'still in the warm-up',
  );
});

test('timeline: a fractional warm-up or window end cuts the second, and the measure intervals add up to the totals', () => {
  // Warm-up 1.5 s, measurement to 4.5 s, 1000 msg/s acked 0.5 ms after their intended time and consumed 0.7 ms after.
  const collector = new Collector({ warmupMs: 1500, measureEndMs: 4500, messageSize: 1 });
  const schedule = RateSchedule.forWorkload(
    { warmup: 1500, phases: [{ duration: 3000, rate: { kind: 'fixed', perSecond: 1000 } }] },
    1,
  );
  for (let seq = 0; seq < schedule.total; seq++) {
    const t = schedule.intendedMs(seq);
    collector.onAck(t, t, t + 0.5, 1);
    collector.onConsume(t, t + 0.7, 1);
  }
  const metrics = collector.snapshot(6000);
  const measure = metrics.timeline.filter((p) => p.phase === 'measure');
  const sum = (key: 'produced' | 'consumed') => measure.reduce((a, p) => a + p[key], 0);
  assert.equal(sum('produced'), metrics.throughput.produced.messagesPerSec * 3);
  assert.equal(sum('consumed'), metrics.throughput.consumed.messagesPerSec * 3);
  assert.deepEqual(
    metrics.timeline.map((p) => [p.t, p.seconds ?? 1, p.phase]),
    [
      [0, 1, 'warmup'],
      [1, 0.5, 'warmup'],
      [1.5, 0.5, 'measure'],
      [2, 1, 'measure'],
      [3, 1, 'measure'],
      [4, 0.5, 'measure'],
      [4.5, 0.5, 'drain'],
      [5, 1, 'drain'],
    ],
  );
  assert.deepEqual(
    measure.map((p) => p.produced / (p.seconds ?? 1)),
    [1000, 1000, 1000, 1000],
    'a cut interval counts its own part',
  );
});

test('timeline: an ack reported after its interval closed counts where the timeline counts it, in the totals too', () => {
  const collector = new Collector({ warmupMs: 1000, measureEndMs: 3000, messageSize: 1 });
  collector.roll(1200); // the progress timer closed the warm-up
  collector.onAck(990, 990, 999); // ack time in the warm-up, heard of after it closed
  const metrics = collector.snapshot(3000);
  const inMeasure = metrics.timeline.filter((p) => p.phase === 'measure').reduce((a, p) => a + p.produced, 0);
  assert.equal(inMeasure, 1);
  assert.equal(metrics.throughput.produced.messagesPerSec * 2, inMeasure);
});

test('timeline: cutsMs (e.g. where the rate changes) cut a second without changing its phase', () => {
  const collector = new Collector({ warmupMs: 0, measureEndMs: 3000, messageSize: 1, cutsMs: [1250] });
  collector.onAck(0, 0, 1100);
  collector.onAck(0, 0, 1300);
  const timeline = collector.snapshot(3000).timeline;
  assert.deepEqual(
    timeline.map((p) => [p.t, p.seconds ?? 1, p.phase, p.produced]),
    [
      [0, 1, 'measure', 0],
      [1, 0.25, 'measure', 1],
      [1.25, 0.75, 'measure', 1],
      [2, 1, 'measure', 0],
    ],
  );
});

test('interrupted: the window ends where producing stopped; later acks are drain, throughput over what ran', () => {
  const collector = new Collector({ warmupMs: 10_000, measureEndMs: 70_000, messageSize: 1 });
  for (let ms = 0; ms < 25_000; ms++) collector.onAck(ms, ms, ms + 0.5);
  collector.endWindow(25_000); // Ctrl-C: producing stops at 25 s
  for (let ms = 25_001; ms < 27_000; ms += 2) collector.onAck(ms - 1000, ms - 1000, ms); // in-flight acks during the drain
  const metrics = collector.snapshot(30_000); // faults healed, books closed at 30 s
  const cutMidSecond = new Collector({ warmupMs: 0, measureEndMs: 10_000, messageSize: 1 });
  cutMidSecond.onAck(0, 0, 2100);
  cutMidSecond.endWindow(2250);
  cutMidSecond.onAck(0, 0, 2300);
  assert.deepEqual(
    cutMidSecond.snapshot(3000).timeline.map((p) => [p.t, p.seconds ?? 1, p.phase, p.produced]),
    [
      [0, 1, 'measure', 0],
      [1, 1, 'measure', 0],
      [2, 0.25, 'measure', 1],
      [2.25, 0.75, 'drain', 1],
    ],
  );
  assert.equal(metrics.throughput.produced.messagesPerSec, 1000);
  const measure = metrics.timeline.filter((p) => p.phase === 'measure');
  assert.equal(
    measure.reduce((a, p) => a + p.produced, 0),
    15_000,
  );
  assert.deepEqual(
    metrics.timeline.filter((p) => p.t >= 24).map((p) => [p.t, p.seconds ?? 1, p.phase]),
    [
      [24, 1, 'measure'],
      [25, 1, 'drain'],
      [26, 1, 'drain'],
      [27, 1, 'drain'],
      [28, 1, 'drain'],
      [29, 1, 'drain'],
    ],
  );
});
