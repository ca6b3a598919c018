/**
 * The failover around the load, without brokers: the move follows the outage that happened (its injection, as
 * the fault injector reports it), not the planned one; an outage never injected moves nobody; a move that would
 * come after the heal does not happen, and a rule firing outside the outage is flagged — never reported as an RTO.
 * RPO with failover is the failover target's gap; figures by region follow the clients to the replica's region.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import type { MessagingClient } from '../../src/drivers/driver.js';
import type { LoadClock } from '../../src/load/load-run.js';
import { PayloadCodec } from '../../src/load/payload.js';
import { RegionalFigures } from '../../src/metrics/regional-figures.js';
import { ClientFailover } from '../../src/replication/client-failover.js';
import type { FailoverDetection, PlannedFailover } from '../../src/replication/failover-plan.js';
import type { PlannedReplication } from '../../src/replication/replication-plan.js';
import { ReplicationWatch } from '../../src/replication/replication-watch.js';
import { type FaultState, ReplicationRun } from '../../src/run/replication-run.js';

const TOPIC = { name: 'orders', partitions: 1, replicationFactor: 1, config: {} };
let now = 0;
const advance = (ms: number) => {
  now += ms;
  mock.timers.tick(ms);
};
const settle = () => new Promise((resolve) => setImmediate(resolve));

beforeEach(() => {
  now = 0;
  mock.timers.enable({ apis: ['setTimeout'] });
});
afterEach(() => mock.timers.reset());

/** Acknowledges every send at once, or never once `down()` says so. */
function acking(down: () => boolean = () => false): MessagingClient {
  return {
    createProducer: async () => ({
      send: (_topic, messages, onAcked) =>
        down()
          ? new Promise(() => {})
          : Promise.resolve(
              onAcked(
                messages.map((_, i) => i),
                now,
                0,
              ),
            ),
      close: async () => {},
    }),
    createConsumerGroup: async () => ({ ordered: true, close: async () => {} }),
    close: async () => {},
  };
}

function replication(to: string): PlannedReplication {
  return {
    index: 0,
    from: { name: 'east', system: 'pulsar' },
    to: { name: to },
    topics: [TOPIC],
    policy: 'identity',
  } as unknown as PlannedReplication;
}

/** Readers on each replica whose sinks the test drives. */
async function watchOf(runId: Buffer, replicas: string[]) {
  const sinks = new Map<string, (value: Buffer, ms: number, partition: number, position?: string) => void>();
  const driver = {
    createClient: () => ({
      createProducer: async () => {
        throw new Error('no producer');
      },
      createConsumerGroup: async (request: { group: string; sink: (v: Buffer, ms: number) => void }) => {
        sinks.set(request.group, request.sink);
        return { ordered: true, close: async () => {} };
      },
      close: async () => {},
    }),
  };
  const watch = await ReplicationWatch.start(
    replicas.map((to) => ({
      replication: replication(to),
      targetEndpoints: {} as never,
      targetConsumerOptions: {},
      replicatorStartedAtMs: 0,
    })),
    {
      runId,
      messageSize: 64,
      warmupMs: 0,
      driver: driver as never,
      clock: () => now,
      log: () => {},
      readyTimeoutMs: 100,
      signal: new AbortController().signal,
    },
  );
  const sinkOf = (to: string) => [...sinks].find(([g]) => g.endsWith(`-${to}-orders`))![1];
  return { watch, sinkOf };
}

interface Setup {
  detection: FailoverDetection;
  sourceDown?: () => boolean;
}

