/**
 * The kafkajs driver's books when requests lose their answers: the real kafkajs 2.2.4 producer (its retrier,
 * sequence numbering and idempotent state) over an in-memory partition log that applies Kafka's idempotent
 * dedup rule, read back in order into the real load engine. The network is what is faked here, so the cases
 * are exact: a response lost after the write, every attempt's response lost, a slow broker with requests
 * pipelined. Real-broker runs of the same paths are in test/integration/books-truth.test.ts.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { Kafka } from 'kafkajs';
import { kafkajsDriver } from '../../src/drivers/kafka/kafkajs-driver.js';
import { LoadClock, runLoad } from '../../src/load/load-run.js';
import { PayloadCodec } from '../../src/load/payload.js';
import { topicSchema, workloadSchema } from '../../src/scenario/schema.js';

const require = createRequire(import.meta.url);
/* eslint-disable @typescript-eslint/no-explicit-any */
const createProducer = require('kafkajs/src/producer') as (options: any) => any;
const { KafkaJSRequestTimeoutError } = require('kafkajs/src/errors') as {
  KafkaJSRequestTimeoutError: new (message: string) => Error;
};
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as {
  createErrorFromCode: (code: number) => Error;
};
const { createLogger, LEVELS } = require('kafkajs/src/loggers') as {
  createLogger: (o: any) => any;
  LEVELS: { NOTHING: number };
};

type Mode = 'idem-race' | 'idem-reuse' | 'dup-retry';
const PARTITIONS = 2;

/** A partition log per partition with Kafka's idempotent rules; `loseAnswer` decides which responses vanish. */
function fakeCluster(mode: Mode) {
  const log: Buffer[][] = Array.from({ length: PARTITIONS }, () => []);
  const state = Array.from(
    { length: PARTITIONS },
    () => new Map<number, { lastSeq: number; batches: Array<{ first: number; last: number }> }>(),
  );
  let requests = 0;
  const broker = {
    nodeId: 0,
    async produce({ topicData, producerId }: any) {
      const n = ++requests;
      const { topic, partitions } = topicData[0];
      const { partition, messages, firstSequence } = partitions[0];
      const values: Buffer[] = messages.map((m: { value: Buffer }) => m.value);
      if (mode === 'dup-retry') {
        log[partition]!.push(...values);
        if (n % 7 === 1) throw new KafkaJSRequestTimeoutError('Request Produce timed out'); // written, answer lost
      } else {
        await new Promise((resolve) => setTimeout(resolve, 3));
        let st = state[partition]!.get(producerId);
        if (!st) state[partition]!.set(producerId, (st = { lastSeq: -1, batches: [] }));
        const last = firstSequence + values.length - 1;
        const duplicate = st.batches.some((b) => b.first === firstSequence && b.last === last);
        if (!duplicate) {
          if (firstSequence !== st.lastSeq + 1) throw createErrorFromCode(45); // OUT_OF_ORDER_SEQUENCE_NUMBER
          log[partition]!.push(...values);
          st.lastSeq = last;
          st.batches.push({ first: firstSequence, last });
          if (st.batches.length > 5) st.batches.shift();
        }
        const lost = mode === 'idem-reuse' ? n === 3 || n === 4 : n === 5;
        if (lost) throw new KafkaJSRequestTimeoutError('Request Produce timed out');
      }
      return { topics: [{ topicName: topic, partitions: [{ partition, errorCode: 0, baseOffset: '0' }] }] };
    },
    async initProducerId() {
      return { producerId: Math.floor(Math.random() * 1e9), producerEpoch: 0 };
    },
  };
  const cluster = {
    retry: { initialRetryTime: 1, maxRetryTime: 5, retries: 5 },
    async connect() {},
    async disconnect() {},
    isConnected: () => true,
    async refreshMetadata() {},
    async refreshMetadataIfNecessary() {},
    async addMultipleTargetTopics() {},
    findTopicPartitionMetadata: () =>
      Array.from({ length: PARTITIONS }, (_, partitionId) => ({ partitionId, leader: 0 })),
    findLeaderForPartitions: (_topic: string, partitions: number[]) => ({ 0: partitions.map(Number) }),
    async findBroker() {
      return broker;
    },
    async findControllerBroker() {
      return broker;
    },
    removeBroker() {},
  };
  return { log, cluster };
}

