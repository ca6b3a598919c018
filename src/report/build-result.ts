/** Assembles result.json from what the run measured, and judges the criteria against it. */
import { cpus } from 'node:os';
import {
  type Criterion,
  type CriterionVerdict,
  judge,
  judgeUnbounded,
  metricValue,
  resultPath,
} from '../criteria/criterion.js';
import type { GroupOutcome, LoadOutcome } from '../load/load-run.js';
import type { CollectedMetrics, TimelinePoint } from '../metrics/collector.js';
import type { LatencySummary } from '../metrics/latency-histogram.js';
import type { RecoveryState } from '../metrics/recovery-tracker.js';
import { RateSchedule } from '../load/rate-schedule.js';
import type { WorkloadSpec } from '../scenario/schema.js';
import { round } from '../scenario/units.js';
import type { LedgerCounts } from '../metrics/message-ledger.js';
import { faultlineVersion } from '../package-root.js';
import type { ClusterRun, RunPlan } from '../plan/plan.js';
import type { RunningCluster } from '../cluster/provider.js';
import { containerFacts } from '../cluster/docker/container-facts.js';
import type { FaultRecord } from '../faults/fault-injector.js';
import { javaMajorVersion } from '../cluster/toolchain.js';
import { drainWarning } from './drain-warning.js';
import { subscriptionOf } from './subscription.js';
import { type GroupMessages, RESULT_SCHEMA_VERSION, type RunResult, type RunStatus } from './result.js';
import type { ReplicationResult, RpoFigures } from '../replication/replication-watch.js';
import type { RtoFigures } from '../replication/client-failover.js';
import { harnessCost, harnessWarning } from '../resources/harness-cost.js';
import { resourceUse } from '../resources/resource-figures.js';
import type { ResourceSamples } from '../resources/resource-sampler.js';

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
  outcome:
    | (Pick<LoadOutcome, 'foreign' | 'drained' | 'orderChecked' | 'consumersRan' | 'finalReadComplete' | 'lostSample'> &
        Partial<
          Pick<
            LoadOutcome,
            | 'finalReadAvailable'
            | 'acknowledgesWrites'
            | 'producerReorderCaveat'
            | 'byRegion'
            | 'groups'
            | 'lost'
            | 'notDelivered'
            | 'unansweredAtDrainEnd'
            | 'unsentAtDrainEnd'
            | 'drain'
            | 'startedAt'
          >
        >)
    | undefined;
  /** Faults injected during the load, with their recovery figures. */
  faults?: FaultRecord[];
  /** running (checkpoint), error or interrupted; undefined means the run completed and the criteria decide. */
  status?: Exclude<RunStatus, 'passed' | 'failed'>;
  statusReason?: string;
  /** Replication figures, when clusters joined by replication ran. */
  replication?: ReplicationResult;
  rpo?: RpoFigures | null;
  rto?: RtoFigures;
  /** The processes' sampled resource use, once the load started. */
  resources?: ResourceSamples;
}

/** A summary with no sample is no figure: null, never 0 ms. */
function figure(summary: LatencySummary | undefined): LatencySummary | null {
  return summary && summary.count > 0 ? summary : null;
}

