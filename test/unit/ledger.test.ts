import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GrowableBitSet, MessageLedger, positionFingerprint } from '../../src/metrics/message-ledger.js';

test('lost = acked and never consumed; duplicates and consumed-before-ack are told apart', () => {
  const ledger = new MessageLedger(2);
  ledger.recordSent(5);
  for (const seq of [0, 1, 2, 3]) ledger.recordAcked(0, seq);
  ledger.recordFailed(1);
  assert.equal(ledger.recordConsumed(0, 0), true);
  assert.equal(ledger.recordConsumed(0, 1), true);
  assert.equal(ledger.recordConsumed(0, 1), false, 'second delivery is a duplicate');
  assert.equal(ledger.recordConsumed(0, 4), true, 'consumed although its send failed');
  assert.deepEqual(ledger.counts, {
    sent: 5,
    acked: 4,
    failed: 1,
    consumed: 3,
    duplicated: 0,
    redelivered: 0,
    duplicatesUnclassified: 1,
    ackedNotConsumed: 2,
    consumedUnacked: 1,
    foundByFinalRead: 0,
    reordered: 0,
    unplaced: 3,
  });
  assert.equal(ledger.unacked, 1);
  // An ack arriving after its message was consumed moves it out of consumedUnacked.
  ledger.recordAcked(0, 4);
  assert.equal(ledger.counts.consumedUnacked, 0);
  assert.equal(ledger.counts.ackedNotConsumed, 2);
});

test('the books cost a few bytes per message, not objects', () => {
  const ledger = new MessageLedger(1);
  for (let seq = 0; seq < 1_000_000; seq++) {
    ledger.recordAcked(0, seq);
    ledger.recordConsumed(0, seq, seq % 4, String(seq >> 2));
  }
  assert.equal(ledger.counts.ackedNotConsumed, 0);
  // 3 bits of state, a 4-byte position fingerprint and at most 4 bytes of in-order run per message (arrays grow by doubling).
  assert.ok(
    ledger.memoryBytes <= 2 * (1_000_000 * (3 / 8 + 4 + 4)) + 64 * 1024,
    `ledger uses ${ledger.memoryBytes} bytes for 1M messages`,
  );
});

test('bit set grows and remembers', () => {
  const bits = new GrowableBitSet();
  assert.equal(bits.set(100_000), false);
  assert.equal(bits.set(100_000), true);
  assert.equal(bits.has(99_999), false);
  assert.equal(bits.has(10_000_000), false);
});

test('the final read clears acked messages the group never delivered, and nothing else', () => {
  const ledger = new MessageLedger(1);
  for (const seq of [0, 1, 2]) ledger.recordAcked(0, seq);
  ledger.recordConsumed(0, 0);
  ledger.recordFinalRead(0, 0); // already consumed: no change
  ledger.recordFinalRead(0, 1); // in the log after all
  ledger.recordFinalRead(0, 7); // never acked: not ours to clear
  assert.equal(ledger.lost, 1, 'sequence 2 is really missing');
  assert.equal(ledger.counts.foundByFinalRead, 1);
  assert.deepEqual(ledger.missing(10), [{ producer: 0, sequence: 2 }]);
});

test('a late delivery after the final read found the message is its first delivery, not a duplicate', () => {
  const ledger = new MessageLedger(1);
  for (const seq of [0, 1, 2]) ledger.recordAcked(0, seq);
  ledger.recordConsumed(0, 0, 0, '0');
  ledger.recordFinalRead(0, 1);
  ledger.recordFinalRead(0, 2);
  assert.equal(ledger.recordConsumed(0, 1, 0, '1'), true, "the group's first and only delivery of sequence 1");
  assert.equal(ledger.counts.consumed, 2);
  assert.equal(ledger.counts.duplicated + ledger.counts.redelivered + ledger.counts.duplicatesUnclassified, 0);
  assert.equal(ledger.counts.foundByFinalRead, 1, 'only sequence 2 was found in the log and never delivered');
  assert.equal(ledger.lost, 0);
});

