/** The CLI on bad input: exit 2, file, line and field named, no stack trace. No broker is started. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kafkaScenario, runCli, writeScenario } from '../helpers.js';

const good = kafkaScenario({ criteria: ['messages.lost == 0'] });

const malformed: Array<[string, string, RegExp]> = [
  ['misspelt field', good.replace('partitions: 3', 'partiton: 3'), /:5:\d+: topics\[0\]\.partiton: unknown field \(did you mean "partitions"\?\)/],
  ['impossible replication', good.replace('replicationFactor: 1', 'replicationFactor: 2'), /:5:\d+: topics\[0\]\.replicationFactor: replicationFactor 2 exceeds/],
  ['zero partitions', good.replace('partitions: 3', 'partitions: 0'), /topics\[0\]\.partitions/],
  ['bad unit', good.replace("duration: 8s", 'duration: 8 fortnights'), /:8:\d+: workload\.duration: expected a duration/],
  ['wrong type', good.replace('producers: 2', 'producers: [2]'), /workload\.producers: expected number, got a list/],
  ['broken YAML', 'name: [unclosed\n', /invalid YAML/],
  ['Pulsar option on a Kafka cluster', good.replace('provider: local,', 'provider: local, consumer: {subscriptionType: Shared},'), /clusters\[0\]\.consumer\.subscriptionType: not a kafka consumer option/],
  ['Kafka option on a Pulsar cluster', good.replace('system: kafka', 'system: pulsar').replace('drainTimeout: 20s', 'drainTimeout: 20s\n  producer: {acks: all}'), /workload\.producer\.acks: not a pulsar producer option/],
  ['bad criterion', good.replace('messages.lost == 0', 'messages.lots == 0'), /criteria\[0\]: unknown metric "messages\.lots" \(did you mean "messages\.lost"\?\)/],
];

for (const [name, text, expected] of malformed) {
  test(`validate and run reject bad input with exit 2: ${name}`, async () => {
    const file = writeScenario(text);
    for (const command of ['validate', 'run']) {
      const result = await runCli([command, file]);
      assert.equal(result.code, 2, `${command}: ${result.stderr}`);
      assert.match(result.stderr, expected);
      assert.ok(result.stderr.includes(file), 'names the file');
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    }
  });
}

test('usage errors exit 2; a missing scenario file exits 2', async () => {
  assert.equal((await runCli(['run'])).code, 2);
  assert.equal((await runCli(['frobnicate'])).code, 2);
  const missing = await runCli(['validate', '/nonexistent/scenario.yaml']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read scenario file \(no such file\)/);
});

test('validate accepts the shipped scenarios', async () => {
  const result = await runCli(['validate', 'scenarios/kafka-quickstart.yaml']);
  assert.equal(result.code, 0, result.stderr);
});
