import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInputError } from '../../src/errors.js';
import { kafkaKnobs } from '../../src/fairness/kafka-knobs.js';
import { type Knobs, mergeKnobs, type Side } from '../../src/fairness/knobs.js';
import { pulsarKnobs } from '../../src/fairness/pulsar-knobs.js';
import { buildPlan } from '../../src/plan/plan.js';
import { parseScenario } from '../../src/scenario/load-scenario.js';

/** A scenario of one Kafka (platformatic unless told) and one Pulsar (binary unless told) cluster. */
function scenario(workloadExtra: string, o: { kafka?: string; pulsar?: string } = {}): string {
  return `name: fair
clusters:
  - {name: kafka, system: kafka, driver: ${o.kafka ?? 'platformatic'}}
  - {name: pulsar, system: pulsar, driver: ${o.pulsar ?? 'binary'}}
topics:
  - {name: events, partitions: 2}
workload:
  duration: 10s
  rate: 100/s
${workloadExtra}`;
}

async function plan(text: string) {
  return buildPlan(parseScenario(text, 'fair.yaml'));
}

async function rejected(text: string): Promise<string[]> {
  try {
    await plan(text);
  } catch (error) {
    if (error instanceof InvalidInputError) return error.message.split('\n');
    throw error;
  }
  assert.fail('the plan was accepted');
}

const PINNED = `  durability: {fsync: always}
  batching: {maxDelay: 2ms, maxBytes: 64KiB}
  prefetch: {messages: 500}
`;

test('pinned knobs map to each system: Kafka flush.messages, linger, batchSize, highWaterMark; Pulsar journal, batching, receiverQueueSize', async () => {
  const p = await plan(scenario(PINNED));
  const [kafka, pulsar] = p.runs;
  assert.equal(kafka!.cluster.config['log.flush.interval.messages'], 1);
  assert.equal(kafka!.producerOptions.linger, '2ms');
  assert.equal(kafka!.producerOptions.batchSize, 65_536);
  assert.equal(kafka!.consumerOptions.highWaterMark, 500);
  assert.equal(pulsar!.cluster.config.journalSyncData, true);
  assert.equal(pulsar!.cluster.config.journalWriteData, true);
  assert.equal(pulsar!.producerOptions.batchingMaxPublishDelay, '2ms');
  assert.equal(pulsar!.producerOptions.batchingMaxBytes, 65_536);
  assert.equal(pulsar!.consumerOptions.receiverQueueSize, 500);
  // What each side will run with, the same cross-system values and each system's own names.
  const k = kafka!.effective!;
  const q = pulsar!.effective!;
  for (const [name, value] of [
    ['durability.fsync', 'always'],
    ['batching.maxDelayMs', 2],
    ['batching.maxBytes', 65_536],
    ['prefetch.messages', 500],
    ['durability.replicas', 1],
    ['durability.ackReplicas', 1],
  ] as const) {
    assert.equal(k[name].value, value, `kafka ${name}`);
    assert.equal(q[name].value, value, `pulsar ${name}`);
  }
  assert.equal(k['durability.fsync'].pinned, true);
  assert.equal(k['durability.replicas'].pinned, false);
  assert.equal(k['durability.fsync'].settings['log.flush.interval.messages'], 1);
  assert.equal(k['batching.maxDelayMs'].settings['linger.ms'], 2);
  assert.equal(q['durability.fsync'].settings.journalSyncData, 'true');
  assert.equal(q['batching.maxDelayMs'].settings.batchingMaxPublishDelay, 2);
});

