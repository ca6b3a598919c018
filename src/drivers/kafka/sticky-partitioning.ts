/**
 * How the platformatic driver splits a send by partition: keyed messages by the default partitioner (murmur2 of
 * the key, the same partition whichever Kafka driver sends them: partitioning.ts); keyless messages of one send all
 * to one partition, the next send's to the next. The Java client does alike for keyless records (its sticky
 * partitioner, KIP-480/794: a batch's records to one partition, then the next), so a request carries one
 * record batch of several messages rather than one batch per message, and the broker and consumers parse as
 * many batches as they would behind a Java producer. Over sends, every partition gets its turn in order.
 */
import type { OutgoingMessage } from '../driver.js';
import type { PartitionOf } from './partitioning.js';

export class StickyPartitioning {
  private next: number;

  /** `first`: the partition of the first keyless send (producers start apart: their id). */
  constructor(
    private readonly partitions: number,
    private readonly partitionOf: PartitionOf,
    first = 0,
  ) {
    this.next = ((first % partitions) + partitions) % partitions;
  }

  /** The indexes of `messages` by partition, in send order within each. */
  split(messages: readonly OutgoingMessage[]): Map<number, number[]> {
    const byPartition = new Map<number, number[]>();
    const sticky = this.next;
    let keyless = false;
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i]!;
      let partition: number;
      if (message.key === null) {
        partition = sticky;
        keyless = true;
      } else partition = this.partitionOf(message);
      const indexes = byPartition.get(partition);
      if (indexes) indexes.push(i);
      else byPartition.set(partition, [i]);
    }
    if (keyless) this.next = (sticky + 1) % this.partitions;
    return byPartition;
  }
}
