/** replicator: external — planned (no MirrorMaker 2 of faultline's, no fault may target one) and its bad input. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInputError } from '../../src/errors.js';
import { buildPlan } from '../../src/plan/plan.js';
import { describeReplication } from '../../src/replication/replication-plan.js';
import { parseScenario } from '../../src/scenario/load-scenario.js';

const kafka = `name: r
clusters:
  - {name: a, system: kafka, provider: external, bootstrap: "127.0.0.1:62291"}
  - {name: b, system: kafka, provider: external, bootstrap: "127.0.0.1:62292"}
  - {name: c, system: kafka}
topics:
  - {name: orders, cluster: a, partitions: 3}
  - {name: logs, cluster: c}
workload: {duration: 10s, rate: 100/s, topics: [orders, logs]}
`;
const pulsar = `name: r
clusters:
  - {name: p, system: pulsar, driver: websocket}
  - {name: q, system: pulsar, driver: websocket}
topics:
  - {name: orders, cluster: p}
workload: {duration: 10s, rate: 100/s}
`;

const plan = (rest: string, head = kafka) => buildPlan(parseScenario(`${head}${rest}`, 'r.yaml'));

async function rejected(rest: string, head = kafka): Promise<string> {
  try {
    await plan(rest, head);
  } catch (error) {
    if (error instanceof InvalidInputError) return error.message;
    throw error;
  }
  assert.fail('the plan was accepted');
}

const both =
  'replication:\n  - {from: a, to: b, topics: [orders], replicator: external}\n  - {from: c, to: b, topics: [logs]}\n';

test('replicator: external is planned as measured only; the default is faultline’s own MirrorMaker 2', async () => {
  const p = await plan(both.replace('[logs]}', '[logs], replicator: external}'));
  assert.deepEqual(
    p.replication.map((r) => r.external),
    [true, true],
  );
  assert.match(
    describeReplication(p).join('\n'),
    /a → b: orders \(an external MirrorMaker 2 \(faultline measures it\)/,
  );
  const own = await plan(both.replace(', replicator: external', ''));
  assert.deepEqual(
    own.replication.map((r) => r.external),
    [undefined, undefined],
  );
});

test('replicator: external refused for Pulsar, with exactlyOnce, and mixed with faultline’s into one target (exit 2, line and field)', async () => {
  assert.equal(
    await rejected('replication:\n  - {from: p, to: q, replicator: external}\n', pulsar),
    'r.yaml:9:34: replication[0].replicator: Pulsar geo-replication is set up by faultline on the clusters themselves: replicator: external is for a MirrorMaker 2 that already runs (Kafka)',
  );
  assert.match(
    await rejected(both.replace('replicator: external', 'replicator: external, exactlyOnce: true')),
    /^r\.yaml:11:\d+: replication\[0\]\.exactlyOnce: exactlyOnce configures the MirrorMaker 2 faultline starts; with replicator: external, its own configuration decides/m,
  );
  assert.equal(
    await rejected(both),
    'r.yaml:12:5: replication[1].replicator: replication[0] into "b" has replicator: external: one MirrorMaker 2 serves each target, so every replication into it must agree',
  );
  assert.match(await rejected(both.replace('replicator: external', 'replicator: mm2')), /replication\[0\]\.replicator/);
});

test('a fault cannot target the MirrorMaker 2 of an external replicator: faultline runs none', async () => {
  const message = await rejected(
    `${both.replace('[logs]}', '[logs], replicator: external}')}faults:\n  - {at: 1s, action: kill, target: "mirrormaker(b)", duration: 2s}\n`,
  );
  assert.match(message, /faults\[0\]\.target: no MirrorMaker 2 replicates cluster "a"/);
});
