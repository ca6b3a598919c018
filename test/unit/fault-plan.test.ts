/** Fault plan checks: what is refused (exit 2, field named) and what overlapping faults are accepted. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInputError } from '../../src/errors.js';
import { lastsForever, planFaults } from '../../src/faults/fault-plan.js';
import { buildPlan } from '../../src/plan/plan.js';
import type { Problem } from '../../src/scenario/problems.js';
import { parseScenario } from '../../src/scenario/load-scenario.js';
import { kafkaYaml, planned } from './fault-fakes.js';

async function refusal(yaml: string): Promise<string> {
  try {
    await planned(yaml);
  } catch (error) {
    assert.ok(error instanceof InvalidInputError, String(error));
    assert.equal(error.exitCode, 2);
    return error.message;
  }
  assert.fail('the scenario was accepted');
}

const faults = (lines: string) => `faults:\n${lines}`;

test('nemesis.every: 0s is refused at once (it used to expand without end)', async () => {
  assert.match(
    await refusal(kafkaYaml({ nemesis: 'nemesis: {every: 0s, actions: [kill], seed: 1, duration: 1s}' })),
    /fault-unit\.yaml:8:\d+: nemesis\.every: must be more than 0 s/,
  );
});

test('a nemesis expanding into more faults than the bound is refused, naming nemesis.every', async () => {
  assert.match(
    await refusal(
      kafkaYaml({ duration: '60s', nemesis: 'nemesis: {every: 1ms, actions: [latency], seed: 1, duration: 1ms}' }),
    ),
    /nemesis\.every: a fault every 0\.001 s from 0\.001 s to 60 s makes 59999 faults; at most 1000/,
  );
});

test('nemesis faults go through the per-fault checks: a partition on one broker is refused', async () => {
  assert.match(
    await refusal(
      kafkaYaml({ brokers: 1, duration: '60s', nemesis: 'nemesis: {every: 10s, actions: [kill, partition], seed: 1}' }),
    ),
    /nemesis\.actions\[1\]: picked by the nemesis: a partition needs brokers on at least two sides, e\.g\. \[\[1\], \[2, 3\]\]; cluster "main" has 1 broker\(s\), so there is nothing to partition/,
  );
});

test('nemesis faults go through the per-fault checks: a partition on Pulsar is refused', async () => {
  assert.match(
    await refusal(
      kafkaYaml({ system: 'pulsar', duration: '60s', nemesis: 'nemesis: {every: 10s, actions: [partition], seed: 1}' }),
    ),
    /nemesis\.actions\[0\]: picked by the nemesis: the local Pulsar standalone has no broker-to-broker links to cut/,
  );
});

const foreign: Array<[string, string, RegExp]> = [
  [
    'groups on isolate',
    '{at: 1s, action: isolate, target: all, groups: [[1], [2]], duration: 1s}',
    /faults\[0\]\.groups: isolate takes no groups: that field is for partition; isolate takes at, action, duration, target, links/,
  ],
  [
    'groups on latency',
    '{at: 1s, action: latency, latency: 100ms, groups: [[3], [2]], duration: 1s}',
    /faults\[0\]\.groups: latency takes no groups/,
  ],
  [
    'target on partition',
    '{at: 1s, action: partition, target: broker-3, groups: [[1], [2]], duration: 1s}',
    /faults\[0\]\.target: partition takes no target: .*; partition takes at, action, duration, groups/,
  ],
  [
    'latency on kill',
    '{at: 1s, action: kill, target: broker-1, latency: 5s, duration: 1s}',
    /faults\[0\]\.latency: kill takes no latency: that field is for latency, link-degrade; kill takes at, action, duration, target/,
  ],
  [
    'rate, links and stream on kill',
    '{at: 1s, action: kill, target: broker-1, rate: 1KB, links: clients, stream: both, duration: 1s}',
    /faults\[0\]\.rate: kill takes no rate[\s\S]*faults\[0\]\.links: kill takes no links[\s\S]*faults\[0\]\.stream: kill takes no stream/,
  ],
  [
    'stream on isolate',
    '{at: 1s, action: isolate, target: broker-1, stream: both, duration: 1s}',
    /faults\[0\]\.stream: isolate takes no stream: that field is for latency, bandwidth, reset, blackhole/,
  ],
  [
    'duration on restart',
    '{at: 1s, action: restart, target: broker-1, duration: 1s}',
    /faults\[0\]\.duration: restart takes no duration: a restart lasts as long as the broker takes to stop and start again/,
  ],
];
for (const [name, fault, expected] of foreign) {
  test(`a field foreign to the action is refused: ${name}`, async () => {
    assert.match(await refusal(kafkaYaml({ faults: faults(`  - ${fault}`) })), expected);
  });
}

const rates: Array<[string, RegExp]> = [
  ['0B', /faults\[0\]\.rate: must be more than 0 B\/s \(Toxiproxy reads a rate of 0 as no limit at all\)/],
  [
    '512B',
    /faults\[0\]\.rate: Toxiproxy limits bandwidth in whole KB\/s \(1 KB = 1000 B\): 512 B\/s is below its lowest limit, 1KB/,
  ],
  [
    '1MiB',
    /faults\[0\]\.rate: Toxiproxy limits bandwidth in whole KB\/s \(1 KB = 1000 B\): 1048576 B\/s is not one \(use 1048KB or 1049KB\)/,
  ],
];
for (const [rate, expected] of rates) {
  test(`a bandwidth Toxiproxy cannot set exactly is refused: ${rate}`, async () => {
    assert.match(
      await refusal(
        kafkaYaml({ faults: faults(`  - {at: 1s, action: bandwidth, target: broker-1, rate: ${rate}, duration: 1s}`) }),
      ),
      expected,
    );
  });
}

test('a bandwidth in whole KB/s is accepted as bytes per second', async () => {
  const [fault] = await planned(
    kafkaYaml({ faults: faults('  - {at: 1s, action: bandwidth, target: broker-1, rate: 1MB, duration: 1s}') }),
  );
  assert.equal(fault!.rateBytesPerSec, 1_000_000);
});

test('a fault of no length is refused', async () => {
  assert.match(
    await refusal(kafkaYaml({ faults: faults('  - {at: 1s, action: pause, target: broker-1, duration: 0s}') })),
    /faults\[0\]\.duration: must be more than 0 s/,
  );
});

test('overlapping cuts that share links are accepted (each link is held by reference), as are cuts sharing none', async () => {
  const overlapping = await planned(
    kafkaYaml({
      duration: '60s',
      faults: faults(
        '  - {at: 10s, action: isolate, target: broker-1, duration: 20s}\n  - {at: 20s, action: isolate, target: broker-2, duration: 20s}',
      ),
    }),
  );
  assert.equal(overlapping.length, 2);
  const apart = await planned(
    kafkaYaml({
      duration: '60s',
      faults: faults(
        '  - {at: 10s, action: partition, groups: [[1], [2, 3]], duration: 20s}\n  - {at: 15s, action: cut-clients, target: broker-2, duration: 10s}',
      ),
    }),
  );
  assert.deepEqual(
    apart.map((f) => f.action),
    ['partition', 'cut-clients'],
  );
});

test('overlapping process faults on one broker are still refused', async () => {
  assert.match(
    await refusal(
      kafkaYaml({
        duration: '60s',
        faults: faults(
          '  - {at: 10s, action: kill, target: broker-2, duration: 10s}\n  - {at: 15s, action: pause, target: broker-2, duration: 2s}',
        ),
      }),
    ),
    /faults\[1\]: pause on broker-2 at 15 s overlaps faults\[0\] \(kill on broker-2 at 10 s\) on the same broker\(s\): two process faults on one broker at once have no single meaning/,
  );
});

test('a network fault on Pulsar without regions: refused with the native driver (not shown on its path), accepted with binary and websocket', () => {
  const { scenario } = parseScenario(
    kafkaYaml({
      system: 'pulsar',
      duration: '60s',
      faults: faults(
        '  - {at: 10s, action: latency, latency: 100ms, duration: 5s}\n  - {at: 30s, action: pause, target: broker-1, duration: 2s}\n  - {at: 40s, action: cut-clients, duration: 5s}',
      ),
    }),
    'fault-unit.yaml',
  );
  const problems: Problem[] = [];
  planFaults(scenario, scenario.clusters[0]!, scenario.topics, problems, 'native');
  assert.deepEqual(
    problems.map((p) => p.path.join('.')),
    ['faults.0.action', 'faults.2.action'],
  );
  assert.match(
    problems[0]!.message,
    /with the native Pulsar driver, latency might not touch the messages: no run has shown a Toxiproxy fault acting on the native addon's binary connections .*\(use driver: binary or websocket, or a process fault\)/,
  );
  // Without regions the binary port has its own proxy, advertised to clients (local-pulsar.ts): faults reach it.
  for (const driver of ['binary', 'websocket']) {
    const accepted: Problem[] = [];
    const planned = planFaults(scenario, scenario.clusters[0]!, scenario.topics, accepted, driver);
    assert.deepEqual(accepted, [], driver);
    assert.deepEqual(
      planned.map((f) => f.action),
      ['latency', 'pause', 'cut-clients'],
      driver,
    );
  }
});

test('a network fault on Pulsar without regions is planned when auto resolves to the binary driver (the run plan, not a bare call)', async () => {
  const yaml = kafkaYaml({
    system: 'pulsar',
    duration: '60s',
    faults: faults('  - {at: 10s, action: latency, latency: 100ms, duration: 5s}'),
  }).replace('driver: websocket', 'driver: auto');
  assert.match(yaml, /driver: auto/);
  const plan = await buildPlan(parseScenario(yaml, 'fault-unit.yaml')).catch((error: unknown) => error);
  if (plan instanceof Error) {
    // Only the native addon (which loads where it is installed) is refused.
    assert.match(plan.message, /faults\[0\]\.action: with the native Pulsar driver, latency might not touch/);
    return;
  }
  const run = (plan as Awaited<ReturnType<typeof buildPlan>>).runs[0]!;
  assert.equal(run.driver.name, 'binary');
  assert.deepEqual(
    run.faults.map((f) => [f.action, f.latencyMs]),
    [['latency', 100]],
  );
});

test('duration: forever on a run that replicates nowhere is refused at the duration (it would only hide the drain)', async () => {
  const message = await refusal(
    kafkaYaml({ duration: '60s', faults: faults('  - {at: 10s, action: kill, target: broker-2, duration: forever}') }),
  );
  assert.match(
    message,
    /fault-unit\.yaml:8:\d+: faults\[0\]\.duration: forever keeps the fault through the drain, and cluster "main" replicates to no other cluster/,
  );
  assert.match(message, /failover\.\* criterion/);
});

test('duration: forever is accepted when a failover.* criterion asks how the cluster copes: untilMs is +Infinity', async () => {
  const [fault] = await planned(
    `${kafkaYaml({ duration: '60s', faults: faults('  - {at: 10s, action: kill, target: broker-2, duration: forever}') })}criteria:\n  - failover.max < 30s\n`,
  );
  assert.equal(fault!.untilMs, Number.POSITIVE_INFINITY);
  assert.equal(fault!.durationMs, undefined);
  assert.equal(lastsForever(fault!), true);
});

test('duration: forever on the source of a replication is accepted without a criterion', () => {
  const { scenario } = parseScenario(
    `name: forever
clusters:
  - {name: a, system: kafka, brokers: 1}
  - {name: b, system: kafka, brokers: 1}
topics:
  - {name: t, cluster: a, partitions: 1}
replication:
  - {from: a, to: b, topics: [t]}
workload: {warmup: 0s, duration: 20s, rate: 10/s}
faults:
  - {at: 5s, action: kill, target: broker-1, duration: forever}
`,
    'forever.yaml',
  );
  const problems: Problem[] = [];
  const [fault] = planFaults(scenario, scenario.clusters[0]!, scenario.topics, problems, 'kafkajs');
  assert.deepEqual(problems, []);
  assert.equal(fault!.untilMs, Number.POSITIVE_INFINITY);
});

test('a duration that is neither a duration nor forever is refused; a restart takes no forever', async () => {
  assert.match(
    await refusal(
      `${kafkaYaml({ faults: faults('  - {at: 1s, action: kill, target: broker-2, duration: forevr}') })}criteria:\n  - failover.max < 30s\n`,
    ),
    /faults\[0\]\.duration/,
  );
  assert.match(
    await refusal(
      `${kafkaYaml({ faults: faults('  - {at: 1s, action: restart, target: broker-2, duration: forever}') })}criteria:\n  - failover.max < 30s\n`,
    ),
    /faults\[0\]\.duration: restart takes no duration/,
  );
});

const replicated = (faultLines: string, system = 'kafka') => `name: mm2
clusters:
  - {name: a, system: ${system}, brokers: 1}
  - {name: b, system: ${system}, brokers: 1}
topics:
  - {name: t, cluster: a, partitions: 1}
replication:
  - {from: a, to: b, topics: [t]}
workload: {warmup: 0s, duration: 20s, rate: 10/s}
faults:
${faultLines}
`;

function problemsOf(yaml: string): Problem[] {
  const { scenario } = parseScenario(yaml, 'mm2.yaml');
  const problems: Problem[] = [];
  planFaults(scenario, scenario.clusters[0]!, scenario.topics, problems, 'kafkajs');
  return problems;
}

test('mirrormaker(cluster): process faults on the MirrorMaker 2 into that cluster are accepted, beside broker faults', () => {
  assert.deepEqual(
    problemsOf(
      replicated(
        '  - {at: 2s, action: kill, target: "mirrormaker(b)", duration: 2s}\n  - {at: 3s, action: kill, target: broker-1, duration: 2s}\n  - {at: 6s, action: restart, target: "mirrormaker(b)"}',
      ),
    ),
    [],
  );
});

test('mirrormaker(cluster): refused on a network action, into a cluster nothing mirrors to, without replication, and overlapping itself', () => {
  const refused: Array<[string, RegExp]> = [
    ['  - {at: 2s, action: isolate, target: "mirrormaker(b)", duration: 2s}', /isolate cannot act on a MirrorMaker 2/],
    [
      '  - {at: 2s, action: kill, target: "mirrormaker(c)", duration: 2s}',
      /no MirrorMaker 2 replicates cluster "a" into "c".*; it replicates into b/,
    ],
    [
      '  - {at: 2s, action: kill, target: "mirrormaker(b)", duration: 4s}\n  - {at: 3s, action: pause, target: "mirrormaker(b)", duration: 1s}',
      /pause on mirrormaker\(b\) at 3 s overlaps faults\[0\]/,
    ],
  ];
  for (const [lines, message] of refused) {
    const problems = problemsOf(replicated(lines));
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.match(problems[0]!.message, message);
  }
  const noReplication = problemsOf(
    kafkaYaml({ faults: faults('  - {at: 1s, action: kill, target: "mirrormaker(b)", duration: 1s}') }),
  );
  assert.match(noReplication[0]!.message, /no MirrorMaker 2 replicates cluster "main"/);
  assert.deepEqual(noReplication[0]!.path, ['faults', 0, 'target']);
});
