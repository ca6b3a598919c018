/**
 * A Pulsar producer over one WebSocket per topic that reconnects when the socket drops. Each message is a JSON
 * frame whose `context` names its batch and index, so each ack is told as it comes and a batch settles once every
 * message was answered or failed. How a message fails says what is known of it (the error's `type`, counted per
 * kind in the results):
 * - `unknown-outcome`: it was sent, but the socket dropped (or no answer came in time) before its answer — it may
 *   or may not be in the log; never counted acknowledged;
 * - `not-connected`: the producer was reconnecting for the whole send timeout; it was never sent;
 * - `producer-closed`: the producer was closed before it could be sent;
 * - otherwise the broker's own answer (e.g. `send-error`).
 */
import type WebSocket from 'ws';
import type { AckListener, OutgoingMessage, ProducerHandle } from '../driver.js';
import { partitionOfMessageId } from './message-id.js';
import { ReconnectingSocket } from './reconnecting-socket.js';
import { parseProducerReply, type ProblemCounter } from './websocket-frames.js';

export type ProducerFailureKind = 'unknown-outcome' | 'not-connected' | 'producer-closed';

/** Beyond the send timeout (which the WebSocket service applies itself), how long an answer may take. */
export const REPLY_GRACE_MS = 10_000;

function failure(kind: string, message: string): Error {
  return Object.assign(new Error(message), { type: kind });
}

class PendingBatch {
  private readonly answered: Uint8Array;
  private remaining: number;
  private firstFailure: Error | undefined;
  /** The reply or reconnect deadline. */
  timer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: string,
    readonly messages: OutgoingMessage[],
    private readonly onAcked: AckListener,
    private readonly resolve: () => void,
    private readonly reject: (error: Error) => void,
  ) {
    this.answered = new Uint8Array(messages.length);
    this.remaining = messages.length;
  }

  get settled(): boolean {
    return this.remaining === 0;
  }

  acked(index: number, ackMs: number, partition: number): void {
    if (!this.open(index)) return;
    this.onAcked([index], ackMs, partition);
    this.answer();
  }

  failed(index: number, error: Error): void {
    if (!this.open(index)) return;
    this.firstFailure ??= error;
    this.answer();
  }

  /** Fails every message not answered yet. */
  failRest(error: Error): void {
    for (let index = 0; index < this.answered.length; index++)
      if (this.answered[index] === 0) this.failed(index, error);
  }

  private open(index: number): boolean {
    if (!(index >= 0 && index < this.answered.length) || this.answered[index] === 1) return false;
    this.answered[index] = 1;
    return true;
  }

  private answer(): void {
    if (--this.remaining > 0) return;
    clearTimeout(this.timer);
    if (this.firstFailure) this.reject(this.firstFailure);
    else this.resolve();
  }
}

export class WebSocketProducer implements ProducerHandle {
  private readonly connection: ReconnectingSocket;
  /** Sent on the current socket, awaiting answers. */
  private readonly inFlight = new Map<string, PendingBatch>();
  /** Waiting for a socket (while reconnecting), in send order. */
  private readonly waiting: PendingBatch[] = [];
  private nextBatch = 0;
  private closed = false;

  constructor(
    url: string,
    what: string,
    private readonly sendTimeoutMs: number,
    private readonly clock: () => number,
    private readonly skipped: ProblemCounter,
    log: (line: string) => void,
  ) {
    this.connection = new ReconnectingSocket(
      url,
      what,
      {
        onOpen: (socket) => this.sendWaiting(socket),
        onMessage: (text) => this.onReply(text),
        onDown: (reason) => this.failInFlight(`the producer WebSocket ${reason} before the broker answered`),
      },
      log,
    );
  }

  /** The first connection (a failure is a start-up error). */
  connect(): Promise<void> {
    return this.connection.connect();
  }

  get reconnects(): number {
    return this.connection.reconnects;
  }

