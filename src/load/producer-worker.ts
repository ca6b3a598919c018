/**
 * One producer's open-loop schedule. At a fixed rate, message n is *intended* to be sent at n / rate; the
 * worker sends whatever is due in one batch and never waits for acks to send the next (open loop). Latency
 * counts from the intended time, so a stalled broker or a lagging harness shows up in the figures instead of
 * silently lowering the rate (coordinated omission). The schedule may change rate in phases (a burst). At `max`, it keeps up to maxInFlight messages outstanding
 * and the intended time is the send time.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { ProducerHandle } from '../drivers/driver.js';
import type { Collector } from '../metrics/collector.js';
import type { SendBooks } from '../metrics/group-books.js';
import type { RegionalFigures } from '../metrics/regional-figures.js';
import { streamOf } from '../metrics/recovery-tracker.js';
import type { KeyChooser } from './keys.js';
import type { PayloadCodec } from './payload.js';
import type { RateSchedule } from './rate-schedule.js';

export interface ProducerWorkerOptions {
  id: number;
  topic: string;
  /** Position of the topic in the workload (with the partition, names the stream recovery is followed on). */
  topicIndex: number;
  producer: ProducerHandle;
  codec: PayloadCodec;
  keys: KeyChooser;
  /** This producer's open-loop schedule, or null for max rate. */
  schedule: RateSchedule | null;
  /** Monotonic ms (load time) at which producing stops. */
  endMs: number;
  maxInFlight: number;
  /** Sends outstanding at once; while all are out, due messages gather into the next batch. */
  maxInFlightBatches: number;
  maxBatch: number;
  clock: () => number;
  collector: Collector;
  /** Figures of this producer's region, when the scenario has regions. */
  regional?: RegionalFigures;
  /** Where sends, acks and failures are booked (every consumer group's books). */
  ledger: SendBooks;
  signal: AbortSignal;
}

/** The kind of a send failure; a client's "retries exhausted" wrapper is named by what it retried (kafkajs). */
export function errorKind(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { type?: unknown; name?: unknown; cause?: unknown };
    if (e.name === 'KafkaJSNumberOfRetriesExceeded' && e.cause && e.cause !== error) return errorKind(e.cause);
    if (typeof e.type === 'string') return e.type;
    if (typeof e.name === 'string') return e.name;
  }
  return 'Error';
}

export class ProducerWorker {
  private nextSequence = 0;
  private inFlight = 0;
  private batchesInFlight = 0;
  private wake: (() => void) | null = null;
  /** When room was last freed after none was left: messages due before then waited for a send slot. */
  private roomFreedAtMs = -Infinity;
  /** Set at the drain's bound: answers that come later no longer touch the books or the figures. */
  private abandoned = false;

  constructor(private readonly o: ProducerWorkerOptions) {
    // One listener for the run (not one per wait): an abort wakes whatever wait is on.
    o.signal.addEventListener('abort', () => this.wake?.(), { once: true });
  }

  get outstanding(): number {
    return this.inFlight;
  }

  /** Messages handed to the client so far: sequence numbers 0 … sent − 1. */
  get sent(): number {
    return this.nextSequence;
  }

  /** Runs the schedule; resolves when producing ends (acks may still be outstanding). */
  async produce(): Promise<void> {
    if (this.o.schedule === null) await this.produceAtMax();
    else await this.produceOnSchedule(this.o.schedule);
  }

  /**
   * Messages of the schedule not handed to the client (yet): producing ended with every send slot taken by sends
   * the broker had not answered. The drain sends them as room frees; those left at its bound were never sent.
   */
  get unsent(): number {
    return this.o.schedule === null ? 0 : this.o.schedule.total - this.nextSequence;
  }

  /**
   * The drain: sends what producing left unsent (as room frees), and waits until every sent message is
   * acknowledged or failed — at most until `deadlineMs`, whatever the client's own timeouts.
   */
  async settle(deadlineMs: number): Promise<boolean> {
    const { clock, maxBatch, signal, schedule } = this.o;
    while ((this.inFlight > 0 || this.unsent > 0) && clock() < deadlineMs && !signal.aborted) {
      const now = clock();
      const room = this.room();
      const due = schedule && this.unsent > 0 ? Math.min(schedule.dueBy(now), schedule.total) - this.nextSequence : 0;
      if (schedule && due > 0 && room > 0) {
        this.sendBatch(Math.min(due, maxBatch, room), (sequence) => schedule.intendedMs(sequence), now);
        await yieldToEventLoop();
      } else {
        await this.waitForWake(Math.min(100, deadlineMs - now));
      }
    }
    return this.inFlight === 0 && this.unsent === 0;
  }