export function buildResult(input: ResultInput): RunResult {
  const { plan, run, metrics, counts, outcome } = input;
  const { workload } = plan.scenario;
  const consumers = outcome?.consumersRan ?? workload.consumers > 0;
  const complete = input.status === undefined;
  // Losses are only known once the books are closed after a drain: never report a guess.
  const booksClosed = complete && counts !== undefined;
  // Kafka acks=0: a resolved send says nothing about the log, so nothing counts as acknowledged.
  const acknowledged = outcome?.acknowledgesWrites ?? true;
  // Verified: every group had every acknowledged message, or the final read looked the rest up in the whole log.
  const groups = outcome?.groups;
  const everyGroupCaughtUp = groups !== undefined && groups.length > 0 && groups.every((g) => g.caughtUp);
  const lostVerified =
    consumers && booksClosed
      ? outcome?.drained === true || outcome?.finalReadComplete === true || everyGroupCaughtUp
      : null;
  const faults = input.faults ?? [];
  const warnings: string[] = [];
  const result: RunResult = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    status: input.status ?? 'passed',
    partial: !complete,
    ...(input.statusReason ? { statusReason: input.statusReason } : {}),
    faultline: { version: faultlineVersion },
    scenario: {
      name: plan.scenario.name,
      file: plan.file,
      ...(plan.scenario.description ? { description: plan.scenario.description } : {}),
      ...(plan.parameters?.set.length ? { set: plan.parameters.set } : {}),
      ...(plan.parameters && Object.keys(plan.parameters.variables).length > 0
        ? { variables: plan.parameters.variables }
        : {}),
    },
    cluster: {
      name: run.cluster.name,
      system: run.cluster.system,
      provider: run.cluster.provider,
      version: input.cluster?.version ?? run.cluster.version ?? run.provider.defaultVersion ?? 'unknown',
      brokers: run.cluster.brokers,
      bootstrap: input.cluster?.endpoints.bootstrap ?? '',
      ...(input.cluster?.endpoints.webServiceUrl ? { webServiceUrl: input.cluster.endpoints.webServiceUrl } : {}),
      ...containerFacts(run.cluster, input.cluster),
      ...(run.effective ? { effective: run.effective } : {}),
      ...subscriptionField(plan, run),
    },
    driver: {
      name: run.driver.name,
      requested: run.cluster.driver,
      ...(run.driverNote ? { note: run.driverNote } : {}),
    },
    startedAt: input.startedAt.toISOString(),
    endedAt: input.endedAt.toISOString(),
    ...(input.outcome?.startedAt ? { loadStartedAt: input.outcome.startedAt.toISOString() } : {}),
    workload: {
      warmupMs: workload.warmup,
      durationMs: workload.duration,
      drainTimeoutMs: workload.drainTimeout,
      messageSize: workload.messageSize,
      targetRate: meanTargetRate(workload),
      phases: workload.phases.map((phase) => ({
        durationMs: phase.duration,
        rate: phase.rate.kind === 'max' ? 'max' : phase.rate.perSecond,
      })),
      topics: run.loadTopics.map((t) => ({
        name: t.name,
        partitions: t.partitions,
        replicationFactor: t.replicationFactor,
      })),
      producers: workload.producers,
      consumers: workload.consumers,
    },
    throughput: {
      produced: metrics && acknowledged ? metrics.throughput.produced : null,
      consumed: metrics && consumers ? metrics.throughput.consumed : null,
    },
    latency: {
      publish: acknowledged ? figure(metrics?.latency.publish) : null,
      publishUncorrected: acknowledged ? figure(metrics?.latency.publishUncorrected) : null,
      endToEnd: consumers ? figure(metrics?.latency.endToEnd) : null,
      sendLag: figure(metrics?.latency.sendLag),
    },
    messages: {
      sent: counts?.sent ?? 0,
      acked: acknowledged ? (counts?.acked ?? 0) : null,
      failed: counts?.failed ?? 0,
      unacked: counts && acknowledged ? counts.sent - counts.acked : null,
      consumed: consumers ? (counts?.consumed ?? 0) : null,
      lost:
        consumers && booksClosed && acknowledged
          ? (outcome?.lost ?? counts.ackedNotConsumed - counts.foundByFinalRead)
          : null,
      lostVerified,
      notDelivered:
        consumers && booksClosed && !acknowledged
          ? (outcome?.notDelivered ?? counts.sent - counts.consumed - counts.foundByFinalRead)
          : null,
      duplicated: consumers ? (counts?.duplicated ?? 0) : null,
      redelivered: consumers ? (counts?.redelivered ?? 0) : null,
      duplicatesUnclassified: consumers ? (counts?.duplicatesUnclassified ?? 0) : null,
      reordered: consumers && outcome?.orderChecked ? (counts?.reordered ?? 0) : null,
      producerMayReorder: outcome?.producerReorderCaveat !== undefined,
      consumedUnacked: consumers && acknowledged ? (counts?.consumedUnacked ?? 0) : null,
      foundByFinalRead: consumers ? (counts?.foundByFinalRead ?? 0) : null,
      lostSample: booksClosed
        ? (outcome?.lostSample ?? []).map((m) => ({ ...m, intendedMs: intendedOf(workload, run, m) }))
        : [],
      foreign: outcome?.foreign ?? 0,
      drained: outcome?.drained ?? false,
      unansweredAtDrainEnd: booksClosed ? (outcome?.unansweredAtDrainEnd ?? null) : null,
      unsentAtDrainEnd: booksClosed ? (outcome?.unsentAtDrainEnd ?? null) : null,
      byGroup:
        consumers && groups?.length && groups.every((g) => g.region !== undefined)
          ? Object.fromEntries(
              groups.map((g) => [
                g.region!,
                groupMessages(g, { booksClosed, acknowledged, finalReadComplete: outcome?.finalReadComplete ?? null }),
              ]),
            )
          : null,
    },
    byRegion: outcome?.byRegion ?? null,
    ...(input.replication ? { replication: input.replication, rpo: input.rpo ?? null } : {}),
    ...(input.rto ? { rto: input.rto } : {}),
    errors: { total: Object.values(metrics?.errors ?? {}).reduce((a, b) => a + b, 0), byKind: metrics?.errors ?? {} },
    drain: booksClosed ? (outcome?.drain ?? null) : null,
    timeline: withFaultWindows(withTargets(metrics?.timeline ?? [], workload), faults),
    faults,
    failover: failoverSummary(faults, acknowledged),
    criteria: [],
    histograms: metrics?.histograms ?? {},
    warnings,
    environment: {
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: cpus().length,
      ...javaVersion(),
    },
  };
  warnings.push(...recoveryWarnings(result.failover, faults));
  const sendLag = result.latency.sendLag;
  if (metrics && sendLag && sendLag.p99 > SEND_LAG_WARNING_MS) {
    const held = metrics.sendLagHeldForSlot / Math.max(1, sendLag.count);
    // The p99 is the slowest 1 %: when at least that many messages waited for a send slot (a fault held every slot
    // on sends the broker did not answer), the slots explain it, not the harness's CPU.
    warnings.push(
      held >= 0.01
        ? `messages waited to be sent (send lag p99 ${sendLag.p99} ms, per message), ${round(held * 100, 1)} % of them for room to send: every send slot (maxInFlightBatches ${workload.maxInFlightBatches}) or maxInFlight was taken by sends the broker had not answered. Publish and end-to-end latency include that wait (from the intended send time); raise maxInFlightBatches to send more at once`
        : `the harness lagged its own send schedule (send lag p99 ${sendLag.p99} ms, per message): publish and end-to-end latency include that delay; the rate may be too high for this machine`,
    );
  }
  if (!acknowledged) {
    warnings.push(
      'acks=0: a send resolves once its bytes are on the socket, so nothing is acknowledged; messages never delivered are counted as notDelivered, not lost, and publish latency and write failover are not measured',
    );
  }
  const sendsLeft = (outcome?.unansweredAtDrainEnd ?? 0) + (outcome?.unsentAtDrainEnd ?? 0) > 0;
  if (booksClosed && (consumers || sendsLeft) && outcome && !outcome.drained) {
    warnings.push(
      drainWarning({
        drainTimeoutMs: workload.drainTimeout,
        driverName: run.driver.name,
        acknowledged,
        unanswered: outcome.unansweredAtDrainEnd,
        unsent: outcome.unsentAtDrainEnd,
        groups: !consumers
          ? []
          : (groups?.map((g) => ({
              name: g.region ?? '',
              behindAtDrainEnd: g.behindAtDrainEnd,
              foundByFinalRead: g.counts.foundByFinalRead,
            })) ?? [
              { name: '', behindAtDrainEnd: counts.ackedNotConsumed, foundByFinalRead: counts.foundByFinalRead },
            ]),
        finalReadComplete: outcome.finalReadComplete,
        finalReadAvailable: outcome.finalReadAvailable ?? true,
      }),
    );
  }
  if (consumers && outcome?.producerReorderCaveat && (counts?.reordered ?? 0) > 0)
    warnings.push(`reordered ${counts?.reordered}: ${outcome.producerReorderCaveat}`);
  const replication = input.replication;
  if (replication && complete && !replication.caughtUp) {
    warnings.push(
      `replication had not caught up when the wait at the end (${workload.drainTimeout} ms) passed: ${replication.notReplicated} acknowledged message(s) not on the target${replication.foundByFinalRead ? ` (a final read of the target found ${replication.foundByFinalRead} more that its reader had not delivered in time: replicated, without a lag)` : ''}`,
    );
  }
  const rto = input.rto;
  if (rto && complete) {
    if (rto.flag) warnings.push(`failover to ${rto.to}: ${rto.flag}`);
    else if (rto.switchedAtMs === null)
      warnings.push(`the clients never failed over to ${rto.to}: ${rto.fault} was not injected or the run ended first`);
    else if (rto.groupsReady < rto.groups)
      warnings.push(
        `failover: ${rto.groups - rto.groupsReady} of ${rto.groups} consumer group(s) could not open on ${rto.to}`,
      );
    else if (rto.produce === null)
      warnings.push(`failover: no send was acknowledged by ${rto.to} after the clients moved`);
  }
  if (input.resources) {
    const window = { fromMs: workload.warmup, toMs: workload.warmup + workload.duration };
    result.resources = resourceUse(input.resources, window, result.throughput.produced?.messagesPerSec ?? null);
    result.harness = harnessCost(result.resources.harness, result.throughput.produced?.messagesPerSec ?? null);
    const busy = harnessWarning(result.harness);
    if (busy) warnings.push(busy);
  }
  if (!complete)
    warnings.push('partial results: the run did not finish; figures cover only what ran, and losses are not judged');
  result.criteria = plan.criteria.map((criterion) =>
    metrics ? judgeCriterion(criterion, result) : { ...judge(criterion, null), note: 'the load did not run' },
  );
  if (complete) result.status = result.criteria.every((c) => c.passed) ? 'passed' : 'failed';
  return result;
}

