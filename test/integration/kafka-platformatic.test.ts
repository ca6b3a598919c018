/**
 * The platformatic Kafka driver against real brokers. End-to-end truth on one broker: at a low rate its
 * end-to-end p50 is Kafka's own EndToEndLatency tool's (within 1 ms); at 2 000 msg/s over 6 partitions it meets
 * its rate within 5 %, loses nothing, and end to end stays within 3 ms of publish (its consumer has a fetch
 * waiting at the broker, not behind the sink). An idempotent producer through leader kills neither loses
 * nor duplicates; the default producer (every partition of a broker in one request) loses nothing acknowledged
 * through a leader kill.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { kafkaClasspath, localKafkaProvider } from '../../src/cluster/kafka/local-kafka.js';
import { ProcessRegistry } from '../../src/cluster/process-registry.js';
import type { RunningCluster } from '../../src/cluster/provider.js';
import { clusterSchema } from '../../src/scenario/schema.js';
import { expectNoProcessLeftAfterEach, readResult, runCli, tempDir, writeScenario } from '../helpers.js';

expectNoProcessLeftAfterEach();

/** Kafka's EndToEndLatency (one message at a time, acks=all, 1 KiB): its average and its p50 (whole ms, floored). */
async function endToEndLatencyTool(bootstrap: string, topic: string): Promise<{ avgMs: number; p50FloorMs: number }> {
  const classpath = await kafkaClasspath(localKafkaProvider.defaultVersion!, () => {});
  const { stdout } = await promisify(execFile)(
    'java',
    [
      '-Xmx256m',
      '-cp',
      classpath.spec,
      'org.apache.kafka.tools.EndToEndLatency',
      bootstrap,
      topic,
      '2000',
      'all',
      '1024',
    ],
    { maxBuffer: 4 * 1024 * 1024, timeout: 120_000 },
  );
  const avg = /Avg latency: ([\d.]+) ms/.exec(stdout);
  const p50 = /Percentiles: 50th = (\d+)/.exec(stdout);
  assert.ok(avg && p50, `EndToEndLatency output:\n${stdout}`);
  return { avgMs: Number(avg[1]), p50FloorMs: Number(p50[1]) };
}

async function runOn(bootstrap: string, body: string): Promise<Record<string, any>> {
  const out = tempDir();
  const file = writeScenario(`name: platformatic-truth
clusters: [{name: solo, system: kafka, provider: external, bootstrap: "${bootstrap}", driver: platformatic}]
${body}`);
  const run = await runCli(['run', file, '--out', out, '--quiet'], { timeoutMs: 120_000 });
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  return readResult(out);
}

