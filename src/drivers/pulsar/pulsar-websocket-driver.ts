/**
 * Pulsar through its official WebSocket API (served by the broker's web service): needs no native addon.
 * A producer is one WebSocket per topic; each message is a JSON frame with a base64 payload whose `context` names
 * its batch and index, so each ack is told as it comes and a batch settles once every message was answered.
 * A consumer group is `members` WebSockets on one subscription; each message is acknowledged after it is recorded.
 */
import WebSocket from 'ws';
import type { ClusterEndpoints } from '../../cluster/provider.js';
import { InfrastructureError } from '../../errors.js';
import type { TopicSpec } from '../../scenario/schema.js';
import type { AckListener, ClientContext, ConsumerGroupHandle, ConsumerGroupRequest, DriverFactory, MessagingClient, OutgoingMessage, ProducerHandle } from '../driver.js';
import { PulsarAdmin, pulsarTopicPath } from './pulsar-admin.js';
import { partitionOfMessageId } from './message-id.js';
import { deliversInPartitionOrder, type PulsarConsumerOptions, pulsarConsumerOptions, type PulsarProducerOptions, pulsarProducerOptions } from './pulsar-options.js';

interface ProducerReply {
  result: string;
  messageId?: string;
  errorMsg?: string;
  context?: string;
}

interface ConsumerFrame {
  messageId: string;
  payload: string;
}

function webSocketBase(endpoints: ClusterEndpoints): string {
  if (!endpoints.webServiceUrl) throw new InfrastructureError('the Pulsar WebSocket driver needs the web service URL');
  return `${endpoints.webServiceUrl.replace(/^http/, 'ws').replace(/\/+$/, '')}/ws/v2`;
}

function query(params: Record<string, string | number | boolean | undefined>): string {
  const entries = Object.entries(params).filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined);
  return new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString();
}

function open(url: string, what: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_request, response) =>
      reject(new InfrastructureError(`Pulsar WebSocket ${what} refused: HTTP ${response.statusCode} ${response.statusMessage ?? ''}`)),
    );
    socket.once('error', (error) => reject(new InfrastructureError(`Pulsar WebSocket ${what} failed: ${error.message}`)));
  });
}

class PendingBatch {
  remaining: number;
  failure: string | undefined;
  constructor(count: number, readonly onAcked: AckListener, readonly resolve: () => void, readonly reject: (error: Error) => void) {
    this.remaining = count;
  }
}

class WebSocketProducer implements ProducerHandle {
  private readonly pending = new Map<string, PendingBatch>();
  private nextBatch = 0;

  constructor(private readonly socket: WebSocket, private readonly clock: () => number) {
    socket.on('message', (data) => this.onReply(JSON.parse(data.toString()) as ProducerReply));
    socket.on('close', () => this.failAll('the producer WebSocket closed'));
    socket.on('error', (error) => this.failAll(error.message));
  }

  send(_topic: string, messages: OutgoingMessage[], onAcked: AckListener): Promise<void> {
    const batch = String(this.nextBatch++);
    return new Promise((resolve, reject) => {
      if (this.socket.readyState !== WebSocket.OPEN) return reject(new InfrastructureError('the producer WebSocket is not open'));
      this.pending.set(batch, new PendingBatch(messages.length, onAcked, resolve, reject));
      messages.forEach((message, index) => {
        const frame: Record<string, string> = { payload: message.value.toString('base64'), context: `${batch}.${index}` };
        if (message.key) frame.key = message.key.toString();
        this.socket.send(JSON.stringify(frame));
      });
    });
  }

