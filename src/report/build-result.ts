/** Assembles result.json from what the run measured, and judges the criteria against it. */
import { cpus } from 'node:os';
import { judge, metricValue } from '../criteria/criterion.js';
import type { LoadOutcome } from '../load/load-run.js';
import type { CollectedMetrics, TimelinePoint } from '../metrics/collector.js';
import { RateSchedule } from '../load/rate-schedule.js';
import type { WorkloadSpec } from '../scenario/schema.js';
import { round } from '../scenario/units.js';
import type { LedgerCounts } from '../metrics/message-ledger.js';
import { faultlineVersion } from '../package-root.js';
import type { ClusterRun, RunPlan } from '../plan/plan.js';
import type { RunningCluster } from '../cluster/provider.js';
import type { FaultRecord } from '../faults/fault-injector.js';
import { javaMajorVersion } from '../cluster/toolchain.js';
import { RESULT_SCHEMA_VERSION, type RunResult, type RunStatus } from './result.js';

/** Above this send lag p99 (ms), the harness itself is a bottleneck and says so. */
const SEND_LAG_WARNING_MS = 10;

export interface ResultInput {
  plan: RunPlan;
  run: ClusterRun;
  cluster: RunningCluster | undefined;
  startedAt: Date;
  endedAt: Date;
  /** The load's figures so far (a checkpoint) or final; undefined when the load never started. */
  metrics: CollectedMetrics | undefined;
  counts: LedgerCounts | undefined;
  outcome: Pick<LoadOutcome, 'foreign' | 'drained' | 'orderChecked' | 'consumersRan' | 'finalReadComplete' | 'lostSample'> | undefined;
  /** Faults injected during the load, with their recovery figures. */
  faults?: FaultRecord[];
  /** running (checkpoint), error or interrupted; undefined means the run completed and the criteria decide. */
  status?: Exclude<RunStatus, 'passed' | 'failed'>;
  statusReason?: string;
}

const emptyLatency = { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };

export function buildResult(input: ResultInput): RunResult {
  const { plan, run, metrics, counts, outcome } = input;
  const { workload } = plan.scenario;
  const consumers = outcome?.consumersRan ?? workload.consumers > 0;
  const complete = input.status === undefined;
  // Losses are only known once the books are closed after a drain: never report a guess.
  const booksClosed = complete && counts !== undefined;
  const warnings: string[] = [];
  const result: RunResult = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    status: input.status ?? 'passed',
    partial: !complete,
    ...(input.statusReason ? { statusReason: input.statusReason } : {}),
    faultline: { version: faultlineVersion },
    scenario: { name: plan.scenario.name, file: plan.file, ...(plan.scenario.description ? { description: plan.scenario.description } : {}) },
    cluster: {
      name: run.cluster.name,
      system: run.cluster.system,
      provider: run.cluster.provider,
      version: input.cluster?.version ?? run.cluster.version ?? run.provider.defaultVersion ?? 'unknown',
      brokers: run.cluster.brokers,
      bootstrap: input.cluster?.endpoints.bootstrap ?? '',
      ...(input.cluster?.endpoints.webServiceUrl ? { webServiceUrl: input.cluster.endpoints.webServiceUrl } : {}),
    },
    driver: { name: run.driver.name, requested: run.cluster.driver, ...(run.driverNote ? { note: run.driverNote } : {}) },
    startedAt: input.startedAt.toISOString(),
    endedAt: input.endedAt.toISOString(),
    workload: {
      warmupMs: workload.warmup,
      durationMs: workload.duration,
      drainTimeoutMs: workload.drainTimeout,
      messageSize: workload.messageSize,
      targetRate: meanTargetRate(workload),
      phases: workload.phases.map((phase) => ({ durationMs: phase.duration, rate: phase.rate.kind === 'max' ? 'max' : phase.rate.perSecond })),
      topics: run.loadTopics.map((t) => ({ name: t.name, partitions: t.partitions, replicationFactor: t.replicationFactor })),
      producers: workload.producers,
      consumers: workload.consumers,
    },
    throughput: {
      produced: metrics?.throughput.produced ?? { messagesPerSec: 0, bytesPerSec: 0 },
      consumed: consumers ? (metrics?.throughput.consumed ?? { messagesPerSec: 0, bytesPerSec: 0 }) : null,
    },
    latency: {
      publish: metrics?.latency.publish ?? emptyLatency,
      publishUncorrected: metrics?.latency.publishUncorrected ?? emptyLatency,
      endToEnd: consumers ? (metrics?.latency.endToEnd ?? emptyLatency) : null,
      sendLag: metrics?.latency.sendLag ?? emptyLatency,
    },
    messages: {
      sent: counts?.sent ?? 0,
      acked: counts?.acked ?? 0,
      failed: counts?.failed ?? 0,
      unacked: counts ? counts.sent - counts.acked : 0,
      consumed: consumers ? (counts?.consumed ?? 0) : null,
      lost: consumers && booksClosed ? counts.ackedNotConsumed : null,
      duplicated: consumers ? (counts?.duplicated ?? 0) : null,
      reordered: consumers && outcome?.orderChecked ? (counts?.reordered ?? 0) : null,
      consumedUnacked: consumers ? (counts?.consumedUnacked ?? 0) : null,
      foundByFinalRead: consumers ? (counts?.foundByFinalRead ?? 0) : null,
      lostSample: booksClosed ? (outcome?.lostSample ?? []).map((m) => ({ ...m, intendedMs: intendedOf(workload, run, m) })) : [],
      foreign: outcome?.foreign ?? 0,
      drained: outcome?.drained ?? false,
    },
    errors: { total: Object.values(metrics?.errors ?? {}).reduce((a, b) => a + b, 0), byKind: metrics?.errors ?? {} },
    timeline: withFaultWindows(withTargets(metrics?.timeline ?? [], workload), input.faults ?? []),
    faults: input.faults ?? [],
    failover: failoverSummary(input.faults ?? []),
    criteria: [],
    histograms: metrics?.histograms ?? {},
    warnings,
    environment: { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: cpus().length, ...javaVersion() },
  };
  if (metrics && metrics.latency.sendLag.p99 > SEND_LAG_WARNING_MS) {
    warnings.push(
      `the harness lagged its own send schedule (send lag p99 ${metrics.latency.sendLag.p99} ms): publish and end-to-end latency include that delay; the rate may be too high for this machine`,
    );
  }
  if (booksClosed && consumers && outcome && !outcome.drained) {
    const found = counts.foundByFinalRead;
    warnings.push(
      `consumers had not caught up when the drain bound (${workload.drainTimeout} ms) passed; a final read from the beginning of each partition ` +
        (outcome.finalReadComplete === false ? 'did not reach the end in time, so "lost" may include messages that are in the log' : `found ${found} of those acknowledged messages in the log (not lost: delivered late), so "lost" counts only messages missing from the log`),
    );
  }
  if (!complete) warnings.push('partial results: the run did not finish; figures cover only what ran, and losses are not judged');
  result.criteria = plan.criteria.map((criterion) =>
    metrics ? judge(criterion, metricValue(result, criterion.metric)) : { ...judge(criterion, null), note: 'the load did not run' },
  );
  if (complete) result.status = result.criteria.every((c) => c.passed) ? 'passed' : 'failed';
  return result;
}

