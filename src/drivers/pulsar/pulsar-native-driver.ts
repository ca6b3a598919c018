/**
 * Pulsar through the official `pulsar-client` addon (C++ client), an optional dependency: its install downloads
 * a prebuilt binary, which fails on machines without internet access; `npm ci` goes on without it, and
 * `driver: auto` then falls back to the WebSocket driver. Loaded lazily, so nothing else depends on it.
 */
import type { TopicSpec } from '../../scenario/schema.js';
import { InfrastructureError } from '../../errors.js';
import {
  type AckListener,
  allSettledOrFirstFailure,
  type ClientContext,
  type ConsumerGroupHandle,
  type ConsumerGroupRequest,
  type DriverFactory,
  type MessageSink,
  type MessagingClient,
  type OutgoingMessage,
  type ProducerHandle,
} from '../driver.js';
import { finalReadOverWebSocket } from './final-read.js';
import { webSocketBase } from './pulsar-websocket-driver.js';
import { PulsarAdmin, PULSAR_NAMESPACE } from './pulsar-admin.js';
import { partitionOfTopicName } from './message-id.js';
import { ProblemCounter } from './websocket-frames.js';
import {
  deliversInPartitionOrder,
  type PulsarConsumerOptions,
  pulsarConsumerOptions,
  type PulsarProducerOptions,
  pulsarProducerOptions,
} from './pulsar-options.js';

/** The part of the addon's API faultline uses. */
export interface NativeMessage {
  getData(): Buffer;
  getTopicName(): string;
  getMessageId(): { toString(): string };
}
interface NativeProducer {
  send(message: { data: Buffer; partitionKey?: string }): Promise<unknown>;
  flush(): Promise<void>;
  close(): Promise<void>;
}
export interface NativeConsumer {
  acknowledge(message: NativeMessage): Promise<void> | void;
  close(): Promise<void>;
}
interface NativeClient {
  createProducer(config: Record<string, unknown>): Promise<NativeProducer>;
  subscribe(config: Record<string, unknown>): Promise<NativeConsumer>;
  close(): Promise<void>;
}
interface NativeModule {
  Client: new (config: Record<string, unknown>) => NativeClient;
}

let loaded: Promise<NativeModule | string> | undefined;

/** The addon, or the reason it cannot be loaded. */
function loadAddon(): Promise<NativeModule | string> {
  const name = 'pulsar-client';
  loaded ??= import(name).then(
    (module: { default?: NativeModule } & NativeModule) => module.default ?? module,
    (error: unknown) =>
      `the optional pulsar-client addon did not load (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); its install needs to download a prebuilt binary`,
  );
  return loaded;
}

function fullTopic(topic: TopicSpec): string {
  return `persistent://${PULSAR_NAMESPACE}/${topic.name}`;
}

class NativeProducerHandle implements ProducerHandle {
  constructor(
    private readonly producer: NativeProducer,
    private readonly clock: () => number,
  ) {}

  async send(_topic: string, messages: OutgoingMessage[], onAcked: AckListener): Promise<void> {
    const sends = messages.map(async (m, index) => {
      await this.producer.send(m.key ? { data: m.value, partitionKey: m.key.toString() } : { data: m.value });
      onAcked([index], this.clock(), -1);
    });
    await allSettledOrFirstFailure(sends);
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}

class NativePulsarClient implements MessagingClient {
  private readonly client: NativeClient;
  private readonly producerOptions: PulsarProducerOptions;
  private readonly consumerOptions: PulsarConsumerOptions;
  private readonly open = new Set<{ close(): Promise<void> }>();
  /** Acknowledgements the client rejected (the broker redelivers those messages): counted and logged, never fatal. */
  readonly rejectedAcks: ProblemCounter;

  constructor(
    addon: NativeModule,
    private readonly context: ClientContext,
  ) {
    this.rejectedAcks = new ProblemCounter('Pulsar acknowledgement rejected', context.log);
    this.client = new addon.Client({ serviceUrl: context.endpoints.bootstrap, operationTimeoutSeconds: 30 });
    this.producerOptions = pulsarProducerOptions.parse(context.producerOptions);
    this.consumerOptions = pulsarConsumerOptions.parse(context.consumerOptions);
  }

  async createProducer(id: number, topic: TopicSpec): Promise<ProducerHandle> {
    const o = this.producerOptions;
    const producer = await this.client.createProducer({
      topic: fullTopic(topic),
      producerName: `faultline-${id}-${process.pid}`,
      batchingEnabled: o.batchingEnabled,
      batchingMaxMessages: o.batchingMaxMessages,
      batchingMaxPublishDelayMs: Math.max(1, Math.round(o.batchingMaxPublishDelay)),
      maxPendingMessages: o.maxPendingMessages,
      sendTimeoutMs: Math.round(o.sendTimeout),
      compressionType: o.compressionType === 'NONE' ? undefined : o.compressionType,
      blockIfQueueFull: true,
    });
    const handle = new NativeProducerHandle(producer, this.context.clock);
    this.open.add(handle);
    return handle;
  }

