/**
 * Region faults cut every path they name, whichever cluster's proxy carries it — replication included. The run's
 * clusters are planned from a scenario, their paths named and placed as the providers and the running topology
 * build them (real ProxiedNetwork naming over a stand-in Toxiproxy API, each cluster's client regions from
 * RunningTopology), each cluster's Toxiproxy a fake that keeps which proxies are enabled, and the run's injector
 * plays the faults on mock timers. Where a replicator dials is the code's own answer: Pulsar's peer registration,
 * MirrorMaker 2's source path from the target's region.
 */
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { proxiedLinkSpecs } from '../../src/cluster/kafka/kafka-node-config.js';
import { pulsarEndpoints, pulsarLinkSpecs } from '../../src/cluster/pulsar/local-pulsar.js';
import type { RunningCluster } from '../../src/cluster/provider.js';
import { FaultInjector } from '../../src/faults/fault-injector.js';
import type { Collector } from '../../src/metrics/collector.js';
import { type Link, ProxiedNetwork } from '../../src/net/proxied-network.js';
import { RunNetwork } from '../../src/net/run-network.js';
import { buildPlan } from '../../src/plan/plan.js';
import { peerRegistration } from '../../src/replication/pulsar-geo-replication.js';
import { RunningTopology } from '../../src/run/running-topology.js';
import { parseScenario } from '../../src/scenario/load-scenario.js';
import { FakeNetwork, flush } from './fault-fakes.js';

interface Built {
  topology: RunningTopology;
  clusters: Map<string, RunningCluster>;
  networks: Map<string, FakeNetwork>;
  injector: FaultInjector;
  /** Moves the mock clock to `ms`. */
  advanceTo: (ms: number) => Promise<void>;
  /** Whether `link` (of cluster `name`) is cut now. */
  isCut: (name: string, link: Link | undefined) => boolean;
}

/** Builds the run of `yaml` (joined clusters) with fake Toxiproxies and starts its injector on mock timers. */
async function build(yaml: string): Promise<Built> {
  const plan = await buildPlan(parseScenario(yaml, 'paths.yaml'));
  const joined = plan.joined[0]!;
  const runs = plan.runs.filter((r) => joined.clusters.includes(r.cluster.name));
  const topology = new RunningTopology(plan, runs, joined, {} as never);
  const clusters = new Map<string, RunningCluster>();
  const networks = new Map<string, FakeNetwork>();
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  const now = () => Date.now();
  for (const run of runs) {
    const name = run.cluster.name;
    const regions = topology.regionsFor(run)!;
    // The proxies' names as a run of several clusters gives them (running-topology.ts), over a stand-in API.
    const naming = new ProxiedNetwork({ createProxy: async () => ({}) } as never, `${name}.`);
    const ports = Array.from({ length: 1000 }, (_, i) => 20_000 + i);
    const links = await naming.addLinks(
      run.cluster.system === 'pulsar'
        ? pulsarLinkSpecs({ web: 1, regionPorts: regions.clientRegions.map((_, k) => 2 + k) }, regions.clientRegions)
        : proxiedLinkSpecs(run.cluster.brokers, ports, regions.clientRegions),
    );
    const endpointsByRegion = Object.fromEntries(
      regions.clientRegions.map((region) => [
        region,
        run.cluster.system === 'pulsar'
          ? pulsarEndpoints(links, { broker: 1, web: 1 }, region)
          : {
              bootstrap: links
                .filter((l) => l.kind === 'client' && l.clientRegion === region)
                .map((l) => `127.0.0.1:${l.listenPort}`)
                .join(','),
            },
      ]),
    );
    const cluster = {
      spec: run.cluster,
      version: 'test',
      endpoints: endpointsByRegion[regions.clientRegions[0]!]!,
      endpointsByRegion,
      brokers: [],
      links,
      stop: async () => {},
    } satisfies RunningCluster;
    const network = new FakeNetwork(links, now);
    clusters.set(name, cluster);
    networks.set(name, network);
    topology.members.set(name, { run, cluster, network: network.asNetwork(), regions });
  }
  const workload = topology.workloadRun;
  const collector = {
    recovery: {
      watch: () => 0,
      figures: () => ({ firstAckMs: null, throughputRecoveredMs: null, consumerResumedMs: null }),
    },
  } as unknown as Collector;
  const injector = new FaultInjector(workload.faults, clusters.get(workload.cluster.name)!, {
    clock: now,
    collector,
    ...topology.faultNetwork(),
    random: () => 0,
    log: () => {},
  });
  injector.start();
  const advanceTo = async (ms: number) => {
    await flush();
    while (Date.now() < ms) {
      mock.timers.tick(Math.min(50, ms - Date.now()));
      await flush();
    }
  };
  const isCut = (name: string, link: Link | undefined) => {
    assert.ok(link, `cluster ${name} has the path`);
    return networks.get(name)!.enabled.get(link.name) === false;
  };
  return { topology, clusters, networks, injector, advanceTo, isCut };
}

