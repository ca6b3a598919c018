/**
 * Pulsar over its binary protocol, in TypeScript (nothing native): the default Pulsar driver where the native
 * addon is absent. Protobuf from PulsarApi.proto through protobufjs; one connection per broker, shared
 * (connection-pool.ts); a producer is a PartitionProducer per partition with batching and a receipt per message;
 * a consumer group is `members` PartitionConsumers per partition on one subscription; the final read is a reader
 * per partition. Producers and consumers reconnect after a broker restart.
 */
import type { z } from 'zod';
import type { ClusterEndpoints } from '../../../cluster/provider.js';
import { InfrastructureError } from '../../../errors.js';
import type { TopicSpec } from '../../../scenario/schema.js';
import { bytes } from '../../../scenario/unit-schemas.js';
import type {
  ClientContext,
  ConsumerGroupHandle,
  ConsumerGroupRequest,
  DriverFactory,
  MessageSink,
  MessagingClient,
  ProducerHandle,
} from '../../driver.js';
import { PulsarAdmin } from '../pulsar-admin.js';
import { deliversInPartitionOrder, pulsarConsumerOptions, pulsarProducerOptions } from '../pulsar-options.js';
import { BinaryProducer } from './binary-producer.js';
import { finalReadOverBinary } from './binary-final-read.js';
import { ConnectionPool } from './connection-pool.js';
import { PartitionConsumer } from './partition-consumer.js';
import { PartitionProducer } from './partition-producer.js';
import { fullTopicName, partitionNames } from './topic-names.js';

/** The Pulsar producer options, plus the batch size limit the binary driver applies itself. */
export const binaryProducerOptions = pulsarProducerOptions.extend({
  batchingMaxBytes: bytes().default(128 * 1024),
});

type BinaryProducerOptions = z.output<typeof binaryProducerOptions>;
type BinaryConsumerOptions = z.output<typeof pulsarConsumerOptions>;

class BinaryPulsarClient implements MessagingClient {
  private readonly pool: ConnectionPool;
  private readonly producerOptions: BinaryProducerOptions;
  private readonly consumerOptions: BinaryConsumerOptions;
  private readonly open = new Set<{ close(): Promise<void> }>();

  constructor(private readonly context: ClientContext) {
    this.pool = new ConnectionPool(context.endpoints.bootstrap, context.log);
    this.producerOptions = binaryProducerOptions.parse(context.producerOptions);
    this.consumerOptions = pulsarConsumerOptions.parse(context.consumerOptions);
  }

  private async partitionsOf(topic: TopicSpec): Promise<Array<{ name: string; partition: number }>> {
    const name = fullTopicName(topic.name);
    return partitionNames(name, await this.pool.partitions(name));
  }

  async createProducer(id: number, topic: TopicSpec): Promise<ProducerHandle> {
    const o = this.producerOptions;
    if (o.compressionType !== 'NONE')
      throw new InfrastructureError(
        `the binary Pulsar driver does not compress (compressionType ${o.compressionType})`,
      );
    const settings = {
      batchingEnabled: o.batchingEnabled,
      batchingMaxMessages: o.batchingMaxMessages,
      batchingMaxBytes: o.batchingMaxBytes,
      batchingMaxPublishDelayMs: Math.max(0, o.batchingMaxPublishDelay),
      maxPendingMessages: o.maxPendingMessages,
      sendTimeoutMs: Math.round(o.sendTimeout),
    };
    const partitions = (await this.partitionsOf(topic)).map(
      ({ name, partition }) =>
        new PartitionProducer(this.pool, name, partition, `faultline-${id}-${process.pid}`, settings, () =>
          this.context.clock(),
        ),
    );
    const producer = new BinaryProducer(partitions);
    this.open.add(producer);
    try {
      await Promise.all(partitions.map((p) => p.start()));
    } catch (error) {
      await producer.close();
      throw error;
    }
    return producer;
  }

  async createConsumerGroup(request: ConsumerGroupRequest): Promise<ConsumerGroupHandle> {
    const o = this.consumerOptions;
    const consumers: PartitionConsumer[] = [];
    const group: ConsumerGroupHandle = {
      ordered: deliversInPartitionOrder(o),
      close: async () => void (await Promise.allSettled(consumers.map((c) => c.close()))),
    };
    this.open.add(group);
    const partitions = await this.partitionsOf(request.topic);
    for (let member = 0; member < request.members; member++) {
      for (const { name, partition } of partitions) {
        const consumer = new PartitionConsumer(
          this.pool,
          name,
          partition,
          {
            subscription: request.group,
            subscriptionType: o.subscriptionType,
            receiverQueueSize: o.receiverQueueSize,
            consumerName: `faultline-${member}-${process.pid}`,
            initialPosition: 'Earliest',
          },
          (d) =>
            request.sink(
              d.value,
              d.receivedMs,
              partition,
              d.position,
              request.timestamp === 'brokerAppend' ? d.brokerTimestampMs : d.publishTimeMs,
            ),
          () => this.context.clock(),
        );
        consumers.push(consumer);
        await consumer.start();
      }
    }
    return group;
  }

  finalRead(topics: TopicSpec[], sink: MessageSink, timeoutMs: number): Promise<boolean> {
    return finalReadOverBinary(this.pool, () => this.context.clock(), topics, sink, timeoutMs);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.open].map((handle) => handle.close()));
    this.open.clear();
    await this.pool.close();
  }
}

export const pulsarBinaryDriver: DriverFactory = {
  name: 'binary',
  system: 'pulsar',
  unavailableReason: async () => undefined,
  readsBrokerAppendTime: true,
  producerOptions: binaryProducerOptions,
  consumerOptions: pulsarConsumerOptions,
  createClient: (context) => new BinaryPulsarClient(context),
  createAdmin: (endpoints: ClusterEndpoints, log) => new PulsarAdmin(endpoints, log),
};
