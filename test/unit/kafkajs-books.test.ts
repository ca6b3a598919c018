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
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { Kafka, Partitioners } from 'kafkajs';
import type { OutgoingMessage, ProducerHandle } from '../../src/drivers/driver.js';
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

type Mode = 'idem-race' | 'idem-reuse' | 'dup-retry' | 'plain';
const PARTITIONS = 2;

/** What each produce request asked of the broker. */
interface ProduceRequest {
  acks: number;
  timeout: number;
  partition: number;
}

/**
 * A partition log per partition with Kafka's idempotent rules; the mode decides which responses vanish:
 * - idem-race: the first request on partition 0 is written, its answer held (`held` resolves) until the test
 *   calls `releaseHeld`, then lost (a timeout): the test drives the interleaving;
 * - idem-reuse: requests 3 and 4 are written and their answers lost (every attempt of one request);
 * - dup-retry: every 7th request is written and its answer lost (a non-idempotent retry writes it again);
 * - plain: every request written and answered.
 */
function fakeCluster(mode: Mode) {
  const log: Buffer[][] = Array.from({ length: PARTITIONS }, () => []);
  const state = Array.from(
    { length: PARTITIONS },
    () => new Map<number, { lastSeq: number; batches: Array<{ first: number; last: number }> }>(),
  );
  const produced: ProduceRequest[] = [];
  let requests = 0;
  let onPartition0 = 0;
  let heldSignal: () => void = () => {};
  const held = new Promise<void>((resolve) => (heldSignal = resolve));
  let releaseHeld: () => void = () => {};
  const release = new Promise<void>((resolve) => (releaseHeld = resolve));
  const broker = {
    nodeId: 0,
    async produce({ topicData, producerId, acks, timeout }: any) {
      const n = ++requests;
      const { topic, partitions } = topicData[0];
      const { partition, messages, firstSequence } = partitions[0];
      produced.push({ acks, timeout, partition });
      const ordinalOnPartition0 = partition === 0 ? ++onPartition0 : 0;
      const values: Buffer[] = messages.map((m: { value: Buffer }) => m.value);
      if (mode === 'plain') {
        log[partition]!.push(...values);
      } else if (mode === 'dup-retry') {
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
        if (mode === 'idem-reuse' && (n === 3 || n === 4))
          throw new KafkaJSRequestTimeoutError('Request Produce timed out');
        if (mode === 'idem-race' && ordinalOnPartition0 === 1) {
          heldSignal();
          await release;
          throw new KafkaJSRequestTimeoutError('Request Produce timed out');
        }
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
  return { log, cluster, produced, held, releaseHeld };
}

async function runAgainstFake(mode: Mode, producerOptions: Record<string, unknown>, rate: string, maxBatch: number) {
  const { log, cluster, produced } = fakeCluster(mode);
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
      return {
        counts: outcome.counts,
        inLog: entries.length,
        distinctInLog: new Set(entries).size,
        produced,
        acknowledgesWrites: client.acknowledgesWrites,
      };
    } finally {
      clearInterval(pump);
      await client.close();
    }
  } finally {
    Kafka.prototype.producer = original;
  }
}

/** The real kafkajs producer of the driver over the fake cluster, for tests that drive sends one by one. */
async function withFakeProducer<T>(
  mode: Mode,
  producerOptions: Record<string, unknown>,
  body: (
    producer: ProducerHandle,
    fake: ReturnType<typeof fakeCluster>,
    client: ReturnType<typeof kafkajsDriver.createClient>,
  ) => Promise<T>,
): Promise<T> {
  const fake = fakeCluster(mode);
  const logger = createLogger({ level: LEVELS.NOTHING, logCreator: () => () => {} });
  const original = Kafka.prototype.producer;
  Kafka.prototype.producer = ((options: any) =>
    createProducer({ ...options, cluster: fake.cluster, logger })) as typeof original;
  try {
    const client = kafkajsDriver.createClient({
      endpoints: { bootstrap: '127.0.0.1:1' },
      producerOptions,
      consumerOptions: {},
      log: () => {},
      clock: () => performance.now(),
    });
    try {
      const topic = topicSchema.parse({ name: 'orders', partitions: PARTITIONS });
      return await body(await client.createProducer(0, topic), fake, client);
    } finally {
      await client.close();
    }
  } finally {
    Kafka.prototype.producer = original;
  }
}

/** `count` messages that kafkajs's default partitioner puts on `partition` (keys chosen for it). */
function messagesOn(partition: number, count: number, tag: string): OutgoingMessage[] {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [],
    isr: [],
    partitionErrorCode: 0,
  }));
  const found: OutgoingMessage[] = [];
  for (let k = 0; found.length < count && k < 10_000; k++) {
    const message = { key: Buffer.from(`k${k}`), value: Buffer.from(`${tag}-${found.length}`) };
    if (partitioner({ topic: 'orders', partitionMetadata, message }) === partition) found.push(message);
  }
  return found;
}

