/**
 * The ProducerHandle of the binary driver: one PartitionProducer per partition of the topic. A message with a
 * key goes to the partition its key hashes to; messages without one go, a send() call at a time, round-robin over
 * the partitions (a call's messages stay together, so they batch). Each message is told as the broker
 * acknowledges it (its batch's receipt), and send() settles once each was acknowledged or failed.
 */
import type { AckListener, OutgoingMessage, ProducerHandle } from '../../driver.js';
import type { PartitionProducer } from './partition-producer.js';

/** 32-bit FNV-1a of a key: which partition a keyed message goes to. */
export function keyHash(key: Buffer): number {
  let hash = 0x811c9dc5;
  for (const byte of key) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash >>> 0;
}

export class BinaryProducer implements ProducerHandle {
  private nextPartition = 0;

  constructor(private readonly partitions: PartitionProducer[]) {
    this.nextPartition = Math.floor(Math.random() * partitions.length);
  }

  send(_topic: string, messages: OutgoingMessage[], onAcked: AckListener): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let remaining = messages.length;
      let firstFailure: Error | undefined;
      const answer = () => {
        if (--remaining > 0) return;
        if (firstFailure) reject(firstFailure);
        else resolve();
      };
      const roundRobin = this.partitions[this.nextPartition++ % this.partitions.length]!;
      messages.forEach((message, index) => {
        const producer = message.key ? this.partitions[keyHash(message.key) % this.partitions.length]! : roundRobin;
        const partition = producer.partition;
        producer.send(message.key, message.value, {
          acked: (ackMs) => {
            onAcked([index], ackMs, partition);
            answer();
          },
          failed: (error) => {
            firstFailure ??= error;
            answer();
          },
        });
      });
    });
  }

  get reconnects(): number {
    return this.partitions.reduce((sum, p) => sum + p.reconnects, 0);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.partitions.map((p) => p.close()));
  }
}
