import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReplicationTracker } from '../../src/metrics/replication-tracker.js';

test('lag = seen on the target − acknowledged on the source; duplicates and missing messages counted', () => {
  const t = new ReplicationTracker('a', 'b', [{ source: 'x', target: 'x' }], 0);
  t.onAcked(0, 0, 0, 10);
  t.onAcked(0, 1, 10, 20);
  t.onAcked(1, 0, 0, 15);
  t.onSeen(0, 0, 110); // 100 ms
  t.onSeen(0, 1, 170); // 150 ms
  t.onSeen(0, 1, 900); // a copy
  const f = t.figures();
  assert.deepEqual(f.messages, { acked: 3, replicated: 2, duplicated: 1, notReplicated: 1, seenUnacked: 0 });
  assert.equal(f.lag!.count, 2);
  assert.equal(f.lag!.max, 150);
  assert.ok(Math.abs(f.lag!.p50 - 100) <= 0.1);
});

test('a message seen before its ack is heard of is counted when the ack comes (never a negative lag)', () => {
  const t = new ReplicationTracker('a', 'b', [], 0);
  t.onSeen(0, 5, 100);
  assert.equal(t.figures().messages.seenUnacked, 1);
  t.onAcked(0, 5, 0, 101);
  const f = t.figures();
  assert.deepEqual(f.messages, { acked: 1, replicated: 1, duplicated: 0, notReplicated: 0, seenUnacked: 0 });
  assert.equal(f.lag!.max, 0.001);
});

test('the gap at T: acknowledged by T, not on the target by T; in flight if it came while the fault was on, late once it healed, lost if never', () => {
  const t = new ReplicationTracker('a', 'b', [], 0);
  t.onAcked(0, 0, 0, 10);
  t.onSeen(0, 0, 20); // on the target before T = 100
  t.onAcked(0, 1, 50, 60);
  t.onSeen(0, 1, 150); // after T, before the heal at 1000: it was on its way (in flight)
  t.onAcked(0, 2, 70, 80); // never replicated: lost
  t.onAcked(0, 3, 200, 210); // acknowledged after T: not in the gap
  t.onAcked(0, 4, 90, 95);
  t.onSeen(0, 4, 1200); // arrived once the fault healed: late
  assert.deepEqual(t.gapAt(100, 1000), { atMs: 100, messages: 3, inFlight: 1, late: 1, lost: 1, ms: 50 });
  // Never healed: whatever arrived after T came without the source coming back.
  assert.deepEqual(t.gapAt(100), { atMs: 100, messages: 3, inFlight: 2, late: 0, lost: 1, ms: 50 });
  assert.deepEqual(t.gapAt(5, 1000), { atMs: 5, messages: 0, inFlight: 0, late: 0, lost: 0, ms: 0 });
});

test('warm-up messages count in the books but not in the lag', () => {
  const t = new ReplicationTracker('a', 'b', [], 1000);
  t.onAcked(0, 0, 500, 510);
  t.onAcked(0, 1, 1500, 1510);
  t.onSeen(0, 0, 2000);
  t.onSeen(0, 1, 1560);
  const f = t.figures();
  assert.equal(f.messages.replicated, 2);
  assert.equal(f.lag!.count, 1);
  assert.equal(f.lag!.max, 50);
  assert.deepEqual(
    f.timeline.map((p) => [p.t, p.replicated]),
    [[1, 1]],
  );
});

test('end-to-end on the target = first seen there − intended send time; warm-up and copies excluded', () => {
  const t = new ReplicationTracker('a', 'b', [], 1000);
  t.onAcked(0, 0, 500, 510); // warm-up
  t.onSeen(0, 0, 700);
  t.onAcked(0, 1, 1500, 1510);
  t.onSeen(0, 1, 1590); // 90 ms after its intended send time
  t.onSeen(0, 1, 5000); // a copy: not a second measurement
  t.onSeen(0, 2, 1700); // seen before its ack is heard of: measured when the ack comes
  t.onAcked(0, 2, 1600, 1705);
  const f = t.figures();
  assert.equal(f.endToEnd!.count, 2);
  assert.equal(f.endToEnd!.max, 100);
  assert.ok(Math.abs(f.endToEnd!.p50 - 90) <= 0.1, JSON.stringify(f.endToEnd));
  assert.equal(t.endToEndHistogram.count, 2);
  assert.equal(new ReplicationTracker('a', 'b', [], 0).figures().endToEnd, null);
});

test('the books one by one: acknowledged and first-seen times, null when not (yet)', () => {
  const t = new ReplicationTracker('a', 'b', [], 0);
  t.onAcked(0, 0, 5, 10);
  t.onSeen(0, 0, 20);
  t.onSeen(0, 0, 30);
  t.onAcked(0, 2, 7, 12);
  t.onSeen(3, 1, 40);
  assert.deepEqual(
    [...t.entries()],
    [
      [0, 0, 5, 10, 20],
      [0, 2, 7, 12, null],
      [3, 1, 0, null, 40],
    ],
  );
});
