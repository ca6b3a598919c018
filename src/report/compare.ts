/**
 * Side-by-side comparison of runs (Kafka vs Pulsar, tonight vs baseline): throughput, latency percentiles, data
 * safety and verdicts, each row with its winner and by how much. Warns when the runs are not like for like.
 */
import { existsSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { InvalidInputError } from '../errors.js';
import { round } from '../scenario/units.js';
import { describeCaps } from './caps.js';
import { effectiveComparisonTable, effectiveWarning } from './effective-settings.js';
import { type RegressionVerdict, renderRegression } from './regression.js';
import { readResult, resultFilesUnder } from './result-files.js';
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
  /** Per run, in the order of `values`: the status of a run that did not complete (its figure is partial), else null. */
  incomplete: Array<string | null>;
}

export interface Comparison {
  generatedAt: string;
  runs: Array<{
    label: string;
    dir: string;
    system: string;
    version: string;
    driver: string;
    status: string;
    scenario: string;
    incomplete: string | null;
    measuredNothing: boolean;
  }>;
  rows: ComparisonRow[];
  verdicts: Array<{ label: string; passed: number; total: number; failed: string[] }>;
  warnings: string[];
  /** The workload, when every run had the same one. */
  workload?: string;
  /** `compare --baseline`: the regression verdict per check (see regression.ts). */
  regression?: RegressionVerdict;
  /** The durability, batching and prefetch each run ran with, as a Markdown table ('' when none recorded them). */
  effective?: string;
}

/**
 * Which runs to compare. Each argument is a run directory (its result.json, or the cluster subdirectories of a
 * run of several clusters) or a directory of runs (a scenario's results: the runs in its subdirectories, and
 * their cluster subdirectories), nothing deeper. A directory whose runs belong to different scenarios is refused:
 * name those runs one by one instead.
 */
export async function pickRuns(args: string[]): Promise<{ runs: ComparedRun[]; picked: string[] }> {
  const runs: ComparedRun[] = [];
  const picked: string[] = [];
  const seen = new Set<string>();
  for (const arg of args) {
    const dir = resolve(arg);
    if (!(await isDirectory(dir)))
      throw new InvalidInputError(`${arg}: not a directory (compare takes run directories or a directory of runs)`);
    const files = await resultFilesUnder(dir);
    if (files.length === 0)
      throw new InvalidInputError(`${arg}: no result.json here, in its subdirectories or in theirs`);
    const found: ComparedRun[] = [];
    for (const file of files) found.push({ label: '', dir: dirname(file), result: await readResult(file) });
    const scenarios = countBy(found, (run) => run.result.scenario.name);
    if (scenarios.size > 1) {
      throw new InvalidInputError(
        `${arg} holds runs of ${scenarios.size} different scenarios (${[...scenarios].map(([name, n]) => `${name}: ${n} run${n === 1 ? '' : 's'}`).join(', ')}); ` +
          "compare takes a run, one scenario's results, or runs named one by one: faultline compare DIR1 DIR2 ...",
      );
    }
    const isRun = existsSync(join(dir, 'result.json'));
    picked.push(
      `${arg}: ${isRun ? 'a run' : `${found.length} run${found.length === 1 ? '' : 's'}`} of scenario ${[...scenarios.keys()][0]}`,
    );
    for (const run of found) {
      if (seen.has(run.dir)) continue; // named twice
      seen.add(run.dir);
      runs.push(run);
    }
  }
  labelRuns(runs);
  return { runs, picked };
}

/** The runs in run directories named one by one (each its result.json or its clusters' subdirectories). */
export async function loadRuns(dirs: string[]): Promise<ComparedRun[]> {
  const runs: ComparedRun[] = [];
  for (const dir of dirs) {
    for (const file of await resultFilesUnder(resolve(dir), 1))
      runs.push({ label: '', dir: dirname(file), result: await readResult(file) });
  }
  labelRuns(runs);
  return runs;
}

