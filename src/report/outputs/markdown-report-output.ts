/** report.md: the run's report in Markdown, from REPORT_TEMPLATE.md, with its charts as SVG files in charts/. */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderRunCharts } from '../charts/rendered.js';
import { renderReport, type SectionCharts } from '../markdown-report.js';
import type { OutputKind } from '../output.js';

export const CHARTS_DIR = 'charts';

export const markdownReportOutput: OutputKind = {
  commands: ['run', 'report'],
  create: () => ({
    name: 'report.md',
    onResult: async (result, dir) => {
      const chartsDir = join(dir, CHARTS_DIR);
      await mkdir(chartsDir, { recursive: true });
      for (const old of (await readdir(chartsDir)).filter((name) => name.endsWith('.svg')))
        await rm(join(chartsDir, old));
      const sections: SectionCharts = {};
      for (const section of await renderRunCharts(result)) {
        sections[section.id] = { title: section.title, charts: [] };
        for (const { chart, svg } of section.charts) {
          if (!svg) continue;
          await writeFile(join(chartsDir, `${chart.id}.svg`), svg);
          sections[section.id]!.charts.push({ title: chart.title, file: `${CHARTS_DIR}/${chart.id}.svg` });
        }
      }
      await writeFile(join(dir, 'report.md'), await renderReport(result, undefined, sections));
    },
  }),
};
