/**
 * What a fault cost, per fault: time from injection until every stream (a topic's partition) that was taking
 * acks in the 5 s before has acknowledged a message intended at or after the injection — the failover time: a
 * partition the fault did not touch counts at once, the one whose leader moved counts when it takes writes
 * again —, until throughput is back at ≥ 90 % of the pre-fault rate held for 3 s, and until every stream
 * consumed before has delivered such a message again (consumers resumed). Acks are also counted in 100 ms
 * buckets for the throughput figure.
 */
import { GrowableUint32Array } from './growable-array.js';

const BUCKET_MS = 100;
const HOLD_MS = 3000;
const PRE_FAULT_WINDOW_MS = 5000;
const RECOVERED_FRACTION = 0.9;

/**
 * recovered: the figure is the time it took; not-recovered: the run went on after the fault (messages were due
 * after it) and it never recovered, so its worst case is unbounded; unmeasured: nothing could show it (no message
 * was due after the fault, too little time was left to hold the throughput, or no consumers ran).
 */
export type RecoveryState = 'recovered' | 'not-recovered' | 'unmeasured';

export interface RecoveryFigures {
  firstAckMs: number | null;
  throughputRecoveredMs: number | null;
  consumerResumedMs: number | null;
  state?: { firstAck: RecoveryState; throughput: RecoveryState; consumer: RecoveryState };
  /** How long after the fault the run watched for recovery (ms). */
  watchedMs?: number;
}

class Buckets {
  private readonly counts = new GrowableUint32Array(1024);

  add(ms: number, count = 1): void {
    const index = Math.max(0, Math.floor(ms / BUCKET_MS));
    this.counts.set(index, this.counts.get(index) + count);
  }

  /** Count in [fromMs, toMs), whole buckets. */
  sum(fromMs: number, toMs: number): number {
    let total = 0;
    for (
      let i = Math.max(0, Math.floor(fromMs / BUCKET_MS));
      i < Math.floor(toMs / BUCKET_MS) && i < this.counts.length;
      i++
    )
      total += this.counts.get(i);
    return total;
  }
}

/** A topic's partition as one number (partition -1: the driver could not tell). */
export function streamOf(topicIndex: number, partition: number): number {
  return topicIndex * 0x100000 + partition + 1;
}

/** Waits for each stream live before a fault to show a message intended after it; `doneMs` when the last did. */
class StreamWait {
  doneMs: number | null = null;

  /** `streams`: the streams to wait for; empty: none was live, so the first one of any stream will do. */
  constructor(
    readonly atMs: number,
    private readonly streams: Set<number>,
  ) {}

  /** Returns true when this event completed the wait. */
  see(intendedMs: number, eventMs: number, stream: number): boolean {
    if (this.doneMs !== null || intendedMs < this.atMs) return false;
    if (this.streams.size > 0 && (!this.streams.delete(stream) || this.streams.size > 0)) return false;
    this.doneMs = eventMs;
    return true;
  }
}

/** When each stream last saw an event; tells which streams were live in a window. */
class StreamActivity {
  private readonly last = new Map<number, number>();

  see(stream: number, atMs: number): void {
    this.last.set(stream, atMs);
  }

  get any(): boolean {
    return this.last.size > 0;
  }

  liveSince(fromMs: number): Set<number> {
    return new Set([...this.last].filter(([, atMs]) => atMs >= fromMs).map(([stream]) => stream));
  }
}

interface Watch {
  atMs: number;
  ack: StreamWait;
  consume: StreamWait;
}

export class RecoveryTracker {
  private readonly acks = new Buckets();
  private readonly ackActivity = new StreamActivity();
  private readonly consumeActivity = new StreamActivity();
  private readonly watches: Watch[] = [];
  private waitingAck = 0;
  private waitingConsume = 0;
  /** Latest intended send time of a message handed to the client (-1: none yet). */
  private lastIntendedSentMs = -1;

