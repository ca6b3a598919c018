/**
 * What the benches share: one local broker started for the whole bench (a work directory, a process registry,
 * Ctrl-C stopping it cleanly), the one line that says why a side failed, and the median with its spread.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localKafkaProvider } from '../src/cluster/kafka/local-kafka.js';
import { ProcessRegistry } from '../src/cluster/process-registry.js';
import type { ClusterProvider, RunningCluster } from '../src/cluster/provider.js';
import { localPulsarProvider } from '../src/cluster/pulsar/local-pulsar.js';
import { clusterSchema } from '../src/scenario/schema.js';

export interface BenchCluster {
  cluster: RunningCluster;
  /** A fresh directory for the bench's scenarios, results and logs. */
  work: string;
  /** Aborted by Ctrl-C: a bench stops between sides. */
  signal: AbortSignal;
}

/** Progress lines on stderr (stdout carries the figures). */
export const log = (line: string): void => {
  process.stderr.write(`bench: ${line}\n`);
};

/** Starts one local broker of `system` (Kafka KRaft or a Pulsar standalone), runs `body`, stops the broker. */
export async function withLocalBroker<T>(
  system: 'kafka' | 'pulsar',
  body: (bench: BenchCluster) => Promise<T>,
): Promise<T> {
  const provider: ClusterProvider = system === 'kafka' ? localKafkaProvider : localPulsarProvider;
  const work = mkdtempSync(join(tmpdir(), `faultline-bench-${system}-`));
  const spec = clusterSchema.parse({ name: 'bench', system });
  const registry = ProcessRegistry.open(`bench${process.pid}`, work);
  const abort = new AbortController();
  const onSigint = () => abort.abort('SIGINT');
  process.on('SIGINT', onSigint);
  let cluster: RunningCluster | undefined;
  try {
    cluster = await provider.start(spec, {
      runId: registry.runId,
      logDir: join(work, 'logs'),
      registry,
      signal: abort.signal,
      log: () => {},
      info: log,
    });
    return await body({ cluster, work, signal: abort.signal });
  } finally {
    process.off('SIGINT', onSigint);
    await cluster?.stop();
    registry.close();
  }
}

/** The line that says why: the first exception line of a Java stack, else the last non-empty line. */
export function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return (
    lines.find((l) => /^(Exception|Caused by|[\w.]+(Exception|Error)\b)/.test(l)) ??
    lines.at(-1) ??
    'no output'
  ).slice(0, 300);
}

/** A side's figure, or why it failed in one line. */
export async function side<T>(run: () => Promise<T>): Promise<T | string> {
  try {
    return await run();
  } catch (error) {
    const e = error as { stderr?: string; message?: string };
    return lastLine(e.stderr && /Exception|Error/.test(e.stderr) ? e.stderr : (e.message ?? String(error)));
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  return n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

/** "median M, spread LO–HI over N of OF WHAT" or, with no figure, "no WHAT completed". */
export function medianAndSpread(values: readonly number[], digits: number, of: number, what: string): string {
  if (values.length === 0) return `no ${what.replace(/s$/, '')} completed`;
  const sorted = [...values].sort((a, b) => a - b);
  return `median ${median(sorted).toFixed(digits)}, spread ${sorted[0]!.toFixed(digits)}–${sorted.at(-1)!.toFixed(digits)} over ${sorted.length} of ${of} ${what}`;
}