type FailoverFigure = 'max' | 'throughputMax' | 'consumerMax';

/** A failover criterion judges the worst case: unbounded when a fault never recovered, unknown when one could not be measured. */
function judgeCriterion(criterion: Criterion, result: RunResult): CriterionVerdict {
  const figureName = /^failover\.(max|throughputMax|consumerMax)$/.exec(criterion.metric)?.[1] as
    | FailoverFigure
    | undefined;
  if (figureName) {
    const notRecovered = result.failover.notRecovered[figureName];
    if (notRecovered.length > 0) return judgeUnbounded(criterion, `never recovered: ${notRecovered.join(', ')}`);
    const unmeasured = result.failover.unmeasured[figureName];
    if (unmeasured.length > 0)
      return {
        ...judge(criterion, null),
        note: `not measurable for ${unmeasured.join(', ')} (nothing was due after the fault, or too little time was left)`,
      };
  }
  if (/^rto\.(produce|consume|detectedMs)$/.test(criterion.metric) && result.rto?.flag)
    return { ...judge(criterion, null), note: `no RTO: ${result.rto.flag}` };
  if (
    /^rto\.(produce|consume)$/.test(criterion.metric) &&
    result.rto?.switchedAtMs !== null &&
    metricValue(result, resultPath(criterion)) === null
  ) {
    return judgeUnbounded(
      criterion,
      `the clients moved to ${result.rto?.to} but never ${criterion.metric === 'rto.produce' ? 'had a send acknowledged' : 'consumed a new message'} there`,
    );
  }
  const verdict = judge(criterion, metricValue(result, resultPath(criterion)));
  const group = criterion.group !== undefined ? result.messages.byGroup?.[criterion.group] : undefined;
  if (criterion.metric.startsWith('messages.lost[') && group?.lostVerified === false)
    return {
      ...verdict,
      note: `unverified: the ${criterion.group} group did not catch up and no final read reached the end of the log`,
    };
  if (criterion.metric === 'messages.lost' && result.messages.lostVerified === false)
    return {
      ...verdict,
      note: 'unverified: the consumers did not catch up and no final read reached the end of the log',
    };
  return verdict;
}