/** The proxy listening on the port of `url` (where a replicator dials). */
function proxyAt(cluster: RunningCluster, url: string | undefined): Link | undefined {
  const port = Number(/:(\d+)\/?$/.exec(url ?? '')?.[1]);
  return cluster.links!.find((l) => l.listenPort === port);
}

const pair = (system: 'pulsar' | 'kafka', faults: string, source = '{name: east, region: us-east}') => `name: paths
regions: [us-east, eu-west]
links: [{between: [us-east, eu-west], latency: 30ms}]
clusters:
  - ${source.replace('}', `, system: ${system}${system === 'pulsar' ? ', driver: websocket' : ''}}`)}
  - {name: west, system: ${system}, region: eu-west${system === 'pulsar' ? ', driver: websocket' : ''}}
topics: [{name: orders, cluster: east, partitions: 1}]
replication: [{from: east, to: west, topics: [orders]}]
workload: {warmup: 0s, duration: 6s, rate: 100/s, placement: {producers: [us-east], consumers: [us-east]}}
faults:
${faults}
`;

test("Pulsar geo-replication: a link-down and an isolate of the source's region cut the replicator's push into the peer's proxy", async (t) => {
  t.after(() => mock.timers.reset());
  const run = await build(
    pair(
      'pulsar',
      [
        '  - {at: 1s, action: link-down, between: [us-east, eu-west], duration: 1s}',
        '  - {at: 3s, action: region-outage, region: us-east, mode: isolate, duration: 1s}',
      ].join('\n'),
    ),
  );
  const east = run.clusters.get('east')!;
  const west = run.clusters.get('west')!;
  // Where each side's replicator dials its peer (the registration each cluster is given: its peer's path from
  // its own region) — the peer's proxies.
  const eastPush = peerRegistration(west, 'us-east');
  const westPush = peerRegistration(east, 'eu-west');
  const pushes = [
    ['west', proxyAt(west, eastPush.brokerServiceUrl)],
    ['west', proxyAt(west, eastPush.serviceUrl)],
    ['east', proxyAt(east, westPush.brokerServiceUrl)],
    ['east', proxyAt(east, westPush.serviceUrl)],
  ] as const;
  const producers = proxyAt(east, east.endpointsByRegion!['us-east']!.bootstrap);
  const targetReader = proxyAt(west, west.endpointsByRegion!['eu-west']!.bootstrap);

  await run.advanceTo(1_500);
  for (const [owner, link] of pushes)
    assert.ok(run.isCut(owner, link), `link-down: ${owner}/${link?.name} (a replicator's push across the pair) cut`);
  assert.ok(!run.isCut('east', producers), "link-down: the producers' path inside us-east stays open");
  assert.ok(!run.isCut('west', targetReader), 'link-down: the target reader inside eu-west stays open');

  await run.advanceTo(2_500);
  assert.deepEqual(
    [...run.networks.values()].flatMap((n) => n.cut()),
    [],
    'healed: every path open again',
  );

  await run.advanceTo(3_500);
  assert.deepEqual(
    run.networks.get('east')!.cut().sort(),
    east.links!.map((l) => l.name).sort(),
    'isolate us-east: every path of the us-east cluster cut',
  );
  assert.ok(run.isCut('west', pushes[0][1]), "isolate us-east: east's push into west cut");
  assert.ok(run.isCut('west', pushes[1][1]), "isolate us-east: east's lookups on west cut");
  assert.ok(!run.isCut('west', targetReader), 'isolate us-east: paths inside eu-west stay open');
  await run.injector.healAll();
});

