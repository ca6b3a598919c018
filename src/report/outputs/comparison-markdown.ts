/** comparison.md and comparison.json: runs side by side, each row with its winner. */
import { writeComparison } from '../compare.js';
import type { OutputKind } from '../output.js';

export const comparisonMarkdownOutput: OutputKind = {
  commands: ['run', 'compare'],
  create: () => ({
    name: 'comparison.md and comparison.json',
    onComparison: async (runs, dir, regression) => {
      await writeComparison(runs, dir, regression);
    },
  }),
};
