import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInputError } from '../../src/errors.js';
import { buildPlan } from '../../src/plan/plan.js';
import { parseScenario } from '../../src/scenario/load-scenario.js';
import { IDENTITY_POLICY, mirrorMakerProperties } from '../../src/replication/mm2-config.js';
import { describeReplication, targetTopicName } from '../../src/replication/replication-plan.js';

const clusters = `clusters:
  - {name: a, system: kafka}
  - {name: b, system: kafka}
  - {name: c, system: kafka}
  - {name: p, system: pulsar, driver: websocket}
  - {name: q, system: pulsar, driver: websocket}
topics:
  - {name: orders, partitions: 3}
  - {name: audit, cluster: b}
workload: {duration: 10s, rate: 100/s, topics: [orders]}
`;

async function plan(replication: string) {
  return buildPlan(parseScenario(`name: r\n${clusters}replication:\n${replication}`, 'r.yaml'));
}

/** The one-line errors of a rejected plan (file:line:col: field: message). */
async function rejected(replication: string): Promise<string[]> {
  try {
    await plan(replication);
  } catch (error) {
    if (error instanceof InvalidInputError) return error.message.split('\n');
    throw error;
  }
  assert.fail('the plan was accepted');
}

// The replication list starts on line 13 of the scenario (after name, 11 lines of clusters/topics/workload, and `replication:`).
test('a valid replication joins its clusters: one workload on the source, defaults filled in', async () => {
  const p = await plan('  - {from: a, to: b, topics: [orders]}\n');
  assert.equal(p.replication.length, 1);
  const r = p.replication[0]!;
  assert.deepEqual(
    [r.from.name, r.to.name, r.policy, r.syncGroupOffsets, r.checkpointIntervalMs, r.exactlyOnce],
    ['a', 'b', 'identity', true, 1000, false],
  );
  assert.deepEqual(
    p.joined.map((g) => [g.clusters, g.workload]),
    [[['a', 'b'], 'a']],
  );
});

test('replication between clusters of different systems: exit 2 with file, line and field', async () => {
  const [line] = await rejected('  - {from: a, to: p}\n');
  assert.match(
    line!,
    /^r\.yaml:13:\d+: replication\[0\]\.to: replication joins clusters of one system: "a" is kafka, "p" is pulsar/,
  );
});

test('replication from a cluster to itself is refused', async () => {
  const [line] = await rejected('  - {from: a, to: a}\n');
  assert.match(line!, /^r\.yaml:13:\d+: replication\[0\]\.to: a cluster cannot replicate to itself/);
});

test('an unknown cluster is refused with a suggestion', async () => {
  const [line] = await rejected('  - {from: a, to: bb}\n');
  assert.match(line!, /^r\.yaml:13:\d+: replication\[0\]\.to: no cluster named "bb".*did you mean "b"/);
});

test('an unknown topic (or one on another cluster) is refused at its place in the list', async () => {
  const lines = await rejected('  - from: a\n    to: b\n    topics: [orders, audit]\n');
  assert.equal(lines.length, 1);
  assert.match(
    lines[0]!,
    /^r\.yaml:15:\d+: replication\[0\]\.topics\[1\]: no topic "audit" on cluster "a"; its topics: orders/,
  );
});

test('identity policy both ways is a cycle the policy cannot break; the default policy can', async () => {
  const lines = await rejected('  - {from: a, to: b}\n  - {from: b, to: a}\n');
  assert.equal(lines.length, 1);
  assert.match(
    lines[0]!,
    /^r\.yaml:14:\d+: replication\[1\]\.policy: replication cycle b → a → b with the identity policy/,
  );
  const p = await plan('  - {from: a, to: b, policy: default}\n  - {from: b, to: a, policy: default}\n');
  assert.deepEqual(
    p.joined.map((g) => g.clusters),
    [['a', 'b']],
  );
});

