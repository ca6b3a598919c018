/**
 * result.json: the contract users' CI scripts read. Paths documented in the README are stable; new fields may
 * be added, none renamed. Bump RESULT_SCHEMA_VERSION on an incompatible change.
 */
import type { CriterionVerdict } from '../criteria/criterion.js';
import type { LatencySummary } from '../metrics/latency-histogram.js';
import type { TimelinePoint } from '../metrics/collector.js';
import type { FaultRecord } from '../faults/fault-injector.js';
import type { ByRegion } from '../metrics/regional-figures.js';
import type { ReplicationResult, RpoFigures } from '../replication/replication-watch.js';
import type { RtoFigures } from '../replication/client-failover.js';
import type { HarnessCost } from '../resources/harness-cost.js';
import type { ResourceUse } from '../resources/resource-figures.js';
import type { MaxRateResult } from './max-rate-result.js';
import type { EffectiveSettings } from '../fairness/knobs.js';
import type { SubscriptionRecord } from './subscription.js';

export const RESULT_SCHEMA_VERSION = 2;

export type RunStatus = 'passed' | 'failed' | 'error' | 'interrupted' | 'running';

/** One consumer group's books (see RunResult.messages for each field's meaning, here for this group alone). */
export interface GroupMessages {
  /** Distinct messages delivered to this group. */
  consumed: number;
  /** Acknowledged, never delivered to this group, not in the log; null when not judged (unfinished run, acks=0). */
  lost: number | null;
  lostVerified: boolean | null;
  notDelivered: number | null;
  duplicated: number;
  redelivered: number;
  duplicatesUnclassified: number;
  reordered: number | null;
  consumedUnacked: number | null;
  foundByFinalRead: number;
  /** True when this group had every acknowledged message by the drain's end. */
  caughtUp: boolean;
}