/** When a message was intended to be sent (ms since load start), from its producer's schedule. */
function intendedOf(workload: WorkloadSpec, run: ClusterRun, message: { producer: number; sequence: number }): number | null {
  if (workload.rate.kind === 'max') return null;
  const producers = run.loadTopics.length * workload.producers;
  return round(RateSchedule.forWorkload(workload, 1 / producers).intendedMs(message.sequence), 3);
}

/** The worst recovery over all faults (ms); null when there were no faults or nothing was measured. */
function failoverSummary(faults: FaultRecord[]): RunResult['failover'] {
  const worst = (pick: (f: FaultRecord) => number | null) => {
    const values = faults.map(pick).filter((v): v is number => v !== null);
    return values.length ? Math.max(...values) : null;
  };
  const injected = faults.filter((f) => f.injectedAt !== null);
  return {
    max: worst((f) => f.recovery.firstAckMs),
    throughputMax: worst((f) => f.recovery.throughputRecoveredMs),
    consumerMax: worst((f) => f.recovery.consumerResumedMs),
    injected: injected.length,
    neverRecovered: injected.filter((f) => f.recovery.firstAckMs === null).map((f) => f.id),
  };
}

/** Marks, in each second of the timeline, the faults in force then. */
function withFaultWindows(timeline: TimelinePoint[], faults: FaultRecord[]): TimelinePoint[] {
  if (faults.length === 0) return timeline;
  return timeline.map((point) => {
    const start = point.t * 1000;
    const active = faults.filter((f) => f.injectedAt !== null && f.injectedAt < start + 1000 && (f.healedAt ?? Infinity) > start).map((f) => f.id);
    return active.length ? { ...point, faults: active } : point;
  });
}

/** Mean target rate over the measurement window (the rate itself unless the workload has phases). */
function meanTargetRate(workload: WorkloadSpec): number | 'max' {
  if (workload.rate.kind === 'max') return 'max';
  const messages = workload.phases.reduce((sum, p) => sum + p.duration * (p.rate.kind === 'fixed' ? p.rate.perSecond : 0), 0);
  return round(messages / workload.duration, 3);
}

/** Each second of the timeline with the rate the schedule asked for then. */
function withTargets(timeline: TimelinePoint[], workload: WorkloadSpec): TimelinePoint[] {
  if (workload.rate.kind === 'max') return timeline;
  const schedule = RateSchedule.forWorkload(workload, 1);
  return timeline.map((point) => ({ ...point, target: schedule.rateAt(point.t * 1000) }));
}

let javaMajor: number | undefined | null = null;
function javaVersion(): { java?: number } {
  if (javaMajor === null) javaMajor = javaMajorVersion();
  return javaMajor === undefined ? {} : { java: javaMajor };
}
