/** Kafka through kafkajs: producers, consumer groups and the admin used for readiness and topics. */
import { type Consumer, Kafka, type KafkaConfig, logLevel, type LogEntry, Partitioners, type Producer } from 'kafkajs';
import { defaultPartitioner, indexesByPartition, type PartitionOf } from './partitioning.js';
import type { ClusterEndpoints } from '../../cluster/provider.js';
import { InfrastructureError } from '../../errors.js';
import type { TopicSpec } from '../../scenario/schema.js';
import {
  type AckListener,
  allSettledOrFirstFailure,
  type ClientContext,
  type ClusterAdmin,
  type ConsumerGroupHandle,
  type ConsumerGroupRequest,
  type DriverFactory,
  type MessageSink,
  type MessagingClient,
  type OutgoingMessage,
  type ProducerHandle,
} from '../driver.js';
import {
  kafkajsConsumerOptions,
  type KafkajsConsumerOptions,
  kafkajsProducerOptions,
  type KafkajsProducerOptions,
} from './kafkajs-options.js';

const TOPIC_READY_TIMEOUT_MS = 30_000;

const levelNames: Record<number, string> = {
  [logLevel.ERROR]: 'ERROR',
  [logLevel.WARN]: 'WARN',
  [logLevel.INFO]: 'INFO',
  [logLevel.DEBUG]: 'DEBUG',
};

function kafkaClient(bootstrap: string, clientId: string, log: (line: string) => void, requestTimeout?: number): Kafka {
  const config: KafkaConfig = {
    clientId,
    brokers: bootstrap.split(',').map((b) => b.trim()),
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...extra } = entry.log;
      log(
        `${entry.log.timestamp} ${levelNames[entry.level] ?? entry.level} [${entry.namespace}] ${message} ${JSON.stringify(extra)}`,
      );
    },
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2_000 },
    ...(requestTimeout === undefined ? {} : { requestTimeout }),
  };
  return new Kafka(config);
}

/**
 * One producer. Each send goes out as one kafkajs request per partition, never one spanning several brokers:
 * kafkajs 2.2.4 keeps a multi-broker send's responses per broker, and when a retry after a leader change maps a
 * partition to a broker that already answered for another partition, it skips that partition's messages and
 * still resolves — acknowledged messages that were never written (seen on leader kills; upstream
 * tulios/kafkajs#1303, fix proposed in #1798). Each partition's messages count as acknowledged when its own
 * request is. Partitions are chosen with kafkajs's default partitioner (murmur2 of the key like the Java
 * client; round-robin without one).
 *
 * Idempotent: kafkajs numbers each partition's messages when it builds a request and, when a request fails with
 * an unknown outcome (a timeout: written or not?), rolls the numbers back. With several requests in flight on a
 * partition, a later one then carries numbers the broker has not seen yet (OUT_OF_ORDER_SEQUENCE_NUMBER), and a
 * send after the failure reuses numbers of a batch the broker did write — the broker answers "duplicate" and
 * writes nothing, so kafkajs resolves messages that are not in the log. So with idempotence each partition has
 * one request in flight at a time, and after any failed send the next sends go through a fresh kafkajs producer
 * (a new producer id, whose numbers start anew), as the Java client bumps its epoch.
 */
class KafkajsProducer implements ProducerHandle {
  private readonly partitionOf: PartitionOf;
  private current: Promise<Producer>;
  /** The producer `current` resolved to, once it has. */
  private latest: Producer | undefined;
  private readonly retired: Producer[] = [];
  /** Idempotent only: each partition's latest send, so the next one waits for it. */
  private readonly partitionTails = new Map<number, Promise<void>>();
  /** Closed (the drain's bound passed, or the run ended): requests still waiting their turn fail at once. */
  private closed = false;

  constructor(
    private readonly create: () => Promise<Producer>,
    first: Producer,
    private readonly options: KafkajsProducerOptions,
    topic: TopicSpec,
    private readonly clock: () => number,
  ) {
    this.current = Promise.resolve(first);
    this.latest = first;
    // The same keys land on the same partitions whichever Kafka driver runs (partitioning.ts).
    this.partitionOf = defaultPartitioner(topic);
  }

  async send(topic: string, messages: OutgoingMessage[], onAcked: AckListener): Promise<void> {
    const byPartition = indexesByPartition(messages, this.partitionOf);
    const requests = [...byPartition].map(([partition, indexes]) => {
      const request = () =>
        this.sendToPartition(
          topic,
          partition,
          indexes.map((i) => messages[i]!),
          (ackMs) => onAcked(indexes, ackMs, partition),
        );
      return this.options.idempotent ? this.inTurn(partition, request) : request();
    });
    await allSettledOrFirstFailure(requests);
  }

