/**
 * The binary Pulsar driver against a real standalone: meets its rate within 5 % with nothing lost and no
 * reordering on a Failover subscription; survives a broker restart with its books exact (producers re-create
 * themselves and resend what was not answered, consumers subscribe again) on an Exclusive subscription, whose
 * order is judged; a Key_Shared subscription's order is not judged.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { expectNoProcessLeftAfterEach, readResult, runCli, tempDir, writeScenario } from '../helpers.js';

expectNoProcessLeftAfterEach();

test('binary driver, Failover: meets 1000 msg/s within 5 %, 0 lost, 0 reordered, reads the log to its end', async () => {
  const out = tempDir();
  const file = writeScenario(`name: pulsar-binary
clusters:
  - {name: pulsar, system: pulsar, provider: local, driver: binary, consumer: {subscriptionType: Failover}}
topics:
  - {name: t, partitions: 3}
workload: {warmup: 4s, duration: 8s, messageSize: 1KiB, rate: 1000/s, producers: 2, consumers: 2, drainTimeout: 20s}
criteria: [messages.lost == 0]
`);
  const run = await runCli(['run', file, '--out', out], { timeoutMs: 240_000 });
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const r = readResult(out);
  assert.deepEqual(r.driver, { name: 'binary', requested: 'binary' });
  for (const side of ['produced', 'consumed'] as const)
    assert.ok(
      Math.abs(r.throughput[side].messagesPerSec - 1000) <= 50,
      `${side} ${r.throughput[side].messagesPerSec} msg/s`,
    );
  assert.equal(r.messages.acked, r.messages.sent);
  assert.equal(r.messages.consumed, r.messages.acked);
  assert.equal(r.messages.lost, 0);
  assert.equal(r.messages.duplicated, 0);
  assert.equal(r.messages.reordered, 0, 'a Failover subscription delivers each partition in order: judged, none');
  assert.ok(r.latency.publish.p50 > 0 && r.latency.endToEnd.p50 > 0);
});

// The standalone takes 15-25 s to stop and start again: producing goes on well after that.
test('binary driver, Exclusive: a broker restart mid-run, producers and consumers reconnect, books exact', async () => {
  const out = tempDir();
  const file = writeScenario(`name: pulsar-binary-restart
clusters:
  - {name: pulsar, system: pulsar, provider: local, driver: binary, consumer: {subscriptionType: Exclusive}}
topics:
  - {name: t, partitions: 1}
workload: {warmup: 3s, duration: 40s, drainTimeout: 60s, rate: 200/s, producers: 1, consumers: 1}
faults:
  - {at: 6s, action: restart, target: broker-1}
criteria:
  - messages.lost == 0
  - failover.max < 30s
  - failover.consumerMax < 30s
`);
  const run = await runCli(['run', file, '--out', out], { timeoutMs: 360_000 });
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const r = readResult(out);
  const [restart] = r.faults;
  assert.ok(restart.recovery.firstAckMs !== null, 'producing resumed after the restart');
  assert.ok(restart.recovery.consumerResumedMs !== null, 'consuming resumed after the restart');
  assert.equal(r.messages.lost, 0);
  assert.equal(r.messages.acked + r.messages.failed, r.messages.sent, 'every message acknowledged or failed');
  assert.equal(r.messages.consumed, r.messages.acked, 'every acknowledged message consumed');
  assert.equal(r.messages.reordered, 0, 'an Exclusive subscription is judged for order: none');
  for (const kind of Object.keys(r.errors.byKind)) assert.match(kind, /^produce:(unknown-outcome|not-connected)$/);
  const log = readFileSync(join(out, 'logs', 'client.log'), 'utf8');
  assert.match(log, /producer on \S+: reconnected after \d+ ms/);
  assert.match(log, /subscribed again, reconnected after \d+ ms/);
});

test('binary driver, Key_Shared: every message consumed, order not judged', async () => {
  const out = tempDir();
  const file = writeScenario(`name: pulsar-binary-key-shared
clusters:
  - {name: pulsar, system: pulsar, provider: local, driver: binary, consumer: {subscriptionType: Key_Shared}}
topics:
  - {name: t, partitions: 2}
workload: {warmup: 2s, duration: 4s, rate: 500/s, producers: 1, consumers: 2, drainTimeout: 20s}
criteria: [messages.lost == 0]
`);
  const run = await runCli(['run', file, '--out', out], { timeoutMs: 240_000 });
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const r = readResult(out);
  assert.equal(r.messages.consumed, r.messages.acked);
  assert.equal(r.messages.lost, 0);
  assert.equal(r.messages.reordered, null, 'Key_Shared promises no order per partition: not judged');
});
