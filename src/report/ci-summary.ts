/**
 * A short Markdown summary of a run part, fit for a CI job summary (GitHub's GITHUB_STEP_SUMMARY, a merge request
 * note): the verdict, the key figures, each criterion, and where the full reports are.
 */
import { statusNote } from './markdown-report.js';
import type { RunResult } from './result.js';

export function ciSummary(r: RunResult, dir: string): string {
  const icon = r.status === 'passed' ? '✅' : r.status === 'failed' ? '❌' : '⚠️';
  const ms = (s: { p50: number; p99: number; max: number } | null | undefined) =>
    s ? `${s.p50} / ${s.p99} / ${s.max}` : '—';
  const m = r.messages;
  const figures: Array<[string, string | number]> = [
    [
      'Produced / consumed (msg/s)',
      `${r.throughput.produced?.messagesPerSec ?? '—'} / ${r.throughput.consumed?.messagesPerSec ?? '—'}`,
    ],
    ['Publish latency p50 / p99 / max (ms)', ms(r.latency.publish)],
    ...(r.latency.endToEnd
      ? [['End-to-end latency p50 / p99 / max (ms)', ms(r.latency.endToEnd)] as [string, string]]
      : []),
    ['Sent / acked / consumed', `${m.sent} / ${m.acked ?? '—'} / ${m.consumed ?? '—'}`],
    ['Lost / duplicated / reordered', `${m.lost ?? '—'} / ${m.duplicated ?? '—'} / ${m.reordered ?? '—'}`],
    ...(r.replication ? [['Replication lag p50 / p99 / max (ms)', ms(r.replication.lag)] as [string, string]] : []),
    ...(r.rto
      ? [['RTO produce / consume (ms)', `${r.rto.produce ?? '—'} / ${r.rto.consume ?? '—'}`] as [string, string]]
      : []),
    ...(r.rpo ? [['RPO (messages / ms)', `${r.rpo.messages} / ${r.rpo.ms}`] as [string, string]] : []),
  ];
  const cell = (v: string | number) => String(v).replace(/\|/g, '\\|');
  const lines = [
    `### ${icon} ${r.scenario.name} on ${r.cluster.name} (${r.cluster.system} ${r.cluster.version}): ${r.status.toUpperCase()}`,
    '',
    ...(statusNote(r) ? [statusNote(r)!, ''] : []),
    '| | |',
    '|---|---:|',
    ...figures.map(([name, value]) => `| ${name} | ${cell(value)} |`),
    '',
  ];
  if ((r.criteria ?? []).length > 0) {
    lines.push('| Criterion | Actual | Verdict |', '|---|---:|---|');
    for (const c of r.criteria)
      lines.push(
        `| \`${cell(c.expression)}\` | ${c.actual === null ? `— (${cell(c.note ?? 'not measured')})` : c.actual} | ${c.passed ? '✅ pass' : '❌ FAIL'} |`,
      );
    lines.push('');
  }
  lines.push(`Reports: \`${dir}\` (report.html, report.md, result.json)`, '', '');
  return lines.join('\n');
}
