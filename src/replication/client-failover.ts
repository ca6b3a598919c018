/**
 * Region failover of the workload's clients. Until the switch, producers and consumer groups work on the source
 * cluster; a send the source fails is sent there again (the application does not give a message up: it fails
 * over instead). At the switch: every send still waiting on the source is sent again, unacknowledged messages only, to
 * the target (same producer id and sequence numbers in the payloads, so a message that had landed on the source
 * and reaches the target twice is counted by the books as a duplicate, not as a new message); its outcome on the
 * source is no longer awaited. This is one rule for every driver, applied here and not per driver, so that a
 * comparison is not decided by what each client library does with requests to a dead broker. Producers then
 * write to the target's replica topics, and each consumer group is opened on the target under the same name —
 * Kafka resumes from the offsets MirrorMaker 2 translated and synced there, Pulsar from the replicated
 * subscription state. The source groups are closed (time-boxed: their brokers may be gone).
 *
 * Measured on the load's clock, per consumer group (each group keeps its own "consumed before the move" set):
 * RTO consume = outage → first message consumed on the target that this group had not consumed before; the
 * messages consumed again after the failover (consumed by this group on the source, then once more on the
 * target: the translated position is behind), counted here and not handed to the books, which count each
 * message's first delivery. RTO produce = outage → first send acknowledged by the target.
 */
import type {
  AckListener,
  ConsumerGroupHandle,
  ConsumerGroupRequest,
  MessageSink,
  MessagingClient,
  OutgoingMessage,
  ProducerHandle,
} from '../drivers/driver.js';
import { errorMessage } from '../errors.js';
import { messageKey, type PayloadCodec } from '../load/payload.js';
import type { TopicSpec } from '../scenario/schema.js';
import { NoAckDetector } from './no-ack-detector.js';

/** A source close that hangs (its brokers are gone) is left behind after this long. */
const SOURCE_CLOSE_BOUND_MS = 5_000;
/** A send the source failed is sent there again after this backoff, doubling up to the max. */
const SOURCE_RETRY_FIRST_MS = 100;
const SOURCE_RETRY_MAX_MS = 1_000;

/** One consumer group's failover. */
export interface GroupRto {
  group: string;
  /** The region it was planned in (with regions). */
  region?: string;
  /** Open and ready on the target. */
  ready: boolean;
  /** Messages this group consumed on the source before the move. */
  consumedBeforeMove: number;
  /** Deliveries on the target of messages this group had already consumed on the source. */
  consumedAgain: number;
  /** Outage → this group's first message consumed on the target that it had not consumed before (ms). */
  consume: number | null;
}

export interface RtoFigures {
  from: string;
  to: string;
  /** The region-outage the RTO is measured from, and when it was injected (load clock, ms). */
  fault: string;
  outageAtMs: number | null;
  /** How the move was decided: a fixed delay from the outage, or a rule on what the clients see. */
  detection?: { rule: 'after' | 'noAckFor'; ms: number };
  /** When the rule fired (after: injection + after; noAckFor: when the silence reached the bound); null if never. */
  triggeredAtMs?: number | null;
  /** Outage → trigger fired (ms): the detection time inside the RTO; null when either is unknown. */
  detectedMs?: number | null;
  /** When the clients moved (load clock, ms); null when they did not. */
  switchedAtMs: number | null;
  /**
   * Why no RTO is reported although the clients moved, or why they did not move (the outage was never injected,
   * healed before the move, or the rule fired before the outage); null when produce / consume are RTOs.
   */
  flag?: string | null;
  /** Outage → first send acknowledged by the target (ms); null when none was, or when flagged. */
  produce: number | null;
  /** Outage → the time every moved group had consumed a new message on the target (ms); null when one never did, or flagged. */
  consume: number | null;
  /** Messages the groups consumed on the source before the move (summed over groups). */
  consumedBeforeMove: number;
  /** Deliveries on the target of messages the same group had already consumed on the source (summed over groups). */
  consumedAgain: number;
  /** Kept for result.json: sends given up at the move. Always 0 since every waiting send is re-sent (`resent`). */
  abandoned: number;
  /** Messages still unacknowledged on the source at the move, sent again to the target. */
  resent?: number;
  /** Messages sent to the source again after it failed their send (before the move; each retry counted). */
  retriedOnSource?: number;
  /** Consumer groups open and ready on the target / moved. */
  groupsReady: number;
  groups: number;
  /** Each consumer group on its own. */
  byGroup?: GroupRto[];
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
  ready: boolean;
  /** messageKey of every message this group consumed before the switch. */
  consumedBefore: Set<number>;
  consumedAgain: number;
  firstNewConsumedMs: number | null;
}

