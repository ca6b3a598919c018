/** --junit FILE: JUnit XML of the run's verdicts (see junit.ts), rewritten after each part of the run. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Option } from 'commander';
import { junitXml } from '../junit.js';
import type { OutputKind } from '../outputs.js';
import type { RunResult } from '../result.js';

export const junitOutput: OutputKind = {
  commands: ['run'],
  options: () => [new Option('--junit <file>', 'also write the verdicts as JUnit XML (each criterion a testcase)')],
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
    };
  },
};