export interface RunResult {
  schemaVersion: number;
  status: RunStatus;
  /** True when the run did not finish (interrupted, error, harness crash): figures cover only what ran. */
  partial: boolean;
  statusReason?: string;
  faultline: { version: string };
  scenario: {
    name: string;
    file: string;
    description?: string;
    /** The --set overrides the run was given, as written (absent: none). */
    set?: string[];
    /** The environment variables ${NAME} read in the scenario file, with the value each took (absent: none). */
    variables?: Record<string, string>;
  };
  cluster: {
    name: string;
    system: string;
    provider: string;
    version: string;
    brokers: number;
    bootstrap: string;
    webServiceUrl?: string;
    /** provider docker with `resources`: the cgroup caps each broker ran under (what it used: `resources`). */
    caps?: { cpus?: number; memoryBytes?: number };
    /**
     * Containerised brokers: the image each ran, by tag and by id; `imageSource`: how it was chosen (`pulled` by
     * this run, `present` on the machine, `local`: faultline's own build), `imageSourceReason`: why the official
     * image did not run (its pull error, or FAULTLINE_PULL=never).
     */
    containers?: Array<{
      broker: number;
      image: string;
      imageId: string;
      imageSource?: 'pulled' | 'present' | 'local';
      imageSourceReason?: string;
    }>;
    /**
     * The knobs that decide a fair comparison, as this side ran them (pinned by the scenario or defaults), keyed by
     * cross-system name (durability.fsync, durability.replicas, durability.ackReplicas, batching.maxDelayMs,
     * batching.maxBytes, prefetch.messages): each its value, whether pinned, and the system's own settings behind it.
     */
    effective?: EffectiveSettings;
    /** The workload consumers' subscription, the order it promises and why it ran (absent: no consumers). */
    subscription?: SubscriptionRecord;
  };
  /** The client that ran; `requested` is the scenario's choice (auto, or a name); `note` says why auto chose it. */
  driver: { name: string; requested: string; note?: string };
  startedAt: string;
  endedAt: string;
  /** Wall-clock time of the load's origin: t = 0 of the timeline, the faults and the drain (absent when no load ran). */
  loadStartedAt?: string;
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
  /** null: the load never ran (nothing was measured). */
  throughput: {
    produced: { messagesPerSec: number; bytesPerSec: number } | null;
    consumed: { messagesPerSec: number; bytesPerSec: number } | null;
  };
  /** Each summary is null when it holds no sample (nothing measured: never 0 ms), or does not apply. */
  latency: {
    /** null also with Kafka acks=0: no acknowledgement to time. */
    publish: LatencySummary | null;
    publishUncorrected: LatencySummary | null;
    endToEnd: LatencySummary | null;
    sendLag: LatencySummary | null;
  };
  messages: {
    sent: number;
    /** null with Kafka acks=0: a resolved send only means the bytes were on the socket. */
    acked: number | null;
    failed: number;
    unacked: number | null;
    consumed: number | null;
    /** Acknowledged, never delivered, and not in the log (final read); null when not judged (partial run, acks=0). */
    lost: number | null;
    /** True when `lost` was checked against the log (the group caught up, or a final read reached the end of every partition). */
    lostVerified: boolean | null;
    /** acks=0 only: sent and never delivered nor found in the log (nothing was promised, so nothing is "lost"). */
    notDelivered: number | null;
    /** Extra copies in the log: a message delivered again from another offset / message id (written twice by the producer). */
    duplicated: number | null;
    /** The same copy delivered again (same offset / message id): the consumer's redelivery, not the log's. */
    redelivered: number | null;
    /** Repeated deliveries whose log position the driver did not give: copy or redelivery cannot be told. */
    duplicatesUnclassified: number | null;
    /** Displaced first deliveries (per producer and partition, how many would have to move to restore order); null where order is not promised (Pulsar Shared, Key_Shared), cannot be told, or no consumers ran. */
    reordered: number | null;
    /** True when the producer itself may have reordered its sends (non-idempotent retries with later requests in flight). */
    producerMayReorder: boolean;
    consumedUnacked: number | null;
    /** Acked, not delivered to the consumer group by the end of the drain, but present in the log (final read). */
    foundByFinalRead: number | null;
    /**
     * Up to 100 of the lost messages: producer id, sequence number, intended send time (ms since load start); with
     * regions, `missingFrom` names the consumer regions whose groups lack it.
     */
    lostSample: Array<{ producer: number; sequence: number; intendedMs: number | null; missingFrom?: string[] }>;
    foreign: number;
    /** False when the drain bound passed before every send was answered and every consumer group caught up. */
    drained: boolean;
    /**
     * Sends still unanswered when the drain bound passed: outcome unknown (in `unacked`, neither acked nor failed);
     * an answer after the bound changes nothing. null when the load did not reach the drain's end.
     */
    unansweredAtDrainEnd?: number | null;
    /** Messages of the schedule never sent: every send slot was still taken by unanswered sends at the drain bound. */
    unsentAtDrainEnd?: number | null;
    /**
     * With regions: each consumer group's own books, keyed by its consumer region (one group per region, each
     * reading every message). The overall figures above cover every group: `lost` counts each message some group
     * lacks once; `consumed`, `duplicated`, `redelivered`, `reordered` … are summed over the groups. Null without
     * regions or consumers.
     */
    byGroup?: Record<string, GroupMessages> | null;
  };
  /**
   * With regions: publish latency and produced throughput per producing region, end-to-end latency and consumed
   * throughput per "producing->consuming" region pair. Null without regions.
   */
  byRegion: ByRegion | null;
  /**
   * Clusters joined by replication: lag (seen on the target − acknowledged on the source, per message), replicated
   * throughput, and messages replicated, duplicated by replication, not (yet) replicated; absent without replication.
   */
  replication?: ReplicationResult;
  /** With replication and a fault: RPO at the injection of the source region's outage, on the failover target alone (with failover), else at the first fault's injection over every replica; each replica's gap in byReplica (see RpoFigures); absent otherwise. */
  rpo?: RpoFigures | null;
  /** With `failover:`: how and when the clients moved to the replica, RTO produce / consume (withheld, with `flag`, when the move was no recovery from the outage), per-group repeats and re-sent messages (see RtoFigures). */
  rto?: RtoFigures;
  errors: { total: number; byKind: Record<string, number> };
  /**
   * What the processes cost, sampled once a second from /proc (the harness from Node's own counters): per kind
   * (`brokers`: every broker together; `mirrorMakers`, `toxiproxies`, `harness`), per process, and the per-second
   * timeline. Summary figures cover the measurement window (warm-up excluded). Absent when the load never started.
   */
  resources?: ResourceUse | null;
  /**
   * The load generator's own cost over the measurement window (from `resources.harness`): CPU-seconds, CPU µs per
   * message produced (its send, ack and consumption), cores mean and max, RSS max, and `busy` when it used more than
   * 0.8 of a core (then a warning says the generator may have been the bottleneck). Absent when not sampled.
   */
  harness?: HarnessCost | null;
  /**
   * The drain, in ms since the load's origin: when producing ended, when the drain began (faults healed) and when
   * it ended (at most `workload.drainTimeoutMs` after it began, whatever the client's timeouts). null when the
   * load did not reach its end.
   */
  drain?: { producingEndedAtMs: number; startedAtMs: number; endedAtMs: number } | null;
  timeline: TimelinePoint[];
  /** Each fault: what it hit, when it was in force, and what it cost. */
  faults: FaultRecord[];
  /**
   * Worst recovery over all faults, in ms: first ack after injection (max), throughput back at 90 % (throughputMax),
   * consumers resumed (consumerMax). A figure is null when a fault never recovered (its worst case is unbounded:
   * `notRecovered` names it) or could not be measured (`unmeasured`), or when no fault ran.
   */
  failover: {
    max: number | null;
    throughputMax: number | null;
    consumerMax: number | null;
    injected: number;
    /** Faults whose writes never resumed (first ack), kept for compatibility: notRecovered.max. */
    neverRecovered: string[];
    notRecovered: { max: string[]; throughputMax: string[]; consumerMax: string[] };
    unmeasured: { max: string[]; throughputMax: string[]; consumerMax: string[] };
  };
  criteria: CriterionVerdict[];
  histograms: Record<string, string>;
  warnings: string[];
  environment: { node: string; platform: string; cpus: number; java?: number };
  /**
   * Written by `faultline run --repeat N` (absent otherwise): the run was repeated N times (`runs`), each repeat's
   * results in its own directory (`dirs`, relative to this result's directory), this result's figures are the
   * median of the repeats (book counts: totals), and `spread` holds, per figure (keyed by its criteria name, e.g.
   * `latency.publish.p99`), the min, max, sample standard deviation and values over the repeats.
   * `faultline compare --baseline` treats a change inside this noise as no regression.
   */
  repeat?: { runs: number; spread: Record<string, FigureSpread>; dirs?: string[] };
  /**
   * A workload with `rate: {find: max}`: the highest rate that met its condition, every step tried and how precisely
   * the search converged (report/max-rate-result.ts). The run's other figures are those of that step.
   */
  maxRate?: MaxRateResult;
}

/** One figure's run-to-run spread over repeats (see RunResult.repeat). */
export interface FigureSpread {
  min: number;
  max: number;
  /** Sample standard deviation (n − 1). */
  stdev: number;
  /** Each repeat's value, in repeat order (absent in results written by hand). */
  values?: number[];
}
