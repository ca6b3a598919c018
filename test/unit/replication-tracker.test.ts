import assert from 'node:assert/strict';
import { test } from 'node:test';
import { positionFingerprint } from '../../src/metrics/message-ledger.js';
import { ReplicationTracker } from '../../src/metrics/replication-tracker.js';

const at = (partition: number, offset: number) => positionFingerprint(partition, String(offset));

test('lag = first seen on the target − appended on the source; copies and missing messages counted', () => {
  const t = new ReplicationTracker('a', 'b', [{ source: 'x', target: 'x' }], 0);
  t.onAcked(0, 0, 0, 10);
  t.onAcked(0, 1, 10, 20);
  t.onAcked(1, 0, 0, 15);
  t.onSeen(0, 0, 110, at(0, 0), 10); // 100 ms
  t.onSeen(0, 1, 170, at(0, 1), 20); // 150 ms
  t.onSeen(0, 1, 900, at(0, 2), 20); // a copy written again (another offset)
  const f = t.figures();
  assert.deepEqual(f.messages, {
    acked: 3,
    replicated: 2,
    duplicated: 1,
    redelivered: 0,
    duplicatesUnclassified: 0,
    notReplicated: 1,
    foundByFinalRead: 0,
    seenUnacked: 0,
  });
  assert.equal(f.lag!.count, 2);
  assert.equal(f.lag!.max, 150);
  assert.ok(Math.abs(f.lag!.p50 - 100) <= 0.1);
});

test("lag does not depend on where the producer sits: an ack one region away is late, the source's append time is not", () => {
  // Written on the source at 1 000 ms, seen on the target at 1 045 ms; the ack reaches the producer beside the
  // target (40 ms from the source) at 1 040 ms, the producer 120 ms away at 1 120 ms — after the target saw it.
  const t = new ReplicationTracker('east', 'west', [{ source: 'orders', target: 'orders' }], 0);
  t.onSeen(0, 0, 1045, at(0, 0), 1000);
  t.onAcked(0, 0, 990, 1120);
  t.onAcked(1, 0, 990, 1040);
  t.onSeen(1, 0, 1045, at(0, 1), 1000);
  const lag = t.figures().lag!;
  assert.equal(lag.count, 2);
  assert.ok(Math.abs(lag.p50 - 45) <= 0.1 && Math.abs(lag.max - 45) <= 0.1, JSON.stringify(lag));
});

test('a negative lag is a defect: counted apart with its worst value, never clamped into the histogram', () => {
  const t = new ReplicationTracker('a', 'b', [], 0);
  t.onAcked(0, 0, 0, 10);
  t.onSeen(0, 0, 100, at(0, 0), 103); // seen 3 ms before it was appended: the clocks disagree
  t.onAcked(0, 1, 0, 10);
  t.onSeen(0, 1, 100, at(0, 1), 50);
  const f = t.figures();
  assert.equal(f.messages.replicated, 2);
  assert.equal(f.lagNegative, 1);
  assert.equal(f.lagNegativeMinMs, -3);
  assert.equal(f.lag!.count, 1, 'only the measurable lag is in the histogram');
  assert.equal(f.lag!.max, 50);
});

test('without a source append time no lag is measured: counted as unmeasured, not taken from the ack', () => {
  const t = new ReplicationTracker('a', 'b', [], 0);
  t.onAcked(0, 0, 0, 10);
  t.onSeen(0, 0, 100, at(0, 0));
  const f = t.figures();
  assert.equal(f.lag, null);
  assert.equal(f.lagUnmeasured, 1);
  assert.equal(f.messages.replicated, 1);
});

