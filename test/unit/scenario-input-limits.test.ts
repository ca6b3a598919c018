/** Input refused before anything starts: YAML alias bombs, kafkajs option combinations kafkajs itself rejects. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInputError } from '../../src/errors.js';
import { buildPlan } from '../../src/plan/plan.js';
import { parseScenario } from '../../src/scenario/load-scenario.js';

const valid = `name: ok
clusters:
  - {name: main, system: kafka, provider: local, brokers: 1}
topics:
  - {name: bench, partitions: 6, replicationFactor: 1}
workload: {warmup: 1s, duration: 5s, rate: 100/s, producer: {acks: all}}
`;

async function problemsOf(text: string): Promise<string> {
  try {
    await buildPlan(parseScenario(text, 'bad.yaml'));
  } catch (error) {
    assert.ok(error instanceof InvalidInputError, `expected InvalidInputError, got ${String(error)}`);
    assert.equal(error.exitCode, 2);
    return error.message;
  }
  assert.fail('scenario was accepted');
}

/** The billion-laughs shape: each level's anchor is a list of nine aliases of the level before. */
export function aliasBomb(levels = 10): string {
  const lines = ['lol0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < levels; i++)
    lines.push(`lol${i}: &l${i} [${Array.from({ length: 9 }, () => `*l${i - 1}`).join(',')}]`);
  return `${lines.join('\n')}\n${valid}`;
}

test('a YAML alias bomb is invalid input naming the file and the first alias, not an internal error', async () => {
  const message = await problemsOf(aliasBomb());
  assert.match(message, /^bad\.yaml:2:\d+: invalid YAML: aliases expand beyond 100 nodes/);
});

test('a few ordinary aliases are still fine', async () => {
  const text = valid
    .replace('topics:\n  - {name: bench', 'x-partitions: &p 6\ntopics:\n  - {name: bench')
    .replace('partitions: 6', 'partitions: *p');
  assert.throws(() => parseScenario(text, 'ok.yaml'), /x-partitions: unknown field/);
});

const optionCases: Array<{ name: string; text: string; expect: RegExp }> = [
  {
    name: 'idempotent with acks 1',
    text: valid.replace('producer: {acks: all}', 'producer: {idempotent: true, acks: 1}'),
    expect:
      /bad\.yaml:6:\d+: workload\.producer\.acks: an idempotent producer needs acks: all \(kafkajs fails every send with acks 1/,
  },
  {
    name: 'idempotent with acks 0',
    text: valid.replace('producer: {acks: all}', "producer: {idempotent: true, acks: '0'}"),
    expect: /workload\.producer\.acks: an idempotent producer needs acks: all/,
  },
  {
    name: 'idempotent with retries 0',
    text: valid.replace('producer: {acks: all}', 'producer: {idempotent: true, retries: 0}'),
    expect:
      /workload\.producer\.retries: an idempotent producer needs retries of at least 1 \(kafkajs refuses to create it/,
  },
  {
    name: 'idempotent on the workload, acks 1 on the cluster',
    text: valid
      .replace('producer: {acks: all}', 'producer: {idempotent: true}')
      .replace('brokers: 1}', 'brokers: 1, producer: {acks: 1}}'),
    expect: /bad\.yaml:3:\d+: clusters\[0\]\.producer\.acks: an idempotent producer needs acks: all/,
  },
];

for (const c of optionCases) {
  test(`kafkajs option combinations kafkajs rejects are refused with the field: ${c.name}`, async () => {
    assert.match(await problemsOf(c.text), c.expect);
  });
}

test('idempotent with acks all and retries is accepted', async () => {
  const plan = await buildPlan(
    parseScenario(
      valid.replace('producer: {acks: all}', 'producer: {idempotent: true, acks: all, retries: 3}'),
      'ok.yaml',
    ),
  );
  assert.equal(plan.runs.length, 1);
});
