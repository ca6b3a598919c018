/**
 * Reads the record batches of a fetch response (Kafka's message format v2) touching only what a consumer's
 * books need: each record's value, offset and timestamp. No object per record (the value is a view into the
 * response's bytes, valid as long as the caller keeps the response); keys and headers are skipped by length.
 * A compressed batch is read by @platformatic/kafka's own reader (it decompresses), then visited alike.
 *
 * Offsets and timestamps are numbers: exact below 2^53 (an offset beyond that is an error, never rounded).
 */
import { Reader, readRecordsBatch } from '@platformatic/kafka';

/** Called for each data record at or after the fetch offset, in log order. `value` is null for a null value. */
export type RecordVisitor = (value: Buffer | null, offset: number, timestampMs: number) => void;

/** What the caller needs to move its fetch position: the last complete batch's base offset and last offset delta. */
export interface BatchesSpan {
  lastBaseOffset: number;
  lastOffsetDelta: number;
}

const BATCH_HEAD = 12; // baseOffset int64 + batchLength int32
const ATTRIBUTES_AT = 21; // after baseOffset, batchLength, partitionLeaderEpoch int32, magic int8, crc uint32
const LAST_OFFSET_DELTA_AT = 23;
const FIRST_TIMESTAMP_AT = 27;
const RECORD_COUNT_AT = 57;
const RECORDS_AT = 61;
const COMPRESSION = 0b111;
const CONTROL = 1 << 5;

/** Position after the last varint read (module state: no tuple per read). */
let at = 0;

/** A zigzag varint (Kafka's signed varint/varlong), exact up to 2^53. */
function readZigZag(buffer: Buffer): number {
  let shift = 0;
  let raw = 0;
  let byte: number;
  do {
    if (at >= buffer.length) throw new RangeError('a record runs past the end of its batch');
    byte = buffer[at++]!;
    raw += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return raw % 2 === 1 ? -(raw + 1) / 2 : raw / 2;
}

/** `offset` as a number; an error beyond 2^53 (never rounded). */
export function safeOffset(offset: bigint): number {
  const n = Number(offset);
  if (!Number.isSafeInteger(n)) throw new RangeError(`offset ${offset} is beyond 2^53: not read as a number`);
  return n;
}

/**
 * Visits the data records of the complete batches in `records` whose offset is ≥ `fromOffset` (a fetch answers
 * with whole batches, the first of which may start before the offset asked for); a trailing partial batch (the
 * broker cut the answer at its size limit) is left for the next fetch, and control batches are not visited.
 * Returns undefined when `records` holds no complete batch.
 */
export function visitRecordBatches(records: Buffer, fromOffset: number, visit: RecordVisitor): BatchesSpan | undefined {
  let position = 0;
  let span: BatchesSpan | undefined;
  while (records.length - position >= BATCH_HEAD) {
    const batchLength = records.readInt32BE(position + 8);
    const end = position + BATCH_HEAD + batchLength;
    if (end > records.length) break;
    const baseOffset = safeOffset(records.readBigInt64BE(position));
    const attributes = records.readInt16BE(position + ATTRIBUTES_AT);
    const lastOffsetDelta = records.readInt32BE(position + LAST_OFFSET_DELTA_AT);
    if ((attributes & CONTROL) === 0 && baseOffset + lastOffsetDelta >= fromOffset) {
      if ((attributes & COMPRESSION) !== 0) visitCompressed(records.subarray(position, end), fromOffset, visit);
      else {
        const firstTimestamp = safeOffset(records.readBigInt64BE(position + FIRST_TIMESTAMP_AT));
        const count = records.readInt32BE(position + RECORD_COUNT_AT);
        at = position + RECORDS_AT;
        for (let i = 0; i < count; i++) {
          const length = readZigZag(records);
          const next = at + length;
          if (next > end) throw new RangeError('a record runs past the end of its batch');
          at++; // attributes
          const timestampDelta = readZigZag(records);
          const offset = baseOffset + readZigZag(records);
          const keyLength = readZigZag(records);
          if (keyLength > 0) at += keyLength;
          const valueLength = readZigZag(records);
          if (offset >= fromOffset)
            visit(
              valueLength < 0 ? null : records.subarray(at, at + valueLength),
              offset,
              firstTimestamp + timestampDelta,
            );
          at = next;
        }
      }
    }
    span = { lastBaseOffset: baseOffset, lastOffsetDelta };
    position = end;
  }
  return span;
}

function visitCompressed(batch: Buffer, fromOffset: number, visit: RecordVisitor): void {
  const read = readRecordsBatch(Reader.from(batch));
  const baseOffset = safeOffset(read.firstOffset);
  const firstTimestamp = safeOffset(read.firstTimestamp);
  for (const record of read.records) {
    const offset = baseOffset + record.offsetDelta;
    if (offset >= fromOffset) visit(record.value ?? null, offset, firstTimestamp + Number(record.timestampDelta));
  }
}
