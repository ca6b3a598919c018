/** --junit FILE: JUnit XML of the run's verdicts (see junit.ts), rewritten after each part of the run. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Option } from 'commander';
import { junitXml } from '../junit.js';
import { regressionJunitXml } from '../regression-junit.js';
import type { OutputKind } from '../output.js';
import type { RunResult } from '../result.js';

export const junitOutput: OutputKind = {
  commands: ['run', 'compare'],
  options: () => [
    new Option(
      '--junit <file>',
      'also write the verdicts as JUnit XML (each criterion a testcase; with compare --baseline, each regression check)',
    ),
  ],
  create: (flags) => {
    if (typeof flags.junit !== 'string') return undefined;
    const file = resolve(flags.junit);
    const results: RunResult[] = [];
    return {
      name: `JUnit XML (${file})`,
      open: () => mkdir(dirname(file), { recursive: true }).then(() => undefined),
      onResult: async (result) => {
        results.push(result);
        await writeFile(file, junitXml(results));
      },
      // compare --baseline: each regression check a testcase (a run's own comparison of its parts writes none).
      onComparison: async (_runs, _dir, regression) => {
        if (regression) await writeFile(file, regressionJunitXml(regression));
      },
    };
  },
};