  private async sendToPartition(
    topic: string,
    partition: number,
    messages: OutgoingMessage[],
    acked: (ackMs: number) => void,
  ): Promise<void> {
    // Never a fresh producer (a connection to a broker that may be gone) after close: nothing would close it.
    if (this.closed)
      throw Object.assign(new Error('the producer was closed before it could send'), { type: 'producer-closed' });
    const producer = await this.producer();
    try {
      await producer.send({
        topic,
        messages: messages.map((m) => ({ key: m.key, value: m.value, partition })),
        acks: this.options.acks,
        timeout: this.options.requestTimeout,
        compression: this.options.compression === 'gzip' ? 1 : 0,
      });
    } catch (error) {
      if (this.options.idempotent) this.replace(producer);
      throw error;
    }
    acked(this.clock());
  }

  /** Runs `request` after the partition's previous send settled (one in flight per partition). */
  private inTurn(partition: number, request: () => Promise<void>): Promise<void> {
    const previous = this.partitionTails.get(partition) ?? Promise.resolve();
    const turn = previous.then(request);
    this.partitionTails.set(
      partition,
      turn.catch(() => {}),
    );
    return turn;
  }

  /** The producer for the next send; a fresh one if connecting the last fresh one failed. */
  private async producer(): Promise<Producer> {
    try {
      return await this.current;
    } catch {
      this.current = this.fresh();
      return this.current;
    }
  }

  private fresh(): Promise<Producer> {
    const created = this.create().then((producer) => (this.latest = producer));
    created.catch(() => {});
    return created;
  }

  /** Retires a producer whose send failed: later sends use a fresh one (sends in flight on it finish there). */
  private replace(failed: Producer): void {
    if (this.latest !== failed || this.closed) return; // after close: no fresh producer nobody would close
    this.latest = undefined;
    this.retired.push(failed);
    this.current = this.fresh();
  }

  async close(): Promise<void> {
    this.closed = true;
    const current = await this.current.catch(() => undefined);
    await Promise.allSettled([...this.retired, ...(current ? [current] : [])].map((producer) => producer.disconnect()));
  }
}

class KafkajsConsumerGroup implements ConsumerGroupHandle {
  readonly ordered = true;

  constructor(private readonly consumers: Consumer[]) {}

  async close(): Promise<void> {
    await Promise.allSettled(this.consumers.map((consumer) => consumer.disconnect()));
  }
}

class KafkajsClient implements MessagingClient {
  private readonly kafka: Kafka;
  /** Producers' own client: `requestTimeout` is the client's wait for each produce request, as in Java. */
  private readonly producerKafka: Kafka;
  private readonly producerOptions: KafkajsProducerOptions;
  private readonly consumerOptions: KafkajsConsumerOptions;
  private readonly open = new Set<{ close(): Promise<void> }>();
  readonly acknowledgesWrites: boolean;
  readonly producerReorderCaveat: string | undefined;

  constructor(private readonly context: ClientContext) {
    this.kafka = kafkaClient(context.endpoints.bootstrap, 'faultline', context.log);
    this.producerOptions = kafkajsProducerOptions.parse(context.producerOptions);
    this.consumerOptions = kafkajsConsumerOptions.parse(context.consumerOptions);
    this.producerKafka = kafkaClient(
      context.endpoints.bootstrap,
      'faultline',
      context.log,
      this.producerOptions.requestTimeout,
    );
    this.acknowledgesWrites = this.producerOptions.acks !== 0;
    this.producerReorderCaveat = this.producerOptions.idempotent
      ? undefined
      : "the producer is not idempotent and keeps several sends in flight per partition, and kafkajs does not hold them in order (a retried request, or a send that waited for metadata, can land behind a later one): some reordering may be the producer's own";
  }