/** Lets every pending promise callback run (no timer: the event loop's turn, not a delay). */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

test('idempotent producer: a send waiting while an earlier one on its partition loses its answer is written, not swallowed as a duplicate', async () => {
  // The interleaving, driven: A is written and its answer held; B (same partition, same size) is sent meanwhile;
  // then A's answer is lost. kafkajs rolls A's sequence numbers back: had B been let through now, it would carry
  // A's numbers, the broker would answer "duplicate" and write nothing, and B would resolve unwritten.
  await withFakeProducer('idem-race', { idempotent: true }, async (producer, fake) => {
    const acked: string[] = [];
    const a = producer.send('orders', messagesOn(0, 3, 'a'), () => acked.push('a'));
    await fake.held;
    const b = producer.send('orders', messagesOn(0, 3, 'b'), () => acked.push('b'));
    for (let turn = 0; turn < 5; turn++) await nextTurn(); // B is as far as it can get while A is unanswered
    fake.releaseHeld();
    await Promise.allSettled([a, b]);
    const written = fake.log[0]!.map((value) => value.toString());
    for (const name of acked) {
      for (let i = 0; i < 3; i++)
        assert.equal(
          written.filter((w) => w === `${name}-${i}`).length,
          1,
          `${name}-${i} acknowledged: in the log once (log: ${written.join(' ')})`,
        );
    }
    assert.ok(acked.includes('b'), 'B was acknowledged');
  });
});

test('acks: 0 is sent as acks 0 and the client says writes are not acknowledged; acks: all as -1', async () => {
  for (const [acks, wire, acknowledges] of [
    ['0', 0, false],
    ['1', 1, true],
    ['all', -1, true],
  ] as const) {
    await withFakeProducer('plain', { acks }, async (producer, fake, client) => {
      await producer.send('orders', messagesOn(1, 2, 'x'), () => {});
      assert.deepEqual(
        fake.produced.map((r) => r.acks),
        [wire],
        `acks: ${acks}`,
      );
      assert.equal(client.acknowledgesWrites, acknowledges, `acks: ${acks}`);
    });
  }
});

test("requestTimeout is the client's wait for an answer: a broker that never answers fails the request after it", async () => {
  // A TCP server on 127.0.0.1 that accepts and never answers: kafkajs's first request (ApiVersions) times out
  // after the client's requestTimeout (kafkajs's default would be 30 s per attempt).
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let timedOutAfterMs: number | undefined;
  let heard: () => void = () => {};
  const timedOut = new Promise<void>((resolve) => (heard = resolve));
  const started = performance.now();
  const client = kafkajsDriver.createClient({
    endpoints: { bootstrap: `127.0.0.1:${port}` },
    producerOptions: { requestTimeout: '200ms', retries: 0 },
    consumerOptions: {},
    log: (line) => {
      if (timedOutAfterMs === undefined && /Request ApiVersions.* timed out/.test(line)) {
        timedOutAfterMs = performance.now() - started;
        heard();
      }
    },
    clock: () => performance.now(),
  });
  try {
    const topic = topicSchema.parse({ name: 'orders', partitions: 1 });
    client.createProducer(0, topic).catch(() => {});
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([timedOut, new Promise((resolve) => (bound = setTimeout(resolve, 10_000)))]);
    clearTimeout(bound);
    assert.ok(timedOutAfterMs !== undefined, 'the unanswered request timed out within 10 s (kafkajs default: 30 s)');
    assert.ok(timedOutAfterMs >= 200, `timed out after ${timedOutAfterMs} ms, not before the 200 ms asked`);
  } finally {
    for (const socket of sockets) socket.destroy();
    server.close();
    await client.close();
  }
});

test("requestTimeout is also the produce request's broker-side timeout", async () => {
  await withFakeProducer('plain', { requestTimeout: '1500ms' }, async (producer, fake) => {
    await producer.send('orders', messagesOn(0, 1, 't'), () => {});
    assert.deepEqual(
      fake.produced.map((r) => r.timeout),
      [1500],
    );
  });
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
