import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kindSeries, processSeries } from '../../src/report/charts/resource-series.js';
import type { ResourceUse } from '../../src/resources/resource-figures.js';

const use = (timeline: ResourceUse['timeline'], processes: Array<[string, ResourceUse['processes'][0]['kind']]>) =>
  ({
    source: 'proc',
    intervalMs: 1000,
    clockTicksPerSec: 100,
    window: { fromMs: 1000, toMs: 3000 },
    brokers: null,
    mirrorMakers: null,
    toxiproxies: null,
    harness: null,
    processes: processes.map(([name, kind]) => ({ name, kind, pids: [1] })),
    timeline,
  }) as unknown as ResourceUse;

const p = (cpu: number, rssMiB: number) => ({ cpu, rssBytes: rssMiB * 2 ** 20, readBytes: 0, writeBytes: 0 });

const SAMPLED = use(
  [
    {
      tMs: 1000,
      ms: 1000,
      atMs: 0,
      processes: { harness: p(0.5, 80), 'main/broker-1': p(0.3, 400), 'main/broker-2': null },
    },
    {
      tMs: 2000,
      ms: 1000,
      atMs: 0,
      processes: { harness: p(0.4, 81), 'main/broker-1': p(0.2, 410), 'main/broker-2': p(0.1, 300) },
    },
    { tMs: 2500, ms: 500, atMs: 0, processes: { harness: p(0.1, 82), 'main/broker-1': null, 'main/broker-2': null } },
  ],
  [
    ['harness', 'harness'],
    ['main/broker-1', 'broker'],
    ['main/broker-2', 'broker'],
  ],
);

test('per process: brokers first, the harness named as such; each interval at its start; unmeasured is a gap', () => {
  assert.deepEqual(processSeries(SAMPLED, 'cpu'), [
    [
      'main/broker-1',
      [
        [0, 0.3],
        [1, 0.2],
        [2, null],
      ],
    ],
    [
      'main/broker-2',
      [
        [0, null],
        [1, 0.1],
        [2, null],
      ],
    ],
    [
      'harness (faultline)',
      [
        [0, 0.5],
        [1, 0.4],
        [2, 0.1],
      ],
    ],
  ]);
  assert.deepEqual(
    processSeries(SAMPLED, 'rssMiB')[0]![1].map(([, v]) => v),
    [400, 410, null],
  );
  assert.deepEqual(processSeries(null, 'cpu'), []);
});

test('a kind summed per second over the processes measured; null where none was', () => {
  assert.deepEqual(kindSeries(SAMPLED, 'broker', 'cpu'), [
    [0, 0.3],
    [1, 0.3],
    [2, null],
  ]);
  assert.deepEqual(kindSeries(SAMPLED, 'mirrormaker', 'cpu'), []);
  assert.deepEqual(kindSeries(undefined, 'broker', 'cpu'), []);
});