  async createProducer(_id: number, topic: TopicSpec): Promise<ProducerHandle> {
    const o = this.producerOptions;
    const create = async () => {
      const producer = this.producerKafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        allowAutoTopicCreation: false,
        idempotent: o.idempotent,
        retry: { retries: o.retries },
        ...(o.maxInFlightRequests === undefined ? {} : { maxInFlightRequests: o.maxInFlightRequests }),
      });
      await producer.connect();
      return producer;
    };
    const handle = new KafkajsProducer(create, await create(), o, topic, this.context.clock);
    this.open.add(handle);
    return handle;
  }

  async createConsumerGroup(request: ConsumerGroupRequest): Promise<ConsumerGroupHandle> {
    const o = this.consumerOptions;
    const { topic, sink } = request;
    const latestAssignment = new Map<number, number[]>();
    let signalReady: () => void = () => {};
    const ready = new Promise<void>((resolve) => (signalReady = resolve));
    const checkReady = () => {
      if (latestAssignment.size < request.members) return;
      const assigned = [...latestAssignment.values()].flat();
      if (assigned.length === topic.partitions && new Set(assigned).size === topic.partitions) signalReady();
    };
    const consumers: Consumer[] = [];
    const group = new KafkajsConsumerGroup(consumers);
    this.open.add(group);
    for (let member = 0; member < request.members; member++) {
      const consumer = this.kafka.consumer({
        groupId: request.group,
        ...(this.context.region ? { rackId: this.context.region } : {}),
        sessionTimeout: o.sessionTimeout,
        heartbeatInterval: o.heartbeatInterval,
        maxWaitTimeInMs: o.maxWaitTime,
        minBytes: o.minBytes,
        maxBytesPerPartition: o.maxBytesPerPartition,
        allowAutoTopicCreation: false,
      });
      consumers.push(consumer);
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        latestAssignment.set(member, event.payload.memberAssignment[topic.name] ?? []);
        checkReady();
      });
      await consumer.connect();
      await subscribeWhenKnown(consumer, topic.name, request.readyTimeoutMs);
      await consumer.run({
        partitionsConsumedConcurrently: o.partitionsConsumedConcurrently,
        eachBatch: async ({ batch }) => {
          const receivedMs = this.context.clock();
          for (const message of batch.messages)
            if (message.value)
              sink(message.value, receivedMs, batch.partition, message.offset, Number(message.timestamp));
        },
      });
    }
    await waitUntil(
      ready,
      request.readyTimeoutMs,
      request.signal,
      () =>
        new InfrastructureError(`consumer group ${request.group} was not ready within ${request.readyTimeoutMs} ms`),
    );
    return group;
  }

  async finalRead(topics: TopicSpec[], sink: MessageSink, timeoutMs: number): Promise<boolean> {
    const admin = this.kafka.admin();
    await admin.connect();
    const remaining = new Map<string, number>();
    try {
      for (const topic of topics) {
        for (const p of await admin.fetchTopicOffsets(topic.name)) {
          if (Number(p.high) > Number(p.low)) remaining.set(`${topic.name}/${p.partition}`, Number(p.high));
        }
      }
    } finally {
      await admin.disconnect();
    }
    if (remaining.size === 0) return true;
    // A short long-poll (the load consumers' default): disconnect waits for the fetch in flight, and with kafkajs's
    // default (5 s) every final read that reached the end took 5 s more to return, reading nothing more.
    const consumer = this.kafka.consumer({
      groupId: `faultline-final-read-${process.pid}-${Date.now()}`,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: FINAL_READ_MAX_WAIT_MS,
    });
    let done: () => void = () => {};
    const finished = new Promise<void>((resolve) => (done = resolve));
    /** Per partition, the offset after the last record read (control records included). */
    const readTo = new Map<string, number>();
    const readUpTo = (topic: string, partition: number, lastOffset: string) => {
      const key = `${topic}/${partition}`;
      const after = Number(lastOffset) + 1;
      if (after > (readTo.get(key) ?? 0)) readTo.set(key, after);
      const end = remaining.get(key);
      if (end !== undefined && after >= end) remaining.delete(key);
      if (remaining.size === 0) done();
    };
    // A batch of control records only (the marker that ends each transaction of an exactly-once MirrorMaker 2)
    // never reaches eachBatch; its end does reach END_BATCH_PROCESS.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) =>
      readUpTo(payload.topic, payload.partition, payload.lastOffset),
    );
    let timer: NodeJS.Timeout | undefined;
    try {
      await consumer.connect();
      for (const topic of topics) await subscribeWhenKnown(consumer, topic.name, timeoutMs);
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const receivedMs = this.context.clock();
          for (const message of batch.messages)
            if (message.value) sink(message.value, receivedMs, batch.partition, message.offset);
          readUpTo(batch.topic, batch.partition, batch.lastOffset());
        },
      });
      await Promise.race([finished, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      if (remaining.size > 0)
        this.context.log(
          `final read: not at the end within ${timeoutMs} ms: ${[...remaining].map(([key, end]) => `${key} read to ${readTo.get(key) ?? 'nothing'} of ${end}`).join(', ')}`,
        );
      return remaining.size === 0;
    } finally {
      clearTimeout(timer);
      await consumer.disconnect().catch(() => {});
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.open].map((handle) => handle.close()));
    this.open.clear();
  }
}

/** The final read's fetch long-poll: each fetch of a partition at its end returns within this. */
const FINAL_READ_MAX_WAIT_MS = 100;

