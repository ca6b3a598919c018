import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PayloadCodec } from '../../src/load/payload.js';

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
