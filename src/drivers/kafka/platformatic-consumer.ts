/**
 * A consumer group on @platformatic/kafka. Each member's stream keeps a fetch in flight per leader broker and
 * sends the next one as soon as the last answer from that broker is read: a message waits in the broker for a
 * fetch already there, so end to end measures the broker. Each answer's records go to the sink as they are read
 * from its raw record batches (light-fetch.ts, record-batches.ts): no message object per record.
 *
 * The library ends a stream when a fetch fails past its retries (a killed leader): the member then commits
 * the positions it reached and opens a new stream from them, until the group is closed.
 *
 * @platformatic/kafka 1.35 looks its group coordinator up once and never again: when the coordinator's broker is
 * killed, every group operation of that client object (heartbeat, commit, join, leave) goes on to the dead
 * broker, and once the broker is fenced the library throws (below). So a reopen that failed, or that follows
 * such a throw or a failed rejoin, replaces the client object with a fresh one (a fresh coordinator lookup),
 * and every step of a reopen is bounded: a library call that never calls back cannot hold the member forever.
 * The fresh client joins as a new member: Kafka's classic group protocol then waits for the old member's
 * session to expire (`sessionTimeout`) before it assigns the partitions again.
 */
import { type Consumer, MessagesStreamFallbackModes, MessagesStreamModes } from '@platformatic/kafka';
import { InfrastructureError } from '../../errors.js';
import type { ConsumerGroupHandle, ConsumerGroupRequest } from '../driver.js';
import type { PlatformaticConsumerOptions } from './platformatic-options.js';
import { timeBoxed } from '../../time-box.js';
import { deliverRawRecords } from './light-fetch.js';
import { safeOffset, visitRecordBatches } from './record-batches.js';

const RESTART_MAX_MS = 2_000;
const AUTOCOMMIT_MS = 1_000;
/** Bound of each step of a reopen but the join (closing a stream or a client, committing). */
const STEP_MS = 5_000;

type Stream = Awaited<ReturnType<Consumer['consume']>>;

/**
 * @platformatic/kafka 1.35 throws, inside a callback, when a group operation looks up a coordinator broker that
 * the metadata no longer lists (a killed broker, once fenced): `metadata.brokers.get(coordinatorId)` is undefined
 * and the connection pool reads its `host` (consumer.js #performGroupOperation → connection-pool.js #get) — a
 * TypeError no caller can catch, which would end the harness. While members are open, such an error (its stack
 * in the library) makes every member reopen on a fresh client, as a failed rejoin does; any other uncaught error
 * is thrown again as if this listener were not there.
 */
const liveMembers = new Set<{ trouble(what: string, coordinatorLost?: boolean): void }>();

/** True when `error` was thrown by @platformatic/kafka's own code (its stack says so). */
export function thrownByTheLibrary(error: unknown): boolean {
  return error instanceof Error && (error.stack?.includes('@platformatic/kafka') ?? false);
}

function onUncaught(error: Error): void {
  if (thrownByTheLibrary(error) && liveMembers.size > 0) {
    for (const member of liveMembers)
      member.trouble(`the client library threw (${error.name}: ${error.message})`, true);
    return;
  }
  process.off('uncaughtException', onUncaught);
  process.nextTick(() => {
    throw error;
  });
}

/** Resolves with `promise`, or rejects when it has not settled within `ms` (saying which step it was). */
export function bounded<T>(promise: Promise<T>, ms: number, step: string): Promise<T> {
  return timeBoxed(promise, ms, `${step} did not finish within ${ms} ms`);
}

/**
 * Closes a client object for good: leaving its group first (close(true)); when that fails or hangs (a coordinator
 * the object cannot reach), its connections are closed without the leave (the library's base close), so no
 * socket or timer of it is left. (Its 'error' events are ignored: the member listens only to its current one.)
 */
async function retire(consumer: Consumer): Promise<void> {
  try {
    await bounded(
      new Promise<void>((resolve, reject) => consumer.close(true, (error) => (error ? reject(error) : resolve()))),
      STEP_MS,
      'leaving the group',
    );
    return;
  } catch {
    // the leave failed: close the connections without it
  }
  const base = Object.getPrototypeOf(Object.getPrototypeOf(consumer)) as {
    close(this: Consumer, callback: (error?: Error | null) => void): void;
  };
  try {
    await bounded(new Promise<void>((resolve) => base.close.call(consumer, () => resolve())), STEP_MS, 'closing');
  } catch {
    // nothing more can be done
  }
}

