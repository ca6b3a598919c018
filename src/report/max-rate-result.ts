/**
 * result.json's `maxRate` (a run whose workload searched for its max sustainable rate) and its section of
 * report.md: the highest rate that met the condition, every step tried, and how precisely the search converged.
 */
import type { SearchEnd, SearchInterval } from '../load/max-rate-search.js';
import { formatDuration, round } from '../scenario/units.js';

export interface MaxRateStep {
  /** Offered rate (msg/s, all producers together). */
  rate: number;
  passed: boolean;
  /** Why the step failed (every reason, in order); absent when it passed. */
  reasons?: string[];
  /** Each `while` condition on this step's own figures: the figure it looked at, and whether it held. */
  figures: Array<{ expression: string; actual: number | null; passed: boolean }>;
  /** Acknowledged per second over the step's window; null when sends are not acknowledged (acks=0). */
  achieved: number | null;
  /** Handed to the client per second over the step's window: below the offered rate, the producers fell behind. */
  sent: number;
  publishP99: number | null;
  /** Wall time of the step: producers' start, warm-up, window and drain. */
  tookMs: number;
}

export interface MaxRateResult {
  /** The conditions every step was judged on. */
  while: string[];
  /** The highest offered rate that met every condition (msg/s); null when no step did. */
  rate: number | null;
  /** That step's acknowledged rate. */
  achieved: number | null;
  end: SearchEnd;
  /** The highest rate that passed and the lowest that failed above it; width = (failed − passed) ÷ passed. */
  interval: SearchInterval;
  /** The width the search was asked to reach. */
  precision: number;
  /** A step whose acknowledged or sent rate is below this share of the offered one failed (did not keep up). */
  keepUp: number;
  steps: MaxRateStep[];
  /** Wall time of the whole search. */
  tookMs: number;
}

const endText: Record<SearchEnd, string> = {
  converged: 'converged',
  upTo: 'every rate up to `upTo` passed: the max is at least that',
  floor: 'no rate down to 1 msg/s passed',
  maxSteps: 'stopped at `maxSteps` before converging',
  interrupted: 'interrupted',
};

/** One line for the live progress and the log: where the search ended, and how precisely. */
export function maxRateLine(m: MaxRateResult): string {
  const { passed, failed, width } = m.interval;
  const bounds = `passed ${passed ?? '—'}/s, failed ${failed ?? '—'}/s${width === null ? '' : ` (${round(width * 100, 1)} % apart)`}`;
  return m.rate === null
    ? `no rate met ${m.while.join(' and ')} (${endText[m.end]}; ${m.steps.length} steps, ${formatDuration(m.tookMs)})`
    : `max sustainable rate ${m.rate}/s while ${m.while.join(' and ')} — ${endText[m.end]}: ${bounds}; ${m.steps.length} steps, ${formatDuration(Math.round(m.tookMs))}`;
}

/** report.md's section: the result and every step (the figures above it are those of the highest passing step). */
export function maxRateSection(m: MaxRateResult | undefined): string {
  if (!m) return '';
  const header = [
    'Step',
    'Offered msg/s',
    'Verdict',
    ...m.while.map((w) => `\`${w}\``),
    'Acked msg/s',
    'Sent msg/s',
    'Why',
  ];
  const body = m.steps.map((s, i) => [
    i + 1,
    s.rate,
    s.passed ? '✅ pass' : '❌ fail',
    ...s.figures.map((f) => (f.actual === null ? '—' : f.actual)),
    s.achieved ?? '—',
    s.sent,
    s.reasons?.join('; ') ?? '',
  ]);
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  const figuresNote =
    m.rate === null
      ? 'No step passed: the figures below are those of the last step tried.'
      : `The figures below are those of the step at ${m.rate} msg/s.`;
  return [
    '## Max sustainable rate',
    '',
    `**${maxRateLine(m)}.** Each step: its own warm-up, then an open-loop window at the offered rate, then a drain; a step passes when every condition holds on its own figures, the acknowledged and sent rates are at least ${round(m.keepUp * 100, 1)} % of the offered one, no send failed and it drained. ${figuresNote}`,
    '',
    [line(header), line(header.map(() => '---')), ...body.map(line)].join('\n'),
  ].join('\n');
}