/** One consumer group's books, as result.json shows them under messages.byGroup. */
function groupMessages(
  g: GroupOutcome,
  o: { booksClosed: boolean; acknowledged: boolean; finalReadComplete: boolean | null },
): GroupMessages {
  const c = g.counts;
  return {
    consumed: c.consumed,
    lost: o.booksClosed && o.acknowledged ? g.lost : null,
    lostVerified: o.booksClosed ? g.caughtUp || o.finalReadComplete === true : null,
    notDelivered: o.booksClosed && !o.acknowledged ? c.sent - c.consumed - c.foundByFinalRead : null,
    duplicated: c.duplicated,
    redelivered: c.redelivered,
    duplicatesUnclassified: c.duplicatesUnclassified,
    reordered: g.orderChecked ? c.reordered : null,
    consumedUnacked: o.acknowledged ? c.consumedUnacked : null,
    foundByFinalRead: c.foundByFinalRead,
    caughtUp: g.caughtUp,
  };
}

/** When a message was intended to be sent (ms since load start), from its producer's schedule. */
function intendedOf(
  workload: WorkloadSpec,
  run: ClusterRun,
  message: { producer: number; sequence: number },
): number | null {
  if (workload.rate.kind === 'max') return null;
  const producers = run.loadTopics.length * workload.producers;
  return round(RateSchedule.forWorkload(workload, 1 / producers).intendedMs(message.sequence), 3);
}

