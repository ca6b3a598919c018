/**
 * Side-by-side comparison of runs (Kafka vs Pulsar, tonight vs baseline): throughput, latency percentiles, data
 * safety and verdicts, each row with its winner and by how much. Warns when the runs are not like for like.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { round } from '../scenario/units.js';
import type { RunResult } from './result.js';

export interface ComparedRun {
  label: string;
  dir: string;
  result: RunResult;
}

export interface ComparisonRow {
  metric: string;
  unit: string;
  better: 'higher' | 'lower';
  values: Array<number | null>;
  /** Label of the best run, or null for a tie or when fewer than two values were measured. */
  winner: string | null;
  /** Best ÷ runner-up (higher is better) or runner-up ÷ best (lower is better): how many times better. */
  ratio: number | null;
}

export interface Comparison {
  generatedAt: string;
  runs: Array<{ label: string; dir: string; system: string; version: string; driver: string; status: string; scenario: string }>;
  rows: ComparisonRow[];
  verdicts: Array<{ label: string; passed: number; total: number; failed: string[] }>;
  warnings: string[];
  /** The workload, when every run had the same one. */
  workload?: string;
}

/** result.json files in each directory, or in its subdirectories (a run of several clusters). */
export async function loadRuns(dirs: string[]): Promise<ComparedRun[]> {
  const runs: ComparedRun[] = [];
  for (const dir of dirs) {
    const files = existsSync(join(dir, 'result.json'))
      ? [join(dir, 'result.json')]
      : (await readdir(dir, { withFileTypes: true }).catch(() => []))
          .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'result.json')))
          .map((e) => join(dir, e.name, 'result.json'));
    for (const file of files) {
      const result = JSON.parse(await readFile(file, 'utf8')) as RunResult;
      runs.push({ label: '', dir: resolve(join(file, '..')), result });
    }
  }
  const clusterNames = runs.map((r) => r.result.cluster.name);
  for (const run of runs) {
    const unique = clusterNames.filter((n) => n === run.result.cluster.name).length === 1;
    run.label = unique ? run.result.cluster.name : `${basename(run.dir)}/${run.result.cluster.name}`;
  }
  return runs;
}

type Extract = (r: RunResult) => number | null | undefined;

const rowSpecs: Array<[string, string, 'higher' | 'lower', Extract]> = [
  ['Produced (acked) throughput', 'msg/s', 'higher', (r) => r.throughput.produced?.messagesPerSec],
  ['Consumed throughput', 'msg/s', 'higher', (r) => r.throughput.consumed?.messagesPerSec],
  ['Publish latency p50', 'ms', 'lower', (r) => r.latency.publish?.p50],
  ['Publish latency p99', 'ms', 'lower', (r) => r.latency.publish?.p99],
  ['Publish latency p99.9', 'ms', 'lower', (r) => r.latency.publish?.p999],
  ['Publish latency max', 'ms', 'lower', (r) => r.latency.publish?.max],
  ['End-to-end latency p50', 'ms', 'lower', (r) => r.latency.endToEnd?.p50],
  ['End-to-end latency p99', 'ms', 'lower', (r) => r.latency.endToEnd?.p99],
  ['End-to-end latency p99.9', 'ms', 'lower', (r) => r.latency.endToEnd?.p999],
  ['End-to-end latency max', 'ms', 'lower', (r) => r.latency.endToEnd?.max],
  ['Lost messages', 'messages', 'lower', (r) => r.messages.lost],
  ['Duplicated messages', 'messages', 'lower', (r) => r.messages.duplicated],
  ['Reordered messages', 'messages', 'lower', (r) => r.messages.reordered],
  ['Errors', 'count', 'lower', (r) => r.errors.total],
];

export function compareRuns(runs: ComparedRun[]): Comparison {
  const rows = rowSpecs.map(([metric, unit, better, extract]) => {
    const values = runs.map((run) => {
      const value = extract(run.result);
      return value === undefined || value === null ? null : value;
    });
    return { metric, unit, better, values, ...winnerOf(values, better, runs.map((r) => r.label)) };
  });
  return {
    generatedAt: new Date().toISOString(),
    runs: runs.map(({ label, dir, result }) => ({
      label,
      dir,
      system: result.cluster.system,
      version: result.cluster.version,
      driver: result.driver.name,
      status: result.status,
      scenario: result.scenario.name,
    })),
    rows,
    verdicts: runs.map(({ label, result }) => ({
      label,
      passed: result.criteria.filter((c) => c.passed).length,
      total: result.criteria.length,
      failed: result.criteria.filter((c) => !c.passed).map((c) => c.expression),
    })),
    warnings: likeForLikeWarnings(runs),
    ...(new Set(runs.map((r) => describeWorkload(r.result))).size === 1 ? { workload: describeWorkload(runs[0]!.result) } : {}),
  };
}

