/**
 * Pulsar's final read over the WebSocket API: a reader per partition from the earliest position, to the last
 * entry the admin API's internal stats name (the previous ledger's when a restart left the current one empty),
 * reporting the end reached only when it was; and the books of a run whose consumer socket dropped.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { lastEntryFromInternalStats, reachesEnd } from '../../src/drivers/pulsar/final-read.js';
import { decodeMessageId } from '../../src/drivers/pulsar/message-id.js';
import { pulsarWebSocketDriver } from '../../src/drivers/pulsar/pulsar-websocket-driver.js';
import { LoadClock, runLoad } from '../../src/load/load-run.js';
import { PayloadCodec } from '../../src/load/payload.js';
import { topicSchema, workloadSchema } from '../../src/scenario/schema.js';
import { encodeMessageId, FakePulsarWebService } from './pulsar-fake-web-service.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp() {
  const fake = await FakePulsarWebService.start();
  const logs: string[] = [];
  const clock = new LoadClock();
  const client = pulsarWebSocketDriver.createClient({
    endpoints: { bootstrap: 'pulsar://127.0.0.1:1', webServiceUrl: fake.url },
    producerOptions: {},
    consumerOptions: { subscriptionType: 'Exclusive' },
    log: (line) => logs.push(line),
    clock: clock.now,
  });
  cleanups.push(
    () => fake.close(),
    () => client.close(),
  );
  return { fake, client, logs, clock };
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

test('the last entry from internal stats, across a ledger a restart left empty', () => {
  assert.deepEqual(
    lastEntryFromInternalStats({ lastConfirmedEntry: '3:573', ledgers: [{ ledgerId: 3, entries: 0 }] }),
    { ledgerId: 3n, entryId: 573n },
  );
  assert.deepEqual(
    lastEntryFromInternalStats({
      lastConfirmedEntry: '9:-1',
      ledgers: [
        { ledgerId: 3, entries: 40 },
        { ledgerId: 7, entries: 12 },
        { ledgerId: 8, entries: 0 },
        { ledgerId: 9, entries: 0 },
      ],
    }),
    { ledgerId: 7n, entryId: 11n },
  );
  assert.equal(
    lastEntryFromInternalStats({ lastConfirmedEntry: '5:-1', ledgers: [{ ledgerId: 5, entries: 0 }] }),
    'empty',
  );
  assert.equal(lastEntryFromInternalStats({ lastConfirmedEntry: 'x' }), undefined);
  assert.equal(lastEntryFromInternalStats('not stats'), undefined);
});

test('the end is reached by the last entry, or the last message of its batch', () => {
  const end = { ledgerId: 4n, entryId: 10n };
  const at = (fields: Parameters<typeof encodeMessageId>[0]) =>
    reachesEnd(decodeMessageId(encodeMessageId(fields))!, end);
  assert.equal(at({ ledgerId: 4, entryId: 9 }), false);
  assert.equal(at({ ledgerId: 3, entryId: 99 }), false);
  assert.equal(at({ ledgerId: 4, entryId: 10 }), true);
  assert.equal(at({ ledgerId: 4, entryId: 10, batchIndex: 1, batchSize: 3 }), false);
  assert.equal(at({ ledgerId: 4, entryId: 10, batchIndex: 2, batchSize: 3 }), true);
  assert.equal(at({ ledgerId: 4, entryId: 10, batchIndex: 2 }), 'maybe', 'a batch of unknown size');
  assert.equal(at({ ledgerId: 5, entryId: 0 }), true);
});

test('the final read reads every partition to its last entry, across a restart, and says it reached the end', async () => {
  const { fake, client } = await setUp();
  for (let i = 0; i < 3; i++) fake.topic('p-partition-0').append(b64(`p0-${i}`));
  for (let i = 0; i < 2; i++) fake.topic('p-partition-1').append(b64(`p1-${i}`));
  fake.dropAll({ newLedgers: true }); // partition 1's current ledger is now empty: its end is in the one before
  fake.topic('p-partition-0').append(b64('p0-3'));
  fake.topic('single').append(b64('s-0'));
  fake.topic('empty');
  const read: Array<[string, number]> = [];
  const complete = await client.finalRead!(
    [
      topicSchema.parse({ name: 'p', partitions: 2 }),
      topicSchema.parse({ name: 'single' }),
      topicSchema.parse({ name: 'empty' }),
    ],
    (value, _ms, partition) => read.push([value.toString(), partition]),
    10_000,
  );
  assert.equal(complete, true);
  assert.deepEqual(read.sort(), [
    ['p0-0', 0],
    ['p0-1', 0],
    ['p0-2', 0],
    ['p0-3', 0],
    ['p1-0', 1],
    ['p1-1', 1],
    ['s-0', -1],
  ]);
});

test('a final read that loses its reader, or cannot learn the end, does not claim the end', async () => {
  const { fake, client } = await setUp();
  for (let i = 0; i < 5; i++) fake.topic('t').append(b64(`m-${i}`));
  fake.readerDropsAfter = 2;
  const read: string[] = [];
  assert.equal(
    await client.finalRead!([topicSchema.parse({ name: 't' })], (value) => read.push(value.toString()), 10_000),
    false,
  );
  assert.deepEqual(read, ['m-0', 'm-1']);
  assert.equal(
    await client.finalRead!([topicSchema.parse({ name: 'unknown-topic' })], () => {}, 10_000),
    false,
    'no internal stats: the end is unknown',
  );
});

/**
 * The books of a run whose consumer and producer sockets drop mid-run (repro drivers/pulsar-ws-books
 * consumer-drop / producer-drop): nothing in the log is counted lost, and no message is counted acknowledged
 * whose answer was lost with the socket.
 */
test('a run whose sockets drop mid-run keeps exact books', async () => {
  const { fake, client, clock } = await setUp();
  const runId = PayloadCodec.newRunId();
  const workload = workloadSchema.parse({
    duration: '3s',
    rate: '500/s',
    drainTimeout: '5s',
    messageSize: 64,
    consumer: { subscriptionType: 'Exclusive' },
  });
  const topics = [topicSchema.parse({ name: 'orders', partitions: 1 })];
  const drops = [setTimeout(() => fake.dropAll({ newLedgers: true }), 1_000), setTimeout(() => fake.dropAll(), 2_000)];
  cleanups.push(async () => drops.forEach(clearTimeout));
  const outcome = await runLoad(client, { runId, topics, workload, consumerReadyTimeoutMs: 5_000 }, clock, {
    signal: new AbortController().signal,
  });
  const codec = new PayloadCodec(runId, 64);
  const inLog = fake.topic('orders').entries.filter((entry) => codec.decode(Buffer.from(entry.payload, 'base64')));
  const c = outcome.counts;
  assert.equal(c.sent, 1500);
  assert.equal(c.acked + c.failed, c.sent);
  assert.ok(
    c.acked >= inLog.length - c.failed && c.acked <= inLog.length,
    `acked ${c.acked}, in the log ${inLog.length}`,
  );
  assert.equal(c.ackedNotConsumed, 0, 'nothing in the log counted lost');
  assert.equal(c.consumed, inLog.length, 'every message in the log consumed, after the resubscriptions');
  assert.ok(c.acked > 1000, `producing went on after the drops (acked ${c.acked})`);
});