  send(_topic: string, messages: OutgoingMessage[], onAcked: AckListener): Promise<void> {
    return new Promise((resolve, reject) => {
      const batch = new PendingBatch(String(this.nextBatch++), messages, onAcked, resolve, reject);
      if (messages.length === 0) return resolve();
      if (this.closed) return batch.failRest(failure('producer-closed', 'the producer was closed'));
      const socket = this.connection.current;
      if (socket && this.waiting.length === 0) return this.transmit(batch, socket);
      this.waiting.push(batch);
      batch.timer = setTimeout(() => this.expire(batch), this.sendTimeoutMs);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const batch of this.waiting.splice(0))
      batch.failRest(failure('producer-closed', 'the producer was closed before it could send'));
    await this.connection.close();
    this.failInFlight('the producer was closed before the broker answered');
  }

  private transmit(batch: PendingBatch, socket: WebSocket): void {
    this.inFlight.set(batch.id, batch);
    batch.timer = setTimeout(() => this.noAnswer(batch), this.sendTimeoutMs + REPLY_GRACE_MS);
    batch.messages.forEach((message, index) => {
      const frame: Record<string, string> = {
        payload: message.value.toString('base64'),
        context: `${batch.id}.${index}`,
      };
      if (message.key) frame.key = message.key.toString();
      socket.send(JSON.stringify(frame));
    });
  }

  private sendWaiting(socket: WebSocket): void {
    while (this.waiting.length > 0 && this.connection.current === socket) {
      const batch = this.waiting.shift()!;
      clearTimeout(batch.timer);
      this.transmit(batch, socket);
    }
  }

  /** A batch that waited for a connection for the whole send timeout: never sent. */
  private expire(batch: PendingBatch): void {
    const at = this.waiting.indexOf(batch);
    if (at < 0) return;
    this.waiting.splice(at, 1);
    batch.failRest(
      failure(
        'not-connected',
        `the producer WebSocket was reconnecting for the whole send timeout (${this.sendTimeoutMs} ms); not sent`,
      ),
    );
  }

  /** The broker did not answer within the send timeout and a grace: treat the socket as dead. */
  private noAnswer(batch: PendingBatch): void {
    if (!this.inFlight.has(batch.id)) return;
    this.connection.drop(`gave no answer within ${this.sendTimeoutMs + REPLY_GRACE_MS} ms`);
    // drop() failed every batch in flight on that socket; a batch left here had no socket to drop.
    if (this.inFlight.delete(batch.id)) batch.failRest(failure('unknown-outcome', 'no answer from the broker in time'));
  }

  private onReply(text: string): void {
    const reply = parseProducerReply(text);
    const context = reply.ok ? reply.value.context : reply.context;
    if (!reply.ok) this.skipped.record(reply.reason, text);
    if (context === undefined) return;
    const dot = context.indexOf('.');
    const batch = this.inFlight.get(dot < 0 ? context : context.slice(0, dot));
    const index = dot < 0 ? -1 : Number(context.slice(dot + 1));
    if (!batch || !Number.isInteger(index)) {
      if (reply.ok) this.skipped.record('names no message in flight', text);
      return;
    }
    if (!reply.ok) batch.failed(index, failure('unknown-outcome', `an unreadable answer (${reply.reason})`));
    else if (reply.value.result === 'ok')
      batch.acked(index, this.clock(), reply.value.messageId ? partitionOfMessageId(reply.value.messageId) : -1);
    else
      batch.failed(
        index,
        failure(reply.value.result, `${reply.value.result}${reply.value.errorMsg ? `: ${reply.value.errorMsg}` : ''}`),
      );
    if (batch.settled) this.inFlight.delete(batch.id);
  }

  /** Every message sent on the lost socket and not answered: its outcome is unknown. */
  private failInFlight(message: string): void {
    const batches = [...this.inFlight.values()];
    this.inFlight.clear();
    for (const batch of batches) batch.failRest(failure('unknown-outcome', message));
  }
}
