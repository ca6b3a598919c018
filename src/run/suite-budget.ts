/**
 * The time budget of `faultline suite`: how long a scenario will take, from its plan, and whether it may still
 * start. The estimate is an upper bound on purpose: a cluster's start-up allowance, then warm-up, measurement and
 * the whole drain bound, per part, per repeat. A scenario whose estimated end falls after the budget is skipped
 * (reported as such), not started and cut short.
 */
import { InvalidInputError } from '../errors.js';
import type { RunPlan } from '../plan/plan.js';
import { parseDuration, UnitError } from '../scenario/units.js';
import type { ClusterSpec } from '../scenario/schema.js';

/** Start-up and stop allowance for one cluster: generous, from start-up times seen on a loaded 2-core machine. */
export const STARTUP_ALLOWANCE_MS: Record<ClusterSpec['provider'], Record<ClusterSpec['system'], number>> = {
  local: { kafka: 30_000, pulsar: 60_000 },
  docker: { kafka: 40_000, pulsar: 75_000 },
  external: { kafka: 5_000, pulsar: 5_000 },
};

/** What a plan's length depends on (a plain shape, so the arithmetic is tested without building plans). */
export interface PlanShape {
  warmupMs: number;
  durationMs: number;
  drainTimeoutMs: number;
  /** Each part run in turn (a cluster, or clusters joined by replication): the clusters it starts. */
  parts: Array<Array<Pick<ClusterSpec, 'provider' | 'system'>>>;
}

export function planShape(plan: RunPlan): PlanShape {
  const joinedOf = (name: string) => plan.joined.find((group) => group.clusters.includes(name));
  const parts = plan.runs
    .filter((run) => (joinedOf(run.cluster.name)?.workload ?? run.cluster.name) === run.cluster.name)
    .map((run) => {
      const group = joinedOf(run.cluster.name)?.clusters ?? [run.cluster.name];
      return plan.scenario.clusters.filter((c) => group.includes(c.name));
    });
  const w = plan.scenario.workload;
  return { warmupMs: w.warmup, durationMs: w.duration, drainTimeoutMs: w.drainTimeout, parts };
}

/** Estimated length of a scenario, all repeats included. */
export function estimateMs(shape: PlanShape, repeats = 1): number {
  const load = shape.warmupMs + shape.durationMs + shape.drainTimeoutMs;
  const perRun = shape.parts.reduce(
    (sum, clusters) => sum + load + clusters.reduce((s, c) => s + STARTUP_ALLOWANCE_MS[c.provider][c.system], 0),
    0,
  );
  return perRun * repeats;
}

export type BudgetDecision = { start: true } | { start: false; reason: string };

/** May a scenario estimated at `estimate` start `elapsed` into a budget of `budget` (all ms)? */
export function budgetDecision(elapsed: number, estimate: number, budget: number): BudgetDecision {
  if (elapsed >= budget)
    return { start: false, reason: `the budget (${minutes(budget)}) was spent (${minutes(elapsed)} elapsed)` };
  if (elapsed + estimate > budget)
    return {
      start: false,
      reason: `estimated at ${minutes(estimate)}, it would end after the budget (${minutes(budget - elapsed)} of ${minutes(budget)} left)`,
    };
  return { start: true };
}

/** `--budget 40m` as given: a duration above 0, else exit 2 naming the flag. */
export function parseBudget(value: string): number {
  try {
    const ms = parseDuration(value);
    if (ms > 0) return ms;
  } catch (error) {
    if (!(error instanceof UnitError)) throw error;
  }
  throw new InvalidInputError(`--budget ${value}: expected a duration above 0 such as 40m, 90s or 2h`);
}

export function minutes(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s === 0 ? `${m}m` : `${m}m${String(s).padStart(2, '0')}s`;
}
