import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCriterion, resultPath } from '../../src/criteria/criterion.js';
import { regionToxics } from '../../src/net/region-links.js';
import type { Problem } from '../../src/scenario/problems.js';
import { parseScenario } from '../../src/scenario/load-scenario.js';
import { describeTopology, linkBetween, resolveTopology } from '../../src/topology/topology.js';

const base = `
topics: [{name: t, partitions: 3}]
workload: {duration: 10s, rate: 100/s}
`;

function resolve(yaml: string) {
  const { scenario } = parseScenario(`name: x\n${yaml}${base}`);
  const problems: Problem[] = [];
  return { topology: resolveTopology(scenario, problems), problems };
}

test('no regions: one implicit region, no link, nothing to show', () => {
  const { topology, problems } = resolve('clusters: [{name: k, system: kafka, brokers: 3}]\n');
  assert.deepEqual(problems, []);
  assert.equal(topology.implicit, true);
  assert.deepEqual(topology.clusters.get('k')!.brokerRegions, ['local', 'local', 'local']);
  assert.deepEqual(describeTopology(topology), []);
});

test('a stretched cluster, links both ways and one asymmetric pair, clients placed', () => {
  const { topology, problems } = resolve(`regions: [us, eu, ap]
links:
  - {between: [us, eu], latency: 30ms}
  - {between: [us, ap], latency: 80ms, jitter: 5ms}
  - {from: eu, to: ap, latency: 120ms}
  - {from: ap, to: eu, latency: 110ms, bandwidth: 1MB}
clusters: [{name: k, system: kafka, brokers: 3, regions: [us, eu, ap]}]
`);
  assert.deepEqual(problems, []);
  assert.deepEqual(topology.clusters.get('k')!.brokerRegions, ['us', 'eu', 'ap']);
  assert.equal(linkBetween(topology, 'eu', 'us')!.latencyMs, 30);
  assert.equal(linkBetween(topology, 'ap', 'eu')!.latencyMs, 110);
  assert.equal(linkBetween(topology, 'ap', 'eu')!.bandwidthBytesPerSec, 1_000_000);
  assert.equal(linkBetween(topology, 'us', 'us'), undefined, 'inside a region is free');
  assert.deepEqual(topology.producerRegions, ['us'], 'clients default to the region of broker 1');
  assert.ok(describeTopology(topology).some((line) => line.includes('broker-2@eu')));
});

test('bad topology input names the field', () => {
  const { problems } = resolve(`regions: [us, eu]
links:
  - {between: [us, mars], latency: 30ms}
  - {between: [us, eu], latency: 30ms}
  - {from: us, to: eu, latency: 40ms}
  - {from: eu, to: eu, latency: 1ms}
clusters: [{name: k, system: kafka, brokers: 2, regions: [us, eu, ap]}]
`);
  const messages = problems.map((p) => `${p.path.join('.')}: ${p.message}`);
  assert.ok(
    messages.some((m) => /^links\.0\.between\.1: no region named "mars"/.test(m)),
    messages.join('\n'),
  );
  assert.ok(
    messages.some((m) => /^links\.2: duplicate link us → eu: links\[1\]/.test(m)),
    messages.join('\n'),
  );
  assert.ok(
    messages.some((m) => /^links\.3: .*itself/.test(m)),
    messages.join('\n'),
  );
  assert.ok(
    messages.some((m) => /^clusters\.0\.regions\.2: no region named "ap"/.test(m)),
    messages.join('\n'),
  );
  assert.ok(
    messages.some((m) => /^clusters\.0\.regions: 3 regions for 2 broker/.test(m)),
    messages.join('\n'),
  );
});

test('regions that traffic crosses need a link; clients in unknown regions are refused', () => {
  const { problems } = resolve(`regions: [us, eu]
clusters: [{name: k, system: kafka, brokers: 1, region: us}]
`);
  assert.deepEqual(problems, [], 'one region used, no link needed');
  const { scenario } = parseScenario(`name: x
regions: [us, eu]
clusters: [{name: k, system: kafka, brokers: 1, region: us}]
topics: [{name: t}]
workload: {duration: 10s, rate: 100/s, placement: {producers: [eu], consumers: [asia]}}
`);
  const found: Problem[] = [];
  resolveTopology(scenario, found);
  const messages = found.map((p) => `${p.path.join('.')}: ${p.message}`);
  assert.ok(
    messages.some((m) => /^workload\.placement\.consumers\.0: no region named "asia"/.test(m)),
    messages.join('\n'),
  );
  assert.ok(
    messages.some((m) => /^links: traffic crosses eu → us, us → eu/.test(m)),
    messages.join('\n'),
  );
});

test('region links cost each direction its own figure; a link inside a region costs nothing', () => {
  const { topology } = resolve(`regions: [us, eu]
links:
  - {from: us, to: eu, latency: 40ms, jitter: 2ms, bandwidth: 1MB}
  - {from: eu, to: us, latency: 45ms}
clusters: [{name: k, system: kafka, brokers: 2, regions: [us, eu]}]
`);
  const brokerRegions = topology.clusters.get('k')!.brokerRegions;
  assert.deepEqual(regionToxics({ from: 1, to: 2 }, brokerRegions, topology), [
    { type: 'latency', attributes: { latency: 40, jitter: 2 }, stream: 'upstream' },
    { type: 'bandwidth', attributes: { rate: 1000 }, stream: 'upstream' },
    { type: 'latency', attributes: { latency: 45, jitter: 0 }, stream: 'downstream' },
  ]);
  assert.deepEqual(
    regionToxics({ from: 'clients', to: 1 }, brokerRegions, topology),
    [],
    'clients sit with broker 1 by default',
  );
  assert.equal(regionToxics({ from: 'clients', to: 2, clientRegion: 'us' }, brokerRegions, topology).length, 3);
});

test('regional criteria: a region pair for end-to-end, a region for publish, checked names', () => {
  const criterion = parseCriterion('latency.endToEnd[us-east->eu-west].p99 < 300ms');
  assert.deepEqual(criterion.regions, { from: 'us-east', to: 'eu-west' });
  assert.equal(criterion.threshold, 300);
  assert.deepEqual(resultPath(criterion), ['byRegion', 'endToEnd', 'us-east->eu-west', 'p99']);
  assert.deepEqual(resultPath(parseCriterion('throughput.produced[us].messagesPerSec > 10')), [
    'byRegion',
    'produced',
    'us',
    'messagesPerSec',
  ]);
  assert.throws(() => parseCriterion('latency.endToEnd[us].p99 < 1s'), /producing → consuming region pair/);
  assert.throws(() => parseCriterion('latency.publish[us->eu].p99 < 1s'), /per producing region/);
  assert.throws(() => parseCriterion('messages.sent[us] == 0'), /the same for every group/);
  assert.throws(() => parseCriterion('errors.total[us] == 0'), /region selector goes on/);
});

test('a link bandwidth Toxiproxy cannot set exactly is refused, as for bandwidth faults', () => {
  const { problems } = resolve(`regions: [us, eu]
links: [{between: [us, eu], latency: 10ms, bandwidth: 1MiB}]
clusters: [{name: k, system: kafka, brokers: 2, regions: [us, eu]}]
`);
  assert.ok(
    problems.some(
      (p) => p.path.join('.') === 'links.0.bandwidth' && /whole KB\/s .*use 1048KB or 1049KB/.test(p.message),
    ),
    JSON.stringify(problems),
  );
});
