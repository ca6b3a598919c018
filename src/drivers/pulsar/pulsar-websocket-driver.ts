/**
 * Pulsar through its official WebSocket API (served by the broker's web service): needs no native addon.
 * A producer is one WebSocket per topic (websocket-producer.ts); a consumer group is `members` WebSockets on one
 * subscription (websocket-consumer.ts). Both reconnect with a bounded exponential backoff when their socket drops
 * (a broker restart closes every WebSocket the web service holds), as the official clients do, and stop when
 * closed. The final read is a Reader per partition from the earliest position (final-read.ts).
 */
import type { ClusterEndpoints } from '../../cluster/provider.js';
import { InfrastructureError } from '../../errors.js';
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
import { finalReadOverWebSocket } from './final-read.js';
import { PulsarAdmin, pulsarTopicPath } from './pulsar-admin.js';
import {
  deliversInPartitionOrder,
  type PulsarConsumerOptions,
  pulsarConsumerOptions,
  type PulsarProducerOptions,
  pulsarProducerOptions,
} from './pulsar-options.js';
import { ProblemCounter } from './websocket-frames.js';
import { WebSocketConsumerGroup } from './websocket-consumer.js';
import { WebSocketProducer } from './websocket-producer.js';

/** ws://host:port/ws/v2 of a cluster's web service. */
export function webSocketBase(endpoints: ClusterEndpoints): string {
  if (!endpoints.webServiceUrl) throw new InfrastructureError('the Pulsar WebSocket driver needs the web service URL');
  return `${endpoints.webServiceUrl.replace(/^http/, 'ws').replace(/\/+$/, '')}/ws/v2`;
}

function query(params: Record<string, string | number | boolean | undefined>): string {
  const entries = Object.entries(params).filter(
    (entry): entry is [string, string | number | boolean] => entry[1] !== undefined,
  );
  return new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString();
}

class PulsarWebSocketClient implements MessagingClient {
  private readonly base: string;
  private readonly producerOptions: PulsarProducerOptions;
  private readonly consumerOptions: PulsarConsumerOptions;
  private readonly open = new Set<{ close(): Promise<void> }>();
  /** Frames that could not be read (not JSON, a field missing), skipped and counted. */
  readonly skipped: ProblemCounter;

  constructor(private readonly context: ClientContext) {
    this.base = webSocketBase(context.endpoints);
    this.producerOptions = pulsarProducerOptions.parse(context.producerOptions);
    this.consumerOptions = pulsarConsumerOptions.parse(context.consumerOptions);
    this.skipped = new ProblemCounter('unreadable Pulsar WebSocket frame skipped', (line) => this.context.log(line));
  }

  async createProducer(id: number, topic: TopicSpec): Promise<ProducerHandle> {
    const o = this.producerOptions;
    const params = query({
      producerName: `faultline-${id}-${process.pid}`,
      batchingEnabled: o.batchingEnabled,
      batchingMaxMessages: o.batchingMaxMessages,
      batchingMaxPublishDelay: Math.max(1, Math.round(o.batchingMaxPublishDelay)),
      maxPendingMessages: o.maxPendingMessages,
      sendTimeoutMillis: Math.round(o.sendTimeout),
      compressionType: o.compressionType,
    });
    const url = `${this.base}/producer/${pulsarTopicPath(topic.name)}?${params}`;
    // The clock is read through the context at each ack, so a context whose clock is replaced later is followed.
    const producer = new WebSocketProducer(
      url,
      `producer ${id} on ${topic.name}`,
      Math.round(o.sendTimeout),
      () => this.context.clock(),
      this.skipped,
      this.context.log,
    );
    await producer.connect();
    this.open.add(producer);
    return producer;
  }

  async createConsumerGroup(request: ConsumerGroupRequest): Promise<ConsumerGroupHandle> {
    const o = this.consumerOptions;
    const { topic } = request;
    const group = new WebSocketConsumerGroup(
      deliversInPartitionOrder(o),
      request.sink,
      () => this.context.clock(),
      this.skipped,
      this.context.log,
    );
    this.open.add(group);
    for (let member = 0; member < request.members; member++) {
      const params = query({
        subscriptionType: o.subscriptionType,
        receiverQueueSize: o.receiverQueueSize,
        consumerName: `faultline-${member}-${process.pid}`,
        ackTimeoutMillis: o.ackTimeout === undefined ? undefined : Math.round(o.ackTimeout),
      });
      const url = `${this.base}/consumer/${pulsarTopicPath(topic.name)}/${encodeURIComponent(request.group)}?${params}`;
      await group.addMember(url, `consumer ${member} of ${request.group}`);
    }
    // The subscription must exist before the first message is produced: it starts at the latest position.
    const admin = new PulsarAdmin(this.context.endpoints, this.context.log);
    const deadline = performance.now() + request.readyTimeoutMs;
    while (!(await admin.hasSubscription(topic, request.group))) {
      if (request.signal.aborted) break;
      if (performance.now() > deadline)
        throw new InfrastructureError(
          `subscription ${request.group} did not appear within ${request.readyTimeoutMs} ms`,
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return group;
  }

  finalRead(topics: TopicSpec[], sink: MessageSink, timeoutMs: number): Promise<boolean> {
    const admin = new PulsarAdmin(this.context.endpoints, this.context.log);
    return finalReadOverWebSocket(
      { base: this.base, admin, clock: () => this.context.clock(), skipped: this.skipped, log: this.context.log },
      topics,
      sink,
      timeoutMs,
    );
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.open].map((handle) => handle.close()));
    this.open.clear();
    const skipped = this.skipped.summary();
    if (skipped) this.context.log(skipped);
  }
}

export const pulsarWebSocketDriver: DriverFactory = {
  name: 'websocket',
  system: 'pulsar',
  unavailableReason: async () => undefined,
  publishTimeFromBroker: true,
  producerOptions: pulsarProducerOptions,
  consumerOptions: pulsarConsumerOptions,
  createClient: (context) => new PulsarWebSocketClient(context),
  createAdmin: (endpoints, log) => new PulsarAdmin(endpoints, log),
};
