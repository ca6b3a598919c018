/**
 * A producer on @platformatic/kafka that keeps faultline's books exact. Every partition has a lane: its share
 * of each send waits there, and a request carries whole shares (up to batchSize bytes a partition, after linger).
 *
 * Not idempotent: as the Java client drains a broker's partitions into one request, every lane's waiting shares
 * go out together, one request per leader broker (so a broker that does not answer holds back no other's
 * partitions). The broker answers each partition on its own: a partition it took is acknowledged even when
 * another in the same request failed, and only the failed partition's shares are retried (alone, as below) or
 * failed. Idempotent: one request per partition, one in flight per partition (the library's sequence numbers
 * advance per request, and a partly failed request would leave them wrong).
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
import { defaultPartitioner } from './partitioning.js';
import { StickyPartitioning } from './sticky-partitioning.js';
import type { AckListener, OutgoingMessage, ProducerHandle } from '../driver.js';
import type { PlatformaticProducerOptions } from './platformatic-options.js';

/** One send's share of a partition, waiting in its lane or in flight. */
interface Share {
  messages: OutgoingMessage[];
  bytes: number;
  acked: (ackMs: number) => void;
  settle: (error?: unknown) => void;
}

/** A library message as the producer sends it. */
type LibraryMessage = MessageToProduce<Buffer, Buffer, Buffer, Buffer>;

/** How long the leader of each partition, as the library last knew it, is trusted before it is asked again. */
const LEADERS_MAX_AGE_MS = 1_000;

interface Lane {
  partition: number;
  waiting: Share[];
  waitingBytes: number;
  inFlight: number;
  timer: NodeJS.Timeout | undefined;
}

const BACKOFF_START_MS = 100;
const BACKOFF_MAX_MS = 2_000;

/**
 * How the producer batched: produce requests it made (library sends: one request each, every partition of it led
 * by one broker) and the records and partition batches they carried, with the clock at the first and last. Read by
 * bench/harness-cpu.ts (FAULTLINE_PRODUCE_STATS=1 prints it on close) to show whether two sides batched alike.
 */
export interface ProduceRequestStats {
  requests: number;
  records: number;
  partitionBatches: number;
  firstMs: number;
  lastMs: number;
}

export class PlatformaticProducer implements ProducerHandle {
  private readonly partitioning: StickyPartitioning;
  private readonly lanes = new Map<number, Lane>();
  private client: Producer;
  private readonly retired: Producer[] = [];
  private closed = false;
  /** Not idempotent: the one linger timer, for every lane (their shares go out together). */
  private lingerTimer: NodeJS.Timeout | undefined;
  /** Not idempotent: each partition's leader broker as the library last knew it (to group a request per broker). */
  private leaders = new Map<number, number>();
  private leadersAt = -Infinity;
  private leadersAsked = false;
  readonly stats: ProduceRequestStats = { requests: 0, records: 0, partitionBatches: 0, firstMs: NaN, lastMs: NaN };

  constructor(
    private readonly create: () => Producer,
    private readonly options: PlatformaticProducerOptions,
    topic: TopicSpec,
    private readonly clock: () => number,
    private readonly log: (line: string) => void,
    /** The partition of this producer's first keyless send (its id, so producers start apart). */
    firstPartition = 0,
  ) {
    this.client = create();
    // The same keys land on the same partitions whichever Kafka driver runs (partitioning.ts); keyless messages
    // of a send go to one partition, as the Java client's sticky partitioner does (sticky-partitioning.ts).
    this.partitioning = new StickyPartitioning(topic.partitions, defaultPartitioner(topic), firstPartition);
  }