function describeWorkload(r: RunResult): string {
  const w = r.workload;
  const rate = w.targetRate === 'max' ? 'max rate' : w.phases.length > 1 ? `phases ${w.phases.map((p) => `${p.rate}/s for ${p.durationMs / 1000}s`).join(', ')}` : `${w.targetRate} msg/s`;
  return `${rate}, ${w.messageSize} B messages, ${w.durationMs / 1000} s measured after ${w.warmupMs / 1000} s warm-up, ${w.producers} producer(s) and ${w.consumers} consumer(s) per topic, topics ${w.topics.map((t) => `${t.name} (${t.partitions} partitions)`).join(', ')}`;
}

function winnerOf(values: Array<number | null>, better: 'higher' | 'lower', labels: string[]): { winner: string | null; ratio: number | null } {
  const measured = values.map((value, i) => ({ value, i })).filter((v): v is { value: number; i: number } => v.value !== null);
  if (measured.length < 2) return { winner: null, ratio: null };
  measured.sort((a, b) => (better === 'higher' ? b.value - a.value : a.value - b.value));
  const [best, second] = measured as [{ value: number; i: number }, { value: number; i: number }];
  // Within 1% is a tie: at a fixed target rate, both runs simply met it.
  if (best.value === second.value || Math.abs(best.value - second.value) <= 0.01 * Math.abs(best.value)) return { winner: null, ratio: 1 };
  const ratio = better === 'higher' ? (second.value === 0 ? null : best.value / second.value) : best.value === 0 ? null : second.value / best.value;
  return { winner: labels[best.i]!, ratio: ratio === null ? null : round(ratio, 2) };
}

function likeForLikeWarnings(runs: ComparedRun[]): string[] {
  const warnings: string[] = [];
  const shapes = new Set(runs.map((run) => describeWorkload(run.result)));
  if (shapes.size > 1) {
    warnings.push(`the runs did not have the same workload, so they are not like for like: ${runs.map((run) => `${run.label}: ${describeWorkload(run.result)}`).join('; ')}`);
  }
  for (const run of runs) {
    if (run.result.status !== 'passed' && run.result.status !== 'failed') warnings.push(`${run.label} did not complete (status ${run.result.status}): its figures are partial`);
    for (const warning of run.result.warnings) warnings.push(`${run.label}: ${warning}`);
  }
  return warnings;
}

export function renderComparison(comparison: Comparison): string {
  const labels = comparison.runs.map((r) => r.label);
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  const out: string[] = ['# Comparison', ''];
  out.push(...comparison.runs.map((r) => `- **${r.label}**: ${r.system} ${r.version} via ${r.driver}, scenario ${r.scenario}, ${r.status} — \`${r.dir}\``));
  if (comparison.workload) out.push('', `Workload: ${comparison.workload}.`);
  out.push('');
  out.push(line(['', ...labels, 'Winner', 'By']), line(['---', ...labels.map(() => '---:'), '---', '---:']));
  for (const row of comparison.rows) {
    const cells = row.values.map((v) => (v === null ? '—' : String(v)));
    const by = row.ratio === null ? '—' : row.winner === null ? 'tie' : `${row.ratio}×`;
    out.push(line([`${row.metric} (${row.unit}, ${row.better} is better)`, ...cells, row.winner ?? (row.ratio === 1 ? 'tie' : '—'), by]));
  }
  out.push(line(['Criteria passed', ...comparison.verdicts.map((v) => `${v.passed}/${v.total}`), '', '']));
  const failures = comparison.verdicts.filter((v) => v.failed.length > 0);
  if (failures.length > 0) out.push('', ...failures.map((v) => `- ${v.label} failed: ${v.failed.map((f) => `\`${f}\``).join(', ')}`));
  if (comparison.warnings.length > 0) out.push('', ...comparison.warnings.map((w) => `> ⚠ ${w}`));
  out.push(
    '',
    '"By" is how many times better the winner is than the runner-up. Latency is measured from each message\'s intended send time (corrected for coordinated omission); throughput over the measurement window only.',
    '',
  );
  return out.join('\n');
}

/** Writes comparison.md and comparison.json into `outDir`; returns the Markdown. */
export async function writeComparison(runs: ComparedRun[], outDir: string): Promise<string> {
  const comparison = compareRuns(runs);
  const markdown = renderComparison(comparison);
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'comparison.json'), `${JSON.stringify(comparison, null, 2)}\n`);
  await writeFile(join(outDir, 'comparison.md'), markdown);
  return markdown;
}
