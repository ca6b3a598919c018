/**
 * `faultline compare --baseline BASE RUN`: is RUN worse than BASE, figure by figure? Each check (regression-checks.ts)
 * sets a limit from the baseline's figure; with a run-to-run spread recorded (result.json `repeat`), a change
 * inside the noise is not a regression. See the README, "Regression against a baseline".
 */
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { metricValue } from '../criteria/criterion.js';
import { InvalidInputError } from '../errors.js';
import { round } from '../scenario/units.js';
import { readResult, resultFilesUnder } from './result-files.js';
import type { RegressionCheck } from './regression-checks.js';
import type { FigureSpread, RunResult } from './result.js';

export type RegressionStatus = 'ok' | 'regressed' | 'within noise' | 'not measured';

export interface RegressionRow {
  /** The part (cluster) both runs ran. */
  part: string;
  figure: string;
  change: string;
  source: RegressionCheck['source'];
  baseline: number | null;
  run: number | null;
  /** run − baseline, and as a percentage of the baseline (null when the baseline is 0). */
  delta: number | null;
  deltaPercent: number | null;
  /** The threshold's limit: beyond it (in the worse direction) is a regression, unless within the noise. */
  limit: number | null;
  /** The noise bound (worse direction), when a spread was recorded for the figure; else null. */
  noiseBound: number | null;
  status: RegressionStatus;
  /** One sentence: why this status. */
  reason: string;
}

export interface RegressionVerdict {
  scenario: string;
  baseline: string;
  run: string;
  rows: RegressionRow[];
  regressed: number;
}

/** How many standard deviations of the combined run-to-run noise a change must exceed. */
export const NOISE_SIGMAS = 2;

export function judgeRegression(
  baseline: RunResult,
  run: RunResult,
  checks: RegressionCheck[],
  part: string,
): RegressionRow[] {
  return checks.map((check) => judgeCheck(check, baseline, run, part));
}

function judgeCheck(check: RegressionCheck, baseRun: RunResult, thisRun: RunResult, part: string): RegressionRow {
  const baseline = measured(baseRun, check);
  const run = measured(thisRun, check);
  const row = {
    part,
    figure: check.figure,
    change: check.change,
    source: check.source,
    baseline,
    run,
    delta: baseline !== null && run !== null ? round(run - baseline, 6) : null,
    deltaPercent:
      baseline !== null && run !== null && baseline !== 0 ? round(((run - baseline) / baseline) * 100, 2) : null,
    limit: null,
    noiseBound: null,
  };
  if (baseline === null)
    return { ...row, status: 'not measured', reason: 'the baseline did not measure it: nothing to compare with' };
  if (run === null)
    return check.onlyIfBothMeasured
      ? { ...row, status: 'not measured', reason: 'this run did not measure it (judged only when both runs did)' }
      : { ...row, status: 'regressed', reason: 'the baseline measured it, this run did not' };
  const up = check.worse === 'up';
  const step = check.relative ? (Math.abs(baseline) * check.allowed) / 100 : check.allowed;
  const limit = round(up ? baseline + step : baseline - step, 6);
  const noiseBound = noiseBoundOf(check, baseRun, thisRun, baseline);
  const beyond = (bound: number) => (up ? round(run, 6) > bound : round(run, 6) < bound);
  const judged = { ...row, limit, noiseBound };
  if (!beyond(limit)) return { ...judged, status: 'ok', reason: `within ${check.change} of the baseline` };
  if (noiseBound !== null && !beyond(noiseBound))
    return {
      ...judged,
      status: 'within noise',
      reason: `beyond ${check.change} of the baseline, but inside the run-to-run noise (bound ${noiseBound})`,
    };
  return {
    ...judged,
    status: 'regressed',
    reason: `${up ? 'above' : 'below'} the limit ${limit} (${check.change} of the baseline)${noiseBound !== null ? ` and outside the run-to-run noise (bound ${noiseBound})` : ''}`,
  };
}

/** A figure as criteria read it; loss is null (not 0) when nothing was acknowledged. */
function measured(result: RunResult, check: RegressionCheck): number | null {
  if ((result.messages?.sent ?? 0) === 0) return null;
  return metricValue(result, check.path);
}

/**
 * With a spread for the figure in either result: the worse-direction bound of the noise, the farther of
 * baseline ± NOISE_SIGMAS·√(σ_base² + σ_run²) and the baseline's own worst repeat (its max, or min when lower is
 * worse). null without any spread: the threshold alone decides.
 */