test('end-to-end truth on one broker: low-rate p50 within 1 ms of EndToEndLatency, 2000 msg/s within 3 ms of publish', async () => {
  const work = tempDir();
  const registry = ProcessRegistry.open(`plt${process.pid}`, work);
  let cluster: RunningCluster | undefined;
  try {
    const spec = clusterSchema.parse({ name: 'solo', system: 'kafka', heap: 512 * 1024 * 1024 });
    cluster = await localKafkaProvider.start(spec, {
      runId: registry.runId,
      logDir: join(work, 'logs'),
      registry,
      signal: new AbortController().signal,
      log: () => {},
      info: () => {},
    });
    const bootstrap = cluster.endpoints.bootstrap;
    const java = await endToEndLatencyTool(bootstrap, 'java-e2e');
    const low = await runOn(
      bootstrap,
      `topics: [{name: low, partitions: 1}]
workload: {warmup: 2s, duration: 8s, drainTimeout: 20s, messageSize: 1KiB, rate: 200/s, producers: 1, consumers: 1, producer: {acks: all}}
`,
    );
    const busy = await runOn(
      bootstrap,
      `topics: [{name: busy, partitions: 6}]
workload: {warmup: 2s, duration: 8s, drainTimeout: 20s, messageSize: 1KiB, rate: 2000/s, producers: 2, consumers: 2, producer: {acks: all}}
`,
    );
    const figures = `EndToEndLatency avg ${java.avgMs} ms, p50 ${java.p50FloorMs}–${java.p50FloorMs + 1} ms; platformatic at 200/s: end-to-end p50 ${low.latency.endToEnd.p50} ms (publish p50 ${low.latency.publish.p50}); at 2000/s over 6 partitions: end-to-end p50 ${busy.latency.endToEnd.p50} ms, publish p50 ${busy.latency.publish.p50} ms, produced ${busy.throughput.produced.messagesPerSec} msg/s`;
    process.stderr.write(`${figures}\n`);
    // The tool prints its p50 in whole ms (floored: the true p50 lies in [P, P + 1)); faultline's p50 must be
    // within 1 ms of some value there. Its average includes its first messages and JVM warm-up: shown, not used.
    const lowP50 = low.latency.endToEnd.p50;
    assert.ok(lowP50 >= java.p50FloorMs - 1 && lowP50 < java.p50FloorMs + 2, figures);
    assert.equal(low.messages.lost, 0);
    assert.ok(Math.abs(busy.throughput.produced.messagesPerSec - 2000) <= 100, figures);
    assert.equal(busy.messages.acked, busy.messages.sent);
    assert.equal(busy.messages.consumed, busy.messages.acked);
    assert.equal(busy.messages.lost, 0);
    assert.equal(busy.messages.duplicated, 0);
    assert.ok(busy.latency.endToEnd.p50 - busy.latency.publish.p50 <= 3, figures);
  } finally {
    await cluster?.stop();
    registry.close();
  }
});

test('leader kills with an idempotent platformatic producer lose nothing and duplicate nothing', async () => {
  const out = tempDir();
  const file = writeScenario(`name: idempotent-leader-kill-platformatic
clusters:
  - {name: trio, system: kafka, brokers: 3, heap: 512MiB, driver: platformatic, config: {broker.session.timeout.ms: 3000, broker.heartbeat.interval.ms: 500}}
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
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr.slice(-3000)}\n${JSON.stringify(r.faults)}`);
  assert.equal(r.messages.lost, 0);
  assert.equal(r.messages.duplicated, 0);
  assert.equal(r.messages.lostVerified, true);
  assert.ok(
    r.faults.every((f: { injectedAt: number | null }) => f.injectedAt !== null),
    'both kills happened',
  );
  assert.ok(r.messages.acked > 0.9 * r.messages.sent, `acked ${r.messages.acked} of ${r.messages.sent}`);
});

test('a leader kill under the default (not idempotent) producer, one request per broker: nothing acknowledged is lost', async () => {
  const out = tempDir();
  const file = writeScenario(`name: leader-kill-platformatic-gathered
clusters:
  - {name: trio, system: kafka, brokers: 3, heap: 512MiB, driver: platformatic, config: {broker.session.timeout.ms: 3000, broker.heartbeat.interval.ms: 500}}
topics:
  - {name: t, partitions: 6, replicationFactor: 3, config: {min.insync.replicas: 2}}
workload: {warmup: 2s, duration: 10s, drainTimeout: 60s, rate: 1000/s, producers: 1, consumers: 1, producer: {acks: all, requestTimeout: 5s, retries: 10}}
faults:
  - {at: 4s, action: kill, target: "leader(t, 0)", duration: 4s}
criteria:
  - messages.lost == 0
`);
  const run = await runCli(['run', file, '--out', out], { timeoutMs: 240_000 });
  const r = readResult(out);
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr.slice(-3000)}\n${JSON.stringify(r.faults)}`);
  assert.equal(r.messages.lost, 0);
  assert.equal(r.messages.lostVerified, true);
  assert.ok(r.faults[0].injectedAt !== null, 'the kill happened');
  // The other brokers' partitions went on being acknowledged while the killed leader's were retried.
  assert.ok(r.messages.acked > 0.9 * r.messages.sent, `acked ${r.messages.acked} of ${r.messages.sent}`);
});
