import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { fillerOffset, PayloadCodec } from '../../src/load/payload.js';

test('payload carries producer, sequence and intended time, padded to the message size', () => {
  const codec = new PayloadCodec(PayloadCodec.newRunId(), 1024);
  const message = codec.encode(7, 123_456, 98_765.4321);
  assert.equal(message.length, 1024);
  assert.deepEqual(codec.decode(message), { producer: 7, sequence: 123_456, intendedMs: 98_765.4321 });
});

test('messages of another run or another tool are recognised as foreign', () => {
  const ours = new PayloadCodec(PayloadCodec.newRunId(), 64);
  const theirs = new PayloadCodec(PayloadCodec.newRunId(), 64);
  assert.equal(ours.decode(theirs.encode(1, 1, 1)), null);
  assert.equal(ours.decode(Buffer.from('hello')), null);
});

test('no two messages carry the same filler: a batch of them does not compress (gzip, as a broker would)', () => {
  const codec = new PayloadCodec(PayloadCodec.newRunId(), 1024);
  const batch = Buffer.concat(Array.from({ length: 200 }, (_, i) => codec.encode(i % 2, i, i)));
  const ratio = gzipSync(batch, { level: 9 }).length / batch.length;
  // Random filler is incompressible; only the headers (28 of 1024 bytes, mostly alike) shrink.
  assert.ok(ratio > 0.97, `a batch of 200 messages gzipped to ${(ratio * 100).toFixed(1)} %`);
  assert.notDeepEqual(codec.encode(0, 1, 0).subarray(28), codec.encode(0, 2, 0).subarray(28));
});

test('the filler offset is spread over the pool and stays inside it', () => {
  const span = 1_000_003;
  const seen = new Set<number>();
  for (let s = 0; s < 10_000; s++) {
    const offset = fillerOffset(s % 4, s, span);
    assert.ok(offset >= 0 && offset < span && Number.isInteger(offset));
    seen.add(Math.floor(offset / 10_000));
  }
  assert.ok(seen.size > 95, `offsets fell in ${seen.size} of 100 buckets`);
});
