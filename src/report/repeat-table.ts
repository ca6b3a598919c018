/** report.md's table of a repeated run (`run --repeat N`): each figure's median, spread and values over the repeats. */
import { median } from '../run/repeat-math.js';
import type { RunResult } from './result.js';

export function repeatTable(r: RunResult): string {
  const repeat = r.repeat;
  if (!repeat) return '';
  const figures = Object.entries(repeat.spread);
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  const where = repeat.dirs?.length ? ` (${repeat.dirs.map((d) => `[${d}](${d}/report.md)`).join(', ')})` : '';
  return [
    '## Repeats',
    '',
    `This result combines ${repeat.runs} repeats of the scenario, each on a fresh cluster${where}: the figures are the medians of the repeats, message and error counts their totals. Spread over the repeats (σ: sample standard deviation), which \`compare --baseline\` takes as the run-to-run noise:`,
    '',
    ...(figures.length === 0
      ? ['_No figure was measured in every repeat._']
      : [
          line(['Figure', 'Median', 'Min', 'Max', 'σ', 'Values']),
          line(['---', '---:', '---:', '---:', '---:', '---']),
          ...figures.map(([figure, s]) =>
            line([`\`${figure}\``, medianAt(r, figure) ?? '—', s.min, s.max, s.stdev, s.values?.join(', ') ?? '—']),
          ),
        ]),
    '',
  ].join('\n');
}

function medianAt(r: RunResult, figure: string): number | null {
  const values = r.repeat?.spread[figure]?.values;
  return values && values.length > 0 ? median(values) : null;
}
