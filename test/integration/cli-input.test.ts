/** The CLI on bad input: exit 2, file, line and field named, no stack trace. No broker is started. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { kafkaScenario, runCli, tempDir, writeScenario } from '../helpers.js';

const good = kafkaScenario({ criteria: ['messages.lost == 0'] });

const malformed: Array<[string, string, RegExp]> = [
  [
    'misspelt field',
    good.replace('partitions: 3', 'partiton: 3'),
    /:5:\d+: topics\[0\]\.partiton: unknown field \(did you mean "partitions"\?\)/,
  ],
  [
    'impossible replication',
    good.replace('replicationFactor: 1', 'replicationFactor: 2'),
    /:5:\d+: topics\[0\]\.replicationFactor: replicationFactor 2 exceeds/,
  ],
  ['zero partitions', good.replace('partitions: 3', 'partitions: 0'), /topics\[0\]\.partitions/],
  [
    'bad unit',
    good.replace('duration: 8s', 'duration: 8 fortnights'),
    /:8:\d+: workload\.duration: expected a duration/,
  ],
  ['wrong type', good.replace('producers: 2', 'producers: [2]'), /workload\.producers: expected number, got a list/],
  ['broken YAML', 'name: [unclosed\n', /invalid YAML/],
  [
    'Pulsar option on a Kafka cluster',
    good.replace('provider: local,', 'provider: local, consumer: {subscriptionType: Shared},'),
    /clusters\[0\]\.consumer\.subscriptionType: not a kafka consumer option/,
  ],
  [
    'Kafka option on a Pulsar cluster',
    good
      .replace('system: kafka', 'system: pulsar')
      .replace('drainTimeout: 20s', 'drainTimeout: 20s\n  producer: {acks: all}'),
    /workload\.producer\.acks: not a pulsar producer option/,
  ],
  [
    'bad criterion',
    good.replace('messages.lost == 0', 'messages.lots == 0'),
    /criteria\[0\]: unknown metric "messages\.lots" \(did you mean "messages\.lost"\?\)/,
  ],
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

/** A minimal result.json (what compare reads) for a scenario and cluster. */
function resultJson(scenario: string, cluster: string, p99: number): string {
  const latency = { count: 100, p50: p99 / 2, p90: p99 / 1.5, p99, p999: p99, max: p99, mean: p99 / 2 };
  return JSON.stringify({
    schemaVersion: 1,
    status: 'passed',
    partial: false,
    scenario: { name: scenario, file: `${scenario}.yaml` },
    cluster: { name: cluster, system: 'kafka', provider: 'local', version: '3.9.0', brokers: 1, bootstrap: '' },
    driver: { name: 'kafkajs', requested: 'auto' },
    startedAt: '2026-11-23T10:00:00.000Z',
    endedAt: '2026-11-23T10:01:00.000Z',
    workload: {
      warmupMs: 0,
      durationMs: 1000,
      drainTimeoutMs: 1000,
      messageSize: 10,
      targetRate: 10,
      phases: [{ durationMs: 1000, rate: 10 }],
      topics: [{ name: 't', partitions: 1, replicationFactor: 1 }],
      producers: 1,
      consumers: 1,
    },
    throughput: {
      produced: { messagesPerSec: 10, bytesPerSec: 100 },
      consumed: { messagesPerSec: 10, bytesPerSec: 100 },
    },
    latency: { publish: latency, publishUncorrected: latency, endToEnd: latency, sendLag: latency },
    messages: {
      sent: 10,
      acked: 10,
      failed: 0,
      unacked: 0,
      consumed: 10,
      lost: 0,
      duplicated: 0,
      reordered: 0,
      consumedUnacked: 0,
      foundByFinalRead: 0,
      lostSample: [],
      foreign: 0,
      drained: true,
    },
    errors: { total: 0, byKind: {} },
    timeline: [],
    faults: [],
    criteria: [],
    histograms: {},
    warnings: [],
    environment: { node: 'v20', platform: 'linux-x64', cpus: 2 },
  });
}

