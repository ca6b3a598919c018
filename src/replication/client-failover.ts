/**
 * Region failover of the workload's clients. Until the switch, producers and consumer groups work on the source
 * cluster. At the switch (the source's region went down `after` ago): sends still waiting on the source are given
 * up (they fail with FailoverAbandoned: their outcome is unknown, as for an application that gives up on a dead
 * cluster), producers write to the target's replica topics, and each consumer group is opened on the target under
 * the same name — Kafka resumes from the offsets MirrorMaker 2 translated and synced there, Pulsar from the
 * replicated subscription state. The source groups are closed (time-boxed: their brokers may be gone).
 *
 * Measured on the load's clock: RTO produce = outage → first send acknowledged by the target; RTO consume =
 * outage → first message consumed on the target that the group had not consumed before; and the messages consumed
 * again after the failover (consumed on the source, then once more on the target: the translated position is
 * behind). Those repeats are counted here and not handed to the books, which count each message's first delivery.
 */
import type {
  ConsumerGroupHandle,
  ConsumerGroupRequest,
  MessageSink,
  MessagingClient,
  ProducerHandle,
} from '../drivers/driver.js';
import { errorMessage } from '../errors.js';
import { messageKey, type PayloadCodec } from '../load/payload.js';
import type { TopicSpec } from '../scenario/schema.js';

/** A source close that hangs (its brokers are gone) is left behind after this long. */
const SOURCE_CLOSE_BOUND_MS = 5_000;

export interface RtoFigures {
  from: string;
  to: string;
  /** The region-outage the RTO is measured from, and when it was injected (load clock, ms). */
  fault: string;
  outageAtMs: number | null;
  /** When the clients moved (load clock, ms); null when the run ended first. */
  switchedAtMs: number | null;
  /** Outage → first send acknowledged by the target (ms); null when none was. */
  produce: number | null;
  /** Outage → first message consumed on the target that had not been consumed before (ms); null when none was. */
  consume: number | null;
  /** Messages the groups consumed on the source before the move. */
  consumedBeforeMove: number;
  /** Deliveries on the target of messages the group had already consumed on the source. */
  consumedAgain: number;
  /** Messages whose send to the source was given up at the switch (counted failed). */
  abandoned: number;
  /** Consumer groups open and ready on the target / moved. */
  groupsReady: number;
  groups: number;
}

export class FailoverAbandoned extends Error {
  override readonly name = 'FailoverAbandoned';
}

export interface ClientFailoverOptions {
  from: string;
  to: string;
  /** Opens the client of the target cluster (in the target's region); called at the switch. */
  openTarget: () => MessagingClient;
  topicOnTarget: (topic: TopicSpec) => TopicSpec;
  codec: PayloadCodec;
  clock: () => number;
  log: (line: string) => void;
  /** Told of each message written straight to the target (so replication figures leave it out), before its send. */
  onDirectWrite?: (producer: number, sequence: number) => void;
  /** Prepares a source consumer group to be resumed on the target (Pulsar: replicate its subscription state). */
  prepareGroup?: (topic: TopicSpec, group: string) => Promise<void>;
}

interface MovedGroup {
  request: ConsumerGroupRequest;
  source: ConsumerGroupHandle;
  target?: Promise<ConsumerGroupHandle>;
}

export class ClientFailover {
  private switchedAtMs: number | null = null;
  private target: MessagingClient | undefined;
  private readonly onSwitch = new Set<() => void>();
  private readonly groups: MovedGroup[] = [];
  /** messageKey of every message the groups consumed before the switch. */
  private readonly consumedBefore = new Set<number>();
  private firstTargetAckMs: number | null = null;
  private firstNewConsumedMs: number | null = null;
  private consumedAgain = 0;
  private abandoned = 0;
  private groupsReady = 0;
  private readonly leftBehind: Promise<unknown>[] = [];

  /** The client the load drives: the source's until the switch, the target's after. */
  readonly client: MessagingClient;

  constructor(
    private readonly source: MessagingClient,
    private readonly o: ClientFailoverOptions,
  ) {
    this.client = {
      ...(source.acknowledgesWrites !== undefined ? { acknowledgesWrites: source.acknowledgesWrites } : {}),
      ...(source.producerReorderCaveat !== undefined ? { producerReorderCaveat: source.producerReorderCaveat } : {}),
      createProducer: (id, topic) => this.createProducer(id, topic),
      createConsumerGroup: (request) => this.createConsumerGroup(request),
      ...(source.finalRead ? { finalRead: (topics, sink, timeoutMs) => this.finalRead(topics, sink, timeoutMs) } : {}),
      close: () => this.close(),
    };
  }

  get switched(): boolean {
    return this.switchedAtMs !== null;
  }

  /** Moves producers and consumer groups to the target; resolves once every group is open there (or failed to). */
  async switchOver(): Promise<void> {
    if (this.switched) return;
    this.switchedAtMs = this.o.clock();
    this.o.log(`failover: clients move ${this.o.from} → ${this.o.to} at ${Math.round(this.switchedAtMs)} ms`);
    for (const abandon of this.onSwitch) abandon();
    this.onSwitch.clear();
    const target = this.targetClient();
    await Promise.all(
      this.groups.map(async (moved) => {
        this.leaveBehind(moved.source.close());
        const { request } = moved;
        moved.target = target.createConsumerGroup({
          ...request,
          topic: this.o.topicOnTarget(request.topic),
          sink: this.targetSink(request.sink),
        });
        try {
          await moved.target;
          this.groupsReady++;
          this.o.log(`failover: group ${request.group} open on ${this.o.to}`);
        } catch (error) {
          this.o.log(`failover: group ${request.group} could not open on ${this.o.to}: ${errorMessage(error)}`);
        }
      }),
    );
  }