test('without knobs every side still records what it ran with: the defaults', async () => {
  const p = await plan(scenario(''));
  const [kafka, pulsar] = p.runs;
  assert.deepEqual(kafka!.cluster.config, {});
  const k = kafka!.effective!;
  const q = pulsar!.effective!;
  assert.equal(k['durability.fsync'].value, 'os');
  assert.equal(k['durability.fsync'].pinned, false);
  assert.equal(k['batching.maxDelayMs'].value, 0); // platformatic linger default
  assert.equal(k['batching.maxBytes'].value, 1_048_576);
  assert.equal(k['prefetch.messages'].value, 4096);
  assert.equal(k['durability.ackReplicas'].settings.acks, 'all');
  assert.equal(q['durability.fsync'].value, 'os');
  assert.match(String(q['durability.fsync'].settings.journalSyncData), /^false \(faultline's default\)/);
  assert.equal(q['batching.maxDelayMs'].value, 1);
  assert.equal(q['batching.maxBytes'].value, 131_072);
  assert.equal(q['prefetch.messages'].value, 1000);
});

test('a cluster overrides a workload knob field by field', async () => {
  const text = scenario(PINNED).replace(
    '{name: pulsar, system: pulsar, driver: binary}',
    '{name: pulsar, system: pulsar, driver: binary, durability: {fsync: os}}',
  );
  const [kafka, pulsar] = (await plan(text)).runs;
  assert.equal(kafka!.effective!['durability.fsync'].value, 'always');
  assert.equal(pulsar!.effective!['durability.fsync'].value, 'os');
  assert.equal(pulsar!.cluster.config.journalSyncData, false);
  assert.equal(pulsar!.effective!['batching.maxDelayMs'].value, 2);
});

test('kafkajs cannot honour a batching delay, a batch size or a prefetch: exit 2 naming the field and why', async () => {
  const lines = await rejected(scenario(PINNED, { kafka: 'kafkajs' }));
  assert.equal(lines.length, 3, lines.join('\n'));
  assert.match(
    lines[0]!,
    /^fair\.yaml:11:\d+: workload\.batching\.maxDelay: cannot be honoured on Kafka: kafkajs has no linger: each send is one produce request, sent at once \(driver: platformatic has it\)$/,
  );
  assert.match(
    lines[1]!,
    /^fair\.yaml:11:\d+: workload\.batching\.maxBytes: cannot be honoured on Kafka: kafkajs has no batch\.size/,
  );
  assert.match(
    lines[2]!,
    /^fair\.yaml:12:\d+: workload\.prefetch\.messages: cannot be honoured on Kafka: kafkajs fetches again only after the last fetch was handled/,
  );
});

test('kafkajs honours maxDelay 0 (it sends at once)', async () => {
  const [kafka] = (await plan(scenario('  batching: {maxDelay: 0}\n', { kafka: 'kafkajs' }))).runs;
  assert.equal(kafka!.effective!['batching.maxDelayMs'].value, 0);
  assert.equal(kafka!.effective!['batching.maxDelayMs'].pinned, true);
  assert.equal(kafka!.effective!['batching.maxBytes'].value, null);
});

test('the WebSocket driver cannot set batchingMaxBytes nor a sub-millisecond delay: refused with why', async () => {
  const lines = await rejected(scenario('  batching: {maxDelay: 0.5ms, maxBytes: 64KiB}\n', { pulsar: 'websocket' }));
  assert.equal(lines.length, 2, lines.join('\n'));
  assert.match(
    lines[0]!,
    /^fair\.yaml:10:\d+: workload\.batching\.maxDelay: cannot be honoured by the websocket driver: it passes batchingMaxPublishDelay in whole milliseconds, at least 1/,
  );
  assert.match(
    lines[1]!,
    /^fair\.yaml:10:\d+: workload\.batching\.maxBytes: cannot be honoured by the websocket driver: the WebSocket API has no batchingMaxBytes: the proxy's producer keeps the Java client's 128 KiB; pin 128KiB or use driver: binary$/,
  );
  // 128 KiB is what the proxy's producer uses: that pin is honoured.
  const [, pulsar] = (await plan(scenario('  batching: {maxDelay: 1ms, maxBytes: 128KiB}\n', { pulsar: 'websocket' })))
    .runs;
  assert.equal(pulsar!.effective!['batching.maxBytes'].value, 131_072);
  assert.equal(pulsar!.effective!['batching.maxBytes'].pinned, true);
});

test('an explicit option contradicting a pinned knob is refused where it was written', async () => {
  const text = scenario(PINNED)
    .replace(
      '{name: kafka, system: kafka, driver: platformatic}',
      '{name: kafka, system: kafka, driver: platformatic, producer: {linger: 5ms}}',
    )
    .replace('driver: binary}', 'driver: binary, consumer: {receiverQueueSize: 100}}');
  const lines = await rejected(text);
  assert.equal(lines.length, 2, lines.join('\n'));
  assert.match(
    lines[0]!,
    /^fair\.yaml:3:\d+: clusters\[0\]\.producer\.linger: contradicts the pinned batching\.maxDelay \(workload\.batching\.maxDelay\), which needs linger: 2ms/,
  );
  assert.match(
    lines[1]!,
    /^fair\.yaml:4:\d+: clusters\[1\]\.consumer\.receiverQueueSize: contradicts the pinned prefetch\.messages/,
  );
  // The same value as the knob is no contradiction.
  await plan(
    scenario(`${PINNED}  producer: {}\n`).replace(
      'driver: platformatic}',
      'driver: platformatic, producer: {linger: 2ms}}',
    ),
  );
});

test('durability beyond what a side can keep: Pulsar standalone has one bookie, Kafka acks are 1 or all', async () => {
  const text = scenario('  durability: {replicas: 3, ackReplicas: 2}\n')
    .replace(
      '{name: kafka, system: kafka, driver: platformatic}',
      '{name: kafka, system: kafka, driver: platformatic, brokers: 3}',
    )
    .replace(
      '{name: events, partitions: 2}',
      '{name: events, partitions: 2, replicationFactor: 3, cluster: kafka}\n  - {name: events, cluster: pulsar}',
    );
  const lines = await rejected(text);
  assert.equal(lines.length, 3, lines.join('\n'));
  assert.match(
    lines.join('\n'),
    /workload\.durability\.ackReplicas: Kafka acknowledges after one replica \(acks=1\) or after every in-sync replica \(acks=all\): 2 of 3 replicas cannot be honoured/,
  );
  assert.match(
    lines.join('\n'),
    /workload\.durability\.replicas: a local Pulsar cluster is a standalone broker with one bookie: a ledger cannot keep 3 copies/,
  );
  assert.match(
    lines.join('\n'),
    /workload\.durability\.ackReplicas: exceeds the write quorum \(managedLedgerDefaultWriteQuorum=1\)/,
  );
});

test('ackReplicas > replicas is refused by the schema', async () => {
  const [line] = await rejected(scenario('  durability: {replicas: 1, ackReplicas: 2}\n'));
  assert.match(line!, /^fair\.yaml:10:\d+: workload\.durability\.ackReplicas: cannot exceed replicas \(2 > 1\)/);
});

test('Kafka replicas must match each topic replication factor', async () => {
  const text = scenario('  durability: {replicas: 2}\n').replace(
    'system: kafka, driver: platformatic',
    'system: kafka, driver: platformatic, brokers: 2',
  );
  const lines = await rejected(text);
  assert.match(
    lines[0]!,
    /^fair\.yaml:6:\d+: topics\[0\]\.replicationFactor: is 1 \(1 when not given\) but durability\.replicas pins 2/,
  );
});

// The pure mappings, with broker config: contradicting config is refused at its key.
function side(knobs: Partial<Knobs>, o: Partial<Side> = {}): Side {
  return {
    index: 0,
    knobs: mergeKnobs(knobs, {}),
    knobAt: (group, field) => ['workload', group, field],
    driver: 'platformatic',
    provider: 'local',
    brokers: 1,
    brokerConfig: {},
    topics: [{ index: 0, name: 'events', replicationFactor: 1, config: {}, load: true }],
    producer: {
      given: new Set(),
      at: (k) => ['workload', 'producer', k],
      parsed: { acks: -1, linger: 0, batchSize: 1_048_576, idempotent: false },
    },
    consumer: {
      given: new Set(),
      at: (k) => ['workload', 'consumer', k],
      parsed: { highWaterMark: 4096, maxWaitTime: 100, minBytes: 1, maxBytesPerPartition: 1_048_576 },
    },
    ...o,
  };
}

test('Kafka: broker or topic flush config contradicting fsync is refused at its key; unpinned it is reported as run', () => {
  const m = kafkaKnobs(
    side(
      { durability: { fsync: 'always' } },
      {
        brokerConfig: { 'log.flush.interval.ms': 1000 },
        topics: [{ index: 0, name: 'events', replicationFactor: 1, config: { 'flush.messages': 100 }, load: true }],
      },
    ),
  );
  assert.deepEqual(
    m.problems.map((p) => p.path.join('.')),
    ['clusters.0.config.log.flush.interval.ms', 'topics.0.config.flush.messages'],
  );
  assert.match(
    m.problems[0]!.message,
    /contradicts the pinned durability\.fsync \(workload\.durability\.fsync\); remove it/,
  );
  const os = kafkaKnobs(side({}, { brokerConfig: { 'log.flush.interval.messages': 1000 } }));
  assert.equal(os.problems.length, 0);
  assert.equal(os.effective['durability.fsync'].value, 'every 1000 messages');
  const pinnedOs = kafkaKnobs(
    side({ durability: { fsync: 'os' } }, { brokerConfig: { 'log.flush.interval.messages': 1 } }),
  );
  assert.deepEqual(
    pinnedOs.problems.map((p) => p.path.join('.')),
    ['clusters.0.config.log.flush.interval.messages'],
  );
});

test('Pulsar: journalSyncData or journalWriteData against fsync is refused; external clusters cannot be pinned', () => {
  const m = pulsarKnobs(
    side({ durability: { fsync: 'always' } }, { driver: 'binary', brokerConfig: { journalWriteData: false } }),
  );
  assert.deepEqual(
    m.problems.map((p) => p.path.join('.')),
    ['clusters.0.config.journalWriteData'],
  );
  assert.match(m.problems[0]!.message, /which needs journalWriteData=true/);
  const ext = pulsarKnobs(side({ durability: { fsync: 'os' } }, { driver: 'binary', provider: 'external' }));
  assert.match(
    ext.problems[0]!.message,
    /faultline does not configure an external cluster's brokers: fsync cannot be pinned there/,
  );
  assert.equal(ext.effective['durability.fsync'].value, null);
  const k = kafkaKnobs(side({ durability: { fsync: 'always' } }, { provider: 'external' }));
  assert.match(k.problems[0]!.message, /external cluster/);
});

test('Kafka ackReplicas 1 with an idempotent producer is refused (idempotence needs acks all)', () => {
  const m = kafkaKnobs(
    side(
      { durability: { replicas: 3, ackReplicas: 1 } },
      {
        brokers: 3,
        topics: [{ index: 0, name: 'events', replicationFactor: 3, config: {}, load: true }],
        producer: {
          given: new Set(['idempotent']),
          at: (k) => ['workload', 'producer', k],
          parsed: { acks: -1, idempotent: true, linger: 0, batchSize: 1 },
        },
      },
    ),
  );
  assert.deepEqual(
    m.problems.map((p) => p.path.join('.')),
    ['workload.producer.idempotent'],
  );
  assert.equal(m.producer.acks, 1);
});
