/**
 * Pulsar geo-replication on provider: docker through the binary driver: two standalones in containers, in two
 * regions joined by a 40 ms link. Their brokers get faultline's standalone.conf, broker entry metadata included
 * (each entry keeps the source broker's append time), so `driver: auto` picks binary for them as for local ones,
 * and every replicated message's lag is measured from the source broker's append time: none unmeasured.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { containersUnavailable, ownedContainers } from '../docker-helpers.js';
import { collect, readResult, startCli, tempDir, writeScenario } from '../helpers.js';

let skip: string | undefined;
before(async () => {
  skip = await containersUnavailable();
  if (skip) console.log(`# skipped: ${skip}`);
});

test('docker Pulsar geo-replication: auto picks binary; every message replicated once, lag measured from the source broker, 0 unmeasured', async (t) => {
  if (skip) return t.skip(skip);
  const out = tempDir();
  const file = writeScenario(`name: docker-pulsar-geo
regions: [ra, rb]
links:
  - {between: [ra, rb], latency: 40ms}
clusters:
  - {name: pa, system: pulsar, provider: docker, heap: 384MiB, region: ra}
  - {name: pb, system: pulsar, provider: docker, heap: 384MiB, region: rb}
topics:
  - {name: t, cluster: pa, partitions: 2}
replication:
  - {from: pa, to: pb, topics: [t]}
workload:
  warmup: 2s
  duration: 8s
  messageSize: 256B
  rate: 50/s
  producers: 1
  consumers: 1
  drainTimeout: 30s
criteria:
  - replication.notReplicated == 0
  - replication.lagUnmeasured == 0
`);
  const child = startCli(['run', file, '--out', out]);
  const run = await collect(child, 240_000);
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const r = readResult(out);
  assert.equal(r.cluster.provider, 'docker');
  assert.equal(r.driver.name, 'binary', JSON.stringify(r.driver));
  assert.match(r.driver.note ?? '', /auto chose binary: the cluster takes part in geo-replication/);
  assert.equal(r.cluster.containers.length, 1);
  assert.match(r.cluster.containers[0].imageSource, /^(pulled|present|local)$/);
  assert.equal(r.cluster.effective['broker.entryMetadata'].value, 13, 'the interceptor is listed as it ran');
  const rep = r.replication;
  assert.ok(r.messages.acked > 0);
  assert.equal(rep.replicated, r.messages.acked, 'every acknowledged message reached the peer');
  assert.equal(rep.notReplicated, 0);
  assert.equal(rep.duplicated, 0);
  assert.equal(rep.lagUnmeasured, 0, 'every message has its source broker append time');
  assert.ok(rep.lag.p50 >= 40, `lag p50 ${rep.lag.p50} ms: the copy crosses the 40 ms link`);
  assert.ok(rep.lag.p99 < 2_000, `lag p99 ${rep.lag.p99} ms`);
  assert.deepEqual(ownedContainers(child.pid!), [], 'no container of the run is left');
  console.log(
    `docker Pulsar geo-replication (binary) across 40 ms: ${rep.replicated} replicated, lag p50 ${rep.lag.p50} ms, p90 ${rep.lag.p90} ms, p99 ${rep.lag.p99} ms, unmeasured ${rep.lagUnmeasured}; image ${r.cluster.containers[0].image} (${r.cluster.containers[0].imageSource})`,
  );
});
