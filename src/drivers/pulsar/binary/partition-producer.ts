/**
 * A producer on one Pulsar topic (one partition) over the binary protocol. Messages are gathered into batches
 * (batchingMaxMessages, batchingMaxBytes, batchingMaxPublishDelay), each batch one SEND with a batch container,
 * its MessageMetadata's sequence_id the first message's and highest_sequence_id the last's. The broker's
 * SEND_RECEIPT for a batch acknowledges each of its messages; SEND_ERROR fails each of them.
 *
 * When the broker closes the producer (CLOSE_PRODUCER) or the connection drops, the producer looks its topic up
 * again, re-creates itself under the same name, and sends again, with the same sequence ids, every batch not yet
 * answered — so a broker with deduplication drops a copy it already wrote. A message not answered within the
 * send timeout fails: `unknown-outcome` if it was sent, `not-connected` if it never could be.
 */
import type { ConnectionPool } from './connection-pool.js';
import type { BrokerConnection } from './connection.js';
import { encodeBatch } from './batch.js';
import { type BaseCommand, Cmd, encodePayloadCommand, MessageMetadataType, toNumber } from './protocol.js';
import { serverErrorName } from './server-errors.js';

export interface ProducerSettings {
  batchingEnabled: boolean;
  batchingMaxMessages: number;
  batchingMaxBytes: number;
  batchingMaxPublishDelayMs: number;
  maxPendingMessages: number;
  sendTimeoutMs: number;
}

/** Told of one message's outcome: acked (with its ledger:entry position) or failed. */
export interface MessageCallback {
  acked(ackMs: number, position: string): void;
  failed(error: Error): void;
}

interface QueuedMessage {
  key: Buffer | null;
  value: Buffer;
  callback: MessageCallback;
  queuedMs: number;
}

interface PendingEntry {
  sequenceId: number;
  messages: QueuedMessage[];
  frame: Buffer;
  /** Whether it went out on a connection at least once. */
  sent: boolean;
}

export function failure(kind: string, message: string): Error {
  return Object.assign(new Error(message), { type: kind });
}

const RECONNECT_FIRST_MS = 100;
const RECONNECT_MAX_MS = 5_000;

export class PartitionProducer {
  private connection: BrokerConnection | undefined;
  private readonly producerId: number;
  private nextSequenceId = 0;
  private epoch = 0;
  private queue: QueuedMessage[] = [];
  private queuedBytes = 0;
  /** Sent (or to be sent again after a reconnect), awaiting receipts, in sequence order. */
  private readonly pending = new Map<number, PendingEntry>();
  private pendingMessages = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly timeoutCheck: NodeJS.Timeout;
  private reconnecting: Promise<void> | undefined;
  private closed = false;
  reconnects = 0;

  constructor(
    private readonly pool: ConnectionPool,
    readonly topic: string,
    readonly partition: number,
    private readonly producerName: string,
    private readonly settings: ProducerSettings,
    private readonly clock: () => number,
  ) {
    this.producerId = pool.newId();
    this.timeoutCheck = setInterval(
      () => this.failTimedOut(),
      Math.min(1_000, Math.max(50, settings.sendTimeoutMs / 10)),
    );
  }

  /** The first attach (a failure is a start-up error). */
  async start(): Promise<void> {
    const last = await this.attach();
    if (last >= 0) this.nextSequenceId = last + 1;
  }

