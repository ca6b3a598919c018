import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deliversInPartitionOrder, pulsarConsumerOptions } from '../../src/drivers/pulsar/pulsar-options.js';
import { buildPlan } from '../../src/plan/plan.js';
import { parseScenario } from '../../src/scenario/load-scenario.js';

function scenario(clusters: string): string {
  return `name: subscription
clusters:
${clusters}
topics:
  - {name: events, partitions: 6}
workload: {warmup: 1s, duration: 5s, rate: 100/s, producers: 2, consumers: 2}
`;
}

async function consumerOptionsOf(text: string, cluster: string) {
  const plan = await buildPlan(parseScenario(text, 'subscription.yaml'));
  return plan.runs.find((r) => r.cluster.name === cluster)!.consumerOptions;
}

test('beside Kafka, the Pulsar side reads each partition in order: its subscription defaults to Failover', async () => {
  const text = scenario(`  - {name: kafka, system: kafka}
  - {name: pulsar, system: pulsar, driver: websocket}`);
  const pulsar = await consumerOptionsOf(text, 'pulsar');
  assert.equal(pulsar.subscriptionType, 'Failover');
  assert.ok(deliversInPartitionOrder(pulsarConsumerOptions.parse(pulsar)), 'its reordering is counted');
  assert.deepEqual(await consumerOptionsOf(text, 'kafka'), {}, 'the Kafka side gets nothing of Pulsar');
});

test('Pulsar alone keeps its own default subscription (Shared), and a subscription the scenario names wins', async () => {
  const alone = await consumerOptionsOf(scenario('  - {name: pulsar, system: pulsar, driver: websocket}'), 'pulsar');
  assert.equal(alone.subscriptionType, undefined);
  assert.equal(pulsarConsumerOptions.parse(alone).subscriptionType, 'Shared');
  const named = await consumerOptionsOf(
    scenario(`  - {name: kafka, system: kafka}
  - {name: pulsar, system: pulsar, driver: websocket, consumer: {subscriptionType: Shared}}`),
    'pulsar',
  );
  assert.equal(named.subscriptionType, 'Shared');
});
