/**
 * Client failover without brokers: in-memory clients speaking the driver interface. Each consumer group keeps its
 * own "consumed before the move" set, and every send waiting at the move is sent again to the target — one rule
 * for every driver.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type {
  AckListener,
  ConsumerGroupRequest,
  MessagingClient,
  OutgoingMessage,
  ProducerHandle,
} from '../../src/drivers/driver.js';
import { PayloadCodec } from '../../src/load/payload.js';
import { MessageLedger } from '../../src/metrics/message-ledger.js';
import { ClientFailover } from '../../src/replication/client-failover.js';

const TOPIC = { name: 'orders', partitions: 1, replicationFactor: 1, config: {} };

interface Pending {
  messages: OutgoingMessage[];
  onAcked: AckListener;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** A cluster whose sends wait until the test answers them, and whose groups the test feeds. */
function fakeCluster() {
  const pending: Pending[] = [];
  const groups: ConsumerGroupRequest[] = [];
  const closed = { producers: 0 };
  const producer: ProducerHandle = {
    send: (_topic, messages, onAcked) =>
      new Promise<void>((resolve, reject) => pending.push({ messages, onAcked, resolve, reject })),
    close: async () => {
      closed.producers++;
    },
  };
  const client: MessagingClient = {
    createProducer: async () => producer,
    createConsumerGroup: async (request) => {
      groups.push(request);
      return { ordered: true, close: async () => {} };
    },
    close: async () => {},
  };
  return { client, pending, groups, closed };
}

