/**
 * result.json `cluster.subscription`: which subscription the consumers ran with, the order it promises and why;
 * report.md's cluster section names it, and compare flags sides whose consumers were promised different orders.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildPlan } from '../../src/plan/plan.js';
import { buildResult } from '../../src/report/build-result.js';
import { compareRuns, renderComparison } from '../../src/report/compare.js';
import { table } from '../../src/report/markdown-report.js';
import type { RunResult } from '../../src/report/result.js';
import { type SubscriptionRecord, subscriptionOf } from '../../src/report/subscription.js';
import { parseScenario } from '../../src/scenario/load-scenario.js';

function scenario(clusters: string, workloadExtra = ''): string {
  return `name: subscription
clusters:
${clusters}
topics:
  - {name: events, partitions: 6}
workload: {warmup: 1s, duration: 5s, rate: 100/s, producers: 2, consumers: 2${workloadExtra}}
`;
}

async function subscriptions(text: string): Promise<Record<string, SubscriptionRecord | undefined>> {
  const plan = await buildPlan(parseScenario(text, 'subscription.yaml'));
  return Object.fromEntries(plan.runs.map((run) => [run.cluster.name, subscriptionOf(plan.scenario, run)]));
}

test('a comparison: Pulsar runs Failover (each partition in order) because the scenario compares systems; Kafka a consumer group', async () => {
  const s = await subscriptions(
    scenario(`  - {name: kafka, system: kafka}
  - {name: pulsar, system: pulsar, driver: websocket}`),
  );
  assert.deepEqual(s.pulsar, { type: 'Failover', ordering: 'partition', why: 'comparison' });
  assert.deepEqual(s.kafka, { type: 'consumer group', ordering: 'partition', why: 'default' });
});

test("Pulsar alone runs its default, Shared (no order promised); the scenario's own subscription wins and says so", async () => {
  const alone = await subscriptions(scenario('  - {name: pulsar, system: pulsar, driver: binary}'));
  assert.deepEqual(alone.pulsar, { type: 'Shared', ordering: 'none', why: 'default' });
  const keyShared = await subscriptions(
    scenario('  - {name: pulsar, system: pulsar, driver: binary}', ', consumer: {subscriptionType: Key_Shared}'),
  );
  assert.deepEqual(keyShared.pulsar, { type: 'Key_Shared', ordering: 'key', why: 'scenario' });
  const sharedBesideKafka = await subscriptions(
    scenario(`  - {name: kafka, system: kafka}
  - {name: pulsar, system: pulsar, driver: binary, consumer: {subscriptionType: Shared}}`),
  );
  assert.deepEqual(sharedBesideKafka.pulsar, { type: 'Shared', ordering: 'none', why: 'scenario' });
  const exclusive = await subscriptions(
    scenario('  - {name: pulsar, system: pulsar, driver: binary, consumer: {subscriptionType: Exclusive}}').replace(
      'consumers: 2',
      'consumers: 1',
    ),
  );
  assert.deepEqual(exclusive.pulsar, { type: 'Exclusive', ordering: 'partition', why: 'scenario' });
});

test('no consumers, no subscription recorded', async () => {
  const s = await subscriptions(
    scenario('  - {name: pulsar, system: pulsar, driver: binary}').replace('consumers: 2', 'consumers: 0'),
  );
  assert.equal(s.pulsar, undefined);
});

async function resultOf(text: string, cluster: string): Promise<RunResult> {
  const plan = await buildPlan(parseScenario(text, 'subscription.yaml'));
  const run = plan.runs.find((r) => r.cluster.name === cluster)!;
  return buildResult({
    plan,
    run,
    cluster: undefined,
    startedAt: new Date(0),
    endedAt: new Date(6000),
    metrics: undefined,
    counts: undefined,
    outcome: undefined,
    status: 'error',
  });
}

test('result.json records the subscription per cluster, and report.md names it in the cluster section', async () => {
  const r = await resultOf(
    scenario(`  - {name: kafka, system: kafka}
  - {name: pulsar, system: pulsar, driver: binary}`),
    'pulsar',
  );
  assert.deepEqual(r.cluster.subscription, { type: 'Failover', ordering: 'partition', why: 'comparison' });
  assert.equal(
    table('subscription', r),
    'Failover subscription: each partition in order (chosen because the scenario compares systems)',
  );
  const { subscription: _, ...older } = r.cluster;
  assert.equal(table('subscription', { ...r, cluster: older }), 'not recorded', 'a result from before the field');
});

test('compare: sides promised different orders are flagged as not like for like; the same order is not', async () => {
  const kafka = await resultOf(scenario('  - {name: kafka, system: kafka}'), 'kafka');
  const shared = await resultOf(scenario('  - {name: pulsar, system: pulsar, driver: binary}'), 'pulsar');
  const unlike = compareRuns([
    { label: 'kafka', dir: '/a', result: kafka },
    { label: 'pulsar', dir: '/b', result: shared },
  ]);
  const warning = unlike.warnings.find((w) => /delivery order/.test(w));
  assert.ok(warning, unlike.warnings.join('\n'));
  assert.match(
    warning,
    /delivery order \(kafka: each partition in order, consumer group, pulsar: no order promised, Shared\) — pin them in the scenario \(.*consumer\.subscriptionType\)/,
  );
  assert.match(
    renderComparison(unlike),
    /\| delivery order \(`subscription`\) \| \*\*each partition in order\*\* — consumer group \(the default\) \| \*\*no order promised\*\* — Shared subscription \(the default\) \| \*\*no\*\* \|/,
  );

  const failover = await resultOf(
    scenario('  - {name: pulsar, system: pulsar, driver: binary}', ', consumer: {subscriptionType: Failover}'),
    'pulsar',
  );
  const alike = compareRuns([
    { label: 'kafka', dir: '/a', result: kafka },
    { label: 'pulsar', dir: '/b', result: failover },
  ]);
  assert.ok(!alike.warnings.some((w) => /delivery order/.test(w)), alike.warnings.join('\n'));
  assert.match(renderComparison(alike), /\| delivery order \(`subscription`\) \| .* \| yes \|/);
});