async function runAgainstFake(mode: Mode, producerOptions: Record<string, unknown>, rate: string, maxBatch: number) {
  const { log, cluster } = fakeCluster(mode);
  const logger = createLogger({ level: LEVELS.NOTHING, logCreator: () => () => {} });
  const original = Kafka.prototype.producer;
  Kafka.prototype.producer = ((options: any) => createProducer({ ...options, cluster, logger })) as typeof original;
  const clock = new LoadClock();
  try {
    const client = kafkajsDriver.createClient({
      endpoints: { bootstrap: '127.0.0.1:1' },
      producerOptions,
      consumerOptions: {},
      log: () => {},
      clock: clock.now,
    });
    // The group: reads each partition's log in order, handing over offsets as positions.
    let sink: ((value: Buffer, ms: number, partition: number, position?: string) => void) | undefined;
    client.createConsumerGroup = async (request) => {
      sink = request.sink;
      return { ordered: true, close: async () => {} };
    };
    const read = Array<number>(PARTITIONS).fill(0);
    const pump = setInterval(() => {
      for (let p = 0; p < PARTITIONS; p++) {
        for (let offset = read[p]!; offset < log[p]!.length; offset = ++read[p]!)
          sink?.(log[p]![offset]!, clock.now(), p, String(offset));
      }
    }, 5);
    const runId = PayloadCodec.newRunId();
    const workload = workloadSchema.parse({ duration: '1s', rate, drainTimeout: '500ms', messageSize: 64, maxBatch });
    const topics = [topicSchema.parse({ name: 'orders', partitions: PARTITIONS })];
    try {
      const outcome = await runLoad(client, { runId, topics, workload, consumerReadyTimeoutMs: 1000 }, clock, {
        signal: new AbortController().signal,
      });
      const codec = new PayloadCodec(runId, 64);
      // What the group was handed: the log up to where the pump had read when the books closed.
      const entries = log
        .flatMap((partition, p) => partition.slice(0, read[p]))
        .map((value) => codec.decode(value)!.sequence);
      return { counts: outcome.counts, inLog: entries.length, distinctInLog: new Set(entries).size };
    } finally {
      clearInterval(pump);
      await client.close();
    }
  } finally {
    Kafka.prototype.producer = original;
  }
}

test('idempotent producer, requests pipelined on a slow broker, one answer lost: nothing lost, nothing duplicated', async () => {
  const { counts, inLog, distinctInLog } = await runAgainstFake('idem-race', { idempotent: true }, '2000/s', 10);
  assert.equal(inLog, distinctInLog, 'the log holds each message once');
  assert.equal(counts.acked + counts.failed, counts.sent);
  assert.equal(counts.ackedNotConsumed, 0, `acknowledged but not in the log: ${counts.ackedNotConsumed}`);
  assert.equal(counts.duplicated, 0);
});

test('idempotent producer, every attempt of a written request unanswered: the next sends are not swallowed as duplicates', async () => {
  const { counts, inLog, distinctInLog } = await runAgainstFake(
    'idem-reuse',
    { idempotent: true, retries: 1 },
    '40/s',
    4,
  );
  assert.equal(inLog, distinctInLog);
  assert.ok(counts.failed > 0, 'the unanswered request failed (its outcome unknown)');
  assert.equal(counts.ackedNotConsumed, 0, `acknowledged but not in the log: ${counts.ackedNotConsumed}`);
  assert.equal(
    counts.consumedUnacked,
    counts.failed,
    'the failed request was written after all: consumed without an ack',
  );
});

test('a non-idempotent retry after a lost answer writes a second copy: counted as duplicated (the log), not redelivered', async () => {
  const { counts, inLog, distinctInLog } = await runAgainstFake('dup-retry', {}, '1000/s', 500);
  assert.ok(inLog > distinctInLog, 'the fake log holds copies');
  assert.equal(counts.duplicated, inLog - distinctInLog);
  assert.equal(counts.redelivered, 0);
  assert.equal(counts.ackedNotConsumed, 0);
});