  /** One promise a send: it settles once every partition's share has (resolved, or rejected with the first failure). */
  send(topic: string, messages: OutgoingMessage[], onAcked: AckListener): Promise<void> {
    const byPartition = this.partitioning.split(messages);
    if (byPartition.size === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let open = byPartition.size;
      let failure: unknown;
      const settle = (error?: unknown) => {
        if (error !== undefined && failure === undefined) failure = error;
        if (--open > 0) return;
        if (failure === undefined) resolve();
        else reject(failure);
      };
      let full = false;
      for (const [partition, indexes] of byPartition) {
        const share: OutgoingMessage[] = new Array(indexes.length);
        let bytes = 0;
        for (let k = 0; k < indexes.length; k++) {
          const m = messages[indexes[k]!]!;
          share[k] = m;
          bytes += m.value.length + (m.key?.length ?? 0);
        }
        const lane = this.enqueue(partition, {
          messages: share,
          bytes,
          acked: (ackMs) => onAcked(indexes, ackMs, partition),
          settle,
        });
        if (!lane) continue;
        if (this.options.idempotent) this.pump(topic, lane);
        else full ||= lane.waitingBytes >= this.options.batchSize;
      }
      if (!this.options.idempotent && !this.closed) this.gather(topic, full);
    });
  }

  /** Puts a share in its partition's lane; undefined (the share failed) once the producer is closed. */
  private enqueue(partition: number, share: Share): Lane | undefined {
    if (this.closed) {
      share.settle(closedError());
      return undefined;
    }
    let lane = this.lanes.get(partition);
    if (!lane) {
      lane = { partition, waiting: [], waitingBytes: 0, inFlight: 0, timer: undefined };
      this.lanes.set(partition, lane);
    }
    lane.waiting.push(share);
    lane.waitingBytes += share.bytes;
    return lane;
  }

  /**
   * Not idempotent: every lane's waiting shares go out now (no linger, or a lane filled batchSize), else when the
   * linger timer fires. As the Java client's sender drains every partition of a broker that has a batch ready.
   */
  private gather(topic: string, now: boolean): void {
    if (!now && this.options.linger > 0) {
      this.lingerTimer ??= setTimeout(() => {
        this.lingerTimer = undefined;
        this.drainLanes(topic);
      }, this.options.linger);
      return;
    }
    this.drainLanes(topic);
  }

  /** Sends every lane's waiting shares: whole shares up to batchSize a partition, one request per leader broker. */
  private drainLanes(topic: string): void {
    if (this.lingerTimer) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
    }
    this.refreshLeaders(topic);
    for (;;) {
      const byBroker = new Map<number, Map<number, Share[]>>();
      for (const lane of this.lanes.values()) {
        if (lane.waiting.length === 0) continue;
        const leader = this.leaders.get(lane.partition) ?? -1;
        let group = byBroker.get(leader);
        if (!group) byBroker.set(leader, (group = new Map()));
        group.set(lane.partition, this.take(lane));
      }
      if (byBroker.size === 0) return;
      for (const group of byBroker.values()) void this.requestPartitions(topic, group);
    }
  }

  /** The lane's first waiting shares, whole shares up to batchSize bytes (at least one). */
  private take(lane: Lane): Share[] {
    const shares: Share[] = [];
    let bytes = 0;
    while (lane.waiting.length > 0) {
      const next = lane.waiting[0]!;
      if (shares.length > 0 && bytes + next.bytes > this.options.batchSize) break;
      shares.push(lane.waiting.shift()!);
      bytes += next.bytes;
    }
    lane.waitingBytes -= bytes;
    return shares;
  }

  /** Asks the library (from its cache) for each partition's leader, when the last answer is older than a second. */
  private refreshLeaders(topic: string): void {
    if (this.leadersAsked || this.clock() - this.leadersAt < LEADERS_MAX_AGE_MS) return;
    this.leadersAsked = true;
    this.client
      .metadata({ topics: [topic] })
      .then(
        (metadata) => {
          const leaders = new Map<number, number>();
          metadata.topics.get(topic)?.partitions.forEach((p, index) => leaders.set(index, p.leader));
          this.leaders = leaders;
          this.leadersAt = this.clock();
        },
        // Unknown leaders: requests are grouped as one until the next answer (the library still splits by broker).
        () => {},
      )
      .finally(() => {
        this.leadersAsked = false;
      });
  }

  /**
   * Not idempotent: one request carrying several partitions' shares (one leader's). Each partition the broker
   * took is acknowledged; a partition that failed is retried alone (request) when worth it, else its shares fail.
   */
  private async requestPartitions(topic: string, group: Map<number, Share[]>): Promise<void> {
    const messages: LibraryMessage[] = [];
    for (const [partition, shares] of group)
      for (const share of shares)
        for (const m of share.messages) messages.push({ topic, partition, value: m.value, key: m.key ?? undefined });
    this.count(messages.length, group.size);
    const { acks, compression } = this.options;
    let failed: PartitionFailures;
    try {
      // The library must not resend a request on its own: partitions the broker took would be written twice.
      await this.client.send({ messages, acks, compression, repeatOnStaleMetadata: false });
      failed = new Map();
    } catch (error) {
      failed = partitionFailures(error, topic, group.keys());
      this.leadersAt = -Infinity;
    }
    const ackMs = this.clock();
    for (const [partition, shares] of group) {
      const failure = failed.get(partition);
      if (failure === undefined) {
        for (const share of shares) {
          share.acked(ackMs);
          share.settle();
        }
      } else if (this.options.retries > 0 && retriable(failure) && !this.closed) {
        void this.request(topic, partition, shares, failure);
      } else {
        const error = failedFor(topic, partition, failure);
        for (const share of shares) share.settle(error);
      }
    }
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

  /** Idempotent: one request from the lane's first waiting shares. */
  private dispatch(topic: string, lane: Lane): void {
    if (lane.timer) {
      clearTimeout(lane.timer);
      lane.timer = undefined;
    }
    const shares = this.take(lane);
    lane.inFlight++;
    void this.request(topic, lane.partition, shares).finally(() => {
      lane.inFlight--;
      this.pump(topic, lane);
    });
  }

  /**
   * Sends one partition's shares as one request, retried (fresh metadata each time) until acknowledged or out of
   * tries. `failedBefore`: the shares' first attempt already failed with it (in a request of several partitions).
   */
  private async request(topic: string, partition: number, shares: Share[], failedBefore?: unknown): Promise<void> {
    const messages: LibraryMessage[] = [];
    for (const share of shares)
      for (const m of share.messages) messages.push({ topic, partition, value: m.value, key: m.key ?? undefined });
    const { acks, compression, idempotent, retries } = this.options;
    let client = this.client;
    for (let attempt = failedBefore === undefined ? 0 : 1; ; attempt++) {
      if (attempt === 1 && failedBefore !== undefined) await this.backoff(topic, partition, failedBefore, 0, client);
      if (this.closed) {
        for (const share of shares) share.settle(closedError());
        return;
      }
      this.count(messages.length, 1);
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
          await this.backoff(topic, partition, error, attempt, client);
          if (!idempotent) client = this.client;
          continue;
        }
        if (idempotent) this.replace(client);
        const failure = failedFor(topic, partition, error);
        for (const share of shares) share.settle(failure);
        return;
      }
    }
  }

  private count(records: number, partitions: number): void {
    const s = this.stats;
    s.requests++;
    s.records += records;
    s.partitionBatches += partitions;
    s.lastMs = this.clock();
    if (s.requests === 1) s.firstMs = s.lastMs;
  }

  /** Says why attempt `attempt` (from 0) failed, waits its backoff and has the library look the leaders up afresh. */
  private async backoff(topic: string, partition: number, error: unknown, attempt: number, client: Producer) {
    this.log(
      `produce to ${topic}/${partition} failed (${describe(error)}); retry ${attempt + 1} of ${this.options.retries}`,
    );
    await new Promise((resolve) => setTimeout(resolve, Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** attempt)));
    client.clearMetadata();
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
    const s = this.stats;
    if (process.env.FAULTLINE_PRODUCE_STATS === '1')
      process.stderr.write(
        `faultline produce requests: ${s.requests} requests, ${s.records} records, ${s.partitionBatches} partition batches over ${((s.lastMs - s.firstMs) / 1000).toFixed(3)} s\n`,
      );
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
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

