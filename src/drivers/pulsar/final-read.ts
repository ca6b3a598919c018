/**
 * Pulsar's final read over the WebSocket API: a Reader on each partition from the earliest position, outside any
 * subscription, read until the partition's last entry as the admin API's internal stats name it when the read
 * began. It tells "never delivered to the group in time" from "not in the log", and says it reached the end only
 * when every partition's last entry (every message of it, when it holds a batch) was read.
 */
import type WebSocket from 'ws';
import type { TopicSpec } from '../../scenario/schema.js';
import type { MessageSink } from '../driver.js';
import { decodeMessageId, type MessagePosition } from './message-id.js';
import { type PulsarAdmin, pulsarTopicPath } from './pulsar-admin.js';
import { openWebSocket } from './reconnecting-socket.js';
import { parseDeliveredMessage, type ProblemCounter } from './websocket-frames.js';

/** A ledger entry's position. */
export interface EntryPosition {
  ledgerId: bigint;
  entryId: bigint;
}

/** With no known end, a read stops after this long without a message (and does not claim the end). */
export const QUIET_MS = 2_000;

/** The partition topics of a scenario topic (the topic itself when it has one partition). */
export function partitionTopics(topic: TopicSpec): Array<{ name: string; partition: number }> {
  return topic.partitions > 1
    ? Array.from({ length: topic.partitions }, (_, i) => ({ name: `${topic.name}-partition-${i}`, partition: i }))
    : [{ name: topic.name, partition: -1 }];
}

/**
 * The last entry of a (non-partitioned) topic from its internal stats: `lastConfirmedEntry`, or — when the current
 * ledger is still empty (as after a broker restart, which opens a new ledger) — the last entry of the newest closed
 * ledger that has entries. 'empty' when no ledger holds an entry; undefined when the stats do not say.
 */
export function lastEntryFromInternalStats(stats: unknown): EntryPosition | 'empty' | undefined {
  if (stats === null || typeof stats !== 'object') return undefined;
  const { lastConfirmedEntry, ledgers } = stats as { lastConfirmedEntry?: unknown; ledgers?: unknown };
  const match = typeof lastConfirmedEntry === 'string' ? /^(-?\d+):(-?\d+)$/.exec(lastConfirmedEntry) : null;
  if (!match) return undefined;
  const ledgerId = BigInt(match[1]!);
  const entryId = BigInt(match[2]!);
  if (entryId >= 0n) return { ledgerId, entryId };
  if (!Array.isArray(ledgers)) return undefined;
  let last: EntryPosition | 'empty' = 'empty';
  for (const ledger of ledgers as Array<{ ledgerId?: unknown; entries?: unknown }>) {
    if (typeof ledger.ledgerId !== 'number' || typeof ledger.entries !== 'number') return undefined;
    const id = BigInt(ledger.ledgerId);
    if (id >= ledgerId || ledger.entries <= 0) continue;
    if (last === 'empty' || id > last.ledgerId) last = { ledgerId: id, entryId: BigInt(ledger.entries - 1) };
  }
  return last;
}

/**
 * Whether a message read at `at` completes the read to `end`: it lies beyond the end entry, or is the end entry's
 * last message (the entry is not a batch, or this is the batch's last index). 'maybe': the end entry's batch of
 * unknown size (a broker that does not send batch_size).
 */
export function reachesEnd(at: MessagePosition, end: EntryPosition): boolean | 'maybe' {
  if (at.ledgerId !== end.ledgerId) return at.ledgerId > end.ledgerId;
  if (at.entryId !== end.entryId) return at.entryId > end.entryId;
  if (at.batchIndex < 0) return true;
  if (at.batchSize <= 0) return 'maybe';
  return at.batchIndex >= at.batchSize - 1;
}

export interface FinalReadContext {
  /** ws://…/ws/v2 */
  base: string;
  admin: PulsarAdmin;
  clock: () => number;
  skipped: ProblemCounter;
  log: (line: string) => void;
}

export async function finalReadOverWebSocket(
  context: FinalReadContext,
  topics: TopicSpec[],
  sink: MessageSink,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  const partitions = topics.flatMap(partitionTopics);
  const results = await Promise.all(
    partitions.map(async ({ name, partition }) => {
      const end = await lastEntryOf(context.admin, name).catch((error: unknown) => {
        context.log(
          `final read: the last entry of ${name} is unknown (${error instanceof Error ? error.message : String(error)})`,
        );
        return undefined;
      });
      if (end === 'empty') return true;
      const complete = await readPartition(context, name, partition, end, sink, deadline);
      context.log(
        `final read of ${name}: ${complete ? 'reached its last entry' : end ? 'did not reach its last entry in time' : 'read until quiet; its end was not known'}`,
      );
      return complete;
    }),
  );
  return results.every(Boolean);
}

async function lastEntryOf(admin: PulsarAdmin, name: string): Promise<EntryPosition | 'empty' | undefined> {
  const answer = await admin.request('GET', `${pulsarTopicPath(name)}/internalStats`);
  if (answer.status !== 200)
    throw new Error(`internal stats: HTTP ${answer.status} ${JSON.stringify(answer.json)?.slice(0, 200)}`);
  return lastEntryFromInternalStats(answer.json);
}

/** Reads one partition from the earliest position; true only when `end` is known and was reached. */
async function readPartition(
  context: FinalReadContext,
  name: string,
  partition: number,
  end: EntryPosition | undefined,
  sink: MessageSink,
  deadline: number,
): Promise<boolean> {
  const url = `${context.base}/reader/${pulsarTopicPath(name)}?messageId=earliest&receiverQueueSize=1000&readerName=faultline-final-read-${process.pid}`;
  let complete: (value: boolean) => void = () => {};
  const done = new Promise<boolean>((resolve) => (complete = resolve));
  const opened = await openWebSocket(url, `final reader on ${name}`, (socket) => readFrom(socket)).catch(
    (error: unknown) => {
      context.log(`final read of ${name}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    },
  );
  return opened ? done : false;

  function readFrom(socket: WebSocket): void {
    let quiet: NodeJS.Timeout | undefined;
    const finish = (reached: boolean) => {
      clearTimeout(timer);
      clearTimeout(quiet);
      socket.removeAllListeners('message');
      socket.removeAllListeners('close');
      socket.on('error', () => {});
      socket.close();
      complete(reached);
    };
    const timer = setTimeout(() => finish(false), Math.max(0, deadline - performance.now()));
    const quietThen = (reached: boolean) => {
      clearTimeout(quiet);
      quiet = setTimeout(() => finish(reached), QUIET_MS);
    };
    if (!end) quietThen(false);
    socket.on('message', (data) => {
      const text = data.toString();
      const frame = parseDeliveredMessage(text);
      if (!frame.ok) return context.skipped.record(frame.reason, text);
      sink(Buffer.from(frame.value.payload, 'base64'), context.clock(), partition);
      socket.send(JSON.stringify({ messageId: frame.value.messageId }));
      if (!end) return quietThen(false);
      const at = decodeMessageId(frame.value.messageId);
      if (!at) return context.skipped.record('unreadable messageId', text);
      const reached = reachesEnd(at, end);
      if (reached === true) finish(true);
      else if (reached === 'maybe') quietThen(true);
    });
    socket.on('error', (error) => context.log(`final read of ${name}: ${error.message}`));
    socket.once('close', () => finish(false));
  }
}
