/**
 * Drives one workload against one cluster: consumer groups first (ready before the first message), then the
 * producers' open-loop schedules through warm-up and measurement, then a bounded drain in which in-flight sends
 * settle and consumers catch up, after which the books close. The client owns (and closes) producers and consumers.
 */
import type { MessageSink, MessagingClient } from '../drivers/driver.js';
import { type CollectedMetrics, Collector, type TimelinePoint } from '../metrics/collector.js';
import { GroupBooks } from '../metrics/group-books.js';
import type { LedgerCounts } from '../metrics/message-ledger.js';
import { type ByRegion, type ClientRelocation, RegionalFigures } from '../metrics/regional-figures.js';
import { streamOf } from '../metrics/recovery-tracker.js';
import type { TopicSpec, WorkloadSpec } from '../scenario/schema.js';
import { keyChooser } from './keys.js';
import { PayloadCodec } from './payload.js';
import { ProducerWorker } from './producer-worker.js';
import { RateSchedule } from './rate-schedule.js';

/** Consume streams of group k are streamOf(topic, partition) + k × this: apart from every other group's. */
const GROUP_STREAM_STRIDE = 2 ** 40;

/** Monotonic milliseconds since the load's origin (the first message's intended send time). */
export class LoadClock {
  private origin = performance.now();

  start(delayMs: number): void {
    this.origin = performance.now() + delayMs;
  }

  readonly now = (): number => performance.now() - this.origin;
}

export interface LoadPlan {
  runId: Buffer;
  topics: TopicSpec[];
  workload: WorkloadSpec;
  /**
   * With regions: where each producer (by id) sits, for figures by region, and the regions consumers sit in:
   * one consumer group per region, each reading every message and keeping its own books (lost, duplicated, …).
   */
  regions?: {
    producerRegion: (producerId: number) => string;
    consumerRegions: string[];
    /** Region failover: where the clients sit once they moved (figures after the move go there). */
    relocation?: ClientRelocation | undefined;
  };
  /** Consumer-group readiness bound. */
  consumerReadyTimeoutMs: number;
}

export interface LoadProgress {
  phase: 'warmup' | 'measure' | 'drain';
  elapsedMs: number;
  plannedMs: number;
  last: TimelinePoint | undefined;
  counts: LedgerCounts;
  /** Figures so far, for checkpoints of the partial results. */
  snapshot: () => CollectedMetrics;
}

export interface DrainTimes {
  producingEndedAtMs: number;
  startedAtMs: number;
  endedAtMs: number;
}

/** One consumer group's books when the load ended. */
export interface GroupOutcome {
  /** The group's consumer region; undefined without regions (one group). */
  region?: string;
  counts: LedgerCounts;
  /** Acknowledged, never delivered to this group, and not found in the log by the final read. */
  lost: number;
  /** Acknowledged messages not delivered to this group when the drain bound passed (before any final read). */
  behindAtDrainEnd: number;
  /** True when every acknowledged message had been delivered to this group by the drain's end. */
  caughtUp: boolean;
  /** True when this group delivers partitions in order and every delivery's partition was known. */
  orderChecked: boolean;
}

export interface LoadOutcome {
  metrics: CollectedMetrics;
  /** Figures by producing region and region pair, when the scenario has regions. */
  byRegion?: ByRegion;
  /** The run's counts: sent, acked, failed once; every delivery count summed over the consumer groups. */
  counts: LedgerCounts;
  /** Each consumer group's own books, in placement order (one group without regions; none without consumers). */
  groups: GroupOutcome[];
  /** Distinct acknowledged messages that some group never got and the final read did not find in the log. */
  lost: number;
  /** Distinct messages sent (acknowledged or not) that some group never got and the final read did not find. */
  notDelivered: number;
  /**
   * Messages whose send was still unanswered when the drain ended: their outcome is unknown (counted unacked);
   * an answer after that changes nothing.
   */
  unansweredAtDrainEnd: number;
  /**
   * Messages of the schedule never handed to the client: every send slot was still taken by unanswered sends
   * when the drain ended (0 at max rate, where producing simply stops at the window's end).
   */
  unsentAtDrainEnd: number;
  /**
   * When (load-clock ms) producing ended, the drain began (after the faults healed) and it ended (its bound, or
   * every send answered and every group caught up); the final read, if any, comes after.
   */
  drain: DrainTimes;
  /** Messages on the topic that this run did not write (ignored). */
  foreign: number;
  /**
   * True when every scheduled message was sent, every send was answered and every consumer group had every
   * acknowledged message (or no consumers ran) before the drain bound.
   */
  drained: boolean;
  /** True when every consumer group delivers partitions in order and every delivery's partition was known, so `reordered` means something. */
  orderChecked: boolean;
  /**
   * null: no final read was needed; else whether it read every partition to its end (false also when the
   * driver has none: `finalReadAvailable`).
   */
  finalReadComplete: boolean | null;
  finalReadAvailable: boolean;
  /** False when a resolved send did not mean the broker wrote it (Kafka acks=0). */
  acknowledgesWrites: boolean;
  /** Why the producer itself may have reordered its sends, when it may have. */
  producerReorderCaveat?: string;
  /**
   * Some of the messages counted lost (acknowledged, missing from some group, not in the log), as evidence; with
   * regions, `missingFrom` names the consumer regions whose groups lack each.
   */
  lostSample: Array<{ producer: number; sequence: number; missingFrom?: string[] }>;
  interrupted: boolean;
  consumersRan: boolean;
  /** Wall-clock time of the load's origin, for reports. */
  startedAt: Date;
}

