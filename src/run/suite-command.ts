/** `faultline suite DIR`: run the suite, then write its summary (stdout, suite-summary.md, job summary), suite.json and JUnit. */
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { type SuiteReport, suiteJson, suiteJunitXml, suiteSummary } from '../report/suite-report.js';
import { parseRepeat } from './repeat-runs.js';
import { runSuite, type SuiteOptions } from './suite.js';
import { parseBudget } from './suite-budget.js';

export interface SuiteFlags {
  out?: string;
  budget: string;
  baselineDir?: string;
  junit?: string;
  summary?: string;
  repeat?: string;
}

export function defaultSuiteDir(now = new Date()): string {
  return resolve('results', `suite-${now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}`);
}

export async function suiteCommand(
  dir: string,
  flags: SuiteFlags,
  run: Pick<SuiteOptions, 'signal' | 'progress' | 'onRegistry'>,
): Promise<number> {
  const budgetMs = parseBudget(flags.budget);
  const repeat = flags.repeat === undefined ? 1 : parseRepeat(flags.repeat);
  const outDir = resolve(flags.out ?? defaultSuiteDir());
  const startedAt = new Date().toISOString();
  const { entries, exitCode } = await runSuite({
    dir,
    outDir,
    budgetMs,
    ...(flags.baselineDir ? { baselineDir: flags.baselineDir } : {}),
    ...(repeat > 1 ? { repeat } : {}),
    ...run,
  });
  const report: SuiteReport = {
    dir,
    outDir,
    budgetMs,
    baselineDir: flags.baselineDir ?? null,
    repeat,
    startedAt,
    endedAt: new Date().toISOString(),
    exitCode,
    entries,
  };
  const summary = suiteSummary(report);
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'suite-summary.md'), summary);
  await writeFile(join(outDir, 'suite.json'), suiteJson(report));
  const written = ['suite-summary.md', 'suite.json'];
  if (flags.junit) {
    const file = resolve(flags.junit);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, suiteJunitXml(report));
    written.push(file);
  }
  const jobSummary = flags.summary ?? process.env.GITHUB_STEP_SUMMARY;
  if (jobSummary) {
    await appendFile(resolve(jobSummary), `${summary}\n`);
    written.push(jobSummary);
  }
  process.stdout.write(`${summary}\nwrote ${written.join(', ')} in ${outDir}\n`);
  return exitCode;
}
