/**
 * Which partition a Kafka message goes to, the same whichever Kafka driver sends it: kafkajs's default
 * partitioner (murmur2 of the key, as the Java client; round-robin without a key), and a batch of sends split
 * into one share per partition (each share a request of its own, so an acknowledgement or a failure is that
 * partition's alone).
 */
import { Partitioners } from 'kafkajs';
import type { TopicSpec } from '../../scenario/schema.js';
import type { OutgoingMessage } from '../driver.js';

export type PartitionOf = (message: OutgoingMessage) => number;

/** The default partitioner over `topic`'s partitions (leaders do not matter to it). */
export function defaultPartitioner(topic: Pick<TopicSpec, 'name' | 'partitions'>): PartitionOf {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: topic.partitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [],
    isr: [],
    partitionErrorCode: 0,
  }));
  return (message) => partitioner({ topic: topic.name, partitionMetadata, message });
}

/** The indexes of `messages` by partition, in send order within each. */
export function indexesByPartition(messages: OutgoingMessage[], partitionOf: PartitionOf): Map<number, number[]> {
  const byPartition = new Map<number, number[]>();
  messages.forEach((message, index) => {
    const partition = partitionOf(message);
    const indexes = byPartition.get(partition);
    if (indexes) indexes.push(index);
    else byPartition.set(partition, [index]);
  });
  return byPartition;
}
