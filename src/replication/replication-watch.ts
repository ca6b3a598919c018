/**
 * Measures replication from the harness: every acknowledgement of the workload's producers on the source is
 * noted (the client is wrapped; payloads carry producer id + sequence number), and a reader on each target topic
 * notes when each message arrives there — both on the load's one monotonic clock — where it was read (partition
 * and offset or message id: a copy read again at a known position is a redelivery, not another copy) and when the
 * source appended it, from the timestamp the replicated record carries: Kafka, the source topic's LogAppendTime
 * (faultline sets it on replicated source topics; MirrorMaker 2 writes the source record's timestamp to the
 * target); Pulsar over WebSocket, publishTime, set by the WebSocket service inside the source broker (the
 * replicator keeps it). Broker timestamps are wall-clock ms, converted to the load's clock by a WallClockBridge.
 * With the native Pulsar client, publishTime is the producer's clock in the producer's region: no lag is
 * measured (counted as lagUnmeasured). With the binary Pulsar driver, whose publishTime is the producer's clock
 * too, a reader on the source reads the source broker's append time of each message (its broker entry metadata:
 * source-append-times.ts). Before the load, a probe record
 * on a topic of its own tells when the replicator carries data (replicator start → first record), so the load
 * does not measure the replicator's start-up as lag.
 */
import { writeFileSync } from 'node:fs';
import type { ClusterEndpoints } from '../cluster/provider.js';
import type { ConsumerGroupHandle, DriverFactory, MessagingClient, ProducerHandle } from '../drivers/driver.js';
import { InfrastructureError } from '../errors.js';
import { LatencyHistogram, type LatencySummary } from '../metrics/latency-histogram.js';
import { positionFingerprint } from '../metrics/message-ledger.js';
import {
  type ReplicationCounts,
  type ReplicationFigures,
  type ReplicationGap,
  ReplicationTracker,
} from '../metrics/replication-tracker.js';
import { messageKey, PayloadCodec } from '../load/payload.js';
import type { TopicSpec } from '../scenario/schema.js';
import { round } from '../scenario/units.js';
import { factsOf } from '../systems/facts.js';
import { type PlannedReplication, targetTopicName } from './replication-plan.js';
import { SourceAppendTimes } from './source-append-times.js';
import { WallClockBridge } from './wall-clock.js';

/** A topic of the harness's own on each source, replicated with the workload's, that carries the probe record. */
export const PROBE_TOPIC: TopicSpec = {
  name: 'faultline-replication-probe',
  partitions: 1,
  replicationFactor: 1,
  config: {},
};

/** Names the file the per-message books are written to when a run ends (opt-in, for truth tests). */
export const BOOKS_DUMP_ENV = 'FAULTLINE_REPLICATION_BOOKS';

/**
 * RPO at a fault: what the target lacked when the source was lost (the first fault, or the outage the clients
 * fail over from): acknowledged on the source, not yet on the target; split into in flight (arrived while the
 * fault was still on: already on their way), late (arrived once the fault healed) and lost (never arrived by the
 * end of the run's wait). What a reader of the target finds missing while the fault is on is late + lost.
 * `ms` is the age of the oldest missing message then.
 */
export interface RpoFigures extends ReplicationGap {
  /** The fault whose injection is the failover moment. */
  fault: string;
  /** With failover: the replica the clients moved to, whose gap alone the figures are (not summed over replicas). */
  target?: string;
  /** Each replica's own gap at that moment, beside the figures. */
  byReplica?: Array<ReplicationGap & { to: string }>;
}

/** Over every replication of the run: the counts summed, lag and end-to-end merged. */
export interface ReplicationResult extends ReplicationCounts {
  /** Over every replication of the run: first seen on the target − appended on the source, per message. */
  lag: LatencySummary | null;
  /** Replicated messages whose lag came out below 0 (a clock defect), kept out of `lag`; see the flows. */
  lagNegative: number;
  /** Replicated messages without a source append time (no lag measured for them). */
  lagUnmeasured: number;
  /**
   * How far the wall clock moved against the monotonic clock between the reader's start and the result (ms):
   * broker timestamps are wall-clock, so a step (NTP) shifts every lag measured after it by up to this much.
   */
  lagClockStepMs: number;
  /** Over every replication: intended send time → seen by the reader on the target (warm-up excluded). */
  endToEnd: LatencySummary | null;
  throughput: { messagesPerSec: number } | null;
  /** True when every acknowledged message reached every target before the wait at the end ran out. */
  caughtUp: boolean;
  /** Each replication (source → target) on its own. */
  flows: ReplicationFigures[];
}

