/**
 * Collects what the load produces: per-second intervals (counts and p99s, warm-up included and marked) and
 * overall histograms over the measurement window (warm-up excluded). All times are monotonic milliseconds
 * relative to the load's origin (the intended send time of the first message).
 *
 * The timeline and the totals count by one rule: an event counts in the interval that is open when it is
 * recorded (the interval of its own time, unless it was reported after that interval closed), and the window
 * totals are the counts of the measure intervals. No interval straddles the end of the warm-up or of the
 * measurement window (a second is cut there), so the measure intervals add up exactly to the totals.
 */
import { round } from '../scenario/units.js';
import { LatencyHistogram, type LatencySummary } from './latency-histogram.js';
import { RecoveryTracker } from './recovery-tracker.js';

export type Phase = 'warmup' | 'measure' | 'drain';

export interface TimelinePoint {
  /** Start of the interval, in seconds since load start: [t, t+1), or [t, t+seconds) for a cut interval. */
  t: number;
  /**
   * Length in seconds, present only when shorter than one second: the second was cut where the warm-up or the
   * measurement window ends (or at one of the window's `cutsMs`), so that no interval straddles two phases.
   * Counts are per interval, not per second: a rate is count ÷ (seconds ?? 1).
   */
  seconds?: number;
  phase: Phase;
  sent: number;
  produced: number;
  consumed: number;
  publishP99: number | null;
  endToEndP99: number | null;
  /** p50 and max of the interval's publish and end-to-end latency (ms), for the report's latency timeline. */
  publishP50?: number | null;
  publishMax?: number | null;
  endToEndP50?: number | null;
  endToEndMax?: number | null;
  /**
   * The interval's publish and end-to-end latency histograms (µs, HdrHistogram compressed base64, as `histograms`),
   * absent when empty: the HdrHistogram interval logs (.hlog) are written from them.
   */
  publishHistogram?: string;
  endToEndHistogram?: string;
  errors: number;
  /** Rate the schedule asked for in this second (added to results; absent at max rate). */
  target?: number;
  /** Ids of the faults in force during this second (added to results). */
  faults?: string[];
}

export interface CollectorWindow {
  warmupMs: number;
  /** End of the measurement window = end of producing. */
  measureEndMs: number;
  messageSize: number;
  /** Further moments (ms since load start) at which the timeline cuts a second, e.g. where the target rate changes. */
  cutsMs?: number[];
}

export interface CollectedMetrics {
  throughput: {
    produced: { messagesPerSec: number; bytesPerSec: number };
    consumed: { messagesPerSec: number; bytesPerSec: number };
  };
  latency: {
    /** Ack time − intended send time: corrected for coordinated omission. */
    publish: LatencySummary;
    /** Ack time − actual send time: what a closed-loop tool would report. */
    publishUncorrected: LatencySummary;
    /** Consume time − intended send time. */
    endToEnd: LatencySummary;
    /** Actual send time − intended send time, one sample per message: how far the harness lagged its own schedule. */
    sendLag: LatencySummary;
  };
  /**
   * Of the messages in sendLag, those that fell due while the producer had no room to send (every send slot of
   * maxInFlightBatches taken, or maxInFlight messages unacknowledged): their send lag is, up to when room was
   * freed, the broker's backpressure (sends not yet answered), not a harness short of CPU.
   */
  sendLagHeldForSlot: number;
  errors: Record<string, number>;
  timeline: TimelinePoint[];
  histograms: { publish: string; publishUncorrected: string; endToEnd: string; sendLag: string };
}

class Interval {
  startMs = 0;
  endMs = 0;
  phase: Phase = 'warmup';
  sent = 0;
  produced = 0;
  consumed = 0;
  errors = 0;
  readonly publish = new LatencyHistogram();
  readonly endToEnd = new LatencyHistogram();
}

export class Collector {
  private readonly timeline: TimelinePoint[] = [];
  private readonly current = new Interval();
  /** Where intervals are cut besides whole seconds, ascending. */
  private readonly cuts: number[];
  /** End of the measurement window: measureEndMs, or earlier when producing stopped early (endWindow). */
  private windowEndMs: number;
  private readonly publish = new LatencyHistogram();
  private readonly publishUncorrected = new LatencyHistogram();
  private readonly endToEnd = new LatencyHistogram();
  private readonly sendLag = new LatencyHistogram();
  private heldForSlot = 0;
  private producedInWindow = 0;
  private consumedInWindow = 0;
  private readonly errors = new Map<string, number>();
  /** Per-fault recovery figures (failover times). */
  readonly recovery = new RecoveryTracker();

