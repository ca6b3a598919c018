/** Failover detection from what a client sees: no acknowledgement for N ms while a send waits (mocked timers). */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import { NoAckDetector } from '../../src/replication/no-ack-detector.js';

let now = 0;
const advance = (ms: number) => {
  now += ms;
  mock.timers.tick(ms);
};

beforeEach(() => {
  now = 0;
  mock.timers.enable({ apis: ['setTimeout'] });
});
afterEach(() => mock.timers.reset());

function detector(noAckForMs: number) {
  const fired: number[] = [];
  const d = new NoAckDetector(
    noAckForMs,
    () => now,
    (at) => fired.push(at),
  );
  d.arm();
  return { d, fired };
}

test('fires when a send has waited the bound with no acknowledgement since the last one', () => {
  const { d, fired } = detector(1000);
  d.sent();
  advance(10);
  d.acked(now); // acks flow at 10 ms
  const waiting = d.sent(); // sent at 10 ms, never answered (the source went down)
  advance(500);
  assert.deepEqual(fired, []);
  assert.equal(d.dueAtMs(), 1010);
  advance(499);
  assert.deepEqual(fired, []);
  advance(1);
  assert.deepEqual(fired, [1010]);
  d.settled(waiting);
  advance(5000);
  assert.deepEqual(fired, [1010], 'fires once');
});

test('acknowledgements that keep coming hold it off, although one old send still waits', () => {
  const { d, fired } = detector(1000);
  d.sent(); // stuck (one partition behind a dead leader)
  for (let i = 0; i < 30; i++) {
    advance(100);
    d.sent();
    d.acked(now);
  }
  assert.deepEqual(fired, []);
});

test('silence with nothing waiting is idleness, not an outage: no firing until a send waits the bound', () => {
  const { d, fired } = detector(1000);
  const id = d.sent();
  d.acked(now);
  d.settled(id);
  advance(5000);
  assert.deepEqual(fired, []);
  assert.equal(d.dueAtMs(), null);
  d.sent(); // at 5000
  advance(999);
  assert.deepEqual(fired, []);
  advance(1);
  assert.deepEqual(fired, [6000]);
});

test('disarmed (producing ended, or the clients moved): never fires', () => {
  const { d, fired } = detector(1000);
  d.sent();
  d.disarm();
  advance(5000);
  assert.deepEqual(fired, []);
});
