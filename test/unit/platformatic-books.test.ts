/**
 * The platformatic producer's books, as pure logic (the library's producer scripted; the real broker runs in
 * test/integration/kafka-platformatic.test.ts): acknowledgements per partition with the send's own indexes,
 * one request per broker for every partition when not idempotent (a partition the broker refused retried
 * alone, the others acknowledged), one request in flight per partition when idempotent, a retry resends the
 * same messages on the same producer id, and a request that failed for good sends on through a fresh producer.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Producer, ResponseError } from '@platformatic/kafka';
import { PlatformaticProducer } from '../../src/drivers/kafka/platformatic-producer.js';
import { platformaticProducerOptions } from '../../src/drivers/kafka/platformatic-options.js';

interface Call {
  producer: number;
  partition: number;
  partitions: number[];
  values: string[];
  answer: (error?: Error) => void;
}

function scripted() {
  const calls: Call[] = [];
  let created = 0;
  const create = () => {
    const producer = created++;
    return {
      send: (options: { messages: Array<{ partition: number; value: Buffer }> }) =>
        new Promise((resolve, reject) => {
          calls.push({
            producer,
            partition: options.messages[0]!.partition,
            partitions: [...new Set(options.messages.map((m) => m.partition))].sort(),
            values: options.messages.map((m) => m.value.toString()),
            answer: (error) => (error ? reject(error) : resolve({})),
          });
        }),
      // One broker leads every partition.
      metadata: async () => ({ topics: new Map([['t', { partitions: [{ leader: 1 }, { leader: 1 }] }]]) }),
      clearMetadata: () => {},
      close: (_force: boolean, callback: () => void) => callback(),
    } as unknown as Producer;
  };
  return { calls, create, created: () => created };
}

const topic = { name: 't', partitions: 2, replicationFactor: 1, config: {} };
const tick = () => new Promise((resolve) => setImmediate(resolve));
const message = (value: string, key: string) => ({ key: Buffer.from(key), value: Buffer.from(value) });

test('one request carries every partition; each acknowledged with the indexes of the send', async () => {
  const lib = scripted();
  const producer = new PlatformaticProducer(
    lib.create,
    platformaticProducerOptions.parse({}),
    topic,
    () => 42,
    () => {},
  );
  const acks: Array<[number[], number, number]> = [];
  // Keys chosen to land on both partitions (murmur2, as the Java client).
  const messages = ['a', 'b', 'c', 'd', 'e', 'f'].map((v) => message(v, v));
  const sent = producer.send('t', messages, (indexes, ms, partition) => acks.push([[...indexes], partition, ms]));
  await tick();
  assert.equal(lib.calls.length, 1, 'one request for both partitions (one broker leads them)');
  assert.deepEqual(lib.calls[0]!.partitions, [0, 1]);
  lib.calls[0]!.answer();
  await sent;
  assert.deepEqual(acks.flatMap(([indexes]) => indexes).sort(), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(acks.map(([, partition]) => partition).sort(), [0, 1], 'one acknowledgement per partition');
  assert.ok(acks.every(([, , ms]) => ms === 42));
  await producer.close();
});

test('a partition the broker refused is retried alone; the partition it took is acknowledged at once', async () => {
  const lib = scripted();
  const producer = new PlatformaticProducer(
    lib.create,
    platformaticProducerOptions.parse({ retries: 1 }),
    topic,
    () => 7,
    () => {},
  );
  const acked: number[] = [];
  const messages = ['a', 'b', 'c', 'd', 'e', 'f'].map((v) => message(v, v));
  const sent = producer.send('t', messages, (indexes) => acked.push(...indexes));
  await tick();
  assert.deepEqual(lib.calls[0]!.partitions, [0, 1]);
  const [took, refused] = [0, 1];
  // As the library reports it: the broker's answer, NOT_LEADER_OR_FOLLOWER (6) for one partition.
  const answer = {
    responses: [
      {
        name: 't',
        partitionResponses: [
          { index: took, errorCode: 0, baseOffset: 0n },
          { index: refused, errorCode: 6, baseOffset: -1n },
        ],
      },
    ],
  };
  lib.calls[0]!.answer(
    new ResponseError(0, 9, { '/responses/0/partition_responses/1': [6, null] }, answer) as unknown as Error,
  );
  await tick();
  assert.ok(acked.length > 0 && acked.length < 6, 'the partition the broker took is acknowledged, not the other');
  await new Promise((resolve) => setTimeout(resolve, 150)); // the first backoff is 100 ms
  assert.equal(lib.calls.length, 2, 'the refused partition again');
  assert.deepEqual(lib.calls[1]!.partitions, [refused], 'alone');
  assert.equal(lib.calls[1]!.values.length, 6 - acked.length, 'with exactly its own messages');
  lib.calls[1]!.answer();
  await sent;
  assert.deepEqual(acked.sort(), [0, 1, 2, 3, 4, 5]);
  await producer.close();
});

test('not idempotent with linger: sends gather until the linger passes, then go out in one request', async () => {
  const lib = scripted();
  const producer = new PlatformaticProducer(
    lib.create,
    platformaticProducerOptions.parse({ linger: '30ms' }),
    topic,
    () => 0,
    () => {},
  );
  const first = producer.send('t', [message('1', 'a')], () => {});
  const second = producer.send('t', [message('2', 'b')], () => {});
  await tick();
  assert.equal(lib.calls.length, 0, 'waiting for the linger');
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.equal(lib.calls.length, 1, 'one request');
  assert.deepEqual(lib.calls[0]!.values.sort(), ['1', '2']);
  lib.calls[0]!.answer();
  await Promise.all([first, second]);
  await producer.close();
});

test('idempotent: one request in flight per partition; a retry resends the same messages on the same producer', async () => {
  const lib = scripted();
  const options = platformaticProducerOptions.parse({ idempotent: true, retries: 2 });
  const producer = new PlatformaticProducer(
    lib.create,
    options,
    { ...topic, partitions: 1 },
    () => 0,
    () => {},
  );
  const first = producer.send('t', [message('1', 'k')], () => {});
  const second = producer.send('t', [message('2', 'k')], () => {});
  await tick();
  assert.equal(lib.calls.length, 1, 'the second waits for the first');
  lib.calls[0]!.answer(Object.assign(new Error('Connection closed'), { name: 'NetworkError' }));
  await new Promise((resolve) => setTimeout(resolve, 150)); // the first backoff is 100 ms
  assert.equal(lib.calls.length, 2);
  assert.deepEqual(lib.calls[1]!.values, ['1'], 'the same messages again');
  assert.equal(lib.calls[1]!.producer, 0, 'on the same producer id (same sequence numbers)');
  lib.calls[1]!.answer();
  await first;
  await tick();
  assert.deepEqual(lib.calls[2]!.values, ['2'], 'then the next send');
  lib.calls[2]!.answer();
  await second;
  await producer.close();
});

test('idempotent: after a request failed for good, the next go through a fresh producer', async () => {
  const lib = scripted();
  const options = platformaticProducerOptions.parse({ idempotent: true, retries: 1 });
  const producer = new PlatformaticProducer(
    lib.create,
    options,
    { ...topic, partitions: 1 },
    () => 0,
    () => {},
  );
  const first = producer.send('t', [message('1', 'k')], () => {});
  const second = producer.send('t', [message('2', 'k')], () => {});
  await tick();
  const notLeader = Object.assign(new Error('not the leader'), {
    apiId: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
    canRetry: false,
  });
  lib.calls[0]!.answer(notLeader);
  await assert.rejects(first, (error: { type?: string }) => error.type === 'OUT_OF_ORDER_SEQUENCE_NUMBER');
  await tick();
  assert.equal(lib.calls.length, 2, 'not retried: the broker will not change its answer');
  assert.equal(lib.calls[1]!.producer, 1, 'a fresh producer id');
  lib.calls[1]!.answer();
  await second;
  await producer.close();
});