/** The cluster name where it is unique, else the run's path below the directory the runs share. */
function labelRuns(runs: ComparedRun[]): void {
  const names = countBy(runs, (run) => run.result.cluster.name);
  const parent = commonParent(runs.map((run) => run.dir));
  for (const run of runs) {
    const relativePath = relative(parent, run.dir);
    run.label =
      names.get(run.result.cluster.name) === 1
        ? run.result.cluster.name
        : relativePath && !relativePath.startsWith('..')
          ? relativePath
          : `${basename(run.dir)}/${run.result.cluster.name}`;
  }
  const labels = countBy(runs, (run) => run.label);
  runs.forEach((run, i) => {
    if (labels.get(run.label)! > 1) run.label = `${run.label}#${i + 1}`;
  });
}

function commonParent(dirs: string[]): string {
  if (dirs.length === 0) return sep;
  let parent = dirname(dirs[0]!);
  while (!dirs.every((dir) => dir.startsWith(parent.endsWith(sep) ? parent : parent + sep))) parent = dirname(parent);
  return parent;
}

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

type Extract = (r: RunResult) => number | null | undefined;
type Summary = { count?: number; p50?: number; p99?: number; p999?: number; max?: number } | null | undefined;

/** A latency figure, or null when the summary is missing or recorded nothing (count 0 is not "0 ms"). */
const latency = (summary: Summary, pick: (s: NonNullable<Summary>) => number | undefined): number | null =>
  summary && (summary.count ?? 0) > 0 ? (pick(summary) ?? null) : null;

/** A data-safety count, or null when nothing was acknowledged (a run that kept nothing cannot lose any). */
const safety = (r: RunResult, value: number | null | undefined): number | null =>
  (r.messages?.acked ?? 0) > 0 ? (value ?? null) : null;

const rowSpecs: Array<[string, string, 'higher' | 'lower', Extract]> = [
  ['Produced (acked) throughput', 'msg/s', 'higher', (r) => r.throughput?.produced?.messagesPerSec],
  ['Consumed throughput', 'msg/s', 'higher', (r) => r.throughput?.consumed?.messagesPerSec],
  ['Publish latency p50', 'ms', 'lower', (r) => latency(r.latency?.publish, (s) => s.p50)],
  ['Publish latency p99', 'ms', 'lower', (r) => latency(r.latency?.publish, (s) => s.p99)],
  ['Publish latency p99.9', 'ms', 'lower', (r) => latency(r.latency?.publish, (s) => s.p999)],
  ['Publish latency max', 'ms', 'lower', (r) => latency(r.latency?.publish, (s) => s.max)],
  ['End-to-end latency p50', 'ms', 'lower', (r) => latency(r.latency?.endToEnd, (s) => s.p50)],
  ['End-to-end latency p99', 'ms', 'lower', (r) => latency(r.latency?.endToEnd, (s) => s.p99)],
  ['End-to-end latency p99.9', 'ms', 'lower', (r) => latency(r.latency?.endToEnd, (s) => s.p999)],
  ['End-to-end latency max', 'ms', 'lower', (r) => latency(r.latency?.endToEnd, (s) => s.max)],
  ['Lost messages', 'messages', 'lower', (r) => safety(r, r.messages.lost)],
  ['Duplicated messages (log copies)', 'messages', 'lower', (r) => safety(r, r.messages.duplicated)],
  ['Redelivered messages', 'messages', 'lower', (r) => safety(r, r.messages.redelivered)],
  ['Reordered messages', 'messages', 'lower', (r) => safety(r, r.messages.reordered)],
  ['Errors', 'count', 'lower', (r) => r.errors?.total],
];