/** The error a partition's shares fail with: what failed, named by the broker's error when there is one. */
function failedFor(topic: string, partition: number, error: unknown): Error {
  return Object.assign(new Error(`produce to ${topic}/${partition} failed: ${describe(error)}`), {
    type: kindOf(error),
    cause: error,
  });
}

/** The partitions of a request that failed, each with its error; a partition not in it was written. */
type PartitionFailures = Map<number, unknown>;

/**
 * Which partitions of a failed request were not written, from what the library says: a broker's answer names
 * each partition's error (0: written); a request that got no answer (a lost connection, a timeout) failed for
 * every partition it carried, whose outcome is unknown. The library also lists what other brokers took
 * (`produced`), were a request to span several.
 */
export function partitionFailures(error: unknown, topic: string, partitions: Iterable<number>): PartitionFailures {
  const written = new Set<number>();
  const failures: PartitionFailures = new Map();
  const produced = (error as { produced?: { offsets?: Array<{ topic: string; partition: number }> } })?.produced;
  for (const o of produced?.offsets ?? []) if (o.topic === topic) written.add(o.partition);
  for (const e of flatten(error)) {
    const answer = (e as { response?: unknown }).response as ProduceAnswer | undefined;
    if (!answer || !Array.isArray(answer.responses) || typeof e.apiId === 'string') continue;
    answer.responses.forEach((t, i) => {
      if (t.name !== topic) return;
      t.partitionResponses.forEach((p, j) => {
        if (p.errorCode === 0) {
          written.add(p.index);
          return;
        }
        // The library's error for this partition (its path in the answer), else the whole answer's.
        const path = `/responses/${i}/partition_responses/${j}`;
        const own = flatten(e).find((x) => (x as { path?: string }).path === path);
        failures.set(p.index, own ?? e);
      });
    });
  }
  for (const partition of partitions)
    if (!written.has(partition) && !failures.has(partition)) failures.set(partition, error);
  return failures;
}

/** The part of a produce answer this module reads. */
interface ProduceAnswer {
  responses: Array<{ name: string; partitionResponses: Array<{ index: number; errorCode: number }> }>;
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
