import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInputError } from '../../src/errors.js';
import { buildPlan } from '../../src/plan/plan.js';
import { describeFailover, planFailovers } from '../../src/replication/failover-plan.js';
import { parseScenario } from '../../src/scenario/load-scenario.js';
import type { Problem } from '../../src/scenario/problems.js';

/** Three Kafka clusters in three regions: east replicates orders to west, west to north (a replica of a replica). */
function scenario(parts: { failover: string; faults?: string; replication?: string; criteria?: string }): string {
  return `name: f
regions: [us-east, eu-west, ap-north]
links:
  - {between: [us-east, eu-west], latency: 40ms}
  - {between: [us-east, ap-north], latency: 40ms}
  - {between: [eu-west, ap-north], latency: 40ms}
clusters:
  - {name: east, system: kafka, region: us-east}
  - {name: west, system: kafka, region: eu-west}
  - {name: north, system: kafka, region: ap-north}
topics:
  - {name: orders}
  - {name: audit}
workload: {warmup: 5s, duration: 40s, rate: 100/s, topics: [orders]}
replication:
${parts.replication ?? '  - {from: east, to: west, topics: [orders]}\n  - {from: west, to: north, topics: [orders]}'}
faults:
${parts.faults ?? '  - {at: 20s, action: region-outage, region: us-east, duration: 10s}'}
failover: ${parts.failover}
criteria: [${parts.criteria ?? ''}]
`;
}

async function plan(parts: Parameters<typeof scenario>[0]) {
  return buildPlan(parseScenario(scenario(parts), 'f.yaml'));
}

/** The one-line errors of a rejected plan (file:line:col: field: message). */
async function rejected(parts: Parameters<typeof scenario>[0]): Promise<string> {
  try {
    await plan(parts);
  } catch (error) {
    if (error instanceof InvalidInputError) return error.message;
    throw error;
  }
  assert.fail('the plan was accepted');
}

test('a failover to a replica is planned at the outage of the source region + after', async () => {
  const p = await plan({ failover: '{to: west, after: 3s}', criteria: 'rto.produce < 30s' });
  const f = p.failovers[0]!;
  assert.deepEqual(
    [f.from, f.to, f.afterMs, f.trigger.faultId, f.trigger.region, f.trigger.atMs, f.switchAtMs],
    ['east', 'west', 3000, 'f1', 'us-east', 20_000, 23_000],
  );
  assert.equal(f.topicOnTarget({ name: 'orders', partitions: 1, replicationFactor: 1, config: {} }).name, 'orders');
});

test('the target topic follows the naming policy of the replication', async () => {
  const p = await plan({
    failover: '{to: west}',
    replication:
      '  - {from: east, to: west, topics: [orders], policy: default}\n  - {from: west, to: north, topics: [orders]}',
  });
  assert.equal(
    p.failovers[0]!.topicOnTarget({ name: 'orders', partitions: 1, replicationFactor: 1, config: {} }).name,
    'east.orders',
  );
  assert.equal(p.failovers[0]!.afterMs, 5000);
});

test('a failover target that is not a replica of the source: exit 2 at failover.to, naming the replicas', async () => {
  const message = await rejected({ failover: '{to: north}' });
  assert.match(
    message,
    /^f\.yaml:20:\d+: failover\.to: "north" is not a replica of "east": no replication east → north; replicas of east: west$/m,
  );
});

test('a failover from a cluster the workload does not run on is refused', async () => {
  const message = await rejected({ failover: '{from: west, to: north}' });
  assert.match(message, /failover\.from: clients run on "east", not on "west"/);
});

test('a replication that does not carry every workload topic cannot take the clients', async () => {
  const message = await rejected({
    failover: '{to: west}',
    replication: '  - {from: east, to: west, topics: [audit]}\n  - {from: west, to: north, topics: [orders]}',
  });
  assert.match(message, /failover\.to: replication east → west does not carry workload topic\(s\) orders/);
});

test('an unknown target, failover to itself, no outage to trigger it, or a switch after producing: each refused with its field', async () => {
  assert.match(
    await rejected({ failover: '{to: wset}' }),
    /failover\.to: no cluster named "wset".*did you mean "west"/,
  );
  assert.match(
    await rejected({ failover: '{to: east}' }),
    /failover\.to: clients cannot fail over from "east" to itself/,
  );
  assert.match(
    await rejected({
      failover: '{to: west}',
      faults: '  - {at: 20s, action: region-outage, region: eu-west, duration: 10s}',
    }),
    /failover: failover is triggered by a region-outage of the source's region \(us-east\)/,
  );
  assert.match(
    await rejected({ failover: '{to: west, after: 30s}' }),
    /failover\.after: clients would move at 50 s .* when producing has ended \(45 s\)/,
  );
});

test('rto criteria without failover are refused', async () => {
  const text = scenario({ failover: '{to: west}', criteria: 'rto.consume < 1m' }).replace(/^failover: .*\n/m, '');
  await assert.rejects(buildPlan(parseScenario(text, 'f.yaml')), /criteria\[0\]: an RTO figure needs failover:/);
});

