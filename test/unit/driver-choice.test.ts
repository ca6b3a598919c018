import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildPlan } from '../../src/plan/plan.js';
import { parseScenario } from '../../src/scenario/load-scenario.js';

function scenario(replication: string, driver = 'auto'): string {
  return `name: d
clusters:
  - {name: a, system: pulsar, driver: ${driver}}
  - {name: b, system: pulsar}
  - {name: solo, system: pulsar}
topics:
  - {name: t, cluster: a}
  - {name: u, cluster: solo}
workload: {duration: 10s, rate: 100/s}
${replication}`;
}

const driverOf = async (yaml: string) =>
  new Map((await buildPlan(parseScenario(yaml, 'd.yaml'))).runs.map((r) => [r.cluster.name, r] as const));

test('auto: local Pulsar clusters in a geo-replication get a driver that reads a time set in the source broker: binary (its append time, read on the source)', async () => {
  const runs = await driverOf(scenario('replication:\n  - {from: a, to: b}'));
  assert.equal(runs.get('a')!.driver.name, 'binary');
  assert.match(runs.get('a')!.driverNote ?? '', /auto chose binary: the cluster takes part in geo-replication/);
  assert.equal(runs.get('b')!.driver.name, 'binary', 'the replica too: clients that fail over keep their client');
  assert.notEqual(runs.get('solo')!.driver.name, 'websocket', 'a cluster that replicates nowhere: native or binary');
});

test('auto: docker Pulsar clusters in a geo-replication get binary too (faultline configures their brokers as the local ones)', async () => {
  const yaml = scenario('replication:\n  - {from: a, to: b}')
    .replace('{name: a, system: pulsar, driver: auto}', '{name: a, system: pulsar, driver: auto, provider: docker}')
    .replace('{name: b, system: pulsar}', '{name: b, system: pulsar, provider: docker}');
  const runs = await driverOf(yaml);
  assert.equal(runs.get('a')!.driver.name, 'binary');
  assert.match(runs.get('a')!.driverNote ?? '', /auto chose binary: the cluster takes part in geo-replication/);
  assert.equal(runs.get('b')!.driver.name, 'binary');
});

test('auto: external Pulsar clusters in a geo-replication get websocket (faultline does not set their brokers to record append times)', async () => {
  const yaml = scenario('replication:\n  - {from: a, to: b}')
    .replace(
      '{name: a, system: pulsar, driver: auto}',
      '{name: a, system: pulsar, driver: auto, provider: external, bootstrap: "pulsar://127.0.0.1:6650", webServiceUrl: "http://127.0.0.1:8080"}',
    )
    .replace(
      '{name: b, system: pulsar}',
      '{name: b, system: pulsar, provider: external, bootstrap: "pulsar://127.0.0.1:6651", webServiceUrl: "http://127.0.0.1:8081"}',
    );
  const runs = await driverOf(yaml);
  assert.equal(runs.get('a')!.driver.name, 'websocket');
  assert.match(runs.get('a')!.driverNote ?? '', /auto chose websocket: the cluster takes part in geo-replication/);
});

test('a named driver is kept in a geo-replication (its lag then goes unmeasured, counted as such)', async () => {
  const runs = await driverOf(scenario('replication:\n  - {from: a, to: b}', 'binary'));
  assert.equal(runs.get('a')!.driver.name, 'binary');
});