function track(member: { trouble(what: string, coordinatorLost?: boolean): void }, live: boolean): void {
  if (live) liveMembers.add(member);
  else liveMembers.delete(member);
  const listening = process.listeners('uncaughtException').includes(onUncaught);
  if (liveMembers.size > 0 && !listening) process.on('uncaughtException', onUncaught);
  if (liveMembers.size === 0 && listening) process.off('uncaughtException', onUncaught);
}

class Member {
  private consumer: Consumer;
  private stream: Stream | undefined;
  /** Last offset that reached the sink, per partition (reading resumes after it). */
  private readonly positions = new Map<number, bigint>();
  private closed = false;
  private restarting = false;
  private restarts = 0;
  /** The client object cannot reach its coordinator (see above): the next reopen replaces it. */
  private coordinatorLost = false;
  /** Closes of replaced client objects under way. */
  private readonly retiring: Array<Promise<void>> = [];

  constructor(
    private readonly create: () => Consumer,
    private readonly request: ConsumerGroupRequest,
    private readonly options: PlatformaticConsumerOptions,
    private readonly clock: () => number,
    private readonly log: (line: string) => void,
    private readonly onJoin: (consumer: Consumer) => void,
  ) {
    this.consumer = this.adopt(create());
    track(this, true);
  }

  private adopt(consumer: Consumer): Consumer {
    // Each fetch answer reaches the sink per partition, read from its raw batches (light-fetch.ts): no message
    // objects. Only the current stream's answers count; another stream's answer is dropped without moving that
    // stream on (undefined: nothing read), so nothing is skipped unread.
    deliverRawRecords(consumer, (pool, partition, records, fromOffset) => {
      const live = this.stream !== undefined && !this.closed && pool === this.stream.connections;
      return live ? this.deliver(partition, records, fromOffset) : undefined;
    });
    // The library emits 'error' when rejoining the group failed (a killed coordinator): without a listener
    // that would end the process.
    consumer.on('error', (error: Error) => {
      if (consumer === this.consumer) this.trouble(`the consumer left its group (${error.message})`, true);
    });
    this.onJoin(consumer);
    return consumer;
  }

  /** One partition's records from a fetch answer: each to the sink, received when the answer was read. */
  private deliver(partition: number, records: Buffer, fromOffset: bigint) {
    const { sink } = this.request;
    const receivedMs = this.clock();
    let last = -1;
    const span = visitRecordBatches(records, safeOffset(fromOffset), (value, offset, timestampMs) => {
      last = offset;
      if (value) sink(value, receivedMs, partition, String(offset), timestampMs);
    });
    if (last >= 0) this.positions.set(partition, BigInt(last));
    return span;
  }

  /** Something ended this member's reading: reopen it (once at a time) unless the group is closing. */
  trouble(what: string, coordinatorLost = false): void {
    if (coordinatorLost) this.coordinatorLost = true;
    if (this.closed) return;
    this.log(
      `${what}: consumer of ${this.request.group} ${this.restarting ? 'is reopening' : 'reopens from its positions'}`,
    );
    if (this.restarting) return;
    this.restarting = true;
    void this.restart().finally(() => {
      this.restarting = false;
    });
  }

  async start(): Promise<void> {
    const { topic, sink } = this.request;
    const consumer = this.consumer;
    const stream = await consumer.consume({
      topics: [topic.name],
      mode: MessagesStreamModes.COMMITTED,
      fallbackMode: MessagesStreamFallbackModes.EARLIEST,
      autocommit: AUTOCOMMIT_MS,
      maxWaitTime: this.options.maxWaitTime,
      minBytes: this.options.minBytes,
      maxBytesPerPartition: this.options.maxBytesPerPartition,
      highWaterMark: this.options.highWaterMark,
      sessionTimeout: this.options.sessionTimeout,
      heartbeatInterval: this.options.heartbeatInterval,
    });
    // Closed meanwhile, or a join that outlived its bound on a client since replaced: not this member's stream.
    if (this.closed || consumer !== this.consumer) {
      await new Promise<void>((resolve) => stream.close(() => resolve()));
      return;
    }
    this.stream = stream;
    // Messages come here only where the library parsed a fetch itself (light-fetch.ts says when).
    stream.on('data', (message) => {
      const receivedMs = this.clock();
      this.positions.set(message.partition, message.offset);
      if (message.value)
        sink(message.value, receivedMs, message.partition, String(message.offset), Number(message.timestamp));
    });
    stream.on('error', (error: Error) => this.trouble(`the consumer stream ended (${error.message})`));
  }

