/**
 * The run's figures broken down by region: publish latency and produced throughput per producing region,
 * end-to-end latency and consumed throughput per producing → consuming region pair. Same rules as the overall
 * figures: latency from the intended send time, warm-up excluded, throughput over the measurement window.
 */
import { round } from '../scenario/units.js';
import { LatencyHistogram, type LatencySummary } from './latency-histogram.js';

export interface RegionalThroughput {
  messagesPerSec: number;
  bytesPerSec: number;
}

export interface ByRegion {
  /** Keyed by producing region. */
  publish: Record<string, LatencySummary | null>;
  produced: Record<string, RegionalThroughput>;
  /** Keyed by "producing->consuming". */
  endToEnd: Record<string, LatencySummary | null>;
  consumed: Record<string, RegionalThroughput>;
}

class Figures {
  readonly latency = new LatencyHistogram();
  inWindow = 0;
}

/**
 * Where the clients sit once they moved (region failover), when that is not where they were planned: figures
 * recorded after the move go under the region the clients now sit in.
 */
export interface ClientRelocation {
  /** The region producers send from now (their acks are filed there); undefined before a move. */
  producersIn(): string | undefined;
  /** The region a message was sent from, when not its producer's planned region (written after the move). */
  sentFrom(producer: number, sequence: number): string | undefined;
  /** The region consumers read in now; undefined before a move. */
  consumersIn(): string | undefined;
}

export function regionPair(from: string, to: string): string {
  return `${from}->${to}`;
}

export class RegionalFigures {
  private readonly publish = new Map<string, Figures>();
  private readonly endToEnd = new Map<string, Figures>();

  /**
   * `expected`: the regions producers sit in and the regions consumer groups sit in. Each of them (and each pair)
   * has figures from the start, so one that took nothing in the window reads 0 msg/s (latency null), as the
   * overall figures do, rather than being absent.
   */
  constructor(
    private readonly window: { warmupMs: number; measureEndMs: number; messageSize: number },
    private readonly producerRegion: (producer: number) => string,
    expected?: { producing: string[]; consuming: string[] },
    private readonly relocation?: ClientRelocation,
  ) {
    for (const from of expected?.producing ?? []) {
      if (!this.publish.has(from)) this.publish.set(from, new Figures());
      for (const to of expected?.consuming ?? []) {
        const pair = regionPair(from, to);
        if (!this.endToEnd.has(pair)) this.endToEnd.set(pair, new Figures());
      }
    }
  }

  onAck(producer: number, intendedMs: number, ackMs: number): void {
    const region = this.relocation?.producersIn() ?? this.producerRegion(producer);
    this.record(this.publish, region, intendedMs, ackMs);
  }

  onConsume(producer: number, consumerRegion: string, intendedMs: number, receivedMs: number, sequence = -1): void {
    const from =
      (sequence >= 0 ? this.relocation?.sentFrom(producer, sequence) : undefined) ?? this.producerRegion(producer);
    const to = this.relocation?.consumersIn() ?? consumerRegion;
    this.record(this.endToEnd, regionPair(from, to), intendedMs, receivedMs);
  }

  snapshot(nowMs: number): ByRegion {
    const seconds = Math.max(0.001, (Math.min(nowMs, this.window.measureEndMs) - this.window.warmupMs) / 1000);
    const throughput = (figures: Figures): RegionalThroughput => ({
      messagesPerSec: round(figures.inWindow / seconds, 3),
      bytesPerSec: round((figures.inWindow * this.window.messageSize) / seconds, 3),
    });
    const latency = (figures: Figures) => (figures.latency.count > 0 ? figures.latency.summary() : null);
    const each = <T>(map: Map<string, Figures>, pick: (f: Figures) => T) =>
      Object.fromEntries([...map].sort(([a], [b]) => a.localeCompare(b)).map(([key, f]) => [key, pick(f)]));
    return {
      publish: each(this.publish, latency),
      produced: each(this.publish, throughput),
      endToEnd: each(this.endToEnd, latency),
      consumed: each(this.endToEnd, throughput),
    };
  }

  private record(map: Map<string, Figures>, key: string, intendedMs: number, atMs: number): void {
    let figures = map.get(key);
    if (!figures) map.set(key, (figures = new Figures()));
    if (atMs >= this.window.warmupMs && atMs < this.window.measureEndMs) figures.inWindow++;
    if (intendedMs >= this.window.warmupMs) figures.latency.recordMs(atMs - intendedMs);
  }
}