export interface WatchedReplication {
  replication: PlannedReplication;
  /** How the reader reaches the target (from the target's region). */
  targetEndpoints: ClusterEndpoints;
  targetConsumerOptions: Record<string, unknown>;
  /** How a reader on the source reaches it (from the source's region), for lag read on the source. */
  sourceEndpoints?: ClusterEndpoints;
  /** When the replicator of this flow started (performance.now). */
  replicatorStartedAtMs: number;
}

interface Flow {
  watched: WatchedReplication;
  tracker: ReplicationTracker;
  client: MessagingClient;
  groups: ConsumerGroupHandle[];
  probeSeen: () => void;
  probeSeenAt: Promise<number>;
}

export interface WatchOptions {
  runId: Buffer;
  messageSize: number;
  warmupMs: number;
  driver: DriverFactory;
  clock: () => number;
  log: (line: string) => void;
  readyTimeoutMs: number;
  signal: AbortSignal;
}

export class ReplicationWatch {
  private readonly codec: PayloadCodec;
  private readonly total = new LatencyHistogram();
  private caughtUp = false;
  /** messageKey of messages written straight to a target (clients that failed over): not replication's. */
  private readonly directWrites = new Set<number>();
  private readonly wallClock = new WallClockBridge();
  private sourceAppendTimes: SourceAppendTimes | undefined;

  private constructor(
    private readonly flows: Flow[],
    private readonly o: WatchOptions,
  ) {
    this.codec = new PayloadCodec(o.runId, o.messageSize);
  }

  /** Starts a reader on every target topic (and its probe topic), ready before it returns. */
  static async start(watched: WatchedReplication[], o: WatchOptions): Promise<ReplicationWatch> {
    const flows: Flow[] = watched.map((w) => {
      const topics = w.replication.topics.map((t) => ({
        source: t.name,
        target: targetTopicName(w.replication, t.name),
      }));
      let probeSeen: () => void = () => {};
      const probeSeenAt = new Promise<number>((resolve) => (probeSeen = () => resolve(performance.now())));
      const client = o.driver.createClient({
        endpoints: w.targetEndpoints,
        producerOptions: {},
        consumerOptions: w.targetConsumerOptions,
        log: o.log,
        clock: o.clock,
      });
      return {
        watched: w,
        tracker: new ReplicationTracker(
          w.replication.from.name,
          w.replication.to.name,
          topics,
          o.warmupMs,
          readsAppendTimeOnSource(w, o.driver),
        ),
        client,
        groups: [],
        probeSeen,
        probeSeenAt,
      };
    });
    const watch = new ReplicationWatch(flows, o);
    try {
      for (const flow of flows) await watch.startReaders(flow);
      const onSource = flows.filter((f) => readsAppendTimeOnSource(f.watched, o.driver));
      if (onSource.length > 0)
        watch.sourceAppendTimes = await SourceAppendTimes.start(
          onSource.map((f) => ({
            from: f.watched.replication.from.name,
            endpoints: f.watched.sourceEndpoints!,
            topics: f.watched.replication.topics,
            tracker: f.tracker,
          })),
          { ...o, codec: watch.codec, onLoadClock: (wallMs) => watch.onLoadClock(wallMs) },
        );
    } catch (error) {
      await watch.close();
      throw error;
    }
    return watch;
  }