  /**
   * Commits the positions the sink reached, then reads on from them in a new stream; retried until closed. A
   * reopen that failed, or one after the client object lost its coordinator, uses a fresh client object.
   */
  private async restart(): Promise<void> {
    while (!this.closed) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(RESTART_MAX_MS, 100 * 2 ** this.restarts++)));
      if (this.closed) return;
      try {
        const old = this.stream;
        this.stream = undefined;
        if (old && !old.destroyed)
          await bounded(
            new Promise<void>((resolve) => old.close(() => resolve())),
            STEP_MS,
            'closing the stream',
          ).catch(() => {});
        const fresh = this.coordinatorLost;
        if (fresh) {
          this.coordinatorLost = false;
          const gone = this.consumer;
          this.consumer = this.adopt(this.create());
          this.log(`consumer of ${this.request.group}: a fresh client (its coordinator looked up again)`);
          // Closed beside the reopen (its leave may wait on the dead coordinator); the group's close waits for it.
          this.retiring.push(retire(gone));
        } else this.consumer.clearMetadata();
        const offsets = [...this.positions].map(([partition, last]) => ({
          topic: this.request.topic.name,
          partition,
          offset: last + 1n,
          leaderEpoch: -1,
        }));
        if (offsets.length > 0) {
          try {
            await bounded(this.consumer.commit({ offsets }), STEP_MS, 'committing');
          } catch (error) {
            // A fresh client is not a member yet: the coordinator may refuse its commit while the group has
            // members. Reading then resumes from the group's last commit (what came after is read again).
            if (!fresh) throw error;
            this.log(`consumer of ${this.request.group}: positions not committed (${messageOf(error)})`);
          }
        }
        // The join waits for the old member's session to expire (a fresh client is a new member).
        await bounded(this.start(), this.options.sessionTimeout + STEP_MS, 'joining the group');
        this.restarts = 0;
        return;
      } catch (error) {
        this.coordinatorLost = true;
        this.log(`reopening the consumer stream of ${this.request.group} failed (${messageOf(error)})`);
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    track(this, false);
    const stream = this.stream;
    if (stream)
      await bounded(new Promise<void>((resolve) => stream.close(() => resolve())), STEP_MS, 'closing').catch(() => {});
    await Promise.all([retire(this.consumer), ...this.retiring]);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class PlatformaticConsumerGroup implements ConsumerGroupHandle {
  readonly ordered = true;
  private readonly members: Member[] = [];

  static async open(
    request: ConsumerGroupRequest,
    options: PlatformaticConsumerOptions,
    create: (member: number) => Consumer,
    clock: () => number,
    log: (line: string) => void,
  ): Promise<PlatformaticConsumerGroup> {
    const group = new PlatformaticConsumerGroup();
    const latestAssignment = new Map<number, number[]>();
    let signalReady: () => void = () => {};
    const ready = Object.assign(new Promise<void>((resolve) => (signalReady = resolve)), { settled: false });
    void ready.then(() => (ready.settled = true));
    const checkReady = () => {
      if (latestAssignment.size < request.members) return;
      const assigned = [...latestAssignment.values()].flat();
      if (assigned.length === request.topic.partitions && new Set(assigned).size === request.topic.partitions)
        signalReady();
    };
    try {
      for (let index = 0; index < request.members; index++) {
        const onJoin = (consumer: Consumer) =>
          consumer.on('consumer:group:join', (payload) => {
            const mine = payload.assignments?.find((a) => a.topic === request.topic.name);
            latestAssignment.set(index, mine?.partitions ?? []);
            // After the group was ready, a join is a rebalance: members resume from the last committed offsets.
            if (ready.settled)
              log(
                `consumer ${index} of ${request.group} rejoined (generation ${payload.generationId}): partitions ${mine?.partitions.join(',') ?? 'none'}`,
              );
            checkReady();
          });
        const member = new Member(() => create(index), request, options, clock, log, onJoin);
        group.members.push(member);
        await member.start();
      }
      await waitUntil(ready, request.readyTimeoutMs, request.signal, request.group);
    } catch (error) {
      await group.close();
      throw error;
    }
    return group;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.members.map((member) => member.close()));
  }
}

/** Waits for `ready`, at most `timeoutMs`; an abort ends the wait quietly (the caller checks the signal). */
async function waitUntil(ready: Promise<void>, timeoutMs: number, signal: AbortSignal, group: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    await Promise.race([
      ready,
      new Promise<void>((resolve, reject) => {
        timer = setTimeout(
          () => reject(new InfrastructureError(`consumer group ${group} was not ready within ${timeoutMs} ms`)),
          timeoutMs,
        );
        onAbort = resolve;
        signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
