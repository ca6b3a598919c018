/**
 * Brokers stamp records with wall-clock time (System.currentTimeMillis: whole ms since the epoch) while the harness
 * measures on a monotonic clock (performance.now). Brokers and harness run on one machine, so both read the same
 * system clock; this bridge converts one to the other by their offset (wall − monotonic), sampled at a tick of
 * Date.now(): Date.now() moves in whole ms, so the pair is taken the moment it ticks over and the offset is exact
 * to the few µs one loop turn takes (not to 1 ms, as one plain sample would be); a sample takes 1–20 ms. The wall clock can be stepped
 * (NTP) while the monotonic clock is not: `stepMs` samples again and says by how much the offset moved since.
 */
export class WallClockBridge {
  private readonly offsetMs: number;

  constructor(
    private readonly monotonic: () => number = () => performance.now(),
    private readonly wall: () => number = () => Date.now(),
  ) {
    this.offsetMs = this.sample();
  }

  /**
   * wall − monotonic at a tick of the wall clock. Each read of the wall clock is bracketed by two monotonic
   * reads, so a tick is known to lie between the bracket's start of the last read that saw the old value and the
   * bracket's end of the first that saw the new one; a thread preempted there widens the bracket. The narrowest
   * of up to 20 ticks is kept (done at the first under 20 µs): the offset is then exact to half its width.
   * Bounded: a wall clock that never ticks gets a plain sample.
   */
  private sample(): number {
    let best = { width: Infinity, offset: Number.NaN };
    for (let tick = 0; tick < 20 && best.width > 0.02; tick++) {
      let previousStart = this.monotonic();
      let previousWall = this.wall();
      for (let turn = 0; turn < 1_000_000; turn++) {
        const start = this.monotonic();
        const wall = this.wall();
        const end = this.monotonic();
        if (wall !== previousWall) {
          const width = end - previousStart;
          if (width < best.width) best = { width, offset: wall - (previousStart + end) / 2 };
          break;
        }
        previousStart = start;
        previousWall = wall;
      }
    }
    return Number.isFinite(best.offset) ? best.offset : this.wall() - this.monotonic();
  }

  /** A wall-clock time (ms since the epoch) as a monotonic time (performance.now terms). */
  toMonotonic(wallMs: number): number {
    return wallMs - this.offsetMs;
  }

  /** How far the wall clock moved against the monotonic one since the bridge was made (ms; 0 when not stepped). */
  stepMs(): number {
    return this.sample() - this.offsetMs;
  }
}