  /**
   * The drain's bound passed: sends still unanswered keep an unknown outcome (counted unacknowledged, neither
   * acknowledged nor failed) and nothing the client says of them later changes the books or the figures; what was
   * never sent stays unsent. The producer is closed (not awaited: a client may hang on a dead broker; the run's
   * teardown closes it again) so that it stops retrying. Returns what was left.
   */
  abandon(): { unanswered: number; unsent: number } {
    const left = { unanswered: this.inFlight, unsent: this.unsent };
    if (this.abandoned) return left;
    this.abandoned = true;
    this.wake?.();
    if (left.unanswered > 0) this.o.producer.close().catch(() => {});
    return left;
  }

  private async produceOnSchedule(schedule: RateSchedule): Promise<void> {
    const { clock, maxBatch, signal } = this.o;
    const intended = (sequence: number) => schedule.intendedMs(sequence);
    while (this.nextSequence < schedule.total && !signal.aborted) {
      const now = clock();
      const due = schedule.dueBy(now);
      const room = this.room();
      if (due > this.nextSequence && room > 0) {
        this.sendBatch(Math.min(due - this.nextSequence, maxBatch, room), intended, now);
        await yieldToEventLoop();
      } else if (room <= 0) {
        // No room at the end of the window: producing ends here; the drain sends the rest as room frees.
        if (now >= this.o.endMs) return;
        await this.waitForWake(Math.min(100, this.o.endMs - now));
      } else {
        await this.waitForWake(schedule.intendedMs(this.nextSequence) - now);
      }
    }
  }

  private async produceAtMax(): Promise<void> {
    const { clock, maxBatch, maxInFlight, signal, endMs } = this.o;
    const batch = Math.min(maxBatch, maxInFlight);
    while (clock() < endMs && !signal.aborted) {
      if (this.room() >= batch) {
        const now = clock();
        this.sendBatch(batch, () => now, now);
        await yieldToEventLoop();
      } else {
        await this.waitForWake(100);
      }
    }
  }

  /** How many messages may be sent now: none while every batch slot is taken. */
  private room(): number {
    return this.batchesInFlight < this.o.maxInFlightBatches ? this.o.maxInFlight - this.inFlight : 0;
  }

  /** Sends `count` messages from nextSequence on; `intended` tells when each sequence number was due. */
  private sendBatch(count: number, intended: (sequence: number) => number, sentMs: number): void {
    const { id, codec, keys, collector, ledger, topicIndex } = this.o;
    const first = this.nextSequence;
    const messages = new Array(count);
    // Each message's intended time, worked out once: for its payload, its send lag and its ack.
    const intendedMs = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      intendedMs[i] = intended(first + i);
      messages[i] = { key: keys(first + i), value: codec.encode(id, first + i, intendedMs[i]!) };
    }
    this.nextSequence += count;
    this.inFlight += count;
    this.batchesInFlight++;
    ledger.recordSent(count);
    collector.onSent(sentMs, intendedMs, this.roomFreedAtMs);
    let acked = 0;
    const onAcked = (indexes: readonly number[], ackMs: number, partition: number) => {
      if (this.abandoned) return; // answered after the drain's bound: its outcome stays unknown
      // A partition's share is acknowledged together: its figures are recorded at once, its books per message.
      collector.onAcks(intendedMs, indexes, sentMs, ackMs, streamOf(topicIndex, partition));
      const regional = this.o.regional;
      for (let k = 0; k < indexes.length; k++) {
        const i = indexes[k]!;
        regional?.onAck(id, intendedMs[i]!, ackMs);
        ledger.recordAcked(id, first + i);
      }
      acked += indexes.length;
    };
    this.o.producer.send(this.o.topic, messages, onAcked).then(
      () => this.release(count),
      (error: unknown) => {
        if (this.abandoned) return;
        const failed = count - acked;
        collector.onError(`produce:${errorKind(error)}`, this.o.clock(), failed);
        ledger.recordFailed(failed);
        this.release(count);
      },
    );
  }

  private release(count: number): void {
    if (this.abandoned) return; // the books closed with these unanswered
    if (this.room() <= 0) this.roomFreedAtMs = this.o.clock();
    this.inFlight -= count;
    this.batchesInFlight--;
    this.wake?.();
  }

  /** Sleeps up to `ms`; an ack (freeing in-flight room) or an abort wakes it early. One waiter at a time. */
  private waitForWake(ms: number): Promise<void> {
    if (this.o.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.wake = done;
    });
  }
}