/** Shown only when some run sampled resource use (see src/resources/). */
const resourceRowSpecs: Array<[string, string, 'higher' | 'lower', Extract]> = [
  ['Brokers CPU mean (all brokers)', 'cores', 'lower', (r) => r.resources?.brokers?.cpu.mean],
  ['Brokers CPU max', 'cores', 'lower', (r) => r.resources?.brokers?.cpu.max],
  ['Brokers CPU per million messages', 'CPU-s', 'lower', (r) => r.resources?.brokers?.cpuSecondsPerMillionMessages],
  ['Brokers RSS max', 'MiB', 'lower', (r) => mib(r.resources?.brokers?.rssBytes.max)],
  ['Brokers disk written', 'MiB', 'lower', (r) => mib(r.resources?.brokers?.diskWrittenBytes)],
  ['Harness CPU mean (faultline itself)', 'cores', 'lower', (r) => r.resources?.harness?.cpu.mean],
  ['Harness CPU max', 'cores', 'lower', (r) => r.resources?.harness?.cpu.max],
  ['Harness CPU per message (faultline itself)', 'µs', 'lower', (r) => r.harness?.cpuMicrosPerMessage],
];
/** Shown only when some run ran MirrorMaker 2. */
const mirrorMakerRowSpecs: Array<[string, string, 'higher' | 'lower', Extract]> = [
  ['MirrorMaker 2 CPU mean (all)', 'cores', 'lower', (r) => r.resources?.mirrorMakers?.cpu.mean],
  ['MirrorMaker 2 RSS max', 'MiB', 'lower', (r) => mib(r.resources?.mirrorMakers?.rssBytes.max)],
];
const mib = (bytes: number | null | undefined) =>
  typeof bytes === 'number' ? Math.round((bytes / 1024 ** 2) * 10) / 10 : null;

/** Shown only when some run replicated between clusters. */
const replicationRowSpecs: Array<[string, string, 'higher' | 'lower', Extract]> = [
  ['Replication lag p50', 'ms', 'lower', (r) => latency(r.replication?.lag, (s) => s.p50)],
  ['Replication lag p99', 'ms', 'lower', (r) => latency(r.replication?.lag, (s) => s.p99)],
  ['Replication lag max', 'ms', 'lower', (r) => latency(r.replication?.lag, (s) => s.max)],
  [
    'Replicated throughput (first → last seen on the target; with failover the span includes the outage)',
    'msg/s',
    'higher',
    (r) => r.replication?.throughput?.messagesPerSec,
  ],
  ['Not (yet) replicated at the end', 'messages', 'lower', (r) => r.replication?.notReplicated],
  ['Duplicated by replication', 'messages', 'lower', (r) => r.replication?.duplicated],
  [
    'RPO: acknowledged, not on the target (with failover: the failover target) at the outage',
    'messages',
    'lower',
    (r) => r.rpo?.messages,
  ],
  ['RPO: oldest missing message, age', 'ms', 'lower', (r) => r.rpo?.ms],
  ['RPO: never arrived (lost)', 'messages', 'lower', (r) => r.rpo?.lost],
];

/** Shown only when some run failed its clients over to a replica. */
const failoverRowSpecs: Array<[string, string, 'higher' | 'lower', Extract]> = [
  ['Failover detection: outage → trigger fired', 'ms', 'lower', (r) => r.rto?.detectedMs],
  ['RTO produce: outage → first ack on the replica', 'ms', 'lower', (r) => r.rto?.produce],
  ['RTO consume: outage → every group consumed a new message on the replica', 'ms', 'lower', (r) => r.rto?.consume],
  ['Consumed again after failover', 'messages', 'lower', (r) => r.rto?.consumedAgain],
  ['Unacknowledged at the move, sent again to the replica', 'messages', 'lower', (r) => r.rto?.resent],
];

/** With consumers in several regions: each consumer group's own books (lost, duplicated), one row per region. */
function groupRowSpecs(runs: ComparedRun[]): Array<[string, string, 'higher' | 'lower', Extract]> {
  const regions = [...new Set(runs.flatMap((run) => Object.keys(run.result.messages?.byGroup ?? {})))];
  if (!runs.some((run) => Object.keys(run.result.messages?.byGroup ?? {}).length > 1)) return [];
  return regions.flatMap(
    (region): Array<[string, string, 'higher' | 'lower', Extract]> => [
      [`Lost messages, ${region} group`, 'messages', 'lower', (r) => safety(r, r.messages.byGroup?.[region]?.lost)],
      [
        `Duplicated messages (log copies), ${region} group`,
        'messages',
        'lower',
        (r) => safety(r, r.messages.byGroup?.[region]?.duplicated),
      ],
    ],
  );
}