/** Metadata errors that mean "this broker has not caught up yet": the Java clients wait them out. */
const NOT_YET = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/**
 * consumer.subscribe, retried while the broker kafkajs asks does not know the topic yet. A topic just created is
 * known to each broker only once that broker has applied the metadata record; kafkajs asks one broker at random
 * and its refreshMetadata retries only LEADER_NOT_AVAILABLE, so a subscribe right after creation can fail with
 * UNKNOWN_TOPIC_OR_PARTITION (the Java consumer keeps waiting for metadata instead). Bounded by `timeoutMs`.
 */
async function subscribeWhenKnown(consumer: Consumer, topic: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      return;
    } catch (error) {
      const type = (error as { type?: unknown }).type;
      if (typeof type !== 'string' || !NOT_YET.has(type) || performance.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 100 * 2 ** attempt)));
    }
  }
}

/** Waits for `ready`, at most `timeoutMs`; an abort ends the wait quietly (the caller checks the signal). */
async function waitUntil(
  ready: Promise<void>,
  timeoutMs: number,
  signal: AbortSignal,
  timeoutError: () => Error,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    await Promise.race([
      ready,
      new Promise<void>((resolve, reject) => {
        timer = setTimeout(() => reject(timeoutError()), timeoutMs);
        onAbort = resolve;
        signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

class KafkajsAdmin implements ClusterAdmin {
  private readonly admin;
  private connected = false;

  constructor(endpoints: ClusterEndpoints, log: (line: string) => void) {
    this.admin = kafkaClient(endpoints.bootstrap, 'faultline-admin', log).admin({ retry: { retries: 2 } });
  }

  async waitForBrokers(count: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let last = 'no answer yet';
    while (performance.now() < deadline && !signal?.aborted) {
      try {
        if (!this.connected) {
          await this.admin.connect();
          this.connected = true;
        }
        const cluster = await this.admin.describeCluster();
        if (cluster.brokers.length >= count) return;
        last = `metadata lists ${cluster.brokers.length} of ${count} brokers`;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    if (signal?.aborted) return;
    throw new InfrastructureError(`Kafka cluster not ready after ${timeoutMs} ms (${last})`);
  }

  async ensureTopics(topics: TopicSpec[]): Promise<void> {
    if (!this.connected) {
      await this.admin.connect();
      this.connected = true;
    }
    const existing = new Set(await this.admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic.name));
    if (missing.length > 0) {
      await this.admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((topic) => ({
          topic: topic.name,
          numPartitions: topic.partitions,
          replicationFactor: topic.replicationFactor,
          configEntries: Object.entries(topic.config).map(([name, value]) => ({ name, value: String(value) })),
        })),
      });
      await this.waitForLeaders(
        missing.map((t) => t.name),
        TOPIC_READY_TIMEOUT_MS,
      );
    }
    const present = topics.filter((topic) => existing.has(topic.name));
    if (present.length > 0) {
      const metadata = await this.admin.fetchTopicMetadata({ topics: present.map((t) => t.name) });
      for (const topic of present) {
        const found = metadata.topics.find((t) => t.name === topic.name);
        if (found && found.partitions.length !== topic.partitions) {
          throw new InfrastructureError(
            `topic ${topic.name} already exists with ${found.partitions.length} partitions, the scenario asks for ${topic.partitions}; faultline never deletes a topic it did not create`,
          );
        }
      }
    }
  }

  /**
   * Until every partition of `topics` has a leader. kafkajs's own waitForLeaders retries only
   * LEADER_NOT_AVAILABLE, but a broker that has not yet applied the new topic's metadata answers
   * UNKNOWN_TOPIC_OR_PARTITION (seen on three-broker clusters): both mean "not yet" here.
   */
  private async waitForLeaders(topics: string[], timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let last = 'no answer yet';
    while (performance.now() < deadline) {
      try {
        const metadata = await this.admin.fetchTopicMetadata({ topics });
        if (metadata.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
        last = 'some partitions have no leader yet';
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new InfrastructureError(
      `topics ${topics.join(', ')} had no leader for every partition after ${timeoutMs} ms (${last})`,
    );
  }

  async leaderOf(topic: string, partition: number): Promise<number | undefined> {
    if (!this.connected) {
      await this.admin.connect();
      this.connected = true;
    }
    const metadata = await this.admin.fetchTopicMetadata({ topics: [topic] });
    return metadata.topics[0]?.partitions.find((p) => p.partitionId === partition)?.leader;
  }

  async close(): Promise<void> {
    if (this.connected) await this.admin.disconnect();
    this.connected = false;
  }
}

export const kafkajsDriver: DriverFactory = {
  name: 'kafkajs',
  system: 'kafka',
  unavailableReason: async () => undefined,
  producerOptions: kafkajsProducerOptions,
  consumerOptions: kafkajsConsumerOptions,
  createClient: (context) => new KafkajsClient(context),
  createAdmin: (endpoints, log) => new KafkajsAdmin(endpoints, log),
};
