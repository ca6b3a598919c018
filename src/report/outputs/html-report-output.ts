/** report.html: the run's report as one self-contained page with its charts (see html-report.ts). */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderRunCharts } from '../charts/rendered.js';
import { renderHtmlReport } from '../html-report.js';
import type { OutputKind } from '../output.js';

export const htmlReportOutput: OutputKind = {
  commands: ['run', 'report'],
  create: () => ({
    name: 'report.html',
    onResult: async (result, dir) =>
      writeFile(join(dir, 'report.html'), renderHtmlReport(result, await renderRunCharts(result))),
  }),
};
