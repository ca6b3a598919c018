/**
 * Pinned durability and batching on real brokers: scenarios/kafka-vs-pulsar.yaml (its knobs as shipped, fsync
 * always; the load shortened) runs Kafka and Pulsar in turn; comparison.md shows both sides' effective settings,
 * and the brokers ran with them (Kafka's server.properties and the configuration the broker logged at start;
 * Pulsar's standalone.conf).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { parse, stringify } from 'yaml';
import { expectNoProcessLeftAfterEach, readResult, runCli, tempDir, writeScenario } from '../helpers.js';

expectNoProcessLeftAfterEach();

const shipped = resolve(import.meta.dirname, '..', '..', '..', 'scenarios', 'kafka-vs-pulsar.yaml');

/** The shipped scenario with its knobs as they are and a short, light load. */
function shortened(): string {
  const scenario = parse(readFileSync(shipped, 'utf8'));
  assert.equal(scenario.workload.durability.fsync, 'always', 'the shipped scenario pins fsync: always');
  delete scenario.workload.phases;
  Object.assign(scenario.workload, { warmup: '1s', duration: '4s', rate: '500/s', producers: 1, consumers: 1 });
  scenario.topics = [{ name: 'events', partitions: 2, replicationFactor: 1 }];
  scenario.criteria = ['messages.lost == 0'];
  return stringify(scenario);
}

function brokerFile(logs: string, name: string): string {
  const dir = readdirSync(logs, { withFileTypes: true }).find(
    (e) => e.isDirectory() && readdirSync(join(logs, e.name)).includes(name),
  );
  assert.ok(dir, `no ${name} under ${logs}`);
  return readFileSync(join(logs, dir.name, name), 'utf8');
}

test('kafka-vs-pulsar with fsync always: comparison.md shows both sides as run, the brokers ran with them', async () => {
  const out = tempDir();
  const run = await runCli(['run', writeScenario(shortened()), '--out', out], { timeoutMs: 240_000 });
  assert.equal(run.code, 0, run.stderr + run.stdout);

  const kafka = readResult(join(out, 'kafka'));
  const pulsar = readResult(join(out, 'pulsar'));
  for (const [side, r] of [
    ['kafka', kafka],
    ['pulsar', pulsar],
  ] as const) {
    assert.equal(r.messages.lost, 0, side);
    assert.equal(r.cluster.effective['durability.fsync'].value, 'always', side);
    assert.equal(r.cluster.effective['durability.fsync'].pinned, true, side);
    assert.equal(r.cluster.effective['batching.maxDelayMs'].value, 1, side);
    assert.equal(r.cluster.effective['batching.maxBytes'].value, 131_072, side);
    assert.equal(r.cluster.effective['prefetch.messages'].value, 1000, side);
  }
  assert.equal(kafka.cluster.effective['durability.fsync'].settings['log.flush.interval.messages'], 1);
  assert.equal(pulsar.cluster.effective['durability.fsync'].settings.journalSyncData, 'true');

  const comparison = readFileSync(join(out, 'comparison.md'), 'utf8');
  assert.match(comparison, /## Durability, batching and prefetch, as each side ran/);
  assert.match(
    comparison,
    /\| fsync \(`durability\.fsync`\) \| \*\*always\*\* 📌 — `log\.flush\.interval\.messages=1`[^|]*\| \*\*always\*\* 📌 — `journalSyncData=true`, `journalWriteData=true`[^|]*\| yes \|/,
  );
  assert.match(comparison, /`linger\.ms=1`.*`batchingMaxPublishDelay=1`/);
  assert.match(comparison, /`batch\.size=131072`.*`batchingMaxBytes=131072`/);
  assert.match(comparison, /`highWaterMark=1000`.*`receiverQueueSize=1000`/);
  assert.doesNotMatch(comparison, /durability, batching and prefetch, so the runs are not like for like/);
  assert.match(
    readFileSync(join(out, 'kafka', 'report.md'), 'utf8'),
    /## Durability, batching and prefetch \(as run\)/,
  );
  assert.match(
    readFileSync(join(out, 'comparison.html'), 'utf8'),
    /<h2>Durability, batching and prefetch, as each side ran<\/h2>[\s\S]*<code>journalSyncData=true<\/code>/,
  );

  // What the brokers were given, and (Kafka) what the broker itself logged it parsed.
  const kafkaLogs = join(out, 'kafka', 'logs');
  assert.match(brokerFile(kafkaLogs, 'server.properties'), /^log\.flush\.interval\.messages=1$/m);
  const brokerLog = readdirSync(kafkaLogs)
    .filter((f) => f.endsWith('.log') && f !== 'client.log')
    .map((f) => readFileSync(join(kafkaLogs, f), 'utf8'))
    .join('\n');
  assert.match(brokerLog, /\blog\.flush\.interval\.messages = 1\b/, 'the Kafka broker logged flush every message');
  const standalone = brokerFile(join(out, 'pulsar', 'logs'), 'standalone.conf');
  assert.match(standalone, /^journalSyncData=true$/m);
  assert.match(standalone, /^journalWriteData=true$/m);
  assert.match(standalone, /^managedLedgerDefaultAckQuorum=1$/m);
});

test('a knob one side cannot honour: exit 2 before anything starts, the field named and why', async () => {
  const text = readFileSync(shipped, 'utf8').replace(/driver: platformatic\b.*/, 'driver: kafkajs');
  const run = await runCli(['validate', writeScenario(text)], { timeoutMs: 60_000 });
  assert.equal(run.code, 2, run.stderr + run.stdout);
  assert.match(
    run.stderr,
    /scenario\.yaml:\d+:\d+: workload\.batching\.maxDelay: cannot be honoured on Kafka: kafkajs has no linger/,
  );
  assert.match(run.stderr, /workload\.prefetch\.messages: cannot be honoured on Kafka: kafkajs fetches again only/);
});
