/**
 * Region faults planned from a scenario (the same loader and checks as a run) and the links they touch on the
 * link set a stretched three-region cluster is built with.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { proxiedLinkSpecs } from '../../src/cluster/kafka/kafka-node-config.js';
import { linksOf, regionLinksOf, toxicsOf } from '../../src/faults/fault-links.js';
import type { Link } from '../../src/net/proxied-network.js';
import type { ClusterPaths } from '../../src/net/run-network.js';
import { planned } from './fault-fakes.js';

const stretched = (faults: string) => `name: regions-unit
regions: [us, eu, ap]
links:
  - {between: [us, eu], latency: 30ms}
  - {between: [us, ap], latency: 80ms}
  - {between: [eu, ap], latency: 120ms}
clusters: [{name: main, system: kafka, brokers: 3, regions: [us, eu, ap]}]
topics: [{name: t, partitions: 3, replicationFactor: 3}]
workload: {duration: 20s, rate: 100/s, placement: {producers: [us], consumers: [eu]}}
faults:
${faults}
`;

/** The links of the three-broker cluster with clients in us and eu, as the provider builds them. */
function links(): Link[] {
  const ports = Array.from({ length: 3 * (2 + 2 * 3) }, (_, i) => 20_000 + i);
  return proxiedLinkSpecs(3, ports, ['us', 'eu']).map((s, i) => ({
    ...s,
    listenPort: 30_000 + i,
    name: `${s.kind}-${s.clientRegion ?? s.from}-to-${s.to}`,
  }));
}

const names = (list: Link[]) => list.map((l) => l.name).sort();

test('link-down cuts every path between the two regions, both directions, and nothing else', async () => {
  const [fault] = await planned(stretched('  - {at: 1s, action: link-down, between: [us, eu], duration: 5s}'));
  assert.deepEqual(names(linksOf(fault!, [], links())), [
    'client-eu-to-1', // eu clients → the us broker
    'client-us-to-2', // us clients → the eu broker
    'controller-1-to-2',
    'controller-2-to-1',
    'peer-1-to-2',
    'peer-2-to-1',
  ]);
});

test("region-outage: kill takes the region's brokers; isolate cuts every link to and from them", async () => {
  const [kill] = await planned(stretched('  - {at: 1s, action: region-outage, region: ap, duration: 5s}'));
  assert.deepEqual(kill!.target, { kind: 'region', region: 'ap', ids: [3] });
  assert.equal(kill!.mode, 'kill');
  const [isolate] = await planned(
    stretched('  - {at: 1s, action: region-outage, region: ap, mode: isolate, duration: 5s}'),
  );
  const cut = linksOf(isolate!, [3], links());
  assert.equal(cut.length, 2 + 4 + 4, 'two client links to broker 3, its replication and quorum links both ways');
  assert.ok(cut.every((l) => l.to === 3 || l.from === 3));
});

test('region-outage isolate of a region with clients: their paths to every broker are cut too, as the region goes dark', async () => {
  const [isolate] = await planned(
    stretched('  - {at: 1s, action: region-outage, region: us, mode: isolate, duration: 5s}'),
  );
  assert.deepEqual(names(linksOf(isolate!, [1], links())), [
    'client-eu-to-1', // eu clients → the us broker
    'client-us-to-1', // us clients → their own region's broker: nothing in the region is reachable
    'client-us-to-2', // us clients → the eu and ap brokers: the clients placed in us are cut off too
    'client-us-to-3',
    'controller-1-to-2',
    'controller-1-to-3',
    'controller-2-to-1',
    'controller-3-to-1',
    'peer-1-to-2',
    'peer-1-to-3',
    'peer-2-to-1',
    'peer-3-to-1',
  ]);
});