  private async startReaders(flow: Flow): Promise<void> {
    const { replication } = flow.watched;
    const group = `faultline-replica-${this.o.runId.toString('hex')}-${replication.to.name}`;
    const stampsAppendTime = sourceStampsAppendTime(replication, this.o.driver);
    for (const topic of [...replication.topics, PROBE_TOPIC]) {
      const target = { ...topic, name: targetTopicName(replication, topic.name) };
      const isProbe = topic === PROBE_TOPIC;
      const sink = (value: Buffer, receivedMs: number, partition: number, position?: string, timestampMs?: number) => {
        if (isProbe) {
          if (value.toString() === this.probeText(replication)) flow.probeSeen();
          return;
        }
        const header = this.codec.decode(value);
        if (!header || this.directWrites.has(messageKey(header.producer, header.sequence))) return;
        const appendedMs =
          stampsAppendTime && timestampMs !== undefined && Number.isFinite(timestampMs) && timestampMs > 0
            ? this.onLoadClock(timestampMs)
            : null;
        const fingerprint = position ? positionFingerprint(partition, position) : 0;
        flow.tracker.onSeen(header.producer, header.sequence, receivedMs, fingerprint, appendedMs);
      };
      flow.groups.push(
        await flow.client.createConsumerGroup({
          topic: target,
          group: `${group}-${target.name}`,
          members: 1,
          sink,
          readyTimeoutMs: this.o.readyTimeoutMs,
          signal: this.o.signal,
        }),
      );
    }
  }

  /** A broker's wall-clock timestamp on the load's clock (whose origin is performance.now() − clock()). */
  private onLoadClock(wallMs: number): number {
    return this.wallClock.toMonotonic(wallMs) - (performance.now() - this.o.clock());
  }

  private probeText(replication: PlannedReplication): string {
    return `faultline probe ${this.o.runId.toString('hex')} ${replication.from.name}->${replication.to.name}`;
  }

