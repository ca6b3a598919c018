import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInputError } from '../../src/errors.js';
import { buildPlan } from '../../src/plan/plan.js';
import { parseScenario } from '../../src/scenario/load-scenario.js';
import { parseTarget, seededRandom } from '../../src/faults/targets.js';

const base = (faults: string, brokers = 3) => `name: chaos
clusters:
  - {name: trio, system: kafka, brokers: ${brokers}}
topics:
  - {name: t, partitions: 3, replicationFactor: 1}
workload: {warmup: 5s, duration: 30s, rate: 100/s}
${faults}
`;

async function problemsOf(text: string): Promise<string> {
  try {
    await buildPlan(parseScenario(text, 'chaos.yaml'));
  } catch (error) {
    assert.ok(error instanceof InvalidInputError, String(error));
    return error.message;
  }
  assert.fail('scenario was accepted');
}

test('fault targets parse', () => {
  assert.deepEqual(parseTarget('broker-2'), { kind: 'broker', id: 2 });
  assert.deepEqual(parseTarget('leader(orders, 1)'), { kind: 'leader', topic: 'orders', partition: 1 });
  assert.deepEqual(parseTarget('controller'), { kind: 'controller' });
  assert.deepEqual(parseTarget('mirrormaker(west)'), { kind: 'mirrormaker', cluster: 'west' });
  assert.throws(
    () => parseTarget('broker two'),
    /expected broker-N, random, leader\(topic, partition\), controller, all or mirrormaker\(cluster\)/,
  );
});

test('a valid fault timeline plans, in time order, with ids', async () => {
  const plan = await buildPlan(
    parseScenario(
      base(`faults:
  - {at: 20s, action: kill, target: "leader(t, 0)", duration: 5s}
  - {at: 8s, action: latency, latency: 50ms, duration: 4s}
  - {at: 12s, action: partition, groups: [[1], [2, 3]], duration: 3s}`),
    ),
  );
  const faults = plan.runs[0]!.faults;
  assert.deepEqual(
    faults.map((f) => [f.id, f.action, f.atMs]),
    [
      ['f1', 'latency', 8000],
      ['f2', 'partition', 12000],
      ['f3', 'kill', 20000],
    ],
  );
  assert.deepEqual(faults[0]!.target, { kind: 'all' });
});

const bad: Array<[string, string, RegExp]> = [
  [
    'unknown action',
    `faults:\n  - {at: 10s, action: explode, target: broker-1}`,
    /chaos\.yaml:8:\d+: faults\[0\]\.action: expected one of isolate, partition/,
  ],
  [
    'a broker that does not exist',
    `faults:\n  - {at: 10s, action: kill, target: broker-4}`,
    /faults\[0\]\.target: cluster "trio" has no broker-4 \(it has 3/,
  ],
  [
    'a leader of an unknown topic',
    `faults:\n  - {at: 10s, action: kill, target: "leader(tt, 0)"}`,
    /faults\[0\]\.target: no topic "tt" on cluster "trio" \(did you mean "t"\?\)/,
  ],
  [
    'a fault past the end of the run',
    `faults:\n  - {at: 40s, action: pause, target: broker-1}`,
    /faults\[0\]\.at: producing ends at 35 s \(warm-up included\); a fault at 40 s is past the end of the run/,
  ],
  [
    'a fault healing after the end',
    `faults:\n  - {at: 30s, action: pause, target: broker-1, duration: 10s}`,
    /faults\[0\]\.duration: the fault would heal at 40 s, after producing ends at 35 s/,
  ],
  [
    'contradicting faults',
    `faults:\n  - {at: 10s, action: kill, target: broker-2, duration: 10s}\n  - {at: 15s, action: pause, target: broker-2, duration: 2s}`,
    /faults\[1\]: pause on broker-2 at 15 s overlaps faults\[0\] \(kill on broker-2 at 10 s\) on the same broker\(s\)/,
  ],
  ['latency without a delay', `faults:\n  - {at: 10s, action: latency}`, /faults\[0\]: latency needs latency:/],
  ['kill without a target', `faults:\n  - {at: 10s, action: kill}`, /faults\[0\]: kill needs a target/],
  [
    'partition naming a missing broker',
    `faults:\n  - {at: 10s, action: partition, groups: [[1], [2, 5]]}`,
    /faults\[0\]\.groups: cluster "trio" has 3 broker\(s\); no broker 5/,
  ],
];

for (const [name, faults, expected] of bad) {
  test(`bad faults are rejected with the field named: ${name}`, async () => {
    assert.match(await problemsOf(base(faults)), expected);
  });
}

test('faults on an external cluster are rejected', async () => {
  const text = base(`faults:\n  - {at: 10s, action: kill, target: broker-1}`).replace(
    'brokers: 3}',
    'brokers: 3, provider: external, bootstrap: "127.0.0.1:9092"}',
  );
  assert.match(await problemsOf(text), /clusters\[0\]\.provider: faults need a local cluster/);
});

test('a seeded nemesis expands to the same faults every time', async () => {
  const text = base('nemesis: {every: 5s, actions: [kill, pause, isolate, partition], seed: 7}');
  const first = (await buildPlan(parseScenario(text))).runs[0]!.faults;
  const again = (await buildPlan(parseScenario(text))).runs[0]!.faults;
  assert.ok(first.length >= 5);
  assert.deepEqual(first, again);
  const other = (await buildPlan(parseScenario(text.replace('seed: 7', 'seed: 8')))).runs[0]!.faults;
  assert.notDeepEqual(first, other);
  const random = seededRandom(42);
  const values = [random(), random(), random()];
  const replay = seededRandom(42);
  assert.deepEqual([replay(), replay(), replay()], values);
});
