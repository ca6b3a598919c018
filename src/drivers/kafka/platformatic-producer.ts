/**
 * A producer on @platformatic/kafka that keeps faultline's books exact. Every partition has a lane: its share
 * of each send waits there, and a lane's request carries whole shares (up to batchSize bytes, after linger).
 * One request is one partition's, so a partition's acknowledgement is its own (a partition stuck behind a
 * dead leader holds back no other) and a failure names exactly the messages it failed.
 *
 * Retries are this module's, not the library's (which resends to the leader it first looked up): each attempt
 * looks the leader up afresh, so a leader kill is ridden out as the Java client does. Idempotent: one request
 * in flight per partition, and a retry resends the same messages with the same sequence numbers (the library
 * advances a partition's number only on success), so a write whose answer was lost is answered as a duplicate
 * and not written twice. When a request fails for good its outcome is unknown (written or not?); the next ones
 * then go through a fresh library producer (a new producer id whose numbers start anew), as the Java client
 * bumps its epoch: reusing the numbers would make the broker answer "duplicate" to messages it never wrote.
 */
import type { MessageToProduce, Producer } from '@platformatic/kafka';
import type { TopicSpec } from '../../scenario/schema.js';
import { defaultPartitioner, indexesByPartition, type PartitionOf } from './partitioning.js';
import { type AckListener, allSettledOrFirstFailure, type OutgoingMessage, type ProducerHandle } from '../driver.js';
import type { PlatformaticProducerOptions } from './platformatic-options.js';

/** One send's share of a partition, waiting in its lane or in flight. */
interface Share {
  messages: OutgoingMessage[];
  bytes: number;
  acked: (ackMs: number) => void;
  settle: (error?: unknown) => void;
}

interface Lane {
  partition: number;
  waiting: Share[];
  waitingBytes: number;
  inFlight: number;
  timer: NodeJS.Timeout | undefined;
}

const BACKOFF_START_MS = 100;
const BACKOFF_MAX_MS = 2_000;

export class PlatformaticProducer implements ProducerHandle {
  private readonly partitionOf: PartitionOf;
  private readonly lanes = new Map<number, Lane>();
  private client: Producer;
  private readonly retired: Producer[] = [];
  private closed = false;

  constructor(
    private readonly create: () => Producer,
    private readonly options: PlatformaticProducerOptions,
    topic: TopicSpec,
    private readonly clock: () => number,
    private readonly log: (line: string) => void,
  ) {
    this.client = create();
    // The same keys land on the same partitions whichever Kafka driver runs (partitioning.ts).
    this.partitionOf = defaultPartitioner(topic);
  }

  async send(topic: string, messages: OutgoingMessage[], onAcked: AckListener): Promise<void> {
    const byPartition = indexesByPartition(messages, this.partitionOf);
    const shares = [...byPartition].map(
      ([partition, indexes]) =>
        new Promise<void>((resolve, reject) => {
          const share = indexes.map((i) => messages[i]!);
          this.enqueue(topic, partition, {
            messages: share,
            bytes: share.reduce((sum, m) => sum + m.value.length + (m.key?.length ?? 0), 0),
            acked: (ackMs) => onAcked(indexes, ackMs, partition),
            settle: (error) => (error === undefined ? resolve() : reject(error)),
          });
        }),
    );
    await allSettledOrFirstFailure(shares);
  }

  private enqueue(topic: string, partition: number, share: Share): void {
    if (this.closed) {
      share.settle(closedError());
      return;
    }
    let lane = this.lanes.get(partition);
    if (!lane) {
      lane = { partition, waiting: [], waitingBytes: 0, inFlight: 0, timer: undefined };
      this.lanes.set(partition, lane);
    }
    lane.waiting.push(share);
    lane.waitingBytes += share.bytes;
    this.pump(topic, lane);
  }

  /** Sends what the lane may send now: within the in-flight bound, once linger passed or batchSize filled. */
  private pump(topic: string, lane: Lane): void {
    const { linger, batchSize, idempotent } = this.options;
    while (lane.waiting.length > 0 && (!idempotent || lane.inFlight === 0)) {
      if (linger > 0 && lane.waitingBytes < batchSize) {
        lane.timer ??= setTimeout(() => {
          lane.timer = undefined;
          this.flush(topic, lane);
        }, linger);
        return;
      }
      this.dispatch(topic, lane);
    }
  }

  /** Linger passed: the lane's waiting shares go out (within the in-flight bound). */
  private flush(topic: string, lane: Lane): void {
    while (lane.waiting.length > 0 && (!this.options.idempotent || lane.inFlight === 0)) this.dispatch(topic, lane);
  }

