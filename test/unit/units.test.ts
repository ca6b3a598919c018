import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBytes, parseDuration, parseRate, UnitError } from '../../src/scenario/units.js';

test('durations in human units', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('2m'), 120_000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration(0), 0);
  for (const bad of ['60', '60x', 'fast', '', 60, -1, '-5s'])
    assert.throws(() => parseDuration(bad), UnitError, String(bad));
});

test('sizes: binary and decimal units', () => {
  assert.equal(parseBytes('512B'), 512);
  assert.equal(parseBytes('1KiB'), 1024);
  assert.equal(parseBytes('1KB'), 1000);
  assert.equal(parseBytes('2MiB'), 2 * 1024 * 1024);
  assert.equal(parseBytes(100), 100);
  for (const bad of ['1 parsec', '1.5B', 'KiB', -3]) assert.throws(() => parseBytes(bad), UnitError, String(bad));
});

test('rates: per second, per minute, k suffix, max', () => {
  assert.deepEqual(parseRate('2000/s'), { kind: 'fixed', perSecond: 2000 });
  assert.deepEqual(parseRate('5k/s'), { kind: 'fixed', perSecond: 5000 });
  assert.deepEqual(parseRate('120/m'), { kind: 'fixed', perSecond: 2 });
  assert.deepEqual(parseRate(300), { kind: 'fixed', perSecond: 300 });
  assert.deepEqual(parseRate('max'), { kind: 'max' });
  for (const bad of ['2000', '0/s', 'fast', '5x/s', -1]) assert.throws(() => parseRate(bad), UnitError, String(bad));
});
