/**
 * What the load engine needs from a messaging system's client, whatever the system: producers that send
 * batches and resolve on acknowledgement, consumer groups that hand over message values, and an admin for
 * readiness and topics. Kafka (kafkajs) implements it now; Pulsar slots in beside it.
 */
import type { z } from 'zod';
import type { ClusterEndpoints } from '../cluster/provider.js';
import type { TopicSpec } from '../scenario/schema.js';
import type { SystemName } from '../systems/facts.js';

export interface OutgoingMessage {
  key: Buffer | null;
  value: Buffer;
}

/**
 * Told as messages of a batch are acknowledged: their indexes in the batch, the monotonic time of the ack and
 * the partition that took them (-1 when the driver cannot tell).
 */
export type AckListener = (indexes: readonly number[], ackMs: number, partition: number) => void;

export interface ProducerHandle {
  /**
   * Sends a batch. `onAcked` hears of messages as soon as the broker acknowledges them (a Kafka partition's share
   * together, a Pulsar message alone), so a partition stuck behind a failed leader does not hold back the
   * latency of the others. Settles only when every message is acknowledged or failed, and calls `onAcked` no
   * more after that: resolves when all were acknowledged, rejects with the first failure otherwise.
   */
  send(topic: string, messages: OutgoingMessage[], onAcked: AckListener): Promise<void>;
  close(): Promise<void>;
}

/** Waits until every send settled (as ProducerHandle.send must), then rejects with the first failure if any. */
export async function allSettledOrFirstFailure(sends: Promise<void>[]): Promise<void> {
  const failed = (await Promise.allSettled(sends)).find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * Called for each message a consumer receives, with the monotonic time the batch arrived, the partition it
 * came from (-1 when the driver cannot tell) and its position in the log: the offset, or the message id
 * ('' or undefined when the driver cannot tell). The position tells a second copy of a message in the log
 * (written twice by the producer) from the same copy delivered twice (a consumer redelivery). `timestampMs` is
 * the timestamp the message carries, as the broker hands it over (wall-clock ms since the epoch: Kafka's record
 * timestamp, Pulsar's publishTime), undefined when the driver gives none; what it means (who set it, when)
 * depends on the system and topic, so the caller decides whether to use it.
 */
export type MessageSink = (
  value: Buffer,
  receivedMs: number,
  partition: number,
  position?: string,
  timestampMs?: number,
) => void;

export interface ConsumerGroupHandle {
  /**
   * Whether the group delivers each partition in log order (Kafka consumer groups; Pulsar Exclusive and Failover
   * subscriptions), so that a message arriving after a later one from the same producer is a real reordering.
   */
  readonly ordered: boolean;
  close(): Promise<void>;
}

export interface ConsumerGroupRequest {
  topic: TopicSpec;
  /** Subscription / consumer-group name, unique per run. */
  group: string;
  members: number;
  sink: MessageSink;
  /** Bounded wait for every member to join and every partition to be assigned. */
  readyTimeoutMs: number;
  /** Abandons the wait (Ctrl-C). */
  signal: AbortSignal;
  /** With regions: the region the group's members sit in. */
  region?: string;
  /**
   * Which time the sink's `timestampMs` is: the message's own (default), or `brokerAppend`, when the broker
   * appended it, where the driver can read that (DriverFactory.readsBrokerAppendTime; undefined per message
   * where the broker recorded none).
   */
  timestamp?: 'message' | 'brokerAppend';
}

export interface ClusterAdmin {
  /** Waits until the cluster's metadata lists `count` brokers. */
  waitForBrokers(count: number, timeoutMs: number, signal?: AbortSignal): Promise<void>;
  /** Creates topics that do not exist; checks the partition count of those that do. Never deletes a topic. */
  ensureTopics(topics: TopicSpec[]): Promise<void>;
  /** The broker leading a partition, where the system has partition leaders. */
  leaderOf?(topic: string, partition: number): Promise<number | undefined>;
  close(): Promise<void>;
}

export interface MessagingClient {
  /**
   * False when a resolved send does not mean the broker wrote the message (Kafka acks=0: resolved once on the
   * socket). Then nothing is "acknowledged": no publish latency, no failover from acks, no "lost acknowledged",
   * only messages not delivered. Default true.
   */
  readonly acknowledgesWrites?: boolean;
  /**
   * Set when the producer may reorder its own sends (several requests in flight per partition with retries and
   * without idempotence): says why, so reordering is not charged to the broker alone.
   */
  readonly producerReorderCaveat?: string;
  createProducer(id: number, topic: TopicSpec): Promise<ProducerHandle>;
  /** Resolves once the group is ready: all members joined, all partitions assigned. */
  createConsumerGroup(request: ConsumerGroupRequest): Promise<ConsumerGroupHandle>;
  /**
   * Reads every topic from the beginning to its current end with a fresh reader, outside any consumer group:
   * tells "never delivered to the group in time" from "not in the log". Resolves true when it reached the end.
   */
  finalRead?(topics: TopicSpec[], sink: MessageSink, timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface ClientContext {
  endpoints: ClusterEndpoints;
  producerOptions: Record<string, unknown>;
  consumerOptions: Record<string, unknown>;
  /** Where client library logs go (never stdout: it would garble the progress line). */
  log: (line: string) => void;
  clock: () => number;
  /** With regions: the region these clients sit in (Kafka: the consumers' rack, for follower fetching). */
  region?: string;
}

export interface DriverFactory {
  readonly name: string;
  readonly system: SystemName;
  /** Undefined when the driver can run here; otherwise why not (e.g. a native addon that did not install). */
  unavailableReason(): Promise<string | undefined>;
  /**
   * Pulsar: the publish time readers see is set inside the source broker (the WebSocket API's producer runs
   * there), so geo-replication lag can count from it; a client-side publish time (native, binary) cannot.
   */
  readonly publishTimeFromBroker?: boolean;
  /**
   * Pulsar: a consumer group asked for `timestamp: 'brokerAppend'` hands over the broker's append time of each
   * message (broker entry metadata, which the brokers faultline starts add), so a reader on the source of a
   * geo-replication gives the lag its start whatever the producer's clock.
   */
  readonly readsBrokerAppendTime?: boolean;
  readonly producerOptions: z.ZodType;
  readonly consumerOptions: z.ZodType;
  createClient(context: ClientContext): MessagingClient;
  createAdmin(endpoints: ClusterEndpoints, log: (line: string) => void): ClusterAdmin;
}
