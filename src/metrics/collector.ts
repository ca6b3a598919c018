/**
 * Collects what the load produces: per-second intervals (counts and p99s, warm-up included and marked) and
 * overall histograms over the measurement window (warm-up excluded). All times are monotonic milliseconds
 * relative to the load's origin (the intended send time of the first message).
 */
import { round } from '../scenario/units.js';
import { LatencyHistogram, type LatencySummary } from './latency-histogram.js';
import { RecoveryTracker } from './recovery-tracker.js';

export type Phase = 'warmup' | 'measure' | 'drain';

export interface TimelinePoint {
  /** Second since load start (interval [t, t+1)). */
  t: number;
  phase: Phase;
  sent: number;
  produced: number;
  consumed: number;
  publishP99: number | null;
  endToEndP99: number | null;
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
    /** Actual send time − intended send time: how far the harness lagged its own schedule. */
    sendLag: LatencySummary;
  };
  errors: Record<string, number>;
  timeline: TimelinePoint[];
  histograms: { publish: string; publishUncorrected: string; endToEnd: string; sendLag: string };
}

class Interval {
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
  private currentIndex = 0;
  private readonly publish = new LatencyHistogram();
  private readonly publishUncorrected = new LatencyHistogram();
  private readonly endToEnd = new LatencyHistogram();
  private readonly sendLag = new LatencyHistogram();
  private producedInWindow = 0;
  private consumedInWindow = 0;
  private readonly errors = new Map<string, number>();
  /** Per-fault recovery figures (failover times). */
  readonly recovery = new RecoveryTracker();

  constructor(private readonly window: CollectorWindow) {}

  onSent(count: number, intendedMs: number, sentMs: number): void {
    this.roll(sentMs);
    this.current.sent += count;
    this.recovery.onSent(intendedMs);
    if (intendedMs >= this.window.warmupMs) this.sendLag.recordMs(sentMs - intendedMs);
  }

  /** `stream`: the topic partition that took it (streamOf), for per-partition failover. */
  onAck(intendedMs: number, sentMs: number, ackMs: number, stream = 0): void {
    this.roll(ackMs);
    this.current.produced++;
    this.current.publish.recordMs(ackMs - intendedMs);
    this.recovery.onAck(intendedMs, ackMs, stream);
    if (this.inWindow(ackMs)) this.producedInWindow++;
    if (intendedMs >= this.window.warmupMs) {
      this.publish.recordMs(ackMs - intendedMs);
      this.publishUncorrected.recordMs(ackMs - sentMs);
    }
  }

  onConsume(intendedMs: number, receivedMs: number, stream = 0): void {
    this.roll(receivedMs);
    this.current.consumed++;
    this.current.endToEnd.recordMs(receivedMs - intendedMs);
    this.recovery.onConsume(intendedMs, receivedMs, stream);
    if (this.inWindow(receivedMs)) this.consumedInWindow++;
    if (intendedMs >= this.window.warmupMs) this.endToEnd.recordMs(receivedMs - intendedMs);
  }

  onError(kind: string, atMs: number, count = 1): void {
    this.roll(atMs);
    this.current.errors += count;
    this.errors.set(kind, (this.errors.get(kind) ?? 0) + count);
  }

  /** Closes every interval that ended before `nowMs`. */
  roll(nowMs: number): void {
    const index = Math.max(0, Math.floor(nowMs / 1000));
    while (this.currentIndex < index) {
      const interval = this.current;
      this.timeline.push(this.point(this.currentIndex, interval));
      interval.sent = interval.produced = interval.consumed = interval.errors = 0;
      interval.publish.reset();
      interval.endToEnd.reset();
      this.currentIndex++;
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
    const open = current.sent + current.produced + current.consumed + current.errors > 0 ? [this.point(this.currentIndex, current)] : [];
    const seconds = Math.max(0.001, (this.window.measureEndMs - this.window.warmupMs) / 1000);
    const perSecond = (count: number) => round(count / seconds, 3);
    const size = this.window.messageSize;
    return {
      throughput: {
        produced: { messagesPerSec: perSecond(this.producedInWindow), bytesPerSec: perSecond(this.producedInWindow * size) },
        consumed: { messagesPerSec: perSecond(this.consumedInWindow), bytesPerSec: perSecond(this.consumedInWindow * size) },
      },
      latency: {
        publish: this.publish.summary(),
        publishUncorrected: this.publishUncorrected.summary(),
        endToEnd: this.endToEnd.summary(),
        sendLag: this.sendLag.summary(),
      },
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

  private inWindow(ms: number): boolean {
    return ms >= this.window.warmupMs && ms < this.window.measureEndMs;
  }

  private point(index: number, interval: Interval): TimelinePoint {
    const start = index * 1000;
    const phase: Phase = start < this.window.warmupMs ? 'warmup' : start < this.window.measureEndMs ? 'measure' : 'drain';
    return {
      t: index,
      phase,
      sent: interval.sent,
      produced: interval.produced,
      consumed: interval.consumed,
      publishP99: interval.publish.count > 0 ? interval.publish.percentileMs(99) : null,
      endToEndP99: interval.endToEnd.count > 0 ? interval.endToEnd.percentileMs(99) : null,
      errors: interval.errors,
    };
  }
}