function noiseBoundOf(check: RegressionCheck, baseRun: RunResult, thisRun: RunResult, baseline: number): number | null {
  const base = spreadOf(baseRun, check.figure);
  const run = spreadOf(thisRun, check.figure);
  if (!base && !run) return null;
  const sigma = Math.sqrt((base?.stdev ?? 0) ** 2 + (run?.stdev ?? 0) ** 2);
  if (check.worse === 'up') return round(Math.max(baseline + NOISE_SIGMAS * sigma, base?.max ?? -Infinity), 6);
  return round(Math.min(baseline - NOISE_SIGMAS * sigma, base?.min ?? Infinity), 6);
}

function spreadOf(result: RunResult, figure: string): FigureSpread | null {
  const spread = result.repeat?.spread?.[figure];
  return spread && [spread.min, spread.max, spread.stdev].every((v) => typeof v === 'number' && Number.isFinite(v))
    ? spread
    : null;
}

export interface Part {
  dir: string;
  file: string;
  result: RunResult;
}

/** A run given as its directory, its result.json, or a directory of its parts (one result.json per cluster). */
export async function loadParts(arg: string): Promise<Part[]> {
  const path = resolve(arg);
  const isFile = await stat(path).then(
    (s) => s.isFile(),
    () => {
      throw new InvalidInputError(`${arg}: no such file or directory (expected a result.json or a run's directory)`);
    },
  );
  const files = isFile ? [path] : await resultFilesUnder(path, 1);
  if (files.length === 0)
    throw new InvalidInputError(`${arg}: not a faultline result (no result.json here nor in its subdirectories)`);
  const parts: Part[] = [];
  for (const file of files) {
    const result = await readResult(file);
    const twin = parts.find((p) => p.result.cluster.name === result.cluster.name);
    if (twin)
      throw new InvalidInputError(
        `${arg}: holds several runs of cluster "${result.cluster.name}" (${twin.file}, ${file}): name one run's directory`,
      );
    parts.push({ dir: dirname(file), file, result });
  }
  return parts;
}

/** Baseline and run parts paired by cluster; exit 2 when they are not results of the same scenario and clusters. */
export function pairParts(baseArg: string, base: Part[], runArg: string, run: Part[]): Array<[Part, Part]> {
  const scenario = run[0]!.result.scenario.name;
  for (const part of base) {
    if (part.result.scenario.name !== scenario)
      throw new InvalidInputError(
        `${part.file}: the baseline is a result of scenario "${part.result.scenario.name}", not of "${scenario}" (${runArg}): a baseline must be a result of the same scenario`,
      );
  }
  const pairs: Array<[Part, Part]> = [];
  for (const part of run) {
    const match = base.find((b) => b.result.cluster.name === part.result.cluster.name);
    if (!match)
      throw new InvalidInputError(
        `${baseArg}: the baseline has no result for cluster "${part.result.cluster.name}" (it has: ${base.map((b) => b.result.cluster.name).join(', ')})`,
      );
    pairs.push([match, part]);
  }
  return pairs;
}

export function renderRegression(verdict: RegressionVerdict): string {
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  const value = (v: number | null) => (v === null ? '—' : String(v));
  const out = [
    '## Regression against the baseline',
    '',
    `Baseline \`${verdict.baseline}\`, run \`${verdict.run}\`: ${verdict.regressed === 0 ? 'no regression' : `**${verdict.regressed} regression${verdict.regressed === 1 ? '' : 's'}**`} in ${verdict.rows.length} checks.`,
    '',
    line(['Part', 'Figure', 'Allowed', 'Baseline', 'Run', 'Change', 'Limit', 'Noise bound', 'Verdict']),
    line(['---', '---', '---', '---:', '---:', '---:', '---:', '---:', '---']),
    ...verdict.rows.map((r) =>
      line([
        r.part,
        `\`${r.figure}\``,
        `${r.change}${r.source === 'default' ? '' : ` (${r.source})`}`,
        value(r.baseline),
        value(r.run),
        r.deltaPercent !== null ? `${r.deltaPercent > 0 ? '+' : ''}${r.deltaPercent} %` : value(r.delta),
        value(r.limit),
        value(r.noiseBound),
        r.status === 'regressed' ? `**REGRESSED**: ${r.reason}` : `${r.status}: ${r.reason}`,
      ]),
    ),
    '',
  ];
  return out.join('\n');
}
