/**
 * Regression checks: which figure, and how far it may move against the baseline before it is a regression.
 * Written `FIGURE=CHANGE` on the command line (`--threshold latency.publish.p99=+10%`) or `FIGURE: CHANGE` in a
 * scenario's `regression:` section. FIGURE is a criterion's metric (same names, same region selectors); CHANGE is
 * the worse direction and how much of it is allowed: `+10%` (an increase of more than 10 % regresses), `-5%` (a
 * decrease of more than 5 %), `+0` / `+50` (an absolute increase beyond 0 or 50, in the figure's unit: ms, msg/s,
 * count), or `off` (drop a default check).
 */
import { CriterionSyntaxError, parseCriterion, resultPath } from '../criteria/criterion.js';

export interface RegressionCheck {
  /** The figure as written, e.g. latency.publish.p99 or latency.endToEnd[us-east->eu-west].p99. */
  figure: string;
  /** Where it sits in result.json. */
  path: string[];
  /** The change as written: +10%, -5%, +0. */
  change: string;
  /** Which way is worse: up (latency, loss) or down (throughput). */
  worse: 'up' | 'down';
  /** How much of the worse direction is allowed: a percentage of the baseline, or an absolute amount. */
  allowed: number;
  relative: boolean;
  source: 'default' | 'scenario' | 'flag';
  /** Judged only when both runs measured the figure (RTO: only runs with a failover measure it). */
  onlyIfBothMeasured?: boolean;
}

export class RegressionSyntaxError extends Error {}

const changeShape = /^([+-])\s*(\d+(?:\.\d+)?)\s*(%?)$/;

/** One check, or null for `off`; throws RegressionSyntaxError naming what is wrong. */
export function parseRegressionCheck(
  figure: string,
  change: string,
  source: RegressionCheck['source'],
): RegressionCheck | null {
  let path: string[];
  try {
    path = resultPath(parseCriterion(`${figure.trim()} >= 0`));
  } catch (error) {
    if (error instanceof CriterionSyntaxError) throw new RegressionSyntaxError(error.message);
    throw error;
  }
  if (change.trim() === 'off') return null;
  const match = changeShape.exec(change.trim());
  if (!match)
    throw new RegressionSyntaxError(
      `${figure}: expected a signed change such as +10% (an increase beyond 10 % regresses), -5% (a decrease beyond 5 %), +0 (any increase) or off, got "${change}"`,
    );
  const [, sign, amount, percent] = match as unknown as [string, string, string, string];
  return {
    figure: figure.trim(),
    path,
    change: change.trim(),
    worse: sign === '+' ? 'up' : 'down',
    allowed: Number(amount),
    relative: percent === '%',
    source,
  };
}

/** `FIGURE=CHANGE` from --threshold. */
export function parseThresholdFlag(flag: string): [string, RegressionCheck | null] {
  const at = flag.indexOf('=');
  if (at < 1)
    throw new RegressionSyntaxError(`--threshold ${flag}: expected FIGURE=CHANGE, e.g. latency.publish.p99=+10%`);
  try {
    return [flag.slice(0, at).trim(), parseRegressionCheck(flag.slice(0, at), flag.slice(at + 1), 'flag')];
  } catch (error) {
    if (error instanceof RegressionSyntaxError)
      throw new RegressionSyntaxError(`--threshold ${flag}: ${error.message}`);
    throw error;
  }
}

/** What a demanding user expects without saying: p99 latency +10 %, throughput −5 %, no new loss, RTO +20 %. */
export const DEFAULT_CHECKS: ReadonlyArray<[string, string, { onlyIfBothMeasured?: boolean }]> = [
  ['latency.publish.p99', '+10%', {}],
  ['latency.endToEnd.p99', '+10%', {}],
  ['throughput.produced.messagesPerSec', '-5%', {}],
  ['throughput.consumed.messagesPerSec', '-5%', {}],
  ['messages.lost', '+0', {}],
  ['rto.produce', '+20%', { onlyIfBothMeasured: true }],
  ['rto.consume', '+20%', { onlyIfBothMeasured: true }],
];

/**
 * The checks in force: the defaults, then the scenario's section, then the flags; a later one for the same figure
 * replaces an earlier one (`off` removes it).
 */
export function regressionChecks(
  scenario: Record<string, string> | undefined,
  flags: Array<[string, RegressionCheck | null]>,
): RegressionCheck[] {
  const checks = new Map<string, RegressionCheck>();
  for (const [figure, change, options] of DEFAULT_CHECKS)
    checks.set(figure, { ...parseRegressionCheck(figure, change, 'default')!, ...options });
  const apply = (figure: string, check: RegressionCheck | null) =>
    check === null ? checks.delete(figure.trim()) : checks.set(check.figure, check);
  for (const [figure, change] of Object.entries(scenario ?? {}))
    apply(figure, parseRegressionCheck(figure, change, 'scenario'));
  for (const [figure, check] of flags) apply(figure, check);
  return [...checks.values()];
}
