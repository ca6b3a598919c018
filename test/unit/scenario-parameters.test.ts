// biome-ignore-all lint/suspicious/noTemplateCurlyInString: scenario text holds ${NAME} references on purpose
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInputError } from '../../src/errors.js';
import { buildPlan } from '../../src/plan/plan.js';
import { buildResult } from '../../src/report/build-result.js';
import { parseScenario } from '../../src/scenario/load-scenario.js';
import { parseOverride } from '../../src/scenario/parameters.js';

const SCENARIO = `name: params
clusters:
  - name: main
    system: kafka
    version: \${KAFKA_VERSION:-4.1.1}
topics:
  - {name: t, partitions: "\${PARTS:-3}", replicationFactor: 1}
workload:
  warmup: 1s
  duration: \${DURATION}
  rate: 1000/s
  producers: \${PRODUCERS:-1}
criteria:
  - latency.publish.p99 < \${P99_MS:-200}ms
`;

function problems(text: string, inputs: Parameters<typeof parseScenario>[2]): string[] {
  try {
    parseScenario(text, 's.yaml', inputs);
  } catch (error) {
    assert.ok(error instanceof InvalidInputError, String(error));
    return error.problems;
  }
  assert.fail('expected the scenario to be refused');
}

test('${NAME} and ${NAME:-default}: values from the environment, typed like YAML, defaults when unset or empty', () => {
  const doc = parseScenario(SCENARIO, 's.yaml', { env: { DURATION: '30s', PARTS: '6', P99_MS: '' } });
  const { scenario } = doc;
  assert.equal(scenario.workload.duration, 30_000);
  assert.equal(scenario.topics[0]!.partitions, 6, 'a quoted single reference is typed too');
  assert.equal(scenario.clusters[0]!.version, '4.1.1');
  assert.equal(scenario.workload.producers, 1);
  assert.deepEqual(scenario.criteria, ['latency.publish.p99 < 200ms'], 'text around a reference stays text');
  assert.deepEqual(doc.parameters, {
    set: [],
    variables: { KAFKA_VERSION: '4.1.1', PARTS: '6', DURATION: '30s', PRODUCERS: '1', P99_MS: '200' },
  });
});

test('an undefined ${NAME} without a default, a malformed reference, a value of the wrong type: each named', () => {
  assert.deepEqual(problems(SCENARIO, { env: {} }), [
    's.yaml:10:13: workload.duration: ${DURATION} is not set in the environment and has no default (write ${DURATION:-default})',
  ]);
  assert.deepEqual(problems(SCENARIO, { env: { DURATION: '5s', PARTS: 'many' } }), [
    's.yaml:7:27: topics[0].partitions: expected number, got string "many" (from ${PARTS}="many")',
  ]);
  assert.match(
    problems(SCENARIO.replace('${DURATION}', '${1X}'), { env: {} })[0]!,
    /workload\.duration: "\$\{1X\}" is not a variable reference/,
  );
  const escaped = SCENARIO.replace('name: params', () => 'name: params\ndescription: costs $${HOME}');
  const literal = parseScenario(escaped, 's.yaml', { env: { DURATION: '1s' } });
  assert.equal(literal.scenario.description, 'costs ${HOME}', '$${ writes a literal ${');
});

test('--set: any field path, validated like the file, the flag named in every problem', () => {
  const env = { DURATION: '5s' };
  const doc = parseScenario(SCENARIO, 's.yaml', {
    env,
    set: [
      'workload.rate=5000/s',
      'topics[0].partitions=12',
      'clusters.0.brokers=3',
      'clusters[0].config["num.io.threads"]=8',
    ],
  });
  assert.equal(
    doc.scenario.workload.phases[0]!.rate.kind === 'fixed' && doc.scenario.workload.phases[0]!.rate.perSecond,
    5000,
  );
  assert.equal(doc.scenario.topics[0]!.partitions, 12);
  assert.equal(doc.scenario.clusters[0]!.brokers, 3);
  assert.equal(doc.scenario.clusters[0]!.config?.['num.io.threads'], 8, 'a key holding dots, quoted');
  assert.deepEqual(doc.parameters?.set, [
    'workload.rate=5000/s',
    'topics[0].partitions=12',
    'clusters.0.brokers=3',
    'clusters[0].config["num.io.threads"]=8',
  ]);
  assert.deepEqual(
    problems(SCENARIO, {
      env,
      set: ['workload.rat=5000/s', 'workload.rate=fast', 'topics[1].partitions=2', 'workload.producers=[1]'],
    }),
    [
      '--set workload.rat=5000/s: workload.rat: no field "workload.rat" (did you mean "rate"?); fields of workload: warmup, duration, drainTimeout, messageSize, rate, phases, topics, producers, consumers, keyDistribution, keyCount, maxInFlight, maxInFlightBatches, maxBatch, producer, consumer, placement, durability, batching, prefetch',
      '--set topics[1].partitions=2: topics[1].partitions: topics has 1 item(s) in the file: --set changes items, it does not add them',
      '--set workload.rate=fast: workload.rate: expected a rate such as 2000/s, 5k/s or max, got "fast"',
      '--set workload.producers=[1]: workload.producers: expected number, got a list',
    ],
  );
  assert.throws(() => parseOverride('workload.rate'), /--set workload\.rate: expected path=value/);
  assert.throws(() => parseOverride('workload..rate=1'), /is not a field path/);
});

test('the result records the overrides and the variables', async () => {
  const resultOf = async (text: string, inputs: Parameters<typeof parseScenario>[2]) => {
    const plan = await buildPlan(parseScenario(text, 's.yaml', inputs));
    const now = new Date();
    return buildResult({
      ...{ plan, run: plan.runs[0]!, cluster: undefined, startedAt: now, endedAt: now },
      ...{ metrics: undefined, counts: undefined, outcome: undefined, status: 'error' },
    });
  };
  const result = await resultOf(SCENARIO, { env: { DURATION: '5s' }, set: ['workload.rate=2000/s'] });
  assert.deepEqual(result.scenario.set, ['workload.rate=2000/s']);
  assert.equal(result.scenario.variables?.DURATION, '5s');
  const plain = await resultOf(SCENARIO.replace('${DURATION}', '5s'), { env: {} });
  assert.equal(plain.scenario.set, undefined, 'no field without overrides');
});
