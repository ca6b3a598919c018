/** report.md: the run's report in Markdown, from REPORT_TEMPLATE.md. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderReport } from '../markdown-report.js';
import type { OutputKind } from '../outputs.js';

export const markdownReportOutput: OutputKind = {
  commands: ['run', 'report'],
  create: () => ({
    name: 'report.md',
    onResult: async (result, dir) => writeFile(join(dir, 'report.md'), await renderReport(result)),
  }),
};