/** True when the load never sent a message: none of the run's figures is a measurement. */
function measuredNothing(r: RunResult): boolean {
  return (r.messages?.sent ?? 0) === 0;
}

/** The status of a run that did not complete (error, interrupted, running), or null for a finished run. */
function incompleteStatus(r: RunResult): string | null {
  if (r.status !== 'passed' && r.status !== 'failed') return r.status;
  return r.partial ? 'partial' : null;
}

export function compareRuns(runs: ComparedRun[], regression?: RegressionVerdict): Comparison {
  const incomplete = runs.map((run) => incompleteStatus(run.result));
  const specs = [
    ...rowSpecs,
    ...groupRowSpecs(runs),
    ...(runs.some((run) => run.result.replication) ? replicationRowSpecs : []),
    ...(runs.some((run) => run.result.rto) ? failoverRowSpecs : []),
    ...(runs.some((run) => run.result.resources) ? resourceRowSpecs : []),
    ...(runs.some((run) => run.result.resources?.mirrorMakers) ? mirrorMakerRowSpecs : []),
  ];
  const rows = specs.map(([metric, unit, better, extract]) => {
    const values = runs.map((run) => {
      const value = measuredNothing(run.result) ? null : extract(run.result);
      return typeof value === 'number' && Number.isFinite(value) ? value : null;
    });
    return {
      metric,
      unit,
      better,
      values,
      ...winnerOf(
        values,
        better,
        runs.map((r) => r.label),
      ),
      incomplete,
    };
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
      incomplete: incompleteStatus(result),
      measuredNothing: measuredNothing(result),
    })),
    rows,
    verdicts: runs.map(({ label, result }) => ({
      label,
      passed: (result.criteria ?? []).filter((c) => c.passed).length,
      total: (result.criteria ?? []).length,
      failed: (result.criteria ?? []).filter((c) => !c.passed).map((c) => c.expression),
    })),
    warnings: likeForLikeWarnings(runs),
    effective: effectiveComparisonTable(runs),
    ...(new Set(runs.map((r) => describeWorkload(r.result))).size === 1
      ? { workload: describeWorkload(runs[0]!.result) }
      : {}),
    ...(regression ? { regression } : {}),
  };
}

function describeWorkload(r: RunResult): string {
  const w = r.workload;
  const rate =
    w.targetRate === 'max'
      ? 'max rate'
      : w.phases.length > 1
        ? `phases ${w.phases.map((p) => `${p.rate}/s for ${p.durationMs / 1000}s`).join(', ')}`
        : `${w.targetRate} msg/s`;
  return `${rate}, ${w.messageSize} B messages, ${w.durationMs / 1000} s measured after ${w.warmupMs / 1000} s warm-up, ${w.producers} producer(s) and ${w.consumers} consumer(s) per topic, topics ${w.topics.map((t) => `${t.name} (${t.partitions} partitions)`).join(', ')}`;
}

function winnerOf(
  values: Array<number | null>,
  better: 'higher' | 'lower',
  labels: string[],
): { winner: string | null; ratio: number | null } {
  const measured = values
    .map((value, i) => ({ value, i }))
    .filter((v): v is { value: number; i: number } => v.value !== null);
  if (measured.length < 2) return { winner: null, ratio: null };
  measured.sort((a, b) => (better === 'higher' ? b.value - a.value : a.value - b.value));
  const [best, second] = measured as [{ value: number; i: number }, { value: number; i: number }];
  // Within 1% is a tie: at a fixed target rate, both runs simply met it.
  if (best.value === second.value || Math.abs(best.value - second.value) <= 0.01 * Math.abs(best.value))
    return { winner: null, ratio: 1 };
  const ratio =
    better === 'higher'
      ? second.value === 0
        ? null
        : best.value / second.value
      : best.value === 0
        ? null
        : second.value / best.value;
  return { winner: labels[best.i]!, ratio: ratio === null ? null : round(ratio, 2) };
}

