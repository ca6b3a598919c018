/**
 * Pulsar end to end: a real standalone broker from the local provider, driven through the WebSocket API (and the
 * native addon where it loads); then Kafka and Pulsar in one scenario, compared side by side.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pulsarNativeDriver } from '../../src/drivers/pulsar/pulsar-native-driver.js';
import {
  expectNoProcessLeftAfterEach,
  pulsarScenario,
  readResult,
  runCli,
  tempDir,
  writeScenario,
} from '../helpers.js';

expectNoProcessLeftAfterEach();

function assertMetRate(r: Record<string, any>, rate: number): void {
  assert.equal(r.status, 'passed');
  assert.ok(
    Math.abs(r.throughput.produced.messagesPerSec - rate) <= rate * 0.05,
    `produced ${r.throughput.produced.messagesPerSec} msg/s`,
  );
  assert.ok(
    Math.abs(r.throughput.consumed.messagesPerSec - rate) <= rate * 0.05,
    `consumed ${r.throughput.consumed.messagesPerSec} msg/s`,
  );
  assert.equal(r.messages.acked, r.messages.sent);
  assert.equal(r.messages.consumed, r.messages.acked);
  assert.equal(r.messages.lost, 0);
  assert.equal(r.messages.duplicated, 0);
  assert.ok(r.latency.publish.p50 > 0 && r.latency.endToEnd.p50 > 0);
}

test('Pulsar over the WebSocket API: meets its rate within 5%, consumes all it acked, exits 0', async () => {
  const out = tempDir();
  const file = writeScenario(pulsarScenario({ driver: 'websocket', criteria: ['messages.lost == 0'] }));
  const run = await runCli(['run', file, '--out', out], { timeoutMs: 240_000 });
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const r = readResult(out);
  assertMetRate(r, 1000);
  assert.equal(r.cluster.system, 'pulsar');
  assert.match(r.cluster.bootstrap, /^pulsar:\/\/127\.0\.0\.1:\d+$/);
  assert.match(r.cluster.webServiceUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.deepEqual(r.driver, { name: 'websocket', requested: 'websocket' });
  assert.equal(r.messages.reordered, null, 'a Shared subscription promises no order: not judged');
  assert.ok(existsSync(join(out, 'logs', 'pulsar-broker-1.log')), 'broker log in the run directory');
});

test('Pulsar through the native pulsar-client addon', async (t) => {
  const reason = await pulsarNativeDriver.unavailableReason();
  if (reason) {
    t.diagnostic(`native driver skipped: ${reason}`);
    t.skip(reason);
    return;
  }
  const out = tempDir();
  const run = await runCli(['run', writeScenario(pulsarScenario({ driver: 'native' })), '--out', out], {
    timeoutMs: 240_000,
  });
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const r = readResult(out);
  assertMetRate(r, 1000);
  assert.equal(r.driver.name, 'native');
});

test('Kafka and Pulsar in one scenario run in turn, and compare side by side', async () => {
  const out = tempDir();
  const file = writeScenario(`name: both
clusters:
  - {name: kafka, system: kafka, producer: {acks: all}}
  - {name: pulsar, system: pulsar, driver: auto}
topics:
  - {name: shared, partitions: 2}
workload: {warmup: 1s, duration: 5s, rate: 500/s, producers: 1, consumers: 1}
criteria: [messages.lost == 0]
`);
  const run = await runCli(['run', file, '--out', out], { timeoutMs: 300_000 });
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const kafka = readResult(join(out, 'kafka'));
  const pulsar = readResult(join(out, 'pulsar'));
  assert.equal(kafka.cluster.system, 'kafka');
  assert.equal(pulsar.cluster.system, 'pulsar');
  assert.equal(pulsar.driver.requested, 'auto');
  const native = (await pulsarNativeDriver.unavailableReason()) === undefined;
  assert.equal(pulsar.driver.name, native ? 'native' : 'binary', 'auto tells which driver ran');
  if (!native) assert.match(pulsar.driver.note, /native unavailable/);

  const written = readFileSync(join(out, 'comparison.md'), 'utf8');
  assert.match(written, /\| +\| kafka \| pulsar \| Winner \| By \|/);
  assert.match(written, /Publish latency p99 \(ms, lower is better\) \| [\d.]+ \| [\d.]+ \| (kafka|pulsar|tie) \|/);
  assert.match(written, /Lost messages \(messages, lower is better\) \| 0 \| 0 \| tie/);
  const json = JSON.parse(readFileSync(join(out, 'comparison.json'), 'utf8'));
  assert.deepEqual(
    json.runs.map((r: { label: string }) => r.label),
    ['kafka', 'pulsar'],
  );

  const compareOut = tempDir();
  const compared = await runCli(['compare', join(out, 'kafka'), join(out, 'pulsar'), '--out', compareOut]);
  assert.equal(compared.code, 0, compared.stderr);
  assert.ok(existsSync(join(compareOut, 'comparison.md')));
  const alone = await runCli(['compare', join(out, 'kafka')]);
  assert.equal(alone.code, 2, 'one result is nothing to compare');
});
