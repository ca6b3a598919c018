/**
 * The platformatic producer's books, as pure logic (the library's producer scripted; the real broker runs in
 * test/integration/kafka-platformatic.test.ts): acknowledgements per partition with the send's own indexes,
 * one request in flight per partition when idempotent, a retry resends the same messages on the same producer
 * id, and a request that failed for good sends on through a fresh producer.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Producer } from '@platformatic/kafka';
import { PlatformaticProducer } from '../../src/drivers/kafka/platformatic-producer.js';
import { platformaticProducerOptions } from '../../src/drivers/kafka/platformatic-options.js';

interface Call {
  producer: number;
  partition: number;
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
            values: options.messages.map((m) => m.value.toString()),
            answer: (error) => (error ? reject(error) : resolve({})),
          });
        }),
      clearMetadata: () => {},
      close: (_force: boolean, callback: () => void) => callback(),
    } as unknown as Producer;
  };
  return { calls, create, created: () => created };
}

const topic = { name: 't', partitions: 2, replicationFactor: 1, config: {} };
const tick = () => new Promise((resolve) => setImmediate(resolve));
const message = (value: string, key: string) => ({ key: Buffer.from(key), value: Buffer.from(value) });

test('each partition is acknowledged on its own, with the indexes of the send', async () => {
  const lib = scripted();
  const options = platformaticProducerOptions.parse({});
  const producer = new PlatformaticProducer(
    lib.create,
    options,
    topic,
    () => 42,
    () => {},
  );
  const acks: Array<[number[], number]> = [];
  // Keys chosen to land on both partitions (murmur2, as the Java client).
  const messages = ['a', 'b', 'c', 'd', 'e', 'f'].map((v) => message(v, v));
  const sent = producer.send('t', messages, (indexes, _ms, partition) => acks.push([[...indexes], partition]));
  await tick();
  assert.equal(lib.calls.length, 2, 'one request per partition');
  lib.calls[0]!.answer();
  await tick();
  assert.equal(acks.length, 1, 'the first partition is acknowledged before the second answers');
  lib.calls[1]!.answer();
  await sent;
  const all = acks.flatMap(([indexes]) => indexes).sort();
  assert.deepEqual(all, [0, 1, 2, 3, 4, 5]);
  for (const [indexes, partition] of acks) {
    const call = lib.calls.find((c) => c.partition === partition)!;
    assert.deepEqual(
      indexes.map((i) => messages[i]!.value.toString()),
      call.values,
    );
  }
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
