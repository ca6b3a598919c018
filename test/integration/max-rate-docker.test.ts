/**
 * The max sustainable rate search on real containers: the same Kafka broker capped at cpus 0.5 and at cpus 1.5, in
 * one scenario (the two clusters run in turn), each searched alike: the broker with less CPU reaches a lower max rate.
 * The topic compresses with gzip whatever the producer sends (compression.type), so the broker recompresses every
 * batch: its CPU, not the harness's, is what runs out first (with batches kept as sent, a 0.5-CPU broker took 90k
 * msg/s of 1 KiB here and the harness on 2 shared cores was the limit for both caps).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { containersUnavailable, ownedContainers } from '../docker-helpers.js';
import { collect, readResult, startCli, tempDir, writeScenario } from '../helpers.js';

let skip: string | undefined;
before(async () => {
  skip = await containersUnavailable();
  if (skip) console.log(`# skipped: ${skip}`);
});

test('a Kafka broker capped at cpus 0.5 reaches a lower max rate than the same broker capped at 1.5, in one run', async (t) => {
  if (skip) return t.skip(skip);
  const out = tempDir();
  const file = writeScenario(`name: max-rate-cpus
clusters:
  - {name: half, system: kafka, provider: docker, heap: 512MiB, resources: {cpus: 0.5}}
  - {name: one-and-half, system: kafka, provider: docker, heap: 512MiB, resources: {cpus: 1.5}}
topics: [{name: t, partitions: 2, config: {compression.type: gzip, compression.gzip.level: 9}}]
workload:
  messageSize: 1KiB
  producers: 2
  consumers: 0
  rate: {find: max, while: "latency.publish.p99 < 100ms", from: 4000/s, upTo: 64000/s, precision: 10%, stepWarmup: 2s, stepDuration: 3s, stepDrain: 3s}
`);
  const began = performance.now();
  const child = startCli(['run', file, '--out', out]);
  const run = await collect(child, 400_000);
  const tookS = (performance.now() - began) / 1000;
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  const found: Record<string, any> = {};
  for (const name of ['half', 'one-and-half']) {
    const r = readResult(join(out, name));
    assert.deepEqual(r.cluster.caps, { cpus: name === 'half' ? 0.5 : 1.5 });
    found[name] = r.maxRate;
    const m = r.maxRate;
    console.log(
      `# ${name}: max rate ${m.rate}/s (${m.end}, interval [${m.interval.passed}, ${m.interval.failed}], width ${m.interval.width}) in ${m.steps.length} steps, ${(m.tookMs / 1000).toFixed(1)} s: ${m.steps.map((s: any) => `${s.rate} ${s.passed ? 'pass' : 'fail'}`).join(', ')}`,
    );
    // The 1.5 broker may pass every rate up to upTo (then the harness, not the broker, would be what stops it).
    assert.ok(m.end === 'converged' || (name === 'one-and-half' && m.end === 'upTo'), `${name}: ${m.end}`);
  }
  console.log(`# whole run ${tookS.toFixed(1)} s`);
  assert.ok(
    found.half.rate < found['one-and-half'].rate,
    `cpus 0.5: ${found.half.rate}/s, cpus 1.5: ${found['one-and-half'].rate}/s`,
  );
  // Not a tie inside the search's precision: the 0.5 broker's first fail is at or below the 1.5 broker's max.
  assert.ok(found.half.interval.failed <= found['one-and-half'].rate);
  assert.deepEqual(ownedContainers(child.pid!), [], 'no container of the run is left');
});