test('failover without any replication is refused', async () => {
  const text = scenario({ failover: '{to: west}' }).replace(/^replication:\n( {2}- .*\n)+/m, '');
  await assert.rejects(
    buildPlan(parseScenario(text, 'f.yaml')),
    /failover: failover moves clients to a replica of their cluster, and this scenario has no replication/,
  );
});

test("without to, each joined group fails over to its workload cluster's one replica", async () => {
  const p = await plan({ failover: '{after: 2s}' });
  assert.deepEqual(
    p.failovers.map((f) => [f.from, f.to, f.switchAtMs]),
    [['east', 'west', 22_000]],
  );
  const two = await rejected({
    failover: '{after: 2s}',
    replication: '  - {from: east, to: west, topics: [orders]}\n  - {from: east, to: north, topics: [orders]}',
  });
  assert.match(two, /failover: the clients on "east" could move to west or north: name the target \(failover\.to\)/);
});

test('an after that ends once the outage has healed is refused at failover.after (the clients would leave a source that is back)', async () => {
  assert.match(
    await rejected({
      failover: '{to: west, after: 5s}',
      faults: '  - {at: 20s, action: region-outage, region: us-east, duration: 2s}',
    }),
    /^f\.yaml:20:\d+: failover\.after: clients would move at 25 s \(f1 at 20 s \+ after\), when the outage has healed \(22 s\)/m,
  );
});

test('an outage that never heals (untilMs Infinity, or no planned heal) leaves any after that fits in producing', async () => {
  const p = await plan({ failover: '{to: west, after: 5s}' });
  const longAfter = { ...p.scenario, failover: { ...p.scenario.failover!, after: 15_000 } };
  const run = p.runs.find((r) => r.cluster.name === 'east')!;
  for (const untilMs of [Number.POSITIVE_INFINITY, undefined]) {
    const faults = run.faults.map((f) => ({ ...f, durationMs: undefined, untilMs }));
    const problems: Problem[] = [];
    const planned = planFailovers(
      {
        scenario: longAfter,
        topology: p.topology,
        replication: p.replication,
        joined: p.joined,
        faultsOf: (name) => (name === 'east' ? faults : []),
        loadTopicsOf: (name) => p.runs.find((r) => r.cluster.name === name)?.loadTopics ?? [],
      },
      problems,
    );
    assert.deepEqual(problems, []);
    assert.equal(planned[0]!.switchAtMs, 35_000);
  }
});

test('trigger: {noAckFor} plans a measured detection; describe says so', async () => {
  const p = await plan({ failover: '{to: west, trigger: {noAckFor: 3s}}' });
  const f = p.failovers[0]!;
  assert.deepEqual(f.detection, { rule: 'noAckFor', ms: 3000 });
  assert.match(
    describeFailover(f),
    /when the producers have had no acknowledgement for 3000 ms \(detection measured\)/,
  );
  assert.match(
    describeFailover((await plan({ failover: '{to: west, after: 2s}' })).failovers[0]!),
    /2000 ms after f1 is in force/,
  );
});

test('a trigger on a figure clients cannot see, an unknown trigger, after with trigger, or a trigger past the heal: refused with the field', async () => {
  assert.match(
    await rejected({ failover: '{to: west, trigger: {replicationLag: 2s}}' }),
    /^f\.yaml:20:\d+: failover\.trigger\.replicationLag: a failover trigger must be something the clients see, and the replication lag .* is known to the harness only; triggers: noAckFor$/m,
  );
  assert.match(
    await rejected({ failover: '{to: west, trigger: {noAckFr: 2s}}' }),
    /failover\.trigger\.noAckFr: unknown trigger "noAckFr".*did you mean "noAckFor"/,
  );
  assert.match(
    await rejected({ failover: '{to: west, after: 2s, trigger: {noAckFor: 2s}}' }),
    /failover\.after: give after .* or trigger .*, not both/,
  );
  assert.match(await rejected({ failover: '{to: west, trigger: {}}' }), /failover\.trigger: name the rule/);
  assert.match(
    await rejected({ failover: '{to: west, trigger: {noAckFor: 12s}}' }),
    /failover\.trigger\.noAckFor: clients would move at 32 s \(f1 at 20 s \+ trigger\), when the outage has healed \(30 s\)/,
  );
});

test('rto.consume and rto.consumedAgain with consumers: 0 are refused at the criterion: no consumer moves', async () => {
  const text = scenario({ failover: '{to: west}', criteria: "'rto.produce < 30s', 'rto.consume < 60s'" }).replace(
    'topics: [orders]}',
    'topics: [orders], consumers: 0}',
  );
  await assert.rejects(
    buildPlan(parseScenario(text, 'f.yaml')),
    /criteria\[1\]: an RTO consume figure needs consumers that move to the replica, and this workload has consumers: 0/,
  );
});
