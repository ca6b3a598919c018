/**
 * What the load engine needs from a messaging system's client, whatever the system: producers that send
 * batches and resolve on acknowledgement, consumer groups that hand over message values, and an admin for
 * readiness and topics. Kafka (kafkajs) implements it now; Pulsar slots in beside it.
 */
import type { z } from 'zod';
import type { ClusterEndpoints } from '../cluster/provider.js';
import type { TopicSpec } from '../scenario/schema.js';

export interface OutgoingMessage {
  key: Buffer | null;
  value: Buffer;
}

export interface ProducerHandle {
  /**
   * Resolves when every message of the batch is acknowledged; rejects when any is not — with a PartialSendError
   * when the driver knows which of them were acknowledged after all.
   */
  send(topic: string, messages: OutgoingMessage[]): Promise<void>;
  close(): Promise<void>;
}

/** A batch of which some messages were acknowledged and some not: `acked[i]` tells for message i. */
export class PartialSendError extends Error {
  constructor(override readonly cause: unknown, readonly acked: boolean[]) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = cause instanceof Error ? cause.name : 'PartialSendError';
  }
}

/**
 * Called for each message a consumer receives, with the monotonic time the batch arrived and the partition it
 * came from (-1 when the driver cannot tell).
 */
export type MessageSink = (value: Buffer, receivedMs: number, partition: number) => void;

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
}

export interface DriverFactory {
  readonly name: string;
  readonly system: 'kafka' | 'pulsar';
  /** Undefined when the driver can run here; otherwise why not (e.g. a native addon that did not install). */
  unavailableReason(): Promise<string | undefined>;
  readonly producerOptions: z.ZodType;
  readonly consumerOptions: z.ZodType;
  createClient(context: ClientContext): MessagingClient;
  createAdmin(endpoints: ClusterEndpoints, log: (line: string) => void): ClusterAdmin;
}
