/**
 * --summary FILE: a Markdown summary of each part (and the comparison of a run of several parts) appended to FILE;
 * without the flag, appended to $GITHUB_STEP_SUMMARY when it is set (GitHub Actions' job summary).
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Option } from 'commander';
import { ciSummary } from '../ci-summary.js';
import { compareRuns, renderComparison } from '../compare.js';
import type { OutputKind } from '../output.js';

export const ciSummaryOutput: OutputKind = {
  commands: ['run', 'compare'],
  options: () => [
    new Option(
      '--summary <file>',
      'append a Markdown summary fit for a CI job summary (default: $GITHUB_STEP_SUMMARY when set)',
    ),
  ],
  create: (flags) => {
    const target = typeof flags.summary === 'string' ? flags.summary : process.env.GITHUB_STEP_SUMMARY;
    if (!target) return undefined;
    const file = resolve(target);
    return {
      name: `summary (${file})`,
      open: () => mkdir(dirname(file), { recursive: true }).then(() => undefined),
      onResult: (result, dir) => appendFile(file, ciSummary(result, dir)),
      onComparison: (runs, _dir, regression) =>
        appendFile(
          file,
          `${renderComparison(compareRuns(runs, regression)).replace(/^# Comparison/, '### Comparison')}\n`,
        ),
    };
  },
};
