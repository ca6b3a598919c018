import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  between,
  FLOOR_PER_SEC,
  MaxRateSearch,
  type SearchBounds,
  searchMaxRate,
} from '../../src/load/max-rate-search.js';

const bounds: SearchBounds = { from: 100, upTo: 1_000_000, factor: 2, precision: 0.05, maxSteps: 30 };

/** A step runner that passes below `capacity` (a perfect, monotone system). */
const monotone = (capacity: number) => async (rate: number) => ({ passed: rate < capacity });

test('monotone: grows ×2 until the first fail, then bisects until the fail is within 5 % of the pass', async () => {
  const run = await searchMaxRate(bounds, monotone(483));
  assert.equal(run.end, 'converged');
  assert.deepEqual(
    run.steps.slice(0, 4).map((s) => [s.rate, s.passed]),
    [
      [100, true],
      [200, true],
      [400, true],
      [800, false],
    ],
  );
  const { passed, failed, width } = run.interval;
  assert.ok(passed! < 483 && failed! >= 483, `interval [${passed}, ${failed}]`);
  assert.ok(width! <= 0.05, `width ${width}`);
  assert.equal(run.best?.rate, passed);
  assert.ok(run.steps.length <= 4 + 5, `${run.steps.length} steps`);
  // Bisection tries only rates strictly inside the interval it had: never one already tried.
  assert.equal(new Set(run.steps.map((s) => s.rate)).size, run.steps.length);
});

test('monotone at many capacities: the max found is within the precision below the true one, in a bounded number of steps', async () => {
  for (const capacity of [1.7, 37, 483, 5_120, 77_777, 250_001]) {
    const run = await searchMaxRate(bounds, monotone(capacity));
    const found = run.best?.rate ?? 0;
    if (capacity <= FLOOR_PER_SEC) continue;
    assert.equal(run.end, 'converged', `capacity ${capacity}`);
    assert.ok(found < capacity && found >= capacity / 1.05, `capacity ${capacity}: found ${found}`);
    // log2 of the growth span, plus log2(log(factor) / log(1 + precision)) ≈ 4 bisections.
    const growth = Math.ceil(Math.abs(Math.log2(capacity / 100))) + 1;
    assert.ok(run.steps.length <= growth + 5, `capacity ${capacity}: ${run.steps.length} steps`);
  }
});

test('noisy: a verdict that flips within ±3 % of the capacity still converges, within the noise and the precision', async () => {
  let seed = 7;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let trial = 0; trial < 200; trial++) {
    const capacity = 1000 + trial * 37;
    const run = await searchMaxRate(bounds, async (rate) => ({
      passed: rate < capacity * (1 + (random() * 2 - 1) * 0.03),
    }));
    const found = run.best?.rate ?? 0;
    assert.equal(run.end, 'converged');
    assert.ok(run.interval.width! <= 0.05);
    assert.ok(
      found >= (capacity * 0.97) / 1.05 && found < capacity * 1.03,
      `trial ${trial}: capacity ${capacity}, found ${found}`,
    );
    assert.ok(run.steps.length <= 12, `trial ${trial}: ${run.steps.length} steps`);
  }
});

test('never passes: goes down by the factor to the floor of 1 msg/s, and reports no rate', async () => {
  const run = await searchMaxRate(bounds, async () => ({ passed: false }));
  assert.equal(run.end, 'floor');
  assert.equal(run.best, undefined);
  assert.deepEqual(
    run.steps.map((s) => s.rate),
    [100, 50, 25, 12.5, 6.25, 3.125, 1.5625, 1],
  );
  assert.deepEqual(run.interval, { passed: null, failed: 1, width: null });
});

test('a first step that fails: the search goes down, then bisects between the pass and the fail above it', async () => {
  const run = await searchMaxRate(bounds, monotone(30));
  assert.deepEqual(
    run.steps.slice(0, 3).map((s) => [s.rate, s.passed]),
    [
      [100, false],
      [50, false],
      [25, true],
    ],
  );
  assert.equal(run.end, 'converged');
  assert.ok(run.best!.rate < 30 && run.best!.rate >= 30 / 1.05);
});

test('always passes: grows to upTo, tries it, and ends there (the max is at least upTo)', async () => {
  const run = await searchMaxRate({ ...bounds, upTo: 1000 }, async () => ({ passed: true }));
  assert.equal(run.end, 'upTo');
  assert.deepEqual(
    run.steps.map((s) => s.rate),
    [100, 200, 400, 800, 1000],
  );
  assert.equal(run.best?.rate, 1000);
  assert.deepEqual(run.interval, { passed: 1000, failed: null, width: null });
});

test('maxSteps bounds the search before it converges; an unfinished step ends it as interrupted', async () => {
  const capped = await searchMaxRate({ ...bounds, maxSteps: 5 }, monotone(483));
  assert.equal(capped.end, 'maxSteps');
  assert.equal(capped.steps.length, 5);
  assert.ok(capped.interval.width! > 0.05);
  const interrupted = await searchMaxRate(bounds, async (rate, index) =>
    index === 2 ? undefined : { passed: rate < 483 },
  );
  assert.equal(interrupted.end, 'interrupted');
  assert.equal(interrupted.steps.length, 2);
  assert.equal(interrupted.best?.rate, 200);
});

test('the decider alone: next() is undefined once ended; between() stays strictly inside and tidy', () => {
  const search = new MaxRateSearch({ ...bounds, precision: 0.5 });
  assert.equal(search.next(), 100);
  search.record(100, true);
  assert.equal(search.next(), 200);
  search.record(200, false);
  assert.equal(search.next(), 141);
  search.record(141, true);
  assert.equal(search.next(), undefined);
  assert.equal(search.end, 'converged');
  assert.equal(between(400, 800), 566);
  assert.equal(between(483, 484), Math.sqrt(483 * 484), 'no tidy number inside: the exact mean');
  assert.ok(between(1, 1.03) > 1 && between(1, 1.03) < 1.03);
});
