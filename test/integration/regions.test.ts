/**
 * Regions against real brokers through a real Toxiproxy: what a link costs (truth checks measured in one run
 * against a control in the same run), a stretched cluster losing a region, and bad topology input.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { expectNoProcessLeftAfterEach, readResult, runCli, tempDir, writeScenario } from '../helpers.js';

expectNoProcessLeftAfterEach();

test('a producer one 40 ms link away pays the round trip (+80 ms publish p50 against a producer beside the broker, same run); a consumer beside the broker does not pay the link, a remote one does', async () => {
  const out = tempDir();
  const file = writeScenario(`name: remote-producer
regions: [near, far]
links: [{between: [near, far], latency: 40ms}]
clusters: [{name: solo, system: kafka, region: near, heap: 512MiB}]
topics: [{name: t, partitions: 1}]
workload: {warmup: 3s, duration: 8s, rate: 40/s, maxInFlightBatches: 20, producers: 2, consumers: 1, placement: {producers: [near, far], consumers: [near, far]}}
criteria:
  - latency.endToEnd[far->near].p99 < 10s
`);
  const run = await runCli(['run', file, '--out', out], { timeoutMs: 240_000 });
  const r = readResult(out);
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  const { publish, endToEnd } = r.byRegion;
  const added = publish.far.p50 - publish.near.p50;
  assert.ok(
    Math.abs(added - 80) <= 8,
    `publish p50 near ${publish.near.p50} ms, far ${publish.far.p50} ms: +${added.toFixed(1)} ms`,
  );
  const oneWay = (from: string, to: string) => endToEnd[`${from}->${to}`].p50 - endToEnd['near->near'].p50;
  const describe = Object.entries(endToEnd)
    .map(([pair, figures]) => `${pair} ${(figures as { p50: number }).p50} ms`)
    .join(', ');
  // The consumer beside the broker: a remote producer's messages come one way (40 ms) later, not a round trip.
  assert.ok(oneWay('far', 'near') >= 25 && oneWay('far', 'near') <= 60, `end-to-end p50: ${describe}`);
  // The consumer across the link pays at least the one way its fetch answers cross (40 ms), and more while its
  // next fetch is still crossing when a message arrives at the broker.
  assert.ok(oneWay('near', 'far') >= 35, `end-to-end p50: ${describe}`);
  const consumed = (pair: string) => r.byRegion.endToEnd[pair].count as number;
  const far = consumed('near->far') + consumed('far->far');
  const near = consumed('near->near') + consumed('far->near');
  assert.ok(
    far >= 0.95 * near,
    `each region's group reads every message (the far group had ${far} of ${near} when the books closed)`,
  );
  assert.equal(r.messages.lost, 0);
});

test('a stretched cluster loses a region with nothing acknowledged lost; acks=all pays the nearest replica round trip; an impossible failover criterion exits 1', async () => {
  const out = tempDir();
  const shipped = readFileSync('scenarios/region-stretched-outage.yaml', 'utf8');
  const file = writeScenario(`${shipped.trimEnd()}\n  - failover.max < 1ms\n`);
  // Its schedule compressed: the region dark 3 s after the warm-up (not 7 s), producing until 20 s after the
  // outage began (the failover criterion's bound; the shipped run goes on 23 s).
  const compressed = ['--set', 'faults[0].at=8s', '--set', 'workload.duration=23s'];
  const run = await runCli(['run', file, ...compressed, '--out', out], { timeoutMs: 420_000 });
  const r = readResult(out);
  assert.equal(run.code, 1, `${run.stdout}\n${run.stderr}`);
  assert.deepEqual(
    r.criteria.map((c: { expression: string; passed: boolean }) => [c.expression, c.passed]),
    [
      ['messages.lost == 0', true],
      ['failover.max < 20s', true],
      ['failover.max < 1ms', false],
    ],
  );
  const [outage] = r.faults;
  assert.equal(outage.resolvedTarget, 'broker-3', 'ap-south holds broker-3');
  assert.ok(outage.injectedAt !== null && outage.healedAt !== null);
  assert.equal(r.messages.lostVerified, true);
  // Every write waits for a replica in another region: at least the 30 ms each way to eu-west.
  assert.ok(r.latency.publish.p50 >= 60, `publish p50 ${r.latency.publish.p50} ms`);
});

const bad: Array<[string, string, RegExp]> = [
  [
    'a link naming an unknown region',
    'links: [{between: [us, mars], latency: 10ms}]',
    /:\d+:\d+: links\[0\]\.between\[1\]: no region named "mars"/,
  ],
  [
    'a duplicate link',
    'links: [{between: [us, eu], latency: 10ms}, {from: eu, to: us, latency: 20ms}]',
    /:\d+:\d+: links\[1\]: duplicate link eu → us: links\[0\] already sets it/,
  ],
  [
    'a negative latency',
    'links: [{between: [us, eu], latency: -5ms}]',
    /:\d+:\d+: links\[0\]\.latency: expected a duration/,
  ],
  [
    'a cluster in an unknown region',
    'links: [{between: [us, eu], latency: 10ms}]\nclusters: [{name: k, system: kafka, region: asia}]',
    /:\d+:\d+: clusters\[0\]\.region: no region named "asia"/,
  ],
  [
    'a client in an unknown region',
    'links: [{between: [us, eu], latency: 10ms}]\nworkload: {duration: 5s, rate: 10/s, placement: {producers: [asia]}}',
    /:\d+:\d+: workload\.placement\.producers\[0\]: no region named "asia"/,
  ],
  [
    'a region outage of a region with no broker',
    'links: [{between: [us, eu], latency: 10ms}]\nfaults: [{at: 1s, action: region-outage, region: eu, duration: 1s}]',
    /:\d+:\d+: faults\[0\]\.region: cluster "k" has no broker in region "eu"/,
  ],
];

for (const [name, override, expected] of bad) {
  test(`bad topology input exits 2 with file, line and field: ${name}`, async () => {
    const base: Record<string, string> = {
      regions: 'regions: [us, eu]',
      clusters: 'clusters: [{name: k, system: kafka, region: us}]',
      topics: 'topics: [{name: t}]',
      workload: 'workload: {duration: 5s, rate: 10/s}',
    };
    for (const line of override.split('\n')) base[line.slice(0, line.indexOf(':'))] = line;
    const file = writeScenario(`name: bad-topology\n${Object.values(base).join('\n')}\n`);
    const result = await runCli(['validate', file]);
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(result.stderr, expected);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });
}
