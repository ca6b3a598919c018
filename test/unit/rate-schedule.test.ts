import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RateSchedule } from '../../src/load/rate-schedule.js';

test('a constant rate: message n is intended at n / rate', () => {
  const schedule = new RateSchedule([{ startMs: 0, endMs: 1000, perSecond: 100 }]);
  assert.equal(schedule.total, 100);
  assert.equal(schedule.intendedMs(0), 0);
  assert.equal(schedule.intendedMs(50), 500);
  assert.equal(schedule.dueBy(0), 1);
  assert.equal(schedule.dueBy(505), 51);
  assert.equal(schedule.dueBy(5000), 100, 'never more than the schedule holds');
});

test('phases: warm-up at the first rate, then steady, then a burst', () => {
  const workload = {
    warmup: 1000,
    phases: [
      { duration: 2000, rate: { kind: 'fixed', perSecond: 100 } },
      { duration: 1000, rate: { kind: 'fixed', perSecond: 1000 } },
    ],
  };
  const schedule = RateSchedule.forWorkload(workload, 0.5);
  assert.equal(schedule.total, 50 + 100 + 500);
  assert.equal(schedule.intendedMs(150), 3000, 'first message of the burst at its start');
  assert.equal(schedule.intendedMs(151), 3002);
  assert.equal(schedule.dueBy(2999), 150);
  assert.equal(schedule.dueBy(3000), 151);
  assert.equal(schedule.rateAt(3500), 500);
  assert.equal(schedule.rateAt(500), 50);
  for (let seq = 0; seq < schedule.total; seq += 7) {
    assert.equal(schedule.dueBy(schedule.intendedMs(seq)) > seq, true, `message ${seq} is due at its intended time`);
  }
});
