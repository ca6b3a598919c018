/**
 * Drives one workload against one cluster: consumer groups first (ready before the first message), then the
 * producers' open-loop schedules through warm-up and measurement, then a bounded drain in which in-flight sends
 * settle and consumers catch up, after which the books close. The client owns (and closes) producers and consumers.
 */
import type { MessageSink, MessagingClient } from '../drivers/driver.js';
import { type CollectedMetrics, Collector, type TimelinePoint } from '../metrics/collector.js';
import { type LedgerCounts, MessageLedger } from '../metrics/message-ledger.js';
import { type ByRegion, type ClientRelocation, RegionalFigures } from '../metrics/regional-figures.js';
import { streamOf } from '../metrics/recovery-tracker.js';
import type { TopicSpec, WorkloadSpec } from '../scenario/schema.js';
import { keyChooser } from './keys.js';
import { PayloadCodec } from './payload.js';
import { ProducerWorker } from './producer-worker.js';
import { RateSchedule } from './rate-schedule.js';

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
   * one consumer group per region, each reading every message. The books (lost, duplicated, …) are kept on the
   * first region's group; the others add their end-to-end figures by region.
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

export interface LoadOutcome {
  metrics: CollectedMetrics;
  /** Figures by producing region and region pair, when the scenario has regions. */
  byRegion?: ByRegion;
  counts: LedgerCounts;
  /** Messages on the topic that this run did not write (ignored). */
  foreign: number;
  /** True when every acknowledged message was consumed (or no consumers ran) before the drain bound. */
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
  /** Some of the messages counted lost (acknowledged, never delivered, not in the log), as evidence. */
  lostSample: Array<{ producer: number; sequence: number }>;
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
  const ledger = new MessageLedger(producerCount);
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
  const regions = plan.regions;
  const regional = regions
    ? new RegionalFigures(
        { warmupMs: workload.warmup, measureEndMs, messageSize: workload.messageSize },
        regions.producerRegion,
        regions.relocation,
      )
    : undefined;
  let foreign = 0;
  const sink = (value: Buffer, receivedMs: number, reportedPartition: number, position = '') => {
    const header = codec.decode(value);
    if (!header || !ledger.isKnownProducer(header.producer)) {
      foreign++;
      return;
    }
    const topicIndex = Math.floor(header.producer / workload.producers);
    // A one-partition topic (Pulsar: non-partitioned, whose message ids name no partition) is partition 0.
    const partition = reportedPartition < 0 && topics[topicIndex]?.partitions === 1 ? 0 : reportedPartition;
    if (ledger.recordConsumed(header.producer, header.sequence, partition, position)) {
      collector.onConsume(header.intendedMs, receivedMs, streamOf(topicIndex, partition));
      if (regions)
        regional?.onConsume(
          header.producer,
          regions.consumerRegions[0]!,
          header.intendedMs,
          receivedMs,
          header.sequence,
        );
    }
  };
  /** A further consumer region's group: its first delivery of each message counts in the figures by region. */
  const otherRegionsSeen: MessageLedger[] = [];
  const regionSink = (region: string): MessageSink => {
    const seen = new MessageLedger(producerCount);
    otherRegionsSeen.push(seen);
    return (value, receivedMs) => {
      const header = codec.decode(value);
      if (header && seen.isKnownProducer(header.producer) && seen.recordConsumed(header.producer, header.sequence)) {
        regional?.onConsume(header.producer, region, header.intendedMs, receivedMs, header.sequence);
      }
    };
  };

  const consumersRan = workload.consumers > 0;
  const groupName = `faultline-${plan.runId.toString('hex')}`;
  let orderChecked = consumersRan;
  if (consumersRan) {
    const groupRegions = regions?.consumerRegions ?? [undefined];
    for (const [k, region] of groupRegions.entries()) {
      for (const topic of topics) {
        const group = k === 0 ? `${groupName}-${topic.name}` : `${groupName}-${topic.name}-${region}`;
        const handle = await client.createConsumerGroup({
          topic,
          group,
          members: workload.consumers,
          sink: k === 0 ? sink : regionSink(region!),
          readyTimeoutMs: plan.consumerReadyTimeoutMs,
          signal: hooks.signal,
          ...(region !== undefined ? { region } : {}),
        });
        if (k === 0) orderChecked &&= handle.ordered;
      }
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
          ledger,
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
      counts: ledger.counts,
      snapshot: () => collector.snapshot(clock.now()),
    });
  }, 1000);

  try {
    await new Promise((resolve) => setTimeout(resolve, 20));
    await Promise.all(workers.map((worker) => worker.produce()));
    if (hooks.signal.aborted) collector.endWindow(clock.now()); // interrupted: the window ends where producing stopped
    await hooks.beforeDrain?.();
    const drainDeadline = clock.now() + workload.drainTimeout;
    await Promise.all(workers.map((worker) => worker.settle(drainDeadline)));
    // Every consumer region's group has caught up with what the first one holds.
    const caughtUp = () =>
      ledger.counts.ackedNotConsumed === 0 &&
      otherRegionsSeen.every((seen) => seen.counts.consumed >= ledger.counts.consumed);
    let drained = !consumersRan || caughtUp();
    while (!drained && clock.now() < drainDeadline && !hooks.signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      drained = caughtUp();
    }
    drained &&= workers.every((worker) => worker.outstanding === 0);
    // Acked messages the group has not delivered: are they in the log at all? A fresh reader tells.
    let finalReadComplete: boolean | null = null;
    if (consumersRan && ledger.counts.ackedNotConsumed > 0 && !hooks.signal.aborted) finalReadComplete = false;
    if (consumersRan && ledger.counts.ackedNotConsumed > 0 && client.finalRead && !hooks.signal.aborted) {
      const finalSink = (value: Buffer) => {
        const header = codec.decode(value);
        if (header && ledger.isKnownProducer(header.producer)) ledger.recordFinalRead(header.producer, header.sequence);
      };
      finalReadComplete = await client.finalRead(topics, finalSink, workload.drainTimeout).catch(() => false);
    }
    return {
      metrics: collector.snapshot(clock.now()),
      ...(regional ? { byRegion: regional.snapshot(clock.now()) } : {}),
      counts: { ...ledger.counts },
      foreign,
      drained,
      orderChecked: orderChecked && ledger.counts.unplaced === 0,
      finalReadComplete,
      finalReadAvailable: client.finalRead !== undefined,
      lostSample: ledger.lost > 0 ? ledger.missing(100) : [],
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
