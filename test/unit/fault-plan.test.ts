/** Fault plan checks: what is refused (exit 2, field named) and what overlapping faults are accepted. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInputError } from '../../src/errors.js';
import { planFaults } from '../../src/faults/fault-plan.js';
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

test('a network fault on a Pulsar cluster driven by the native driver is refused: its data path is not proxied', () => {
  const { scenario } = parseScenario(
    kafkaYaml({
      system: 'pulsar',
      duration: '60s',
      faults: faults(
        '  - {at: 10s, action: latency, latency: 100ms, duration: 5s}\n  - {at: 30s, action: pause, target: broker-1, duration: 2s}',
      ),
    }),
    'fault-unit.yaml',
  );
  const problems: Problem[] = [];
  planFaults(scenario, scenario.clusters[0]!, scenario.topics, problems, 'native');
  assert.deepEqual(
    problems.map((p) => p.path.join('.')),
    ['faults.0.action'],
  );
  assert.match(
    problems[0]!.message,
    /with the native Pulsar driver, latency would not touch the messages: only the web service goes through Toxiproxy/,
  );
  const websocket: Problem[] = [];
  planFaults(scenario, scenario.clusters[0]!, scenario.topics, websocket, 'websocket');
  assert.deepEqual(websocket, []);
});