test('MirrorMaker 2 and clients in an isolated region lose every path out of it, in every cluster; a link-down cuts its read', async (t) => {
  t.after(() => mock.timers.reset());
  // The source stretched over both regions (broker-2 in eu-west, so the region holds a source broker), the target
  // in eu-west with MirrorMaker 2 beside it, producers in both regions.
  const run = await build(
    pair(
      'kafka',
      [
        '  - {at: 1s, action: link-down, between: [us-east, eu-west], duration: 1s}',
        '  - {at: 3s, action: region-outage, region: eu-west, mode: isolate, duration: 1s}',
      ].join('\n'),
      '{name: east, brokers: 2, regions: [us-east, eu-west]}',
    ).replace('producers: [us-east]', 'producers: [us-east, eu-west]'),
  );
  const east = run.clusters.get('east')!;
  const west = run.clusters.get('west')!;
  // MirrorMaker 2 runs in the target's region and reads the source through the source's paths from there
  // (running-topology.ts: endpointsFrom(source, regionOf(target))).
  const mm2Region = run.topology.regionOf('west')!;
  assert.equal(mm2Region, 'eu-west');
  const mm2ReadsBroker1 = east.links!.find((l) => l.clientRegion === mm2Region && l.to === 1);
  const euProducersToBroker1 = mm2ReadsBroker1; // the same path: clients in eu-west to broker-1 (us-east)
  const usProducersToBroker1 = east.links!.find((l) => l.clientRegion === 'us-east' && l.to === 1);

  await run.advanceTo(1_500);
  assert.ok(run.isCut('east', mm2ReadsBroker1), "link-down: MirrorMaker 2's read of broker-1 across the pair cut");
  assert.ok(!run.isCut('east', usProducersToBroker1), 'link-down: paths inside us-east stay open');

  await run.advanceTo(3_500);
  assert.ok(run.isCut('east', mm2ReadsBroker1), "isolate eu-west: MirrorMaker 2's read of the us-east broker cut");
  assert.ok(run.isCut('east', euProducersToBroker1), 'isolate eu-west: eu-west producers to the us-east broker cut');
  assert.deepEqual(
    run.networks.get('west')!.cut().sort(),
    west.links!.map((l) => l.name).sort(),
    'isolate eu-west: every path of the eu-west target cut (MirrorMaker 2 writing, readers, us-east clients)',
  );
  assert.ok(!run.isCut('east', usProducersToBroker1), 'isolate eu-west: paths inside us-east stay open');
  const peers = east.links!.filter((l) => l.kind !== 'client');
  assert.ok(peers.length > 0 && peers.every((l) => run.isCut('east', l)), 'the broker links across the pair cut');
  await run.injector.healAll();
  assert.deepEqual(
    [...run.networks.values()].flatMap((n) => n.cut()),
    [],
    'healAll opens every cluster’s paths',
  );
});

test("the run's switch sends each path to its cluster's Toxiproxy and refuses two paths of one name", async () => {
  const link = (name: string): Link => ({
    name,
    kind: 'client',
    from: 'clients',
    to: 1,
    listenPort: 1,
    upstreamPort: 2,
  });
  const a = new FakeNetwork([link('a.x')], () => 0);
  const b = new FakeNetwork([link('b.x')], () => 0);
  const network = new RunNetwork([
    { paths: { cluster: 'a', links: [link('a.x')], brokerRegions: ['r'] }, network: a.asNetwork() },
    { paths: { cluster: 'b', links: [link('b.x')], brokerRegions: ['s'] }, network: b.asNetwork() },
  ]);
  await network.setEnabled([link('a.x'), link('b.x')], false);
  assert.deepEqual([a.cut(), b.cut()], [['a.x'], ['b.x']]);
  const toxic = { type: 'latency', attributes: { latency: 100, jitter: 0 }, stream: 'upstream' } as const;
  await network.addToxic('f1', [link('a.x'), link('b.x')], toxic);
  assert.deepEqual(
    [[...a.toxics.keys()], [...b.toxics.keys()]],
    [['f1-latency-upstream@a.x'], ['f1-latency-upstream@b.x']],
  );
  await network.removeToxics('f1');
  assert.deepEqual([a.toxics.size, b.toxics.size], [0, 0], "a fault's toxics removed from every cluster's Toxiproxy");
  await network.healAll();
  assert.deepEqual([a.cut(), b.cut()], [[], []]);
  assert.throws(
    () =>
      new RunNetwork([
        { paths: { cluster: 'a', links: [link('x')], brokerRegions: [] }, network: a.asNetwork() },
        { paths: { cluster: 'b', links: [link('x')], brokerRegions: [] }, network: b.asNetwork() },
      ]),
    /two clusters of the run have a proxied path named x/,
  );
});
