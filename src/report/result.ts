/**
 * result.json: the contract users' CI scripts read. Paths documented in the README are stable; new fields may
 * be added, none renamed. Bump RESULT_SCHEMA_VERSION on an incompatible change.
 */
import type { CriterionVerdict } from '../criteria/criterion.js';
import type { LatencySummary } from '../metrics/latency-histogram.js';
import type { TimelinePoint } from '../metrics/collector.js';
import type { FaultRecord } from '../faults/fault-injector.js';

export const RESULT_SCHEMA_VERSION = 1;

export type RunStatus = 'passed' | 'failed' | 'error' | 'interrupted' | 'running';

export interface RunResult {
  schemaVersion: number;
  status: RunStatus;
  /** True when the run did not finish (interrupted, error, harness crash): figures cover only what ran. */
  partial: boolean;
  statusReason?: string;
  faultline: { version: string };
  scenario: { name: string; file: string; description?: string };
  cluster: { name: string; system: string; provider: string; version: string; brokers: number; bootstrap: string; webServiceUrl?: string };
  /** The client that ran; `requested` is the scenario's choice (auto, or a name); `note` says why auto chose it. */
  driver: { name: string; requested: string; note?: string };
  startedAt: string;
  endedAt: string;
  workload: {
    warmupMs: number;
    durationMs: number;
    drainTimeoutMs: number;
    messageSize: number;
    /** Mean target over the measurement window, or max. */
    targetRate: number | 'max';
    phases: Array<{ durationMs: number; rate: number | 'max' }>;
    topics: Array<{ name: string; partitions: number; replicationFactor: number }>;
    producers: number;
    consumers: number;
  };
  throughput: {
    produced: { messagesPerSec: number; bytesPerSec: number };
    consumed: { messagesPerSec: number; bytesPerSec: number } | null;
  };
  latency: {
    publish: LatencySummary;
    publishUncorrected: LatencySummary;
    endToEnd: LatencySummary | null;
    sendLag: LatencySummary;
  };
  messages: {
    sent: number;
    acked: number;
    failed: number;
    unacked: number;
    consumed: number | null;
    lost: number | null;
    duplicated: number | null;
    /** First deliveries behind a later message of the same producer and partition; null where order is not promised (Pulsar Shared, Key_Shared) or no consumers ran. */
    reordered: number | null;
    consumedUnacked: number | null;
    /** Acked, not delivered to the consumer group by the end of the drain, but present in the log (final read). */
    foundByFinalRead: number | null;
    /** Up to 100 of the lost messages: producer id, sequence number, intended send time (ms since load start). */
    lostSample: Array<{ producer: number; sequence: number; intendedMs: number | null }>;
    foreign: number;
    /** False when the drain bound passed before consumers caught up: `lost` then includes late messages. */
    drained: boolean;
  };
  errors: { total: number; byKind: Record<string, number> };
  timeline: TimelinePoint[];
  /** Each fault: what it hit, when it was in force, and what it cost. */
  faults: FaultRecord[];
  /** Worst recovery over all faults, in ms: first ack after injection (max), throughput back at 90 % (throughputMax), consumers resumed (consumerMax). */
  failover: { max: number | null; throughputMax: number | null; consumerMax: number | null; injected: number; neverRecovered: string[] };
  criteria: CriterionVerdict[];
  histograms: Record<string, string>;
  warnings: string[];
  environment: { node: string; platform: string; cpus: number; java?: number };
}
