/**
 * The whole pipeline for one scenario: for each cluster in turn, start it (provider), create its topics, drive
 * the workload (driver + load), collect, judge the criteria and hand the result to the outputs (result.json,
 * report.md …). Partial results are checkpointed during the load, and handed over whatever happens: error, Ctrl-C,
 * or a broker that will not start.
 */
import { join, resolve } from 'node:path';
import { ExitCode } from '../errors.js';
import type { ClusterRun, RunPlan } from '../plan/plan.js';
import { loadRuns } from '../report/compare.js';
import type { RunResult } from '../report/result.js';
import type { JoinedClusters } from '../replication/replication-plan.js';
import { ClusterSession, type SessionOptions } from './cluster-session.js';

export interface RunOptions extends SessionOptions {
  /** Results directory; default results/<scenario>-<timestamp>. */
  outDir?: string;
}

export interface ClusterRunOutcome {
  dir: string;
  result: RunResult;
}

export interface ScenarioOutcome {
  exitCode: number;
  outcomes: ClusterRunOutcome[];
}

export function defaultResultDir(name: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return resolve('results', `${name}-${stamp}`);
}

export async function runScenario(plan: RunPlan, options: RunOptions): Promise<ScenarioOutcome> {
  const baseDir = resolve(options.outDir ?? defaultResultDir(plan.scenario.name));
  const outcomes: ClusterRunOutcome[] = [];
  await options.outputs.open();
  // Clusters joined by replication run together, as one unit, where the workload's cluster is declared.
  const joinedOf = (name: string) => plan.joined.find((group) => group.clusters.includes(name));
  const units = plan.runs.filter(
    (run) => (joinedOf(run.cluster.name)?.workload ?? run.cluster.name) === run.cluster.name,
  );
  try {
    for (const run of units) {
      const dir = units.length === 1 ? baseDir : join(baseDir, run.cluster.name);
      outcomes.push({ dir, result: await runCluster(plan, run, dir, options, joinedOf(run.cluster.name)) });
      if (options.signal.aborted) break;
    }
    if (outcomes.length > 1) {
      await options.outputs.comparison(await loadRuns(outcomes.map((o) => o.dir)), baseDir);
      options.progress.info(`comparison of ${outcomes.length} clusters written to ${baseDir}`);
    }
  } finally {
    await options.outputs.close();
  }
  return { exitCode: exitCodeOf(outcomes.map((o) => o.result.status)), outcomes };
}

export function exitCodeOf(statuses: RunResult['status'][]): number {
  if (statuses.includes('interrupted')) return ExitCode.interrupted;
  if (statuses.includes('error')) return ExitCode.infrastructure;
  if (statuses.includes('failed')) return ExitCode.criteriaFailed;
  return ExitCode.passed;
}

async function runCluster(
  plan: RunPlan,
  run: ClusterRun,
  dir: string,
  options: RunOptions,
  joined?: JoinedClusters,
): Promise<RunResult> {
  const session = await ClusterSession.open(plan, run, dir, options, joined);
  try {
    await session.start();
    await session.drive();
    await session.settle();
  } catch (error) {
    session.fail(error);
  } finally {
    await session.close();
  }
  const result = session.result();
  await options.outputs.result(result, dir);
  return result;
}