export interface LoadHooks {
  signal: AbortSignal;
  onProgress?: (progress: LoadProgress) => void;
  /** Called once every producer and consumer is connected and ready, as the schedule starts. */
  onStart?: (collector: Collector) => void;
  /** Awaited when producing ends, before the drain (faults heal here, so consumers can catch up). */
  beforeDrain?: () => Promise<void>;
}

export async function runLoad(
  client: MessagingClient,
  plan: LoadPlan,
  clock: LoadClock,
  hooks: LoadHooks,
): Promise<LoadOutcome> {
  const { workload, topics } = plan;
  const producerCount = topics.length * workload.producers;
  const measureEndMs = workload.warmup + workload.duration;
  const consumersRan = workload.consumers > 0;
  const regions = plan.regions;
  const groupRegions: Array<string | undefined> = consumersRan ? (regions?.consumerRegions ?? [undefined]) : [];
  const books = new GroupBooks(
    producerCount,
    groupRegions.map((region) => region ?? ''),
  );
  // The timeline also cuts a second where the target rate changes, so each interval has one target.
  const rateChangesMs: number[] = [];
  for (const phase of workload.phases.slice(0, -1))
    rateChangesMs.push((rateChangesMs.at(-1) ?? workload.warmup) + phase.duration);
  const collector = new Collector({
    warmupMs: workload.warmup,
    measureEndMs,
    messageSize: workload.messageSize,
    cutsMs: rateChangesMs,
  });
  const codec = new PayloadCodec(plan.runId, workload.messageSize);
  const regional = regions
    ? new RegionalFigures(
        { warmupMs: workload.warmup, measureEndMs, messageSize: workload.messageSize },
        regions.producerRegion,
        {
          producing: Array.from({ length: producerCount }, (_, id) => regions.producerRegion(id)),
          consuming: consumersRan ? regions.consumerRegions : [],
        },
        regions.relocation,
      )
    : undefined;
  let foreign = 0;
  /** Group k's sink: its first delivery of each message goes into its books, the overall figures and by region. */
  const groupSink = (k: number, region: string | undefined): MessageSink => {
    const { ledger } = books.groups[k]!;
    const header = { producer: 0, sequence: 0, intendedMs: 0 };
    return (value, receivedMs, reportedPartition, position = '') => {
      if (!codec.decodeInto(value, header) || !ledger.isKnownProducer(header.producer)) {
        if (k === 0) foreign++; // every group reads the same topics: count the foreign once
        return;
      }
      const topicIndex = Math.floor(header.producer / workload.producers);
      // A one-partition topic (Pulsar: non-partitioned, whose message ids name no partition) is partition 0.
      const partition = reportedPartition < 0 && topics[topicIndex]?.partitions === 1 ? 0 : reportedPartition;
      if (ledger.recordConsumed(header.producer, header.sequence, partition, position)) {
        // Each group's partitions are streams of their own: consumers have resumed when every group has.
        collector.onConsume(header.intendedMs, receivedMs, streamOf(topicIndex, partition) + k * GROUP_STREAM_STRIDE);
        if (region !== undefined)
          regional?.onConsume(header.producer, region, header.intendedMs, receivedMs, header.sequence);
      }
    };
  };

  const groupName = `faultline-${plan.runId.toString('hex')}`;
  const groupOrdered = groupRegions.map(() => true);
  for (const [k, region] of groupRegions.entries()) {
    const sink = groupSink(k, region);
    for (const topic of topics) {
      const group = k === 0 ? `${groupName}-${topic.name}` : `${groupName}-${topic.name}-${region}`;
      const handle = await client.createConsumerGroup({
        topic,
        group,
        members: workload.consumers,
        sink,
        readyTimeoutMs: plan.consumerReadyTimeoutMs,
        signal: hooks.signal,
        ...(region !== undefined ? { region } : {}),
      });
      groupOrdered[k] &&= handle.ordered;
    }
  }

  const schedule = (): RateSchedule | null =>
    workload.rate.kind === 'max' ? null : RateSchedule.forWorkload(workload, 1 / producerCount);
  const workers: ProducerWorker[] = [];
  for (const [topicIndex, topic] of topics.entries()) {
    for (let i = 0; i < workload.producers; i++) {
      const id = topicIndex * workload.producers + i;
      workers.push(
        new ProducerWorker({
          id,
          topic: topic.name,
          topicIndex,
          producer: await client.createProducer(id, topic),
          codec,
          keys: keyChooser(workload, id),
          schedule: schedule(),
          endMs: measureEndMs,
          maxInFlight: workload.maxInFlight,
          maxInFlightBatches: workload.maxInFlightBatches,
          maxBatch: workload.maxBatch,
          clock: clock.now,
          collector,
          ...(regional ? { regional } : {}),
          ledger: books,
          signal: hooks.signal,
        }),
      );
    }
  }

  clock.start(20);
  const startedAt = new Date(Date.now() + 20);
  hooks.onStart?.(collector);
  const plannedMs = measureEndMs + workload.drainTimeout;
  const progress = setInterval(() => {
    const now = clock.now();
    collector.roll(now);
    const phase = now < workload.warmup ? 'warmup' : now < measureEndMs ? 'measure' : 'drain';
    hooks.onProgress?.({
      phase,
      elapsedMs: now,
      plannedMs,
      last: collector.closedIntervals.at(-1),
      counts: books.counts,
      snapshot: () => collector.snapshot(clock.now()),
    });
  }, 1000);

  try {
    await new Promise((resolve) => setTimeout(resolve, 20));
    await Promise.all(workers.map((worker) => worker.produce()));
    const producingEndedAtMs = clock.now();
    if (hooks.signal.aborted) collector.endWindow(producingEndedAtMs); // interrupted: the window ends where producing stopped
    await hooks.beforeDrain?.();
    const drainStartedAtMs = clock.now();
    const drainDeadline = drainStartedAtMs + workload.drainTimeout;
    await Promise.all(workers.map((worker) => worker.settle(drainDeadline)));
    // Every consumer group has every acknowledged message.
    while (books.behind().length > 0 && clock.now() < drainDeadline && !hooks.signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The drain's bound: sends still unanswered are abandoned (unknown outcome; later answers change nothing).
    const left = workers.map((worker) => worker.abandon());
    const drainEndedAtMs = clock.now();
    const behindAtDrainEnd = books.groups.map((g) => g.ledger.counts.ackedNotConsumed);
    const unansweredAtDrainEnd = left.reduce((sum, l) => sum + l.unanswered, 0);
    const unsentAtDrainEnd = left.reduce((sum, l) => sum + l.unsent, 0);
    const drained = books.behind().length === 0 && unansweredAtDrainEnd === 0 && unsentAtDrainEnd === 0;
    // Acked messages some group has not delivered: are they in the log at all? A fresh reader tells, for every group.
    let finalReadComplete: boolean | null = null;
    const finalReadNeeded = books.behind().length > 0 && !hooks.signal.aborted;
    if (finalReadNeeded) finalReadComplete = false;
    if (finalReadNeeded && client.finalRead) {
      const finalSink = (value: Buffer) => {
        const header = codec.decode(value);
        if (header && books.isKnownProducer(header.producer)) books.recordFinalRead(header.producer, header.sequence);
      };
      finalReadComplete = await client.finalRead(topics, finalSink, workload.drainTimeout).catch(() => false);
    }
    // The books close here: later deliveries no longer count.
    const groups: GroupOutcome[] = books.groups.map((g, k) => ({
      ...(groupRegions[k] !== undefined ? { region: groupRegions[k] } : {}),
      counts: { ...g.ledger.counts },
      lost: g.ledger.lost,
      behindAtDrainEnd: behindAtDrainEnd[k]!,
      caughtUp: behindAtDrainEnd[k] === 0,
      orderChecked: groupOrdered[k]! && g.ledger.counts.unplaced === 0,
    }));
    const missing = books.missing((producer) => workers[producer]?.sent ?? 0, producerCount);
    return {
      metrics: collector.snapshot(clock.now()),
      ...(regional ? { byRegion: regional.snapshot(clock.now()) } : {}),
      counts: books.counts,
      groups,
      lost: missing.lost,
      notDelivered: missing.notDelivered,
      unansweredAtDrainEnd,
      unsentAtDrainEnd,
      drain: {
        producingEndedAtMs: Math.round(producingEndedAtMs),
        startedAtMs: Math.round(drainStartedAtMs),
        endedAtMs: Math.round(drainEndedAtMs),
      },
      foreign,
      drained,
      orderChecked: consumersRan && groups.every((g) => g.orderChecked),
      finalReadComplete,
      finalReadAvailable: client.finalRead !== undefined,
      lostSample: missing.lostSample.map(({ producer, sequence, missingFrom }) =>
        regions ? { producer, sequence, missingFrom } : { producer, sequence },
      ),
      acknowledgesWrites: client.acknowledgesWrites ?? true,
      ...(client.producerReorderCaveat ? { producerReorderCaveat: client.producerReorderCaveat } : {}),
      interrupted: hooks.signal.aborted,
      consumersRan,
      startedAt,
    };
  } finally {
    clearInterval(progress);
  }
}