const made: string[] = [];
after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const scratch = (prefix: string) => {
  made.push(tempDir(prefix));
  return made.at(-1)!;
};

function resultsDir(layout: Record<string, [string, string, number]>): string {
  const root = scratch('faultline-compare-');
  for (const [path, [scenario, cluster, p99]] of Object.entries(layout)) {
    mkdirSync(join(root, path), { recursive: true });
    writeFileSync(join(root, path, 'result.json'), resultJson(scenario, cluster, p99));
  }
  return root;
}

test('compare DIR refuses a directory mixing runs of different scenarios (exit 2) and takes them named one by one', async () => {
  const root = resultsDir({ 'a-1': ['a', 'main', 5], 'a-2': ['a', 'main', 7], 'b-1': ['b', 'main', 9] });
  const mixed = await runCli(['compare', root]);
  assert.equal(mixed.code, 2, mixed.stderr);
  assert.match(mixed.stderr, /holds runs of 2 different scenarios \(a: 2 runs, b: 1 run\)/);
  assert.doesNotMatch(mixed.stderr, /\n\s+at /, 'no stack trace');
  const named = await runCli([
    'compare',
    join(root, 'a-1'),
    join(root, 'b-1'),
    '--out',
    scratch('faultline-compare-out-'),
  ]);
  assert.equal(named.code, 0, named.stderr);
  assert.match(
    named.stdout,
    /^comparing 2 runs \(.*a-1: a run of scenario a; .*b-1: a run of scenario b\):\n {2}a-1 .*\n {2}b-1 /,
  );
});

test('compare DIR of one scenario lists the runs it picked, and nothing deeper than their clusters', async () => {
  const root = resultsDir({
    'a-1': ['a', 'main', 5],
    'a-2/kafka': ['a', 'kafka', 7],
    'a-2/pulsar': ['a', 'pulsar', 6],
    'a-3/logs/old/x': ['other', 'main', 1],
  });
  const compared = await runCli(['compare', root]);
  assert.equal(compared.code, 0, compared.stderr);
  assert.match(
    compared.stdout,
    /comparing 3 runs \(.*: 3 runs of scenario a\):\n {2}main {3}.*a-1\n {2}kafka {2}.*kafka\n {2}pulsar .*pulsar\n/,
  );
  assert.ok(existsSync(join(root, 'comparison.md')));
  const empty = await runCli(['compare', scratch('faultline-compare-empty-')]);
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /no result\.json here/);
});

// Checked against the broker's own definitions (a JVM over the cached broker jars, no broker started).
const configured = (brokerConfig: string, topicConfig: string) => `name: configured
clusters:
  - name: main
    system: kafka
    provider: local
    brokers: 1
    config: {${brokerConfig}}
topics:
  - name: t
    partitions: 3
    config: {${topicConfig}}
workload: {warmup: 1s, duration: 4s, rate: 100/s}
`;