/** A send waiting on the source: at the switch, what it has not had acknowledged is sent to the target. */
interface WaitingSend {
  moveToTarget: () => void;
  /** The clients close (the run ended) before it was acknowledged or moved: it fails with the source's last error. */
  giveUp: () => void;
}

export class ClientFailover {
  private switchedAtMs: number | null = null;
  private target: MessagingClient | undefined;
  private readonly waiting = new Set<WaitingSend>();
  private readonly groups: MovedGroup[] = [];
  private firstTargetAckMs: number | null = null;
  private resent = 0;
  private retriedOnSource = 0;
  private readonly leftBehind: Promise<unknown>[] = [];
  /** The producers on the source: closed at the move, so that sends they still hold cannot land there later. */
  private readonly sourceProducers: ProducerHandle[] = [];
  private detector: NoAckDetector | undefined;
  /** messageKey of every message written straight to the target (after the move, or re-sent at it). */
  private readonly toTarget = new Set<number>();

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

  /** Whether this message was sent to the target (from the target's region), not to the source. */
  sentToTarget(producer: number, sequence: number): boolean {
    return this.toTarget.has(messageKey(producer, sequence));
  }

  /** When the clients moved (load clock), or null. */
  get movedAtMs(): number | null {
    return this.switchedAtMs;
  }

  /** The producers' sends on the source feed a no-acknowledgement detector, which calls `onFire` once when it holds. */
  detectNoAck(noAckForMs: number, onFire: (atMs: number) => void): NoAckDetector {
    this.detector = new NoAckDetector(noAckForMs, this.o.clock, onFire);
    return this.detector;
  }

  /** Stops the detector, if any (producing ended). */
  detectorOff(): void {
    this.detector?.disarm();
  }

  /** Moves producers and consumer groups to the target; resolves once every group is open there (or failed to). */
  async switchOver(): Promise<void> {
    if (this.switched) return;
    this.switchedAtMs = this.o.clock();
    this.detector?.disarm();
    this.o.log(`failover: clients move ${this.o.from} → ${this.o.to} at ${Math.round(this.switchedAtMs)} ms`);
    const waiting = [...this.waiting];
    this.waiting.clear();
    for (const send of waiting) send.moveToTarget();
    // The application abandons its source producers: what they still hold (a reconnecting WebSocket producer's
    // queue, kafkajs's retries) must not reach the source once it is back, beside its copy sent to the target.
    for (const producer of this.sourceProducers.splice(0)) this.leaveBehind(producer.close());
    if (this.resent > 0)
      this.o.log(`failover: ${this.resent} message(s) unacknowledged on ${this.o.from} sent again to ${this.o.to}`);
    const target = this.targetClient();
    await Promise.all(
      this.groups.map(async (moved) => {
        this.leaveBehind(moved.source.close());
        const { request } = moved;
        moved.target = target.createConsumerGroup({
          ...request,
          topic: this.o.topicOnTarget(request.topic),
          sink: this.targetSink(moved),
        });
        try {
          await moved.target;
          moved.ready = true;
          this.o.log(`failover: group ${request.group} open on ${this.o.to}`);
        } catch (error) {
          this.o.log(`failover: group ${request.group} could not open on ${this.o.to}: ${errorMessage(error)}`);
        }
      }),
    );
  }

