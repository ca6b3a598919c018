/**
 * `faultline run --repeat N`: the scenario N times, each repeat on fresh clusters (a cluster kept across repeats
 * carries its page cache, JIT, segments and consumer offsets into the next one, so its repeats would not be
 * independent samples of the noise), each in DIR/repeat-K/; then per part one combined result (combine-repeats.ts)
 * in DIR (or DIR/<cluster> for a run of several parts), written by the outputs the flags chose.
 */
import { mkdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { InvalidInputError } from '../errors.js';
import type { RunPlan } from '../plan/plan.js';
import { loadRuns } from '../report/compare.js';
import { type OutputKind, OUTPUT_KINDS, Outputs } from '../report/outputs.js';
import { ciSummaryOutput } from '../report/outputs/ci-summary-output.js';
import { hlogOutput } from '../report/outputs/hlog-output.js';
import { junitOutput } from '../report/outputs/junit-output.js';
import { prometheusEndpointOutput } from '../report/outputs/prometheus-endpoint.js';
import type { RunResult } from '../report/result.js';
import { combineRepeats, spreadFigures } from './combine-repeats.js';
import {
  type ClusterRunOutcome,
  defaultResultDir,
  exitCodeOf,
  type RunOptions,
  runScenario,
  type ScenarioOutcome,
} from './run-scenario.js';

export const REPEAT_HELP =
  "run the scenario N times, each on fresh clusters (results in OUT/repeat-K/), and write one result of their medians with each figure's spread (read by compare --baseline as noise)";

/** `--repeat N` as given: a whole number ≥ 1, else exit 2 naming the flag. */
export function parseRepeat(value: string): number {
  const n = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1)
    throw new InvalidInputError(`--repeat ${value}: expected a whole number of runs, 1 or more`);
  return n;
}

/** The outputs of one repeat: everything chosen but the JUnit file and the CI summary (those take the combined). */
function repeatOutputs(flags: Record<string, unknown>): Outputs {
  return outputsOf(flags, (kind) => kind !== junitOutput && kind !== ciSummaryOutput);
}

/** The outputs of the combined result: everything chosen but the live endpoint and the interval logs (per repeat). */
function combinedOutputs(flags: Record<string, unknown>, exclude: OutputKind[]): Outputs {
  return outputsOf(
    flags,
    (kind) => kind !== prometheusEndpointOutput && kind !== hlogOutput && !exclude.includes(kind),
  );
}

function outputsOf(flags: Record<string, unknown>, keep: (kind: OutputKind) => boolean): Outputs {
  return new Outputs(
    OUTPUT_KINDS.filter((kind) => kind.commands.includes('run') && keep(kind))
      .map((kind) => kind.create(flags, 'run'))
      .filter((output) => output !== undefined),
  );
}

export async function runRepeated(
  plan: RunPlan,
  options: Omit<RunOptions, 'outputs'>,
  repeats: number,
  flags: Record<string, unknown>,
  /** Outputs the caller writes itself (the suite: its one JUnit file and summary). */
  exclude: OutputKind[] = [],
): Promise<ScenarioOutcome> {
  const baseDir = resolve(options.outDir ?? defaultResultDir(plan.scenario.name));
  const runs: ClusterRunOutcome[][] = [];
  for (let k = 1; k <= repeats; k++) {
    options.progress.info(`repeat ${k} of ${repeats} (fresh clusters) → ${join(baseDir, `repeat-${k}`)}`);
    const outcome = await runScenario(plan, {
      ...options,
      outDir: join(baseDir, `repeat-${k}`),
      outputs: repeatOutputs(flags),
    });
    runs.push(outcome.outcomes);
    const statuses = outcome.outcomes.map((o) => o.result.status);
    if (options.signal.aborted || statuses.includes('error') || statuses.includes('interrupted')) {
      if (k < repeats) options.progress.info(`repeat ${k} did not complete: the remaining repeats are not run`);
      break;
    }
  }
  const figures = spreadFigures(plan.scenario.regression, plan.scenario.criteria);
  const parts = runs[0]!.map((o) => o.result.cluster.name);
  const outputs = combinedOutputs(flags, exclude);
  const outcomes: ClusterRunOutcome[] = [];
  await outputs.open();
  try {
    for (const part of parts) {
      const dir = parts.length === 1 ? baseDir : join(baseDir, part);
      const own = runs.flatMap((outcome) => outcome.filter((o) => o.result.cluster.name === part));
      const result: RunResult = combineRepeats(
        own.map((o) => o.result),
        figures,
        own.map((o) => relative(dir, o.dir)),
      );
      await mkdir(dir, { recursive: true });
      await outputs.result(result, dir);
      outcomes.push({ dir, result });
    }
    if (outcomes.length > 1) await outputs.comparison(await loadRuns(outcomes.map((o) => o.dir)), baseDir);
  } finally {
    await outputs.close();
  }
  options.progress.info(`${runs.length} repeat(s) combined in ${baseDir}`);
  return { exitCode: exitCodeOf(outcomes.map((o) => o.result.status)), outcomes };
}