function failover(now: { ms: number }) {
  const codec = new PayloadCodec(Buffer.alloc(8, 7), 64);
  const source = fakeCluster();
  const target = fakeCluster();
  const f = new ClientFailover(source.client, {
    from: 'east',
    to: 'west',
    openTarget: () => target.client,
    topicOnTarget: (t) => t,
    codec,
    clock: () => now.ms,
    log: () => {},
  });
  return { f, codec, source, target };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('each consumer group keeps its own "consumed before the move": what only the other group read is a first delivery on the target', async () => {
  const now = { ms: 0 };
  const { f, codec, source, target } = failover(now);
  const books: number[] = [];
  await f.client.createConsumerGroup({
    topic: TOPIC,
    group: 'g-orders',
    members: 1,
    sink: (v) => books.push(codec.decode(v)!.sequence),
    readyTimeoutMs: 1000,
    signal: new AbortController().signal,
    region: 'eu-west',
  });
  await f.client.createConsumerGroup({
    topic: TOPIC,
    group: 'g-orders-us-east',
    members: 1,
    sink: () => {},
    readyTimeoutMs: 1000,
    signal: new AbortController().signal,
    region: 'us-east',
  });
  const msg = (s: number) => codec.encode(0, s, s);
  for (let s = 0; s < 10; s++) source.groups[1]!.sink(msg(s), 100 + s, 0, String(s));
  for (let s = 0; s < 5; s++) source.groups[0]!.sink(msg(s), 150 + s, 0, String(s));
  now.ms = 25_000;
  await f.switchOver();
  for (let s = 5; s < 12; s++) target.groups[0]!.sink(msg(s), 26_000 + s, 0, String(s)); // books group resumes at 5
  for (let s = 8; s < 12; s++) target.groups[1]!.sink(msg(s), 26_100 + s, 0, String(s)); // us-east re-reads 8, 9
  const rto = f.figures('f1', 20_000);
  assert.deepEqual(books, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 'the books group got every first delivery');
  assert.equal(rto.consumedAgain, 2, 'only us-east re-read messages it had read (8, 9)');
  assert.deepEqual(
    rto.byGroup!.map((g) => [g.group, g.region, g.consumedBeforeMove, g.consumedAgain, g.consume, g.ready]),
    [
      ['g-orders', 'eu-west', 5, 0, 6005, true],
      ['g-orders-us-east', 'us-east', 10, 2, 6110, true],
    ],
  );
  assert.equal(rto.consume, 6110, 'consumption is back when every group consumes something new');
  assert.equal(rto.consumedBeforeMove, 15);
});

test('every send waiting at the move is sent again to the target, unacknowledged messages only; the source is no longer awaited', async () => {
  const now = { ms: 0 };
  const { f, codec, source, target } = failover(now);
  const producer = await f.client.createProducer(0, TOPIC);
  const acks: Array<[number, number]> = [];
  const messages = [0, 1, 2].map((s) => ({ key: null, value: codec.encode(0, s, s) }));
  let outcome: string | undefined;
  producer
    .send('orders', messages, (indexes, ackMs) => {
      for (const i of indexes) acks.push([i, ackMs]);
    })
    .then(
      () => (outcome = 'resolved'),
      (e: Error) => (outcome = `rejected ${e.name}`),
    );
  await settle();
  source.pending[0]!.onAcked([1], 10, 0); // message 1 acknowledged by the source before the move
  now.ms = 5_000;
  await f.switchOver();
  await settle();
  const resend = target.pending[0]!;
  assert.deepEqual(
    resend.messages.map((m) => codec.decode(m.value)!.sequence),
    [0, 2],
    'same producer id and sequence numbers, unacknowledged ones only',
  );
  source.pending[0]!.onAcked([0, 2], 5_001, 0); // a late answer from the old source: ignored
  source.pending[0]!.reject(new Error('connection refused'));
  resend.onAcked([0, 1], 5_050, 0);
  resend.resolve();
  await settle();
  assert.deepEqual(acks, [
    [1, 10],
    [0, 5_050],
    [2, 5_050],
  ]);
  assert.equal(outcome, 'resolved', 'the send settles with the target send, not with the source failure');
  const rto = f.figures('f1', 3_000);
  assert.equal(rto.resent, 2);
  assert.equal(rto.abandoned, 0);
  assert.equal(rto.produce, 2_050);
});

test('a re-sent message that had landed on the source reaches the books twice: one duplicate, not a new message', async () => {
  const now = { ms: 0 };
  const { f, codec, target } = failover(now);
  const ledger = new MessageLedger(1);
  await f.client.createConsumerGroup({
    topic: TOPIC,
    group: 'g',
    members: 1,
    sink: (v, _ms, partition, position) => {
      const h = codec.decode(v)!;
      ledger.recordConsumed(h.producer, h.sequence, partition, position);
    },
    readyTimeoutMs: 1000,
    signal: new AbortController().signal,
  });
  const producer = await f.client.createProducer(0, TOPIC);
  const value = codec.encode(0, 0, 0);
  ledger.recordSent(1);
  void producer.send('orders', [{ key: null, value }], () => ledger.recordAcked(0, 0));
  await settle();
  now.ms = 5_000;
  await f.switchOver(); // the source wrote it (and replicated it) but its answer never came back
  await settle();
  target.pending[0]!.onAcked([0], 5_020, 0);
  target.pending[0]!.resolve();
  target.groups[0]!.sink(value, 5_030, 0, '7'); // the replicated copy
  target.groups[0]!.sink(value, 5_040, 0, '12'); // the re-sent copy
  assert.deepEqual([ledger.counts.acked, ledger.counts.consumed, ledger.counts.duplicated], [1, 1, 1]);
  assert.equal(f.figures('f1', 3_000).resent, 1);
});

test('a send the source fails is sent there again (unacknowledged messages only) until the move, then to the target', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const now = { ms: 0 };
  const { f, codec, source, target } = failover(now);
  const producer = await f.client.createProducer(0, TOPIC);
  const acks: number[] = [];
  let outcome: string | undefined;
  producer
    .send(
      'orders',
      [0, 1, 2].map((s) => ({ key: null, value: codec.encode(0, s, s) })),
      (indexes) => acks.push(...indexes),
    )
    .then(
      () => (outcome = 'resolved'),
      (e: Error) => (outcome = `rejected ${e.message}`),
    );
  await settle();
  source.pending[0]!.onAcked([0], 5, 0);
  source.pending[0]!.reject(new Error('connection refused'));
  await settle();
  t.mock.timers.tick(100);
  const retry = source.pending[1]!;
  assert.deepEqual(
    retry.messages.map((m) => codec.decode(m.value)!.sequence),
    [1, 2],
  );
  retry.onAcked([0], 150, 0); // sequence 1
  retry.reject(new Error('outcome unknown'));
  await settle();
  now.ms = 180;
  await f.switchOver(); // before the next retry (due at 350 ms)
  await settle();
  assert.deepEqual(
    target.pending[0]!.messages.map((m) => codec.decode(m.value)!.sequence),
    [2],
  );
  t.mock.timers.tick(1000);
  assert.equal(source.pending.length, 2, 'no retry on the source after the move');
  target.pending[0]!.onAcked([0], 200, 0);
  target.pending[0]!.resolve();
  await settle();
  assert.deepEqual(acks, [0, 1, 2]);
  assert.equal(outcome, 'resolved');
  const rto = f.figures('f1', 0);
  assert.deepEqual([rto.retriedOnSource, rto.resent], [3, 1]);
});

test('a send still failing on the source when the clients close fails with the source error', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { f, codec, source } = failover({ ms: 0 });
  const producer = await f.client.createProducer(0, TOPIC);
  const sending = producer.send('orders', [{ key: null, value: codec.encode(0, 0, 0) }], () => {});
  await settle();
  source.pending[0]!.reject(new Error('retries exhausted'));
  await settle();
  await f.client.close();
  await assert.rejects(sending, /retries exhausted/);
});

test('the source producers are closed at the move: what they still hold cannot land on the source once it is back', async () => {
  const { f, source } = failover({ ms: 0 });
  const producer = await f.client.createProducer(0, TOPIC);
  await f.switchOver();
  assert.equal(source.closed.producers, 1);
  await producer.close();
  assert.equal(source.closed.producers, 1, 'not closed twice');
});