  /**
   * The figures, from the outage's injection. `flag` (the move was not a recovery from this outage) withholds
   * produce and consume: they are not RTOs then.
   */
  figures(fault: string, outageAtMs: number | null, flag: string | null = null): RtoFigures {
    const since = (ms: number | null) =>
      ms === null || outageAtMs === null || flag !== null ? null : Math.round(ms - outageAtMs);
    const byGroup: GroupRto[] = this.groups.map((g) => ({
      group: g.request.group,
      ...(g.request.region !== undefined ? { region: g.request.region } : {}),
      ready: g.ready,
      consumedBeforeMove: g.consumedBefore.size,
      consumedAgain: g.consumedAgain,
      consume: since(g.firstNewConsumedMs),
    }));
    // Consumption is back when every group consumes new messages again: the slowest group's.
    const firsts = this.groups.map((g) => g.firstNewConsumedMs);
    const allConsumed = firsts.length > 0 && firsts.every((ms) => ms !== null);
    const sum = (pick: (g: GroupRto) => number) => byGroup.reduce((total, g) => total + pick(g), 0);
    return {
      from: this.o.from,
      to: this.o.to,
      fault,
      outageAtMs: outageAtMs === null ? null : Math.round(outageAtMs),
      switchedAtMs: this.switchedAtMs === null ? null : Math.round(this.switchedAtMs),
      flag,
      produce: since(this.firstTargetAckMs),
      consume: allConsumed ? since(Math.max(...(firsts as number[]))) : null,
      consumedBeforeMove: sum((g) => g.consumedBeforeMove),
      consumedAgain: sum((g) => g.consumedAgain),
      abandoned: 0,
      resent: this.resent,
      retriedOnSource: this.retriedOnSource,
      groupsReady: byGroup.filter((g) => g.ready).length,
      groups: this.groups.length,
      byGroup,
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
    if (onSource) this.sourceProducers.push(onSource);
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
    const sendOnTarget = (messages: OutgoingMessage[], onAcked: AckListener): Promise<void> => {
      for (const m of messages) {
        const header = this.o.codec.decode(m.value);
        if (!header) continue;
        this.toTarget.add(messageKey(header.producer, header.sequence));
        this.o.onDirectWrite?.(header.producer, header.sequence);
      }
      return targetProducer().then((producer) =>
        producer.send(targetTopic.name, messages, (indexes, ackMs, partition) => {
          this.firstTargetAckMs ??= ackMs;
          onAcked(indexes, ackMs, partition);
        }),
      );
    };
    return {
      send: (topicName, messages, onAcked) => {
        if (!this.switched && onSource) return this.sendOnSource(onSource, topicName, messages, onAcked, sendOnTarget);
        return sendOnTarget(messages, onAcked);
      },
      close: async () => {
        const closeSource = onSource && this.sourceProducers.includes(onSource); // else closed at the move
        await Promise.allSettled([closeSource ? onSource.close() : undefined, onTarget?.then((p) => p.close())]);
      },
    };
  }

  /**
   * A send on the source, as an application that fails over would make it: a send the source fails (connection
   * refused, outcome unknown, retries exhausted) is not given up but sent there again, its unacknowledged
   * messages only, after a short backoff — until acknowledged, or until the clients move: then what is still
   * unacknowledged goes to the target and the send settles with that send's outcome; the source's late answers
   * are ignored. It fails only when the clients close (the run ended) with messages still unacknowledged.
   */
  private sendOnSource(
    producer: ProducerHandle,
    topicName: string,
    messages: OutgoingMessage[],
    onAcked: AckListener,
    sendOnTarget: (messages: OutgoingMessage[], onAcked: AckListener) => Promise<void>,
  ): Promise<void> {
    let live = true;
    const acked = new Set<number>();
    const unacked = () => messages.map((_, i) => i).filter((i) => !acked.has(i));
    const detector = this.detector;
    const handle = detector?.sent();
    let retryTimer: NodeJS.Timeout | undefined;
    let lastError: unknown;
    return new Promise<void>((resolve, reject) => {
      const end = () => {
        live = false;
        clearTimeout(retryTimer);
        this.waiting.delete(waiting);
        if (handle !== undefined) detector?.settled(handle);
      };
      /** Sends `indexes` of the batch; acks are told under their indexes in the whole batch. */
      const relay =
        (indexes: number[], tell: AckListener): AckListener =>
        (subset, ackMs, partition) =>
          tell(
            subset.map((k) => indexes[k]!),
            ackMs,
            partition,
          );
      const onSourceAck: AckListener = (indexes, ackMs, partition) => {
        if (!live) return;
        for (const i of indexes) acked.add(i);
        detector?.acked(ackMs);
        if (handle !== undefined && acked.size === messages.length) detector?.settled(handle); // nothing left waiting
        onAcked(indexes, ackMs, partition);
      };
      const attempt = (indexes: number[], retry: number) => {
        producer
          .send(
            topicName,
            indexes.map((i) => messages[i]!),
            relay(indexes, onSourceAck),
          )
          .then(
            () => {
              if (!live) return;
              end();
              resolve();
            },
            (error: unknown) => {
              if (!live) return;
              lastError = error;
              const left = unacked();
              if (left.length === 0) {
                end();
                return resolve();
              }
              this.retriedOnSource += left.length;
              const backoffMs = Math.min(SOURCE_RETRY_MAX_MS, SOURCE_RETRY_FIRST_MS * 2 ** retry);
              retryTimer = setTimeout(() => live && attempt(left, retry + 1), backoffMs);
            },
          );
      };
      const waiting: WaitingSend = {
        moveToTarget: () => {
          end();
          const indexes = unacked();
          this.resent += indexes.length;
          if (indexes.length === 0) return resolve();
          sendOnTarget(
            indexes.map((i) => messages[i]!),
            relay(indexes, onAcked),
          ).then(resolve, reject);
        },
        giveUp: () => {
          end();
          reject(lastError ?? new Error(`the clients closed with the send to ${this.o.from} unacknowledged`));
        },
      };
      this.waiting.add(waiting);
      attempt(
        messages.map((_, i) => i),
        0,
      );
    });
  }

  private async createConsumerGroup(request: ConsumerGroupRequest): Promise<ConsumerGroupHandle> {
    const consumedBefore = new Set<number>();
    const sourceSink: MessageSink = (value, receivedMs, partition, position) => {
      if (this.switched) return; // the source group is on its way out
      const header = this.o.codec.decode(value);
      if (header) consumedBefore.add(messageKey(header.producer, header.sequence));
      request.sink(value, receivedMs, partition, position);
    };
    const source = await this.source.createConsumerGroup({ ...request, sink: sourceSink });
    await this.o.prepareGroup?.(request.topic, request.group);
    const moved: MovedGroup = {
      request,
      source,
      ready: false,
      consumedBefore,
      consumedAgain: 0,
      firstNewConsumedMs: null,
    };
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

  /** On the target: this group's repeats of what the source delivered to it are counted, not handed to the books. */
  private targetSink(moved: MovedGroup): MessageSink {
    const sink = moved.request.sink;
    return (value, receivedMs, partition, position) => {
      const header = this.o.codec.decode(value);
      if (header) {
        const key = messageKey(header.producer, header.sequence);
        if (moved.consumedBefore.has(key)) {
          moved.consumedAgain++;
          return;
        }
        moved.firstNewConsumedMs ??= receivedMs;
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
    this.detector?.disarm();
    for (const send of [...this.waiting]) send.giveUp();
    // After a switch the source's brokers may be gone: its close is bounded like the groups' were.
    if (this.switched) this.leaveBehind(this.source.close());
    await Promise.allSettled([this.switched ? undefined : this.source.close(), this.target?.close()]);
    await Promise.all(this.leftBehind);
  }
}
