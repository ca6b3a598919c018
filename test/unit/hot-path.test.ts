/** The hot path's batched recording gives exactly the figures of recording each message alone. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PayloadCodec } from '../../src/load/payload.js';
import { Collector } from '../../src/metrics/collector.js';

test('onAcks of a partition share = onAck of each message: totals, histograms, timeline, recovery', () => {
  const window = { warmupMs: 1000, measureEndMs: 5000, messageSize: 1024 };
  const one = new Collector(window);
  const batched = new Collector(window);
  const faultAt = 2500;
  for (const c of [one, batched]) {
    c.onSent(0, [0]); // stream 7 live before the fault
    c.onAck(0, 0, 5, 7);
  }
  const fault = [one, batched].map((c) => c.recovery.watch(faultAt));
  // Shares straddling the warm-up's end and the fault, acknowledged together, some late.
  const intended = Float64Array.from({ length: 40 }, (_, i) => 900 + i * 50);
  const shares: Array<{ indexes: number[]; sentMs: number; ackMs: number; stream: number }> = [
    { indexes: [0, 2, 4, 6], sentMs: 1000, ackMs: 1003.25, stream: 7 },
    { indexes: [1, 3, 5], sentMs: 1001, ackMs: 1999.5, stream: 8 },
    { indexes: Array.from({ length: 30 }, (_, i) => i + 7), sentMs: 2600, ackMs: 2701.125, stream: 7 },
    { indexes: [37, 38, 39], sentMs: 4800, ackMs: 5100, stream: 8 },
  ];
  for (const { indexes, sentMs, ackMs, stream } of shares) {
    for (const i of indexes) one.onAck(intended[i]!, sentMs, ackMs, stream);
    batched.onAcks(intended, indexes, sentMs, ackMs, stream);
  }
  const a = one.snapshot(6000);
  const b = batched.snapshot(6000);
  assert.deepEqual(b, a);
  assert.ok(a.latency.publish.count > 0 && a.latency.publishUncorrected.count === a.latency.publish.count);
  assert.deepEqual(batched.recovery.figures(fault[1]!, 6000), one.recovery.figures(fault[0]!, 6000));
  assert.notEqual(one.recovery.figures(fault[0]!, 6000).firstAckMs, null, 'the fault recovered on the first stream');
});

test("decodeInto reads the header decode() reads, into the caller's object, and refuses other runs' messages", () => {
  const codec = new PayloadCodec(Buffer.from('0123456789abcdef', 'hex'), 100);
  const other = new PayloadCodec(Buffer.from('0123456789abcdee', 'hex'), 100);
  const header = { producer: -1, sequence: -1, intendedMs: -1 };
  const value = codec.encode(3, 123_456, 1234.5678);
  assert.equal(codec.decodeInto(value, header), true);
  assert.deepEqual(header, { producer: 3, sequence: 123_456, intendedMs: 1234.5678 });
  assert.deepEqual(codec.decode(value), header);
  assert.equal(other.decodeInto(value, header), false, 'another run id');
  assert.equal(codec.decodeInto(Buffer.alloc(100), header), false, 'no magic');
  assert.equal(codec.decodeInto(value.subarray(0, 27), header), false, 'too short');
  assert.deepEqual(header, { producer: 3, sequence: 123_456, intendedMs: 1234.5678 }, 'left as it was');
});
