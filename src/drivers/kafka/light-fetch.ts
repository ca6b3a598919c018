/**
 * Makes a @platformatic/kafka consumer hand each fetch's records to the caller per partition, as raw record
 * batches (record-batches.ts reads them), instead of one object per record pushed through its message stream.
 *
 * The library's stream keeps doing everything else: the group's assignment, the offsets to fetch from (after a
 * join: the committed ones), a fetch in flight per leader while the caller works (its next fetch goes out as soon
 * as an answer is handled), autocommit, and ending on a failed fetch. The consumer's Fetch API (v13–v17: one
 * answer layout) is swapped for one whose parser leaves each partition's records as bytes; its `fetch` then gives
 * those bytes to `deliver` and answers the stream with one control batch per partition spanning what was read
 * (first offset and last offset delta of the last complete batch): the stream moves its fetch position and its
 * autocommit exactly as after reading the records itself, and pushes nothing (a control batch has no messages).
 * Other Fetch versions (an older broker), and a partition whose answer lists aborted transactions, keep the
 * library's own parser: the stream then pushes their messages as usual.
 */
import {
  type Consumer,
  createAPI,
  fetchV13,
  fetchV14,
  fetchV15,
  fetchV16,
  fetchV17,
  IS_CONTROL,
  kGetApi,
  Reader as ReaderClass,
  readRecordsBatches,
  ResponseError,
} from '@platformatic/kafka';
import type { BatchesSpan } from './record-batches.js';

/** A partition's records as the broker sent them (complete batches and maybe a cut last one). */
export class RawRecords {
  constructor(readonly bytes: Buffer) {}
}

/**
 * Called once per partition with records in a fetch answer: `fromOffset` is the offset that fetch asked for,
 * `pool` the connection pool of the stream that sent it (so a caller can tell its current stream's fetches from a
 * closed one's). Returns the last complete batch's first offset and last offset delta, or undefined if none.
 */
export type DeliverRecords = (
  pool: unknown,
  partition: number,
  records: Buffer,
  fromOffset: bigint,
) => BatchesSpan | undefined;

type AnyCallback = (error: Error | null, result?: unknown) => void;
type RequestBuilder = (...args: never[]) => unknown;

const builders = new Map<number, RequestBuilder>([
  [13, fetchV13.createRequest as RequestBuilder],
  [14, fetchV14.createRequest as RequestBuilder],
  [15, fetchV15.createRequest as RequestBuilder],
  [16, fetchV16.createRequest as RequestBuilder],
  [17, fetchV17.createRequest as RequestBuilder],
]);
const rawApis = new Map<number, unknown>();

function rawApi(version: number): unknown {
  let api = rawApis.get(version);
  if (!api) {
    const build = builders.get(version)!;
    api = createAPI(1, version, build as never, parseRawFetchResponse as never);
    rawApis.set(version, api);
  }
  return api;
}

/** Fetch response v13–v17, as the library's parser reads it, but each partition's records left as bytes. */
export function parseRawFetchResponse(_correlationId: number, apiKey: number, apiVersion: number, reader: ReaderClass) {
  const errors: Array<[string, [number, null]]> = [];
  const throttleTimeMs = reader.readInt32();
  const errorCode = reader.readInt16();
  if (errorCode !== 0) errors.push([apiVersion >= 15 ? '' : '/', [errorCode, null]]);
  const response = {
    throttleTimeMs,
    errorCode,
    sessionId: reader.readInt32(),
    responses: reader.readArray((r, i) => ({
      topicId: r.readUUID(),
      partitions: r.readArray((r, j) => {
        const partition: Record<string, unknown> = {
          partitionIndex: r.readInt32(),
          errorCode: r.readInt16(),
          highWatermark: r.readInt64(),
          lastStableOffset: r.readInt64(),
          logStartOffset: r.readInt64(),
          abortedTransactions: r.readArray((r) => ({ producerId: r.readInt64(), firstOffset: r.readInt64() })),
          preferredReadReplica: r.readInt32(),
        };
        if (partition.errorCode !== 0)
          errors.push([`/responses/${i}/partitions/${j}`, [partition.errorCode as number, null]]);
        // COMPACT_RECORDS: the length is one more than the byte count.
        const size = r.readUnsignedVarInt() - 1;
        if (size > 0) {
          // Aborted transactions: the library filters their batches (READ_COMMITTED), so it reads them itself.
          partition.records =
            (partition.abortedTransactions as unknown[]).length > 0
              ? readRecordsBatches(ReaderClass.from(r.buffer.subarray(r.position, r.position + size)))
              : new RawRecords(r.buffer.slice(r.position, r.position + size));
          r.skip(size);
        }
        return partition;
      }),
    })),
  };
  if (errors.length > 0) throw new ResponseError(apiKey, apiVersion, Object.fromEntries(errors), response);
  return response;
}

interface FetchPartitionRequest {
  partition: number;
  fetchOffset: bigint;
}
interface FetchOptionsSeen {
  connectionPool?: unknown;
  topics: Array<{ topicId: string; partitions: FetchPartitionRequest[] }>;
}
interface PartitionAnswer {
  partitionIndex: number;
  records?: unknown;
}

/** Swaps `consumer`'s Fetch API and fetch() as described above; `deliver` gets each partition's records. */
export function deliverRawRecords(consumer: Consumer, deliver: DeliverRecords): void {
  const patched = consumer as unknown as Record<PropertyKey, unknown>;
  const ownGetApi = patched[kGetApi];
  // Not a library consumer (a scripted one in unit tests): nothing to swap.
  if (typeof ownGetApi !== 'function' || typeof consumer.fetch !== 'function') return;
  const getApi = (ownGetApi as (name: string, cb: AnyCallback) => void).bind(consumer);
  patched[kGetApi] = (name: string, callback: AnyCallback) =>
    getApi(name, (error, api) => {
      const version = (api as { version?: number } | undefined)?.version;
      if (error || name !== 'Fetch' || version === undefined || !builders.has(version)) callback(error, api);
      else callback(null, rawApi(version));
    });
  const fetch = consumer.fetch.bind(consumer) as (options: unknown, callback: AnyCallback) => void;
  patched.fetch = (options: FetchOptionsSeen, callback: AnyCallback) =>
    fetch(options, (error, response) => {
      if (error || !response) callback(error, response);
      else
        callback(
          null,
          delivered(
            options,
            response as { responses: Array<{ topicId: string; partitions: PartitionAnswer[] }> },
            deliver,
          ),
        );
    });
}

function delivered(
  options: FetchOptionsSeen,
  response: { responses: Array<{ topicId: string; partitions: PartitionAnswer[] }> },
  deliver: DeliverRecords,
) {
  for (const topic of response.responses) {
    const asked = options.topics.filter((t) => t.topicId === topic.topicId).flatMap((t) => t.partitions);
    for (const partition of topic.partitions) {
      if (!(partition.records instanceof RawRecords)) continue;
      const fromOffset = asked.find((p) => p.partition === partition.partitionIndex)?.fetchOffset ?? 0n;
      const span = deliver(options.connectionPool, partition.partitionIndex, partition.records.bytes, fromOffset);
      partition.records = span
        ? [
            {
              firstOffset: BigInt(span.lastBaseOffset),
              lastOffsetDelta: span.lastOffsetDelta,
              attributes: IS_CONTROL,
              records: [],
            },
          ]
        : undefined;
    }
  }
  return response;
}
