/**
 * Replicated Kafka topics carry the source's append time to the target's reader: the source topic stamps records
 * with LogAppendTime, the target keeps the timestamp MirrorMaker 2 writes (CreateTime); a scenario may not set it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInputError } from '../../src/errors.js';
import { buildPlan } from '../../src/plan/plan.js';
import { replicationTimestamps } from '../../src/replication/mm2-config.js';
import { parseScenario } from '../../src/scenario/load-scenario.js';

const scenario = (topicConfig: string, system = 'kafka') => `name: r
clusters:
  - {name: a, system: ${system}}
  - {name: b, system: ${system}}
topics:
  - {name: orders, cluster: a${topicConfig}}
  - {name: other, cluster: a}
replication:
  - {from: a, to: b, topics: [orders]}
workload: {duration: 10s, rate: 100/s, topics: [orders]}
`;

test('replicated Kafka topics: LogAppendTime on the source, CreateTime on the target; others unchanged', async () => {
  const plan = await buildPlan(parseScenario(scenario(''), 'r.yaml'));
  const replications = plan.replication;
  const [orders, other] = plan.scenario.topics;
  assert.equal(replicationTimestamps(orders!, 'a', replications).config['message.timestamp.type'], 'LogAppendTime');
  assert.equal(replicationTimestamps(orders!, 'b', replications).config['message.timestamp.type'], 'CreateTime');
  assert.equal(replicationTimestamps(other!, 'a', replications), other);
  assert.deepEqual(orders!.config, {}, 'the scenario itself is left as written');
});

test('a scenario that sets message.timestamp.type on a replicated Kafka topic is refused at the field', async () => {
  await assert.rejects(
    buildPlan(parseScenario(scenario(', config: {message.timestamp.type: CreateTime}'), 'r.yaml')),
    (error: unknown) =>
      error instanceof InvalidInputError &&
      /r\.yaml:6:\d+: topics\[0\]\.config\.message\.timestamp\.type: .*replicated/.test(error.message),
  );
});
