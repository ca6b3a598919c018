/**
 * The binary driver's final read: a reader (a non-durable Exclusive subscription from the earliest message) on
 * each partition, read until the partition's last message as GET_LAST_MESSAGE_ID names it when the read began.
 * Says it reached the end only when every partition's last message was read.
 */
import type { TopicSpec } from '../../../scenario/schema.js';
import type { MessageSink } from '../../driver.js';
import { partitionTopics, QUIET_MS, reachesEnd } from '../final-read.js';
import type { ConnectionPool } from './connection-pool.js';
import { type Delivery, PartitionConsumer } from './partition-consumer.js';
import { fullTopicName } from './topic-names.js';

export async function finalReadOverBinary(
  pool: ConnectionPool,
  clock: () => number,
  topics: TopicSpec[],
  sink: MessageSink,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  const results = await Promise.all(
    topics.flatMap(partitionTopics).map(({ name, partition }) =>
      readPartition(pool, clock, fullTopicName(name), partition, sink, deadline).catch((error: unknown) => {
        pool.log(`final read of ${name}: ${error instanceof Error ? error.message : String(error)}`);
        return false;
      }),
    ),
  );
  return results.every(Boolean);
}

async function readPartition(
  pool: ConnectionPool,
  clock: () => number,
  topic: string,
  partition: number,
  sink: MessageSink,
  deadline: number,
): Promise<boolean> {
  let end: { ledgerId: bigint; entryId: bigint } | undefined;
  let finish: (reached: boolean) => void = () => {};
  const done = new Promise<boolean>((resolve) => (finish = resolve));
  let quiet: NodeJS.Timeout | undefined;
  /** The last message read (positions only grow): the end may be known only after it arrived. */
  let latest: Delivery | undefined;
  const reachedBy = (d: Delivery, to: { ledgerId: bigint; entryId: bigint }) =>
    reachesEnd(
      {
        ledgerId: BigInt(d.ledgerId),
        entryId: BigInt(d.entryId),
        partition,
        batchIndex: d.batchIndex,
        batchSize: d.batchSize,
      },
      to,
    ) === true;
  const reader = new PartitionConsumer(
    pool,
    topic,
    partition,
    {
      subscription: `faultline-final-read-${process.pid}-${pool.newId()}`,
      subscriptionType: 'Exclusive',
      receiverQueueSize: 1000,
      consumerName: `faultline-final-read-${process.pid}`,
      reader: true,
      initialPosition: 'Earliest',
    },
    (d) => {
      sink(d.value, d.receivedMs, partition, d.position, d.publishTimeMs);
      latest = d;
      if (end && reachedBy(d, end)) finish(true);
    },
    clock,
  );
  const timer = setTimeout(() => finish(false), Math.max(0, deadline - performance.now()));
  try {
    await reader.start();
    const last = await reader.lastMessageId();
    if (!last || last.entryId < 0) {
      // No message in the topic (or none known): read until quiet, claim the end only when it said empty.
      quiet = setTimeout(() => finish(last !== undefined), QUIET_MS);
    } else {
      end = { ledgerId: BigInt(last.ledgerId), entryId: BigInt(last.entryId) };
      if (latest && reachedBy(latest, end)) finish(true);
    }
    const reached = await done;
    pool.log(
      `final read of ${topic}: ${reached ? 'reached its last message' : 'did not reach its last message in time'}`,
    );
    return reached;
  } finally {
    clearTimeout(timer);
    clearTimeout(quiet);
    await reader.close();
  }
}
