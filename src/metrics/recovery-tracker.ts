/**
 * What a fault cost, per fault: time from injection to the first ack of a message intended at or after the
 * injection (failover), to throughput back at ≥ 90 % of the pre-fault rate held for 3 s, and to the first
 * consumption of such a message (consumers resumed). Acks and consumptions are counted in 100 ms buckets.
 */
const BUCKET_MS = 100;
const HOLD_MS = 3000;
const PRE_FAULT_WINDOW_MS = 5000;
const RECOVERED_FRACTION = 0.9;

export interface RecoveryFigures {
  firstAckMs: number | null;
  throughputRecoveredMs: number | null;
  consumerResumedMs: number | null;
}

class Buckets {
  private counts = new Uint32Array(1024);

  add(ms: number): void {
    const index = Math.max(0, Math.floor(ms / BUCKET_MS));
    if (index >= this.counts.length) {
      let length = this.counts.length;
      while (length <= index) length *= 2;
      const grown = new Uint32Array(length);
      grown.set(this.counts);
      this.counts = grown;
    }
    this.counts[index] = this.counts[index]! + 1;
  }

  /** Count in [fromMs, toMs), whole buckets. */
  sum(fromMs: number, toMs: number): number {
    let total = 0;
    for (let i = Math.max(0, Math.floor(fromMs / BUCKET_MS)); i < Math.floor(toMs / BUCKET_MS) && i < this.counts.length; i++) total += this.counts[i]!;
    return total;
  }
}

interface Watch {
  atMs: number;
  firstAckMs: number | null;
  firstConsumeMs: number | null;
}

export class RecoveryTracker {
  private readonly acks = new Buckets();
  private readonly watches: Watch[] = [];
  private waitingAck = 0;
  private waitingConsume = 0;

  /** Starts watching a fault injected at `atMs`; returns its index for figures(). */
  watch(atMs: number): number {
    this.watches.push({ atMs, firstAckMs: null, firstConsumeMs: null });
    this.waitingAck++;
    this.waitingConsume++;
    return this.watches.length - 1;
  }

  onAck(intendedMs: number, ackMs: number): void {
    this.acks.add(ackMs);
    if (this.waitingAck === 0) return;
    for (const watch of this.watches) {
      if (watch.firstAckMs === null && intendedMs >= watch.atMs) {
        watch.firstAckMs = ackMs;
        this.waitingAck--;
      }
    }
  }

  onConsume(intendedMs: number, receivedMs: number): void {
    if (this.waitingConsume === 0) return;
    for (const watch of this.watches) {
      if (watch.firstConsumeMs === null && intendedMs >= watch.atMs) {
        watch.firstConsumeMs = receivedMs;
        this.waitingConsume--;
      }
    }
  }

  /** Figures for fault `index`, looking at acks up to `untilMs`. */
  figures(index: number, untilMs: number): RecoveryFigures {
    const watch = this.watches[index]!;
    const since = (ms: number | null) => (ms === null ? null : Math.max(0, Math.round(ms - watch.atMs)));
    return {
      firstAckMs: since(watch.firstAckMs),
      throughputRecoveredMs: this.throughputRecovered(watch.atMs, untilMs),
      consumerResumedMs: since(watch.firstConsumeMs),
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