  private onReply(reply: ProducerReply): void {
    const [batchId = '', index] = (reply.context ?? '').split('.');
    const batch = this.pending.get(batchId);
    if (!batch) return;
    if (reply.result === 'ok') batch.onAcked([Number(index)], this.clock(), reply.messageId ? partitionOfMessageId(reply.messageId) : -1);
    else batch.failure ??= `${reply.result}${reply.errorMsg ? `: ${reply.errorMsg}` : ''}`;
    if (--batch.remaining > 0) return;
    this.pending.delete(batchId);
    if (batch.failure) batch.reject(Object.assign(new Error(batch.failure), { type: batch.failure.split(':')[0] }));
    else batch.resolve();
  }

  private failAll(reason: string): void {
    for (const batch of this.pending.values()) batch.reject(Object.assign(new Error(reason), { type: 'websocket-closed' }));
    this.pending.clear();
  }

  async close(): Promise<void> {
    this.socket.close();
  }
}

class WebSocketConsumerGroup implements ConsumerGroupHandle {
  constructor(private readonly sockets: WebSocket[], readonly ordered: boolean) {}

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.close();
  }
}

class PulsarWebSocketClient implements MessagingClient {
  private readonly base: string;
  private readonly producerOptions: PulsarProducerOptions;
  private readonly consumerOptions: PulsarConsumerOptions;
  private readonly open = new Set<{ close(): Promise<void> }>();

  constructor(private readonly context: ClientContext) {
    this.base = webSocketBase(context.endpoints);
    this.producerOptions = pulsarProducerOptions.parse(context.producerOptions);
    this.consumerOptions = pulsarConsumerOptions.parse(context.consumerOptions);
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
    const socket = await open(`${this.base}/producer/${pulsarTopicPath(topic.name)}?${params}`, `producer on ${topic.name}`);
    const producer = new WebSocketProducer(socket, this.context.clock);
    this.open.add(producer);
    return producer;
  }

  async createConsumerGroup(request: ConsumerGroupRequest): Promise<ConsumerGroupHandle> {
    const o = this.consumerOptions;
    const { topic, sink } = request;
    const sockets: WebSocket[] = [];
    const group = new WebSocketConsumerGroup(sockets, deliversInPartitionOrder(o));
    this.open.add(group);
    for (let member = 0; member < request.members; member++) {
      const params = query({
        subscriptionType: o.subscriptionType,
        receiverQueueSize: o.receiverQueueSize,
        consumerName: `faultline-${member}-${process.pid}`,
        ackTimeoutMillis: o.ackTimeout === undefined ? undefined : Math.round(o.ackTimeout),
      });
      const socket = await open(`${this.base}/consumer/${pulsarTopicPath(topic.name)}/${encodeURIComponent(request.group)}?${params}`, `consumer on ${topic.name}`);
      sockets.push(socket);
      socket.on('message', (data) => {
        const receivedMs = this.context.clock();
        const frame = JSON.parse(data.toString()) as ConsumerFrame;
        sink(Buffer.from(frame.payload, 'base64'), receivedMs, partitionOfMessageId(frame.messageId));
        socket.send(JSON.stringify({ messageId: frame.messageId }));
      });
      socket.on('error', (error) => this.context.log(`consumer WebSocket error: ${error.message}`));
    }
    // The subscription must exist before the first message is produced: it starts at the latest position.
    const admin = new PulsarAdmin(this.context.endpoints, this.context.log);
    const deadline = performance.now() + request.readyTimeoutMs;
    while (!(await admin.hasSubscription(topic, request.group))) {
      if (request.signal.aborted) break;
      if (performance.now() > deadline) throw new InfrastructureError(`subscription ${request.group} did not appear within ${request.readyTimeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return group;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.open].map((handle) => handle.close()));
    this.open.clear();
  }
}

export const pulsarWebSocketDriver: DriverFactory = {
  name: 'websocket',
  system: 'pulsar',
  unavailableReason: async () => undefined,
  producerOptions: pulsarProducerOptions,
  consumerOptions: pulsarConsumerOptions,
  createClient: (context) => new PulsarWebSocketClient(context),
  createAdmin: (endpoints, log) => new PulsarAdmin(endpoints, log),
};
