/** workload.rate {find: max}: what the scenario and the plan accept, and what each refuses (exit 2, field named). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInputError } from '../../src/errors.js';
import { buildPlan } from '../../src/plan/plan.js';
import { parseScenario } from '../../src/scenario/load-scenario.js';

function yaml(o: { rate: string; workload?: string; extra?: string; consumers?: number }): string {
  return `name: max-unit
clusters:
  - {name: main, system: kafka, brokers: 3}
topics:
  - {name: t, partitions: 3}
workload:
  messageSize: 1KiB
  consumers: ${o.consumers ?? 1}
${o.workload ?? ''}  rate: ${o.rate}
${o.extra ?? ''}
`;
}

async function refusal(text: string): Promise<string> {
  try {
    await buildPlan(parseScenario(text, 'max.yaml'));
  } catch (error) {
    assert.ok(error instanceof InvalidInputError, String(error));
    assert.equal(error.exitCode, 2);
    return error.message;
  }
  assert.fail('the scenario was accepted');
}

test('a search with defaults: each step is a fixed-rate workload (from 100/s, 2 s warm-up, 5 s window)', async () => {
  const plan = await buildPlan(
    parseScenario(yaml({ rate: '{find: max, while: "latency.publish.p99 < 50ms"}' }), 'max.yaml'),
  );
  const { workload } = plan.scenario;
  assert.deepEqual(workload.rateSearch, {
    find: 'max',
    while: ['latency.publish.p99 < 50ms'],
    from: 100,
    upTo: 1_000_000,
    factor: 2,
    precision: 0.05,
    stepWarmup: 2000,
    stepDuration: 5000,
    stepDrain: 5000,
    maxSteps: 20,
  });
  assert.deepEqual(workload.rate, { kind: 'fixed', perSecond: 100 });
  assert.equal(workload.warmup, 2000);
  assert.equal(workload.duration, 5000);
});

test('a search with every option given, and several conditions', async () => {
  const plan = await buildPlan(
    parseScenario(
      yaml({
        rate: `{find: max, while: ["latency.publish.p99 < 50ms", "latency.endToEnd.p99 < 200ms", "errors.total == 0"], from: 2k/s, upTo: 50k/s, factor: 1.5, precision: 2%, stepWarmup: 1s, stepDuration: 3s, stepDrain: 2s, maxSteps: 12}`,
      }),
      'max.yaml',
    ),
  );
  const search = plan.scenario.workload.rateSearch!;
  assert.equal(search.while.length, 3);
  assert.deepEqual([search.from, search.upTo, search.factor, search.precision], [2000, 50_000, 1.5, 0.02]);
  assert.deepEqual([search.stepWarmup, search.stepDuration, search.stepDrain, search.maxSteps], [1000, 3000, 2000, 12]);
});

const bad: Array<[string, Parameters<typeof yaml>[0], RegExp]> = [
  [
    'a condition on a figure no step measures (resources)',
    { rate: '{find: max, while: "resources.brokers.cpu.mean < 1"}' },
    /max\.yaml:9:\d+: workload\.rate\.while: resources\.brokers\.cpu\.mean is not measured by the steps of a max-rate search/,
  ],
  [
    'a condition on a replication figure, in a list (the item is named)',
    { rate: '{find: max, while: ["latency.publish.p99 < 50ms", "replication.lag.p99 < 1s"]}' },
    /workload\.rate\.while\[1\]: replication\.lag\.p99 is not measured by the steps/,
  ],
  [
    'an end-to-end condition without consumers',
    { rate: '{find: max, while: "latency.endToEnd.p99 < 50ms"}', consumers: 0 },
    /workload\.rate\.while: latency\.endToEnd\.p99 is not measured: the workload has no consumers \(consumers: 0\)/,
  ],
  [
    'an unknown figure',
    { rate: '{find: max, while: "latency.publish.p98 < 50ms"}' },
    /workload\.rate\.while: unknown metric "latency\.publish\.p98" \(did you mean "latency\.publish\.p90"\?\)/,
  ],
  [
    'a condition that does not parse',
    { rate: '{find: max, while: "fast please"}' },
    /workload\.rate\.while: expected "<metric> <op> <value>"/,
  ],
  [
    'a condition with a region selector',
    { rate: '{find: max, while: "latency.publish[us].p99 < 50ms"}' },
    /workload\.rate\.while: latency\.publish\[us\]\.p99: a max-rate search judges each step on the whole workload's figures/,
  ],
  [
    'faults on the timeline',
    {
      rate: '{find: max, while: "latency.publish.p99 < 50ms"}',
      extra: 'faults:\n  - {at: 1s, action: kill, target: broker-1, duration: 1s}',
    },
    /max\.yaml:11:\d+: faults: workload\.rate find: max runs each step on a healthy cluster, so it takes no faults/,
  ],
  [
    'a nemesis',
    {
      rate: '{find: max, while: "latency.publish.p99 < 50ms"}',
      extra: 'nemesis: {every: 2s, actions: [kill], seed: 1}',
    },
    /nemesis: workload\.rate find: max runs each step on a healthy cluster, so it takes no nemesis/,
  ],
  [
    'a criterion on a figure the steps do not measure',
    {
      rate: '{find: max, while: "latency.publish.p99 < 50ms"}',
      extra: 'criteria: ["resources.harness.cpu.mean < 2"]',
    },
    /criteria\[0\]: resources\.harness\.cpu\.mean is not measured .*with find: max the run's figures are a step's/,
  ],
  [
    'a workload duration beside the search',
    { rate: '{find: max, while: "latency.publish.p99 < 50ms"}', workload: '  duration: 30s\n' },
    /workload\.duration: with rate: \{find: max\}, each step has its own duration: give rate\.stepDuration instead/,
  ],
  [
    'a workload warm-up beside the search',
    { rate: '{find: max, while: "latency.publish.p99 < 50ms"}', workload: '  warmup: 5s\n' },
    /workload\.warmup: with rate: \{find: max\}, each step has its own warmup: give rate\.stepWarmup instead/,
  ],
  [
    'find: min',
    { rate: '{find: min, while: "latency.publish.p99 < 50ms"}' },
    /workload\.rate\.find: expected one of max, got "min"/,
  ],
  ['no condition', { rate: '{find: max}' }, /workload\.rate\.while: required field is missing/],
  [
    'a misspelt option',
    { rate: '{find: max, while: "latency.publish.p99 < 50ms", precison: 5%}' },
    /workload\.rate\.precison: unknown field \(did you mean "precision"\?\)/,
  ],
  [
    'a precision without %',
    { rate: '{find: max, while: "latency.publish.p99 < 50ms", precision: 0.05}' },
    /workload\.rate\.precision: expected a percentage from 0\.1% to 50%, such as 5%, got 0\.05/,
  ],
  [
    'a precision out of range',
    { rate: '{find: max, while: "latency.publish.p99 < 50ms", precision: 80%}' },
    /workload\.rate\.precision: expected a percentage from 0\.1% to 50%, such as 5%, got "80%"/,
  ],
  [
    'from: max',
    { rate: '{find: max, while: "latency.publish.p99 < 50ms", from: max}' },
    /workload\.rate\.from: from is a rate such as 100\/s, not max/,
  ],
  [
    'upTo below from',
    { rate: '{find: max, while: "latency.publish.p99 < 50ms", from: 5k/s, upTo: 1k/s}' },
    /workload\.rate\.upTo: must not be below from \(5000\/s\), got 1000\/s/,
  ],
  [
    'a factor of 1 (no growth)',
    { rate: '{find: max, while: "latency.publish.p99 < 50ms", factor: 1}' },
    /workload\.rate\.factor: .*1/,
  ],
];

for (const [name, input, expected] of bad) {
  test(`refused: ${name}`, async () => {
    assert.match(await refusal(yaml(input)), expected);
  });
}

test('a plain rate that does not parse still says what a rate looks like (the union does not hide it)', async () => {
  assert.match(await refusal(yaml({ rate: 'lots' })), /workload\.rate: expected a rate such as 2000\/s, 5k\/s or max/);
});
