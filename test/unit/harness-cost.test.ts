import assert from 'node:assert/strict';
import { test } from 'node:test';
import { harnessCost, harnessLine, harnessWarning } from '../../src/resources/harness-cost.js';
import type { ResourceFigure } from '../../src/resources/resource-figures.js';

const figure = (mean: number | null, max: number | null, cpuSeconds: number | null): ResourceFigure => ({
  cpu: { mean, max },
  rssBytes: { mean: 100 * 1024 ** 2, max: 120 * 1024 ** 2 },
  cpuSeconds,
  diskReadBytes: 0,
  diskWrittenBytes: 0,
  cpuSecondsPerMillionMessages: null,
  samples: 20,
  unmeasured: 0,
});

test('harness cost: CPU µs per message produced = cores ÷ messages per second × 10⁶, over the window', () => {
  const cost = harnessCost(figure(0.5, 0.6, 10), 10_000)!;
  assert.equal(cost.cpuMicrosPerMessage, 50, '0.5 core at 10 000 msg/s: 50 µs each');
  assert.equal(cost.cpuSeconds, 10);
  assert.deepEqual(cost.cores, { mean: 0.5, max: 0.6 });
  assert.equal(cost.rssMaxBytes, 120 * 1024 ** 2);
  assert.equal(cost.busy, false);
  assert.equal(harnessWarning(cost), undefined, 'below 0.8 of a core: no warning');
  assert.match(
    harnessLine(cost),
    /50 µs of CPU per message .*0\.5 cores mean, 0\.6 max, RSS max 120 MiB \(below 0\.8 of a core\)/,
  );
});

test('harness cost: a busiest second above 0.8 of a core warns that the generator may have been the bottleneck', () => {
  const cost = harnessCost(figure(0.7, 0.95, 14), 20_000)!;
  assert.equal(cost.busy, true);
  assert.match(
    harnessWarning(cost)!,
    /0\.7 cores on average and 0\.95 in its busiest second .*35 µs .*may have been the bottleneck/,
  );
  assert.match(harnessLine(cost), /may have been the bottleneck/);
});

test('harness cost: nothing produced gives no per-message figure; not measured gives none at all (never 0)', () => {
  assert.equal(harnessCost(figure(0.2, 0.3, 4), 0)!.cpuMicrosPerMessage, null);
  assert.equal(harnessCost(figure(0.2, 0.3, 4), null)!.cpuMicrosPerMessage, null);
  assert.equal(harnessCost(figure(null, null, null), 1000), null);
  assert.equal(harnessCost(null, 1000), null);
  assert.equal(harnessLine(null), '');
});
