/**
 * The replication watch's reading of the target: positions (a redelivery is not a copy) and broker timestamps
 * (wall-clock ms) turned into a lag on the load's monotonic clock. A stand-in client hands the target reader's
 * sink what a driver would: no broker here, the clocks are the machine's own.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DriverFactory, MessageSink, MessagingClient } from '../../src/drivers/driver.js';
import { PayloadCodec } from '../../src/load/payload.js';
import { ReplicationWatch } from '../../src/replication/replication-watch.js';
import type { PlannedReplication } from '../../src/replication/replication-plan.js';
import { WallClockBridge } from '../../src/replication/wall-clock.js';
import { clusterSchema, topicSchema } from '../../src/scenario/schema.js';

test('the wall-clock bridge takes its offset at a tick of the wall clock: exact to a loop turn, not to 1 ms', () => {
  let monotonic = 0;
  const now = () => (monotonic += 0.001);
  const trueOffset = 1_780_000_000_000.4;
  const bridge = new WallClockBridge(now, () => Math.floor(monotonic + trueOffset));
  const wall = 1_780_000_000_500;
  assert.ok(Math.abs(bridge.toMonotonic(wall) - (wall - trueOffset)) < 0.01, `${bridge.toMonotonic(wall)}`);
  assert.ok(Math.abs(bridge.stepMs()) < 0.01);
});

async function watchOf(system: 'kafka' | 'pulsar', driverName: string, readsBrokerAppendTime = false) {
  const runId = PayloadCodec.newRunId();
  const codec = new PayloadCodec(runId, 64);
  const sinks = new Map<string, MessageSink>();
  const client: MessagingClient = {
    createProducer: async () => ({
      send: async (_topic, messages, onAcked) =>
        onAcked(
          messages.map((_, i) => i),
          performance.now(),
          0,
        ),
      close: async () => {},
    }),
    createConsumerGroup: async (request) => {
      // The reader on the source asks for the broker's append time; the target's reader does not.
      sinks.set(`${request.timestamp === 'brokerAppend' ? 'source:' : ''}${request.topic.name}`, request.sink);
      return { ordered: true, close: async () => {} };
    },
    close: async () => {},
  };
  const driver = {
    name: driverName,
    system,
    publishTimeFromBroker: driverName === 'websocket',
    readsBrokerAppendTime,
    createClient: () => client,
  } as unknown as DriverFactory;
  const topic = topicSchema.parse({ name: 'orders' });
  const cluster = (name: string) => clusterSchema.parse({ name, system, brokers: 1 });
  const replication: PlannedReplication = {
    index: 0,
    from: cluster('east'),
    to: cluster('west'),
    topics: [topic],
    policy: 'identity',
    syncGroupOffsets: true,
    checkpointIntervalMs: 1000,
    exactlyOnce: false,
  };
  const watch = await ReplicationWatch.start(
    [
      {
        replication,
        targetEndpoints: { bootstrap: '' },
        targetConsumerOptions: {},
        replicatorStartedAtMs: 0,
        sourceEndpoints: { bootstrap: '' },
      },
    ],
    {
      runId,
      messageSize: 64,
      warmupMs: 0,
      driver,
      clock: () => performance.now() - 1000, // the load's clock: another origin than performance.now()
      log: () => {},
      readyTimeoutMs: 1000,
      signal: new AbortController().signal,
    },
  );
  const producer = await watch.wrap(client).createProducer(0, topic);
  await producer.send(
    'orders',
    [0, 1].map((s) => ({ key: null, value: codec.encode(0, s, 0) })),
    () => {},
  );
  return { watch, sink: sinks.get('orders')!, sourceSink: sinks.get('source:orders'), codec };
}

test('the target reader keeps positions: the same copy read again is a redelivery, not a copy the replicator wrote', async () => {
  const { watch, sink, codec } = await watchOf('kafka', 'kafkajs');
  sink(codec.encode(0, 0, 0), 50, 0, '0');
  sink(codec.encode(0, 1, 0), 51, 0, '1');
  sink(codec.encode(0, 0, 0), 60, 0, '0'); // offset 0 again: the same copy, redelivered to the reader
  sink(codec.encode(0, 1, 0), 61, 0, '2'); // offset 2: a second copy written to the target
  const result = watch.result();
  assert.equal(result.duplicated, 1);
  assert.equal(result.redelivered, 1);
  await watch.close();
});

test("lag from the source's append time: a broker's wall-clock timestamp is put on the load's clock", async () => {
  const { watch, sink, codec } = await watchOf('kafka', 'kafkajs');
  const clock = () => performance.now() - 1000;
  const before = performance.now();
  const appended = Date.now() - 45; // appended 45 ms before this read of the wall clock
  const seen = clock();
  const readsTookMs = performance.now() - before;
  sink(codec.encode(0, 0, 0), seen, 0, '0', appended);
  const result = watch.result();
  // Date.now() is whole ms (the lag reads up to 1 ms more), and the reads above took readsTookMs.
  const lagMs = result.lag!.max;
  assert.ok(lagMs >= 44.99 && lagMs <= 46.01 + readsTookMs, `lag ${lagMs} ms, reads took ${readsTookMs} ms`);
  assert.equal(result.lagNegative, 0);
  assert.ok(Math.abs(result.lagClockStepMs) < 1);
  await watch.close();
});

test("Pulsar's publishTime is the source's time over WebSocket only: the native client's is the producer's", async () => {
  for (const [driver, measured] of [
    ['websocket', true],
    ['native', false],
    ['binary', false],
  ] as const) {
    const { watch, sink, codec } = await watchOf('pulsar', driver);
    sink(codec.encode(0, 0, 0), performance.now() - 1000, 0, '1:0:-1:0', Date.now() - 45);
    const result = watch.result();
    assert.equal(result.lag !== null, measured, driver);
    assert.equal(result.lagUnmeasured, measured ? 0 : 1, driver);
    await watch.close();
  }
});

test("binary Pulsar: the lag counts from the source broker's append time read on the source, not the target's timestamps", async () => {
  const { watch, sink, sourceSink, codec } = await watchOf('pulsar', 'binary', true);
  assert.ok(sourceSink, 'a reader on the source, asking for the broker append time');
  const clock = () => performance.now() - 1000;
  // Message 0: the source's reader first (appended 45 ms ago), then the target's, whose timestamp (the producer's
  // publishTime, 500 ms off) is not used.
  sourceSink(codec.encode(0, 0, 0), clock(), 0, '1:0:-1:0', Date.now() - 45);
  sink(codec.encode(0, 0, 0), clock(), 0, '7:0:-1:0', Date.now() - 500);
  // Message 1: the target's reader first; its append time comes from the source after.
  const seen = clock();
  sink(codec.encode(0, 1, 0), seen, 0, '7:1:-1:0', Date.now() - 500);
  assert.equal(watch.result().lagUnmeasured, 1);
  sourceSink(codec.encode(0, 1, 0), clock(), 0, '1:1:-1:0', Date.now() - 45 - (clock() - seen));
  const result = watch.result();
  assert.equal(result.lagUnmeasured, 0);
  assert.equal(result.lag!.count, 2);
  assert.ok(result.lag!.p50 >= 44 && result.lag!.max < 60, JSON.stringify(result.lag));
  await watch.close();
});

test('binary Pulsar: a source entry without a broker append time leaves that lag unmeasured', async () => {
  const { watch, sink, sourceSink, codec } = await watchOf('pulsar', 'binary', true);
  sourceSink!(codec.encode(0, 0, 0), performance.now() - 1000, 0, '1:0:-1:0', undefined);
  sink(codec.encode(0, 0, 0), performance.now() - 1000, 0, '7:0:-1:0', Date.now() - 45);
  const result = watch.result();
  assert.equal(result.lag, null);
  assert.equal(result.lagUnmeasured, 1);
  await watch.close();
});