test('a longer identity cycle is refused too', async () => {
  const lines = await rejected(
    '  - {from: a, to: b}\n  - {from: b, to: c, policy: default}\n  - {from: c, to: a, policy: default}\n',
  );
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /replication\[2\]\.policy: replication cycle/);
});

test('Pulsar geo-replication: both ways and across a link are fine, renaming is not; exactly-once is not a Pulsar mode', async () => {
  const p = await plan('  - {from: p, to: q}\n  - {from: q, to: p}\n');
  assert.deepEqual(
    p.joined.map((g) => [g.clusters, g.workload]),
    [[['p', 'q'], 'p']],
  );
  const [renamed] = await rejected('  - {from: p, to: q, policy: default}\n');
  assert.match(renamed!, /^r\.yaml:13:\d+: replication\[0\]\.policy: Pulsar geo-replication keeps topic names/);
  const across = buildPlan(
    parseScenario(
      `name: r\nregions: [ra, rb]\nlinks: [{between: [ra, rb], latency: 10ms}]\n${clusters.replace('{name: p, system: pulsar', '{name: p, region: ra, system: pulsar').replace('{name: q, system: pulsar', '{name: q, region: rb, system: pulsar')}replication:\n  - {from: p, to: q}\n`,
      'r.yaml',
    ),
  );
  assert.deepEqual(
    (await across).joined.map((g) => g.clusters),
    [['p', 'q']],
    'its replicator dials the peer through the link (per-region advertised listeners)',
  );
  const [eos] = await rejected('  - {from: p, to: q, exactlyOnce: true}\n');
  assert.match(eos!, /^r\.yaml:13:\d+: replication\[0\]\.exactlyOnce: Pulsar geo-replication has no exactly-once mode/);
});

test('MirrorMaker 2 exactly-once: accepted, said by validate; flows into one target must agree', async () => {
  const p = await plan('  - {from: a, to: b, exactlyOnce: true}\n');
  assert.equal(p.replication[0]!.exactlyOnce, true);
  assert.match(describeReplication(p)[0]!, /MirrorMaker 2, identity naming, exactly-once/);
  assert.match(describeReplication(await plan('  - {from: a, to: b}\n'))[0]!, /at-least-once/);
  const [mixed] = await rejected('  - {from: a, to: b, exactlyOnce: true}\n  - {from: c, to: b}\n');
  assert.match(
    mixed!,
    /^r\.yaml:14:\d+: replication\[1\]\.exactlyOnce: replication\[0\] into "b" has exactlyOnce: true: one MirrorMaker 2 serves each target/,
  );
});

test('MirrorMaker 2 exactly-once properties: KIP-618 on the target worker, KIP-710 REST on loopback, source read committed', async () => {
  const p = await plan('  - {from: a, to: b, exactlyOnce: true}\n');
  const flows = [{ replication: p.replication[0]!, sourceBootstrap: '127.0.0.1:1' }];
  const props = mirrorMakerProperties(
    { name: 'b', bootstrap: '127.0.0.1:2', replicationFactor: 1, restPort: 12345 },
    flows,
  );
  assert.equal(props['b.exactly.once.source.support'], 'enabled');
  assert.equal(props['dedicated.mode.enable.internal.rest'], 'true');
  assert.equal(props.listeners, 'http://127.0.0.1:12345');
  assert.equal(props['a.consumer.isolation.level'], 'read_committed');
  // A killed worker's open transaction holds read-committed readers (and the restarted worker's offset reads)
  // until it aborts: 10 s, not the producer default of 60 s.
  assert.equal(props['b.producer.transaction.timeout.ms'], '10000');
  assert.throws(
    () => mirrorMakerProperties({ name: 'b', bootstrap: 'x', replicationFactor: 1 }, flows),
    /needs a port for its internal REST server/,
  );
  const plain = mirrorMakerProperties({ name: 'b', bootstrap: 'x', replicationFactor: 1 }, [
    { replication: (await plan('  - {from: a, to: b}\n')).replication[0]!, sourceBootstrap: 'y' },
  ]);
  for (const key of [
    'b.exactly.once.source.support',
    'dedicated.mode.enable.internal.rest',
    'listeners',
    'a.consumer.isolation.level',
    'b.producer.transaction.timeout.ms',
  ])
    assert.equal(plain[key], undefined, key);
});