  /** One request from the lane's first waiting shares, whole shares up to batchSize bytes (at least one). */
  private dispatch(topic: string, lane: Lane): void {
    if (lane.timer) {
      clearTimeout(lane.timer);
      lane.timer = undefined;
    }
    const shares: Share[] = [];
    let bytes = 0;
    while (lane.waiting.length > 0) {
      const next = lane.waiting[0]!;
      if (shares.length > 0 && bytes + next.bytes > this.options.batchSize) break;
      shares.push(lane.waiting.shift()!);
      bytes += next.bytes;
    }
    lane.waitingBytes -= bytes;
    lane.inFlight++;
    void this.request(topic, lane.partition, shares).finally(() => {
      lane.inFlight--;
      this.pump(topic, lane);
    });
  }

  /** Sends the shares as one request, retried (fresh metadata each time) until acknowledged or out of tries. */
  private async request(topic: string, partition: number, shares: Share[]): Promise<void> {
    const messages: MessageToProduce<Buffer, Buffer, Buffer, Buffer>[] = [];
    for (const share of shares)
      for (const m of share.messages) messages.push({ topic, partition, value: m.value, key: m.key ?? undefined });
    const { acks, compression, idempotent, retries } = this.options;
    let client = this.client;
    for (let attempt = 0; ; attempt++) {
      if (this.closed) {
        for (const share of shares) share.settle(closedError());
        return;
      }
      try {
        // The library mutates what it is given (timestamps, partitions): each attempt gets its own copies.
        await client.send({
          messages: messages.map((m) => ({ ...m })),
          acks,
          compression,
          ...(idempotent ? { idempotent: true } : {}),
        });
        const ackMs = this.clock();
        for (const share of shares) {
          share.acked(ackMs);
          share.settle();
        }
        return;
      } catch (error) {
        if (attempt < retries && retriable(error) && !this.closed) {
          this.log(`produce to ${topic}/${partition} failed (${describe(error)}); retry ${attempt + 1} of ${retries}`);
          await new Promise((resolve) =>
            setTimeout(resolve, Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** attempt)),
          );
          client.clearMetadata();
          if (!idempotent) client = this.client;
          continue;
        }
        if (idempotent) this.replace(client);
        const failure = Object.assign(new Error(`produce to ${topic}/${partition} failed: ${describe(error)}`), {
          type: kindOf(error),
          cause: error,
        });
        for (const share of shares) share.settle(failure);
        return;
      }
    }
  }

  /** Retires a library producer whose request failed for good: later requests go through a fresh one. */
  private replace(failed: Producer): void {
    if (this.client !== failed || this.closed) return;
    this.retired.push(failed);
    this.client = this.create();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const lane of this.lanes.values()) {
      if (lane.timer) clearTimeout(lane.timer);
      for (const share of lane.waiting.splice(0)) share.settle(closedError());
    }
    await Promise.all(
      [...this.retired, this.client].map(
        (client) => new Promise<void>((resolve) => client.close(true, () => resolve())),
      ),
    );
  }
}

function closedError(): Error {
  return Object.assign(new Error('the producer was closed before it could send'), { type: 'producer-closed' });
}

interface LibraryError {
  name?: string;
  message?: string;
  apiId?: string;
  canRetry?: boolean;
  hasStaleMetadata?: boolean;
  closed?: boolean;
  errors?: unknown[];
}

/** The errors inside a library error (MultipleErrors nests them), innermost last. */
function flatten(error: unknown, into: LibraryError[] = []): LibraryError[] {
  if (error && typeof error === 'object') {
    const e = error as LibraryError;
    into.push(e);
    if (Array.isArray(e.errors)) for (const inner of e.errors) flatten(inner, into);
  }
  return into;
}

/**
 * Worth another attempt: a lost connection, a timeout (outcome unknown: resent with the same sequence numbers
 * when idempotent) or a broker error Kafka calls retriable (a leader moved). Not: a closed client, or a broker
 * error that will not change (a record too large, a sequence out of order).
 */
function retriable(error: unknown): boolean {
  const all = flatten(error);
  if (all.some((e) => e.closed === true || e.name === 'UserError')) return false;
  const protocol = all.filter((e) => typeof e.apiId === 'string');
  if (protocol.length > 0) return protocol.every((e) => e.canRetry === true || e.hasStaleMetadata === true);
  return true;
}

/** The kind of a failure for the run's error counts: the broker's error name, else the innermost error's. */
function kindOf(error: unknown): string {
  const all = flatten(error);
  const protocol = all.find((e) => typeof e.apiId === 'string');
  if (protocol) return protocol.apiId!;
  return all.at(-1)?.name ?? 'Error';
}

function describe(error: unknown): string {
  const all = flatten(error);
  const innermost = all.at(-1);
  return `${kindOf(error)}: ${innermost?.message ?? String(error)}`;
}
