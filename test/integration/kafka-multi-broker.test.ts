/** A three-node KRaft cluster (three JVMs, quorum of three) from the local provider, with replicated topics. */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { faultlineProcesses, runCli, tempDir, waitFor, writeScenario } from '../helpers.js';

afterEach(async () => {
  await waitFor(() => faultlineProcesses().length === 0, 20_000, 'no faultline process left');
});

test('brokers: 3 starts three brokers; RF=3, minISR=2, acks=all loses nothing', async () => {
  const out = tempDir();
  const file = writeScenario(`name: three-brokers
clusters:
  - {name: trio, system: kafka, provider: local, brokers: 3, heap: 512MiB}
topics:
  - {name: replicated, partitions: 3, replicationFactor: 3, config: {min.insync.replicas: 2}}
workload: {warmup: 2s, duration: 6s, rate: 500/s, producers: 1, consumers: 1, producer: {acks: all}}
criteria:
  - messages.lost == 0
  - throughput.produced.messagesPerSec >= 475
`);
  const run = await runCli(['run', file, '--out', out], { timeoutMs: 240_000 });
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
  assert.equal(result.cluster.brokers, 3);
  assert.equal(result.cluster.bootstrap.split(',').length, 3);
  assert.equal(result.messages.lost, 0);
  assert.equal(result.messages.consumed, result.messages.acked);
  const brokerLogs = readdirSync(join(out, 'logs')).filter((f) => /^trio-broker-\d\.log$/.test(f));
  assert.equal(brokerLogs.length, 3);
});