  async createConsumerGroup(request: ConsumerGroupRequest): Promise<ConsumerGroupHandle> {
    const o = this.consumerOptions;
    const consumers: NativeConsumer[] = [];
    const group = {
      ordered: deliversInPartitionOrder(o),
      close: async () => void (await Promise.allSettled(consumers.map((c) => c.close()))),
    };
    this.open.add(group);
    for (let member = 0; member < request.members; member++) {
      consumers.push(
        await this.client.subscribe({
          topic: fullTopic(request.topic),
          subscription: request.group,
          subscriptionType: o.subscriptionType === 'Key_Shared' ? 'KeyShared' : o.subscriptionType,
          subscriptionInitialPosition: 'Earliest',
          receiverQueueSize: o.receiverQueueSize,
          ...(o.ackTimeout === undefined ? {} : { ackTimeoutMs: Math.round(o.ackTimeout) }),
          listener: (message: NativeMessage, consumer: NativeConsumer) => {
            request.sink(
              message.getData(),
              this.context.clock(),
              partitionOfTopicName(message.getTopicName()),
              message.getMessageId().toString(),
            );
            acknowledgeQuietly(consumer, message, this.rejectedAcks);
          },
        }),
      );
    }
    const admin = new PulsarAdmin(this.context.endpoints, this.context.log);
    if (!(await admin.hasSubscription(request.topic, request.group))) {
      throw new InfrastructureError(`subscription ${request.group} is missing after subscribing`);
    }
    return group;
  }

  /** The same final read as the WebSocket driver's: a reader per partition through the web service. */
  finalRead(topics: TopicSpec[], sink: MessageSink, timeoutMs: number): Promise<boolean> {
    const admin = new PulsarAdmin(this.context.endpoints, this.context.log);
    const skipped = new ProblemCounter('unreadable Pulsar WebSocket frame skipped', this.context.log);
    return finalReadOverWebSocket(
      { base: webSocketBase(this.context.endpoints), admin, clock: this.context.clock, skipped, log: this.context.log },
      topics,
      sink,
      timeoutMs,
    );
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.open].map((handle) => handle.close()));
    this.open.clear();
    await this.client.close();
    const rejected = this.rejectedAcks.summary();
    if (rejected) this.context.log(rejected);
  }
}

/** Acknowledges a message; a rejection (thrown or as a rejected promise) is counted and logged, never fatal. */
export function acknowledgeQuietly(
  consumer: Pick<NativeConsumer, 'acknowledge'>,
  message: NativeMessage,
  rejected: ProblemCounter,
): void {
  const record = (error: unknown) =>
    rejected.record(error instanceof Error ? error.message : String(error), message.getTopicName());
  try {
    const pending = consumer.acknowledge(message);
    if (pending && typeof pending.then === 'function') pending.then(undefined, record);
  } catch (error) {
    record(error);
  }
}

export const pulsarNativeDriver: DriverFactory = {
  name: 'native',
  system: 'pulsar',
  async unavailableReason() {
    const addon = await loadAddon();
    return typeof addon === 'string' ? addon : undefined;
  },
  producerOptions: pulsarProducerOptions,
  consumerOptions: pulsarConsumerOptions,
  createClient(context) {
    // unavailableReason() ran at plan time, so the module promise is settled and holds the addon.
    const addon = loaded;
    if (!addon) throw new InfrastructureError('the pulsar-client addon was not loaded');
    return new LazyNativeClient(addon, context);
  },
  createAdmin: (endpoints, log) => new PulsarAdmin(endpoints, log),
};

/** Defers to the addon once its import settles (it already has, by plan time). */
class LazyNativeClient implements MessagingClient {
  private client: Promise<NativePulsarClient>;

  constructor(addon: Promise<NativeModule | string>, context: ClientContext) {
    this.client = addon.then((module) => {
      if (typeof module === 'string') throw new InfrastructureError(module);
      return new NativePulsarClient(module, context);
    });
  }

  async createProducer(id: number, topic: TopicSpec): Promise<ProducerHandle> {
    return (await this.client).createProducer(id, topic);
  }

  async createConsumerGroup(request: ConsumerGroupRequest): Promise<ConsumerGroupHandle> {
    return (await this.client).createConsumerGroup(request);
  }

  async finalRead(topics: TopicSpec[], sink: MessageSink, timeoutMs: number): Promise<boolean> {
    return (await this.client).finalRead(topics, sink, timeoutMs);
  }

  async close(): Promise<void> {
    await (await this.client.catch(() => undefined))?.close();
  }
}