test('a second copy in the log (another offset) is a duplicate; the same copy again is a redelivery', () => {
  const ledger = new MessageLedger(1);
  ledger.recordAcked(0, 5);
  ledger.recordConsumed(0, 5, 0, '17');
  ledger.recordConsumed(0, 5, 0, '17'); // the consumer read offset 17 again (a rebalance)
  ledger.recordConsumed(0, 5, 0, '18'); // the producer's retry wrote it again at offset 18
  ledger.recordConsumed(0, 5, 1, '17'); // offset 17 of another partition is another place
  ledger.recordConsumed(0, 5, -1, ''); // a driver that cannot tell
  assert.deepEqual(
    {
      duplicated: ledger.counts.duplicated,
      redelivered: ledger.counts.redelivered,
      unclassified: ledger.counts.duplicatesUnclassified,
      consumed: ledger.counts.consumed,
    },
    { duplicated: 2, redelivered: 1, unclassified: 1, consumed: 1 },
  );
  assert.notEqual(positionFingerprint(0, '17'), positionFingerprint(1, '17'));
});

test("a rebalance that re-reads a retry's second copy is a redelivery, not a third copy", () => {
  const ledger = new MessageLedger(1);
  ledger.recordAcked(0, 5);
  ledger.recordConsumed(0, 5, 0, '17'); // the first copy
  ledger.recordConsumed(0, 5, 0, '18'); // the retry's second copy
  ledger.recordConsumed(0, 5, 0, '17'); // a rebalance: the group reads from offset 17 again…
  ledger.recordConsumed(0, 5, 0, '18'); // …and so the second copy too
  ledger.recordConsumed(0, 5, 0, '18');
  assert.deepEqual(
    { duplicated: ledger.counts.duplicated, redelivered: ledger.counts.redelivered },
    { duplicated: 1, redelivered: 3 },
  );
});

test('further positions cost memory only for messages read at more than one', () => {
  const ledger = new MessageLedger(1);
  for (let seq = 0; seq < 100_000; seq++) ledger.recordConsumed(0, seq, 0, String(seq));
  const before = ledger.memoryBytes;
  for (let seq = 0; seq < 100_000; seq++) ledger.recordConsumed(0, seq, 0, String(seq)); // redeliveries only
  assert.equal(ledger.memoryBytes, before);
  for (let seq = 0; seq < 10; seq++) ledger.recordConsumed(0, seq, 0, String(200_000 + seq)); // ten copies
  assert.ok(ledger.memoryBytes - before <= 10 * 100, `${ledger.memoryBytes - before} bytes for ten copies`);
});

test('reordering counts displaced messages, whichever way one moved', () => {
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
  const reordered = (sequences: number[], partition = 0) => {
    const ledger = new MessageLedger(1);
    for (const seq of sequences) ledger.recordConsumed(0, seq, partition);
    return ledger.counts.reordered;
  };
  assert.equal(reordered([...range(0, 10), 100, ...range(10, 100)]), 1, 'one message early');
  assert.equal(reordered([...range(0, 50), ...range(51, 100), 50]), 1, 'one message late');
  assert.equal(reordered([3, 2, 1, 0]), 3, 'reversed: three of four out of place');
  assert.equal(reordered([0, 1, 2]), 0);
});

test('reordered counts first deliveries behind a later message of the same producer and partition', () => {
  const ledger = new MessageLedger(2);
  for (const seq of [0, 1, 2, 3, 4, 5]) ledger.recordAcked(0, seq);
  ledger.recordAcked(1, 0);
  ledger.recordConsumed(0, 0, 0);
  ledger.recordConsumed(0, 2, 0);
  ledger.recordConsumed(0, 1, 1);
  ledger.recordConsumed(1, 0, 0);
  assert.equal(ledger.counts.reordered, 0, 'other partitions and other producers keep their own order');
  ledger.recordConsumed(0, 4, 0);
  ledger.recordConsumed(0, 3, 0);
  assert.equal(ledger.counts.reordered, 1, '3 arrived after 4 on partition 0');
  ledger.recordConsumed(0, 2, 0);
  assert.equal(ledger.counts.reordered, 1, 'a redelivery is a duplicate, not a reordering');
  assert.equal(ledger.counts.duplicatesUnclassified, 1);
  ledger.recordConsumed(0, 5);
  assert.equal(ledger.counts.reordered, 1, 'unknown partition: not judged');
  assert.equal(ledger.counts.unplaced, 1, 'and counted as such, so the run can say order was not checked');
});
