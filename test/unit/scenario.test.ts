import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInputError } from '../../src/errors.js';
import { buildPlan } from '../../src/plan/plan.js';
import { parseScenario } from '../../src/scenario/load-scenario.js';

const valid = `name: ok
clusters:
  - {name: main, system: kafka, provider: local, version: 4.1.1, brokers: 1}
topics:
  - {name: bench, partitions: 6, replicationFactor: 1}
workload: {warmup: 10s, duration: 60s, messageSize: 1KiB, rate: 2000/s, producers: 2, consumers: 2, producer: {acks: all}}
criteria:
  - throughput.produced.messagesPerSec >= 1950
  - latency.publish.p99 < 200ms
  - messages.lost == 0
`;

/** The full error text of validating `text`, or fails when it is valid. */
async function problemsOf(text: string): Promise<string> {
  try {
    await buildPlan(parseScenario(text, 'bad.yaml'));
  } catch (error) {
    assert.ok(error instanceof InvalidInputError, `expected InvalidInputError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('scenario was accepted');
}

test('a valid scenario parses, with units converted and defaults filled', async () => {
  const { scenario } = parseScenario(valid, 'ok.yaml');
  assert.equal(scenario.workload.warmup, 10_000);
  assert.equal(scenario.workload.duration, 60_000);
  assert.equal(scenario.workload.messageSize, 1024);
  assert.deepEqual(scenario.workload.rate, { kind: 'fixed', perSecond: 2000 });
  assert.equal(scenario.workload.drainTimeout, 30_000);
  assert.equal(scenario.workload.keyDistribution, 'none');
  assert.equal(scenario.clusters[0]!.provider, 'local');
  const plan = await buildPlan(parseScenario(valid, 'ok.yaml'));
  assert.equal(plan.runs.length, 1);
  assert.equal(plan.criteria.length, 3);
  assert.equal(plan.criteria[1]!.threshold, 200);
});

const cases: Array<{ name: string; text: string; expect: RegExp }> = [
  {
    name: 'misspelt field',
    text: valid.replace('partitions: 6', 'partiton: 6'),
    expect: /bad\.yaml:5:\d+: topics\[0\]\.partiton: unknown field \(did you mean "partitions"\?\)/,
  },
  {
    name: 'zero partitions',
    text: valid.replace('partitions: 6', 'partitions: 0'),
    expect: /bad\.yaml:5:\d+: topics\[0\]\.partitions: .*>=1/,
  },
  {
    name: 'replication factor above brokers',
    text: valid.replace('replicationFactor: 1', 'replicationFactor: 3'),
    expect: /bad\.yaml:5:\d+: topics\[0\]\.replicationFactor: replicationFactor 3 exceeds the 1 broker/,
  },
  {
    name: 'bad duration unit',
    text: valid.replace('duration: 60s', 'duration: 60x'),
    expect: /bad\.yaml:6:\d+: workload\.duration: expected a duration such as 500ms/,
  },
  {
    name: 'bad size',
    text: valid.replace('messageSize: 1KiB', 'messageSize: 1 parsec'),
    expect: /workload\.messageSize: expected a size/,
  },
  {
    name: 'bad rate',
    text: valid.replace('rate: 2000/s', 'rate: lots'),
    expect: /workload\.rate: expected a rate such as 2000\/s/,
  },
  {
    name: 'wrong type',
    text: valid.replace('producers: 2', 'producers: two'),
    expect: /workload\.producers: expected number, got string "two"/,
  },
  {
    name: 'unknown system',
    text: valid.replace('system: kafka', 'system: kafak'),
    expect: /clusters\[0\]\.system: expected one of kafka, pulsar, got "kafak" \(did you mean "kafka"\?\)/,
  },
  {
    name: 'missing workload',
    text: valid.replace(/^workload:.*$/m, ''),
    expect: /workload: required field is missing/,
  },
  { name: 'invalid YAML', text: 'name: x\nclusters: [\n', expect: /bad\.yaml:\d+:\d+: invalid YAML/ },
  {
    name: 'unknown criterion metric',
    text: valid.replace('latency.publish.p99', 'latency.publsh.p99'),
    expect:
      /bad\.yaml:9:\d+: criteria\[1\]: unknown metric "latency\.publsh\.p99" \(did you mean "latency\.publish\.p99"\?\)/,
  },
  {
    name: 'unknown harness field in a criterion',
    text: valid.replace('messages.lost == 0', 'harness.cpuMicrosPerMsg < 100'),
    expect:
      /bad\.yaml:10:\d+: criteria\[2\]: unknown metric "harness\.cpuMicrosPerMsg" \(did you mean "harness\.cpuMicrosPerMessage"\?\)/,
  },
  {
    name: 'criterion without comparison',
    text: valid.replace('messages.lost == 0', 'messages.lost is zero'),
    expect: /criteria\[2\]: expected "<metric> <op> <value>"/,
  },
  { name: 'criterion with a bad unit', text: valid.replace('< 200ms', '< 200 parsecs'), expect: /criteria\[1\]:/ },
  {
    name: 'unknown producer option',
    text: valid.replace('acks: all', 'akcs: all'),
    expect: /workload\.producer\.akcs: not a kafka producer option \(did you mean "acks"\?\)/,
  },
  { name: 'bad acks value', text: valid.replace('acks: all', 'acks: most'), expect: /workload\.producer\.acks/ },
  {
    name: 'a platformatic option under kafkajs (the default driver)',
    text: valid.replace('acks: all', 'acks: all, linger: 5ms'),
    expect:
      /workload\.producer\.linger: an option of the platformatic driver, not of kafkajs \(the driver this cluster runs; choose with driver: platformatic\)/,
  },
  {
    name: 'a kafkajs option under platformatic',
    text: valid
      .replace('brokers: 1}', 'brokers: 1, driver: platformatic, consumer: {partitionsConsumedConcurrently: 2}}')
      .replace('acks: all', 'acks: all'),
    expect:
      /clusters\[0\]\.consumer\.partitionsConsumedConcurrently: an option of the kafkajs driver, not of platformatic/,
  },
  {
    name: 'an idempotent platformatic producer with acks 1',
    text: valid
      .replace('brokers: 1}', 'brokers: 1, driver: platformatic}')
      .replace('acks: all', 'acks: 1, idempotent: true'),
    expect: /workload\.producer\.acks: an idempotent producer needs acks: all/,
  },
  {
    name: 'message too small for the header',
    text: valid.replace('messageSize: 1KiB', 'messageSize: 16B'),
    expect: /workload\.messageSize: must be at least 28B/,
  },
  {
    name: 'topic on an unknown cluster',
    text: valid.replace('replicationFactor: 1}', 'replicationFactor: 1, cluster: mian}'),
    expect: /topics\[0\]\.cluster: no cluster named "mian" \(did you mean "main"\?\)/,
  },
  {
    name: 'external without bootstrap',
    text: valid.replace('provider: local', 'provider: external'),
    expect: /clusters\[0\]\.provider: provider external needs a bootstrap address/,
  },
  {
    name: 'phases and duration together',
    text: valid.replace('duration: 60s,', 'phases: [{duration: 5s, rate: 10/s}], duration: 60s,'),
    expect: /workload\.duration: give either phases or duration, not both/,
  },
  {
    name: 'max rate inside phases',
    text: valid.replace('duration: 60s,', 'phases: [{duration: 5s, rate: max}],').replace(' rate: 2000/s,', ''),
    expect: /workload\.phases\[0\]\.rate: phases need fixed rates/,
  },
  {
    name: 'neither duration nor phases',
    text: valid.replace('duration: 60s,', ''),
    expect: /workload\.duration: required field is missing \(or give phases\)/,
  },
  {
    name: 'Pulsar option on a Kafka cluster',
    text: valid.replace('brokers: 1}', 'brokers: 1, producer: {batchingEnabled: true}}'),
    expect: /clusters\[0\]\.producer\.batchingEnabled: not a kafka producer option/,
  },
  {
    name: 'Kafka option on a Pulsar cluster',
    text: valid.replace('system: kafka, provider: local, version: 4.1.1', 'system: pulsar, provider: local'),
    expect: /workload\.producer\.acks: not a pulsar producer option; pulsar producer options: batchingEnabled/,
  },
  {
    name: 'Pulsar consumer option on Kafka',
    text: valid.replace('producer: {acks: all}', 'consumer: {subscriptionType: Shared}'),
    expect: /workload\.consumer\.subscriptionType: not a kafka consumer option/,
  },
  {
    name: 'more than one local Pulsar broker',
    text: valid
      .replace('system: kafka, provider: local, version: 4.1.1, brokers: 1', 'system: pulsar, brokers: 3')
      .replace('producer: {acks: all}', 'producer: {}'),
    expect: /clusters\[0\]\.brokers: the local Pulsar provider runs one standalone broker/,
  },
  {
    name: 'a Pulsar driver for Kafka',
    text: valid.replace('brokers: 1}', 'brokers: 1, driver: websocket}'),
    expect: /clusters\[0\]\.driver: "websocket" is not a kafka driver \(kafka drivers: auto, kafkajs, platformatic\)/,
  },
  {
    name: 'a Kafka driver for Pulsar',
    text: valid
      .replace('system: kafka, provider: local, version: 4.1.1, brokers: 1}', 'system: pulsar, driver: kafkajs}')
      .replace('producer: {acks: all}', 'producer: {}'),
    expect:
      /clusters\[0\]\.driver: "kafkajs" is not a pulsar driver \(pulsar drivers: auto, native, binary, websocket\)/,
  },
  {
    name: 'webServiceUrl on Kafka',
    text: valid.replace(
      'provider: local, version: 4.1.1',
      'provider: external, bootstrap: "127.0.0.1:9092", webServiceUrl: "http://127.0.0.1:8080"',
    ),
    expect: /clusters\[0\]\.webServiceUrl: webServiceUrl is a Pulsar setting/,
  },
  { name: 'not a mapping', text: '- just\n- a list\n', expect: /bad\.yaml:1:1: \(document\): expected a mapping/ },
];

for (const c of cases) {
  test(`bad input is reported with file, line and field: ${c.name}`, async () => {
    const message = await problemsOf(c.text);
    assert.match(message, c.expect);
    assert.doesNotMatch(message, /\n\s+at /, 'no stack trace');
  });
}

test('every problem of a scenario is reported at once', async () => {
  const message = await problemsOf(
    valid.replace('partitions: 6', 'partiton: 6').replace('duration: 60s', 'duration: 60x'),
  );
  assert.equal(message.split('\n').length, 2);
});