async function setup({ detection, sourceDown }: Setup) {
  const runId = Buffer.alloc(8, 3);
  const codec = new PayloadCodec(runId, 64);
  const { watch, sinkOf } = await watchOf(runId, ['west']);
  const clients = new ClientFailover(watch.wrap(acking(sourceDown)), {
    from: 'east',
    to: 'west',
    openTarget: () => acking(),
    topicOnTarget: (t) => t,
    codec,
    clock: () => now,
    log: () => {},
  });
  const plan = {
    from: 'east',
    to: 'west',
    system: 'kafka',
    afterMs: detection.ms,
    detection,
    trigger: { faultId: 'f1', region: 'us-east', atMs: 100 },
    switchAtMs: 100 + detection.ms,
    replication: replication('west'),
    topicOnTarget: (t: typeof TOPIC) => t,
  } as unknown as PlannedFailover;
  const options = {
    runId,
    clock: { now: () => now } as unknown as LoadClock,
    log: () => {},
    info: () => {},
    signal: new AbortController().signal,
    readyTimeoutMs: 100,
  };
  const Construct = ReplicationRun as unknown as new (...args: unknown[]) => ReplicationRun;
  const run = new Construct(watch, clients.client, { plan, clients, region: 'eu-west' }, options);
  const record: FaultState = { id: 'f1', injectedAt: null, healedAt: null };
  let tell: (r: FaultState) => void = () => {};
  run.onLoadStart({ listen: (listener) => (tell = listener) });
  const producer = await clients.client.createProducer(0, TOPIC);
  let sequence = 0;
  const send = () => producer.send('orders', [{ key: null, value: codec.encode(0, sequence++, now) }], () => {});
  return {
    run,
    clients,
    record,
    send,
    sinkOf,
    codec,
    inject: (atMs: number) => {
      record.injectedAt = atMs;
      tell(record);
    },
    heal: (atMs: number) => {
      record.healedAt = atMs;
      tell(record);
    },
  };
}

test('an outage that was never injected moves nobody, and the result says so', async () => {
  const s = await setup({ detection: { rule: 'after', ms: 200 } });
  advance(1000); // well past the planned 100 + 200 ms
  await s.run.settle(0);
  assert.equal(s.clients.switched, false);
  const rto = s.run.figures([{ id: 'f1', injectedAt: null, healedAt: null, error: 'could not be applied' }]).rto!;
  assert.equal(rto.switchedAtMs, null);
  assert.match(rto.flag!, /^f1 was never injected \(could not be applied\): nobody moved/);
  assert.deepEqual([rto.produce, rto.consume, rto.detectedMs], [null, null, null]);
});

test('the move is timed from the injection: a slow injection moves the clients after + injection, never earlier', async () => {
  const s = await setup({ detection: { rule: 'after', ms: 200 } });
  advance(260); // planned at 100, in force only at 260
  s.inject(260);
  advance(199);
  assert.equal(s.clients.switched, false, 'not 200 ms after the planned time');
  advance(1);
  assert.equal(s.clients.switched, true);
  await settle();
  await s.send();
  const rto = s.run.figures([{ id: 'f1', injectedAt: 260, healedAt: null }]).rto!;
  assert.equal(rto.flag, null);
  assert.deepEqual([rto.outageAtMs, rto.triggeredAtMs, rto.switchedAtMs, rto.detectedMs], [260, 460, 460, 200]);
  assert.equal(rto.produce, 200, 'RTO includes after');
});

test('an outage that healed before the move was due keeps the clients where they are, flagged, no RTO', async () => {
  const s = await setup({ detection: { rule: 'after', ms: 200 } });
  advance(100);
  s.inject(100);
  advance(150);
  s.heal(250);
  advance(100);
  assert.equal(s.clients.switched, false);
  const rto = s.run.figures([{ id: 'f1', injectedAt: 100, healedAt: 250 }]).rto!;
  assert.match(rto.flag!, /f1 healed at 250 ms, before the move was due at 300 ms: the clients stayed on east/);
  assert.equal(rto.produce, null);
});

test('noAckFor: the clients move when their sends go unanswered for the bound; detection counts from the injection', async () => {
  let down = false;
  const s = await setup({ detection: { rule: 'noAckFor', ms: 500 }, sourceDown: () => down });
  await s.send(); // acknowledged at 0
  advance(100);
  down = true;
  s.inject(100);
  void s.send(); // waits from 100 ms
  advance(499);
  assert.equal(s.clients.switched, false);
  advance(1);
  assert.equal(s.clients.switched, true);
  await settle();
  await settle();
  const rto = s.run.figures([{ id: 'f1', injectedAt: 100, healedAt: null }]).rto!;
  assert.deepEqual(rto.detection, { rule: 'noAckFor', ms: 500 });
  assert.deepEqual([rto.triggeredAtMs, rto.detectedMs, rto.switchedAtMs, rto.flag], [600, 500, 600, null]);
  assert.equal(rto.resent, 1, 'the waiting send went to the target');
  assert.equal(rto.produce, 500);
});

