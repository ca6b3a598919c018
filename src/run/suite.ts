/**
 * `faultline suite DIR`: every scenario file of a folder (*.yaml, *.yml), in name order, under a total time budget
 * (suite-budget.ts), each in OUT/<scenario name>/; with a baseline folder, each run judged against
 * BASELINES/<scenario name>/ as `compare --baseline` judges. One exit code: the worst of the scenarios'.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { errorMessage, ExitCode, InvalidInputError } from '../errors.js';
import { buildPlan, type RunPlan } from '../plan/plan.js';
import { type OutputKind, OUTPUT_KINDS, Outputs } from '../report/outputs.js';
import { ciSummaryOutput } from '../report/outputs/ci-summary-output.js';
import { junitOutput } from '../report/outputs/junit-output.js';
import type { ProgressReporter } from '../report/progress.js';
import { judgeAgainstBaseline } from '../report/regression-command.js';
import type { RegressionVerdict } from '../report/regression.js';
import type { RunResult } from '../report/result.js';
import { loadScenarioFile } from '../scenario/load-scenario.js';
import { runRepeated } from './repeat-runs.js';
import type { SessionOptions } from './cluster-session.js';
import { runScenario } from './run-scenario.js';
import { budgetDecision, estimateMs, planShape } from './suite-budget.js';

export type SuiteVerdict = 'passed' | 'failed' | 'regressed' | 'invalid' | 'error' | 'interrupted' | 'skipped';

export interface SuiteEntry {
  file: string;
  /** The scenario's name (null when the file is not a valid scenario). */
  name: string | null;
  verdict: SuiteVerdict;
  /** This scenario's exit code (null: skipped). */
  exitCode: number | null;
  estimateMs: number | null;
  durationMs: number | null;
  /** Its results directory. */
  dir: string | null;
  /** One sentence: why this verdict. */
  reason: string;
  /** Against BASELINES/<name>: the verdict, or why none was judged. */
  regression: { baseline: string; verdict: RegressionVerdict } | { baseline: string | null; note: string } | null;
  results: RunResult[];
}

export interface SuiteOptions {
  dir: string;
  outDir: string;
  budgetMs: number;
  baselineDir?: string;
  repeat?: number;
  signal: AbortSignal;
  progress: ProgressReporter;
  /** Receives the registry of the cluster being run, so a second Ctrl-C can kill its processes at once. */
  onRegistry?: SessionOptions['onRegistry'];
  /** Monotonic milliseconds (the budget's clock). */
  now?: () => number;
}

/** How bad an exit code is: pass < criteria failed < regression < bad input < infrastructure < interrupted. */
const SEVERITY: number[] = [
  ExitCode.passed,
  ExitCode.criteriaFailed,
  ExitCode.regressed,
  ExitCode.invalidInput,
  ExitCode.infrastructure,
  ExitCode.interrupted,
];

export function worstExitCode(codes: Array<number | null>): number {
  return codes.reduce<number>((worst, code) => {
    if (code === null) return worst;
    const rank = (c: number) => (SEVERITY.includes(c) ? SEVERITY.indexOf(c) : SEVERITY.length);
    return rank(code) > rank(worst) ? code : worst;
  }, ExitCode.passed);
}

/** The scenario files of a folder, in name order (code-point order: the same on every machine). */
export async function scenarioFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new InvalidInputError(`${dir}: not a folder (faultline suite DIR runs the scenario files of a folder)`);
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name))
    .map((e) => e.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (names.length === 0) throw new InvalidInputError(`${dir}: no scenario files here (*.yaml, *.yml)`);
  return names.map((name) => join(dir, name));
}

type Planned = { file: string; plan: RunPlan } | { file: string; error: unknown };

export async function runSuite(options: SuiteOptions): Promise<{ entries: SuiteEntry[]; exitCode: number }> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const files = await scenarioFiles(options.dir);
  if (options.baselineDir && !existsSync(options.baselineDir))
    throw new InvalidInputError(`--baseline-dir ${options.baselineDir}: no such folder`);
  // Every file is read and planned first: bad input is reported before any broker starts.
  const planned: Planned[] = [];
  const names = new Map<string, string>();
  for (const file of files) {
    try {
      const plan = await buildPlan(await loadScenarioFile(file));
      const twin = names.get(plan.scenario.name);
      if (twin)
        throw new InvalidInputError(
          `${file}: scenario "${plan.scenario.name}" is also the name of ${twin}: results and baselines are kept by scenario name`,
        );
      names.set(plan.scenario.name, file);
      planned.push({ file, plan });
    } catch (error) {
      planned.push({ file, error });
    }
  }
  const entries: SuiteEntry[] = [];
  for (const item of planned) {
    const base = { file: item.file, durationMs: null, dir: null, regression: null, results: [] };
    if ('error' in item) {
      const code = exitCodeOf(item.error);
      entries.push({
        ...base,
        name: null,
        verdict: code === ExitCode.invalidInput ? 'invalid' : 'error',
        exitCode: code,
        estimateMs: null,
        reason: errorMessage(item.error),
      });
      continue;
    }
    const { plan } = item;
    const estimate = estimateMs(planShape(plan), options.repeat ?? 1);
    const skip = (reason: string): SuiteEntry => ({
      ...base,
      name: plan.scenario.name,
      verdict: 'skipped',
      exitCode: null,
      estimateMs: estimate,
      reason,
    });
    if (options.signal.aborted) {
      entries.push(skip('the suite was interrupted before it started'));
      continue;
    }
    const decision = budgetDecision(now() - started, estimate, options.budgetMs);
    if (!decision.start) {
      options.progress.info(`skipped ${item.file}: ${decision.reason}`);
      entries.push(skip(decision.reason));
      continue;
    }
    entries.push(await runOne(item.file, plan, estimate, options, now));
  }
  return { entries, exitCode: worstExitCode(entries.map((e) => e.exitCode)) };
}