  constructor(private readonly window: CollectorWindow) {
    this.cuts = [window.warmupMs, window.measureEndMs, ...(window.cutsMs ?? [])]
      .filter((ms) => ms > 0 && Number.isFinite(ms))
      .sort((a, b) => a - b);
    this.windowEndMs = window.measureEndMs;
    this.open(0);
  }

  /**
   * Messages sent together at `sentMs`, message i intended at `intendedMs[i]`. Send lag is recorded per message
   * (those intended after the warm-up); a run of equal lags (at max rate every lag is 0) is recorded at once.
   * `roomFreedAtMs`: when the producer last got room to send after having none; messages due before then waited
   * for it (sendLagHeldForSlot).
   */
  onSent(sentMs: number, intendedMs: ArrayLike<number>, roomFreedAtMs = -Infinity): void {
    this.roll(sentMs);
    const count = intendedMs.length;
    this.current.sent += count;
    if (count > 0) this.recovery.onSent(intendedMs[count - 1]!);
    const warmupMs = this.window.warmupMs;
    let runMicros = -1;
    let run = 0;
    let held = 0;
    for (let i = 0; i < count; i++) {
      const intended = intendedMs[i]!;
      if (intended < warmupMs) continue;
      if (intended < roomFreedAtMs) held++;
      const micros = Math.max(1, Math.round((sentMs - intended) * 1000));
      if (micros === runMicros) {
        run++;
      } else {
        if (run > 0) this.sendLag.recordMsWithCount(runMicros / 1000, run);
        runMicros = micros;
        run = 1;
      }
    }
    if (run > 0) this.sendLag.recordMsWithCount(runMicros / 1000, run);
    this.heldForSlot += held;
  }

  /** `stream`: the topic partition that took it (streamOf), for per-partition failover. */
  onAck(intendedMs: number, sentMs: number, ackMs: number, stream = 0): void {
    this.roll(ackMs);
    this.current.produced++;
    this.current.publish.recordMs(ackMs - intendedMs);
    this.recovery.onAck(intendedMs, ackMs, stream);
    if (this.current.phase === 'measure') this.producedInWindow++;
    if (intendedMs >= this.window.warmupMs) {
      this.publish.recordMs(ackMs - intendedMs);
      this.publishUncorrected.recordMs(ackMs - sentMs);
    }
  }

  /**
   * The acks of one partition's share of a batch sent at `sentMs`, all at `ackMs`: message `indexes[i]` was intended
   * at `intendedMs[indexes[i]]`. The same figures as onAck for each, recorded once per share where they are equal
   * (the interval, the uncorrected latency ackMs − sentMs, the recovery's buckets).
   */
  onAcks(intendedMs: ArrayLike<number>, indexes: readonly number[], sentMs: number, ackMs: number, stream = 0): void {
    const count = indexes.length;
    if (count === 0) return;
    this.roll(ackMs);
    const interval = this.current;
    interval.produced += count;
    if (interval.phase === 'measure') this.producedInWindow += count;
    const warmupMs = this.window.warmupMs;
    let measured = 0;
    let latest = -Infinity;
    for (let k = 0; k < count; k++) {
      const intended = intendedMs[indexes[k]!]!;
      const ms = ackMs - intended;
      interval.publish.recordMs(ms);
      if (intended >= warmupMs) {
        this.publish.recordMs(ms);
        measured++;
      }
      if (intended > latest) latest = intended;
    }
    this.publishUncorrected.recordMsWithCount(ackMs - sentMs, measured);
    this.recovery.onAcks(count, latest, ackMs, stream);
  }

  onConsume(intendedMs: number, receivedMs: number, stream = 0): void {
    this.roll(receivedMs);
    this.current.consumed++;
    this.current.endToEnd.recordMs(receivedMs - intendedMs);
    this.recovery.onConsume(intendedMs, receivedMs, stream);
    if (this.current.phase === 'measure') this.consumedInWindow++;
    if (intendedMs >= this.window.warmupMs) this.endToEnd.recordMs(receivedMs - intendedMs);
  }

  onError(kind: string, atMs: number, count = 1): void {
    this.roll(atMs);
    this.current.errors += count;
    this.errors.set(kind, (this.errors.get(kind) ?? 0) + count);
  }