const refusedBeforeStart: Array<[string, string, RegExp[]]> = [
  [
    'misspelt broker config key',
    configured('min.insync.replica: 1', ''),
    [
      /:7:\d+: clusters\[0\]\.config\.min\.insync\.replica: not a Kafka 4\.1\.1 broker setting \(did you mean "min\.insync\.replicas"\?\)/,
    ],
  ],
  [
    'invalid broker config value',
    configured('message.max.bytes: -5', ''),
    [
      /:7:\d+: clusters\[0\]\.config\.message\.max\.bytes: Kafka 4\.1\.1 refuses it: Invalid value -5 for configuration message\.max\.bytes: Value must be at least 0/,
    ],
  ],
  [
    'broker config the broker refuses as a whole',
    configured('process.roles: broker', ''),
    [/clusters\[0\]\.config\.process\.roles: Kafka 4\.1\.1 refuses it: .*controller\.quorum\.voters/],
  ],
  [
    'misspelt and invalid topic config',
    configured('', 'retention.msec: 1000, cleanup.policy: compactt'),
    [
      /:11:\d+: topics\[0\]\.config\.retention\.msec: not a Kafka 4\.1\.1 topic setting \(did you mean "retention\.ms"\?\)/,
      /topics\[0\]\.config\.cleanup\.policy: Kafka 4\.1\.1 refuses it: Invalid value compactt for configuration cleanup\.policy: String must be one of: compact, delete/,
    ],
  ],
  [
    'a broker setting given to a topic',
    configured('', 'log.retention.ms: 5'),
    [/topics\[0\]\.config\.log\.retention\.ms: not a Kafka 4\.1\.1 topic setting \(it is a broker setting/],
  ],
  [
    'misspelt and unparseable Pulsar broker config',
    `name: pulsar-configured
clusters:
  - name: p
    system: pulsar
    config: {managedLedgerDefaultEnsembleSiz: 1, brokerShutdownTimeoutMs: soon, dbStorage_writeCacheMaxSizeMb: 32}
topics:
  - {name: t, partitions: 1}
workload: {warmup: 1s, duration: 4s, rate: 100/s}
`,
    [
      /:5:\d+: clusters\[0\]\.config\.managedLedgerDefaultEnsembleSiz: not a Pulsar 4\.0\.7 broker setting \(did you mean "managedLedgerDefaultEnsembleSize"\?\)/,
      /clusters\[0\]\.config\.brokerShutdownTimeoutMs: Pulsar 4\.0\.7 refuses it: Invalid value soon for brokerShutdownTimeoutMs \(long\)/,
    ],
  ],
  [
    'idempotent producer with acks 1',
    good.replace('drainTimeout: 20s', 'drainTimeout: 20s\n  producer: {idempotent: true, acks: 1}'),
    [/:\d+:\d+: workload\.producer\.acks: an idempotent producer needs acks: all/],
  ],
  [
    'idempotent producer without retries',
    good.replace('drainTimeout: 20s', 'drainTimeout: 20s\n  producer: {idempotent: true, retries: 0}'),
    [/:\d+:\d+: workload\.producer\.retries: an idempotent producer needs retries of at least 1/],
  ],
  [
    'YAML alias bomb',
    `${Array.from({ length: 10 }, (_, i) =>
      i === 0
        ? 'l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'
        : `l${i}: &l${i} [${Array(9)
            .fill(`*l${i - 1}`)
            .join(',')}]`,
    ).join('\n')}\n${good}`,
    [/:2:\d+: invalid YAML: aliases expand beyond 100 nodes/],
  ],
];

for (const [name, text, expected] of refusedBeforeStart) {
  test(`validate and run refuse before any broker starts, exit 2 with the field: ${name}`, async () => {
    const file = writeScenario(text);
    for (const command of ['validate', 'run']) {
      const result = await runCli([command, file], { timeoutMs: 120_000 });
      assert.equal(result.code, 2, `${command}: ${result.stderr}`);
      for (const pattern of expected) assert.match(result.stderr, pattern);
      assert.ok(result.stderr.includes(file), 'names the file');
      assert.doesNotMatch(result.stderr, /\n\s+at |internal error/, 'no stack trace, no internal error');
    }
  });
}

test('validate accepts broker and topic config the broker accepts, and answers the second time from its cache', async () => {
  const file = writeScenario(
    configured(
      'num.io.threads: 8, log.retention.hours: 2',
      'min.insync.replicas: 1, retention.ms: 60000, cleanup.policy: delete',
    ),
  );
  const first = await runCli(['validate', file], { timeoutMs: 120_000 });
  assert.equal(first.code, 0, first.stderr);
  // With no java nor javac on the PATH, only a cached answer can pass the check (no JVM can start).
  const noJava = scratch('faultline-no-java-');
  symlinkSync(process.execPath, join(noJava, 'node'));
  const second = await runCli(['validate', file], { env: { PATH: noJava } });
  assert.equal(second.code, 0, second.stderr);
  assert.doesNotMatch(second.stderr, /not checked/, 'the check ran from the cache, not skipped');
});
