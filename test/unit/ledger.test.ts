import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GrowableBitSet, MessageLedger } from '../../src/metrics/message-ledger.js';

test('lost = acked and never consumed; duplicates and consumed-before-ack are told apart', () => {
  const ledger = new MessageLedger(2);
  ledger.recordSent(5);
  for (const seq of [0, 1, 2, 3]) ledger.recordAcked(0, seq);
  ledger.recordFailed(1);
  assert.equal(ledger.recordConsumed(0, 0), true);
  assert.equal(ledger.recordConsumed(0, 1), true);
  assert.equal(ledger.recordConsumed(0, 1), false, 'second delivery is a duplicate');
  assert.equal(ledger.recordConsumed(0, 4), true, 'consumed although its send failed');
  assert.deepEqual(ledger.counts, { sent: 5, acked: 4, failed: 1, consumed: 3, duplicated: 1, ackedNotConsumed: 2, consumedUnacked: 1, foundByFinalRead: 0, reordered: 0 });
  assert.equal(ledger.unacked, 1);
  // An ack arriving after its message was consumed moves it out of consumedUnacked.
  ledger.recordAcked(0, 4);
  assert.equal(ledger.counts.consumedUnacked, 0);
  assert.equal(ledger.counts.ackedNotConsumed, 2);
});

test('the books cost bits per message, not objects', () => {
  const ledger = new MessageLedger(1);
  for (let seq = 0; seq < 1_000_000; seq++) {
    ledger.recordAcked(0, seq);
    ledger.recordConsumed(0, seq);
  }
  assert.equal(ledger.counts.ackedNotConsumed, 0);
  assert.ok(ledger.memoryBytes <= (2 * 2 * 1_000_000) / 8 + 1024, `ledger uses ${ledger.memoryBytes} bytes for 1M messages`);
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
  assert.equal(ledger.counts.ackedNotConsumed, 1, 'sequence 2 is really missing');
  assert.equal(ledger.counts.foundByFinalRead, 1);
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
  assert.equal(ledger.counts.duplicated, 1);
  ledger.recordConsumed(0, 5);
  assert.equal(ledger.counts.reordered, 1, 'unknown partition: not judged');
});
