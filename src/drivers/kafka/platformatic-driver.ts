/**
 * Kafka through @platformatic/kafka (pure TypeScript): producers with linger and batch size, one request per
 * leader broker answered per partition, idempotence with exact books (platformatic-producer.ts), consumer groups that keep a fetch in flight while the sink works
 * (platformatic-consumer.ts). The admin (readiness, topics, leaders) and the final read are kafkajs's: they
 * are off the measured path, and one implementation of them keeps the two drivers' books alike.
 */
import { Consumer, Producer } from '@platformatic/kafka';
import type { TopicSpec } from '../../scenario/schema.js';
import type {
  ClientContext,
  ConsumerGroupHandle,
  ConsumerGroupRequest,
  DriverFactory,
  MessageSink,
  MessagingClient,
  ProducerHandle,
} from '../driver.js';
import { kafkajsDriver } from './kafkajs-driver.js';
import { PlatformaticConsumerGroup } from './platformatic-consumer.js';
import {
  platformaticConsumerOptions,
  type PlatformaticConsumerOptions,
  platformaticProducerOptions,
  type PlatformaticProducerOptions,
} from './platformatic-options.js';
import { PlatformaticProducer } from './platformatic-producer.js';

const CLIENT_ID = 'faultline';

class PlatformaticClient implements MessagingClient {
  private readonly producerOptions: PlatformaticProducerOptions;
  private readonly consumerOptions: PlatformaticConsumerOptions;
  private readonly bootstrapBrokers: string[];
  private readonly open = new Set<{ close(): Promise<void> }>();
  /** kafkajs's client, for the final read only. */
  private readonly reference: MessagingClient;
  readonly acknowledgesWrites: boolean;
  readonly producerReorderCaveat: string | undefined;

  constructor(private readonly context: ClientContext) {
    this.producerOptions = platformaticProducerOptions.parse(context.producerOptions);
    this.consumerOptions = platformaticConsumerOptions.parse(context.consumerOptions);
    this.bootstrapBrokers = context.endpoints.bootstrap.split(',').map((b) => b.trim());
    this.reference = kafkajsDriver.createClient({ ...context, producerOptions: {}, consumerOptions: {} });
    this.acknowledgesWrites = this.producerOptions.acks !== 0;
    this.producerReorderCaveat = this.producerOptions.idempotent
      ? undefined
      : 'the producer is not idempotent and keeps several requests in flight per partition; a retried request can land behind a later one: some reordering may be the producer’s own';
  }

  async createProducer(id: number, topic: TopicSpec): Promise<ProducerHandle> {
    const o = this.producerOptions;
    const create = () => {
      const producer = new Producer({
        clientId: CLIENT_ID,
        bootstrapBrokers: this.bootstrapBrokers,
        timeout: o.requestTimeout,
        requestTimeout: o.requestTimeout,
        maxInflights: o.maxInFlightRequests,
        // Retries are the handle's (each after a fresh leader lookup); the library's would resend to the old leader.
        retries: 0,
        autocreateTopics: false,
        acks: o.acks,
      });
      // Failures reach the sends; an 'error' event without a listener would end the process.
      producer.on('error', (error: Error) => this.context.log(`producer: ${error.message}`));
      return producer;
    };
    const handle = new PlatformaticProducer(create, o, topic, this.context.clock, this.context.log, id);
    this.open.add(handle);
    return handle;
  }

  async createConsumerGroup(request: ConsumerGroupRequest): Promise<ConsumerGroupHandle> {
    const o = this.consumerOptions;
    const group = await PlatformaticConsumerGroup.open(
      request,
      o,
      (member) =>
        new Consumer<Buffer, Buffer, Buffer, Buffer>({
          clientId: `${CLIENT_ID}-${request.group}-${member}`,
          bootstrapBrokers: this.bootstrapBrokers,
          groupId: request.group,
          sessionTimeout: o.sessionTimeout,
          heartbeatInterval: o.heartbeatInterval,
          rebalanceTimeout: o.sessionTimeout,
          retries: 3,
          retryDelay: 250,
          autocreateTopics: false,
        }),
      this.context.clock,
      this.context.log,
    );
    this.open.add(group);
    return group;
  }

  finalRead(topics: TopicSpec[], sink: MessageSink, timeoutMs: number): Promise<boolean> {
    return this.reference.finalRead!(topics, sink, timeoutMs);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.open].map((handle) => handle.close()));
    this.open.clear();
    await this.reference.close();
  }
}

export const platformaticDriver: DriverFactory = {
  name: 'platformatic',
  system: 'kafka',
  unavailableReason: async () => undefined,
  producerOptions: platformaticProducerOptions,
  consumerOptions: platformaticConsumerOptions,
  createClient: (context) => new PlatformaticClient(context),
  // kafkajs's admin: creating topics, waiting for brokers and finding leaders are off the measured path.
  createAdmin: (endpoints, log) => kafkajsDriver.createAdmin(endpoints, log),
};
