/**
 * The kafkajs driver's producer, closed while sends still wait (the drain's bound passed with the broker gone):
 * the real kafkajs 2.2.4 producer over an in-memory broker whose first produce request hangs, then fails. An
 * idempotent producer keeps one request in flight per partition, so the next send waits its turn; once closed,
 * that send fails at once as `producer-closed` and no fresh kafkajs producer is made (a connection to a broker that
 * may be gone, which nothing would close).
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { Kafka, Partitioners } from 'kafkajs';
import type { OutgoingMessage } from '../../src/drivers/driver.js';
import { kafkajsDriver } from '../../src/drivers/kafka/kafkajs-driver.js';
import { topicSchema } from '../../src/scenario/schema.js';

const require = createRequire(import.meta.url);
/* eslint-disable @typescript-eslint/no-explicit-any */
const createProducer = require('kafkajs/src/producer') as (options: any) => any;
const { KafkaJSRequestTimeoutError } = require('kafkajs/src/errors') as {
  KafkaJSRequestTimeoutError: new (message: string) => Error;
};
const { createLogger, LEVELS } = require('kafkajs/src/loggers') as {
  createLogger: (o: any) => any;
  LEVELS: { NOTHING: number };
};

/** A broker gone: its first produce request waits for `fail()`, then times out, as every later one does. */
function hangingCluster() {
  let requests = 0;
  let fail: () => void = () => {};
  const failed = new Promise<void>((resolve) => (fail = resolve));
  let heard: () => void = () => {};
  const first = new Promise<void>((resolve) => (heard = resolve));
  const broker = {
    nodeId: 0,
    async produce({ topicData }: any) {
      if (topicData.length > 0 && ++requests === 1) heard();
      await failed;
      throw new KafkaJSRequestTimeoutError('Request Produce timed out');
    },
    async initProducerId() {
      return { producerId: Math.floor(Math.random() * 1e9), producerEpoch: 0 };
    },
  };
  const cluster = {
    retry: { initialRetryTime: 1, maxRetryTime: 5, retries: 0 },
    async connect() {},
    async disconnect() {},
    isConnected: () => true,
    async refreshMetadata() {},
    async refreshMetadataIfNecessary() {},
    async addMultipleTargetTopics() {},
    findTopicPartitionMetadata: () => [{ partitionId: 0, leader: 0 }],
    findLeaderForPartitions: (_topic: string, partitions: number[]) => ({ 0: partitions.map(Number) }),
    async findBroker() {
      return broker;
    },
    async findControllerBroker() {
      return broker;
    },
    removeBroker() {},
  };
  return { cluster, first, fail };
}

function messages(tag: string): OutgoingMessage[] {
  return [0, 1].map((i) => ({ key: Buffer.from(`${tag}${i}`), value: Buffer.from(`${tag}-${i}`) }));
}

test('kafkajs producer closed with a send waiting its turn: it fails at once as producer-closed, no fresh producer is made', async () => {
  const fake = hangingCluster();
  const logger = createLogger({ level: LEVELS.NOTHING, logCreator: () => () => {} });
  const original = Kafka.prototype.producer;
  let made = 0;
  Kafka.prototype.producer = ((options: any) => {
    made++;
    return createProducer({ ...options, cluster: fake.cluster, logger });
  }) as typeof original;
  assert.ok(Partitioners.DefaultPartitioner, 'kafkajs partitioners available');
  try {
    const client = kafkajsDriver.createClient({
      endpoints: { bootstrap: '127.0.0.1:1' },
      producerOptions: { idempotent: true, retries: 1 },
      consumerOptions: {},
      log: () => {},
      clock: () => performance.now(),
    });
    try {
      const producer = await client.createProducer(0, topicSchema.parse({ name: 'orders', partitions: 1 }));
      const madeBefore = made;
      const acked: string[] = [];
      const a = producer.send('orders', messages('a'), () => acked.push('a'));
      await fake.first;
      const b = producer.send('orders', messages('b'), () => acked.push('b')); // waits for A (same partition)
      await producer.close();
      fake.fail();
      const [ra, rb] = await Promise.allSettled([a, b]);
      assert.equal(ra.status, 'rejected', 'A timed out');
      assert.equal(rb.status, 'rejected', 'B was not sent after the close');
      assert.equal((rb as PromiseRejectedResult).reason.type, 'producer-closed');
      assert.deepEqual(acked, []);
      assert.equal(made, madeBefore, 'no fresh kafkajs producer after the close');
    } finally {
      await client.close();
    }
  } finally {
    Kafka.prototype.producer = original;
  }
});