  /**
   * Ends the measurement window at `atMs` when producing stopped before its planned end (an interrupted run):
   * the timeline is cut there, what follows is drain, and throughput is over the window up to `atMs`.
   */
  endWindow(atMs: number): void {
    if (!(atMs < this.windowEndMs)) return;
    this.roll(atMs);
    this.windowEndMs = atMs;
    this.cuts.push(atMs);
    this.cuts.sort((a, b) => a - b);
    const interval = this.current;
    if (interval.startMs < atMs) interval.endMs = Math.min(interval.endMs, atMs);
    else interval.phase = this.phaseAt(interval.startMs);
  }

  /** Closes every interval that ended by `nowMs`. */
  roll(nowMs: number): void {
    const interval = this.current;
    while (nowMs >= interval.endMs) {
      this.timeline.push(this.point(interval));
      interval.sent = interval.produced = interval.consumed = interval.errors = 0;
      interval.publish.reset();
      interval.endToEnd.reset();
      this.open(interval.endMs);
    }
  }

  /** The timeline so far, for the live progress line and checkpoints. */
  get closedIntervals(): readonly TimelinePoint[] {
    return this.timeline;
  }

  /** Figures so far (also the final ones, once the load is over). Does not disturb further collection. */
  snapshot(nowMs: number): CollectedMetrics {
    this.roll(nowMs);
    const current = this.current;
    const open = current.sent + current.produced + current.consumed + current.errors > 0 ? [this.point(current)] : [];
    // The part of the window that has elapsed: all of it once the load is over, less for a checkpoint or an
    // interrupted run (whose counts cover only that part).
    const elapsedMs = Math.min(nowMs, this.windowEndMs) - this.window.warmupMs;
    const perSecond = (count: number) => (elapsedMs <= 0 ? 0 : round(count / (elapsedMs / 1000), 3));
    const size = this.window.messageSize;
    return {
      throughput: {
        produced: {
          messagesPerSec: perSecond(this.producedInWindow),
          bytesPerSec: perSecond(this.producedInWindow * size),
        },
        consumed: {
          messagesPerSec: perSecond(this.consumedInWindow),
          bytesPerSec: perSecond(this.consumedInWindow * size),
        },
      },
      latency: {
        publish: this.publish.summary(),
        publishUncorrected: this.publishUncorrected.summary(),
        endToEnd: this.endToEnd.summary(),
        sendLag: this.sendLag.summary(),
      },
      sendLagHeldForSlot: this.heldForSlot,
      errors: Object.fromEntries(this.errors),
      timeline: [...this.timeline, ...open],
      histograms: {
        publish: this.publish.encode(),
        publishUncorrected: this.publishUncorrected.encode(),
        endToEnd: this.endToEnd.encode(),
        sendLag: this.sendLag.encode(),
      },
    };
  }

  /** Makes the current interval start at `startMs` and end at the next whole second or cut, whichever is first. */
  private open(startMs: number): void {
    const interval = this.current;
    const nextSecond = (Math.floor(startMs / 1000) + 1) * 1000;
    interval.startMs = startMs;
    interval.endMs = Math.min(nextSecond, this.cuts.find((ms) => ms > startMs) ?? Infinity);
    interval.phase = this.phaseAt(startMs);
  }

  private phaseAt(ms: number): Phase {
    return ms >= this.windowEndMs ? 'drain' : ms < this.window.warmupMs ? 'warmup' : 'measure';
  }

  private point(interval: Interval): TimelinePoint {
    const lengthMs = interval.endMs - interval.startMs;
    return {
      t: round(interval.startMs / 1000, 3),
      ...(lengthMs < 1000 ? { seconds: round(lengthMs / 1000, 3) } : {}),
      phase: interval.phase,
      sent: interval.sent,
      produced: interval.produced,
      consumed: interval.consumed,
      publishP99: interval.publish.count > 0 ? interval.publish.percentileMs(99) : null,
      endToEndP99: interval.endToEnd.count > 0 ? interval.endToEnd.percentileMs(99) : null,
      publishP50: interval.publish.count > 0 ? interval.publish.percentileMs(50) : null,
      publishMax: interval.publish.count > 0 ? interval.publish.percentileMs(100) : null,
      endToEndP50: interval.endToEnd.count > 0 ? interval.endToEnd.percentileMs(50) : null,
      endToEndMax: interval.endToEnd.count > 0 ? interval.endToEnd.percentileMs(100) : null,
      ...(interval.publish.count > 0 ? { publishHistogram: interval.publish.encode() } : {}),
      ...(interval.endToEnd.count > 0 ? { endToEndHistogram: interval.endToEnd.encode() } : {}),
      errors: interval.errors,
    };
  }
}
