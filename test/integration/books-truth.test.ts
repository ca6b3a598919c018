/**
 * The books against real brokers: a fault that never recovers fails a failover criterion, and an idempotent
 * producer through leader kills neither loses nor duplicates what the log holds once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectNoProcessLeftAfterEach, readResult, runCli, tempDir, writeScenario } from '../helpers.js';

expectNoProcessLeftAfterEach();

test('a fault that never recovers fails a failover criterion with exit 1, and the summary says so first', async () => {
  const out = tempDir();
  const file = writeScenario(`name: never-recovers
clusters: [{name: solo, system: kafka, heap: 512MiB}]
topics: [{name: t, partitions: 1}]
workload: {warmup: 2s, duration: 8s, drainTimeout: 30s, rate: 100/s, producers: 1, consumers: 1, producer: {acks: all, requestTimeout: 2s, retries: 1}}
faults:
  - {at: 4s, action: kill, target: broker-1}
criteria:
  - failover.max < 15s
`);
  const run = await runCli(['run', file, '--out', out], { timeoutMs: 240_000 });
  const r = readResult(out);
  assert.equal(run.code, 1, `${run.stdout}\n${run.stderr}`);
  assert.deepEqual(r.failover.notRecovered.max, ['f1']);
  assert.equal(r.failover.max, null);
  assert.equal(r.criteria[0].passed, false);
  assert.match(r.criteria[0].note, /never recovered: f1/);
  const lines = run.stdout.split('\n');
  const headline = lines.findIndex((line) => /FAILED/.test(line));
  assert.match(lines[headline + 1] ?? '', /warning: writes never resumed after fault f1/, run.stdout);
  assert.equal(r.messages.lost, 0, 'what was acknowledged before the kill is in the log');
});

test('leader kills with an idempotent producer lose nothing and duplicate nothing', async () => {
  const out = tempDir();
  const file = writeScenario(`name: idempotent-leader-kill
clusters:
  - {name: trio, system: kafka, brokers: 3, heap: 512MiB, config: {broker.session.timeout.ms: 3000, broker.heartbeat.interval.ms: 500}}
topics:
  - {name: t, partitions: 3, replicationFactor: 3, config: {min.insync.replicas: 2}}
workload: {warmup: 3s, duration: 17s, drainTimeout: 60s, rate: 300/s, producers: 1, consumers: 1, producer: {acks: all, idempotent: true, requestTimeout: 5s, retries: 10}}
faults:
  - {at: 5s, action: kill, target: "leader(t, 0)", duration: 5s}
  - {at: 12s, action: kill, target: "leader(t, 1)", duration: 5s}
criteria:
  - messages.lost == 0
  - messages.duplicated == 0
`);
  const run = await runCli(['run', file, '--out', out], { timeoutMs: 360_000 });
  const r = readResult(out);
  assert.equal(run.code, 0, `${run.stdout}\n${JSON.stringify(r.faults)}`);
  assert.equal(r.messages.lost, 0);
  assert.equal(r.messages.duplicated, 0);
  assert.equal(r.messages.lostVerified, true);
  assert.ok(
    r.faults.every((f: { injectedAt: number | null }) => f.injectedAt !== null),
    'both kills happened',
  );
  assert.ok(r.messages.acked > 0.9 * r.messages.sent, `acked ${r.messages.acked} of ${r.messages.sent}`);
});

test("requestTimeout is the client's wait for each produce request: answers held back longer fail the send, and what landed is consumed unacked", async () => {
  const out = tempDir();
  const file = writeScenario(`name: request-timeout
clusters: [{name: solo, system: kafka, heap: 512MiB}]
topics: [{name: t, partitions: 1}]
workload: {warmup: 2s, duration: 6s, drainTimeout: 30s, rate: 100/s, producers: 1, consumers: 1, producer: {acks: all, requestTimeout: 1s, retries: 0}}
faults:
  - {at: 3s, action: latency, target: broker-1, links: clients, stream: downstream, latency: 2500ms, duration: 2s}
`);
  const run = await runCli(['run', file, '--out', out], { timeoutMs: 240_000 });
  const r = readResult(out);
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  assert.ok(
    (r.errors.byKind['produce:KafkaJSRequestTimeoutError'] ?? 0) > 0,
    `timeouts after 1 s, not kafkajs's 30 s: ${JSON.stringify(r.errors)}`,
  );
  assert.ok(r.messages.consumedUnacked > 0, 'requests that timed out were written all the same');
  assert.equal(r.messages.lost, 0);
  assert.equal(r.messages.duplicated, 0, 'no retries: no second copies');
});