function likeForLikeWarnings(runs: ComparedRun[]): string[] {
  const warnings: string[] = [];
  const shapes = new Set(runs.map((run) => describeWorkload(run.result)));
  if (shapes.size > 1) {
    warnings.push(
      `the runs did not have the same workload, so they are not like for like: ${runs.map((run) => `${run.label}: ${describeWorkload(run.result)}`).join('; ')}`,
    );
  }
  const knobs = effectiveWarning(runs);
  if (knobs) warnings.push(knobs);
  const caps = runs.map((run) => describeCaps(run.result));
  if (new Set(caps).size > 1)
    warnings.push(
      `the brokers did not run under the same resource caps, so the runs are not like for like: ${runs.map((run, i) => `${run.label}: ${caps[i]}`).join('; ')}`,
    );
  for (const run of runs) {
    if (measuredNothing(run.result))
      warnings.push(
        `${run.label} sent no message (status ${run.result.status}): it measured nothing, its figures are shown as —`,
      );
    else if (incompleteStatus(run.result))
      warnings.push(
        `${run.label} did not complete (status ${run.result.status}): its figures are partial, marked † in every row`,
      );
    for (const warning of run.result.warnings ?? []) warnings.push(`${run.label}: ${warning}`);
  }
  return warnings;
}

export function renderComparison(comparison: Comparison): string {
  const mark = (label: string, incomplete: string | null | undefined) => (incomplete ? `${label} †` : label);
  const labels = comparison.runs.map((r) => mark(r.label, r.incomplete));
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  const out: string[] = ['# Comparison', ''];
  out.push(
    ...comparison.runs.map(
      (r) =>
        `- **${mark(r.label, r.incomplete)}**: ${r.system} ${r.version} via ${r.driver}, scenario ${r.scenario}, ${r.status}${r.incomplete ? ' (did not complete: figures partial)' : ''} — \`${r.dir}\``,
    ),
  );
  if (comparison.workload) out.push('', `Workload: ${comparison.workload}.`);
  out.push('');
  out.push(line(['', ...labels, 'Winner', 'By']), line(['---', ...labels.map(() => '---:'), '---', '---:']));
  for (const row of comparison.rows) {
    const cells = row.values.map((v, i) => (v === null ? '—' : mark(String(v), row.incomplete[i])));
    const by = row.ratio === null ? '—' : row.winner === null ? 'tie' : `${row.ratio}×`;
    const winner =
      row.winner === null
        ? null
        : mark(row.winner, row.incomplete[comparison.runs.findIndex((r) => r.label === row.winner)]);
    out.push(
      line([
        `${row.metric} (${row.unit}, ${row.better} is better)`,
        ...cells,
        winner ?? (row.ratio === 1 ? 'tie' : '—'),
        by,
      ]),
    );
  }
  out.push(line(['Criteria passed', ...comparison.verdicts.map((v) => `${v.passed}/${v.total}`), '', '']));
  const failures = comparison.verdicts.filter((v) => v.failed.length > 0);
  if (failures.length > 0)
    out.push('', ...failures.map((v) => `- ${v.label} failed: ${v.failed.map((f) => `\`${f}\``).join(', ')}`));
  if (comparison.runs.some((r) => r.incomplete))
    out.push('', '† the run did not complete (error, interrupted or partial): its figures cover only what ran.');
  if (comparison.warnings.length > 0) out.push('', ...comparison.warnings.map((w) => `> ⚠ ${w}`));
  if (comparison.effective) out.push('', comparison.effective);
  if (comparison.regression) out.push('', renderRegression(comparison.regression));
  out.push(
    '',
    '"By" is how many times better the winner is than the runner-up. Latency is measured from each message\'s intended send time (corrected for coordinated omission); throughput over the measurement window only. — is a figure the run did not measure (no message sent, no latency sample, nothing acknowledged to lose); it never wins.',
    '',
  );
  return out.join('\n');
}

/** Writes comparison.md and comparison.json into `outDir`; returns the Markdown. */
export async function writeComparison(
  runs: ComparedRun[],
  outDir: string,
  regression?: RegressionVerdict,
): Promise<string> {
  const comparison = compareRuns(runs, regression);
  const markdown = renderComparison(comparison);
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'comparison.json'), `${JSON.stringify(comparison, null, 2)}\n`);
  await writeFile(join(outDir, 'comparison.md'), markdown);
  return markdown;
}