test("link-degrade adds its latency each way on the pair's links and refuses a degrade that changes nothing", async () => {
  const [fault] = await planned(
    stretched('  - {at: 1s, action: link-degrade, between: [eu, ap], latency: 100ms, jitter: 5ms, duration: 5s}'),
  );
  assert.deepEqual(toxicsOf(fault!), [
    { type: 'latency', attributes: { latency: 100, jitter: 5 }, stream: 'upstream' },
    { type: 'latency', attributes: { latency: 100, jitter: 5 }, stream: 'downstream' },
  ]);
  assert.deepEqual(names(linksOf(fault!, [], links())), [
    'client-eu-to-3',
    'controller-2-to-3',
    'controller-3-to-2',
    'peer-2-to-3',
    'peer-3-to-2',
  ]);
  await assert.rejects(
    planned(stretched('  - {at: 1s, action: link-degrade, between: [eu, ap], duration: 5s}')),
    /link-degrade needs latency: .* or rate:/,
  );
});

test('region faults name known regions, and a scenario without regions has none to name', async () => {
  await assert.rejects(
    planned(stretched('  - {at: 1s, action: link-down, between: [us, mars], duration: 5s}')),
    /faults\[0\]\.between: no region named "mars"/,
  );
  await assert.rejects(
    planned(stretched('  - {at: 1s, action: region-outage, region: us, target: broker-1, duration: 5s}')),
    /faults\[0\]\.target: region-outage takes no target/,
  );
  await assert.rejects(
    planned(
      `name: flat\nclusters: [{name: main, system: kafka}]\ntopics: [{name: t}]\nworkload: {duration: 5s, rate: 10/s}\nfaults: [{at: 1s, action: link-down, between: [a, b], duration: 1s}]\n`,
    ),
    /faults\[0\]\.action: link-down names regions, and this scenario declares none/,
  );
});

test('a nemesis may pick region faults: a region that holds brokers, or a linked pair', async () => {
  const faults = await planned(
    `${stretched('  []')}nemesis: {every: 4s, actions: [region-outage, link-down], seed: 3, duration: 2s}\n`.replace(
      'faults:\n  []\n',
      '',
    ),
  );
  assert.ok(faults.length >= 3);
  for (const fault of faults) {
    if (fault.action === 'region-outage')
      assert.ok(['us', 'eu', 'ap'].includes((fault.target as { region: string }).region));
    else assert.equal(fault.between?.length, 2);
  }
});

/** A 1-broker Kafka pair: source a in us, replica b in eu (MirrorMaker 2 beside it), a third region ap empty. */
const pairIn = (faults: string, o: { consumers?: string; placement?: string } = {}) => `name: pair-unit
regions: [us, eu, ap]
links:
  - {between: [us, eu], latency: 30ms}
  - {between: [us, ap], latency: 80ms}
  - {between: [eu, ap], latency: 120ms}
clusters:
  - {name: a, system: kafka, brokers: 1, region: us}
  - {name: b, system: kafka, brokers: 1, region: eu}
topics: [{name: t, cluster: a, partitions: 1}]
replication: [{from: a, to: b, topics: [t]}]
workload: {duration: 20s, rate: 100/s${o.consumers ? `, consumers: ${o.consumers}` : ''}, placement: ${o.placement ?? '{producers: [us], consumers: [us]}'}}
faults:
${faults}
`;

/** A cluster's paths as a run builds them: client paths from each client region, then broker links. */
function pathsOf(cluster: string, brokerRegions: string[], clientRegions: string[]): ClusterPaths {
  const ports = Array.from({ length: 1000 }, (_, i) => 20_000 + i);
  const links = proxiedLinkSpecs(brokerRegions.length, ports, clientRegions).map((s, i) => ({
    ...s,
    listenPort: 30_000 + i,
    name: `${cluster}.${s.kind}-${s.clientRegion ?? s.from}-to-${s.to}`,
  }));
  return { cluster, links, brokerRegions };
}

test("region-outage isolate of the replica's region, where the workload cluster has no broker, is planned and cuts MirrorMaker 2's read", async () => {
  const [isolate] = await planned(
    pairIn('  - {at: 1s, action: region-outage, region: eu, mode: isolate, duration: 5s}'),
  );
  assert.deepEqual(isolate!.target, { kind: 'region', region: 'eu', ids: [] }, 'no broker of a to take down');
  assert.equal(isolate!.mode, 'isolate');
  // Both clusters are reached from us (the workload's clients) and eu (MirrorMaker 2 and the target's reader).
  const paths = [pathsOf('a', ['us'], ['us', 'eu']), pathsOf('b', ['eu'], ['us', 'eu'])];
  assert.deepEqual(names(regionLinksOf(isolate!, paths)), [
    'a.client-eu-to-1', // MirrorMaker 2 (in eu) reading the source: replication cut
    'b.client-eu-to-1', // inside eu: MirrorMaker 2 writing, the target's reader
    'b.client-us-to-1', // us clients → the replica
  ]);
});