  /** Starts watching a fault injected at `atMs`; returns its index for figures(). */
  watch(atMs: number): number {
    const liveFrom = atMs - PRE_FAULT_WINDOW_MS;
    this.watches.push({
      atMs,
      ack: new StreamWait(atMs, this.ackActivity.liveSince(liveFrom)),
      consume: new StreamWait(atMs, this.consumeActivity.liveSince(liveFrom)),
    });
    this.waitingAck++;
    this.waitingConsume++;
    return this.watches.length - 1;
  }

  /** A send of messages intended up to `lastIntendedMs`: tells whether anything was due after a fault. */
  onSent(lastIntendedMs: number): void {
    if (lastIntendedMs > this.lastIntendedSentMs) this.lastIntendedSentMs = lastIntendedMs;
  }

  onAck(intendedMs: number, ackMs: number, stream: number): void {
    this.acks.add(ackMs);
    this.ackActivity.see(stream, ackMs);
    if (this.waitingAck === 0) return;
    for (const watch of this.watches) if (watch.ack.see(intendedMs, ackMs, stream)) this.waitingAck--;
  }

  /**
   * Acks of `count` messages at once, all at `ackMs` on one stream, the latest intended at `latestIntendedMs`: the
   * same as onAck for each (a wait for the stream is met by the first message intended after its fault, and then
   * by no other of the stream).
   */
  onAcks(count: number, latestIntendedMs: number, ackMs: number, stream: number): void {
    this.acks.add(ackMs, count);
    this.ackActivity.see(stream, ackMs);
    if (this.waitingAck === 0) return;
    for (const watch of this.watches) {
      // A wait is met by a message intended at or after its fault: the latest one of the share tells.
      if (watch.ack.see(latestIntendedMs, ackMs, stream)) this.waitingAck--;
    }
  }

  onConsume(intendedMs: number, receivedMs: number, stream: number): void {
    this.consumeActivity.see(stream, receivedMs);
    if (this.waitingConsume === 0) return;
    for (const watch of this.watches) if (watch.consume.see(intendedMs, receivedMs, stream)) this.waitingConsume--;
  }

  /** Figures for fault `index`, looking at acks up to `untilMs`. */
  figures(index: number, untilMs: number): RecoveryFigures {
    const watch = this.watches[index]!;
    const since = (ms: number | null) => (ms === null ? null : Math.max(0, Math.round(ms - watch.atMs)));
    const firstAckMs = since(watch.ack.doneMs);
    const throughputRecoveredMs = this.throughputRecovered(watch.atMs, untilMs);
    const consumerResumedMs = since(watch.consume.doneMs);
    const dueAfter = this.lastIntendedSentMs >= watch.atMs;
    const stateOf = (figure: number | null, measurable: boolean): RecoveryState =>
      figure !== null ? 'recovered' : measurable ? 'not-recovered' : 'unmeasured';
    const producedFor = this.lastIntendedSentMs - watch.atMs;
    return {
      firstAckMs,
      throughputRecoveredMs,
      consumerResumedMs,
      state: {
        firstAck: stateOf(firstAckMs, dueAfter),
        throughput: stateOf(
          throughputRecoveredMs,
          Math.min(PRE_FAULT_WINDOW_MS, watch.atMs) >= 1000 && producedFor >= HOLD_MS,
        ),
        consumer: stateOf(consumerResumedMs, dueAfter && this.consumeActivity.any),
      },
      watchedMs: Math.max(0, Math.round(untilMs - watch.atMs)),
    };
  }

  private throughputRecovered(atMs: number, untilMs: number): number | null {
    const windowMs = Math.min(PRE_FAULT_WINDOW_MS, atMs);
    if (windowMs < 1000) return null;
    const perSecond = (this.acks.sum(atMs - windowMs, atMs) * 1000) / windowMs;
    const needed = RECOVERED_FRACTION * perSecond;
    for (let start = atMs; start + HOLD_MS <= untilMs; start += BUCKET_MS) {
      let held = true;
      for (let u = start; u + 1000 <= start + HOLD_MS; u += BUCKET_MS) {
        if (this.acks.sum(u, u + 1000) < needed) {
          held = false;
          break;
        }
      }
      if (held) return Math.round(start - atMs);
    }
    return null;
  }
}