  figures(fault: string, outageAtMs: number | null): RtoFigures {
    const since = (ms: number | null) => (ms === null || outageAtMs === null ? null : Math.round(ms - outageAtMs));
    return {
      from: this.o.from,
      to: this.o.to,
      fault,
      outageAtMs: outageAtMs === null ? null : Math.round(outageAtMs),
      switchedAtMs: this.switchedAtMs === null ? null : Math.round(this.switchedAtMs),
      produce: since(this.firstTargetAckMs),
      consume: since(this.firstNewConsumedMs),
      consumedBeforeMove: this.consumedBefore.size,
      consumedAgain: this.consumedAgain,
      abandoned: this.abandoned,
      groupsReady: this.groupsReady,
      groups: this.groups.length,
    };
  }

  private targetClient(): MessagingClient {
    return (this.target ??= this.o.openTarget());
  }

  private leaveBehind(closing: Promise<unknown>): void {
    const bounded = Promise.race([
      closing.catch(() => {}),
      new Promise((resolve) => setTimeout(resolve, SOURCE_CLOSE_BOUND_MS).unref()),
    ]);
    this.leftBehind.push(bounded);
  }

  private async createProducer(id: number, topic: TopicSpec): Promise<ProducerHandle> {
    const onSource = this.switched ? undefined : await this.source.createProducer(id, topic);
    let onTarget: Promise<ProducerHandle> | undefined;
    const targetTopic = this.o.topicOnTarget(topic);
    const targetProducer = () => {
      if (!onTarget) {
        const opening = this.targetClient().createProducer(id, targetTopic);
        opening.catch(() => {
          if (onTarget === opening) onTarget = undefined; // the next send tries again
        });
        onTarget = opening;
      }
      return onTarget;
    };
    return {
      send: (topicName, messages, onAcked) => {
        if (!this.switched && onSource) return this.sendOnSource(onSource, topicName, messages, onAcked);
        for (const m of messages) {
          const header = this.o.codec.decode(m.value);
          if (header) this.o.onDirectWrite?.(header.producer, header.sequence);
        }
        return targetProducer().then((producer) =>
          producer.send(targetTopic.name, messages, (indexes, ackMs, partition) => {
            this.firstTargetAckMs ??= ackMs;
            onAcked(indexes, ackMs, partition);
          }),
        );
      },
      close: async () => {
        await Promise.allSettled([onSource?.close(), onTarget?.then((p) => p.close())]);
      },
    };
  }

  /** A send on the source that the switch gives up: it fails then, and acks arriving later are not passed on. */
  private sendOnSource(
    producer: ProducerHandle,
    topicName: string,
    messages: Parameters<ProducerHandle['send']>[1],
    onAcked: Parameters<ProducerHandle['send']>[2],
  ): Promise<void> {
    let live = true;
    let acked = 0;
    return new Promise<void>((resolve, reject) => {
      const abandon = () => {
        live = false;
        this.abandoned += messages.length - acked;
        reject(new FailoverAbandoned(`send to ${this.o.from} given up when clients moved to ${this.o.to}`));
      };
      this.onSwitch.add(abandon);
      producer
        .send(topicName, messages, (indexes, ackMs, partition) => {
          if (!live) return;
          acked += indexes.length;
          onAcked(indexes, ackMs, partition);
        })
        .then(
          () => live && resolve(),
          (error: unknown) => live && reject(error),
        )
        .finally(() => this.onSwitch.delete(abandon));
    });
  }

  private async createConsumerGroup(request: ConsumerGroupRequest): Promise<ConsumerGroupHandle> {
    const sourceSink: MessageSink = (value, receivedMs, partition, position) => {
      if (this.switched) return; // the source group is on its way out
      const header = this.o.codec.decode(value);
      if (header) this.consumedBefore.add(messageKey(header.producer, header.sequence));
      request.sink(value, receivedMs, partition, position);
    };
    const source = await this.source.createConsumerGroup({ ...request, sink: sourceSink });
    await this.o.prepareGroup?.(request.topic, request.group);
    const moved: MovedGroup = { request, source };
    this.groups.push(moved);
    return {
      get ordered() {
        return source.ordered;
      },
      close: async () => {
        await Promise.allSettled([source.close(), moved.target?.then((g) => g.close())]);
      },
    };
  }

  /** On the target: repeats of what the source delivered are counted, not handed to the books. */
  private targetSink(sink: MessageSink): MessageSink {
    return (value, receivedMs, partition, position) => {
      const header = this.o.codec.decode(value);
      if (header) {
        const key = messageKey(header.producer, header.sequence);
        if (this.consumedBefore.has(key)) {
          this.consumedAgain++;
          return;
        }
        this.firstNewConsumedMs ??= receivedMs;
      }
      sink(value, receivedMs, partition, position === undefined ? undefined : `${this.o.to}:${position}`);
    };
  }

  private async finalRead(topics: TopicSpec[], sink: MessageSink, timeoutMs: number): Promise<boolean> {
    if (!this.switched) return this.source.finalRead!(topics, sink, timeoutMs);
    const target = this.targetClient();
    if (!target.finalRead) return false;
    return target.finalRead(
      topics.map((t) => this.o.topicOnTarget(t)),
      sink,
      timeoutMs,
    );
  }

  private async close(): Promise<void> {
    // After a switch the source's brokers may be gone: its close is bounded like the groups' were.
    if (this.switched) this.leaveBehind(this.source.close());
    await Promise.allSettled([this.switched ? undefined : this.source.close(), this.target?.close()]);
    await Promise.all(this.leftBehind);
  }
}