test('region-outage: kill needs brokers of the workload cluster in the region; isolate needs something of the run there', async () => {
  await assert.rejects(
    planned(pairIn('  - {at: 1s, action: region-outage, region: eu, mode: kill, duration: 5s}')),
    /faults\[0\]\.region: cluster "a" has no broker in region "eu" \(its brokers sit in us\): mode kill takes down its brokers there; to cut the region off from the rest \(brokers of "b"\), use mode: isolate/,
  );
  await assert.rejects(
    planned(pairIn('  - {at: 1s, action: region-outage, region: ap, mode: isolate, duration: 5s}')),
    /faults\[0\]\.region: nothing of the run sits in region "ap": no broker of "a", "b", no producer or consumer, no replicator/,
  );
  await assert.rejects(
    planned(pairIn('  - {at: 1s, action: region-outage, region: ap, duration: 5s}')),
    /faults\[0\]\.region: cluster "a" has no broker in region "ap" \(its brokers sit in us\): mode kill takes down its brokers there$/,
  );
  // Clients alone are something to cut off: consumers in ap, but not a consumer region with no consumers.
  const [clients] = await planned(
    pairIn('  - {at: 1s, action: region-outage, region: ap, mode: isolate, duration: 5s}', {
      placement: '{producers: [us], consumers: [us, ap]}',
    }),
  );
  assert.deepEqual(clients!.target, { kind: 'region', region: 'ap', ids: [] });
  await assert.rejects(
    planned(
      pairIn('  - {at: 1s, action: region-outage, region: ap, mode: isolate, duration: 5s}', {
        consumers: '0',
        placement: '{producers: [us], consumers: [ap]}',
      }),
    ),
    /nothing of the run sits in region "ap"/,
  );
});

/** A 3-broker source a (two in us, one in eu) and its replica b in eu: MirrorMaker 2 runs in eu, beside b. */
const stretchedPair = (faults: string) => `name: stretched-pair-unit
regions: [us, eu]
links: [{between: [us, eu], latency: 30ms}]
clusters:
  - {name: a, system: kafka, brokers: 3, regions: [us, us, eu]}
  - {name: b, system: kafka, brokers: 1, region: eu}
topics: [{name: t, cluster: a, partitions: 1, replicationFactor: 1}]
replication: [{from: a, to: b, topics: [t]}]
workload: {duration: 20s, rate: 100/s, placement: {producers: [us], consumers: [us]}}
faults:
${faults}
`;

test("region-outage kill takes down every process of the run in the region: other clusters' brokers and MirrorMaker 2 there", async () => {
  const [eu] = await planned(stretchedPair('  - {at: 1s, action: region-outage, region: eu, duration: 5s}'));
  assert.deepEqual(eu!.target, {
    kind: 'region',
    region: 'eu',
    ids: [3],
    peers: [{ cluster: 'b', ids: [1] }],
    mirrorMakers: ['b'],
  });
  const [us] = await planned(stretchedPair('  - {at: 1s, action: region-outage, region: us, duration: 5s}'));
  assert.deepEqual(us!.target, { kind: 'region', region: 'us', ids: [1, 2] }, 'nothing else of the run sits in us');
  const [isolate] = await planned(
    stretchedPair('  - {at: 1s, action: region-outage, region: eu, mode: isolate, duration: 5s}'),
  );
  assert.deepEqual(isolate!.target, { kind: 'region', region: 'eu', ids: [3] }, 'isolate kills nothing');
  await assert.rejects(
    planned(
      stretchedPair(
        '  - {at: 1s, action: region-outage, region: eu, duration: 5s}\n  - {at: 2s, action: pause, target: "mirrormaker(b)", duration: 1s}',
      ),
    ),
    /faults\[1\]: pause on mirrormaker\(b\) at 2 s overlaps faults\[0\] \(region-outage on region\(eu\) at 1 s\)/,
  );
});