test('noAckFor firing before the outage (a stall, not the outage) is flagged, not an RTO', async () => {
  let down = true;
  const s = await setup({ detection: { rule: 'noAckFor', ms: 500 }, sourceDown: () => down });
  void s.send();
  advance(500);
  assert.equal(s.clients.switched, true);
  down = false;
  advance(500);
  s.inject(1000);
  const rto = s.run.figures([{ id: 'f1', injectedAt: 1000, healedAt: null }]).rto!;
  assert.match(rto.flag!, /the trigger fired at 500 ms, before f1 was injected at 1000 ms/);
  assert.deepEqual([rto.produce, rto.consume, rto.detectedMs], [null, null, null]);
});

test('with failover the RPO is the failover target gap; every replica gap is shown beside it', async () => {
  const runId = Buffer.alloc(8, 9);
  const codec = new PayloadCodec(runId, 64);
  const { watch, sinkOf } = await watchOf(runId, ['west', 'south']);
  const producer = await watch
    .wrap({
      createProducer: async () => ({
        send: async (_t, m, onAcked) =>
          onAcked(
            m.map((_, i) => i),
            19_900,
            0,
          ),
        close: async () => {},
      }),
      createConsumerGroup: async () => ({ ordered: true, close: async () => {} }),
      close: async () => {},
    })
    .createProducer(0, TOPIC);
  await producer.send(
    'orders',
    Array.from({ length: 10 }, (_, s) => ({ key: null, value: codec.encode(0, s, 19_800 + s) })),
    () => {},
  );
  for (let s = 0; s < 8; s++) sinkOf('west')(codec.encode(0, s, 0), 19_950, 0, String(s));
  for (let s = 0; s < 10; s++) sinkOf('south')(codec.encode(0, s, 0), 26_000, 0, String(s));
  for (let s = 8; s < 10; s++) sinkOf('west')(codec.encode(0, s, 0), 26_000, 0, String(s));
  const rpo = watch.rpoAt([{ id: 'f1', injectedAt: 20_000, healedAt: 25_000 }], 'west')!;
  assert.deepEqual([rpo.target, rpo.messages, rpo.late, rpo.lost], ['west', 2, 2, 0]);
  assert.deepEqual(
    rpo.byReplica!.map((g) => [g.to, g.messages]),
    [
      ['west', 2],
      ['south', 10],
    ],
  );
  await watch.close();
});

test('after the move, acks and deliveries go under the replica region, and so do messages sent from there', async () => {
  const s = await setup({ detection: { rule: 'after', ms: 200 } });
  const regional = new RegionalFigures(
    { warmupMs: 0, measureEndMs: 10_000, messageSize: 64 },
    () => 'us-east',
    undefined,
    s.run.relocation,
  );
  await s.send(); // sequence 0, from us-east
  regional.onAck(0, 0, 2);
  advance(100);
  s.inject(100);
  advance(200);
  assert.equal(s.clients.switched, true);
  await settle();
  await s.send(); // sequence 1, written straight to the replica from eu-west
  regional.onAck(0, 300, 360);
  regional.onConsume(0, 'us-east', 0, 400, 0); // sent from us-east, read on the replica after the move
  regional.onConsume(0, 'us-east', 300, 420, 1);
  const r = regional.snapshot(10_000);
  assert.deepEqual(Object.keys(r.publish), ['eu-west', 'us-east']);
  assert.equal(r.publish['us-east']!.max, 2);
  assert.equal(r.publish['eu-west']!.max, 60);
  assert.deepEqual(Object.keys(r.endToEnd), ['eu-west->eu-west', 'us-east->eu-west']);
});

test('a late source ack of a message the clients already sent to the target is not counted as replication', async () => {
  const runId = Buffer.alloc(8, 5);
  const codec = new PayloadCodec(runId, 64);
  const { watch } = await watchOf(runId, ['west']);
  const producer = await watch
    .wrap({
      createProducer: async () => ({
        send: async (_t, m, onAcked) =>
          onAcked(
            m.map((_, i) => i),
            30_000,
            0,
          ),
        close: async () => {},
      }),
      createConsumerGroup: async () => ({ ordered: true, close: async () => {} }),
      close: async () => {},
    })
    .createProducer(0, TOPIC);
  watch.noteDirectWrite(0, 1); // re-sent to the target at the move
  await producer.send(
    'orders',
    [0, 1].map((s) => ({ key: null, value: codec.encode(0, s, s) })),
    () => {},
  );
  assert.deepEqual([watch.result().acked, watch.result().notReplicated], [1, 1]);
  await watch.close();
});
