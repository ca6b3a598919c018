/** `faultline compare --baseline BASE RUN`: load both, pair their parts, take the checks in force, judge. */
import { InvalidInputError } from '../errors.js';
import { loadScenarioFile } from '../scenario/load-scenario.js';
import type { ComparedRun } from './compare.js';
import { loadParts, pairParts, type RegressionRow, type RegressionVerdict, judgeRegression } from './regression.js';
import { parseThresholdFlag, RegressionSyntaxError, regressionChecks } from './regression-checks.js';

export interface BaselineOptions {
  /** --threshold FIGURE=CHANGE, as given. */
  thresholds?: string[];
  /** --scenario FILE: its `regression:` section. */
  scenario?: string;
}

export async function judgeAgainstBaseline(
  baseArg: string,
  runArg: string,
  options: BaselineOptions,
): Promise<{ runs: ComparedRun[]; verdict: RegressionVerdict }> {
  const flags = (options.thresholds ?? []).map((flag) => {
    try {
      return parseThresholdFlag(flag);
    } catch (error) {
      if (error instanceof RegressionSyntaxError) throw new InvalidInputError(error.message);
      throw error;
    }
  });
  const run = await loadParts(runArg);
  const base = await loadParts(baseArg);
  const pairs = pairParts(baseArg, base, runArg, run);
  const scenarioName = run[0]!.result.scenario.name;
  let section: Record<string, string> | undefined;
  if (options.scenario) {
    const { scenario } = await loadScenarioFile(options.scenario);
    if (scenario.name !== scenarioName)
      throw new InvalidInputError(
        `${options.scenario}: scenario "${scenario.name}", but the runs compared are of "${scenarioName}"`,
      );
    section = scenario.regression as Record<string, string> | undefined;
  }
  const checks = regressionChecks(section, flags);
  const rows: RegressionRow[] = pairs.flatMap(([b, r]) =>
    judgeRegression(b.result, r.result, checks, r.result.cluster.name),
  );
  const several = pairs.length > 1;
  const runs: ComparedRun[] = pairs.flatMap(([b, r]) => [
    { label: several ? `baseline/${b.result.cluster.name}` : 'baseline', dir: b.dir, result: b.result },
    { label: several ? `run/${r.result.cluster.name}` : 'run', dir: r.dir, result: r.result },
  ]);
  return {
    runs,
    verdict: {
      scenario: scenarioName,
      baseline: baseArg,
      run: runArg,
      rows,
      regressed: rows.filter((row) => row.status === 'regressed').length,
    },
  };
}