test('a duplicate replication and an unknown field are refused', async () => {
  const [duplicate] = await rejected('  - {from: a, to: b}\n  - {from: a, to: b}\n');
  assert.match(duplicate!, /replication\[1\]: duplicate replication a → b/);
  const [unknown] = await rejected('  - {from: a, to: b, polcy: default}\n');
  assert.match(unknown!, /^r\.yaml:13:\d+: replication\[0\]/);
});

test('a topic whose replication factor the target cannot hold is refused', async () => {
  const text = `name: r\nclusters:\n  - {name: a, system: kafka, brokers: 3}\n  - {name: b, system: kafka}\ntopics: [{name: t, cluster: a, replicationFactor: 3}]\nworkload: {duration: 1s, rate: 1/s}\nreplication: [{from: a, to: b, topics: [t]}]\n`;
  await assert.rejects(
    buildPlan(parseScenario(text, 'r.yaml')),
    /r\.yaml:7:\d+: replication\[0\]\.topics\[0\]: topic "t" has replication factor 3, but target cluster "b" has 1 broker/,
  );
});

test('a replication criterion without replication is refused', async () => {
  try {
    await buildPlan(parseScenario(`name: r\n${clusters}criteria: [replication.lag.p99 < 2s]\n`, 'r.yaml'));
    assert.fail('accepted');
  } catch (error) {
    assert.ok(error instanceof InvalidInputError);
    assert.match(
      error.message,
      /^r\.yaml:12:\d+: criteria\[0\]: a replication figure needs replication: between clusters/,
    );
  }
});

test('target topic names follow the naming policy', () => {
  const from = { name: 'east' } as never;
  assert.equal(targetTopicName({ policy: 'identity', from }, 'orders'), 'orders');
  assert.equal(targetTopicName({ policy: 'default', from }, 'orders'), 'east.orders');
});

test('MirrorMaker 2 properties: the verified settings, the source reached through the given bootstrap', async () => {
  const p = await plan('  - {from: a, to: b, checkpointInterval: 2s}\n');
  const props = mirrorMakerProperties({ name: 'b', bootstrap: '127.0.0.1:2', replicationFactor: 1 }, [
    { replication: p.replication[0]!, sourceBootstrap: '127.0.0.1:1' },
  ]);
  assert.equal(props.clusters, 'a,b');
  assert.equal(props['a.bootstrap.servers'], '127.0.0.1:1');
  assert.equal(props['b.bootstrap.servers'], '127.0.0.1:2');
  assert.equal(props['a->b.enabled'], 'true');
  assert.equal(props['a->b.topics'], 'orders');
  assert.equal(props['b->a.emit.heartbeats.enabled'], 'false');
  assert.equal(props['replication.policy.class'], IDENTITY_POLICY);
  assert.equal(props['plugin.discovery'], 'service_load');
  assert.equal(props['b.plugin.discovery'], 'service_load');
  assert.equal(props['emit.checkpoints.interval.seconds'], '2');
  for (const key of [
    'replication.factor',
    'checkpoints.topic.replication.factor',
    'offset-syncs.topic.replication.factor',
    'config.storage.replication.factor',
  ])
    assert.equal(props[key], '1', key);
  const named = await plan('  - {from: a, to: b, policy: default}\n');
  assert.equal(
    mirrorMakerProperties({ name: 'b', bootstrap: 'x', replicationFactor: 3 }, [
      { replication: named.replication[0]!, sourceBootstrap: 'y' },
    ])['replication.policy.class'],
    undefined,
  );
});