const stateKeys: Record<FailoverFigure, 'firstAck' | 'throughput' | 'consumer'> = {
  max: 'firstAck',
  throughputMax: 'throughput',
  consumerMax: 'consumer',
};
const figureKeys: Record<FailoverFigure, 'firstAckMs' | 'throughputRecoveredMs' | 'consumerResumedMs'> = {
  max: 'firstAckMs',
  throughputMax: 'throughputRecoveredMs',
  consumerMax: 'consumerResumedMs',
};

/**
 * The worst recovery over all injected faults (ms). A fault that never recovered makes the worst case unbounded,
 * one that could not be measured makes it unknown: either way the figure is null and the fault is named.
 */
function failoverSummary(faults: FaultRecord[], acknowledged: boolean): RunResult['failover'] {
  const injected = faults.filter((f) => f.injectedAt !== null);
  const stateOf = (f: FaultRecord, name: FailoverFigure): RecoveryState => {
    if (!acknowledged && name !== 'consumerMax') return 'unmeasured';
    if (f.recovery[figureKeys[name]] !== null) return 'recovered';
    return f.recovery.state?.[stateKeys[name]] ?? 'not-recovered';
  };
  const named = (name: FailoverFigure, state: RecoveryState) =>
    injected.filter((f) => stateOf(f, name) === state).map((f) => f.id);
  const worst = (name: FailoverFigure) => {
    if (injected.length === 0 || injected.some((f) => stateOf(f, name) !== 'recovered')) return null;
    return Math.max(...injected.map((f) => f.recovery[figureKeys[name]]!));
  };
  const names: FailoverFigure[] = ['max', 'throughputMax', 'consumerMax'];
  const notRecovered = Object.fromEntries(
    names.map((n) => [n, named(n, 'not-recovered')]),
  ) as RunResult['failover']['notRecovered'];
  return {
    max: worst('max'),
    throughputMax: worst('throughputMax'),
    consumerMax: worst('consumerMax'),
    injected: injected.length,
    neverRecovered: notRecovered.max,
    notRecovered,
    unmeasured: Object.fromEntries(
      names.map((n) => [n, named(n, 'unmeasured')]),
    ) as RunResult['failover']['unmeasured'],
  };
}

/** Faults after which writes or consumers never resumed, and faults that could not be injected: the first warnings. */
function recoveryWarnings(failover: RunResult['failover'], faults: FaultRecord[]): string[] {
  const describe = (id: string) => {
    const f = faults.find((fault) => fault.id === id);
    return f
      ? `${id} (${f.action} ${f.resolvedTarget ?? f.target} at ${f.injectedAt} ms, watched ${Math.round((f.recovery.watchedMs ?? 0) / 100) / 10} s)`
      : id;
  };
  const warnings: string[] = [];
  if (failover.notRecovered.max.length)
    warnings.push(
      `writes never resumed after fault ${failover.notRecovered.max.map(describe).join(', ')}: its failover time is unbounded`,
    );
  if (failover.notRecovered.consumerMax.length)
    warnings.push(`consumers never resumed after fault ${failover.notRecovered.consumerMax.map(describe).join(', ')}`);
  const failed = faults.filter((f) => f.error !== undefined);
  if (failed.length)
    warnings.push(`fault ${failed.map((f) => `${f.id} (${f.action} ${f.target}): ${f.error}`).join('; ')}`);
  return warnings;
}

/** Marks, in each second of the timeline, the faults in force then. */
function withFaultWindows(timeline: TimelinePoint[], faults: FaultRecord[]): TimelinePoint[] {
  if (faults.length === 0) return timeline;
  return timeline.map((point) => {
    const start = point.t * 1000;
    const end = start + (point.seconds ?? 1) * 1000;
    const active = faults
      .filter((f) => f.injectedAt !== null && f.injectedAt < end && (f.healedAt ?? Infinity) > start)
      .map((f) => f.id);
    return active.length ? { ...point, faults: active } : point;
  });
}

/** Mean target rate over the measurement window (the rate itself unless the workload has phases). */
function meanTargetRate(workload: WorkloadSpec): number | 'max' {
  if (workload.rate.kind === 'max') return 'max';
  const messages = workload.phases.reduce(
    (sum, p) => sum + p.duration * (p.rate.kind === 'fixed' ? p.rate.perSecond : 0),
    0,
  );
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

function subscriptionField(plan: RunPlan, run: ClusterRun): { subscription?: RunResult['cluster']['subscription'] } {
  const subscription = subscriptionOf(plan.scenario, run);
  return subscription ? { subscription } : {};
}
