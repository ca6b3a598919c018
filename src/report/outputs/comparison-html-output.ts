/** comparison.html: runs side by side with overlaid charts (see comparison-html.ts). */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { comparisonCharts } from '../charts/comparison-charts.js';
import { drawCharts } from '../charts/rendered.js';
import { compareRuns } from '../compare.js';
import { renderComparisonHtml } from '../comparison-html.js';
import type { OutputKind } from '../output.js';

export const comparisonHtmlOutput: OutputKind = {
  commands: ['run', 'compare'],
  create: () => ({
    name: 'comparison.html',
    onComparison: async (runs, dir) =>
      writeFile(
        join(dir, 'comparison.html'),
        renderComparisonHtml(compareRuns(runs), await drawCharts(comparisonCharts(runs))),
      ),
  }),
};
