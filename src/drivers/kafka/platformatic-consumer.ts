/**
 * A consumer group on @platformatic/kafka. Each member's stream sends its next fetch as soon as the last answer
 * is parsed, without waiting for the sink (the stream's buffer, highWaterMark messages, holds what the sink has
 * not taken yet): a message waits in the broker for a fetch already there, so end to end measures the broker.
 *
 * The library ends a stream when a fetch fails past its retries (a killed leader): the member then commits
 * the positions it reached and opens a new stream from them, until the group is closed.
 */
import { type Consumer, MessagesStreamFallbackModes, MessagesStreamModes } from '@platformatic/kafka';
import { InfrastructureError } from '../../errors.js';
import type { ConsumerGroupHandle, ConsumerGroupRequest } from '../driver.js';
import type { PlatformaticConsumerOptions } from './platformatic-options.js';

const RESTART_MAX_MS = 2_000;
const AUTOCOMMIT_MS = 1_000;

type Stream = Awaited<ReturnType<Consumer['consume']>>;

/**
 * @platformatic/kafka 1.35 throws, inside a callback, when a group operation looks up a coordinator broker that
 * the metadata no longer lists (a killed broker): a TypeError no caller can catch, which would end the harness.
 * While members are open, such an error (its stack in the library) makes every member reopen, as a failed
 * rejoin does; any other uncaught error is thrown again as if this listener were not there.
 */
const liveMembers = new Set<{ trouble(what: string): void }>();

function onUncaught(error: Error): void {
  if (error?.stack?.includes('@platformatic/kafka') && liveMembers.size > 0) {
    for (const member of liveMembers) member.trouble(`the client library failed (${error.message})`);
    return;
  }
  process.off('uncaughtException', onUncaught);
  process.nextTick(() => {
    throw error;
  });
}

function track(member: { trouble(what: string): void }, live: boolean): void {
  if (live) liveMembers.add(member);
  else liveMembers.delete(member);
  const listening = process.listeners('uncaughtException').includes(onUncaught);
  if (liveMembers.size > 0 && !listening) process.on('uncaughtException', onUncaught);
  if (liveMembers.size === 0 && listening) process.off('uncaughtException', onUncaught);
}

class Member {
  private stream: Stream | undefined;
  /** Last offset that reached the sink, per partition (reading resumes after it). */
  private readonly positions = new Map<number, bigint>();
  private closed = false;
  private restarting = false;
  private restarts = 0;

  constructor(
    readonly consumer: Consumer,
    private readonly request: ConsumerGroupRequest,
    private readonly options: PlatformaticConsumerOptions,
    private readonly clock: () => number,
    private readonly log: (line: string) => void,
  ) {
    // The library emits 'error' when rejoining the group failed (a killed coordinator): without a listener
    // that would end the process.
    consumer.on('error', (error: Error) => this.trouble(`the consumer left its group (${error.message})`));
    track(this, true);
  }

  /** Something ended this member's reading: reopen it (once at a time) unless the group is closing. */
  trouble(what: string): void {
    if (this.closed || this.restarting) return;
    this.restarting = true;
    this.log(`${what}: consumer of ${this.request.group} reopens from its positions`);
    void this.restart().finally(() => {
      this.restarting = false;
    });
  }

  async start(): Promise<void> {
    const { topic, sink } = this.request;
    const stream = await this.consumer.consume({
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
    this.stream = stream;
    stream.on('data', (message) => {
      const receivedMs = this.clock();
      this.positions.set(message.partition, message.offset);
      if (message.value)
        sink(message.value, receivedMs, message.partition, String(message.offset), Number(message.timestamp));
    });
    stream.on('error', (error: Error) => this.trouble(`the consumer stream ended (${error.message})`));
  }

  /** Commits the positions the sink reached, then reads on from them in a new stream; retried until closed. */
  private async restart(): Promise<void> {
    while (!this.closed) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(RESTART_MAX_MS, 100 * 2 ** this.restarts++)));
      if (this.closed) return;
      try {
        const old = this.stream;
        this.stream = undefined;
        if (old && !old.destroyed) await new Promise<void>((resolve) => old.close(() => resolve()));
        this.consumer.clearMetadata();
        const offsets = [...this.positions].map(([partition, last]) => ({
          topic: this.request.topic.name,
          partition,
          offset: last + 1n,
          leaderEpoch: -1,
        }));
        if (offsets.length > 0) await this.consumer.commit({ offsets });
        await this.start();
        this.restarts = 0;
        return;
      } catch (error) {
        this.log(
          `reopening the consumer stream of ${this.request.group} failed (${error instanceof Error ? error.message : String(error)})`,
        );
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    track(this, false);
    const stream = this.stream;
    if (stream) await new Promise<void>((resolve) => stream.close(() => resolve()));
    await new Promise<void>((resolve) => this.consumer.close(true, () => resolve()));
  }
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
        const consumer = create(index);
        const member = new Member(consumer, request, options, clock, log);
        group.members.push(member);
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
