/**
 * A consumer on one Pulsar topic (one partition) over the binary protocol: SUBSCRIBE with the subscription type,
 * FLOW permits for `receiverQueueSize` messages (prefetch) and more as half of them are handed over, MESSAGE
 * frames unpacked (batch containers into their messages, checksums checked), each message handed to the sink and
 * acknowledged individually (a batch's entry once all its messages are). When the broker closes the consumer or
 * the connection drops, it looks the topic up again and subscribes again; the broker redelivers what was
 * delivered but not acknowledged.
 */
import type { ConnectionPool } from './connection-pool.js';
import type { BrokerConnection } from './connection.js';
import { decodeBatch } from './batch.js';
import {
  type BaseCommand,
  brokerTimestampOf,
  Cmd,
  encodeCommand,
  type Frame,
  MessageMetadataType,
  toNumber,
} from './protocol.js';

export const SUB_TYPES = { Exclusive: 0, Shared: 1, Failover: 2, Key_Shared: 3 } as const;
export type SubscriptionType = keyof typeof SUB_TYPES;

export interface ConsumerSettings {
  subscription: string;
  subscriptionType: SubscriptionType;
  receiverQueueSize: number;
  consumerName: string;
  /** Non-durable, from the earliest message: a reader (the final read). */
  reader?: boolean;
  initialPosition: 'Latest' | 'Earliest';
}

/** One delivered message. */
export interface Delivery {
  value: Buffer;
  /** ledger:entry, or ledger:entry:index for a message of a batch. */
  position: string;
  ledgerId: number;
  entryId: number;
  batchIndex: number;
  batchSize: number;
  publishTimeMs: number;
  /**
   * When the broker appended the entry (its wall clock, ms since the epoch), from the entry's broker metadata;
   * undefined when the broker adds none (no AppendBrokerTimestampMetadataInterceptor) or does not expose it.
   */
  brokerTimestampMs: number | undefined;
  receivedMs: number;
}

const RECONNECT_FIRST_MS = 100;
const RECONNECT_MAX_MS = 5_000;

export class PartitionConsumer {
  private connection: BrokerConnection | undefined;
  private readonly consumerId: number;
  private permitsUsed = 0;
  private reconnecting = false;
  private closed = false;
  reconnects = 0;
  /** Frames whose checksum did not match or that could not be read: skipped (the broker redelivers). */
  unreadable = 0;

  constructor(
    private readonly pool: ConnectionPool,
    readonly topic: string,
    readonly partition: number,
    private readonly settings: ConsumerSettings,
    private readonly deliver: (delivery: Delivery) => void,
    private readonly clock: () => number,
  ) {
    this.consumerId = pool.newId();
  }

  /** The first subscribe (a failure is a start-up error). */
  start(): Promise<void> {
    return this.attach();
  }

  private async attach(): Promise<void> {
    const connection = await this.pool.connectionFor(this.topic);
    connection.addConsumer(this.consumerId, {
      onMessage: (frame) => this.onMessage(frame, connection),
      onDisconnected: (reason) => this.onDisconnected(connection, reason),
    });
    try {
      const s = this.settings;
      await connection.request((requestId) => ({
        type: Cmd.SUBSCRIBE,
        subscribe: {
          topic: this.topic,
          subscription: s.subscription,
          subType: SUB_TYPES[s.subscriptionType],
          consumerId: this.consumerId,
          requestId,
          consumerName: s.consumerName,
          durable: !s.reader,
          initialPosition: s.initialPosition === 'Earliest' ? 1 : 0,
          ...(s.reader ? { startMessageId: { ledgerId: -1, entryId: -1, partition: -1, batchIndex: -1 } } : {}),
        },
      }));
    } catch (error) {
      connection.removeConsumer(this.consumerId);
      throw error;
    }
    this.connection = connection;
    this.permitsUsed = 0;
    this.flow(this.settings.receiverQueueSize);
  }

  private flow(permits: number): void {
    this.connection?.write(
      encodeCommand({ type: Cmd.FLOW, flow: { consumerId: this.consumerId, messagePermits: permits } }),
    );
  }

