/**
 * The output contract: what every output (result.json, report.md, report.html, JUnit, .hlog, the Prometheus
 * endpoint …) implements, and how the command line knows it. outputs.ts holds the list and fans out to it.
 */
import type { Option } from 'commander';
import type { FaultRecord } from '../faults/fault-injector.js';
import type { LoadProgress } from '../load/load-run.js';
import type { ReplicationFigures } from '../metrics/replication-tracker.js';
import type { ProcessTotals, ResourcePoint } from '../resources/resource-sampler.js';
import type { ComparedRun } from './compare.js';
import type { RegressionVerdict } from './regression.js';
import type { RunResult } from './result.js';

/** One part of a run: a cluster, or clusters joined by replication run together (named after the workload's). */
export interface RunPart {
  cluster: string;
  dir: string;
}

/** What a part's load lets outputs follow while it runs (the live metrics endpoint). */
export interface LoadSources {
  /** Each fault's record as it comes into force and heals. */
  faults?: { listen(listener: (record: FaultRecord) => void): void };
  /** Each replication flow's figures so far. */
  replication?: () => ReplicationFigures[];
  /** Each second's resource sample (per process) and the totals since the load started. */
  resources?: { listen(listener: (point: ResourcePoint, totals: ReadonlyMap<string, ProcessTotals>) => void): void };
}

export interface Output {
  /** What it writes, for messages: "result.json", "report.md" … */
  readonly name: string;
  /** Before any part starts (bind a port, check a path): a failure stops the run before a broker starts. */
  open?(): Promise<void>;
  /** As a part's load starts (faults scheduled, resources sampled). Must not throw nor block. */
  onLoadStart?(sources: LoadSources, part: RunPart): void;
  /** About once a second during a part's load. Must not throw nor block. */
  onProgress?(progress: LoadProgress, part: RunPart): void;
  /** Every few seconds during the load: the partial result so far (status "running"). */
  onCheckpoint?(result: RunResult, dir: string): Promise<void>;
  /** A part's final result (also a partial or errored one), and its directory. */
  onResult?(result: RunResult, dir: string): Promise<void>;
  /** Runs side by side: `faultline compare`, or a run of several parts. */
  onComparison?(runs: ComparedRun[], dir: string, regression?: RegressionVerdict): Promise<void>;
  /** After the last part (or comparison): flush, stop serving. */
  close?(): Promise<void>;
}

export type OutputCommand = 'run' | 'report' | 'compare';

/** An output as the command line knows it: its flags and how they make it (undefined: not chosen). */
export interface OutputKind {
  commands: OutputCommand[];
  /** Command-line options it adds to those commands. */
  options?: () => Option[];
  create(flags: Record<string, unknown>, command: OutputCommand): Output | undefined;
}