test("the target reader's redeliveries are not copies: a position read before is a redelivery, a new one a copy", () => {
  const t = new ReplicationTracker('a', 'b', [], 0);
  t.onAcked(0, 0, 0, 10);
  t.onAcked(0, 1, 0, 10);
  t.onSeen(0, 0, 50, at(0, 0), 5);
  t.onSeen(0, 1, 51, at(0, 1), 5);
  t.onSeen(0, 0, 60, at(0, 0), 5); // offset 0 again: the same copy, redelivered to the reader
  t.onSeen(0, 1, 70, at(0, 2), 5); // MirrorMaker 2 wrote sequence 1 again at offset 2
  t.onSeen(0, 1, 80, at(0, 2), 5); // and the reader got that second copy twice
  t.onSeen(0, 1, 90, 0, 5); // a reader that gave no position
  const m = t.figures().messages;
  assert.deepEqual(
    { duplicated: m.duplicated, redelivered: m.redelivered, unclassified: m.duplicatesUnclassified },
    { duplicated: 1, redelivered: 2, unclassified: 1 },
  );
});

test('a message seen before its ack is heard of is counted when the ack comes, with its lag from the source append', () => {
  const t = new ReplicationTracker('a', 'b', [], 0);
  t.onSeen(0, 5, 100, at(0, 5), 60);
  assert.equal(t.figures().messages.seenUnacked, 1);
  t.onAcked(0, 5, 0, 101);
  const f = t.figures();
  assert.equal(f.messages.replicated, 1);
  assert.equal(f.messages.seenUnacked, 0);
  assert.equal(f.lag!.max, 40);
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
  t.onSeen(0, 0, 2000, at(0, 0), 505);
  t.onSeen(0, 1, 1560, at(0, 1), 1510);
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
      [0, 0, 5, 10, 20, null],
      [0, 2, 7, 12, null, null],
      [3, 1, 0, null, 40, null],
    ],
  );
});

test('a message the final read finds on the target is replicated, not lost, and adds nothing to lag or end-to-end', () => {
  // The reader on the target was behind when the wait ended: the target held messages 1 and 2, the reader had
  // delivered only 0. The final read finds 0 (already seen), 1 and 2; 3 is not on the target.
  const t = new ReplicationTracker('a', 'b', [{ source: 'x', target: 'x' }], 0);
  for (let sequence = 0; sequence < 4; sequence++) t.onAcked(0, sequence, sequence, sequence + 5);
  t.onSeen(0, 0, 100, at(0, 0), 10);
  const outageAt = 50;
  for (const sequence of [0, 1, 2]) t.onFoundByFinalRead(0, sequence, 20_000);
  const f = t.figures();
  assert.equal(f.messages.replicated, 3);
  assert.equal(f.messages.foundByFinalRead, 2);
  assert.equal(f.messages.notReplicated, 1, 'only the message the target does not hold');
  assert.equal(f.lag!.count, 1, 'arrival times the final read cannot tell are not lag');
  assert.equal(t.endToEndHistogram.count, 1);
  const gap = t.gapAt(outageAt, null);
  assert.deepEqual([gap.messages, gap.inFlight, gap.lost], [4, 3, 1], 'lost = what the target does not hold');
});

test('append times read on the source: the lag is measured whichever reader saw the message first; one never told is unmeasured', () => {
  const t = new ReplicationTracker('a', 'b', [], 0, true);
  t.onAcked(0, 0, 0, 10);
  t.onAppended(0, 0, 8); // read on the source first
  t.onSeen(0, 0, 100, at(0, 0)); // lag 92
  t.onAcked(0, 1, 0, 20);
  t.onSeen(0, 1, 130, at(0, 1)); // seen on the target before the source's reader told its append time
  assert.equal(t.figures().lagUnmeasured, 1, 'waiting for its append time: unmeasured so far');
  t.onAppended(0, 1, 15); // lag 115
  t.onAppended(0, 1, 99); // told again (the source reader redelivered): the first append time stays
  t.onAcked(0, 2, 0, 30);
  t.onSeen(0, 2, 140, at(0, 2)); // its append time never comes (the source died first)
  const f = t.figures();
  assert.equal(f.lag!.count, 2);
  assert.ok(Math.abs(f.lag!.max - 115) <= 0.1 && Math.abs(f.lag!.p50 - 92) <= 0.1, JSON.stringify(f.lag));
  assert.equal(f.lagUnmeasured, 1);
  assert.equal(f.messages.replicated, 3);
  assert.deepEqual(
    [...t.entries()].map((e) => e[5]),
    [8, 15, null],
  );
});
