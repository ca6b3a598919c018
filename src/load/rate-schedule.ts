/**
 * The open-loop schedule of one producer: when each message is *intended* to be sent. A sequence of phases of
 * constant rate (warm-up at the first phase's rate, then the workload's phases); message k of a phase is due at
 * phase start + k / rate. Pure arithmetic, no state: the send loop asks what is due, the ack path asks when a
 * message was intended.
 */
export interface RatePhase {
  startMs: number;
  endMs: number;
  perSecond: number;
}

interface PhaseIndex extends RatePhase {
  firstSequence: number;
  count: number;
}

export class RateSchedule {
  private readonly phases: PhaseIndex[] = [];
  readonly total: number;

  constructor(phases: RatePhase[]) {
    let firstSequence = 0;
    for (const phase of phases) {
      const count = Math.max(0, Math.ceil(((phase.endMs - phase.startMs) * phase.perSecond) / 1000));
      this.phases.push({ ...phase, firstSequence, count });
      firstSequence += count;
    }
    this.total = firstSequence;
  }

  /** A producer's share (`share` = 1 / producers) of a workload's phases, warm-up first. */
  static forWorkload(
    workload: { warmup: number; phases: Array<{ duration: number; rate: { kind: string; perSecond?: number } }> },
    share: number,
  ): RateSchedule {
    const phases: RatePhase[] = [];
    let at = 0;
    const first = workload.phases[0]!;
    if (workload.warmup > 0) {
      phases.push({ startMs: 0, endMs: workload.warmup, perSecond: (first.rate.perSecond ?? 0) * share });
      at = workload.warmup;
    }
    for (const phase of workload.phases) {
      phases.push({ startMs: at, endMs: at + phase.duration, perSecond: (phase.rate.perSecond ?? 0) * share });
      at += phase.duration;
    }
    return new RateSchedule(phases);
  }

  intendedMs(sequence: number): number {
    const phase = this.phaseOfSequence(sequence);
    return phase.startMs + ((sequence - phase.firstSequence) * 1000) / phase.perSecond;
  }

  /** How many messages are due by `nowMs` (intended time ≤ now). */
  dueBy(nowMs: number): number {
    for (let i = this.phases.length - 1; i >= 0; i--) {
      const phase = this.phases[i]!;
      if (nowMs < phase.startMs) continue;
      const inPhase = Math.min(phase.count, Math.floor(((nowMs - phase.startMs) * phase.perSecond) / 1000) + 1);
      return phase.firstSequence + Math.max(0, inPhase);
    }
    return 0;
  }

  /** Target rate (msg/s) at a moment, for the timeline. */
  rateAt(ms: number): number {
    return this.phases.find((p) => ms >= p.startMs && ms < p.endMs)?.perSecond ?? 0;
  }

  private phaseOfSequence(sequence: number): PhaseIndex {
    let low = 0;
    let high = this.phases.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.phases[mid]!.firstSequence <= sequence) low = mid;
      else high = mid - 1;
    }
    return this.phases[low]!;
  }
}
