/**
 * The consumer's own record-batch reader (src/drivers/kafka/record-batches.ts) against batches encoded by
 * @platformatic/kafka's own encoder, and against the library's own reader of the same bytes: each data record's
 * value, offset and timestamp; records before the fetch offset skipped; keys and headers skipped; a null value;
 * a compressed batch; a control batch passed over; a trailing cut batch left for the next fetch.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRecordsBatch, type MessageRecord, Reader, readRecordsBatches } from '@platformatic/kafka';
import { type RecordVisitor, visitRecordBatches } from '../../src/drivers/kafka/record-batches.js';

function batch(
  baseOffset: bigint,
  values: Array<Buffer | null>,
  options: { compression?: 'gzip'; timestamp?: bigint; control?: boolean } = {},
): Buffer {
  const messages = values.map((value, i) => ({
    topic: 't',
    partition: 0,
    key: i % 2 === 0 ? Buffer.from(`key-${i}`) : undefined,
    value,
    headers: new Map([[Buffer.from('h'), Buffer.from(`header ${i} `.repeat(i))]]),
    timestamp: (options.timestamp ?? 1_764_000_000_000n) + BigInt(i * 7),
  })) as unknown as MessageRecord[];
  const bytes = Buffer.from(
    createRecordsBatch(messages, options.compression ? { compression: options.compression } : {}).buffer,
  );
  bytes.writeBigInt64BE(baseOffset, 0);
  if (options.control) bytes.writeInt16BE(bytes.readInt16BE(21) | (1 << 5), 21);
  return bytes;
}

function visitAll(records: Buffer, fromOffset: number) {
  const seen: Array<{ value: string | null; offset: number; timestampMs: number }> = [];
  const visit: RecordVisitor = (value, offset, timestampMs) =>
    seen.push({ value: value === null ? null : value.toString(), offset, timestampMs });
  return { span: visitRecordBatches(records, fromOffset, visit), seen };
}

const values = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => Buffer.from(`${prefix}${i}`));

test('every record of plain batches: value, offset and timestamp as the library reads them', () => {
  const records = Buffer.concat([batch(100n, values('a', 3)), batch(103n, values('b', 4), { timestamp: 5n })]);
  const { span, seen } = visitAll(records, 100);
  assert.deepEqual(span, { lastBaseOffset: 103, lastOffsetDelta: 3 });
  assert.equal(seen.length, 7);
  const library = readRecordsBatches(Reader.from(records)).flatMap((b) =>
    b.records.map((r) => ({
      value: r.value?.toString() ?? null,
      offset: Number(b.firstOffset) + r.offsetDelta,
      timestampMs: Number(b.firstTimestamp + r.timestampDelta),
    })),
  );
  assert.deepEqual(seen, library);
  assert.deepEqual(
    seen.map((s) => s.offset),
    [100, 101, 102, 103, 104, 105, 106],
  );
  assert.deepEqual(seen[4], { value: 'b1', offset: 104, timestampMs: 12 });
});

test('records before the fetch offset are not visited; the span still covers the whole batch', () => {
  const { span, seen } = visitAll(Buffer.concat([batch(10n, values('a', 5)), batch(15n, values('b', 2))]), 13);
  assert.deepEqual(
    seen.map((s) => s.value),
    ['a3', 'a4', 'b0', 'b1'],
  );
  assert.deepEqual(span, { lastBaseOffset: 15, lastOffsetDelta: 1 });
  assert.equal(seen.length, 4);
});

test('a null value is visited as null; an empty value as an empty buffer', () => {
  const { seen } = visitAll(batch(0n, [Buffer.from('x'), null, Buffer.alloc(0)]), 0);
  assert.deepEqual(
    seen.map((s) => s.value),
    ['x', null, ''],
  );
});

test('a compressed batch is read through the library and visited alike', () => {
  const records = Buffer.concat([batch(0n, values('p', 2)), batch(2n, values('z', 50), { compression: 'gzip' })]);
  const { span, seen } = visitAll(records, 1);
  assert.equal(seen.length, 51);
  assert.deepEqual(seen[0], { value: 'p1', offset: 1, timestampMs: 1_764_000_000_007 });
  assert.deepEqual(seen[50], { value: 'z49', offset: 51, timestampMs: 1_764_000_000_000 + 49 * 7 });
  assert.deepEqual(span, { lastBaseOffset: 2, lastOffsetDelta: 49 });
});

test('a control batch is passed over but moves the span; a cut trailing batch is left for the next fetch', () => {
  const whole = Buffer.concat([batch(0n, values('a', 2)), batch(2n, values('c', 1), { control: true })]);
  const cut = batch(3n, values('d', 3));
  const { span, seen } = visitAll(Buffer.concat([whole, cut.subarray(0, cut.length - 5)]), 0);
  assert.deepEqual(
    seen.map((s) => s.value),
    ['a0', 'a1'],
  );
  assert.deepEqual(span, { lastBaseOffset: 2, lastOffsetDelta: 0 });
  assert.equal(seen.length, 2);
  assert.equal(visitAll(cut.subarray(0, 40), 0).span, undefined);
});

test('an offset beyond 2^53 is an error, never rounded', () => {
  assert.throws(() => visitAll(batch(2n ** 53n, values('a', 1)), 0), /beyond 2\^53/);
});