  /**
   * Sends a probe record on each source and waits until every target has it: the replicators carry data.
   * `sourceClient` writes to the source cluster of `from`; `replicatorExited` rejects when a replicator dies.
   */
  async waitUntilReplicating(
    sourceClients: Map<string, MessagingClient>,
    timeoutMs: number,
    replicatorExited: Promise<never>,
  ): Promise<void> {
    const producers: ProducerHandle[] = [];
    try {
      for (const flow of this.flows) {
        const { replication } = flow.watched;
        const producer = await sourceClients.get(replication.from.name)!.createProducer(0, PROBE_TOPIC);
        producers.push(producer);
        await producer.send(
          PROBE_TOPIC.name,
          [{ key: null, value: Buffer.from(this.probeText(replication)) }],
          () => {},
        );
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new InfrastructureError(
                `replication did not carry a probe record within ${timeoutMs} ms (see the replicator's log)`,
              ),
            ),
          timeoutMs,
        );
      });
      const aborted = new Promise<never>((_, reject) => {
        if (this.o.signal.aborted) reject(new Error('interrupted'));
        this.o.signal.addEventListener('abort', () => reject(new Error('interrupted')), { once: true });
      });
      try {
        await Promise.race([
          Promise.all(
            this.flows.map(async (flow) => {
              const seenAt = await flow.probeSeenAt;
              flow.tracker.firstRecordMs = seenAt - flow.watched.replicatorStartedAtMs;
            }),
          ),
          timeout,
          replicatorExited,
          aborted,
        ]);
      } finally {
        clearTimeout(timer);
      }
    } finally {
      await Promise.all(producers.map((p) => p.close().catch(() => {})));
    }
  }

  /** The workload's client, with every acknowledgement noted for the replications of its topics. */
  wrap(client: MessagingClient): MessagingClient {
    const trackersOf = (topic: string) =>
      this.flows.filter((f) => f.tracker.topics.some((t) => t.source === topic)).map((f) => f.tracker);
    const codec = this.codec;
    const directWrites = this.directWrites;
    return {
      ...(client.acknowledgesWrites !== undefined ? { acknowledgesWrites: client.acknowledgesWrites } : {}),
      ...(client.producerReorderCaveat !== undefined ? { producerReorderCaveat: client.producerReorderCaveat } : {}),
      createConsumerGroup: (request) => client.createConsumerGroup(request),
      ...(client.finalRead ? { finalRead: client.finalRead.bind(client) } : {}),
      close: () => client.close(),
      async createProducer(id, topic) {
        const producer = await client.createProducer(id, topic);
        const trackers = trackersOf(topic.name);
        if (trackers.length === 0) return producer;
        return {
          close: () => producer.close(),
          send(topicName, messages, onAcked) {
            const headers = messages.map((m) => codec.decode(m.value));
            return producer.send(topicName, messages, (indexes, ackMs, partition) => {
              for (const i of indexes) {
                const header = headers[i];
                // A late source ack of a message the clients already sent to the target is not replication's.
                if (header && !directWrites.has(messageKey(header.producer, header.sequence)))
                  for (const tracker of trackers)
                    tracker.onAcked(header.producer, header.sequence, header.intendedMs, ackMs);
              }
              onAcked(indexes, ackMs, partition);
            });
          },
        };
      },
    };
  }

  /** A message the workload writes straight to a target (its clients failed over): the target's readers leave it out. */
  noteDirectWrite(producer: number, sequence: number): void {
    this.directWrites.add(messageKey(producer, sequence));
  }

  /** Waits (bounded) until every acknowledged message reached every target; returns whether it did. */
  async waitUntilCaughtUp(timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (!this.o.signal.aborted) {
      if (this.flows.every((f) => f.tracker.notReplicated === 0)) return (this.caughtUp = true);
      if (performance.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return (this.caughtUp = false);
  }

  /**
   * After a wait that ended with messages not seen on a target: reads each such target's topics from the
   * beginning to their current end with a fresh reader (the driver's final read, bounded by `timeoutMs`), so a
   * message the target holds but its reader had not delivered in time is replicated (found by the final read),
   * and "not replicated" (and RPO lost) is what the target does not hold. Returns whether every read reached the end.
   */
  async finalReadOfTargets(timeoutMs: number): Promise<boolean> {
    let complete = true;
    for (const flow of this.flows) {
      if (flow.tracker.notReplicated === 0 || !flow.client.finalRead || this.o.signal.aborted) continue;
      const { replication } = flow.watched;
      const topics = replication.topics.map((t) => ({ ...t, name: targetTopicName(replication, t.name) }));
      const reached = await flow.client
        .finalRead(
          topics,
          (value) => {
            const header = this.codec.decode(value);
            if (!header || this.directWrites.has(messageKey(header.producer, header.sequence))) return;
            flow.tracker.onFoundByFinalRead(header.producer, header.sequence, this.o.clock());
          },
          timeoutMs,
        )
        .catch((error: unknown) => {
          this.o.log(`final read of ${replication.to.name} failed: ${error instanceof Error ? error.message : error}`);
          return false;
        });
      complete &&= reached;
    }
    return complete;
  }

  /** Each flow's figures so far, without the run's totals (read while the run goes on). */
  flowFigures(): ReplicationFigures[] {
    return this.flows.map((f) => f.tracker.figures());
  }

  result(): ReplicationResult {
    const flows = this.flows.map((f) => f.tracker.figures());
    this.total.reset();
    let lagged = 0;
    for (const flow of flows) {
      if (!flow.lagHistogram) continue;
      lagged++;
      this.total.add(LatencyHistogram.decode(flow.lagHistogram));
    }
    const endToEnd = new LatencyHistogram();
    for (const flow of this.flows)
      if (flow.tracker.endToEndHistogram.count > 0) endToEnd.add(flow.tracker.endToEndHistogram);
    const sum = (field: keyof ReplicationFigures['messages']) =>
      flows.reduce((total, f) => total + f.messages[field], 0);
    const rates = flows.map((f) => f.throughput?.messagesPerSec).filter((r): r is number => r !== undefined);
    const lagClockStepMs = round(this.wallClock.stepMs(), 3);
    if (Math.abs(lagClockStepMs) >= 1)
      this.o.log(
        `replication lag: the wall clock moved ${lagClockStepMs} ms against the monotonic clock during the run`,
      );
    for (const flow of flows)
      if (flow.lagNegative > 0)
        this.o.log(
          `replication ${flow.from} → ${flow.to}: ${flow.lagNegative} message(s) seen on the target before the source appended them (down to ${flow.lagNegativeMinMs} ms): a clock defect, left out of the lag`,
        );
    return {
      lag: lagged > 0 ? this.total.summary() : null,
      lagNegative: flows.reduce((total, f) => total + f.lagNegative, 0),
      lagUnmeasured: flows.reduce((total, f) => total + f.lagUnmeasured, 0),
      lagClockStepMs,
      endToEnd: endToEnd.count > 0 ? endToEnd.summary() : null,
      throughput:
        rates.length > 0
          ? {
              messagesPerSec: round(
                rates.reduce((a, b) => a + b, 0),
                1,
              ),
            }
          : null,
      acked: sum('acked'),
      replicated: sum('replicated'),
      duplicated: sum('duplicated'),
      redelivered: sum('redelivered'),
      duplicatesUnclassified: sum('duplicatesUnclassified'),
      notReplicated: sum('notReplicated'),
      foundByFinalRead: sum('foundByFinalRead'),
      seenUnacked: sum('seenUnacked'),
      caughtUp: this.caughtUp,
      flows,
    };
  }

  /**
   * RPO at the injection of the first fault that was injected; null without one. With `target` (a failover), the
   * figures are that replica's gap alone; without, summed over every replica. Each replica's gap is listed beside.
   */
  rpoAt(
    faults: Array<{ id: string; injectedAt: number | null; healedAt?: number | null }>,
    target?: string,
  ): RpoFigures | null {
    const first = faults.filter((f) => f.injectedAt !== null).sort((a, b) => a.injectedAt! - b.injectedAt!)[0];
    const counted = this.flows.filter((f) => target === undefined || f.tracker.to === target);
    if (!first || counted.length === 0) return null;
    const gapOf = (f: Flow) => f.tracker.gapAt(first.injectedAt!, first.healedAt ?? null);
    const gaps = counted.map(gapOf);
    const sum = (field: 'messages' | 'inFlight' | 'late' | 'lost') => gaps.reduce((total, g) => total + g[field], 0);
    return {
      fault: first.id,
      atMs: gaps[0]!.atMs,
      messages: sum('messages'),
      inFlight: sum('inFlight'),
      late: sum('late'),
      lost: sum('lost'),
      ms: Math.max(...gaps.map((g) => g.ms)),
      ...(target !== undefined ? { target } : {}),
      byReplica: this.flows.map((f) => ({ to: f.tracker.to, ...gapOf(f) })),
    };
  }

  async close(): Promise<void> {
    await this.sourceAppendTimes?.close();
    for (const flow of this.flows) {
      await Promise.all(flow.groups.map((g) => g.close().catch(() => {})));
      await flow.client.close().catch(() => {});
    }
    const dump = process.env[BOOKS_DUMP_ENV];
    if (dump) this.writeBooks(dump);
  }

  /**
   * Opt-in (FAULTLINE_REPLICATION_BOOKS=<file>): the per-message books as JSON, so a truth test can check the
   * replication figures and the RPO against its own reading of the target. Off by default: it is one line per message.
   */
  writeBooks(file: string): void {
    const flows = this.flows.map((f) => ({
      from: f.tracker.from,
      to: f.tracker.to,
      messages: [...f.tracker.entries()],
    }));
    writeFileSync(
      file,
      JSON.stringify({
        runId: this.o.runId.toString('hex'),
        columns: ['producer', 'sequence', 'intendedMs', 'ackedMs', 'seenMs', 'appendedMs'],
        flows,
      }),
    );
  }
}

/**
 * Whether the timestamp the target's reader gets is the source cluster's append time: Kafka (faultline creates
 * replicated source topics with message.timestamp.type=LogAppendTime, see sourceTopicTimestampConfig); Pulsar
 * over WebSocket (publishTime is set by the WebSocket service in the source broker), not the native client.
 */
function sourceStampsAppendTime(replication: PlannedReplication, driver: DriverFactory): boolean {
  return (
    !factsOf(replication.from.system).replicator.lagNeedsBrokerPublishTime || driver.publishTimeFromBroker === true
  );
}

/**
 * Whether the source's append times come from a reader on the source: Pulsar over a driver whose publishTime is
 * not the source broker's but which reads the broker's append time (the binary driver).
 */
function readsAppendTimeOnSource(w: WatchedReplication, driver: DriverFactory): boolean {
  return (
    !sourceStampsAppendTime(w.replication, driver) &&
    driver.readsBrokerAppendTime === true &&
    w.sourceEndpoints !== undefined
  );
}