async function runOne(
  file: string,
  plan: RunPlan,
  estimate: number,
  options: SuiteOptions,
  now: () => number,
): Promise<SuiteEntry> {
  const dir = resolve(options.outDir, plan.scenario.name);
  const began = now();
  const entry: SuiteEntry = {
    file,
    name: plan.scenario.name,
    verdict: 'error',
    exitCode: null,
    estimateMs: estimate,
    durationMs: null,
    dir,
    reason: '',
    regression: null,
    results: [],
  };
  options.progress.info(`${file}: scenario "${plan.scenario.name}" → ${dir}`);
  try {
    await mkdir(dir, { recursive: true });
    const how = {
      outDir: dir,
      signal: options.signal,
      progress: options.progress,
      ...(options.onRegistry ? { onRegistry: options.onRegistry } : {}),
    };
    const outcome = options.repeat
      ? await runRepeated(plan, how, options.repeat, {}, [junitOutput, ciSummaryOutput])
      : await runScenario(plan, { ...how, outputs: scenarioOutputs() });
    entry.results = outcome.outcomes.map((o) => o.result);
    entry.exitCode = outcome.exitCode;
    entry.verdict = verdictOf(outcome.exitCode);
    entry.reason = reasonOf(entry.results);
    if (options.baselineDir && (outcome.exitCode === ExitCode.passed || outcome.exitCode === ExitCode.criteriaFailed))
      await judge(entry, plan, file, options.baselineDir);
  } catch (error) {
    entry.exitCode = exitCodeOf(error);
    entry.verdict = verdictOf(entry.exitCode);
    entry.reason = errorMessage(error);
  }
  entry.durationMs = Math.round(now() - began);
  return entry;
}

/** Against BASELINES/<scenario name>: a missing baseline is said, not failed (a new scenario has none yet). */
async function judge(entry: SuiteEntry, plan: RunPlan, file: string, baselineDir: string): Promise<void> {
  const baseline = join(baselineDir, plan.scenario.name);
  if (!existsSync(baseline)) {
    entry.regression = { baseline: null, note: `no baseline (${baseline} does not exist): not judged` };
    return;
  }
  try {
    const { runs, verdict } = await judgeAgainstBaseline(baseline, entry.dir!, { scenario: file });
    const out = join(entry.dir!, 'regression');
    await mkdir(out, { recursive: true });
    const outputs = comparisonOutputs();
    await outputs.open();
    await outputs.comparison(runs, out, verdict);
    await outputs.close();
    entry.regression = { baseline, verdict };
    if (verdict.regressed > 0) {
      entry.exitCode = worstExitCode([entry.exitCode, ExitCode.regressed]);
      entry.verdict = verdictOf(entry.exitCode);
      const named = verdict.rows.filter((r) => r.status === 'regressed').map((r) => `${r.part}: ${r.figure}`);
      entry.reason = `${entry.reason ? `${entry.reason}; ` : ''}regressed against ${baseline}: ${named.join(', ')}`;
    }
  } catch (error) {
    entry.regression = { baseline, note: errorMessage(error) };
    entry.exitCode = worstExitCode([entry.exitCode, exitCodeOf(error)]);
    entry.verdict = verdictOf(entry.exitCode);
    entry.reason = `${entry.reason ? `${entry.reason}; ` : ''}baseline: ${errorMessage(error)}`;
  }
}

function verdictOf(code: number): SuiteVerdict {
  switch (code) {
    case ExitCode.passed:
      return 'passed';
    case ExitCode.criteriaFailed:
      return 'failed';
    case ExitCode.regressed:
      return 'regressed';
    case ExitCode.invalidInput:
      return 'invalid';
    case ExitCode.interrupted:
      return 'interrupted';
    default:
      return 'error';
  }
}

function reasonOf(results: RunResult[]): string {
  const reasons: string[] = [];
  for (const r of results) {
    if (r.statusReason) reasons.push(`${r.cluster.name}: ${r.statusReason}`);
    const failed = r.criteria.filter((c) => !c.passed).map((c) => `${c.expression} (actual ${c.actual ?? '—'})`);
    if (failed.length) reasons.push(`${r.cluster.name}: failed ${failed.join(', ')}`);
  }
  return reasons.join('; ');
}

function exitCodeOf(error: unknown): number {
  const code = (error as { exitCode?: unknown } | null)?.exitCode;
  return typeof code === 'number' ? code : ExitCode.infrastructure;
}

/** Each scenario's own outputs: result.json and its reports; the suite writes one JUnit file and one summary. */
function scenarioOutputs(): Outputs {
  return outputsOf('run');
}

function comparisonOutputs(): Outputs {
  return outputsOf('compare');
}

function outputsOf(command: 'run' | 'compare'): Outputs {
  const skip = new Set<OutputKind>([junitOutput, ciSummaryOutput]);
  return new Outputs(
    OUTPUT_KINDS.filter((kind) => kind.commands.includes(command) && !skip.has(kind))
      .map((kind) => kind.create({}, command))
      .filter((output) => output !== undefined),
  );
}
