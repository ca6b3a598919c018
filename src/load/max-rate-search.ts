/**
 * The max sustainable rate search, as pure logic: given the verdict of each step (a rate passed or failed), which
 * rate to try next and when to stop. It grows the rate geometrically from `from` while steps pass (never beyond
 * `upTo`), goes down by the same factor while they fail (never below FLOOR_PER_SEC), then bisects between the highest
 * pass and the lowest fail above it (at their geometric mean) until the fail is within `precision` of the pass.
 * Every step halves the interval (in log terms) once both ends exist, so it converges in a bounded number of steps
 * whatever the verdicts, even noisy or non-monotone ones; `maxSteps` bounds the whole search anyway.
 */

/** No search goes below one message per second. */
export const FLOOR_PER_SEC = 1;

export interface SearchBounds {
  from: number;
  upTo: number;
  factor: number;
  /** The search converged when (lowest fail − highest pass) ÷ highest pass ≤ this. */
  precision: number;
  maxSteps: number;
}

/**
 * Why the search ended: converged (the interval is within the precision); upTo (every rate up to the bound passed:
 * the max is at least upTo); floor (no rate down to FLOOR_PER_SEC passed); maxSteps (stopped before converging);
 * interrupted (a step did not finish: Ctrl-C or an error).
 */
export type SearchEnd = 'converged' | 'upTo' | 'floor' | 'maxSteps' | 'interrupted';

/** Where the search stands: the highest rate that passed and the lowest that failed above it (null: none yet). */
export interface SearchInterval {
  passed: number | null;
  failed: number | null;
  /** (failed − passed) ÷ passed: how precisely the max is known; null while either end is missing. */
  width: number | null;
}

export class MaxRateSearch {
  private passed: number | null = null;
  private failed: number | null = null;
  private steps = 0;
  private ended: SearchEnd | undefined;

  constructor(private readonly bounds: SearchBounds) {}

  /** The next rate to try, or undefined once the search has ended (see `end`). */
  next(): number | undefined {
    if (this.ended) return undefined;
    const { from, upTo, factor, precision, maxSteps } = this.bounds;
    const { passed, failed } = this;
    let next: number | undefined;
    if (passed === null && failed === null) next = from;
    else if (passed === null) {
      if (failed! <= FLOOR_PER_SEC) this.ended = 'floor';
      else next = Math.max(FLOOR_PER_SEC, failed! / factor);
    } else if (failed === null) {
      if (passed >= upTo) this.ended = 'upTo';
      else next = Math.min(upTo, passed * factor);
    } else if ((failed - passed) / passed <= precision) this.ended = 'converged';
    else next = between(passed, failed);
    if (next !== undefined && this.steps >= maxSteps) {
      this.ended = 'maxSteps';
      return undefined;
    }
    return next;
  }

  /** A step's verdict. A pass raises the lower end, a fail lowers the upper end. */
  record(rate: number, passed: boolean): void {
    this.steps++;
    if (passed) {
      if (this.passed === null || rate > this.passed) this.passed = rate;
      // A pass at or above a fail (noise): that fail no longer bounds the max; the next fail above will.
      if (this.failed !== null && this.failed <= rate) this.failed = null;
    } else if (this.failed === null || rate < this.failed) {
      this.failed = rate;
      if (this.passed !== null && this.passed >= rate) this.passed = null;
    }
  }

  /** Ends the search early (a step that did not finish). */
  interrupt(): void {
    this.ended ??= 'interrupted';
  }

  get end(): SearchEnd | undefined {
    return this.ended;
  }

  get interval(): SearchInterval {
    const { passed, failed } = this;
    return { passed, failed, width: passed !== null && failed !== null ? (failed - passed) / passed : null };
  }
}

/**
 * A rate between two others, at their geometric mean (each step halves the interval's ratio), rounded to three
 * significant digits when that stays strictly inside (step rates a reader can take in at a glance).
 */
export function between(low: number, high: number): number {
  const mean = Math.sqrt(low * high);
  const digits = 10 ** (Math.floor(Math.log10(mean)) - 2);
  const rounded = Math.round(mean / digits) * digits;
  const tidy = Number(rounded.toPrecision(3));
  return tidy > low && tidy < high ? tidy : mean;
}

export interface SearchRun<T extends { passed: boolean }> {
  /** Each step in the order tried, with its rate. */
  steps: Array<T & { rate: number }>;
  /** The step with the highest passing rate, or undefined when none passed. */
  best: (T & { rate: number }) | undefined;
  end: SearchEnd;
  interval: SearchInterval;
}

/**
 * Runs the search: asks `runStep` for each rate in turn, and ends as the search does. A step that resolves
 * undefined did not finish (interrupted): the search ends there, with what it had.
 */
export async function searchMaxRate<T extends { passed: boolean }>(
  bounds: SearchBounds,
  runStep: (rate: number, index: number) => Promise<T | undefined>,
): Promise<SearchRun<T>> {
  const search = new MaxRateSearch(bounds);
  const steps: Array<T & { rate: number }> = [];
  for (let rate = search.next(); rate !== undefined; rate = search.next()) {
    const step = await runStep(rate, steps.length);
    if (step === undefined) {
      search.interrupt();
      break;
    }
    steps.push({ ...step, rate });
    search.record(rate, step.passed);
  }
  const { passed } = search.interval;
  const best = passed === null ? undefined : steps.find((s) => s.passed && s.rate === passed);
  return { steps, best, end: search.end!, interval: search.interval };
}