  send(key: Buffer | null, value: Buffer, callback: MessageCallback): void {
    if (this.closed) return void callback.failed(failure('producer-closed', 'the producer was closed'));
    this.queue.push({ key, value, callback, queuedMs: performance.now() });
    this.queuedBytes += value.length;
    if (
      !this.settings.batchingEnabled ||
      this.queue.length >= this.settings.batchingMaxMessages ||
      this.queuedBytes >= this.settings.batchingMaxBytes
    )
      this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), this.settings.batchingMaxPublishDelayMs);
  }

  /** Cuts the queue into batches while there is room among pending messages; sends them when connected. */
  flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    while (this.queue.length > 0 && this.pendingMessages < this.settings.maxPendingMessages) {
      const room = this.settings.maxPendingMessages - this.pendingMessages;
      const limit = Math.min(room, this.settings.batchingEnabled ? this.settings.batchingMaxMessages : 1);
      let count = 0;
      let bytes = 0;
      while (
        count < this.queue.length &&
        count < limit &&
        (count === 0 || bytes + this.queue[count]!.value.length <= this.settings.batchingMaxBytes)
      ) {
        bytes += this.queue[count]!.value.length;
        count++;
      }
      const messages = this.queue.splice(0, count);
      this.queuedBytes -= bytes;
      const entry = this.entryOf(messages);
      this.pending.set(entry.sequenceId, entry);
      this.pendingMessages += messages.length;
      if (this.connection && !this.reconnecting) {
        this.connection.write(entry.frame);
        entry.sent = true;
      }
    }
  }

  private entryOf(messages: QueuedMessage[]): PendingEntry {
    const sequenceId = this.nextSequenceId;
    this.nextSequenceId += messages.length;
    const highest = sequenceId + messages.length - 1;
    const batched = this.settings.batchingEnabled;
    const metadata: Record<string, unknown> = {
      producerName: this.producerName,
      sequenceId,
      publishTime: Date.now(),
    };
    let payload: Buffer;
    if (batched) {
      metadata.numMessagesInBatch = messages.length;
      metadata.highestSequenceId = highest;
      payload = encodeBatch(messages.map((m, i) => ({ key: m.key, value: m.value, sequenceId: sequenceId + i })));
    } else {
      const only = messages[0]!;
      if (only.key) metadata.partitionKey = only.key.toString();
      payload = only.value;
    }
    metadata.uncompressedSize = payload.length;
    const frame = encodePayloadCommand(
      {
        type: Cmd.SEND,
        send: {
          producerId: this.producerId,
          sequenceId,
          numMessages: messages.length,
          ...(batched ? { highestSequenceId: highest } : {}),
        },
      },
      MessageMetadataType.encode(metadata).finish(),
      payload,
    );
    return { sequenceId, messages, frame, sent: false };
  }

  /** Looks the topic up, creates the producer on its broker; resolves with the broker's last sequence id. */
  private async attach(): Promise<number> {
    const connection = await this.pool.connectionFor(this.topic);
    connection.addProducer(this.producerId, {
      onReceipt: (c) => this.onReceipt(c, connection),
      onSendError: (c) => this.onSendError(c),
      onDisconnected: (reason) => this.onDisconnected(connection, reason),
    });
    try {
      const answer = await connection.request((requestId) => ({
        type: Cmd.PRODUCER,
        producer: {
          topic: this.topic,
          producerId: this.producerId,
          requestId,
          producerName: this.producerName,
          epoch: this.epoch++,
        },
      }));
      this.connection = connection;
      return toNumber(answer.producerSuccess.lastSequenceId ?? -1);
    } catch (error) {
      connection.removeProducer(this.producerId);
      throw error;
    }
  }

  private onDisconnected(connection: BrokerConnection, reason: string): void {
    if (this.connection !== connection || this.closed) return;
    this.connection = undefined;
    this.pool.log(`producer on ${this.topic}: ${reason}; reconnecting`);
    this.reconnect();
  }

  private reconnect(): void {
    if (this.reconnecting || this.closed) return;
    const downSince = performance.now();
    this.reconnecting = (async () => {
      let delay = RECONNECT_FIRST_MS;
      while (!this.closed) {
        try {
          await this.attach();
          break;
        } catch (error) {
          this.pool.log(
            `producer on ${this.topic}: reconnect failed (${error instanceof Error ? error.message : String(error)})`,
          );
          await new Promise((resolve) => setTimeout(resolve, delay));
          delay = Math.min(RECONNECT_MAX_MS, delay * 2);
        }
      }
      this.reconnecting = undefined;
      if (this.closed || !this.connection) return;
      this.reconnects++;
      this.pool.log(
        `producer on ${this.topic}: reconnected after ${Math.round(performance.now() - downSince)} ms; resending ${this.pending.size} batch(es)`,
      );
      for (const entry of [...this.pending.values()].sort((a, b) => a.sequenceId - b.sequenceId)) {
        this.connection.write(entry.frame);
        entry.sent = true;
      }
      this.flush();
    })();
  }

  private onReceipt(c: BaseCommand, connection: BrokerConnection): void {
    if (connection !== this.connection) return;
    const receipt = c.sendReceipt;
    const entry = this.pending.get(toNumber(receipt.sequenceId));
    if (!entry) return; // already answered (a resent copy) or timed out
    this.settle(entry);
    const id = receipt.messageId;
    const ackMs = this.clock();
    const base = id ? `${toNumber(id.ledgerId)}:${toNumber(id.entryId)}` : '';
    entry.messages.forEach((m, i) => m.callback.acked(ackMs, this.settings.batchingEnabled ? `${base}:${i}` : base));
    if (this.queue.length > 0) this.flush();
  }

  private onSendError(c: BaseCommand): void {
    const e = c.sendError;
    const entry = this.pending.get(toNumber(e.sequenceId));
    if (!entry) return;
    this.settle(entry);
    const error = failure('send-error', `send-error: ${serverErrorName(e.error)}: ${e.message}`);
    for (const m of entry.messages) m.callback.failed(error);
    if (this.queue.length > 0) this.flush();
  }

  private settle(entry: PendingEntry): void {
    this.pending.delete(entry.sequenceId);
    this.pendingMessages -= entry.messages.length;
  }

  /** Fails what waited longer than the send timeout, queued or pending. */
  private failTimedOut(): void {
    const oldest = performance.now() - this.settings.sendTimeoutMs;
    for (const entry of this.pending.values()) {
      if (entry.messages[0]!.queuedMs > oldest) break;
      this.settle(entry);
      const error = entry.sent
        ? failure('unknown-outcome', `no receipt within the send timeout (${this.settings.sendTimeoutMs} ms)`)
        : failure(
            'not-connected',
            `not connected for the whole send timeout (${this.settings.sendTimeoutMs} ms); not sent`,
          );
      for (const m of entry.messages) m.callback.failed(error);
    }
    while (this.queue.length > 0 && this.queue[0]!.queuedMs <= oldest) {
      const m = this.queue.shift()!;
      this.queuedBytes -= m.value.length;
      m.callback.failed(
        failure('not-connected', `not sent within the send timeout (${this.settings.sendTimeoutMs} ms)`),
      );
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.flushTimer);
    clearInterval(this.timeoutCheck);
    const closedError = failure('producer-closed', 'the producer was closed before it could send');
    for (const m of this.queue.splice(0)) m.callback.failed(closedError);
    const unanswered = failure('unknown-outcome', 'the producer was closed before the broker answered');
    for (const entry of [...this.pending.values()]) {
      this.settle(entry);
      for (const m of entry.messages) m.callback.failed(entry.sent ? unanswered : closedError);
    }
    const connection = this.connection;
    this.connection = undefined;
    if (connection && !connection.closed) {
      connection.removeProducer(this.producerId);
      await connection
        .request(
          (requestId) => ({ type: Cmd.CLOSE_PRODUCER, closeProducer: { producerId: this.producerId, requestId } }),
          5_000,
        )
        .catch(() => undefined);
    }
  }
}
