/**
 * provider: docker on real containers: a Kafka and a Pulsar cluster (each broker capped) meet their rate within
 * 5 % with nothing lost, their results name the image that ran and the caps, broker logs land in the run's logs/,
 * and no container of the run is left afterwards.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { containersUnavailable, ownedContainers } from '../docker-helpers.js';
import { collect, readResult, startCli, tempDir, writeScenario } from '../helpers.js';

let skip: string | undefined;
before(async () => {
  skip = await containersUnavailable();
  if (skip) console.log(`# skipped: ${skip}`);
});

function assertMetRate(r: Record<string, any>, rate: number): void {
  assert.equal(r.status, 'passed', r.statusReason);
  for (const side of ['produced', 'consumed'] as const) {
    const measured = r.throughput[side].messagesPerSec;
    assert.ok(Math.abs(measured - rate) <= rate * 0.05, `${r.cluster.name} ${side} ${measured} msg/s`);
  }
  assert.equal(r.messages.acked, r.messages.sent);
  assert.equal(r.messages.lost, 0);
}

test('Kafka and Pulsar on provider: docker meet their rate within 5 % with 0 lost; results name image and caps', async (t) => {
  if (skip) return t.skip(skip);
  const out = tempDir();
  const file = writeScenario(`name: docker-both
clusters:
  - {name: kafka, system: kafka, provider: docker, heap: 512MiB, resources: {cpus: 1, memory: 1GiB}, producer: {acks: all}}
  - {name: pulsar, system: pulsar, provider: docker, heap: 512MiB, resources: {cpus: 1.5, memory: 2GiB}}
topics:
  - {name: t, partitions: 2}
workload: {warmup: 6s, duration: 10s, rate: 500/s, messageSize: 1KiB, producers: 2, consumers: 2, drainTimeout: 20s}
criteria: [messages.lost == 0]
`);
  const child = startCli(['run', file, '--out', out]);
  const run = await collect(child, 300_000);
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const caps = { kafka: { cpus: 1, memoryBytes: 2 ** 30 }, pulsar: { cpus: 1.5, memoryBytes: 2 * 2 ** 30 } };
  for (const name of ['kafka', 'pulsar'] as const) {
    const r = readResult(join(out, name));
    assertMetRate(r, 500);
    assert.equal(r.cluster.provider, 'docker');
    assert.deepEqual(r.cluster.caps, caps[name]);
    assert.equal(r.cluster.containers.length, 1);
    assert.match(r.cluster.containers[0].image, new RegExp(`^faultline/${name}:`));
    assert.match(r.cluster.containers[0].imageId, /^sha256:[0-9a-f]{64}$/);
    assert.ok(existsSync(join(out, name, 'logs', `${name}-broker-1.log`)), `${name} broker log in the run's logs/`);
  }
  assert.deepEqual(ownedContainers(child.pid!), [], 'no container of the run is left');
});