  private onMessage(frame: Frame, connection: BrokerConnection): void {
    if (connection !== this.connection) return;
    const receivedMs = this.clock();
    const c: BaseCommand = frame.command;
    const id = c.message.messageId;
    const ledgerId = toNumber(id.ledgerId);
    const entryId = toNumber(id.entryId);
    if (!frame.checksumOk || !frame.metadata || !frame.payload) {
      this.unreadable++;
      return;
    }
    let metadata: { numMessagesInBatch?: number; publishTime?: unknown; compression?: number };
    try {
      metadata = MessageMetadataType.decode(frame.metadata) as unknown as typeof metadata;
    } catch {
      this.unreadable++;
      return;
    }
    const publishTimeMs = toNumber(metadata.publishTime as number);
    const brokerTimestampMs = brokerTimestampOf(frame);
    if (metadata.compression) {
      // faultline's producers never compress; a compressed entry cannot be read here.
      this.unreadable++;
      return;
    }
    // A batch container says how many messages it holds; a lone message leaves the field out.
    const batched = Object.hasOwn(metadata, 'numMessagesInBatch');
    if (!batched) {
      this.deliver({
        value: frame.payload,
        position: `${ledgerId}:${entryId}`,
        ledgerId,
        entryId,
        batchIndex: -1,
        batchSize: 0,
        publishTimeMs,
        brokerTimestampMs,
        receivedMs,
      });
      this.ack(id);
      this.used(1);
      return;
    }
    const count = metadata.numMessagesInBatch!;
    let messages: ReturnType<typeof decodeBatch>;
    try {
      messages = decodeBatch(frame.payload, count);
    } catch {
      this.unreadable++;
      return;
    }
    messages.forEach((m, batchIndex) => {
      if (m.compactedOut) return;
      this.deliver({
        value: m.value,
        position: `${ledgerId}:${entryId}:${batchIndex}`,
        ledgerId,
        entryId,
        batchIndex,
        batchSize: count,
        publishTimeMs,
        brokerTimestampMs,
        receivedMs,
      });
    });
    // Every message of the entry was handed over: one individual ack of the entry acknowledges them all.
    this.ack({ ledgerId, entryId });
    this.used(count);
  }

  private used(permits: number): void {
    this.permitsUsed += permits;
    if (this.permitsUsed >= this.settings.receiverQueueSize / 2) {
      this.flow(this.permitsUsed);
      this.permitsUsed = 0;
    }
  }

  private ack(id: { ledgerId: unknown; entryId: unknown }): void {
    if (this.settings.reader) return;
    this.connection?.write(
      encodeCommand({
        type: Cmd.ACK,
        ack: { consumerId: this.consumerId, ackType: 0, messageId: [{ ledgerId: id.ledgerId, entryId: id.entryId }] },
      }),
    );
  }

  /** The topic's last message id (GET_LAST_MESSAGE_ID), for a reader to know where to stop. */
  async lastMessageId(): Promise<{ ledgerId: number; entryId: number; batchIndex: number } | undefined> {
    const connection = this.connection;
    if (!connection) return undefined;
    const answer = await connection.request((requestId) => ({
      type: Cmd.GET_LAST_MESSAGE_ID,
      getLastMessageId: { consumerId: this.consumerId, requestId },
    }));
    const id = answer.getLastMessageIdResponse.lastMessageId;
    return { ledgerId: toNumber(id.ledgerId), entryId: toNumber(id.entryId), batchIndex: id.batchIndex ?? -1 };
  }

  private onDisconnected(connection: BrokerConnection, reason: string): void {
    if (this.connection !== connection || this.closed) return;
    this.connection = undefined;
    if (this.settings.reader) return;
    this.pool.log(`consumer ${this.settings.consumerName} on ${this.topic}: ${reason}; subscribing again`);
    void this.reconnect();
  }

  private async reconnect(): Promise<void> {
    if (this.reconnecting) return;
    this.reconnecting = true;
    const downSince = performance.now();
    let delay = RECONNECT_FIRST_MS;
    while (!this.closed) {
      try {
        await this.attach();
        this.reconnects++;
        this.pool.log(
          `consumer ${this.settings.consumerName} on ${this.topic}: subscribed again, reconnected after ${Math.round(performance.now() - downSince)} ms`,
        );
        break;
      } catch (error) {
        this.pool.log(
          `consumer ${this.settings.consumerName} on ${this.topic}: resubscribe failed (${error instanceof Error ? error.message : String(error)})`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(RECONNECT_MAX_MS, delay * 2);
      }
    }
    this.reconnecting = false;
  }

  async close(): Promise<void> {
    this.closed = true;
    const connection = this.connection;
    this.connection = undefined;
    if (connection && !connection.closed) {
      connection.removeConsumer(this.consumerId);
      await connection
        .request(
          (requestId) => ({ type: Cmd.CLOSE_CONSUMER, closeConsumer: { consumerId: this.consumerId, requestId } }),
          5_000,
        )
        .catch(() => undefined);
    }
  }
}
