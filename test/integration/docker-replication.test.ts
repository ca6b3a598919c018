/**
 * MirrorMaker 2 on the container runtime: two 1-broker Kafka clusters on provider: docker in two regions joined by
 * a 40 ms link, MirrorMaker 2 running in a container of its own (label faultline.name=mm2). Its lag is held to the
 * same bounds as the local provider's (replication.test.ts): every acknowledged message replicated once, lag p50 at
 * or above the link's one-way latency (it reads the source across the link), p99 under 2 s.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { containersUnavailable, inspectContainer, ownedContainers } from '../docker-helpers.js';
import { collect, readResult, startCli, tempDir, waitFor, writeScenario } from '../helpers.js';

let skip: string | undefined;
before(async () => {
  skip = await containersUnavailable();
  if (skip) console.log(`# skipped: ${skip}`);
});

/** The labels of the running containers a harness started. */
function runningNames(harnessPid: number): string[] {
  return ownedContainers(harnessPid).flatMap((id) => {
    try {
      const info = inspectContainer(id);
      return info.State.Running ? [info.Config.Labels['faultline.name'] as string] : [];
    } catch {
      return []; // removed between the listing and the look
    }
  });
}

test('MirrorMaker 2 in a container replicates across a 40 ms link within the local provider’s lag bounds', async (t) => {
  if (skip) return t.skip(skip);
  const out = tempDir();
  const file = writeScenario(`name: docker-mm2
regions: [ra, rb]
links:
  - {between: [ra, rb], latency: 40ms}
clusters:
  - {name: a, system: kafka, provider: docker, brokers: 1, heap: 384MiB, region: ra}
  - {name: b, system: kafka, provider: docker, brokers: 1, heap: 384MiB, region: rb}
topics:
  - {name: t, cluster: a, partitions: 2}
replication:
  - {from: a, to: b, topics: [t]}
workload:
  warmup: 2s
  duration: 12s
  messageSize: 256B
  rate: 50/s
  producers: 1
  consumers: 1
  drainTimeout: 30s
  producer: {acks: all}
criteria:
  - replication.notReplicated == 0
  - replication.lag.p99 < 2s
`);
  const child = startCli(['run', file, '--out', out]);
  const done = collect(child, 240_000);
  let seen: string[] = [];
  await waitFor(
    () => (seen = runningNames(child.pid!)).includes('mm2') || child.exitCode !== null,
    180_000,
    'the MirrorMaker 2 container running',
  );
  const run = await done;
  assert.equal(run.code, 0, run.stderr + run.stdout);
  assert.ok(seen.includes('mm2'), `MirrorMaker 2 ran in a container (running: ${seen.join(', ')})`);
  assert.ok(seen.includes('a-broker-1') || seen.includes('b-broker-1'), `the brokers in containers: ${seen}`);
  const r = readResult(out);
  const rep = r.replication;
  assert.equal(rep.replicated, r.messages.acked, 'every acknowledged message reached the target');
  assert.equal(rep.notReplicated, 0);
  assert.equal(rep.duplicated, 0);
  assert.equal(rep.lagUnmeasured, 0);
  assert.ok(rep.lag.p50 >= 40, `lag p50 ${rep.lag.p50} ms: the copy crosses the 40 ms link`);
  assert.ok(rep.lag.p99 < 2_000, `lag p99 ${rep.lag.p99} ms (the local provider's bound: < 2 s)`);
  assert.ok(existsSync(join(out, 'logs', 'mm2.log')), 'MirrorMaker 2 log in the run directory');
  assert.deepEqual(ownedContainers(child.pid!), [], 'no container of the run is left');
  console.log(
    `docker MirrorMaker 2 across 40 ms: lag p50 ${rep.lag.p50} ms, p90 ${rep.lag.p90} ms, p99 ${rep.lag.p99} ms; start → first record ${rep.flows[0].firstRecordMs} ms`,
  );
});
